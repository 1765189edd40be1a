package render

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// staleRoot makes a root whose network-scripts directory holds, besides
// the file a new render writes (ifcfg-eth0), files of an earlier render
// and files that are not netrender's.
func staleRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, ifcfgDir)
	os.MkdirAll(dir, 0o755)
	ours := "# Written by netrender.\nDEVICE=x\n"
	for name, content := range map[string]string{
		"ifcfg-eth0":         ours,
		"ifcfg-eth0:1":       ours, // an alias of a removed address
		"ifcfg-eth1":         ours, // a removed interface
		"route-eth1":         "# Written by netrender.\n10.0.0.0/8 dev eth1\n",
		"rule6-eth1":         "# Written by netrender.\nto ::/0 table 7\n",
		"ifcfg-lo":           "DEVICE=lo\n",                          // the distribution's
		"ifcfg-eth2":         "# Edited.\n# Written by netrender.\n", // not ours any more
		"ifcfg-eth3":         "# Written by netrender.",              // cut short: not the header
		"README":             ours,                                   // not a name ifcfg writes
		"ifup-local":         ours,
		"ifcfg-eth1.bak":     ours, // an administrator's copy
		"ifcfg-eth0:1~":      ours,
		"route-eth1.rpmsave": ours,
		".ifcfg-eth1.swp":    ours,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink("ifcfg-eth1", filepath.Join(dir, "ifcfg-link")) // a link is never removed
	os.Mkdir(filepath.Join(dir, "ifcfg-dir"), 0o755)
	return root
}

func TestStale(t *testing.T) {
	t.Parallel()
	root := staleRoot(t)
	files := []File{{Path: ifcfgDir + "ifcfg-eth0", Mode: 0o644, Content: []byte(header)}}
	got, err := Stale(root, Ifcfg{}, files)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{ifcfgDir + "ifcfg-eth0:1", ifcfgDir + "ifcfg-eth1", ifcfgDir + "route-eth1", ifcfgDir + "rule6-eth1"}
	if !slices.Equal(got, want) {
		t.Errorf("Stale = %q, want %q", got, want)
	}
	// Renderers of fixed paths have nothing stale; nor has a root without
	// the directory.
	for _, r := range []Renderer{Netplan{}, Ifupdown{}, Ifupdown{Alpine: true}} {
		if got, err := Stale(root, r, nil); err != nil || got != nil {
			t.Errorf("%s: Stale = %q, %v", r.Name(), got, err)
		}
	}
	if got, err := Stale(t.TempDir(), Keyfile{}, nil); err != nil || got != nil {
		t.Errorf("empty root: Stale = %q, %v", got, err)
	}
}

// TestStaleDirectoryOutside checks that an owned directory reached
// through a link that leaves the root is refused, as Write refuses it.
func TestStaleDirectoryOutside(t *testing.T) {
	t.Parallel()
	root, outside := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc", "systemd"), 0o755)
	os.Symlink(outside, filepath.Join(root, "etc", "systemd", "network"))
	_, err := Stale(root, Networkd{}, nil)
	var pe *PathError
	if !errors.As(err, &pe) {
		t.Errorf("Stale error = %v, want a *PathError", err)
	}
}

func TestWriteRemovesStale(t *testing.T) {
	t.Parallel()
	root := staleRoot(t)
	files := []File{{Path: ifcfgDir + "ifcfg-eth0", Mode: 0o644, Content: []byte(header + "DEVICE=eth0\n")}}
	stale, err := Stale(root, Ifcfg{}, files)
	if err != nil {
		t.Fatal(err)
	}
	before := readAll(t, root)
	// A path that is gone already is skipped.
	if err := Write(root, files, append(stale, ifcfgDir+"ifcfg-gone")); err != nil {
		t.Fatal(err)
	}
	after := readAll(t, root)
	for p := range before {
		_, kept := after[p]
		if slices.Contains(stale, p) == kept {
			t.Errorf("%s: kept %v", p, kept)
		}
	}
	if after[ifcfgDir+"ifcfg-eth0"] != "-rw-r--r-- "+header+"DEVICE=eth0\n" {
		t.Errorf("ifcfg-eth0: %q", after[ifcfgDir+"ifcfg-eth0"])
	}
	for p := range after {
		if strings.Contains(p, ".tmp-") {
			t.Errorf("left behind: %s", p)
		}
	}
}

