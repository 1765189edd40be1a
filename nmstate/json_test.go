package nmstate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/netplumb/netplumb/internal/benchdata"
	"github.com/netplumb/netplumb/nmstate"
)

// The reference: Decode's JSON path as it was before it had its own parser,
// encoding/json's Decoder with UseNumber plus a second scan for keys defined
// twice and numbers out of range. Decode must agree with it on every input
// whose first non-blank byte is '{' or '[': the same tree, or the same error
// at the same place. It relies on encoding/json's messages, those of the
// default build (not GOEXPERIMENT=jsonv2).

// refDecodeJSON decodes a JSON document as Decode did with encoding/json.
func refDecodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return nil, refJSONError(data, int(se.Offset)-1, se.Error())
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return nil, refJSONError(data, len(data), "unexpected end of JSON input")
		}
		return nil, &nmstate.SyntaxError{Msg: err.Error()}
	}
	off := int(dec.InputOffset())
	for off < len(data) && (data[off] == ' ' || data[off] == '\t' || data[off] == '\n' || data[off] == '\r') {
		off++
	}
	if off < len(data) {
		r, _ := utf8.DecodeRune(data[off:])
		return nil, refJSONError(data, off, fmt.Sprintf("invalid character %s after top-level value", refQuoteChar(r)))
	}
	if err := refCheckJSON(data); err != nil {
		return nil, err
	}
	return refNumbers(v), nil
}

// refQuoteChar formats r as encoding/json does in its errors.
func refQuoteChar(r rune) string {
	switch r {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(r))
	return "'" + s[1:len(s)-1] + "'"
}

// refJSONError makes a *SyntaxError for the byte offset off of data.
func refJSONError(data []byte, off int, msg string) error {
	off = min(max(off, 0), len(data))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	ls := bytes.LastIndexByte(data[:off], '\n') + 1
	return &nmstate.SyntaxError{Line: line, Column: utf8.RuneCount(data[ls:off]) + 1, Msg: msg}
}

// refNumbers converts the json.Number values of v to the model, in place.
// refCheckJSON has made sure each of them fits.
func refNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		s := string(v)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case []any:
		for i, e := range v {
			v[i] = refNumbers(e)
		}
	case map[string]any:
		for k, e := range v {
			switch e.(type) {
			case json.Number, []any, map[string]any:
				v[k] = refNumbers(e)
			}
		}
	}
	return v
}

// refCheckJSON scans data, a valid JSON document, for keys defined twice in
// an object and for numbers out of float64's range.
func refCheckJSON(data []byte) error {
	type frame struct {
		object bool
		start  int                 // of the object's keys in keys
		set    map[string]struct{} // the keys, once there are many
	}
	type key struct {
		name []byte // unescaped
		off  int
	}
	var (
		stack     []frame
		keys      []key
		expectKey bool
	)
	for i := 0; i < len(data); {
		switch c := data[i]; {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == ':':
			i++
		case c == '{' || c == '[':
			stack = append(stack, frame{object: c == '{', start: len(keys)})
			expectKey = c == '{'
			i++
		case c == '}' || c == ']':
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			keys = keys[:f.start]
			expectKey = false
			i++
		case c == ',':
			expectKey = stack[len(stack)-1].object
			i++
		case c == '"':
			j := i + 1
			escaped := false
			for {
				k := bytes.IndexByte(data[j:], '"')
				j += k
				if bytes.IndexByte(data[i+1:j], '\\') < 0 {
					break
				}
				escaped = true
				n := 0
				for data[j-1-n] == '\\' {
					n++
				}
				if n%2 == 0 {
					break
				}
				j++
			}
			if expectKey {
				expectKey = false
				name := data[i+1 : j]
				if escaped || !utf8.Valid(name) {
					var s string
					_ = json.Unmarshal(data[i:j+1], &s)
					name = []byte(s)
				}
				f := &stack[len(stack)-1]
				own := keys[f.start:]
				dup := false
				if f.set != nil {
					_, dup = f.set[string(name)]
				} else {
					for _, k := range own {
						if bytes.Equal(k.name, name) {
							dup = true
							break
						}
					}
				}
				if dup {
					first := 0
					for _, k := range own {
						if bytes.Equal(k.name, name) {
							first = k.off
							break
						}
					}
					firstLine := 1 + bytes.Count(data[:first], []byte{'\n'})
					return refJSONError(data, i, fmt.Sprintf("mapping key %q already defined at line %d", name, firstLine))
				}
				keys = append(keys, key{name, i})
				if f.set != nil {
					f.set[string(name)] = struct{}{}
				} else if len(own) >= 16 {
					f.set = make(map[string]struct{}, 32)
					for _, k := range keys[f.start:] {
						f.set[string(k.name)] = struct{}{}
					}
				}
			}
			i = j + 1
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			float := false
			for j < len(data) {
				d := data[j]
				if d == '.' || d == 'e' || d == 'E' {
					float = true
				} else if !(d >= '0' && d <= '9' || d == '-' || d == '+') {
					break
				}
				j++
			}
			if float || j-i > 19 {
				s := string(data[i:j])
				if _, err := strconv.ParseFloat(s, 64); err != nil {
					if _, err := strconv.ParseInt(s, 10, 64); err != nil {
						if _, err := strconv.ParseUint(s, 10, 64); err != nil {
							return refJSONError(data, i, fmt.Sprintf("number %s out of range", s))
						}
					}
				}
			}
			i = j
		default: // true, false, null
			i++
		}
	}
	return nil
}

