package nmstate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/netplumb/netplumb/internal/benchdata"
	"github.com/netplumb/netplumb/nmstate"
	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// The large state: what nmpolicyctl gen must read in well under a second.
const (
	benchIfaces       = 2000
	benchRoutes       = 100000
	benchConfigRoutes = 1000
	benchRules        = 500
)

var bench = sync.OnceValues(func() (yamlData, jsonData []byte) {
	return benchdata.YAML(benchIfaces, benchRoutes, benchConfigRoutes, benchRules),
		benchdata.JSON(benchIfaces, benchRoutes, benchConfigRoutes, benchRules)
})

func BenchmarkDecodeYAML(b *testing.B) {
	data, _ := bench()
	benchDecode(b, data, nmstate.Decode)
}

// benchDecode times decode on data.
func benchDecode(b *testing.B, data []byte, decode func([]byte) (any, error)) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// yamlv3Unmarshal is go.yaml.in/yaml/v3's decoding into interface{}.
func yamlv3Unmarshal(data []byte) (any, error) {
	var v any
	err := yaml.Unmarshal(data, &v)
	return v, err
}

// BenchmarkDecodeYAMLFlow decodes the large state written as people write
// states by hand: every collection of scalars in flow style on one line
// ("- {destination: 10.0.0.0/8, next-hop-interface: eth1}").
func BenchmarkDecodeYAMLFlow(b *testing.B) {
	benchDecode(b, benchFlow(b), nmstate.Decode)
}

// BenchmarkDecodeYAMLv3Flow is go.yaml.in/yaml/v3 on the same data, for
// comparison.
func BenchmarkDecodeYAMLv3Flow(b *testing.B) {
	benchDecode(b, benchFlow(b), yamlv3Unmarshal)
}

var flowData = sync.OnceValues(func() ([]byte, error) {
	data, _ := bench()
	v, err := nmstate.Decode(data)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeFlowStyle(&buf, v, 0); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	back, err := nmstate.Decode(out)
	if err != nil {
		return nil, err
	}
	if !reflect.DeepEqual(back, v) {
		return nil, errors.New("the flow-style state decodes to another tree")
	}
	return out, nil
})

// benchFlow returns the large state in the flow style of
// BenchmarkDecodeYAMLFlow, checked to decode to the same tree.
func benchFlow(b *testing.B) []byte {
	data, err := flowData()
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// writeFlowStyle prints v at column col in block style, but every mapping
// or sequence of scalars in flow style on one line.
func writeFlowStyle(w *bytes.Buffer, v any, col int) error {
	pad := strings.Repeat(" ", col)
	switch t := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if err := writeFlowEntry(w, pad+k+":", t[k], col); err != nil {
				return err
			}
		}
		return nil
	case []any:
		for _, e := range t {
			if err := writeFlowEntry(w, pad+"-", e, col); err != nil {
				return err
			}
		}
		return nil
	}
	return errors.New("writeFlowStyle: not a collection")
}

// writeFlowEntry prints head ("key:" or "-") and v after it on the line, or
// below it indented.
func writeFlowEntry(w *bytes.Buffer, head string, v any, col int) error {
	w.WriteString(head)
	if s, ok, err := flowText(v); err != nil {
		return err
	} else if ok {
		w.WriteString(" " + s + "\n")
		return nil
	}
	w.WriteString("\n")
	return writeFlowStyle(w, v, col+2)
}

// flowText returns v on one line in flow style when v is a scalar or a
// collection of scalars.
func flowText(v any) (string, bool, error) {
	var parts []string
	var open, closing string
	switch t := v.(type) {
	case map[string]any:
		open, closing = "{", "}"
		for _, k := range slices.Sorted(maps.Keys(t)) {
			s, ok, err := scalarText(t[k])
			if !ok || err != nil {
				return "", false, err
			}
			parts = append(parts, k+": "+s)
		}
	case []any:
		open, closing = "[", "]"
		for _, e := range t {
			s, ok, err := scalarText(e)
			if !ok || err != nil {
				return "", false, err
			}
			parts = append(parts, s)
		}
	default:
		return scalarText(v)
	}
	return open + strings.Join(parts, ", ") + closing, true, nil
}

// scalarText returns the scalar v as MarshalYAML prints it.
func scalarText(v any) (string, bool, error) {
	switch v.(type) {
	case map[string]any, []any:
		return "", false, nil
	}
	b, err := nmstate.MarshalYAML(v)
	return strings.TrimSuffix(string(b), "\n"), true, err
}

func BenchmarkDecodeJSON(b *testing.B) {
	_, data := bench()
	benchDecode(b, data, nmstate.Decode)
}

func BenchmarkMarshalYAML(b *testing.B) {
	data, _ := bench()
	v, err := nmstate.Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := nmstate.MarshalYAML(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalJSON(b *testing.B) {
	data, jsonData := bench()
	v, err := nmstate.Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(jsonData)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := nmstate.MarshalJSON(v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeYAMLv3 is go.yaml.in/yaml/v3 on the same data, for
// comparison.
func BenchmarkDecodeYAMLv3(b *testing.B) {
	data, _ := bench()
	benchDecode(b, data, yamlv3Unmarshal)
}

// BenchmarkDecodeSigsYAML is sigs.k8s.io/yaml on the same data, for
// comparison.
func BenchmarkDecodeSigsYAML(b *testing.B) {
	data, _ := bench()
	benchDecode(b, data, func(data []byte) (any, error) {
		var v any
		err := sigsyaml.Unmarshal(data, &v)
		return v, err
	})
}

// BenchmarkDecodeEncodingJSON is encoding/json with UseNumber on the same
// data, for comparison: what Decode's JSON path used to run, without its
// second scan and number conversion.
func BenchmarkDecodeEncodingJSON(b *testing.B) {
	_, data := bench()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			b.Fatal(err)
		}
	}
}
