// Command imdsctl reads cloud and hypervisor instance metadata and prints
// the instance's network as NMState, or its facts:
//
//	imdsctl detect
//	imdsctl fetch | nmpolicyctl gen policy.yaml | netrender --os ubuntu --root /mnt
//	imdsctl fetch --supplementary eth1 | netapplyctl apply
//	imdsctl show network --format table
//	imdsctl serve
package main

import (
	"context"
	"io"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/netplumb/netplumb/imds"
	"github.com/netplumb/netplumb/internal/cli"
)

const description = `Read instance metadata (AWS, Azure, GCP, Equinix Metal, OpenStack, VMware,
DigitalOcean, Oracle, Hetzner) and print the instance's network as NMState.`

// CLI is imdsctl's command line.
type CLI struct {
	cli.Globals `embed:""`

	Detect DetectCmd `cmd:"" help:"Print the provider: from DMI, else by probing the metadata services."`
	Fetch  FetchCmd  `cmd:"" help:"Print the instance's network as an NMState desired state."`
	Show   ShowCmd   `cmd:"" help:"Print the instance's facts: provider, id, region, size, interfaces and addresses."`
	Raw    RawCmd    `cmd:"" help:"Print the provider's own metadata tree, or the part at PATH."`
	Serve  ServeCmd  `cmd:"" help:"Serve the facts as cloud-network-setup's local JSON API."`
}

func main() { cli.Main(run) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return cli.Run(ctx, "imdsctl", description, &CLI{}, args, stdin, stdout, stderr,
		kong.Vars{"providers": strings.Join(imds.Names(), ", ")})
}
