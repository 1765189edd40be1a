package nmstate

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarshalYAML(t *testing.T) {
	t.Parallel()
	type m = map[string]any
	type s = []any
	tests := []struct {
		name string
		in   any
		want string
	}{
		{name: "nil", in: nil, want: "null\n"},
		{name: "empty map", in: m{}, want: "{}\n"},
		{name: "empty sequence", in: s{}, want: "[]\n"},
		{name: "nil sequence", in: s(nil), want: "null\n"},
		{name: "scalar", in: "text", want: "text\n"},
		{
			name: "state",
			in: m{
				"interfaces": s{m{
					"name": "eth0", "state": "up", "mtu": int64(1500), "mac-address": "52:54:00:12:34:56",
					"ipv4": m{"enabled": true, "address": s{m{"ip": "10.0.0.1", "prefix-length": int64(24)}}},
					"lldp": m{}, "ports": s{},
				}},
				"routes": m{"config": s{}},
			},
			want: `interfaces:
- ipv4:
    address:
    - ip: 10.0.0.1
      prefix-length: 24
    enabled: true
  lldp: {}
  mac-address: "52:54:00:12:34:56"
  mtu: 1500
  name: eth0
  ports: []
  state: up
routes:
  config: []
`,
		},
		{
			name: "key order",
			in:   m{"a10": 1, "a9": 2, "a": 3, "B": 4, "b": 5, "_x": 6, "1": 7, "10": 8, "2": 9},
			want: "_x: 6\n\"1\": 7\n\"2\": 9\n\"10\": 8\nB: 4\na: 3\na9: 2\na10: 1\nb: 5\n",
		},
		{
			name: "quoting",
			in: s{"yes", "on", "1", "0.5", "2022-01-05T13:34:19Z", "", "~", "null", "1:20", "00:11:22:33:44:55",
				"a: b", "- a", "#x", "a #b", " lead", "trail ", "\ttab", "é", "😀", "<<"},
			want: `- "yes"
- "on"
- "1"
- "0.5"
- "2022-01-05T13:34:19Z"
- ""
- "~"
- "null"
- "1:20"
- "00:11:22:33:44:55"
- 'a: b'
- '- a'
- '#x'
- 'a #b'
- ' lead'
- 'trail '
- "\ttab"
- é
- "\U0001F600"
- <<
`,
		},
		{
			name: "numbers",
			in:   s{int64(-1), uint64(math.MaxUint64), 1.0, math.Copysign(0, -1), 0.5, 1e20, 1e21, 1e-7, 12345678901234567890.0},
			want: "- -1\n- 18446744073709551615\n- 1\n- 0\n- 0.5\n- 1e+20\n- 1e+21\n- 1e-07\n- 12345678901234567000\n",
		},
		{
			name: "multi-line strings",
			in:   m{"a": "one\ntwo", "b": "end\n", "c": "\nstart", "d": "k\n\n", "k\ney": "v"},
			want: "a: |-\n  one\n  two\nb: |\n  end\nc: |2-\n\n  start\nd: |+\n  k\n\n? |-\n  k\n  ey\n: v\n",
		},
		{
			name: "folding",
			in:   m{"description": strings.Repeat("word ", 20) + "end"},
			want: "description: word word word word word word word word word word word word word word\n  word word word word word word end\n",
		},
		{
			name: "long key",
			in:   m{strings.Repeat("k", 129): "v"},
			want: "? " + strings.Repeat("k", 129) + "\n: v\n",
		},
		{
			name: "line separators",
			in:   s{"a\u0085b", "a \u0085\u0085 b", "a\u2028b"},
			want: "- a b\n- |-\n  a\n  b\n- 'a\u2028  b'\n",
		},
		{name: "invalid UTF-8", in: "a\xffb", want: "a\ufffdb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := MarshalYAML(tt.in)
			if err != nil {
				t.Fatalf("MarshalYAML(%#v): %v", tt.in, err)
			}
			if d := cmp.Diff(tt.want, string(got)); d != "" {
				t.Errorf("MarshalYAML(%#v) (-want +got):\n%s", tt.in, d)
			}
		})
	}
}

