package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/netplumb/netplumb/nmstate"
)

func TestRender(t *testing.T) {
	t.Parallel()
	doc := map[string]any{
		"interfaces": []any{
			map[string]any{"name": "eth0", "mtu": int64(1500), "description": "a <b> & c"},
			map[string]any{"name": "eth1", "mtu": uint64(18446744073709551615)},
		},
	}
	tests := []struct {
		name    string
		out     Output
		doc     any
		want    string
		wantErr string
	}{
		{name: "yaml", out: Output{Format: "yaml"}, doc: doc, want: `interfaces:
- description: a <b> & c
  mtu: 1500
  name: eth0
- mtu: 18446744073709551615
  name: eth1
`},
		{name: "json does not escape HTML", out: Output{Format: "json"}, doc: map[string]any{"d": "<&>"}, want: "{\n  \"d\": \"<&>\"\n}\n"},
		{name: "nil prints nothing", out: Output{Format: "yaml"}, doc: nil, want: ""},
		{name: "jq", out: Output{Format: "yaml", JQ: ".interfaces[0].mtu + 1"}, doc: doc, want: "1501\n"},
		{name: "jq big numbers survive", out: Output{Format: "json", JQ: ".interfaces[1].mtu"}, doc: doc, want: "18446744073709551615\n"},
		{name: "jq several results in yaml", out: Output{Format: "yaml", JQ: ".interfaces[] | {name}"}, doc: doc,
			want: "name: eth0\n---\nname: eth1\n"},
		{name: "jq several results in json", out: Output{Format: "json", JQ: ".interfaces[].name"}, doc: doc,
			want: "\"eth0\"\n\"eth1\"\n"},
		{name: "jq raw", out: Output{Format: "yaml", JQ: ".interfaces[].name", Raw: true}, doc: doc, want: "eth0\neth1\n"},
		{name: "jq raw leaves non-strings encoded", out: Output{Format: "yaml", JQ: ".interfaces[0] | .name, .mtu", Raw: true},
			doc: doc, want: "eth0\n1500\n"},
		{name: "jq on nil", out: Output{Format: "yaml", JQ: "."}, doc: nil, want: "null\n"},
		{name: "jq empty", out: Output{Format: "yaml", JQ: "empty"}, doc: doc, want: ""},
		{name: "jq syntax error", out: Output{Format: "yaml", JQ: ".["}, doc: doc,
			wantErr: "--jq: unexpected EOF"},
		{name: "jq runtime error", out: Output{Format: "yaml", JQ: ".interfaces + 1"}, doc: doc,
			wantErr: "--jq: cannot add: array ("},
		{name: "unencodable", out: Output{Format: "yaml"}, doc: map[string]any{"x": "\x7f"},
			wantErr: "output: x: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.out.Render(context.Background(), tt.doc)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("Render error = %v, want prefix %q", err, tt.wantErr)
				}
				if code := ExitCodeOf(err); code != ExitUsage {
					t.Errorf("exit status %d, want 2", code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Render =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestReport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		want     string
		wantCode int
	}{
		{"plain", errors.New("boom"), "x: boom\n", ExitFailure},
		{"bad input", Errorf("bad %s", "flag"), "x: bad flag\n", ExitUsage},
		{"wrapped code", fmt.Errorf("ctx: %w", WithCode(ExitChanged, errors.New("changes"))), "x: ctx: changes\n", ExitChanged},
		{"silent exit", Exit(ExitChanged), "", ExitChanged},
		{"position with snippet", &PositionError{File: "p.yaml", Line: 2, Col: 5, Err: errors.New("illegal rune '-'"),
			Text: "a==-b", Caret: 3}, "x: p.yaml:2:5: illegal rune '-'\n| a==-b\n| ...^\n", ExitUsage},
		{"position without column", &PositionError{File: "s.yaml", Line: 3, Err: errors.New("bad")}, "x: s.yaml:3: bad\n", ExitUsage},
		{"position with code", &PositionError{File: "f", Err: errors.New("io"), Code: ExitFailure}, "x: f: io\n", ExitFailure},
		{"input error", InputError("s.yaml", []byte("a: 1\n b\n"), &nmstate.SyntaxError{Line: 2, Column: 2, Msg: "bad indent"}),
			"x: s.yaml:2:2: bad indent\n|  b\n| .^\n", ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			code := Report(&b, "x", tt.err)
			if b.String() != tt.want {
				t.Errorf("Report printed %q, want %q", b.String(), tt.want)
			}
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d", code, tt.wantCode)
			}
		})
	}
}

type testCLI struct {
	Globals `embed:""`
	Do      doCmd `cmd:"" help:"Do it."`
}

type doCmd struct {
	What string `arg:"" enum:"ok,fail,panic,bad" help:"What to do."`
}

func (d *doCmd) Run(ctx context.Context, env *Env) error {
	env.Log.Debug("doing", "what", d.What)
	switch d.What {
	case "fail":
		return errors.New("it failed")
	case "bad":
		return Errorf("bad input")
	case "panic":
		panic("oops")
	}
	fmt.Fprintln(env.Stdout, "done")
	return nil
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    string
		wantErrSub string
	}{
		{"ok", []string{"do", "ok"}, 0, "done\n", ""},
		{"failure", []string{"do", "fail"}, 1, "", "t: it failed\n"},
		{"bad input", []string{"do", "bad"}, 2, "", "t: bad input\n"},
		{"panic is reported, not crashed", []string{"do", "panic"}, 1, "", "t: internal error: oops (please report this)\n"},
		{"usage error", []string{"do", "nope"}, 2, "", `t: <what> must be one of "ok","fail","panic","bad" but got "nope" (see 't --help')` + "\n"},
		{"unknown flag", []string{"--nope"}, 2, "", "t: unknown flag --nope"},
		{"help", []string{"--help"}, 0, "Usage: t <command>", ""},
		{"version", []string{"--version"}, 0, "t ", ""},
		{"verbose", []string{"-v", "do", "ok"}, 0, "done\n", `level=DEBUG msg=doing cmd=t what=ok`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), "t", "test", &testCLI{}, tt.args, strings.NewReader(""), &stdout, &stderr,
				kong.ConfigureHelp(kong.HelpOptions{}))
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tt.wantCode, stderr.String())
			}
			if !strings.HasPrefix(stdout.String(), tt.wantOut) {
				t.Errorf("stdout %q, want prefix %q", stdout.String(), tt.wantOut)
			}
			if tt.wantErrSub == "" && stderr.Len() > 0 && !strings.Contains(tt.name, "verbose") {
				t.Errorf("stderr %q, want nothing", stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErrSub) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), tt.wantErrSub)
			}
		})
	}
}
