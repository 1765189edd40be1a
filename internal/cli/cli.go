// Package cli is what the netplumb commands share: running a kong command
// line in-process, reading the input document, printing the output
// document (--format, --jq, -r), logging (-v), --version, and turning
// errors into one line on stderr and an exit status:
//
//	0  success
//	1  an operation failed (network, netlink, file system)
//	2  bad usage or bad input (flags, YAML, policy, schema)
//	3  diff --exit-code found changes
//
// A command's Run method takes the context (cancelled on SIGINT and
// SIGTERM) and the [*Env], which carries stdin, stdout, stderr, the logger,
// the clock and the parsed [Globals].
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kong"

	"github.com/netplumb/netplumb/nmstate"
)

// Exit statuses.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
	ExitChanged = 3
)

// Env is what a command reads and writes instead of the process's globals,
// so that tests run commands in-process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger
	// Getenv reads an environment variable (os.Getenv outside tests).
	Getenv func(string) string
	// Now is the clock (time.Now outside tests).
	Now func() time.Time
	// Globals are the parsed global flags.
	Globals *Globals

	level *slog.LevelVar
}

// Globals are the flags every command has. Embed it in a command line
// struct with `embed:""`.
type Globals struct {
	Verbose bool             `short:"v" help:"Log progress to stderr."`
	Version kong.VersionFlag `help:"Print the version and exit."`
}

// GlobalFlags returns g; through embedding, it lets [Run] find the
// global flags of any command line struct.
func (g *Globals) GlobalFlags() *Globals { return g }

// Version returns the version of the running binary: the module version,
// or the VCS revision for a build from a checkout.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if (v == "" || v == "(devel)") && rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		return "devel-" + rev + dirty
	}
	if v == "" {
		return "(devel)"
	}
	return v
}

// Main runs a command's run function as a process: with the process's
// arguments and standard streams, and a context cancelled on SIGINT and
// SIGTERM; then it exits with run's status. A command's main is
// cli.Main(run), and its tests call run in-process.
func Main(run func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitSentinel is panicked by kong's Exit hook (--help, --version) and
// recovered by Run, so that parsing never exits the process.
type exitSentinel struct{ code int }

// Run parses args into cmdline (a pointer to a kong struct that embeds
// [Globals]), runs the selected command with ctx and an [*Env] bound, and
// returns the exit status. Errors are printed on stderr as
// "name: message"; see [ExitCoder] and [PositionError].
func Run(ctx context.Context, name, description string, cmdline any, args []string,
	stdin io.Reader, stdout, stderr io.Writer, opts ...kong.Option) (code int) {
	level := new(slog.LevelVar)
	level.Set(slog.LevelWarn)
	env := &Env{
		Stdin:  stdin,
		Stdout: stdout,
		Stderr: stderr,
		Log:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})).With("cmd", name),
		Getenv: os.Getenv,
		Now:    time.Now,
		level:  level,
	}
	defer func() {
		if r := recover(); r != nil {
			if s, ok := r.(exitSentinel); ok {
				code = s.code
				return
			}
			fmt.Fprintf(stderr, "%s: internal error: %v (please report this)\n", name, r)
			code = ExitFailure
		}
	}()
	options := []kong.Option{
		kong.Name(name),
		kong.Description(description),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitSentinel{code}) }),
		kong.BindTo(ctx, (*context.Context)(nil)),
		kong.Bind(env),
		kong.Vars{"version": name + " " + Version()},
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	}
	options = append(options, opts...)
	parser, err := kong.New(cmdline, options...)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return ExitFailure
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v (see '%s --help')\n", name, err, name)
		return ExitUsage
	}
	if g, ok := cmdline.(interface{ GlobalFlags() *Globals }); ok {
		env.Globals = g.GlobalFlags()
		if env.Globals.Verbose {
			level.Set(slog.LevelDebug)
		}
	}
	if err := kctx.Run(); err != nil {
		return Report(stderr, name, err)
	}
	return ExitOK
}

// ExitCoder is an error that chooses the exit status.
type ExitCoder interface {
	ExitCode() int
}

// exitError gives an error an exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }
func (e *exitError) ExitCode() int { return e.code }

