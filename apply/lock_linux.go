package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/netplumb/netplumb/internal/flock"
)

// LockPath is the lock file of a namespace: /run/netapplyctl.lock for the
// host's, /run/netapplyctl-NAME.lock for a named one, below runDir.
func LockPath(runDir, netnsName string) string {
	if netnsName == "" {
		return filepath.Join(runDir, "netapplyctl.lock")
	}
	return filepath.Join(runDir, "netapplyctl-"+netnsName+".lock")
}

// Lock takes an exclusive lock on path (created if missing), waiting until
// it is free or ctx is done, so that concurrent applies to one namespace
// run one after the other. The lock goes with the process if it dies.
// unlock releases it.
func Lock(ctx context.Context, path string) (unlock func() error, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := flock.Lock(ctx, f); err != nil {
		f.Close()
		if errors.Is(err, flock.ErrBusy) {
			return nil, fmt.Errorf("lock %s: another netapplyctl holds it: %w", path, context.Cause(ctx))
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() error {
		defer f.Close()
		return flock.Unlock(f)
	}, nil
}