func TestMarshalJSON(t *testing.T) {
	t.Parallel()
	type m = map[string]any
	type s = []any
	tests := []struct {
		name string
		in   any
		want string
	}{
		{name: "nil", in: nil, want: "null\n"},
		{name: "empty", in: m{"a": m{}, "b": s{}, "c": s(nil), "d": m(nil)}, want: "{\n  \"a\": {},\n  \"b\": [],\n  \"c\": null,\n  \"d\": null\n}\n"},
		{
			name: "state",
			in:   m{"routes": m{"config": s{m{"metric": int64(100), "destination": "0.0.0.0/0"}}}, "hostname": "<a&b>"},
			want: `{
  "hostname": "<a&b>",
  "routes": {
    "config": [
      {
        "destination": "0.0.0.0/0",
        "metric": 100
      }
    ]
  }
}
`,
		},
		{
			name: "scalars",
			in:   s{true, false, int64(-1), uint64(math.MaxUint64), 1.5, 1e21, 1e-7, "\"\\\n\t\x01\u2028\xff"},
			want: "[\n  true,\n  false,\n  -1,\n  18446744073709551615,\n  1.5,\n  1e+21,\n  1e-7,\n  \"\\\"\\\\\\n\\t\\u0001\\u2028\\ufffd\"\n]\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := MarshalJSON(tt.in)
			if err != nil {
				t.Fatalf("MarshalJSON(%#v): %v", tt.in, err)
			}
			if d := cmp.Diff(tt.want, string(got)); d != "" {
				t.Errorf("MarshalJSON(%#v) (-want +got):\n%s", tt.in, d)
			}
		})
	}
}

func TestMarshalErrors(t *testing.T) {
	t.Parallel()
	type m = map[string]any
	type s = []any
	deep := any("x")
	for range maxDepth + 1 {
		deep = s{deep}
	}
	tests := []struct {
		name     string
		in       any
		wantYAML string
		wantJSON string // when it differs from wantYAML
	}{
		{
			name:     "NaN",
			in:       m{"interfaces": s{m{"mtu": math.NaN()}}},
			wantYAML: "interfaces[0].mtu: unsupported value: NaN",
		},
		{
			name:     "infinity",
			in:       s{s{math.Inf(-1)}},
			wantYAML: "[0][0]: unsupported value: -Inf",
		},
		{
			name:     "type",
			in:       m{"a": int32(1)},
			wantYAML: "a: unsupported type int32",
		},
		{
			name:     "control character",
			in:       m{"a": s{"x\x7fy"}},
			wantYAML: `a[0]: control characters are not allowed: '\x7f'`,
			wantJSON: "-",
		},
		{
			name:     "control character in a key",
			in:       m{"a\u0080": 1},
			wantYAML: `a` + "\u0080" + `: control characters are not allowed: '\u0080'`,
			wantJSON: "-",
		},
		{
			name:     "key too long",
			in:       m{strings.Repeat("<", 171): 1},
			wantYAML: strings.Repeat("<", 171) + ": key longer than 1024 characters cannot be printed",
			wantJSON: "-",
		},
		{
			name:     "key with U+0085",
			in:       m{"a\u0085b": 1},
			wantYAML: "a\u0085b: key with U+0085 cannot be printed",
			wantJSON: "-",
		},
		{
			name:     "document marker after U+0085",
			in:       s{"x\u0085... y"},
			wantYAML: "[0]: document marker after U+0085 cannot be printed",
			wantJSON: "-",
		},
		{
			name:     "too deep",
			in:       deep,
			wantYAML: "exceeded max depth of 10000",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			check := func(f func(any) ([]byte, error), fname, want string) {
				got, err := f(tt.in)
				if want == "-" {
					if err != nil {
						t.Errorf("%s: %v", fname, err)
					}
					return
				}
				if err == nil {
					t.Fatalf("%s = %q, want error %q", fname, got, want)
				}
				if err.Error() != want {
					t.Errorf("%s error %q, want %q", fname, err, want)
				}
				if me := (*MarshalError)(nil); !errors.As(err, &me) {
					t.Errorf("%s error is a %T, want a *MarshalError", fname, err)
				}
			}
			check(MarshalYAML, "MarshalYAML", tt.wantYAML)
			wantJSON := tt.wantJSON
			if wantJSON == "" {
				wantJSON = tt.wantYAML
			}
			check(MarshalJSON, "MarshalJSON", wantJSON)
		})
	}
}

