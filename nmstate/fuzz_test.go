package nmstate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	sigsyaml "sigs.k8s.io/yaml"
)

// seeds are inputs for the differential tests and the fuzz targets' corpus:
// NMState snippets in the styles nmstatectl, kubernetes-nmstate and people
// write, and scalars and layouts that are easy to get wrong.
var seeds = []string{
	// Flow collections on one line, as people write states by hand, and
	// the flow forms the fast decoder leaves to yaml.v3.
	`interfaces:
- {name: eth0, type: ethernet, state: up}
- name: bond0
  link-aggregation: {mode: 802.3ad, port: [eth0, eth1], options: {miimon: 100}}
  ipv6: {address: [{ip: '2604:1380:4641:c500::1', prefix-length: 127}]}  # comment
routes:
  config: [{destination: ::/0, next-hop-address: "2604:1380::", metadata: {}}, []]
`,
	"a: [1, 2,]\n", "a: [1,\n  2]\n", "a: {x, y: 1}\n", "a: [x: 1]\n", "a: {\"x\":1}\n", "a: [?x]\n",
	"a: {x: 1, x: 2}\n", "[a]: b\n", "a: [b] c\n", "a: [::1, a:b, a?b, a#b, a #b]\n", "a: [-, -a]\n",
	"- [&x a, *x]\n", "a: {<<: {b: 1}}\n", "a: [b]]\n", "a: {b: [c}]\n", "a: [ ]\n", "a: { }\n",
	// Deep nesting, near and past the fast decoder's limit.
	"a: " + strings.Repeat("[", 499) + "x" + strings.Repeat("]", 499) + "\n",
	"a: " + strings.Repeat("{b: ", 501) + "x" + strings.Repeat("}", 501) + "\n",
	// NMState as nmstatectl show prints it.
	`dns-resolver:
  config: {}
  running:
    search:
    - example.com
    server:
    - 192.168.122.1
    - 2001:db8::1
hostname:
  config: node-1
  running: node-1
interfaces:
- accept-all-mac-addresses: false
  ethtool:
    feature:
      rx-checksum: true
      tx-tcp-segmentation: false
    ring:
      rx: 256
      tx: 256
  ipv4:
    address:
    - ip: 192.168.122.10
      prefix-length: 24
    dhcp: false
    enabled: true
  ipv6:
    address:
    - ip: fe80::5054:ff:fe12:3456
      prefix-length: 64
    autoconf: false
    dhcp: false
    enabled: true
  lldp:
    enabled: false
  mac-address: 52:54:00:12:34:56
  mtu: 1500
  name: eth0
  state: up
  type: ethernet
- bridge:
    options:
      stp:
        enabled: false
    port:
    - name: eth1
      stp-hairpin-mode: false
      stp-path-cost: 100
      stp-priority: 32
  name: br0
  state: up
  type: linux-bridge
route-rules:
  config:
  - ip-from: 10.0.0.0/8
    priority: 1000
    route-table: 100
routes:
  config:
  - destination: 0.0.0.0/0
    metric: 100
    next-hop-address: 192.168.122.1
    next-hop-interface: eth0
    table-id: 254
  running:
  - destination: ::/0
    metric: 1024
    next-hop-address: fe80::1
    next-hop-interface: eth0
    table-id: 254
`,
	// A policy, indented sequences, comments, quotes, a leading "---".
	`---
# A policy.
capture:
  default-gw: routes.running.destination=="0.0.0.0/0"   # the default route
  base-iface: interfaces.name==capture.default-gw.routes.running.0.next-hop-interface
desiredState:
    interfaces:
        -   name: br1
            description: 'Linux bridge with base interface as a port'
            type: linux-bridge
            state: up
            ipv4: "{{ capture.base-iface.interfaces.0.ipv4 }}"
            bridge:
                options:
                    stp:
                        enabled: false
                port:
                    - name: "{{ capture.base-iface.interfaces.0.name }}"
`,
	// A kubernetes-nmstate manifest.
	`apiVersion: nmstate.io/v1
kind: NodeNetworkConfigurationPolicy
metadata:
  name: br1-eth1-policy
spec:
  nodeSelector:
    node-role.kubernetes.io/worker: ""
  desiredState:
    interfaces:
    - name: br1
      type: linux-bridge
      state: up
      ipv4:
        dhcp: true
        enabled: true
`,
	// Scalars.
	`- null
- Null
- NULL
- ~
-
- true
- True
- TRUE
- false
- yes
- no
- on
- off
- y
- n
- 0
- -0
- +1
- 0123
- 08
- 0o17
- 0x1F
- 0X1f
- 0b101
- -0b11
- 0b-101
- 1_000
- 9223372036854775807
- 9223372036854775808
- 18446744073709551615
- 18446744073709551616
- -9223372036854775808
- -9223372036854775809
- 1.5
- 1.
- .5
- +.5
- 1e3
- 1E-3
- 1.e5
- 1e400
- .inf
- -.Inf
- +.INF
- .nan
- .NaN
- 2022-01-05
- 2022-01-05T13:34:19Z
- 2001-12-14 21:59:43.10 -5
- 1:20
- 12:30:45
- 00:11:22:33:44:55
- 10.0.0.1
- 10.0.0.0/8
- ::1
- fe80::1%eth0
- -1
- -a
- ?a
- :a
- a:b
- a#b
- a #b
- <<x
- "quoted"
- 'single ''quotes'''
- "esc \t \" \\ \x41 \u00e9 \U0001F600 \N \_ \L \P \0 \e \ \a"
- ""
- ''
- {}
- []
- - nested
  - - deeper
- ~key: value
`,
	// Keys of other types.
	`1: one
0x10: sixteen
1.5: float
true: bool
~: null
2001-12-14: date
.inf: inf
`,
	`a: 1
a: 2
`,
	`a: 1
b:
  c: 1
  "c": 2
`,
	`"~": a
~: b
`,
	`1: a
01: b
`,
	`1: a
"1": b
`,
	// Not in the fast subset.
	`a: &x 1
b: *x
`,
	`base: &base
  a: 1
derived:
  <<: *base
  b: 2
`,
	`a: !!str 1
b: !!float 2
c: !!binary aGVsbG8=
d: !!timestamp 2001-12-14
`,
	`a: [1, 2,
  {b: c}]
`,
	`a: |
  line 1
  line 2
b: >-
  folded
  text
`,
	`a: plain
  continued
`,
	`a: "double
  quoted"
`,
	`? complex
: key
`,
	"%YAML 1.2\n---\na: 1\n",
	"a:\tb\n",
	"a: b\r\nc: d\r\n",
	"\ufeffa: 1\n",
	"a: 1\n...\n",
	"a: 1\n---\nb: 2\n",
	"a: 1\n---\n",
	"--- # comment\na: 1\n",
	"---\n",
	"# only a comment\n",
	"",
	"   \n\n",
	"scalar\n",
	"'quoted scalar'\n",
	"- a\n- b\n  c\n",
	"a:\n  - x\n - y\n",
	"a:\n    b: 1\n  c: 2\n",
	"a: 1\n- b\n",
	"- a: 1\n  b: 2\n- c\n",
	"- a: 1\n b: 2\n",
	"-\n-\n  - x\n",
	"a:\n-\n- b\n",
	"a: b: c\n",
	"a: - b\n",
	"a: 'x' # c\nb: \"y\"   # d\n",
	"a: 'x'#c\n",
	"a: \"bad \\q escape\"\n",
	"a: \"slash \\/ escape\"\n",
	"a: \"\\ud800\"\n",
	"a: @x\n",
	"a: `x`\n",
	"a: {b: 1}\n",
	"a: { }\n",
	"\"a\": 1\n'b': 2\n\"c\" : 3\n",
	"a : 1\n",
	"key with spaces: value with spaces\n",
	"a: x\u00e9\u4e16\U0001F600\n",
	"a: \x7f\n",
	"a: \u0085\n",
	"  indented: root\n  second: 2\n",
	"[1, 2]\n",
	"{\"a\": 1, \"a\": 2}",
	"{\"a\": [1, 2.5, -3, 1e400]}",
	"{\"a\": 18446744073709551615, \"b\": -0, \"c\": 1.0}",
	"[] x",
	"{\"a\": 1",
}