// jsonTreeOpts compares model trees exactly: types, nil against empty
// collections, and the sign of zero.
var jsonTreeOpts = cmp.Options{
	cmp.Comparer(func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
	}),
}

// checkJSONDecode is the differential check of Decode against the reference
// on data, or on "[" and data if data would not take Decode's JSON path.
func checkJSONDecode(t *testing.T, data []byte) {
	t.Helper()
	if first := bytes.TrimLeft(data, " \t\r\n"); len(first) == 0 || first[0] != '{' && first[0] != '[' {
		data = append([]byte{'['}, data...)
	}
	want, werr := refDecodeJSON(data)
	got, gerr := nmstate.Decode(data)
	switch {
	case werr != nil && gerr != nil:
		var wse, gse *nmstate.SyntaxError
		if !errors.As(werr, &wse) || !errors.As(gerr, &gse) {
			t.Fatalf("Decode(%q) error %T %v, reference %T %v; want *SyntaxError", data, gerr, gerr, werr, werr)
		}
		if *wse != *gse {
			t.Fatalf("Decode(%q) error %+v, want %+v", data, *gse, *wse)
		}
	case werr != nil:
		t.Fatalf("Decode(%q) = %#v, want error %v", data, got, werr)
	case gerr != nil:
		t.Fatalf("Decode(%q) error %v, want %#v", data, gerr, want)
	default:
		if d := nmstate.TreeDiff("$", want, got); d != "" {
			t.Fatalf("Decode(%q): %s", data, d)
		}
	}
}

