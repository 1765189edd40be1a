// Command nmpolicyctl generates NMState desired states from NMPolicy
// files: it resolves a policy's captures against the current state and
// expands the {{ capture.… }} templates of its desired state.
//
//	nmstatectl show | nmpolicyctl gen policy.yaml | nmstatectl apply
//	nmpolicyctl lint policies/
//	nmpolicyctl eval 'routes.running.destination=="0.0.0.0/0"' -s state.yaml
package main

import (
	"context"
	"io"

	"github.com/netplumb/netplumb/internal/cli"
)

const description = `Generate NMState desired states from NMPolicy files.

The generated state is written to stdout; the captured states are cached in
$XDG_CACHE_HOME/nmpolicy/cache.yaml (~/.cache/nmpolicy/cache.yaml).`

// CLI is nmpolicyctl's command line.
type CLI struct {
	cli.Globals `embed:""`

	Gen  GenCmd  `cmd:"" help:"Generate the desired state of a policy from the current state."`
	Lint LintCmd `cmd:"" help:"Check policy files, directories and NodeNetworkConfigurationPolicy manifests."`
	Eval EvalCmd `cmd:"" help:"Evaluate one capture expression against the current state."`
}

func main() { cli.Main(run) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return cli.Run(ctx, "nmpolicyctl", description, &CLI{}, args, stdin, stdout, stderr)
}
