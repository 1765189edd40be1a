package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/netplumb/netplumb/apply"
	"github.com/netplumb/netplumb/apply/applytest"
	"github.com/netplumb/netplumb/internal/cli"
	"github.com/netplumb/netplumb/internal/testenv"
	"github.com/netplumb/netplumb/nmstate"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"netapplyctl": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

var netnsCount atomic.Int32

// TestScript runs the command-line tests in testdata/script. Each script
// gets $NS, a named network namespace of its own (ip netns add), removed
// when it ends, when the test runs as root; scripts that need it start
// with [!netns] skip, and the netns condition fails instead in CI.
func TestScript(t *testing.T) {
	root := os.Geteuid() == 0
	if _, err := exec.LookPath("ip"); err != nil {
		root = false
	}
	setup := func(env *testscript.Env) error {
		env.Setenv("NS", "")
		if !root {
			return nil
		}
		name := fmt.Sprintf("npt%d-%d", os.Getpid(), netnsCount.Add(1))
		if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
			return fmt.Errorf("ip netns add %s: %v: %s", name, err, out)
		}
		env.Defer(func() { exec.Command("ip", "netns", "del", name).Run() })
		env.Setenv("NS", name)
		return nil
	}
	cond := func(c string) (bool, error) {
		if c != "netns" {
			return false, fmt.Errorf("unknown condition %q", c)
		}
		if !root && applytest.RequireNetns() {
			return false, fmt.Errorf("namespace scripts must run here (NETPLUMB_REQUIRE_NETNS=1), but this is not root with ip")
		}
		return root, nil
	}
	testenv.ScriptCond(t, setup, cond)
}

// TestPlanErrorExitCodes: a planner error about the input is exit 2; the
// same error met while verifying, after changes were made and rolled
// back, is a failure (1), not bad input.
func TestPlanErrorExitCodes(t *testing.T) {
	bad := &nmstate.PathError{Path: "routes.config[0]", Msg: "bad"}
	if got := cli.ExitCodeOf(planError("s.yaml", bad)); got != cli.ExitUsage {
		t.Errorf("plan error: exit %d", got)
	}
	tx := &apply.TxError{Err: fmt.Errorf("verification: %w", bad), RolledBack: true}
	if got := cli.ExitCodeOf(planError("s.yaml", tx)); got != cli.ExitFailure {
		t.Errorf("verification error: exit %d", got)
	}
}
