// Command netrender writes a machine's network configuration for its
// distribution from an NMState desired state:
//
//	imdsctl fetch | netrender --os ubuntu-22.04 --root /mnt
//	netrender --os centos-7 state.yaml            # prints the file set
//	netrender --os debian --root /mnt --dry-run state.yaml
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/netplumb/netplumb/internal/atomicfile"
	"github.com/netplumb/netplumb/internal/cli"
	"github.com/netplumb/netplumb/internal/flock"
	"github.com/netplumb/netplumb/nmstate"
	"github.com/netplumb/netplumb/render"
)

const description = `Render an NMState desired state into a distribution's network files: netplan,
ifupdown, ifcfg, NetworkManager keyfiles or systemd-networkd.`

// CLI is netrender's command line.
type CLI struct {
	cli.Globals `embed:""`

	File       string `arg:"" optional:"" placeholder:"FILE" help:"NMState desired state (YAML or JSON); stdin when not given or -."`
	OS         string `name:"os" placeholder:"NAME[-VERSION]" help:"Distribution, choosing the renderer: ${oses}."`
	Renderer   string `placeholder:"NAME" help:"Renderer, overriding --os: ${renderers}."`
	Root       string `placeholder:"DIR" help:"Write the files under DIR instead of printing them."`
	DryRun     bool   `name:"dry-run" help:"With --root, print a unified diff against what is there instead of writing."`
	Resolvers  string `placeholder:"IP,..." help:"DNS servers to write instead of the state's."`
	cli.Output `embed:""`
}

// Help is the long help.
func (c *CLI) Help() string {
	return `Without --root, prints the file set as YAML (files: [{path, mode, content}]). With
--root, writes each file atomically with its mode, creating directories, never
outside DIR (a symbolic link under DIR that leads outside is refused), and removes
the files an earlier run wrote in the renderer's directory that this state no
longer has (only files starting with "# Written by netrender."); on any error
nothing is written or removed. Anything the renderer cannot express is refused,
naming where it is in the input.`
}

// Validate checks the flags.
func (c *CLI) Validate() error {
	if c.OS == "" && c.Renderer == "" {
		return errors.New("give --os NAME[-VERSION] or --renderer NAME")
	}
	if c.DryRun && c.Root == "" {
		return errors.New("--dry-run compares with what is under --root: give --root")
	}
	return nil
}

func main() { cli.Main(run) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return cli.Run(ctx, "netrender", description, &CLI{}, args, stdin, stdout, stderr,
		kong.Vars{"oses": strings.Join(render.OSNames(), ", "), "renderers": strings.Join(render.RendererNames(), ", ")})
}

// Run renders.
func (c *CLI) Run(ctx context.Context, env *cli.Env) error {
	var r render.Renderer
	var err error
	if c.Renderer != "" {
		r, err = render.LookupRenderer(c.Renderer)
	} else {
		r, err = render.ForOS(c.OS)
	}
	if err != nil {
		return cli.BadInput(err)
	}
	resolvers, err := parseResolvers(c.Resolvers)
	if err != nil {
		return err
	}
	data, err := cli.ReadInput(c.File, env.Stdin)
	if err != nil {
		return err
	}
	doc, err := nmstate.Decode(data)
	if err != nil {
		return cli.InputError(cli.InputName(c.File), data, err)
	}
	st, err := render.Parse(doc, r.Name())
	if err != nil {
		return cli.BadInput(fmt.Errorf("%s: %w", cli.InputName(c.File), err))
	}
	if resolvers != nil {
		st.DNS.Servers = resolvers
	}
	files, err := render.Files(r, st)
	if err != nil {
		return cli.BadInput(err)
	}
	env.Log.Debug("rendered", "renderer", r.Name(), "files", len(files))
	if c.Root == "" {
		return c.Output.Write(ctx, env, render.Doc(files))
	}
	if !c.DryRun {
		// Runs on one root take turns: one's list of stale files could
		// otherwise name a file the other just wrote.
		f, err := os.Open(c.Root)
		if err != nil {
			return fmt.Errorf("root %s: %w", c.Root, atomicfile.Cause(err))
		}
		defer f.Close()
		if err := flock.Lock(ctx, f); err != nil {
			if errors.Is(err, flock.ErrBusy) {
				return fmt.Errorf("root %s: waiting for another netrender: %w", c.Root, context.Cause(ctx))
			}
			return fmt.Errorf("root %s: lock: %w", c.Root, err)
		}
	}
	stale, err := render.Stale(c.Root, r, files)
	if err != nil {
		return rootError(err)
	}
	if c.DryRun {
		diff, err := render.Diff(c.Root, files, stale)
		if err != nil {
			return rootError(err)
		}
		_, err = io.WriteString(env.Stdout, diff)
		return err
	}
	if err := render.Write(c.Root, files, stale); err != nil {
		return rootError(err)
	}
	for _, f := range files {
		env.Log.Debug("written", "path", f.Path, "mode", fmt.Sprintf("%04o", uint32(f.Mode)))
	}
	for _, p := range stale {
		env.Log.Debug("removed", "path", p)
	}
	return nil
}

// rootError gives a path refused under the root exit status 2; other
// failures are file system errors (1).
func rootError(err error) error {
	var pe *render.PathError
	if errors.As(err, &pe) {
		return cli.BadInput(err)
	}
	return err
}

func parseResolvers(s string) ([]netip.Addr, error) {
	if s == "" {
		return nil, nil
	}
	var out []netip.Addr
	for _, f := range strings.Split(s, ",") {
		a, err := netip.ParseAddr(strings.TrimSpace(f))
		if err != nil || a.Zone() != "" {
			return nil, cli.Errorf("--resolvers: %q is not an IP address", f)
		}
		out = append(out, a)
	}
	return out, nil
}
