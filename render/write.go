package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	if !filepath.IsAbs(path) || filepath.Clean(path) != path || path == "/" {
		return "", nil, &PathError{Path: path, Msg: "not an absolute, clean file path"}
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
		if len(rest) == 0 && fi.IsDir() {
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
// directories (0755). Nothing is written outside root: a path, or a
// symbolic link already under root, that resolves outside it is a
// *PathError (a link that stays inside keeps working: the file is written
// where it points). Write checks every file before writing any, and on
// any error removes what it created and puts back what it replaced, so
// that the root is left as it was.
//
// Write is not safe for concurrent use on one root.
func Write(root string, files []File) (err error) {
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

	var created []string // directories, in creation order
	defer func() {
		if err == nil {
			return
		}
		for _, p := range plan {
			if p.temp != "" {
				os.Remove(p.temp)
			}
		}
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i])
		}
	}()
	// Phase 1: directories and temporary files.
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
	// Phase 2: keep what is replaced, then rename into place.
	for _, p := range plan {
		if _, err := os.Lstat(p.target); err == nil {
			p.existed = true
			p.backup = p.temp + ".old"
			if err := os.Link(p.target, p.backup); err != nil {
				return &PathError{Path: p.Path, Msg: atomicfile.Cause(err).Error()}
			}
		}
	}
	for i, p := range plan {
		if err := os.Rename(p.temp, p.target); err != nil {
			for _, q := range plan[:i] {
				if q.existed {
					os.Rename(q.backup, q.target)
				} else {
					os.Remove(q.target)
				}
			}
			for _, q := range plan {
				if q.backup != "" {
					os.Remove(q.backup)
				}
			}
			return &PathError{Path: p.Path, Msg: atomicfile.Cause(err).Error()}
		}
		p.temp = ""
	}
	dirs := map[string]bool{}
	for _, p := range plan {
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
// against the new one, and a line for a mode that changes. It returns ""
// when nothing would change, and the same *PathError as Write for paths
// that resolve outside the root.
//
// Diff is safe for concurrent use.
func Diff(root string, files []File) (string, error) {
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
	return b.String(), nil
}
