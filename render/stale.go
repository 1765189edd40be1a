package render

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netplumb/netplumb/internal/atomicfile"
)

// header is the first line of every file netrender writes but
// /etc/hostname: it marks the file as netrender's to replace, or to
// remove when a later state no longer has it (see [Stale]).
const header = "# Written by netrender.\n"

// owned returns the directory where r writes a file per interface (and
// per route, rule and alias file), and the patterns of those files'
// names; "" for renderers that write fixed paths only.
func owned(r Renderer) (dir string, patterns []string) {
	switch r.(type) {
	case Ifcfg:
		return ifcfgDir, []string{"ifcfg-?*", "route-?*", "route6-?*", "rule-?*", "rule6-?*"}
	case Keyfile:
		return keyfileDir, []string{"?*.nmconnection"}
	case Networkd:
		return networkdDir, []string{"10-netplumb-?*.link", "20-netplumb-?*.netdev", "30-netplumb-?*.network"}
	}
	return "", nil
}

// ignoredSuffixes end the names of copies that initscripts and
// NetworkManager skip when they read their directories: an
// administrator's backups and a package manager's leftovers. They are
// not netrender's, whatever their first line.
var ignoredSuffixes = []string{"~", ".bak", ".old", ".orig", ".rej", ".swp", ".tmp", ".rpmnew", ".rpmorig", ".rpmsave", ".dpkg-old", ".dpkg-new", ".dpkg-dist", ".dpkg-bak"}

// ownedName reports whether name is one of patterns and not a copy.
func ownedName(name string, patterns []string) bool {
	if strings.HasPrefix(name, ".") || slices.ContainsFunc(ignoredSuffixes, func(s string) bool { return strings.HasSuffix(name, s) }) {
		return false
	}
	return slices.ContainsFunc(patterns, func(p string) bool {
		ok, _ := path.Match(p, name)
		return ok
	})
}

// Stale returns the files r wrote under root for an earlier state that
// files no longer has, as paths seen from the root, sorted: the regular
// files in r's own directory (the ifcfg, NetworkManager or
// systemd-networkd directory), named as r names its files (and not as a
// backup copy of one: ifcfg-eth0.bak, ~, .orig, .rpmsave, ...), whose
// first line is netrender's header and which files does not write. Left alone
// are every file without the header, so the distribution's and the
// administrator's own, and the fixed paths (/etc/hosts, /etc/resolv.conf,
// netplan's and ifupdown's single files), which a later state replaces or
// leaves. [Write] and [Diff] take the list as the files to remove.
//
// Stale is safe for concurrent use.
func Stale(root string, r Renderer, files []File) ([]string, error) {
	dir, patterns := owned(r)
	if dir == "" {
		return nil, nil
	}
	res, err := newResolver(root)
	if err != nil {
		return nil, err
	}
	dir = path.Clean(dir)
	real, err := res.resolveDir(dir)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(real)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &PathError{Path: dir, Msg: atomicfile.Cause(err).Error()}
	}
	rt, err := os.OpenRoot(res.root)
	if err != nil {
		return nil, err
	}
	defer rt.Close()
	written := map[string]bool{}
	for _, f := range files {
		if target, _, err := res.resolve(f.Path); err == nil {
			written[target] = true
		}
	}
	var stale []string
	for _, e := range entries {
		name := e.Name()
		target := filepath.Join(real, name)
		if !e.Type().IsRegular() || written[target] || !ownedName(name, patterns) {
			continue
		}
		ours, err := rootHasHeader(rt, res.rel(target))
		if err != nil {
			return nil, &PathError{Path: path.Join(dir, name), Msg: atomicfile.Cause(err).Error()}
		}
		if ours {
			stale = append(stale, path.Join(dir, name))
		}
	}
	return stale, nil
}

// rootHasHeader reports whether the file name (relative to rt) starts
// with netrender's header.
func rootHasHeader(rt *os.Root, name string) (bool, error) {
	f, err := rt.Open(name)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, len(header))
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	return bytes.Equal(buf[:n], []byte(header)), nil
}