// corpusEntry is an input of the differential tests.
type corpusEntry struct {
	name string
	data []byte
}

// corpus returns the seeds plus the conformance cases' current states, when
// the shared tree is beside the repository.
func corpus(t testing.TB) []corpusEntry {
	var out []corpusEntry
	for i, s := range seeds {
		out = append(out, corpusEntry{fmt.Sprintf("seed%02d", i), []byte(s)})
	}
	// Read in place; none when ../shared is absent.
	files, _ := filepath.Glob("../../shared/conformance/nmpolicy/cases/*/current.yaml")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, corpusEntry{filepath.Base(filepath.Dir(f)), b})
	}
	return out
}

// treeOpts compares model trees; NaN equals NaN.
var treeOpts = cmp.Options{cmpopts.EquateNaNs()}

// checkDecode is the differential check of the decoder against yaml.v3.
func checkDecode(t *testing.T, data []byte) {
	t.Helper()
	want, werr := decodeYAMLv3(data)
	got, res, ferr := decodeFast(data)
	switch res {
	case fastOK:
		if werr != nil {
			t.Fatalf("fast decoder accepted %q, yaml.v3 rejected it: %v", data, werr)
		}
		if d := treeDiff("$", want, got); d != "" {
			t.Fatalf("fast decoder of %q: %s", data, d)
		}
	case fastError:
		if werr == nil {
			t.Fatalf("fast decoder rejected %q (%v), yaml.v3 accepted it", data, ferr)
		}
	}
	if first := bytes.TrimLeft(data, " \t\r\n"); len(first) > 0 && (first[0] == '{' || first[0] == '[') {
		return // the JSON path, which FuzzDecodeJSON checks
	}
	dv, derr := Decode(data)
	if (derr == nil) != (werr == nil) {
		t.Fatalf("Decode(%q) error %v, yaml.v3 error %v", data, derr, werr)
	}
	if derr == nil {
		if d := treeDiff("$", want, dv); d != "" {
			t.Fatalf("Decode(%q): %s", data, d)
		}
	}
}