// TestWriteRemovesNothingOnFailure makes the last file fail and checks
// that the files to remove are all back, and the replaced one too.
func TestWriteRemovesNothingOnFailure(t *testing.T) {
	t.Parallel()
	root := staleRoot(t)
	before := readAll(t, root)
	stale := []string{ifcfgDir + "ifcfg-eth0:1", ifcfgDir + "ifcfg-eth1"}
	err := Write(root, []File{
		{Path: ifcfgDir + "ifcfg-eth0", Mode: 0o644, Content: []byte("new\n")},
		{Path: "/" + strings.Repeat("x", 300), Mode: 0o644},
	}, stale)
	if err == nil {
		t.Fatal("Write succeeded")
	}
	sameTree(t, root, before)
}

// sameTree checks that root holds what readAll read before.
func sameTree(t *testing.T, root string, before map[string]string) {
	t.Helper()
	after := readAll(t, root)
	for p, c := range before {
		if got, ok := after[p]; !ok || got != c {
			t.Errorf("%s: %q, want %q", p, got, c)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s: left behind", p)
		}
	}
}

// TestWriteRefusesRemovingNonFiles checks that only regular files are
// removed: a directory or link named for removal is an error, and the
// root is left as it was.
func TestWriteRefusesRemovingNonFiles(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"ifcfg-dir", "ifcfg-link"} {
		root := staleRoot(t)
		before := readAll(t, root)
		err := Write(root, []File{{Path: "/etc/x", Mode: 0o644, Content: []byte("x\n")}}, []string{ifcfgDir + name})
		var pe *PathError
		if !errors.As(err, &pe) {
			t.Errorf("%s: Write error = %v, want a *PathError", name, err)
		}
		if after := readAll(t, root); len(after) != len(before) {
			t.Errorf("%s: the root changed", name)
		}
	}
}

func TestDiffRemoves(t *testing.T) {
	t.Parallel()
	root := staleRoot(t)
	got, err := Diff(root, nil, []string{ifcfgDir + "route-eth1", ifcfgDir + "ifcfg-gone"})
	if err != nil {
		t.Fatal(err)
	}
	want := "--- a" + ifcfgDir + "route-eth1\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-# Written by netrender.\n-10.0.0.0/8 dev eth1\n"
	if got != want {
		t.Errorf("Diff:\n%s\nwant:\n%s", got, want)
	}
}

// TestWriteRechecksHeader names for removal a file that is not
// netrender's (as if its owner rewrote it after Stale): Write refuses it
// after writing and moving the rest, and puts everything back.
func TestWriteRechecksHeader(t *testing.T) {
	t.Parallel()
	root := staleRoot(t)
	before := readAll(t, root)
	err := Write(root, []File{
		{Path: ifcfgDir + "ifcfg-eth0", Mode: 0o600, Content: []byte(header + "new\n")},
		{Path: "/etc/new/dir/file", Mode: 0o644, Content: []byte("n\n")},
	}, []string{ifcfgDir + "ifcfg-eth1", ifcfgDir + "ifcfg-lo", ifcfgDir + "route-eth1"})
	if err == nil || !strings.Contains(err.Error(), "ifcfg-lo: changed while netrender ran: not removed") {
		t.Fatalf("Write error = %v", err)
	}
	sameTree(t, root, before)
}

