//go:build !linux

package cli

import (
	"io"
	"os"
)

// isTerminal reports whether r is a character device, the closest portable
// test for a terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && f.Name() != os.DevNull
}