func TestDecodeDifferential(t *testing.T) {
	t.Parallel()
	for _, c := range corpus(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkDecode(t, c.data)
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, c := range corpus(f) {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}

// modelTree decodes data for the encoder tests, or reports false.
func modelTree(data []byte) (any, bool) {
	v, err := Decode(data)
	return v, err == nil
}

// sigsMarshal is what MarshalYAML must print.
func sigsMarshal(v any) ([]byte, error) { return sigsyaml.Marshal(v) }

// jsonMarshal is what MarshalJSON must print.
func jsonMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// marshalSeeds are trees for the encoder's differential tests, besides the
// decoded corpus.
func marshalSeeds() []any {
	long := "a long description that goes on and on, past the eightieth column, where yaml.v2 folds it"
	return []any{
		nil,
		map[string]any{},
		[]any{},
		[]any(nil),
		map[string]any(nil),
		"",
		"plain",
		1.0, math.Copysign(0, -1), 0.5, 1e20, 1e21, 1e-7, 123456789.125, 12345678901234567890.0, -9.3e18, 1.7976931348623157e308, 5e-324,
		int64(-1), uint64(18446744073709551615), 7,
		true, false,
		map[string]any{
			"a10": 1, "a9": 2, "a": 3, "B": 4, "b": 5, "_x": 6, "1": 7, "10": 8, "2": 9, "a01": 10, "a1": 11,
			"é": 12, "z": 13, "Z": 14, "ä1": 15, "ä01": 16, "": 17, " ": 18, "x y": 19,
		},
		map[string]any{
			"strings": []any{
				"yes", "no", "on", "off", "y", "n", "true", "null", "~", "1", "0.5", "1e3", ".5", "0x10", "0o17", "0b101",
				"2022-01-05", "2022-01-05T13:34:19Z", "2022-13-45", "1:20", "00:11:22:33:44:55", "52:54:00:12:34:56",
				"10.0.0.1", "fe80::1", "::1", ".0_0", ".1_5", "-", "-1", "- a", "a: b", "a:b", "#c", "a #c", "a#c", "@x", "`x`", "!x", "&x", "*x",
				"|x", ">x", "%x", "'x'", "\"x\"", "{x}", "[x]", ",x", "?x", "? x", ":x", "---", "--- x", "...", "<<",
				" lead", "trail ", "tab\there", "nul\x00", "bell\a", "del\x7f", "é", "😀", "\u00a0nbsp", "\ufeffbom",
				"line1\nline2", "trailing newline\n", "two newlines\n\n", "\nleading newline", "\n", "space \nbreak",
				"break\n space", "a\u2028b", "a\u2029b", "nel\u0085here", "a \u0085  \u0085 b", "x\u0085--- y", "\xff\xfe",
				long, long + " " + long + " " + long, "'" + long + "'", "\"" + long + "\t", "x" + strings.Repeat(" ", 100) + "y",
				strings.Repeat("word ", 40), strings.Repeat("x", 200),
			},
		},
		map[string]any{"k\nx": "v", strings.Repeat("k", 129): "v", strings.Repeat("k", 128): "v", "a\u0085b": 1},
		map[string]any{strings.Repeat("k", 1022): 1},
		map[string]any{strings.Repeat("k", 1023): 1},
		map[string]any{"\xff": 1, "\xfe": 2},
		[]any{[]any{"x", []any{}}, map[string]any{}, []any{map[string]any{"a": []any{1}}}},
		map[string]any{"a": map[string]any{"b": []any{map[string]any{"c": "d\ne", "e": []any{[]any{"f"}}}}}},
		math.NaN(),
		map[string]any{"x": []any{1, math.Inf(1)}},
	}
}

// checkMarshal is the differential check of MarshalYAML against
// sigs.k8s.io/yaml and of MarshalJSON against encoding/json, plus decoding
// both outputs back.
func checkMarshal(t *testing.T, v any) {
	t.Helper()
	want, werr := sigsMarshal(v)
	got, gerr := MarshalYAML(v)
	switch {
	case (werr == nil) != (gerr == nil):
		t.Fatalf("MarshalYAML(%#v) error %v, sigs.k8s.io/yaml error %v", v, gerr, werr)
	case werr == nil && keysOrdered(v) && !bytes.Equal(want, got):
		t.Fatalf("MarshalYAML(%#v) (-want +got):\n%s", v, cmp.Diff(string(want), string(got)))
	}
	if gerr == nil && !knownRoundTripDeviation(v) {
		back, err := Decode(got)
		if err != nil {
			t.Fatalf("Decode(MarshalYAML(%#v)) = %q: %v", v, got, err)
		}
		if d := treeDiff("$", yamlRoundTrip(v), back); d != "" {
			t.Fatalf("Decode(MarshalYAML(%#v)): %s", v, d)
		}
	}

	want, werr = jsonMarshal(v)
	got, gerr = MarshalJSON(v)
	switch {
	case (werr == nil) != (gerr == nil):
		t.Fatalf("MarshalJSON(%#v) error %v, encoding/json error %v", v, gerr, werr)
	case werr == nil && !bytes.Equal(want, got):
		t.Fatalf("MarshalJSON(%#v) (-want +got):\n%s", v, cmp.Diff(string(want), string(got)))
	}
	switch v.(type) {
	case map[string]any, []any:
	default:
		return // a scalar document is YAML to Decode
	}
	if gerr == nil {
		back, err := Decode(got)
		if err != nil {
			if hasCoercedKeys(v) {
				return // two keys may both have become U+FFFD
			}
			t.Fatalf("Decode(MarshalJSON(%#v)) = %q: %v", v, got, err)
		}
		if d := treeDiff("$", jsonRoundTrip(v), back); d != "" {
			t.Fatalf("Decode(MarshalJSON(%#v)): %s", v, d)
		}
	}
}

// keysOrdered reports whether yaml.v2's key order is a total order on the
// keys of every map in v. Where it is not, sigs.k8s.io/yaml's output depends
// on the map's iteration order and cannot be compared.
func keysOrdered(v any) bool {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if !keysOrdered(e) {
				return false
			}
		}
	case map[string]any:
		keys := &sortKeys{}
		for k, e := range v {
			k = validUTF8(k)
			sk := sortKey{key: k}
			if !isASCII(k) {
				sk.runes = []rune(k)
			}
			keys.s = append(keys.s, sk)
			if !keysOrdered(e) {
				return false
			}
		}
		sort.Sort(keys)
		for i := range keys.s {
			for j := i + 1; j < len(keys.s); j++ {
				if !keys.Less(i, j) || keys.Less(j, i) {
					return false
				}
			}
		}
	}
	return true
}

