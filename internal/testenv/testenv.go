// Package testenv holds what tests across netplumb share about their
// environment: where ../shared is, and whether CI requires what a test
// needs, so that a test skips with a message on a developer's machine but
// fails in CI.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// InCI reports whether the tests run under .ci/run, which sets
// NETPLUMB_CI=1: there, a test that cannot run must fail, not skip.
func InCI() bool { return os.Getenv("NETPLUMB_CI") == "1" }

// SkipOrFail skips the test with the reason, or fails it in CI.
func SkipOrFail(t testing.TB, reason string) {
	t.Helper()
	if InCI() {
		t.Fatalf("cannot run in CI: %s", reason)
	}
	t.Skip(reason)
}

// ModuleRoot returns the directory holding go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
}

// SharedDir returns a directory under ../shared (beside the repository),
// or the directory the environment variable env names. When it is absent
// the test skips with a message, and fails in CI.
func SharedDir(t testing.TB, env, sub string) string {
	t.Helper()
	dir := os.Getenv(env)
	if dir == "" {
		dir = filepath.Join(ModuleRoot(t), "..", "shared", sub)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		SkipOrFail(t, dir+" is absent (set "+env+" to point elsewhere)")
	}
	return dir
}
