// Package examples holds the example data and pipelines of the README;
// its test runs every pipeline with the real commands.
package examples

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netplumb/netplumb/apply/applytest"
	"github.com/netplumb/netplumb/internal/testenv"
)

// needNetns skips a pipeline that makes a network namespace unless this
// is root with ip; in CI (NETPLUMB_REQUIRE_NETNS=1) it fails instead.
func needNetns(t *testing.T) {
	if _, err := exec.LookPath("ip"); err == nil && os.Geteuid() == 0 {
		return
	}
	applytest.SkipOrFail(t, "the netns-* pipelines need root and ip")
}

// TestPipelines builds every command and runs each pipelines/*.sh with
// bash (pipefail set) from this directory, comparing its stdout with the
// .out file beside it (-update rewrites them). Stderr must be empty.
func TestPipelines(t *testing.T) {
	bin := t.TempDir()
	root := testenv.ModuleRoot(t)
	build := exec.Command("go", "build", "-o", bin+"/", "./cmd/...")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	scripts, err := filepath.Glob("pipelines/*.sh")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no pipelines: %v", err)
	}
	for _, script := range scripts {
		name := strings.TrimSuffix(filepath.Base(script), ".sh")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if strings.HasPrefix(name, "netns-") {
				needNetns(t)
			}
			cmd := exec.Command("bash", "-euo", "pipefail", script)
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "TMPDIR="+t.TempDir())
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s: %v\n%s", script, err, stderr.String())
			}
			if stderr.Len() > 0 {
				t.Errorf("stderr: %s", stderr.String())
			}
			want := strings.TrimSuffix(script, ".sh") + ".out"
			if *testenv.Update {
				if err := os.WriteFile(want, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(exp, stdout.Bytes()) {
				t.Errorf("%s output differs:\n--- want\n%s--- got\n%s", script, exp, stdout.String())
			}
		})
	}
}
