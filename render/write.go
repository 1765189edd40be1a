package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netplumb/netplumb/internal/atomicfile"
)

// PathError is a file that cannot be written where it must go: a path
// that is not absolute and clean, or that resolves (through a symbolic
// link already under the root) outside the root, or to a directory.
type PathError struct {
	Path string
	Msg  string
}

func (e *PathError) Error() string { return e.Path + ": " + e.Msg }

// maxLinks bounds the symbolic links followed to resolve one path.
const maxLinks = 40

// resolver resolves paths below a root the way the host would, refusing
// any that leave the root.
type resolver struct {
	root string // absolute, symbolic links resolved
}

func newResolver(root string) (*resolver, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", root, atomicfile.Cause(err))
	}
	fi, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", root, atomicfile.Cause(err))
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("root %s: not a directory", root)
	}
	return &resolver{root: real}, nil
}

func (r *resolver) inside(p string) bool {
	return p == r.root || strings.HasPrefix(p, r.root+string(filepath.Separator))
}

// resolve returns where the file path (absolute, seen from the root)
// really is on the host, following existing symbolic links as the host
// would, and the directories that do not exist yet and must be created,
// outermost first. A link that leads outside the root is a *PathError.
func (r *resolver) resolve(path string) (target string, missing []string, err error) {
	return r.walk(path, false)
}

// resolveDir returns where the directory path (absolute, seen from the
// root) really is on the host, as resolve does for a file; it may not
// exist yet.
func (r *resolver) resolveDir(path string) (string, error) {
	target, _, err := r.walk(path, true)
	return target, err
}

// resolveEntry returns where the directory entry path (absolute, seen
// from the root) is on the host: its directory resolved, its own name
// not, so that a symbolic link there is the link itself.
func (r *resolver) resolveEntry(p string) (string, error) {
	if !filepath.IsAbs(p) || filepath.Clean(p) != p || p == "/" {
		return "", &PathError{Path: p, Msg: "not an absolute, clean file path"}
	}
	dir, err := r.resolveDir(filepath.Dir(p))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(p)), nil
}

// walk is resolve, for a directory when dir is set.
func (r *resolver) walk(path string, dir bool) (target string, missing []string, err error) {
	if !filepath.IsAbs(path) || filepath.Clean(path) != path || path == "/" && !dir {
		return "", nil, &PathError{Path: path, Msg: "not an absolute, clean file path"}
	}
	if path == "/" {
		return r.root, nil, nil
	}
	rest := strings.Split(strings.TrimPrefix(path, "/"), "/")
	cur := r.root
	links := 0
	for len(rest) > 0 {
		comp := rest[0]
		rest = rest[1:]
		if comp == ".." {
			cur = filepath.Dir(cur)
			if !r.inside(cur) {
				return "", nil, &PathError{Path: path, Msg: "resolves outside the root"}
			}
			continue
		}
		next := filepath.Join(cur, comp)
		fi, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			// Nothing from here on exists: it will be created.
			for i := range len(rest) {
				if i == 0 {
					missing = append(missing, next)
				}
				next = filepath.Join(next, rest[i])
				if i < len(rest)-1 {
					missing = append(missing, next)
				}
			}
			if len(rest) == 0 {
				return next, nil, nil
			}
			return next, missing, nil
		}
		if err != nil {
			return "", nil, &PathError{Path: path, Msg: atomicfile.Cause(err).Error()}
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			if links++; links > maxLinks {
				return "", nil, &PathError{Path: path, Msg: "too many symbolic links"}
			}
			link, err := os.Readlink(next)
			if err != nil {
				return "", nil, &PathError{Path: path, Msg: atomicfile.Cause(err).Error()}
			}
			var dest string
			if filepath.IsAbs(link) {
				dest = filepath.Clean(link)
			} else {
				dest = filepath.Join(cur, link)
			}
			if !r.inside(dest) {
				return "", nil, &PathError{Path: path, Msg: fmt.Sprintf("symbolic link %s points outside the root (to %s)",
					strings.TrimPrefix(next, r.root), link)}
			}
			// Continue from the link's destination.
			rel := strings.TrimPrefix(strings.TrimPrefix(dest, r.root), "/")
			var parts []string
			if rel != "" {
				parts = strings.Split(rel, "/")
			}
			rest = append(parts, rest...)
			cur = r.root
			continue
		}
		if len(rest) > 0 && !fi.IsDir() {
			return "", nil, &PathError{Path: path, Msg: strings.TrimPrefix(next, r.root) + " is not a directory"}
		}
		if len(rest) == 0 && fi.IsDir() != dir {
			if dir {
				return "", nil, &PathError{Path: path, Msg: "is not a directory"}
			}
			return "", nil, &PathError{Path: path, Msg: "is a directory"}
		}
		cur = next
	}
	return cur, nil, nil
}

// planned is one file with where it goes.
type planned struct {
	File
	target  string
	missing []string
	temp    string
	backup  string
	existed bool
}

