package render

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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

// planned is one file to write or remove, with where it is on the host.
type planned struct {
	File
	target  string   // host path
	missing []string // host paths of the directories to create
	temp    string   // the new content, beside target (relative to the root)
	backup  string   // the old content, beside target (relative to the root)
	existed bool
	kept    bool // the backup could not be put back: it stays
}

// Write writes files below root, each atomically (a temporary file in the
// same directory, synced, then renamed) with its mode, creating missing
// directories (0755), and removes the files remove names (paths seen from
// the root, as [Stale] returns them; one that is gone already, or that
// files writes anyway, is skipped; one that is not a regular file starting
// with netrender's header line, when Write comes to remove it, is an
// error). Nothing is written or removed outside root: a path, or a
// symbolic link already under root, that resolves outside it is a
// *PathError (a link that stays inside keeps working: the file is written
// where it points), and every change goes through an [os.Root], so that a
// link swapped in while Write runs cannot lead it outside either. Write
// checks every file before writing any, and on any error removes what it
// created and puts back what it replaced or removed, so that the root is
// left as it was.
//
// Write is not safe for concurrent use on one root.
func Write(root string, files []File, remove []string) (err error) {
	res, err := newResolver(root)
	if err != nil {
		return err
	}
	plan, removals, err := res.plan(files, remove)
	if err != nil {
		return err
	}
	rt, err := os.OpenRoot(res.root)
	if err != nil {
		return fmt.Errorf("root %s: %w", root, atomicfile.Cause(err))
	}
	defer rt.Close()

	var created []string // directories, in creation order
	renamed, moved := 0, 0
	defer func() {
		if err == nil {
			return
		}
		// Put back what was removed and replaced, newest first. A backup
		// that cannot be put back stays, and the error says where.
		var lost []string
		putBack := func(q *planned) {
			if rerr := rt.Rename(q.backup, res.rel(q.target)); rerr != nil {
				lost = append(lost, q.Path+" is kept as "+res.show(filepath.Join(res.root, q.backup)))
				q.kept = true
				return
			}
			q.backup = ""
		}
		for _, q := range slices.Backward(removals[:moved]) {
			putBack(q)
		}
		for _, q := range slices.Backward(plan[:renamed]) {
			if q.existed {
				putBack(q)
			} else {
				rt.Remove(res.rel(q.target))
			}
		}
		for _, q := range slices.Concat(plan, removals) {
			if q.temp != "" {
				rt.Remove(q.temp)
			}
			if q.backup != "" && !q.kept {
				rt.Remove(q.backup)
			}
		}
		for _, d := range slices.Backward(created) {
			rt.Remove(res.rel(d))
		}
		if len(lost) > 0 {
			err = fmt.Errorf("%w; putting back failed: %s", err, strings.Join(lost, ", "))
		}
	}()
	// Phase 1: directories and temporary files; an empty file beside each
	// file to remove, to move it to.
	for _, p := range plan {
		for _, d := range p.missing {
			if err := rt.Mkdir(res.rel(d), 0o755); err != nil {
				if errors.Is(err, fs.ErrExist) {
					continue // made for an earlier file
				}
				return &PathError{Path: p.Path, Msg: atomicfile.Cause(err).Error()}
			}
			created = append(created, d)
		}
		if p.temp, err = tempBeside(rt, res.rel(p.target), p.Content, p.Mode); err != nil {
			return &PathError{Path: p.Path, Msg: err.Error()}
		}
	}
	for _, p := range removals {
		if p.backup, err = tempBeside(rt, res.rel(p.target), nil, 0o600); err != nil {
			return &PathError{Path: p.Path, Msg: err.Error()}
		}
	}
	// Phase 2: keep what is replaced, rename into place, and move what is
	// removed aside, checking it is still netrender's.
	for _, p := range plan {
		if _, err := rt.Lstat(res.rel(p.target)); err == nil {
			p.existed = true
			p.backup = p.temp + ".old"
			if err := rt.Link(res.rel(p.target), p.backup); err != nil {
				p.backup = ""
				return &PathError{Path: p.Path, Msg: atomicfile.Cause(err).Error()}
			}
		}
	}
	for _, p := range plan {
		if err := rt.Rename(p.temp, res.rel(p.target)); err != nil {
			return &PathError{Path: p.Path, Msg: atomicfile.Cause(err).Error()}
		}
		p.temp = ""
		renamed++
	}
	for _, p := range removals {
		if err := rt.Rename(res.rel(p.target), p.backup); err != nil {
			return &PathError{Path: p.Path, Msg: atomicfile.Cause(err).Error()}
		}
		moved++
		if ours, err := rootHasHeader(rt, p.backup); err != nil || !ours {
			return &PathError{Path: p.Path, Msg: "changed while netrender ran: not removed"}
		}
	}
	dirs := map[string]bool{}
	for _, p := range slices.Concat(plan, removals) {
		if p.backup != "" {
			rt.Remove(p.backup)
		}
		dirs[res.rel(filepath.Dir(p.target))] = true
	}
	for d := range dirs {
		if f, err := rt.Open(d); err == nil {
			f.Sync()
			f.Close()
		}
	}
	return nil
}