// TestDiffSkipsWritten checks that Diff, like Write, does not remove a
// file it writes.
func TestDiffSkipsWritten(t *testing.T) {
	t.Parallel()
	root := staleRoot(t)
	f := File{Path: ifcfgDir + "ifcfg-eth1", Mode: 0o644, Content: []byte(header + "DEVICE=x\n")}
	got, err := Diff(root, []File{f}, []string{f.Path})
	if err != nil || got != "" {
		t.Errorf("Diff = %q, %v; want no change", got, err)
	}
}

// TestResolveLikeTheKernel checks link texts with ".." after a link,
// which the kernel follows from where the link leads, not from where its
// text seems to: etc/sysconfig -> d/../sc with etc/d -> var/sub leads to
// var/sc, and a write must land there.
func TestResolveLikeTheKernel(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, d := range []string{"etc", "var/sub", "var/sc"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.Symlink("../var/sub", filepath.Join(root, "etc", "d"))
	os.Symlink("d/../sc", filepath.Join(root, "etc", "sysconfig"))
	f := File{Path: "/etc/sysconfig/ifcfg-eth0", Mode: 0o644, Content: []byte("x\n")}
	if err := Write(root, []File{f}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "var", "sc", "ifcfg-eth0")); err != nil {
		t.Errorf("not where the kernel finds it: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "etc", "sysconfig", "ifcfg-eth0")); err != nil || string(b) != "x\n" {
		t.Errorf("through the link: %q, %v", b, err)
	}
	// The same shape leading outside is refused.
	outside := t.TempDir()
	os.MkdirAll(filepath.Join(outside, "sub"), 0o755)
	os.MkdirAll(filepath.Join(outside, "sc"), 0o755)
	os.Remove(filepath.Join(root, "etc", "d"))
	os.Symlink(filepath.Join(outside, "sub"), filepath.Join(root, "etc", "d"))
	var pe *PathError
	if err := Write(root, []File{f}, nil); !errors.As(err, &pe) {
		t.Errorf("Write through a link outside: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(outside, "sc")); len(entries) != 0 {
		t.Errorf("written outside: %v", entries)
	}
}

// TestResolveRootSlash checks a resolver for the host's own root, as
// `netrender --root /` makes: links are inside by definition.
func TestResolveRootSlash(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	os.Symlink("real", filepath.Join(dir, "link"))
	res, err := newResolver("/")
	if err != nil {
		t.Fatal(err)
	}
	got, err := res.resolveDir(filepath.Join(dir, "link"))
	if want, _ := filepath.EvalSymlinks(filepath.Join(dir, "real")); err != nil || got != want {
		t.Errorf("resolveDir = %q, %v; want %q", got, err, want)
	}
	if got := res.rel("/etc/hosts"); got != "etc/hosts" {
		t.Errorf("rel = %q", got)
	}
}

// TestWriteSwappedDirectory swaps a directory of the root with a link
// to a directory outside while Write removes a file below it: whatever
// the timing, nothing outside the root is removed or written.
func TestWriteSwappedDirectory(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("a race test: not with -short")
	}
	root, out := t.TempDir(), t.TempDir()
	etc := filepath.Join(root, "etc")
	os.MkdirAll(filepath.Join(out, "network-scripts"), 0o755)
	victim := filepath.Join(out, "network-scripts", "ifcfg-eth1")
	os.WriteFile(victim, []byte(header+"outside\n"), 0o644)
	os.MkdirAll(filepath.Join(etc, "sysconfig", "network-scripts"), 0o755)
	if err := os.Symlink(out, filepath.Join(etc, "swap")); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
			unix.Renameat2(unix.AT_FDCWD, filepath.Join(etc, "sysconfig"), unix.AT_FDCWD, filepath.Join(etc, "swap"), unix.RENAME_EXCHANGE)
		}
	}()
	for range 2000 {
		// Put the stale file back wherever sysconfig is now.
		for _, d := range []string{"sysconfig", "swap"} {
			if fi, err := os.Lstat(filepath.Join(etc, d)); err == nil && fi.IsDir() {
				os.WriteFile(filepath.Join(etc, d, "network-scripts", "ifcfg-eth1"), []byte(header+"in\n"), 0o644)
			}
		}
		Write(root, nil, []string{ifcfgDir + "ifcfg-eth1"})
		if b, err := os.ReadFile(victim); err != nil || string(b) != header+"outside\n" {
			if err == nil && strings.Contains(string(b), "in\n") {
				continue // the put-back above went through the link: not Write's doing
			}
			stop.Store(true)
			<-done
			t.Fatalf("the file outside the root was changed: %q, %v", b, err)
		}
	}
	stop.Store(true)
	<-done
	if entries, _ := os.ReadDir(filepath.Join(out, "network-scripts")); len(entries) != 1 {
		t.Errorf("written outside: %v", entries)
	}
}

