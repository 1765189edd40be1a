package nmstate

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	type m = map[string]any
	type s = []any
	tests := []struct {
		name string
		in   string
		want any
		// fast says the fast decoder handles the input itself.
		fast bool
	}{
		{name: "empty", in: "", want: nil, fast: true},
		{name: "blank", in: "  \n\n   \n", want: nil, fast: true},
		{name: "comments", in: "# a\n  # b\n", want: nil, fast: true},
		{name: "document start only", in: "--- # c\n", want: nil, fast: true},
		{
			name: "interface",
			in: `interfaces:
- name: eth0
  type: ethernet
  state: up
  mtu: 1500
  mac-address: 52:54:00:12:34:56
  ipv4:
    enabled: true
    dhcp: false
    address:
    - ip: 192.168.122.10
      prefix-length: 24
  ipv6:
    address: []
  lldp: {}
`,
			want: m{"interfaces": s{m{
				"name": "eth0", "type": "ethernet", "state": "up", "mtu": int64(1500),
				"mac-address": "52:54:00:12:34:56",
				"ipv4": m{
					"enabled": true, "dhcp": false,
					"address": s{m{"ip": "192.168.122.10", "prefix-length": int64(24)}},
				},
				"ipv6": m{"address": s{}},
				"lldp": m{},
			}}},
			fast: true,
		},
		{
			name: "indented sequences and comments",
			in: `---
# leading comment
routes:
  config:   # trailing comment
    -   destination: 0.0.0.0/0   # default
        next-hop-interface: eth0

    # between items
    -   destination: ::/0
`,
			want: m{"routes": m{"config": s{
				m{"destination": "0.0.0.0/0", "next-hop-interface": "eth0"},
				m{"destination": "::/0"},
			}}},
			fast: true,
		},
		{
			name: "nested sequences and empty items",
			in:   "- - a\n  - - b\n-\n- c\n-\n  - d\n",
			want: s{s{"a", s{"b"}}, nil, "c", s{"d"}},
			fast: true,
		},
		{
			name: "null values",
			in:   "a:\nb: ~\nc: null\nd:\n  # only a comment\ne: # comment\n",
			want: m{"a": nil, "b": nil, "c": nil, "d": nil, "e": nil},
			fast: true,
		},
		{
			name: "scalar on the next line",
			in:   "a:\n  text\nb:\n  - x\n",
			want: m{"a": "text", "b": s{"x"}},
			fast: true,
		},
		{
			name: "booleans and nulls of the core schema",
			in:   "a: [true, True, TRUE, false, False, FALSE, null, Null, NULL, ~, yes, no, on, off, y, n]",
			want: m{"a": s{true, true, true, false, false, false, nil, nil, nil, nil, "yes", "no", "on", "off", "y", "n"}},
		},
		{
			name: "booleans and nulls in block style",
			in:   "- true\n- False\n- NULL\n- ~\n- yes\n- No\n- on\n- OFF\n- y\n",
			want: s{true, false, nil, nil, "yes", "No", "on", "OFF", "y"},
			fast: true,
		},
		{
			name: "integers",
			in: "- 0\n- -0\n- +1\n- 42\n- -17\n- 0123\n- 08\n- 0o17\n- -0o17\n- 0x1F\n- 0X1f\n- 0b101\n- -0b11\n" +
				"- 1_000\n- 9223372036854775807\n- -9223372036854775808\n- 9223372036854775808\n" +
				"- 18446744073709551615\n- 18446744073709551616\n- 0x8000000000000000\n",
			want: s{
				int64(0), int64(0), int64(1), int64(42), int64(-17), int64(83), 8.0, int64(15), int64(-15),
				int64(31), int64(31), int64(5), int64(-3), int64(1000),
				int64(math.MaxInt64), int64(math.MinInt64), uint64(1 << 63),
				uint64(math.MaxUint64), 1.8446744073709552e19, uint64(1 << 63),
			},
			fast: true,
		},
		{
			name: "floats",
			in:   "- 1.5\n- 1.\n- .5\n- +.5\n- -1.25e3\n- 1E-3\n- 1.e5\n- .inf\n- -.Inf\n- +.INF\n",
			want: s{1.5, 1.0, 0.5, 0.5, -1250.0, 0.001, 1e5, math.Inf(1), math.Inf(-1), math.Inf(1)},
			fast: true,
		},
		{
			name: "strings that look almost like numbers",
			in: "- 1e400\n- 2022-01-05\n- 2022-01-05T13:34:19Z\n- 1:20\n- 10.0.0.1\n- 10.0.0.0/8\n" +
				"- 0x\n- 0b2\n- 1_\n- ._5\n- +\n- 52:54:00:12:34:56\n- fe80::1\n",
			want: s{"1e400", "2022-01-05", "2022-01-05T13:34:19Z", "1:20", "10.0.0.1", "10.0.0.0/8",
				"0x", "0b2", int64(1), "._5", "+", "52:54:00:12:34:56", "fe80::1"},
			fast: true,
		},
		{
			name: "plain scalars with indicators inside",
			in:   "- a:b\n- a#b\n- a #b\n- -a\n- ?a\n- ::1\n- a, b [c] {d}\n- 'it''s'\n- a'b\"c\n",
			want: s{"a:b", "a#b", "a", "-a", "?a", "::1", "a, b [c] {d}", "it's", "a'b\"c"},
			fast: true,
		},
		{
			name: "escaped line break",
			in:   "- \"a\\\n  b\"\n",
			want: s{"ab"},
		},
		{
			name: "double-quoted escapes in the fast subset",
			in:   `- "\0\a\b\t\n\v\f\r\e\ \"\\\N\_\L\P\x41\u00e9\U0001F600\'"` + "\n",
			want: s{"\x00\a\b\t\n\v\f\r\x1b \"\\\u0085\u00a0\u2028\u2029A\u00e9\U0001F600'"},
			fast: true,
		},
		{
			name: "quoted keys and spaces before the colon",
			in:   "\"a b\": 1\n'c''d' : 2\ne : 3\n\"\": 4\n",
			want: m{"a b": int64(1), "c'd": int64(2), "e": int64(3), "": int64(4)},
			fast: true,
		},
		{
			name: "keys of other types",
			in:   "1: a\n0x10: b\n1.5: c\n0.1: d\ntrue: e\n~: f\n.inf: g\n2001-12-14: h\n18446744073709551615: i\n",
			want: m{"1": "a", "16": "b", "1.5": "c", "0.1": "d", "true": "e", "null": "f", ".inf": "g",
				"2001-12-14": "h", "18446744073709551615": "i"},
			fast: true,
		},
		{
			name: "keys yaml.v3 merges",
			in:   "1: a\n01: b\n",
			want: m{"1": "b"},
		},
		{
			name: "root mapping indented",
			in:   "  a: 1\n  b: 2\n",
			want: m{"a": int64(1), "b": int64(2)},
			fast: true,
		},
		{name: "root scalar", in: "text\n", want: "text", fast: true},
		{name: "root quoted scalar", in: "'text' # c\n", want: "text", fast: true},
		{
			name: "non-ASCII",
			in:   "name: Straße\nemoji: 😀\n",
			want: m{"name": "Straße", "emoji": "😀"},
			fast: true,
		},
		{
			name: "anchors, aliases and merge keys",
			in:   "base: &b\n  a: 1\nderived:\n  <<: *b\n  c: 2\ncopy: *b\n",
			want: m{"base": m{"a": int64(1)}, "derived": m{"a": int64(1), "c": int64(2)}, "copy": m{"a": int64(1)}},
		},
		{
			name: "tags",
			in:   "a: !!str 1\nb: !!float 2\nc: !!binary aGk=\nd: !!timestamp 2001-12-14\ne: !custom x\n",
			want: m{"a": "1", "b": 2.0, "c": "hi", "d": "2001-12-14T00:00:00Z", "e": "x"},
		},
		{
			name: "flow collections",
			in:   "a: [1, {b: c}]\n",
			want: m{"a": s{int64(1), m{"b": "c"}}},
		},
		{
			name: "block scalars",
			in:   "a: |\n  one\n  two\nb: >-\n  folded\n  text\n",
			want: m{"a": "one\ntwo\n", "b": "folded text"},
		},
		{
			name: "multi-line plain and quoted scalars",
			in:   "a: plain\n  continued\nb: \"double\n  quoted\"\n",
			want: m{"a": "plain continued", "b": "double quoted"},
		},
		{name: "tabs", in: "a:\tb\n", want: m{"a": "b"}},
		{name: "CRLF", in: "a: b\r\nc: d\r\n", want: m{"a": "b", "c": "d"}},
		{name: "byte order mark", in: "\ufeffa: 1\n", want: m{"a": int64(1)}},
		{name: "document end", in: "a: 1\n...\n", want: m{"a": int64(1)}},
		{
			name: "JSON",
			in:   ` {"a": [1, -0, 1.0, 2.5e3, 18446744073709551615, 1e30, true, null, "<&>"], "b": {}}`,
			want: m{"a": s{int64(1), int64(0), 1.0, 2500.0, uint64(math.MaxUint64), 1e30, true, nil, "<&>"}, "b": m{}},
		},
		{name: "JSON array", in: "[]\n", want: s{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.in, err)
			}
			if d := cmp.Diff(tt.want, got, treeOpts); d != "" {
				t.Errorf("Decode(%q) (-want +got):\n%s", tt.in, d)
			}
			if _, res, _ := decodeFast([]byte(tt.in)); tt.fast && res != fastOK {
				t.Errorf("the fast decoder left %q to yaml.v3", tt.in)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{
			name: "duplicate key",
			in:   "a: 1\na: 2\n",
			want: `line 2, column 1: mapping key "a" already defined at line 1`,
		},
		{
			name: "duplicate key quoted",
			in:   "a:\n  b: 1\n  c:\n    d: 1\n  \"b\": 2\n",
			want: `line 5, column 3: mapping key "b" already defined at line 2`,
		},
		{
			name: "duplicate key null",
			in:   "- \"~\": 1\n  ~: 2\n",
			want: `line 2, column 3: mapping key "~" already defined at line 1`,
		},
		{
			name: "duplicate key in flow style",
			in:   "a: [1]\nb: {c: 1, c: 2}\n",
			want: `line 2, column 5: mapping key "c" already defined at line 2`,
		},
		{
			name: "keys that become the same string",
			in:   "1: a\n1.0: b\n",
			want: `line 2, column 1: mapping key "1" defined twice`,
		},
		{
			name: "second document",
			in:   "a: 1\n---\nb: 2\n",
			want: "line 2, column 1: unexpected second document",
		},
		{
			name: "second empty document",
			in:   "a: 1\n--- # nothing\n",
			want: "line 2, column 1: unexpected second document",
		},
		{
			name: "second document after end marker",
			in:   "a: 1\n...\n---\nb: 2\n",
			want: "line 3, column 1: unexpected second document",
		},
		{
			name: "mapping in a value",
			in:   "a: b: c\n",
			want: "line 1: mapping values are not allowed in this context",
		},
		{
			name: "bad indentation",
			in:   "a:\n    b: 1\n  c: 2\n",
			want: "line 3: did not find expected key",
		},
		{
			name: "tab indentation",
			in:   "a:\n\tb: 1\n",
			want: "line 2: found character that cannot start any token",
		},
		{
			name: "unknown escape",
			in:   "a: 1\nb: \"\\q\"\n",
			want: "line 2: found unknown escape character",
		},
		{
			name: "unterminated flow sequence",
			in:   "- a\n- b: [\n",
			want: "line 3: did not find expected node content",
		},
		{
			name: "unknown anchor",
			in:   "a: *x\n",
			want: "unknown anchor 'x' referenced",
		},
		{
			name: "bad tag",
			in:   "a: !!int x\n",
			want: "cannot decode !!str `x` as a !!int",
		},
		{
			name: "JSON duplicate key",
			in:   "[\n  {\"k\": 1,\n   \"k\": 2}\n]\n",
			want: `line 3, column 4: mapping key "k" already defined at line 2`,
		},
		{
			name: "JSON syntax",
			in:   `{"a": x}`,
			want: "line 1, column 7: invalid character 'x' looking for beginning of value",
		},
		{
			name: "JSON end",
			in:   "{\"a\":\n 1",
			want: "line 2, column 3: unexpected end of JSON input",
		},
		{
			name: "JSON trailing data",
			in:   "[1] # comment",
			want: "line 1, column 5: invalid character '#' after top-level value",
		},
		{
			name: "JSON number",
			in:   `{"a": 1e400}`,
			want: "line 1, column 7: number 1e400 out of range",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Decode([]byte(tt.in))
			if err == nil {
				t.Fatalf("Decode(%q) = %#v, want error %q", tt.in, got, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Decode(%q) error %q, want %q", tt.in, err, tt.want)
			}
			if se := (*SyntaxError)(nil); !errors.As(err, &se) {
				t.Errorf("Decode(%q) error is a %T, want a *SyntaxError", tt.in, err)
			}
		})
	}
}

func TestSyntaxErrorFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  SyntaxError
		want string
	}{
		{SyntaxError{Line: 3, Column: 7, Msg: "bad"}, "line 3, column 7: bad"},
		{SyntaxError{Line: 3, Msg: "bad"}, "line 3: bad"},
		{SyntaxError{Msg: "bad"}, "bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestResolvePlainMatchesYAMLv3(t *testing.T) {
	t.Parallel()
	// resolvePlain's fast checks must decide as yaml.v3 does.
	for _, s := range []string{
		"0", "00", "007", "08", "-08", "+0", "+", "_", "1_", "_1", "1__0", "0x", "0x_1", "0xG", "-0x10", "+0x10",
		"0o", "0o8", "0o-1", "-0o-1", "0b", "0b-1", "0b+1", "-0b-1", "0B1", "0O7", "0X1", "1e", "1e+", "1e5", "1E+5",
		".", "..", ".e5", ".0_0", ".1_5e1_0", "._1", ".1_", ".5.", "1.2.3", "+.5", "-.5e-3", "1_0.5", "1.5_", "9999999999999999999", "-9999999999999999999",
		"99999999999999999999", "0x10000000000000000", "1:2", "1-2", "2022-1-1", "2022-01-01 10:00:00", "1a", "1f",
		"deadbeef", "0deadbeef", "+inf", "-inf", "inf", "nan", ".Nan", "+.inf", "+.NaN", "<<", "<", "~~", "nULL",
	} {
		got := resolvePlain(s)
		want, err := decodeYAMLv3([]byte("- " + s + "\n"))
		if err != nil {
			t.Errorf("yaml.v3 on %q: %v", s, err)
			continue
		}
		if s == "<<" {
			continue // a merge key only in keys
		}
		if d := cmp.Diff(want.([]any)[0], got, treeOpts); d != "" {
			t.Errorf("resolvePlain(%q) (-want +got):\n%s", s, d)
		}
	}
}
