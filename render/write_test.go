package render

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netplumb/netplumb/internal/atomicfile"
)

func readAll(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, root)
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out[rel] = "-> " + l
		case fi.IsDir():
			out[rel+"/"] = ""
		default:
			b, _ := os.ReadFile(p)
			out[rel] = fi.Mode().Perm().String() + " " + string(b)
		}
		return nil
	})
	return out
}

func TestWrite(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc", "netplan"), 0o755)
	os.WriteFile(filepath.Join(root, "etc", "hostname"), []byte("old\n"), 0o644)
	// A link inside the root keeps working.
	os.MkdirAll(filepath.Join(root, "run", "real"), 0o755)
	os.Symlink("../run/real", filepath.Join(root, "etc", "indirect"))
	os.Symlink("/run/real/target", filepath.Join(root, "absolute-out"))
	files := []File{
		{Path: "/etc/hostname", Mode: 0o644, Content: []byte("new\n")},
		{Path: "/etc/netplan/50-netplumb.yaml", Mode: 0o600, Content: []byte("network: {}\n")},
		{Path: "/etc/systemd/network/10-a.link", Mode: 0o644, Content: []byte("[Match]\n")},
		{Path: "/etc/indirect/file", Mode: 0o640, Content: []byte("x\n")},
	}
	if err := Write(root, files, nil); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, root)
	for path, want := range map[string]string{
		"/etc/hostname":                  "-rw-r--r-- new\n",
		"/etc/netplan/50-netplumb.yaml":  "-rw------- network: {}\n",
		"/etc/systemd/network/10-a.link": "-rw-r--r-- [Match]\n",
		"/run/real/file":                 "-rw-r----- x\n",
	} {
		if got[path] != want {
			t.Errorf("%s = %q, want %q", path, got[path], want)
		}
	}
	for p := range got {
		if strings.Contains(p, atomicfile.TempMarker) {
			t.Errorf("left a temporary file %s", p)
		}
	}
}

func TestWriteRefusesToLeaveTheRoot(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	tests := []struct {
		name  string
		setup func(root string)
		file  string
		want  string
	}{
		{"dot dot", nil, "/etc/../../x", "/etc/../../x: not an absolute, clean file path"},
		{"relative", nil, "etc/hostname", "etc/hostname: not an absolute, clean file path"},
		{"directory link outside", func(root string) {
			os.Symlink(outside, filepath.Join(root, "etc"))
		}, "/etc/hostname", "/etc/hostname: symbolic link /etc points outside the root (to " + outside + ")"},
		{"file link outside", func(root string) {
			os.MkdirAll(filepath.Join(root, "etc"), 0o755)
			os.Symlink(filepath.Join(outside, "hostname"), filepath.Join(root, "etc", "hostname"))
		}, "/etc/hostname", "/etc/hostname: symbolic link /etc/hostname points outside the root (to " + filepath.Join(outside, "hostname") + ")"},
		{"relative link climbing out", func(root string) {
			os.MkdirAll(filepath.Join(root, "etc"), 0o755)
			os.Symlink("../../../../../../../../tmp", filepath.Join(root, "etc", "netplan"))
		}, "/etc/netplan/x.yaml", "/etc/netplan/x.yaml: symbolic link /etc/netplan points outside the root (to ../../../../../../../../tmp)"},
		{"a directory in the way", func(root string) {
			os.MkdirAll(filepath.Join(root, "etc", "hostname"), 0o755)
		}, "/etc/hostname", "/etc/hostname: is a directory"},
		{"a file in the way", func(root string) {
			os.WriteFile(filepath.Join(root, "etc"), nil, 0o644)
		}, "/etc/hostname", "/etc/hostname: /etc is not a directory"},
		{"link loop", func(root string) {
			os.Symlink("b", filepath.Join(root, "a"))
			os.Symlink("a", filepath.Join(root, "b"))
		}, "/a/x", "/a/x: too many symbolic links"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			if tt.setup != nil {
				tt.setup(root)
			}
			before := readAll(t, root)
			files := []File{
				{Path: "/var/fine/first", Mode: 0o644, Content: []byte("1\n")},
				{Path: tt.file, Mode: 0o644, Content: []byte("2\n")},
			}
			err := Write(root, files, nil)
			var pe *PathError
			if !errors.As(err, &pe) || err.Error() != tt.want {
				t.Fatalf("Write error = %v, want %q", err, tt.want)
			}
			if after := readAll(t, root); len(after) != len(before) {
				t.Errorf("the root changed: %v -> %v", before, after)
			}
			if entries, _ := os.ReadDir(outside); len(entries) != 0 {
				t.Errorf("something was written outside: %v", entries)
			}
		})
	}
}

// TestWriteLeavesNothingOnFailure makes the last file fail to write (its
// directory is read-only) and checks the earlier ones are not there.
func TestWriteLeavesNothingOnFailure(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "kept"), []byte("old\n"), 0o644)
	// A name too long for the file system fails at creation, for root too.
	long := "/" + strings.Repeat("x", 300)
	err := Write(root, []File{
		{Path: "/kept", Mode: 0o644, Content: []byte("new\n")},
		{Path: "/new/dir/file", Mode: 0o644, Content: []byte("n\n")},
		{Path: long, Mode: 0o644, Content: nil},
	}, nil)
	if err == nil {
		t.Fatal("Write succeeded")
	}
	got := readAll(t, root)
	if got["/kept"] != "-rw-r--r-- old\n" || len(got) != 2 {
		t.Errorf("root after a failed write: %v", got)
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	old := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
	os.WriteFile(filepath.Join(root, "etc", "f"), []byte(old), 0o644)
	os.WriteFile(filepath.Join(root, "etc", "same"), []byte("x\n"), 0o600)
	newContent := "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk"
	got, err := Diff(root, []File{
		{Path: "/etc/f", Mode: 0o600, Content: []byte(newContent)},
		{Path: "/etc/same", Mode: 0o600, Content: []byte("x\n")},
		{Path: "/etc/new", Mode: 0o644, Content: []byte("1\n2\n")},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := `mode /etc/f: 0644 -> 0600
--- a/etc/f
+++ b/etc/f
@@ -1,10 +1,11 @@
 a
 b
 c
-d
+D
 e
 f
 g
 h
 i
 j
+k
\ No newline at end of file
--- /dev/null
+++ b/etc/new
@@ -0,0 +1,2 @@
+1
+2
`
	if got != want {
		t.Errorf("Diff =\n%s\nwant\n%s", got, want)
	}
	// The same as diff -u, apart from the headers' dates.
	if _, err := exec.LookPath("diff"); err == nil {
		a := filepath.Join(t.TempDir(), "a")
		b := filepath.Join(t.TempDir(), "b")
		os.WriteFile(a, []byte(old), 0o644)
		os.WriteFile(b, []byte(newContent), 0o644)
		out, _ := exec.Command("diff", "-u", a, b).Output()
		lines := strings.SplitN(string(out), "\n", 3)
		if !strings.Contains(got, lines[2]) {
			t.Errorf("our hunks differ from diff -u:\n%s", lines[2])
		}
	}
}
