// Package atomicfile writes files so that a reader sees the old content or
// the new, never half of it, and a crash leaves no half-written file: the
// content goes to a temporary file beside the target, is synced, and is
// renamed over it. The capture cache, netrender's files and netapplyctl's
// resolv.conf are written with it.
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// TempMarker is in the name of every temporary file this package makes
// (".NAME.tmp-RANDOM"), for tests that check none is left behind.
const TempMarker = ".tmp-"

// Temp writes content with mode to a new temporary file in target's
// directory, synced and closed, and returns its name. On failure it
// removes the file and returns the cause without the temporary name.
func Temp(target string, content []byte, mode fs.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+TempMarker+"*")
	if err != nil {
		return "", Cause(err)
	}
	if err := Fill(f, content, mode); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// Fill gives the new file f mode and content, syncs it and closes it. It
// returns the cause of a failure, without the file's name; f is closed
// either way.
func Fill(f *os.File, content []byte, mode fs.FileMode) error {
	err := f.Chmod(mode)
	if err == nil {
		_, err = f.Write(content)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return Cause(err)
}

// Write replaces path with content and mode: a temporary file renamed over
// it, then the directory synced so that the rename lasts. A symbolic link
// at path is replaced, not followed; callers that mean to follow it
// resolve path first. Errors are the cause, without file names: callers
// name path.
func Write(path string, content []byte, mode fs.FileMode) error {
	temp, err := Temp(path, content, mode)
	if err != nil {
		return err
	}
	if err := os.Rename(temp, path); err != nil {
		os.Remove(temp)
		return Cause(err)
	}
	SyncDir(filepath.Dir(path))
	return nil
}

// SyncDir makes renames in dir durable. A failure loses nothing written,
// so it is not reported.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Cause drops the file names an *fs.PathError or *os.LinkError carries,
// for messages that name the file themselves (and not a temporary one).
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
