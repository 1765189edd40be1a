package capture

import (
	"testing"
	"time"

	"github.com/netplumb/netplumb/internal/benchdata"
	"github.com/netplumb/netplumb/nmstate"
)

// benchPolicy captures the default-gateway route, the base interface and
// its routes with a replaced next-hop, and templates a bridge: the policy
// of the performance budget.
func benchPolicy() Policy {
	return Policy{
		Capture: map[string]string{
			"default-gw":        `routes.running.destination=="0.0.0.0/0"`,
			"base-iface":        `interfaces.name==capture.default-gw.routes.running.0.next-hop-interface`,
			"base-iface-routes": `routes.running.next-hop-interface==capture.default-gw.routes.running.0.next-hop-interface`,
			"bridge-routes":     `capture.base-iface-routes | routes.running.next-hop-interface:="br1"`,
		},
		DesiredState: map[string]any{
			"interfaces": []any{map[string]any{
				"name":        "br1",
				"type":        "linux-bridge",
				"state":       "up",
				"mac-address": "{{ capture.base-iface.interfaces.0.mac-address }}",
				"ipv4":        "{{ capture.base-iface.interfaces.0.ipv4 }}",
				"bridge": map[string]any{
					"options": map[string]any{"stp": map[string]any{"enabled": false}},
					"port":    []any{map[string]any{"name": "{{ capture.base-iface.interfaces.0.name }}"}},
				},
			}},
			"routes": map[string]any{"config": "{{ capture.bridge-routes.routes.running }}"},
		},
	}
}

// BenchmarkGenerate is the engine alone on a decoded state of 2,000
// interfaces, 100,000 running routes, 1,000 config routes and 500 rules.
func BenchmarkGenerate(b *testing.B) {
	current := benchdata.State(2000, 100000, 1000, 500)
	p := benchPolicy()
	now := time.Unix(0, 0)
	b.ReportAllocs()
	for b.Loop() {
		g, err := Generate(p, current, nil, now)
		if err != nil {
			b.Fatal(err)
		}
		if len(g.DesiredState.(map[string]any)) == 0 {
			b.Fatal("empty desired state")
		}
	}
}

// BenchmarkGenerateState is the library entry point on the same input as
// YAML bytes: decoding, resolving, expanding and encoding.
func BenchmarkGenerateState(b *testing.B) {
	current := benchdata.YAML(2000, 100000, 1000, 500)
	p := benchPolicy()
	desired, err := nmstate.MarshalYAML(p.DesiredState)
	if err != nil {
		b.Fatal(err)
	}
	spec := PolicySpec{Capture: p.Capture, DesiredState: desired}
	clock := WithClock(func() time.Time { return time.Unix(0, 0) })
	b.SetBytes(int64(len(current)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GenerateState(spec, current, CachedState{}, clock); err != nil {
			b.Fatal(err)
		}
	}
}