// TestResolveEdges covers paths the kernel resolves in ways a textual
// resolver gets wrong, each checked with Write and Diff alike.
func TestResolveEdges(t *testing.T) {
	t.Parallel()
	t.Run("link to a missing directory name", func(t *testing.T) {
		t.Parallel()
		for _, text := range []string{"nx/", "nx/.", "nx//"} {
			root := t.TempDir()
			os.Symlink(text, filepath.Join(root, "l"))
			f := File{Path: "/l", Mode: 0o644, Content: []byte("x\n")}
			for name, err := range map[string]error{"Write": Write(root, []File{f}, nil), "Diff": diffErr(root, f)} {
				if err == nil || !strings.Contains(err.Error(), "leads to a directory name") {
					t.Errorf("%s through l -> %s: %v", name, text, err)
				}
			}
			if _, err := os.Lstat(filepath.Join(root, "nx")); err == nil {
				t.Errorf("l -> %s: nx was created", text)
			}
		}
	})
	t.Run("root named through a link", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		real := filepath.Join(dir, "real")
		os.MkdirAll(filepath.Join(real, "etc"), 0o755)
		os.MkdirAll(filepath.Join(real, "run", "sc"), 0o755)
		alias := filepath.Join(dir, "alias")
		os.Symlink("real", alias)
		// An absolute link back into the root through its other name.
		os.Symlink(filepath.Join(alias, "run", "sc"), filepath.Join(real, "etc", "sysconfig"))
		f := File{Path: "/etc/sysconfig/network", Mode: 0o644, Content: []byte("x\n")}
		if err := Write(alias, []File{f}, nil); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(filepath.Join(real, "run", "sc", "network")); err != nil || string(b) != "x\n" {
			t.Errorf("not written through the link: %q, %v", b, err)
		}
	})
	t.Run("not a regular file", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		os.Mkdir(filepath.Join(root, "etc"), 0o755)
		if err := syscall.Mkfifo(filepath.Join(root, "etc", "hosts"), 0o644); err != nil {
			t.Fatal(err)
		}
		f := File{Path: "/etc/hosts", Mode: 0o644, Content: []byte("x\n")}
		for name, err := range map[string]error{"Write": Write(root, []File{f}, nil), "Diff": diffErr(root, f)} {
			if err == nil || err.Error() != "/etc/hosts: is not a regular file" {
				t.Errorf("%s over a FIFO: %v", name, err)
			}
		}
	})
	t.Run("one file by two names", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		os.Mkdir(filepath.Join(root, "etc"), 0o755)
		os.Symlink("hosts", filepath.Join(root, "etc", "hostname"))
		files := []File{{Path: "/etc/hostname", Mode: 0o644, Content: []byte("a\n")}, {Path: "/etc/hosts", Mode: 0o644, Content: []byte("b\n")}}
		_, derr := Diff(root, files, nil)
		werr := Write(root, files, nil)
		for name, err := range map[string]error{"Write": werr, "Diff": derr} {
			if err == nil || !strings.Contains(err.Error(), "is the same file as") {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}

// diffErr is Diff's error for one file.
func diffErr(root string, f File) error {
	_, err := Diff(root, []File{f}, nil)
	return err
}
