package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/netplumb/netplumb/internal/testenv"
)

// TestExamples runs every policy under examples/policies: each directory
// holds policy.yaml, current.yaml and the expected.yaml it generates
// (rewritten by -update), and optionally cache-in.yaml.
func TestExamples(t *testing.T) {
	root := filepath.Join(testenv.ModuleRoot(t), "examples", "policies")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		n++
		dir := filepath.Join(root, d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			t.Parallel()
			args := []string{"gen", filepath.Join(dir, "policy.yaml"), "-s", filepath.Join(dir, "current.yaml"),
				"-c", filepath.Join(t.TempDir(), "cache.yaml")}
			if _, err := os.Stat(filepath.Join(dir, "cache-in.yaml")); err == nil {
				args = append(args, "-i", filepath.Join(dir, "cache-in.yaml"))
			}
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), args, bytes.NewReader(nil), &stdout, &stderr); code != 0 {
				t.Fatalf("exit status %d: %s", code, stderr.String())
			}
			want := filepath.Join(dir, "expected.yaml")
			if *testenv.Update {
				if err := os.WriteFile(want, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got, exp := stdout.String(), string(readFile(t, want)); got != exp {
				t.Errorf("gen %s:\n got:\n%s\nwant:\n%s", d.Name(), got, exp)
			}
			// Every example is also a clean policy for lint.
			stdout.Reset()
			stderr.Reset()
			if code := run(context.Background(), []string{"lint", filepath.Join(dir, "policy.yaml")},
				bytes.NewReader(nil), &stdout, &stderr); code != 0 {
				t.Errorf("lint: exit status %d:\n%s%s", code, stdout.String(), stderr.String())
			}
		})
	}
	if n < 8 {
		t.Errorf("examples/policies has %d policies, want at least 8", n)
	}
}
