package main

import (
	"context"
	"errors"

	"github.com/netplumb/netplumb/capture"
	"github.com/netplumb/netplumb/expr"
	"github.com/netplumb/netplumb/internal/cli"
	"github.com/netplumb/netplumb/nmstate"
)

// EvalCmd is `nmpolicyctl eval`.
type EvalCmd struct {
	Expr         string `arg:"" placeholder:"EXPR" help:"Capture expression, e.g. 'routes.running.destination==\"0.0.0.0/0\"'."`
	CurrentState string `short:"s" name:"current-state" placeholder:"FILE" help:"Current NMState (YAML or JSON); stdin when not given or -."`
	CacheIn      string `short:"i" name:"captured-state-input" placeholder:"FILE" help:"Captured states that capture.NAME references read."`
	cli.Output   `embed:""`
}

// Help is the long help of eval.
func (e *EvalCmd) Help() string {
	return `Prints the state the expression captures, or null when nothing matches.
References to other captures (capture.NAME.path) read the -i cache.`
}

// Validate rejects two inputs from stdin.
func (e *EvalCmd) Validate() error {
	return oneStdin(map[string]string{"the current state": stdinDefault(e.CurrentState), "the cache": e.CacheIn})
}

// Run runs eval.
func (e *EvalCmd) Run(ctx context.Context, env *cli.Env) error {
	data, err := cli.ReadInput(e.CurrentState, env.Stdin)
	if err != nil {
		return err
	}
	current, err := nmstate.Decode(data)
	if err != nil {
		return cli.InputError(cli.InputName(e.CurrentState), data, err)
	}
	captures := map[string]any{}
	if e.CacheIn != "" {
		data, err := cli.ReadInput(e.CacheIn, env.Stdin)
		if err != nil {
			return err
		}
		cache, err := capture.DecodeCache(data)
		if err != nil {
			return cli.InputError(cli.InputName(e.CacheIn), data, err)
		}
		captures = capture.States(cache)
	}
	st, err := capture.Eval(e.Expr, current, captures)
	if err != nil {
		var ee *expr.Error
		if errors.As(err, &ee) {
			text, caret := ee.Snippet()
			line, col := ee.LineCol()
			return &cli.PositionError{File: "EXPR", Line: line, Col: col, Err: errors.New(ee.Msg), Text: text, Caret: caret}
		}
		return cli.BadInput(err)
	}
	if st == nil && e.JQ == "" {
		// Nothing matched: say so, in either format.
		_, err := env.Stdout.Write([]byte("null\n"))
		return err
	}
	return e.Output.Write(ctx, env, st)
}