// plan resolves the files to write and to remove.
func (res *resolver) plan(files []File, remove []string) (plan, removals []*planned, err error) {
	plan = make([]*planned, len(files))
	seen := map[string]string{}
	for i, f := range files {
		if f.Mode&^fs.ModePerm != 0 {
			return nil, nil, &PathError{Path: f.Path, Msg: fmt.Sprintf("mode %v is not permission bits", f.Mode)}
		}
		target, missing, err := res.resolve(f.Path)
		if err != nil {
			return nil, nil, err
		}
		if other, dup := seen[target]; dup {
			return nil, nil, &PathError{Path: f.Path, Msg: "is the same file as " + other}
		}
		seen[target] = f.Path
		plan[i] = &planned{File: f, target: target, missing: missing}
	}
	for _, p := range remove {
		target, err := res.resolveEntry(p)
		if err != nil {
			return nil, nil, err
		}
		if _, written := seen[target]; written {
			continue
		}
		fi, err := os.Lstat(target)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, &PathError{Path: p, Msg: atomicfile.Cause(err).Error()}
		}
		if !fi.Mode().IsRegular() {
			return nil, nil, &PathError{Path: p, Msg: "is not a regular file: not removed"}
		}
		seen[target] = p
		removals = append(removals, &planned{File: File{Path: p}, target: target, existed: true})
	}
	return plan, removals, nil
}

// tempBeside writes content with mode to a new file beside name (both
// relative to rt), synced and closed, and returns its name. Its name
// holds [atomicfile.TempMarker].
func tempBeside(rt *os.Root, name string, content []byte, mode fs.FileMode) (string, error) {
	dir, base := filepath.Split(name)
	for {
		temp := dir + "." + base + atomicfile.TempMarker + strconv.FormatUint(rand.Uint64(), 36)
		f, err := rt.OpenFile(temp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", atomicfile.Cause(err)
		}
		if err := atomicfile.Fill(f, content, mode); err != nil {
			rt.Remove(temp)
			return "", err
		}
		return temp, nil
	}
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
	plan, removals, err := res.plan(files, remove)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range plan {
		old, mode, err := readWithMode(p.target)
		exists := err == nil
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", &PathError{Path: p.Path, Msg: atomicfile.Cause(err).Error()}
		}
		if exists && mode != p.Mode.Perm() {
			fmt.Fprintf(&b, "mode %s: %04o -> %04o\n", p.Path, uint32(mode), uint32(p.Mode.Perm()))
		}
		from := "a" + p.Path
		if !exists {
			from = "/dev/null"
		}
		b.WriteString(unifiedDiff(from, "b"+p.Path, string(old), string(p.Content)))
	}
	for _, p := range removals {
		old, err := os.ReadFile(p.target)
		if err != nil {
			return "", &PathError{Path: p.Path, Msg: atomicfile.Cause(err).Error()}
		}
		b.WriteString(unifiedDiff("a"+p.Path, "/dev/null", string(old), ""))
	}
	return b.String(), nil
}

// readWithMode returns a file's content and permission bits, from one
// open.
func readWithMode(name string) ([]byte, fs.FileMode, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	b, err := io.ReadAll(f)
	return b, fi.Mode().Perm(), err
}
