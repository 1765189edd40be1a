package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrTerminal is returned when a command would read its document from a
// terminal: it fails at once with a hint instead of waiting for input.
var ErrTerminal = errors.New("stdin is a terminal: give a FILE argument or pipe a document in")

// ReadInput reads a whole input document: the named file, or stdin when
// name is "" or "-". It returns an error with exit status 2 wrapping
// [ErrTerminal] when stdin is a terminal, and one with status 2 naming the
// file when it cannot be read because it does not exist or is a directory
// (1 for other I/O errors).
//
// ReadInput is safe for concurrent use on different readers.
func ReadInput(name string, stdin io.Reader) ([]byte, error) {
	if name == "" || name == "-" {
		if isTerminal(stdin) {
			return nil, BadInput(ErrTerminal)
		}
		data, err := readAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("reading stdin: %w", err)
		}
		return data, nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("%s: %w", name, pe.Err)
		}
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || isDirErr(name) {
			return nil, BadInput(err)
		}
		return nil, err
	}
	return data, nil
}

func isDirErr(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.IsDir()
}

// readAll reads r to the end. When r is a regular file (stdin redirected
// from a file), the buffer is sized once from the file's size: states run
// to tens of megabytes, and growing a buffer by doubling touches twice the
// memory, which costs more than the reading on machines where page faults
// are slow.
func readAll(r io.Reader) ([]byte, error) {
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if off, err := f.Seek(0, io.SeekCurrent); err == nil && fi.Size() > off {
				buf := make([]byte, 0, fi.Size()-off+512)
				for {
					n, err := f.Read(buf[len(buf):cap(buf)])
					buf = buf[:len(buf)+n]
					if err == io.EOF {
						return buf, nil
					}
					if err != nil {
						return nil, err
					}
					if len(buf) == cap(buf) {
						buf = append(buf, 0)[:len(buf)]
					}
				}
			}
		}
	}
	return io.ReadAll(r)
}
