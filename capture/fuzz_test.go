package capture

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/netplumb/netplumb/expr"
	"github.com/netplumb/netplumb/nmstate"
)

const fuzzState = `
interfaces:
- name: eth0
  type: ethernet
  state: up
  mtu: 1500
  ipv4:
    enabled: true
    address:
    - ip: 192.0.2.10
      prefix-length: 24
- name: br0
  type: linux-bridge
  bridge:
    port:
    - name: eth1
routes:
  running:
  - destination: 0.0.0.0/0
    next-hop-interface: eth0
    table-id: 254
  config: []
dns-resolver:
  running:
    server: [192.0.2.53]
`

// FuzzGenerate feeds arbitrary expressions, states and templates to the
// engine: it must never panic or hang, and every error must be one of the
// engine's positioned errors.
func FuzzGenerate(f *testing.F) {
	seeds := [][4]string{
		{`routes.running.destination=="0.0.0.0/0"`, `interfaces.name==capture.a.routes.running.0.next-hop-interface`, fuzzState, "{{ capture.b.interfaces.0.name }}"},
		{`capture.b | interfaces.name=="x"`, `capture.a | interfaces.name=="y"`, fuzzState, "{{ capture.a }}"},
		{`interfaces.bridge==capture.b.interfaces.0.bridge`, `interfaces.name=="br0"`, fuzzState, "x"},
		{`nosuch.0 := "x"`, `capture.a | interfaces.lldp.enabled := true`, fuzzState, "{{ capture.a.nosuch }}"},
		{`interfaces.mtu == 1500`, `capture.a | interfaces.ethernet := null`, fuzzState, "{{ capture.b.interfaces.0.mtu }}.x"},
		{`dns-resolver.running`, `interfaces.ipv4.address.ip != "192.0.2.10"`, "[1, 2]", "{{ {{ capture.a }} }}"},
		{`capture.a.interfaces.name == "eth0"`, `capture.b`, "", "{{ capture }}"},
		{`capture.c | interfaces.name == "eth0"`, `interfaces.name == capture.c.interfaces.1.name`, fuzzState, "{{ capture.c.routes }}-{{ capture.a.interfaces.0.name }}"},
		{`interfaces.name == "eth1" interfaces.type`, `capture.a | capture.b | x.y := capture.a`, "a: null", "{{ capture.b.0 }}"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, a, b, state, tmpl string) {
		current, err := nmstate.Decode([]byte(state))
		if err != nil {
			return
		}
		// c is always cached, so references to it take the cache's path.
		cache := map[string]Entry{"c": {State: current}, "unused": {}}
		p := Policy{
			Capture:      map[string]string{"a": a, "b": b, "c": "not parsed"},
			DesiredState: map[string]any{"x": tmpl, "l": []any{tmpl, map[string]any{tmpl: tmpl}}},
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done := make(chan struct{})
		var g *Generated
		go func() {
			defer close(done)
			g, err = Generate(p, current, cache, time.Unix(0, 0))
		}()
		select {
		case <-done:
		case <-ctx.Done():
			t.Fatalf("Generate hangs on a=%q b=%q", a, b)
		}
		if err != nil {
			var ee *expr.Error
			var ce *Error
			var te *TemplateError
			if !errors.As(err, &ee) || !(errors.As(err, &ce) || errors.As(err, &te)) {
				t.Fatalf("error %v (%T) is not a positioned engine error", err, err)
			}
			if ee.Pos < 0 || ee.Pos > len(ee.Source) {
				t.Fatalf("error position %d outside %q", ee.Pos, ee.Source)
			}
			return
		}
		// Strings the original's encoder refuses (control characters) are
		// errors there too; what matters is that encoding does not panic.
		_, _ = nmstate.MarshalYAML(g.DesiredState)
		_, _ = EncodeCache(g.Cache)
	})
}

// FuzzGenerateState drives the original library's entry point with a
// whole policy file and a current state, both arbitrary bytes: no panic,
// no hang, and errors are either decoding errors or the engine's.
func FuzzGenerateState(f *testing.F) {
	f.Add([]byte("capture:\n  a: routes.running.destination==\"0.0.0.0/0\"\ndesiredState:\n  x: \"{{ capture.a.routes }}\"\n"), []byte(fuzzState))
	f.Add([]byte("capture:\n  a: capture.a | x.y := 1\n"), []byte(fuzzState))
	f.Add([]byte("apiVersion: nmstate.io/v1\nkind: NodeNetworkConfigurationPolicy\nspec:\n  capture:\n    a: interfaces.mtu == 1500\n  desiredState:\n    interfaces: '{{ capture.a.interfaces }}'\n"), []byte(fuzzState))
	f.Add([]byte("desiredState: [1, {a: '{{ capture.x }}'}]"), []byte("{}"))
	f.Add([]byte("capture: {a: '\"x\"'}"), []byte("a: [b, c]"))
	f.Fuzz(func(t *testing.T, policy, current []byte) {
		doc, err := ParsePolicy(policy)
		if err != nil {
			return
		}
		var spec PolicySpec
		spec.Capture = doc.Policy.Capture
		if doc.Policy.DesiredState != nil {
			if spec.DesiredState, err = nmstate.MarshalYAML(doc.Policy.DesiredState); err != nil {
				return
			}
		}
		_, err = GenerateState(spec, current, CachedState{}, WithClock(func() time.Time { return time.Unix(0, 0) }))
		if err == nil {
			return
		}
		var se *nmstate.SyntaxError
		var ee *expr.Error
		if !errors.As(err, &se) && !errors.As(err, &ee) {
			t.Fatalf("unexpected error %v (%T)", err, err)
		}
	})
}

// FuzzLint checks arbitrary policy files: no panic, and every diagnostic
// has a position inside the file.
func FuzzLint(f *testing.F) {
	f.Add([]byte("capture:\n  a: interfaces.name == capture.b.x\n  b: \"y.z == \\\"eth0\\\" | y\"\n"))
	f.Add([]byte("capture:\n  a: capture.b | x.y == 'z'\n  b: capture.a | x.y == 'z'\n---\ncapture: [x\n"))
	f.Add([]byte("capture:\n  a: >-\n    interfaces.name ==\n\n    -x\ndesiredState:\n  interfaces:\n  - name: \"{{ capture.a.x }}-{{capture.b}}\"\n    adress: 1\n"))
	f.Add([]byte("kind: NodeNetworkConfigurationPolicy\nspec:\n  capture: {a: &x 'x.y', b: *x, <<: {c: z}}\n  desiredState: {ipv4: '{{ capture.a }}'}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := strings.Count(string(data), "\n") + 1
		for _, d := range Lint(data) {
			if d.Line < 1 || d.Line > lines || d.Col < 1 {
				t.Fatalf("diagnostic %+v outside the file of %d lines", d, lines)
			}
			if strings.Contains(d.Msg, "\n") {
				t.Fatalf("diagnostic message spans lines: %q", d.Msg)
			}
		}
	})
}