func TestMarshalOrdered(t *testing.T) {
	t.Parallel()
	type m = map[string]any
	type s = []any
	tests := []struct {
		name     string
		in       any
		wantYAML string
		wantJSON string
	}{
		{name: "nil", in: Ordered(nil), wantYAML: "null\n", wantJSON: "null\n"},
		{name: "empty", in: Ordered{}, wantYAML: "{}\n", wantJSON: "{}\n"},
		{
			name: "own order, maps inside sorted",
			in: Ordered{
				{"routes", Ordered{{"running", s{}}, {"config", s{}}}},
				{"interfaces", s{
					Ordered{{"name", "eth0"}, {"type", "ethernet"}, {"ipv4", m{"enabled": true, "address": s{}}}},
					Ordered{},
				}},
				{"1", "yes"},
			},
			wantYAML: `routes:
  running: []
  config: []
interfaces:
- name: eth0
  type: ethernet
  ipv4:
    address: []
    enabled: true
- {}
"1": "yes"
`,
			wantJSON: `{
  "routes": {
    "running": [],
    "config": []
  },
  "interfaces": [
    {
      "name": "eth0",
      "type": "ethernet",
      "ipv4": {
        "address": [],
        "enabled": true
      }
    },
    {}
  ],
  "1": "yes"
}
`,
		},
		{
			name:     "nested deeper than its parent's siblings",
			in:       s{Ordered{{"b", Ordered{{"z", 1}, {"a", s{Ordered{{"y", 2}, {"x", 3}}}}}}, {"a", 4}}},
			wantYAML: "- b:\n    z: 1\n    a:\n    - \"y\": 2\n      x: 3\n  a: 4\n",
			wantJSON: "[\n  {\n    \"b\": {\n      \"z\": 1,\n      \"a\": [\n        {\n          \"y\": 2,\n          \"x\": 3\n        }\n      ]\n    },\n    \"a\": 4\n  }\n]\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := MarshalYAML(tt.in)
			if err != nil {
				t.Fatalf("MarshalYAML: %v", err)
			}
			if d := cmp.Diff(tt.wantYAML, string(got)); d != "" {
				t.Errorf("MarshalYAML (-want +got):\n%s", d)
			}
			got, err = MarshalJSON(tt.in)
			if err != nil {
				t.Fatalf("MarshalJSON: %v", err)
			}
			if d := cmp.Diff(tt.wantJSON, string(got)); d != "" {
				t.Errorf("MarshalJSON (-want +got):\n%s", d)
			}
		})
	}
}

func TestMarshalOrderedErrors(t *testing.T) {
	t.Parallel()
	in := Ordered{{"interfaces", []any{Ordered{{"name", "x"}, {"mtu", math.Inf(1)}}}}}
	for fname, f := range map[string]func(any) ([]byte, error){"MarshalYAML": MarshalYAML, "MarshalJSON": MarshalJSON} {
		_, err := f(in)
		if want := "interfaces[0].mtu: unsupported value: +Inf"; err == nil || err.Error() != want {
			t.Errorf("%s error %v, want %q", fname, err, want)
		}
	}
	if _, err := MarshalYAML(Ordered{{"a\u0085b", 1}}); err == nil || err.Error() != "a\u0085b: key with U+0085 cannot be printed" {
		t.Errorf("MarshalYAML error %v for a key with U+0085", err)
	}
}