// WithCode makes err exit with code; nil stays nil.
func WithCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// Exit returns an error that makes the command exit with code and print
// nothing more, for a status that is an answer rather than a failure
// (diff --exit-code finding changes).
func Exit(code int) error { return &silentExit{code} }

type silentExit struct{ code int }

func (e *silentExit) Error() string { return fmt.Sprintf("exit status %d", e.code) }
func (e *silentExit) ExitCode() int { return e.code }

// BadInput marks err as bad usage or bad input (exit status 2).
func BadInput(err error) error { return WithCode(ExitUsage, err) }

// Errorf formats a bad-input error (exit status 2).
func Errorf(format string, args ...any) error {
	return BadInput(fmt.Errorf(format, args...))
}

// PositionError is an error at a place in a file: printed as
// "file:line:col: message", followed, when Text is set, by the source
// text and a caret under the column, as the original nmpolicyctl draws
// them:
//
//	| routes.running.destination==-"0.0.0.0/0"
//	| ............................^
type PositionError struct {
	File      string
	Line, Col int // 1-based; Col counts characters
	Err       error
	Text      string // the line of source to show; "" for none
	Caret     int    // 0-based character column of the caret in Text
	Code      int    // exit status; 0 means ExitUsage
}

// Error prints "file:line:col: message", leaving out what is unknown.
func (e *PositionError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 && e.Col > 0 {
		fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Col)
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "%d: ", e.Line)
	} else if e.File != "" {
		b.WriteByte(' ')
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *PositionError) Unwrap() error { return e.Err }

// ExitCode returns the exit status.
func (e *PositionError) ExitCode() int {
	if e.Code == 0 {
		return ExitUsage
	}
	return e.Code
}

// Snippet draws the two-line snippet, or returns "" when there is no text.
func (e *PositionError) Snippet() string {
	if e.Text == "" && e.Caret == 0 {
		return ""
	}
	text := strings.ReplaceAll(e.Text, "\t", " ")
	return "| " + text + "\n| " + strings.Repeat(".", max(e.Caret, 0)) + "^\n"
}

// Report prints err on w as "name: message" (plus a snippet for a
// [PositionError]) and returns its exit status: the one an [ExitCoder]
// chooses, 2 for kong's parse errors, 1 otherwise. It is safe for
// concurrent use on different writers.
func Report(w io.Writer, name string, err error) int {
	if se := (*silentExit)(nil); errors.As(err, &se) {
		return se.code
	}
	msg := strings.TrimRight(err.Error(), "\n")
	fmt.Fprintf(w, "%s: %s\n", name, msg)
	var pe *PositionError
	if errors.As(err, &pe) {
		io.WriteString(w, pe.Snippet())
	}
	return ExitCodeOf(err)
}

// ExitCodeOf returns the exit status for err: 0 for nil, the one an
// [ExitCoder] in its chain chooses, 2 for kong's parse errors, 1 otherwise.
func ExitCodeOf(err error) int {
	if err == nil {
		return ExitOK
	}
	var ec ExitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	var pe *kong.ParseError
	if errors.As(err, &pe) {
		return ExitUsage
	}
	return ExitFailure
}

// InputError places an error decoding an input document (a
// [*nmstate.SyntaxError]) in that input: "name:line:col: message" with the
// offending line and a caret when the position is known. Its exit status
// is 2.
func InputError(name string, data []byte, err error) error {
	var se *nmstate.SyntaxError
	if !errors.As(err, &se) || se.Line == 0 {
		return BadInput(fmt.Errorf("%s: %w", name, err))
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	line, col := se.Line, se.Column
	if line > len(lines) {
		// yaml.v3 places a problem at the end of input past the last line.
		line, col = len(lines), 0
	}
	pe := &PositionError{File: name, Line: line, Col: col, Err: errors.New(se.Msg)}
	if col > 0 {
		pe.Text = strings.TrimRight(lines[line-1], "\r")
		pe.Caret = col - 1
	}
	return pe
}

// InputName names an input for messages: the file, or <stdin>.
func InputName(file string) string {
	if file == "" || file == "-" {
		return "<stdin>"
	}
	return file
}
