package imds

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// ErrNoRPCTool is returned by [RPCTool.Get] when neither vmware-rpctool
// nor vmtoolsd is installed.
var ErrNoRPCTool = errors.New("neither vmware-rpctool nor vmtoolsd is installed (they come with open-vm-tools)")

// RPCTool reads VMware guestinfo keys over the hypervisor's RPC channel by
// running open-vm-tools: `vmware-rpctool "info-get <key>"`, or, when that
// is not installed or fails, `vmtoolsd --cmd "info-get <key>"`, as
// cloud-init does. The zero value looks both up on PATH. An RPCTool is
// safe for concurrent use.
type RPCTool struct {
	// LookPath finds a program; nil means [exec.LookPath].
	LookPath func(file string) (string, error)
	// Command makes the command that runs a program; nil means
	// [exec.CommandContext].
	Command func(ctx context.Context, name string, args ...string) *exec.Cmd
}

// rpcMaxStderr bounds what is kept of a tool's error output.
const rpcMaxStderr = 4096

// Get returns the value of a guestinfo key, without its trailing white
// space. ok is false when the key is not set (the tool exits 1 with "No
// value found"). It returns [ErrNoRPCTool] when neither tool is installed,
// an error for a key that is not a plain guestinfo name, for a value
// larger than [MaxBody], for a tool that fails otherwise (with its first
// line of error output) and when ctx ends first.
func (r *RPCTool) Get(ctx context.Context, key string) (value string, ok bool, err error) {
	if err := checkGuestInfoKey(key); err != nil {
		return "", false, err
	}
	lookPath := r.LookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	tools := []struct {
		name string
		args []string
	}{
		{"vmware-rpctool", []string{"info-get " + key}},
		{"vmtoolsd", []string{"--cmd", "info-get " + key}},
	}
	var errs []string
	for _, t := range tools {
		path, err := lookPath(t.name)
		if err != nil {
			continue
		}
		value, ok, err := r.run(ctx, path, t.name, t.args)
		if err == nil {
			return value, ok, nil
		}
		if ctx.Err() != nil {
			return "", false, err
		}
		errs = append(errs, err.Error())
	}
	if errs == nil {
		return "", false, ErrNoRPCTool
	}
	return "", false, fmt.Errorf("reading %s: %s", key, strings.Join(errs, "; "))
}

// run runs one tool and reads its answer.
func (r *RPCTool) run(ctx context.Context, path, name string, args []string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, fmt.Errorf("%s: %w", name, err)
	}
	command := r.Command
	if command == nil {
		command = exec.CommandContext
	}
	cmd := command(ctx, path, args...)
	stdout := &rpcBuffer{max: MaxBody}
	stderr := &rpcBuffer{max: rpcMaxStderr, truncate: true}
	cmd.Stdin = nil
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = time.Second
	}
	err := cmd.Run()
	switch {
	case stdout.overflow:
		return "", false, fmt.Errorf("%s: the value is larger than %d bytes", name, MaxBody)
	case ctx.Err() != nil:
		return "", false, fmt.Errorf("%s: %w", name, ctx.Err())
	}
	msg := rpcFirstLine(stderr.String())
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.ExitCode() == 1 && strings.Contains(strings.ToLower(msg), "no value found") {
			return "", false, nil
		}
		if msg == "" {
			return "", false, fmt.Errorf("%s: %v", name, err)
		}
		return "", false, fmt.Errorf("%s: %v: %s", name, err, msg)
	}
	if err != nil {
		return "", false, fmt.Errorf("%s: %w", name, err)
	}
	return strings.TrimRight(stdout.String(), " \t\r\n"), true, nil
}

// checkGuestInfoKey refuses a key that could be more than one word of the
// RPC command: letters, digits, '.', '-' and '_' only.
func checkGuestInfoKey(key string) error {
	if key == "" || len(key) > 128 || strings.ContainsFunc(key, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_')
	}) {
		return fmt.Errorf("%q is not a guestinfo key", key)
	}
	return nil
}

// rpcFirstLine is the first non-blank line of s, trimmed and without
// control characters.
func rpcFirstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return strings.Map(func(r rune) rune {
				if r < 0x20 || r == 0x7f {
					return -1
				}
				return r
			}, l)
		}
	}
	return ""
}

// rpcBuffer keeps at most max bytes. Past that it fails the write, so
// that the tool's output pipe is closed, or with truncate it drops the
// rest.
type rpcBuffer struct {
	b        []byte
	max      int
	truncate bool
	overflow bool
}

func (w *rpcBuffer) Write(p []byte) (int, error) {
	if room := w.max - len(w.b); len(p) > room {
		w.b = append(w.b, p[:max(room, 0)]...)
		if w.truncate {
			return len(p), nil
		}
		w.overflow = true
		return 0, errors.New("output too large")
	}
	w.b = append(w.b, p...)
	return len(p), nil
}

func (w *rpcBuffer) String() string { return string(w.b) }
