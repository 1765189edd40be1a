//go:build !unix

package flock

import (
	"context"
	"errors"
	"os"
)

// ErrBusy is what Lock's error wraps when another process holds the lock.
var ErrBusy = errors.New("held by another process")

// Lock does nothing where there is no flock: takers must not overlap.
func Lock(context.Context, *os.File) error { return nil }

// Unlock does nothing where there is no flock.
func Unlock(*os.File) error { return nil }