// knownRoundTripDeviation reports whether v holds a string that yaml.v2
// prints plain but yaml.v3 reads as something else: "<<" and the like of
// "0o-17" and "-0o17".
func knownRoundTripDeviation(v any) bool {
	switch v := v.(type) {
	case string:
		s, err := yamlString(v)
		if err != nil {
			return false
		}
		if stringStyle(s) == stylePlain {
			_, isString := resolvePlain(s).(string)
			return !isString
		}
	case []any:
		for _, e := range v {
			if knownRoundTripDeviation(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if knownRoundTripDeviation(k) || knownRoundTripDeviation(e) {
				return true
			}
		}
	}
	return false
}

// hasCoercedKeys reports whether v has a map key that is not valid UTF-8.
func hasCoercedKeys(v any) bool {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			if hasCoercedKeys(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range v {
			if !utf8.ValidString(k) || hasCoercedKeys(e) {
				return true
			}
		}
	}
	return false
}

// yamlRoundTrip is what decoding MarshalYAML(v) gives.
func yamlRoundTrip(v any) any {
	switch v := v.(type) {
	case string:
		s, _ := yamlString(v)
		return s
	case int:
		return int64(v)
	case float64:
		return resolvePlain(yamlFloat(v))
	case []any:
		if v == nil {
			return nil
		}
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = yamlRoundTrip(e)
		}
		return out
	case map[string]any:
		if v == nil {
			return nil
		}
		out := make(map[string]any, len(v))
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the last original key wins, as in dedupCoerced
		for _, k := range keys {
			out[validUTF8(k)] = yamlRoundTrip(v[k])
		}
		return out
	}
	return v
}

