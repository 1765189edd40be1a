//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netplumb/netplumb/internal/flock"
)

// TestRootLock holds the root's lock as another netrender run would and
// checks that a run into the root waits for it, and that a dry run does
// not.
func TestRootLock(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	state := "interfaces:\n- {name: eth0, type: ethernet, ipv4: {enabled: true, dhcp: true}}\n"
	release := holdRoot(t, root)
	runIn := func(args ...string) chan int {
		done := make(chan int, 1)
		go func() {
			var stderr bytes.Buffer
			done <- run(context.Background(), args, strings.NewReader(state), new(bytes.Buffer), &stderr)
			if stderr.Len() > 0 {
				t.Errorf("stderr: %s", &stderr)
			}
		}()
		return done
	}
	if code := <-runIn("--os", "debian-12", "--root", root, "--dry-run"); code != 0 {
		t.Fatalf("dry run: exit %d", code)
	}
	done := runIn("--os", "debian-12", "--root", root)
	select {
	case code := <-done:
		t.Fatalf("the run did not wait for the lock (exit %d)", code)
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := os.Stat(filepath.Join(root, "etc", "network", "interfaces")); err == nil {
		t.Fatal("written while the lock was held")
	}
	release()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not go on once the lock was released")
	}
	if _, err := os.Stat(filepath.Join(root, "etc", "network", "interfaces")); err != nil {
		t.Fatal(err)
	}
	// A run that waits gives up when it is interrupted.
	defer holdRoot(t, root)()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var stderr bytes.Buffer
	if code := run(ctx, []string{"--os", "debian-12", "--root", root}, strings.NewReader(state), new(bytes.Buffer), &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "waiting for another netrender: context deadline exceeded") {
		t.Errorf("exit %d, stderr %q", code, &stderr)
	}
}

// holdRoot takes the lock on root as another netrender run would, and
// returns its release.
func holdRoot(t *testing.T, root string) func() {
	t.Helper()
	f, err := os.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := flock.Lock(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	return func() { f.Close() }
}
