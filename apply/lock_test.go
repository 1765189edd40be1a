package apply

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "run", "netapplyctl.lock")
	unlock, err := Lock(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	// A second taker waits, and gives up when its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, path); err == nil || !strings.Contains(err.Error(), "another netapplyctl holds it") {
		t.Fatalf("second Lock: %v", err)
	}
	// Once released, a waiting taker gets it.
	got := make(chan error, 1)
	go func() {
		u, err := Lock(context.Background(), path)
		if err == nil {
			u()
		}
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting taker never got the lock")
	}
	if LockPath("/run", "") != "/run/netapplyctl.lock" || LockPath("/run", "ns1") != "/run/netapplyctl-ns1.lock" {
		t.Error("LockPath")
	}
}
