package capture

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netplumb/netplumb/nmstate"
)

// TestLocate checks that errors inside expressions and templates land on
// the file position of the offending character, in every scalar style.
// The offending character is always '-' (an illegal rune) or a template
// naming the capture "nosuch".
func TestLocate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		policy     string
		line, col  int
		desiredErr bool
	}{
		{"plain", "capture:\n  a: interfaces.name==-x\n", 2, 23, false},
		{"double quoted", "capture:\n  a: \"interfaces.name==-x\"\n", 2, 24, false},
		{"double quoted with escapes", "capture:\n  a: \"x.y == \\\"e\\\" \\u0041 -\"\n", 2, 27, false},
		{"single quoted with ''", "capture:\n  a: 'x.y == \"it''s\" -'\n", 2, 22, false},
		{"folded", "capture:\n  a: >-\n    interfaces.name ==\n    -x\n", 4, 5, false},
		{"literal", "capture:\n  a: |\n    interfaces.name ==\n      -x\n", 4, 7, false},
		{"multi-line plain", "capture:\n  a: interfaces.name\n    ==\n    -x\n", 4, 5, false},
		{"multi-line plain with a blank line", "capture:\n  a: interfaces.name\n    ==\n\n    -x\n", 5, 5, false},
		{"unicode before", "capture:\n  é: 'ñ.ñ == \"ü\" -'\n", 2, 18, false},
		{"template", "capture:\n  a: x.y\ndesiredState:\n  l:\n  - k: \"{{ capture.nosuch.x }}\"\n", 5, 12, true},
		{"template after escapes", "capture:\n  a: x.y\ndesiredState:\n  k: \"\\\"{{ capture.nosuch.x }}\\\"\"\n", 4, 12, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := ParsePolicy([]byte(tt.policy))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Generate(doc.Policy, map[string]any{}, nil, testTime)
			if err == nil {
				t.Fatal("Generate succeeded")
			}
			var te *TemplateError
			if errors.As(err, &te) != tt.desiredErr {
				t.Fatalf("unexpected error kind: %v", err)
			}
			line, col, ok := doc.Locate(err)
			if !ok || line != tt.line || col != tt.col {
				t.Errorf("Locate(%v) = %d:%d (%t), want %d:%d", err, line, col, ok, tt.line, tt.col)
			}
		})
	}
}

func TestParsePolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		src     string
		want    Policy
		kind    string
		wantErr string
	}{
		{name: "empty", src: "", want: Policy{Capture: map[string]string{}}},
		{name: "plain", src: "capture:\n  a: x.y\ndesiredState:\n  b: 1\n",
			want: Policy{Capture: map[string]string{"a": "x.y"}, DesiredState: map[string]any{"b": int64(1)}}},
		{name: "keys match case-insensitively", src: "Capture:\n  a: x.y\ndesiredstate: {b: c}\n",
			want: Policy{Capture: map[string]string{"a": "x.y"}, DesiredState: map[string]any{"b": "c"}}},
		{name: "null expression is empty", src: "capture:\n  a:\n",
			want: Policy{Capture: map[string]string{"a": ""}}},
		{name: "aliases", src: "capture:\n  a: &e x.y == 'z'\n  b: *e\n",
			want: Policy{Capture: map[string]string{"a": "x.y == 'z'", "b": "x.y == 'z'"}}},
		{name: "merge keys", src: "base: &b\n  a: x.y\ncapture:\n  <<: *b\n  c: z.w\n",
			want: Policy{Capture: map[string]string{"a": "x.y", "c": "z.w"}}},
		{name: "manifest", kind: "NodeNetworkConfigurationPolicy",
			src:  "apiVersion: nmstate.io/v1\nkind: NodeNetworkConfigurationPolicy\nmetadata: {name: br}\nspec:\n  capture: {a: x.y}\n  desiredState: {b: true}\n",
			want: Policy{Capture: map[string]string{"a": "x.y"}, DesiredState: map[string]any{"b": true}}},
		{name: "not a map", src: "- a\n", wantErr: "line 1, column 1: a policy is a map with capture and desiredState, not a list"},
		{name: "number expression", src: "capture:\n  a: 5\n", wantErr: `line 2, column 6: capture "a": the expression is a number, not a string`},
		{name: "capture twice", src: "capture:\n  a: x.y\n  a: z.w\n", wantErr: `line 3, column 3: capture "a" is defined twice`},
		{name: "key twice in desiredState", src: "desiredState:\n  a: 1\n  b: 2\n  a: 3\n",
			wantErr: `line 4, column 3: desiredState: mapping key "a" defined twice`},
		{name: "two documents", src: "capture: {a: x.y}\n---\ncapture: {b: x.y}\n",
			wantErr: "line 3, column 1: a policy file holds one document, this one holds 2"},
		{name: "manifest without spec", src: "kind: NodeNetworkConfigurationPolicy\n",
			wantErr: "line 1, column 1: NodeNetworkConfigurationPolicy without a spec map"},
		{name: "yaml error", src: "capture:\n  a: [x\n", wantErr: "line 2: did not find expected ',' or ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := ParsePolicy([]byte(tt.src))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParsePolicy error = %v, want %q", err, tt.wantErr)
				}
				var se *nmstate.SyntaxError
				if !errors.As(err, &se) {
					t.Errorf("error %T is not a *nmstate.SyntaxError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, doc.Policy); diff != "" {
				t.Errorf("policy (-want +got):\n%s", diff)
			}
			if doc.Kind != tt.kind {
				t.Errorf("Kind = %q, want %q", doc.Kind, tt.kind)
			}
		})
	}
}

