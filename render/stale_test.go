package render

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
		"ifcfg-eth0":   ours,
		"ifcfg-eth0:1": ours, // an alias of a removed address
		"ifcfg-eth1":   ours, // a removed interface
		"route-eth1":   "# Written by netrender.\n10.0.0.0/8 dev eth1\n",
		"rule6-eth1":   "# Written by netrender.\nto ::/0 table 7\n",
		"ifcfg-lo":     "DEVICE=lo\n",                          // the distribution's
		"ifcfg-eth2":   "# Edited.\n# Written by netrender.\n", // not ours any more
		"ifcfg-eth3":   "# Written by netrender.",              // cut short: not the header
		"README":       ours,                                   // not a name ifcfg writes
		"ifup-local":   ours,
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
	after := readAll(t, root)
	if len(after) != len(before) {
		t.Errorf("root after a failed write:\n%v\nwant:\n%v", after, before)
	}
	for p, c := range before {
		if after[p] != c {
			t.Errorf("%s: %q, want %q", p, after[p], c)
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
