// Command netapplyctl shows, diffs and applies NMState on the running
// kernel over netlink, without NetworkManager or any daemon:
//
//	netapplyctl show | nmpolicyctl gen policy.yaml | netapplyctl apply
//	netapplyctl diff state.yaml --exit-code
//	netapplyctl apply --netns blue state.yaml
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/alecthomas/kong"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/netplumb/netplumb/apply"
	"github.com/netplumb/netplumb/internal/cli"
	"github.com/netplumb/netplumb/nmstate"
)

const description = `Show, diff and apply NMState on the running kernel over netlink: links, addresses,
routes, rules, DNS and the host name, as one transaction that is rolled back on failure.`

// CLI is netapplyctl's command line.
type CLI struct {
	cli.Globals `embed:""`

	Show  ShowCmd  `cmd:"" help:"Print the running network state as NMState."`
	Diff  DiffCmd  `cmd:"" help:"Print the operations that would take the running state to FILE's."`
	Apply ApplyCmd `cmd:"" help:"Apply FILE's state as one transaction and print the operations carried out."`
}

// Target is the namespace a command works on, and where its files are.
type Target struct {
	Netns string `placeholder:"NAME" help:"Work in the network namespace NAME (ip netns add NAME) instead of this process's."`
	// Where resolv.conf and the lock live, for tests.
	EtcDir string `name:"etc-dir" hidden:"" env:"NETAPPLYCTL_ETC_DIR" default:"/etc" help:"Directory holding resolv.conf (and netns/NAME/resolv.conf)."`
	RunDir string `name:"run-dir" hidden:"" env:"NETAPPLYCTL_RUN_DIR" default:"/run" help:"Directory holding the lock files."`
}

// resolvConf is the resolv.conf of the namespace, as iproute2 has it:
// /etc/netns/NAME/resolv.conf for a named namespace.
func (t *Target) resolvConf() string {
	if t.Netns != "" {
		return filepath.Join(t.EtcDir, "netns", t.Netns, "resolv.conf")
	}
	return filepath.Join(t.EtcDir, "resolv.conf")
}

// open returns a kernel on the namespace; close releases it.
func (t *Target) open() (k *apply.NetlinkKernel, close func(), err error) {
	ns, err := apply.OpenNetns(t.Netns)
	if err != nil {
		return nil, nil, err
	}
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		ns.Close()
		return nil, nil, fmt.Errorf("netlink: %w", err)
	}
	k = &apply.NetlinkKernel{Handle: h, NS: ns, ResolvConf: t.resolvConf(), Hostname: os.Hostname}
	if t.Netns == "" {
		k.NS = netns.None()
		k.SetHostname = func(name string) error { return unix.Sethostname([]byte(name)) }
	}
	return k, func() { k.Close(); h.Close(); ns.Close() }, nil
}

// state reads the namespace's state.
func (t *Target) state(ctx context.Context) (*apply.State, error) {
	k, closeK, err := t.open()
	if err != nil {
		return nil, err
	}
	defer closeK()
	return k.Read(ctx)
}

// StateInput is the desired state argument.
type StateInput struct {
	File string `arg:"" optional:"" placeholder:"FILE" help:"NMState desired state (YAML or JSON); stdin when not given or -."`
}

// read parses the desired state; every problem is exit status 2.
func (s *StateInput) read(env *cli.Env, t *Target) (*apply.Desired, error) {
	data, err := cli.ReadInput(s.File, env.Stdin)
	if err != nil {
		return nil, err
	}
	doc, err := nmstate.Decode(data)
	if err != nil {
		return nil, cli.InputError(cli.InputName(s.File), data, err)
	}
	d, err := apply.ParseDesired(doc)
	if err != nil {
		return nil, cli.BadInput(fmt.Errorf("%s: %w", cli.InputName(s.File), err))
	}
	if d.Hostname != nil && t.Netns != "" {
		return nil, cli.BadInput(fmt.Errorf("%s: hostname.config: the host name is not a namespace's: not with --netns", cli.InputName(s.File)))
	}
	for _, p := range d.Ignored {
		env.Log.Debug("not managed by netapplyctl, left alone", "key", p)
	}
	return d, nil
}

