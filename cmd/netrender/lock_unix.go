//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/netplumb/netplumb/internal/atomicfile"
)

// lockRoot takes an exclusive lock on the root directory for a run that
// writes into it, so that two netrender runs on one root take turns: one's
// list of stale files could otherwise name a file the other just wrote.
// It waits for the lock until ctx ends, and returns the release.
func lockRoot(ctx context.Context, root string) (func(), error) {
	f, err := os.Open(root)
	if err != nil {
		return nil, fmt.Errorf("root %s: %w", root, atomicfile.Cause(err))
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("root %s: lock: %w", root, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("root %s: waiting for another netrender: %w", root, context.Cause(ctx))
		case <-time.After(20 * time.Millisecond):
		}
	}
}
