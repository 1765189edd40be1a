package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netplumb/netplumb/apply/applytest"
)

// TestSignalRollsBack sends SIGTERM to a netapplyctl process while it adds
// 10,000 routes to a namespace: it must stop, restore the namespace as it
// was, and exit 1 saying it was interrupted and rolled back.
func TestSignalRollsBack(t *testing.T) {
	if _, err := exec.LookPath("ip"); err != nil || os.Geteuid() != 0 {
		applytest.SkipOrFail(t, "needs root and ip to make a namespace")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "netapplyctl")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ns := fmt.Sprintf("npsig%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	ip := func(args ...string) string {
		out, err := exec.Command("ip", append([]string{"-n", ns}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0p")
	ip("link", "set", "eth0", "up")
	ip("address", "add", "10.0.0.1/16", "dev", "eth0")
	before := ip("-d", "route", "show", "table", "all") + ip("address")

	var state strings.Builder
	state.WriteString("routes:\n  config:\n")
	for i := range 10_000 {
		fmt.Fprintf(&state, "  - destination: 10.%d.%d.0/24\n    next-hop-address: 10.0.0.254\n    next-hop-interface: eth0\n    table-id: 100\n", 1+i>>8, i&255)
	}
	file := filepath.Join(dir, "state.yaml")
	if err := os.WriteFile(file, []byte(state.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "apply", "--netns", ns, file)
	cmd.Env = append(os.Environ(), "NETAPPLYCTL_RUN_DIR="+dir, "NETAPPLYCTL_ETC_DIR="+dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the first routes, then signal.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(ip("route", "show", "table", "all"), "table 100") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no route appeared in table 100")
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Fatalf("exit status %d (%v), want 1; stderr: %s", code, err, stderr.String())
	}
	msg := stderr.String()
	if !strings.HasPrefix(msg, "netapplyctl: interrupted: ") || !strings.HasSuffix(msg, "(rolled back)\n") || strings.Count(msg, "\n") != 1 {
		t.Errorf("stderr %q, want one line: interrupted … (rolled back)", msg)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: %q", stdout.String())
	}
	if after := ip("-d", "route", "show", "table", "all") + ip("address"); after != before {
		t.Errorf("the namespace differs after the rollback:\n%s\nwas:\n%s", after, before)
	}
}
