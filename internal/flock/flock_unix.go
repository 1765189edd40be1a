//go:build unix

// Package flock takes an exclusive flock(2) on an open file, waiting for
// it while a context lasts: netapplyctl's per-namespace lock file and
// netrender's root directory are taken with it. A lock goes with the
// process if it dies.
package flock

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// poll is how often a waiting taker tries again. flock has no timeout,
// and a blocked flock call cannot be cancelled, so Lock polls.
const poll = 20 * time.Millisecond

// ErrBusy is what Lock's error wraps beside the context's cause when ctx
// ended while another process held the lock.
var ErrBusy = errors.New("held by another process")

// Lock takes an exclusive lock on f, trying again until it is free or ctx
// is done. The lock lasts until f is closed (or Unlock).
func Lock(ctx context.Context, f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			return err
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(ErrBusy, context.Cause(ctx))
		case <-t.C:
		}
	}
}

// Unlock releases the lock on f.
func Unlock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