// jsonSeeds are hand-made inputs for the differential tests: every way to
// break JSON at every place, and valid JSON that is easy to get wrong.
var jsonSeeds = []string{
	// Numbers.
	`[0, -0, 1, -1, 0.0, -0.0, 1.5, -1.5, 1e3, 1E3, 1e+3, 1e-3, 1.5e-3, -0e0, 0e-0, 2.5E+10]`,
	`[9223372036854775807, -9223372036854775808, 9223372036854775808, -9223372036854775809]`,
	`[18446744073709551615, 18446744073709551616, 99999999999999999999999999, -18446744073709551615]`,
	`[999999999999999999, 1000000000000000000, -999999999999999999, -1000000000000000000]`,
	`[123456789012345678, 1234567890123456789, 12345678901234567890, 123456789012345678901]`,
	`[1e308, 1.7976931348623157e308, 1.7976931348623159e308, 1e309, -1e400, 1e400]`,
	`[4.9e-324, 2e-324, 1e-400, -1e-400, 0.1, 0.2, 0.30000000000000004, 1e22, 1e23]`,
	`{"a": 1e400, "a": 1}`,
	`{"a": 1, "a": 1e400}`,
	`[1e400, 2e400]`,
	`[` + strings.Repeat("9", 309) + `]`,
	`[` + strings.Repeat("9", 308) + `]`,
	`[0.` + strings.Repeat("0", 400) + `1]`,
	`[1` + strings.Repeat("0", 400) + `e-400]`,
	`[-]`, `[- 1]`, `[-a]`, `[--1]`, `[+1]`, `[.5]`, `[01]`, `[-01]`, `[00]`, `[0x10]`, `[1.]`, `[1.e5]`,
	`[1.5.5]`, `[1e]`, `[1e+]`, `[1e-]`, `[1E+-1]`, `[1ee1]`, `[1e1.5]`, `[1x]`, `[0.1x]`, `[1e5x]`,
	`[NaN]`, `[Infinity]`, `[-Infinity]`, `[1,2,]`, `[1 2]`, `[1`, `[1.`, `[1e`, `[-`, `[1.5`, `[1e+`,
	// Literals.
	`[true, false, null]`, `[tru]`, `[trUe]`, `[t]`, `[f]`, `[fals]`, `[falsy]`, `[n]`, `[nul]`, `[nil]`,
	`[True]`, `[NULL]`, `[truex]`, `[nullnull]`, `[true`, `[fa`, `[nu`,
	// Strings.
	`["", "a", "é", "😀", "a\"b", "a\\b", "a\/b", "\b\f\n\r\t", "\u0000", "\u001f", "\u00e9", "\u20AC"]`,
	`["\ud83d\ude00", "\uD83D\uDE00", "\ud800", "\udc00", "\ud800x", "\ud800\ud800", "\ud800\udbff\udc00"]`,
	`["\udc00\ud800", "\ud800\u0041", "\ud800\\u0041", "\ud800\n", "\ud800\uzzzz", "\ud800\u12"]`,
	`["\ud800\u`, `["\ud800\`, `["\ud800`, `["\u00`, `["\u`, `["\`, `["abc`, `["`, `[""`,
	`["\x41"]`, `["\'"]`, `["\a"]`, `["\U0001F600"]`, `["\0"]`, `["\ "]`, `["\uGGGG"]`, `["\u00G0"]`,
	`["\u 123"]`, `["a` + "\t" + `b"]`, `["a` + "\n" + `b"]`, `["a` + "\x00" + `b"]`, `["a` + "\x1f" + `b"]`,
	`["a` + "\x7f" + `b"]`, `['a']`,
	"[\"\xff\"]", "[\"a\xffb\"]", "[\"\xc3\"]", "[\"\xc3\xa9\xa9\"]", "[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]",
	"[\"\xef\xbf\xbd\"]", "[\"\xc0\xaf\"]", "[\"\xe2\x82\"]", "[\"\xf0\x9f\x98\"]", "[\"\xf0\x9f\x98\x80\xff\\n\"]",
	"{\"\xff\": 1, \"\xfe\": 2}", "{\"\xff\": 1, \"\\ufffd\": 2}", "{\"\xff\\u0041\": 1}",
	"[\xff]", "[1]\xff", "[1] \xc3\xa9", "[\xc3\xa9]", "{\xc3\xa9: 1}", "[\"a\"\xff]",
	// Objects.
	`{}`, `{ }`, `{"a": {}, "b": [], "c": {"d": [{}]}}`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{"a":1 "b":2}`,
	`{"a":1,}`, `{,}`, `{"a":1,,"b":2}`, `{1: 2}`, `{a: 1}`, `{'a': 1}`, `{"a":1]`, `{"a":1`, `{"a":`,
	`{"a"`, `{"a`, `{`, `{"a":1}}`, `{"a": 1, "b": 2, "a": 3}`, `{"a": {"b": 1, "b": 2}, "a": 3}`,
	`{"a": 1, "a": {"b": 1, "b": 2}}`, `{"a\u0062": 1, "ab": 2}`, `{"": 1, "": 2}`, `{"a": [{"x": 1, "x": 1}]}`,
	`{"a": 1, "a": 2} x`, `{"a": 1, "a": 2, x}`, `[{"a": 1, "a": 2}, 1e400]`, `[1e400, {"a": 1, "a": 2}]`,
	`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,` +
		`"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k18":18,"k19":19,"k3":20}`,
	// Arrays.
	`[]`, `[ ]`, `[[]]`, `[[], [[]], {}]`, `[,]`, `[,1]`, `[1,,2]`, `[1}`, `[`, `[[`, `[]]`, `[] []`,
	// White space and what follows the value.
	" \t\r\n[ \t\r\n1 \t\r\n, \t\r\n{ \t\r\n\"a\" \t\r\n: \t\r\n2 \t\r\n} \t\r\n] \t\r\n",
	"[1]\n\n", "[1] x", "[1]\n\n  x", "[1]\f", "[1]\v", "[\f1]", "[1,\u00a0 2]", "[1]\x00", "[1]]", "[1] [2]",
	"[1] // comment", "[1] /* c */", "[/* c */ 1]", "[1] # comment", "{\"a\": 1}\r\n", "{\"a\":\r\n1}",
	"\n\n  {\"a\":\n  [1,\n   2,\n   x]}", "[\"é\", \"😀\", x]", "[\"é\nx\", x]",
	"\ufeff[1]", "[1]\ufeff", "[\ufeff1]",
	// Long arrays, with and without another array open.
	`[` + strings.Repeat("0,", 1500) + `0]`,
	`{"a": [` + strings.Repeat(`"x",`, 1500) + `"y"], "b": [[1, 2], [` + strings.Repeat("3,", 1100) + `4]], "c": [5]}`,
	`[` + strings.Repeat("[1],", 1100) + `[` + strings.Repeat("2,", 1100) + `2]]`,
	// Deep nesting at encoding/json's limit.
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
	strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
	strings.Repeat("[", 9999) + "{}" + strings.Repeat("]", 9999),
	strings.Repeat("[", 10000) + "{}" + strings.Repeat("]", 10000),
	strings.Repeat("[", 100000),
	strings.Repeat("[", 5000) + "x",
	strings.Repeat("[{\"a\":", 5001),
}

// jsonCorpus returns the inputs of the differential tests: jsonSeeds,
// benchdata's large state at small sizes, and the conformance cases'
// current states printed as JSON, indented and compact.
func jsonCorpus(t testing.TB) []corpusEntry {
	var out []corpusEntry
	for i, s := range jsonSeeds {
		out = append(out, corpusEntry{fmt.Sprintf("seed%03d", i), []byte(s)})
	}
	for _, n := range [][4]int{{1, 0, 0, 0}, {3, 10, 2, 1}, {12, 60, 6, 4}, {30, 300, 20, 10}} {
		out = append(out, corpusEntry{fmt.Sprintf("bench%d", n[0]), benchdata.JSON(n[0], n[1], n[2], n[3])})
	}
	// Read in place; none when ../shared is absent.
	files, _ := filepath.Glob("../../shared/conformance/nmpolicy/cases/*/current.yaml")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := nmstate.Decode(b)
		if err != nil {
			continue
		}
		switch v.(type) {
		case map[string]any, []any:
		default:
			continue
		}
		j, err := nmstate.MarshalJSON(v)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, j); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := filepath.Base(filepath.Dir(f))
		out = append(out, corpusEntry{name, j}, corpusEntry{name + "-compact", compact.Bytes()})
	}
	return out
}

// corpusEntry is an input of the differential tests.
type corpusEntry struct {
	name string
	data []byte
}

func TestDecodeJSONDifferential(t *testing.T) {
	t.Parallel()
	for _, c := range jsonCorpus(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			checkJSONDecode(t, c.data)
		})
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, c := range jsonCorpus(f) {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkJSONDecode(t, data)
	})
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	type m = map[string]any
	type s = []any
	tests := []struct {
		name string
		in   string
		want any
	}{
		{
			name: "integers",
			in:   `[0, -0, 42, -17, 9223372036854775807, -9223372036854775808, 9223372036854775808, 18446744073709551615]`,
			want: s{int64(0), int64(0), int64(42), int64(-17), int64(math.MaxInt64), int64(math.MinInt64),
				uint64(1 << 63), uint64(math.MaxUint64)},
		},
		{
			name: "integers that only fit a float64",
			in:   `[18446744073709551616, -9223372036854775809, 1` + strings.Repeat("0", 30) + `]`,
			want: s{1.8446744073709552e19, -9.223372036854775809e18, 1e30},
		},
		{
			name: "floats",
			in:   `[1.0, -0.0, 2.5e3, 1E-3, 1e-400, 4.9e-324, 1.7976931348623157e308]`,
			want: s{1.0, math.Copysign(0, -1), 2500.0, 0.001, 0.0, 5e-324, math.MaxFloat64},
		},
		{
			name: "escapes",
			in:   `["\"\\\/\b\f\n\r\t", "\u00e9\u20AC", "\ud83d\ude00", "a\u0000b"]`,
			want: s{"\"\\/\b\f\n\r\t", "é€", "😀", "a\x00b"},
		},
		{
			name: "lone surrogates",
			in:   `["\ud800", "\udc00x", "\ud800\ud83d\ude00", "\ud800\u0041"]`,
			want: s{"\ufffd", "\ufffdx", "\ufffd😀", "\ufffdA"},
		},
		{
			name: "invalid UTF-8",
			in:   "{\"k\xff\": \"a\xc3\xa9\xff\xed\xa0\x80\"}",
			want: m{"k\ufffd": "aé\ufffd\ufffd\ufffd\ufffd"},
		},
		{
			name: "empty collections",
			in:   `{"a": {}, "b": [], "c": [{}, []]}`,
			want: m{"a": m{}, "b": s{}, "c": s{m{}, s{}}},
		},
		{
			name: "literals and white space",
			in:   " \t\r\n[true,false , null\r\n]\n\n",
			want: s{true, false, nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := nmstate.Decode([]byte(tt.in))
			if err != nil {
				t.Fatalf("Decode(%q): %v", tt.in, err)
			}
			if d := cmp.Diff(tt.want, got, jsonTreeOpts); d != "" {
				t.Errorf("Decode(%q) (-want +got):\n%s", tt.in, d)
			}
			checkJSONDecode(t, []byte(tt.in))
		})
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"value", `{"a": x}`, "line 1, column 7: invalid character 'x' looking for beginning of value"},
		{"non-ASCII byte", `["é", é]`, "line 1, column 7: invalid character 'Ã' looking for beginning of value"},
		{"key", `{"a": 1, b: 2}`, "line 1, column 10: invalid character 'b' looking for beginning of object key string"},
		{"colon", `{"a" 1}`, "line 1, column 6: invalid character '1' after object key"},
		{"member", "{\"a\": 1\n \"b\": 2}", `line 2, column 2: invalid character '"' after object key:value pair`},
		{"element", `[1 2]`, "line 1, column 4: invalid character '2' after array element"},
		{"trailing comma", `[1, 2,]`, "line 1, column 7: invalid character ']' looking for beginning of value"},
		{"trailing comma in object", `{"a": 1,}`, "line 1, column 9: invalid character '}' looking for beginning of object key string"},
		{"leading zero", `[01]`, "line 1, column 3: invalid character '1' after array element"},
		{"sign", `[-x]`, "line 1, column 3: invalid character 'x' in numeric literal"},
		{"fraction", `[1.e5]`, "line 1, column 4: invalid character 'e' after decimal point in numeric literal"},
		{"exponent", `[1e+]`, "line 1, column 5: invalid character ']' in exponent of numeric literal"},
		{"NaN", `[NaN]`, "line 1, column 2: invalid character 'N' looking for beginning of value"},
		{"literal", `[nul]`, "line 1, column 5: invalid character ']' in literal null (expecting 'l')"},
		{"control character", "[\"a\tb\"]", `line 1, column 4: invalid character '\t' in string literal`},
		{"escape", `["\x"]`, "line 1, column 4: invalid character 'x' in string escape code"},
		{"unicode escape", `["\u12G4"]`, `line 1, column 7: invalid character 'G' in \u hexadecimal character escape`},
		{"comment", "[1, // c\n2]", "line 1, column 5: invalid character '/' looking for beginning of value"},
		{"end", "{\"a\":\n 1", "line 2, column 3: unexpected end of JSON input"},
		{"end in string", `["abc`, "line 1, column 6: unexpected end of JSON input"},
		{"trailing data", "[1] # comment", "line 1, column 5: invalid character '#' after top-level value"},
		{"trailing non-ASCII", "[1] é", "line 1, column 5: invalid character 'é' after top-level value"},
		{"trailing value", "{}\n{}", "line 2, column 1: invalid character '{' after top-level value"},
		{"duplicate key", "[\n  {\"k\": 1,\n   \"k\": 2}\n]\n", `line 3, column 4: mapping key "k" already defined at line 2`},
		{"duplicate escaped key", `{"ab": 1, "a\u0062": 2}`, `line 1, column 11: mapping key "ab" already defined at line 1`},
		{"first duplicate in the input", `{"a": {"b": 1, "b": 2}, "a": 3}`, `line 1, column 16: mapping key "b" already defined at line 1`},
		{"outer duplicate first", `{"a": 1, "a": {"b": 1, "b": 2}}`, `line 1, column 10: mapping key "a" already defined at line 1`},
		{"number out of range", `{"a": 1e400}`, "line 1, column 7: number 1e400 out of range"},
		{"syntax error after a duplicate", `{"a": 1, "a": 2, x}`, "line 1, column 18: invalid character 'x' looking for beginning of object key string"},
		{"syntax error after a number out of range", `[1e400] x`, "line 1, column 9: invalid character 'x' after top-level value"},
		{"too deep", strings.Repeat("[", 10001), "line 1, column 10001: invalid character '[' exceeded max depth"},
		{"far too deep", strings.Repeat(`{"a":`, 1000000), `line 1, column 50001: invalid character '{' exceeded max depth`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := nmstate.Decode([]byte(tt.in))
			if err == nil {
				t.Fatalf("Decode(%q) = %#v, want error %q", tt.in, got, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Decode(%q) error %q, want %q", tt.in, err, tt.want)
			}
			if se := (*nmstate.SyntaxError)(nil); !errors.As(err, &se) {
				t.Errorf("Decode(%q) error is a %T, want a *SyntaxError", tt.in, err)
			}
			checkJSONDecode(t, []byte(tt.in))
		})
	}
}

// TestDecodeJSONSharesInput checks that strings without escapes, keys
// included, are slices of one copy of the input.
func TestDecodeJSONSharesInput(t *testing.T) {
	t.Parallel()
	in := []byte(`{"key": ["value", "é😀", "esc\taped"]}`)
	v, err := nmstate.Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	var key string
	for k := range v.(map[string]any) {
		key = k
	}
	items := v.(map[string]any)["key"].([]any)
	base := uintptr(unsafe.Pointer(unsafe.StringData(key))) - uintptr(bytes.Index(in, []byte("key")))
	for _, s := range []string{items[0].(string), items[1].(string)} {
		off := uintptr(unsafe.Pointer(unsafe.StringData(s))) - base
		if want := uintptr(bytes.Index(in, []byte(s))); off != want {
			t.Errorf("%q is at offset %d of the copy of the key, want %d", s, off, want)
		}
	}
	if p := unsafe.StringData(key); p == &in[bytes.Index(in, []byte("key"))] {
		t.Errorf("%q shares the caller's memory, want a copy", key)
	}
	if got := items[2]; got != "esc\taped" {
		t.Errorf("escaped string = %q", got)
	}
}