// jsonRoundTrip is what decoding MarshalJSON(v) gives.
func jsonRoundTrip(v any) any {
	switch v := v.(type) {
	case string:
		return validUTF8(v)
	case int:
		return int64(v)
	case float64:
		return jsonNumber(string(appendJSONFloat(nil, v)))
	case []any:
		if v == nil {
			return nil
		}
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = jsonRoundTrip(e)
		}
		return out
	case map[string]any:
		if v == nil {
			return nil
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[validUTF8(k)] = jsonRoundTrip(e)
		}
		return out
	}
	return v
}

// jsonNumber is the model value of the JSON number s.
func jsonNumber(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		return u
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func TestMarshalDifferential(t *testing.T) {
	t.Parallel()
	type tree struct {
		name string
		v    any
	}
	var trees []tree
	for _, c := range corpus(t) {
		if v, ok := modelTree(c.data); ok {
			trees = append(trees, tree{c.name, v})
		}
	}
	for i, v := range marshalSeeds() {
		trees = append(trees, tree{fmt.Sprintf("tree%02d", i), v})
	}
	// Floats of every magnitude, and integers stored as floats.
	r := rand.New(rand.NewPCG(3, 4))
	var floats []any
	for range 3000 {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		e := float64(r.IntN(25))
		floats = append(floats, f, math.Trunc(r.NormFloat64()*math.Pow(10, e)), r.NormFloat64()*math.Pow(10, e-12))
	}
	trees = append(trees, tree{"floats", floats})
	// Random trees of awkward strings: folded, quoted, multi-line.
	pieces := []string{"word", " ", "  ", "\n", "'", "\"", "#", ": ", "-", "é", "\t", "\u0085", "\u2028", "yes", "1"}
	g := &yamlGen{r: r}
	for i := range 200 {
		v := g.tree(0)
		var walk func(v any) any
		walk = func(v any) any {
			switch v := v.(type) {
			case map[string]any:
				out := map[string]any{}
				for _, k := range slices.Sorted(maps.Keys(v)) {
					out[k] = walk(v[k])
				}
				return out
			case []any:
				for i, e := range v {
					v[i] = walk(e)
				}
				return v
			}
			var b strings.Builder
			for range r.IntN(60) {
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
			return b.String()
		}
		trees = append(trees, tree{fmt.Sprintf("random%03d", i), walk(v)})
	}
	for _, tt := range trees {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkMarshal(t, tt.v)
		})
	}
}

func FuzzMarshalYAML(f *testing.F) {
	for _, c := range corpus(f) {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if v, ok := modelTree(data); ok {
			checkMarshal(t, v)
		}
		s := string(data)
		checkMarshal(t, map[string]any{s: s, "k": []any{s, map[string]any{"x": s}}})
	})
}

// TestDecodeGenerated checks the fast decoder against yaml.v3 on random
// documents printed in the many layouts block style allows.
func TestDecodeGenerated(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	fast := 0
	for range n {
		g := &yamlGen{r: r, indent: 1 + r.IntN(4), indentSeq: r.IntN(2) == 0, flow: r.IntN(4)}
		var b strings.Builder
		if r.IntN(4) == 0 {
			b.WriteString("---\n")
		}
		g.node(&b, 0, g.tree(0), true)
		data := []byte(b.String())
		if _, res, _ := decodeFast(data); res == fastOK {
			fast++
		}
		checkDecode(t, data)
	}
	t.Logf("fast: %d of %d", fast, n)
	if fast < n/2 {
		t.Errorf("the fast decoder took %d of %d generated documents", fast, n)
	}
}

// yamlGen prints random trees in random block layouts, with some
// collections in flow style on one line.
type yamlGen struct {
	r         *rand.Rand
	indent    int
	indentSeq bool
	flow      int // one in flow collections is printed in flow style; 0 for none
}