// Write writes files below root, each atomically (a temporary file in the
// same directory, synced, then renamed) with its mode, creating missing
// directories (0755), and removes the files remove names (paths seen from
// the root, as [Stale] returns them; one that is gone already, or that
// files writes anyway, is skipped). Nothing is written outside root: a
// path, or a symbolic link already under root, that resolves outside it
// is a *PathError (a link that stays inside keeps working: the file is
// written where it points). Write checks every file before writing any,
// and on any error removes what it created and puts back what it replaced
// or removed, so that the root is left as it was.
//
// Write is not safe for concurrent use on one root.
func Write(root string, files []File, remove []string) (err error) {
	res, err := newResolver(root)
	if err != nil {
		return err
	}
	plan := make([]*planned, len(files))
	seen := map[string]string{}
	for i, f := range files {
		if f.Mode&^fs.ModePerm != 0 {
			return &PathError{Path: f.Path, Msg: fmt.Sprintf("mode %v is not permission bits", f.Mode)}
		}
		target, missing, err := res.resolve(f.Path)
		if err != nil {
			return err
		}
		if other, dup := seen[target]; dup {
			return &PathError{Path: f.Path, Msg: "is the same file as " + other}
		}
		seen[target] = f.Path
		plan[i] = &planned{File: f, target: target, missing: missing}
	}
	var removals []*planned
	for _, p := range remove {
		target, err := res.resolveEntry(p)
		if err != nil {
			return err
		}
		if _, written := seen[target]; written {
			continue
		}
		fi, err := os.Lstat(target)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return &PathError{Path: p, Msg: atomicfile.Cause(err).Error()}
		}
		if !fi.Mode().IsRegular() {
			return &PathError{Path: p, Msg: "is not a regular file: not removed"}
		}
		seen[target] = p
		removals = append(removals, &planned{File: File{Path: p}, target: target})
	}

	var created []string // directories, in creation order
	renamed, moved := 0, 0
	defer func() {
		if err == nil {
			return
		}
		// Put back what was replaced and removed, newest first.
		for _, q := range slices.Backward(removals[:moved]) {
			os.Rename(q.backup, q.target)
		}
		for _, q := range slices.Backward(plan[:renamed]) {
			if q.existed {
				os.Rename(q.backup, q.target)
			} else {
				os.Remove(q.target)
			}
		}
		for _, q := range slices.Concat(plan, removals) {
			if q.temp != "" {
				os.Remove(q.temp)
			}
			if q.backup != "" {
				os.Remove(q.backup)
			}
		}
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i])
		}
	}()
	// Phase 1: directories and temporary files; a place beside each file
	// to remove.
	for _, p := range plan {
		for _, d := range p.missing {
			if err := os.Mkdir(d, 0o755); err != nil {
				if errors.Is(err, fs.ErrExist) {
					continue // made for an earlier file
				}
				return &PathError{Path: p.Path, Msg: atomicfile.Cause(err).Error()}
			}
			created = append(created, d)
		}
		if p.temp, err = atomicfile.Temp(p.target, p.Content, p.Mode); err != nil {
			return &PathError{Path: p.Path, Msg: err.Error()}
		}
	}
	for _, p := range removals {
		if p.backup, err = atomicfile.Temp(p.target, nil, 0o600); err != nil {
			return &PathError{Path: p.Path, Msg: err.Error()}
		}
	}
	// Phase 2: keep what is replaced, then rename into place and move
	// what is removed aside.
	for _, p := range plan {
		if _, err := os.Lstat(p.target); err == nil {
			p.existed = true
			p.backup = p.temp + ".old"
			if err := os.Link(p.target, p.backup); err != nil {
				return &PathError{Path: p.Path, Msg: atomicfile.Cause(err).Error()}
			}
		}
	}
	for _, p := range plan {
		if err := os.Rename(p.temp, p.target); err != nil {
			return &PathError{Path: p.Path, Msg: atomicfile.Cause(err).Error()}
		}
		p.temp = ""
		renamed++
	}
	for _, p := range removals {
		if err := os.Rename(p.target, p.backup); err != nil {
			return &PathError{Path: p.Path, Msg: atomicfile.Cause(err).Error()}
		}
		moved++
	}
	dirs := map[string]bool{}
	for _, p := range slices.Concat(plan, removals) {
		if p.backup != "" {
			os.Remove(p.backup)
		}
		dirs[filepath.Dir(p.target)] = true
	}
	for d := range dirs {
		atomicfile.SyncDir(d)
	}
	return nil
}

// Diff returns a unified diff of what [Write] would change under root:
// for each file, its current content (none when it does not exist)
// against the new one, and a line for a mode that changes; then each
// file to remove against nothing. It returns "" when nothing would
// change, and the same *PathError as Write for paths that resolve outside
// the root.
//
// Diff is safe for concurrent use.
func Diff(root string, files []File, remove []string) (string, error) {
	res, err := newResolver(root)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, f := range files {
		target, _, err := res.resolve(f.Path)
		if err != nil {
			return "", err
		}
		old, err := os.ReadFile(target)
		exists := err == nil
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", &PathError{Path: f.Path, Msg: atomicfile.Cause(err).Error()}
		}
		if exists {
			if fi, err := os.Stat(target); err == nil && fi.Mode().Perm() != f.Mode.Perm() {
				fmt.Fprintf(&b, "mode %s: %04o -> %04o\n", f.Path, uint32(fi.Mode().Perm()), uint32(f.Mode.Perm()))
			}
		}
		from := "a" + f.Path
		if !exists {
			from = "/dev/null"
		}
		b.WriteString(unifiedDiff(from, "b"+f.Path, string(old), string(f.Content)))
	}
	for _, p := range remove {
		target, err := res.resolveEntry(p)
		if err != nil {
			return "", err
		}
		if fi, err := os.Lstat(target); err == nil && !fi.Mode().IsRegular() {
			return "", &PathError{Path: p, Msg: "is not a regular file: not removed"}
		}
		old, err := os.ReadFile(target)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", &PathError{Path: p, Msg: atomicfile.Cause(err).Error()}
		}
		b.WriteString(unifiedDiff("a"+p, "/dev/null", string(old), ""))
	}
	return b.String(), nil
}