func TestCache(t *testing.T) {
	t.Parallel()
	in := `b:
  metainfo:
    timestamp: "2021-12-15T13:45:40.5+01:00"
  State:
    x: 1
a:
  MetaInfo: {TimeStamp: "2022-01-05T13:34:19.093163227Z", Version: "0"}
  State: null
`
	entries, err := DecodeCache([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := EncodeCache(entries)
	if err != nil {
		t.Fatal(err)
	}
	want := `a:
  MetaInfo:
    TimeStamp: "2022-01-05T13:34:19.093163227Z"
    Version: "0"
  State: null
b:
  MetaInfo:
    TimeStamp: "2021-12-15T13:45:40.5+01:00"
    Version: ""
  State:
    x: 1
`
	if string(out) != want {
		t.Errorf("EncodeCache =\n%s\nwant\n%s", out, want)
	}
	if out, err := EncodeCache(nil); err != nil || len(out) != 0 {
		t.Errorf("EncodeCache(nil) = %q, %v; want an empty file", out, err)
	}
	for _, bad := range []struct{ src, want string }{
		{"- a\n", "cache is a list, not a map of captures"},
		{"a: 1\n", `cache entry "a": a number (1), not a map with MetaInfo and State`},
		{"a: {MetaInfo: 3}\n", `cache entry "a": MetaInfo is a number (3), not a map`},
		{"a: {MetaInfo: {TimeStamp: now}}\n", `cache entry "a": MetaInfo.TimeStamp "now" is not an RFC 3339 time`},
		{"a: {MetaInfo: {Version: 0}}\n", `cache entry "a": MetaInfo.Version is a number (0), not a string`},
	} {
		if _, err := DecodeCache([]byte(bad.src)); err == nil || err.Error() != bad.want {
			t.Errorf("DecodeCache(%q) error = %v, want %q", bad.src, err, bad.want)
		}
	}
}

func TestLint(t *testing.T) {
	t.Parallel()
	src := `capture:
  gw: routes.running.destination=="0.0.0.0/0"
  bad: interfaces.name==-x
  uses-bad: interfaces.name==capture.bad.interfaces.0.name
  cyc-a: capture.cyc-b | interfaces.name=="x"
  cyc-b: interfaces.name==capture.cyc-a.interfaces.0.name
  idx: interfaces.0.name=="x"
  lone: '"just a string"'
  rhs: interfaces.name==eth0
  pipe-extra: capture.gw.routes | interfaces.name=="x"
  prefix: capture.nosuch.interfaces.name=="x"
desiredState:
  interfaces:
  - name: "{{ capture.gw.routes.running.0.next-hop-interface }}"
    typo: x
    ipv4: "{{ capture.gw }}"
  - name: "{{capture.gw.x}}"
  - name: "{{ capture.gw.x"
  - name: "{{ capture.missing.x }}.10"
`
	var got []string
	for _, d := range Lint([]byte(src)) {
		got = append(got, strings.Join([]string{strconv.Itoa(d.Line), strconv.Itoa(d.Col), d.Severity.String(), d.Msg}, ":"))
	}
	want := []string{
		`3:25:error:capture "bad": illegal rune '-'`,
		`5:10:error:capture "cyc-a": capture cycle: cyc-a -> cyc-b -> cyc-a`,
		`7:19:error:capture "idx": index step 0: only capture references may use indexes`,
		`8:10:error:capture "lone": expression is a lone value ("just a string"): it must be a path, a filter or a replace`,
		`9:25:error:capture "rhs": eth0 is not a capture reference: right-hand paths must start with capture.NAME`,
		`10:26:warning:capture "pipe-extra": steps after the capture name of a pipe input are ignored`,
		`11:11:warning:capture "prefix": capture.nosuch names no capture: the prefix is skipped and the rest of the path reads the current state`,
		`15:5:error:desiredState.interfaces[0]: unknown key "typo", did you mean "type"?`,
		`17:12:error:desiredState.interfaces[1].name: malformed template "{{capture.gw.x}}": write {{ capture.NAME.path }}, with one space inside each pair of braces`,
		`18:12:error:desiredState.interfaces[2].name: malformed template: "{{" without a matching "}}"`,
		`19:15:error:desiredState.interfaces[3].name: capture entry "missing" not found`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Lint (-want +got):\n%s", diff)
	}
}

var testTime = time.Unix(0, 0)