var genScalars = []string{
	"a", "eth0", "up", "value with spaces", "yes", "No", "true", "FALSE", "~", "null", "0", "-1", "+1", "0x1F", "0o17",
	"0123", "08", "1_000", "1.5", ".5", "1e3", ".inf", "-.Inf", ".nan", "2022-01-05", "1:20", "10.0.0.1", "::1",
	"fe80::1", "52:54:00:12:34:56", "a:b", "a#b", "-a", "?a", "é", "😀", "<<x", "18446744073709551615", "1e400",
	"9223372036854775808", "-9223372036854775809",
}

var genKeys = []string{"a", "b", "name", "1", "01", "0x1", "true", "True", "~", "null", "1.0", "1.5", "key with spaces", "é"}

func (g *yamlGen) tree(depth int) any {
	switch k := g.r.IntN(10); {
	case depth > 4 || k < 4:
		return genScalars[g.r.IntN(len(genScalars))]
	case k < 7:
		m := map[string]any{}
		for range g.r.IntN(4) + 1 {
			m[genKeys[g.r.IntN(len(genKeys))]] = g.tree(depth + 1)
		}
		return m
	default:
		var s []any
		for range g.r.IntN(4) + 1 {
			s = append(s, g.tree(depth+1))
		}
		return s
	}
}

// scalar prints s plain, single- or double-quoted.
func (g *yamlGen) scalar(s string) string {
	switch g.r.IntN(4) {
	case 0:
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	case 1:
		return strconv.Quote(s)
	}
	return s
}

// node prints v at column col; inline says the line is started already.
func (g *yamlGen) node(b *strings.Builder, col int, v any, inline bool) {
	pad := strings.Repeat(" ", col)
	comment := func() {
		if g.r.IntN(6) == 0 {
			b.WriteString(" # c")
		}
	}
	if _, ok := v.(string); !ok && g.flow > 0 && g.r.IntN(g.flow) == 0 {
		if !inline {
			b.WriteString(pad)
		}
		g.flowNode(b, v)
		comment()
		b.WriteString("\n")
		return
	}
	switch v := v.(type) {
	case string:
		if !inline {
			b.WriteString(pad)
		}
		b.WriteString(g.scalar(v))
		comment()
		b.WriteString("\n")
	case map[string]any:
		first := true
		for _, k := range slices.Sorted(maps.Keys(v)) {
			e := v[k]
			if !first || !inline {
				b.WriteString(pad)
			}
			first = false
			b.WriteString(g.scalar(k))
			b.WriteString(":")
			if s, ok := e.(string); ok && g.r.IntN(5) > 0 {
				b.WriteString(" " + g.scalar(s))
				comment()
				b.WriteString("\n")
				continue
			}
			comment()
			b.WriteString("\n")
			if g.r.IntN(8) == 0 {
				b.WriteString("\n" + pad + "# comment line\n")
			}
			if _, seq := e.([]any); seq && !g.indentSeq {
				g.node(b, col, e, false)
			} else {
				g.node(b, col+g.indent, e, false)
			}
		}
	case []any:
		for i, e := range v {
			if i > 0 || !inline {
				b.WriteString(pad)
			}
			b.WriteString("-")
			if g.r.IntN(4) == 0 {
				comment()
				b.WriteString("\n")
				g.node(b, col+g.indent+1, e, false)
				continue
			}
			b.WriteString(strings.Repeat(" ", g.indent))
			g.node(b, col+1+g.indent, e, true)
		}
	}
}

// flowNode prints v in flow style, with random spaces around the
// indicators.
func (g *yamlGen) flowNode(b *strings.Builder, v any) {
	space := func() {
		b.WriteString([]string{"", " ", " ", "  "}[g.r.IntN(4)])
	}
	switch v := v.(type) {
	case string:
		b.WriteString(g.scalar(v))
	case map[string]any:
		b.WriteString("{")
		space()
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				space()
				b.WriteString(",")
				b.WriteString(" ")
				space()
			}
			b.WriteString(g.scalar(k))
			space()
			b.WriteString(": ")
			space()
			g.flowNode(b, v[k])
		}
		space()
		b.WriteString("}")
	case []any:
		b.WriteString("[")
		space()
		for i, e := range v {
			if i > 0 {
				space()
				b.WriteString(",")
				space()
			}
			g.flowNode(b, e)
		}
		space()
		b.WriteString("]")
	}
}
