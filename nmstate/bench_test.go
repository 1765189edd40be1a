package nmstate_test

import (
	"bytes"
	"encoding/json"
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
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := nmstate.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	_, data := bench()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := nmstate.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
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
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeSigsYAML is sigs.k8s.io/yaml on the same data, for
// comparison.
func BenchmarkDecodeSigsYAML(b *testing.B) {
	data, _ := bench()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := sigsyaml.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
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
