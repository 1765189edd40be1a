package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netplumb/netplumb/capture"
	"github.com/netplumb/netplumb/expr"
	"github.com/netplumb/netplumb/internal/atomicfile"
	"github.com/netplumb/netplumb/internal/cli"
	"github.com/netplumb/netplumb/nmstate"
)

// GenCmd is `nmpolicyctl gen`.
type GenCmd struct {
	Policy       string `arg:"" placeholder:"POLICY" help:"Policy file (capture and desiredState, or a NodeNetworkConfigurationPolicy manifest)."`
	CurrentState string `short:"s" name:"current-state" placeholder:"FILE" help:"Current NMState (YAML or JSON); stdin when not given or -."`
	CacheIn      string `short:"i" name:"captured-state-input" placeholder:"FILE" help:"Captured states to reuse instead of resolving their expressions."`
	CacheOut     string `short:"c" name:"captured-state-output" placeholder:"FILE" help:"Where to write the captured states (default $XDG_CACHE_HOME/nmpolicy/cache.yaml)."`
	CacheOutO    string `short:"o" name:"output" hidden:"" placeholder:"FILE" help:"Alias of -c, as in the original nmpolicyctl."`
	cli.Output   `embed:""`
}

// Help is the long help of gen.
func (g *GenCmd) Help() string {
	return `The current state is read from stdin unless -s names a file. The captures of
POLICY are resolved against it (those found in the -i cache are reused), the
templates of its desired state are expanded, and the result is printed. The
cache is written atomically with mode 0600, and only when everything succeeded;
nothing is printed on failure.`
}

// Validate rejects conflicting flags.
func (g *GenCmd) Validate() error {
	if g.CacheOut != "" && g.CacheOutO != "" && g.CacheOut != g.CacheOutO {
		return errors.New("-o is another name for -c: give one of them")
	}
	return oneStdin(map[string]string{"the policy": g.Policy, "the current state": stdinDefault(g.CurrentState), "the cache": g.CacheIn})
}

// stdinDefault is "-" for an input that defaults to stdin.
func stdinDefault(name string) string {
	if name == "" {
		return "-"
	}
	return name
}

// oneStdin rejects two inputs read from stdin.
func oneStdin(inputs map[string]string) error {
	var from []string
	for what, name := range inputs {
		if name == "-" {
			from = append(from, what)
		}
	}
	if len(from) > 1 {
		slices.Sort(from)
		both := "all"
		if len(from) == 2 {
			both = "both"
		}
		return fmt.Errorf("%s cannot %s come from stdin", strings.Join(from, " and "), both)
	}
	return nil
}

// Run runs gen.
func (g *GenCmd) Run(ctx context.Context, env *cli.Env) error {
	policyData, err := cli.ReadInput(g.Policy, env.Stdin)
	if err != nil {
		return err
	}
	doc, err := capture.ParsePolicy(policyData)
	if err != nil {
		return cli.InputError(cli.InputName(g.Policy), policyData, err)
	}
	env.Log.Debug("policy read", "file", g.Policy, "captures", len(doc.Policy.Capture))

	currentData, err := cli.ReadInput(g.CurrentState, env.Stdin)
	if err != nil {
		return err
	}
	current, err := nmstate.Decode(currentData)
	if err != nil {
		return cli.InputError(cli.InputName(g.CurrentState), currentData, err)
	}
	env.Log.Debug("current state read", "bytes", len(currentData))

	var cache map[string]capture.Entry
	if g.CacheIn != "" {
		data, err := cli.ReadInput(g.CacheIn, env.Stdin)
		if err != nil {
			return err
		}
		if cache, err = capture.DecodeCache(data); err != nil {
			return cli.InputError(cli.InputName(g.CacheIn), data, err)
		}
		env.Log.Debug("cache read", "file", g.CacheIn, "entries", len(cache))
	}

	gen, err := capture.Generate(doc.Policy, current, cache, env.Now())
	if err != nil {
		return policyError(cli.InputName(g.Policy), doc, err)
	}
	out, err := g.Output.Render(ctx, gen.DesiredState)
	if err != nil {
		return err
	}
	cacheData, err := capture.EncodeCache(gen.Cache)
	if err != nil {
		return cli.BadInput(fmt.Errorf("cache: %w", err))
	}
	path, err := g.cachePath(env)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, cacheData, 0o600); err != nil {
		return err
	}
	env.Log.Debug("cache written", "file", path, "entries", len(gen.Cache))
	_, err = env.Stdout.Write(out)
	return err
}

// cachePath is where the captured states go: -c or -o, else the XDG cache
// directory.
func (g *GenCmd) cachePath(env *cli.Env) (string, error) {
	switch {
	case g.CacheOut != "":
		return g.CacheOut, nil
	case g.CacheOutO != "":
		return g.CacheOutO, nil
	}
	dir := env.Getenv("XDG_CACHE_HOME")
	if dir == "" {
		home := env.Getenv("HOME")
		if home == "" {
			return "", errors.New("no cache file: set -c FILE, XDG_CACHE_HOME or HOME")
		}
		dir = filepath.Join(home, ".cache")
	}
	dir = filepath.Join(dir, "nmpolicy")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return filepath.Join(dir, "cache.yaml"), nil
}

// writeAtomic replaces path with data (see atomicfile.Write); a symbolic
// link at path is followed, not replaced. Errors name path.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	if err := atomicfile.Write(path, data, mode); err != nil {
		return fmt.Errorf("cache %s: %w", path, err)
	}
	return nil
}

// policyError places an error of the engine in the policy file, with the
// expression and a caret under the failing token.
func policyError(file string, doc *capture.Document, err error) error {
	var ee *expr.Error
	if !errors.As(err, &ee) {
		return cli.BadInput(fmt.Errorf("%s: %w", file, err))
	}
	var msg error
	var ce *capture.Error
	var te *capture.TemplateError
	switch {
	case errors.As(err, &ce):
		msg = fmt.Errorf("capture %q: %s", ce.Capture, ee.Msg)
	case errors.As(err, &te):
		msg = fmt.Errorf("%s: %s", capture.FormatPath("desiredState", te.Path), ee.Msg)
	default:
		msg = errors.New(ee.Msg)
	}
	text, caret := ee.Snippet()
	pe := &cli.PositionError{File: file, Err: msg, Text: text, Caret: caret}
	if line, col, ok := doc.Locate(err); ok {
		pe.Line, pe.Col = line, col
	}
	return pe
}