// planError gives the planner's errors about the input exit status 2.
func planError(file string, err error) error {
	var pe *nmstate.PathError
	var tx *apply.TxError
	if !errors.As(err, &tx) && errors.As(err, &pe) {
		return cli.BadInput(fmt.Errorf("%s: %w", cli.InputName(file), err))
	}
	return err
}

// ShowCmd is `netapplyctl show`.
type ShowCmd struct {
	Target     `embed:""`
	cli.Output `embed:""`
}

// Run prints the state.
func (c *ShowCmd) Run(ctx context.Context, env *cli.Env) error {
	st, err := c.state(ctx)
	if err != nil {
		return err
	}
	return c.Output.Write(ctx, env, apply.Show(st))
}

// DiffCmd is `netapplyctl diff`.
type DiffCmd struct {
	StateInput `embed:""`
	Target     `embed:""`
	ExitCode   bool `name:"exit-code" help:"Exit with status 3 when there is something to do."`
	cli.Output `embed:""`
}

// Run prints the plan.
func (c *DiffCmd) Run(ctx context.Context, env *cli.Env) error {
	d, err := c.read(env, &c.Target)
	if err != nil {
		return err
	}
	st, err := c.state(ctx)
	if err != nil {
		return err
	}
	ops, notes, err := apply.Plan(st, d)
	if err != nil {
		return planError(c.File, err)
	}
	for _, n := range notes {
		env.Log.Info(n)
	}
	if err := c.Output.Write(ctx, env, apply.PlanDoc(ops)); err != nil {
		return err
	}
	if c.ExitCode && len(ops) > 0 {
		return cli.Exit(cli.ExitChanged)
	}
	return nil
}

// ApplyCmd is `netapplyctl apply`.
type ApplyCmd struct {
	StateInput `embed:""`
	Target     `embed:""`
	NoVerify   bool          `name:"no-verify" help:"Do not read the state back to check it after applying."`
	NoRollback bool          `name:"no-rollback" help:"On failure, leave what was done instead of restoring the state as it was."`
	Timeout    time.Duration `default:"60s" help:"Give up, and roll back, after this long (lock wait included)."`
	cli.Output `embed:""`
}

// Help is the long help.
func (c *ApplyCmd) Help() string {
	return `NMState partial editing: interfaces not named stay as they are; state: absent
removes a link; a listed address list is the interface's complete static set;
routes and rules are added, and entries with state: absent remove what they match.
The state is read first (the snapshot); operations run in dependency order; the
state is read back and checked. On any failure (netlink, verification, --timeout,
SIGINT or SIGTERM) the snapshot is restored and the exit status is 1. Applies to
one namespace wait for each other (a lock in /run). No DHCP client is run.`
}

// Run applies.
func (c *ApplyCmd) Run(ctx context.Context, env *cli.Env) error {
	d, err := c.read(env, &c.Target)
	if err != nil {
		return err
	}
	if c.Timeout <= 0 {
		return cli.Errorf("--timeout must be positive")
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	lock := apply.LockPath(c.RunDir, c.Netns)
	env.Log.Debug("taking the lock", "path", lock)
	unlock, err := apply.Lock(ctx, lock)
	if err != nil {
		return err
	}
	defer unlock()
	k, closeK, err := c.open()
	if err != nil {
		return err
	}
	defer closeK()
	ops, err := apply.Transact(ctx, k, d, apply.TxOptions{Verify: !c.NoVerify, Rollback: !c.NoRollback, Log: env.Log})
	if err != nil {
		return planError(c.File, err)
	}
	env.Log.Debug("applied", "operations", len(ops))
	return c.Output.Write(ctx, env, apply.PlanDoc(ops))
}

func main() { cli.Main(run) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return cli.Run(ctx, "netapplyctl", description, &CLI{}, args, stdin, stdout, stderr, kong.Vars{})
}
