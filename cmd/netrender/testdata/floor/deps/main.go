// Command deps links what netrender links — kong, gojq, go.yaml.in/yaml/v3
// and netplumb's cli, nmstate and render packages — and does nothing: the
// start-up floor of a command built on them, which BenchmarkProcess
// measures beside netrender.
package main

import (
	"os"

	"github.com/alecthomas/kong"
	"github.com/itchyny/gojq"

	"github.com/netplumb/netplumb/internal/cli"
	"github.com/netplumb/netplumb/nmstate"
	"github.com/netplumb/netplumb/render"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "link-everything" {
		// Never run; it keeps the packages' code in the binary.
		kong.Parse(&struct{ cli.Globals }{})
		gojq.Parse(".")
		doc, _ := nmstate.Decode(nil)
		render.Parse(doc, "netplan")
	}
}
