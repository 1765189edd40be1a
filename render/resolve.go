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

// inside reports whether the host path p is the root or below it.
func (r *resolver) inside(p string) bool {
	return r.root == "/" || p == r.root || strings.HasPrefix(p, r.root+"/")
}

// rel returns the host path p, which is inside the root, relative to it.
func (r *resolver) rel(p string) string {
	if p == r.root {
		return "."
	}
	if r.root == "/" {
		return strings.TrimPrefix(p, "/")
	}
	return strings.TrimPrefix(p, r.root+"/")
}

// show returns the host path p as seen from the root when it is inside,
// for messages; else p.
func (r *resolver) show(p string) string {
	if !r.inside(p) {
		return p
	}
	return "/" + strings.TrimPrefix(r.rel(p), ".")
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

// walk is resolve, for a directory when dir is set. It follows the path
// one component at a time as the kernel does: a link's text continues
// the walk from the link's directory (or from the host's / when it is
// absolute), and ".." goes up from where the walk really is, so that a
// link through which ".." leads elsewhere than its text suggests is
// followed where the kernel would follow it. The walk may pass outside
// the root on its way (an absolute link's first steps, a link naming the
// root through another name for it, such as a link to it): only reading
// there, it must end inside, and every directory to create must be
// inside. An existing target that is not a regular file (a FIFO, a
// device) is refused, and so is a link to a missing file whose text ends
// in "/" or "/." (the kernel wants a directory there).
func (r *resolver) walk(path string, dir bool) (target string, missing []string, err error) {
	if !filepath.IsAbs(path) || filepath.Clean(path) != path || path == "/" && !dir {
		return "", nil, &PathError{Path: path, Msg: "not an absolute, clean file path"}
	}
	rest := strings.Split(strings.TrimPrefix(path, "/"), "/")
	cur := r.root
	links := 0
	var link, text string // the last link followed, for messages
	outside := func() error {
		if link == "" {
			return &PathError{Path: path, Msg: "resolves outside the root"}
		}
		return &PathError{Path: path, Msg: fmt.Sprintf("symbolic link %s points outside the root (to %s)", link, text)}
	}
	for len(rest) > 0 {
		comp := rest[0]
		rest = rest[1:]
		switch comp {
		case "", ".":
			continue
		case "..":
			if cur != "/" {
				cur = filepath.Dir(cur)
			}
			continue
		}
		next := filepath.Join(cur, comp)
		fi, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			if !r.inside(next) {
				return "", nil, outside()
			}
			if n := len(rest); !dir && (n > 0 && (rest[n-1] == "" || rest[n-1] == ".")) {
				return "", nil, &PathError{Path: path, Msg: fmt.Sprintf("symbolic link %s leads to a directory name (%s) that does not exist", link, text)}
			}
			// Nothing from here on exists: it will be created.
			for _, c := range rest {
				if c == ".." {
					return "", nil, &PathError{Path: path, Msg: "a symbolic link leads to .. below a directory that does not exist"}
				}
				if c == "" || c == "." {
					continue
				}
				missing = append(missing, next)
				next = filepath.Join(next, c)
			}
			if dir {
				missing = append(missing, next)
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
			t, err := os.Readlink(next)
			if err != nil {
				return "", nil, &PathError{Path: path, Msg: atomicfile.Cause(err).Error()}
			}
			link, text = next, t
			if r.inside(next) {
				link = r.show(next)
			}
			if filepath.IsAbs(t) {
				cur = "/"
			}
			rest = append(strings.Split(t, "/"), rest...)
			continue
		}
		if len(rest) > 0 && !fi.IsDir() {
			return "", nil, &PathError{Path: path, Msg: r.show(next) + " is not a directory"}
		}
		cur = next
	}
	switch {
	case !r.inside(cur):
		return "", nil, outside()
	case dir:
		if fi, err := os.Stat(cur); err == nil && !fi.IsDir() {
			return "", nil, &PathError{Path: path, Msg: "is not a directory"}
		}
	case cur == r.root:
		return "", nil, &PathError{Path: path, Msg: "is a directory"}
	default:
		if fi, err := os.Stat(cur); err == nil && fi.IsDir() {
			return "", nil, &PathError{Path: path, Msg: "is a directory"}
		} else if err == nil && !fi.Mode().IsRegular() {
			return "", nil, &PathError{Path: path, Msg: "is not a regular file"}
		}
	}
	return cur, nil, nil
}
