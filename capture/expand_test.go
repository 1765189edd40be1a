package capture

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func expandCaptures() m {
	return m{
		"base": m{"interfaces": l{m{
			"name": "eth0", "mtu": int64(1500), "mac-address": "52:55:00:D1:55:01",
			"ipv4": m{"enabled": true, "address": l{m{"ip": "192.0.2.10", "prefix-length": int64(24)}}},
			"lldp": m{"enabled": false},
		}}},
		"empty": nil,
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		desired any
		want    any
	}{
		{"no templates", m{"a": l{"x", int64(1), true, nil}}, m{"a": l{"x", int64(1), true, nil}}},
		{"string", m{"name": "{{ capture.base.interfaces.0.name }}"}, m{"name": "eth0"}},
		{"number keeps its type", m{"mtu": "{{ capture.base.interfaces.0.mtu }}"}, m{"mtu": int64(1500)}},
		{"bool keeps its type", m{"x": "{{ capture.base.interfaces.0.lldp.enabled }}"}, m{"x": false}},
		{"subtree", m{"ipv4": "{{ capture.base.interfaces.0.ipv4 }}"},
			m{"ipv4": m{"enabled": true, "address": l{m{"ip": "192.0.2.10", "prefix-length": int64(24)}}}}},
		{"list", m{"x": "{{ capture.base.interfaces }}"}, m{"x": expandCaptures()["base"].(m)["interfaces"]}},
		{"whole capture", m{"x": "{{ capture.base }}"}, m{"x": expandCaptures()["base"]}},
		{"whole null capture", m{"x": "{{ capture.empty }}"}, m{"x": nil}},
		{"in lists", l{m{"port": l{m{"name": "{{ capture.base.interfaces.0.name }}"}}}},
			l{m{"port": l{m{"name": "eth0"}}}}},
		{"keys are never expanded", m{"{{ capture.base.interfaces.0.name }}": "x"},
			m{"{{ capture.base.interfaces.0.name }}": "x"}},
		{"inside a longer string", m{"name": "{{ capture.base.interfaces.0.name }}.100"}, m{"name": "eth0.100"}},
		{"two inside a string", m{"d": "{{ capture.base.interfaces.0.name }} mtu {{ capture.base.interfaces.0.mtu }}!"},
			m{"d": "eth0 mtu 1500!"}},
		{"several templates spliced", m{"d": "{{ capture.base.interfaces.0.name }}-{{ capture.base.interfaces.0.mtu }}"},
			m{"d": "eth0-1500"}},
		{"no spaces is not a template", m{"x": "{{capture.base.interfaces.0.name}}"},
			m{"x": "{{capture.base.interfaces.0.name}}"}},
		{"empty reference stays", m{"x": "{{ }}"}, m{"x": "{{ }}"}},
		{"no ending stays", m{"x": "{{ capture.base.interfaces.0.name"}, m{"x": "{{ capture.base.interfaces.0.name"}},
		{"no start stays", m{"x": "capture.base.interfaces.0.name }}"}, m{"x": "capture.base.interfaces.0.name }}"}},
		{"end before start stays", m{"x": "}} capture.base {{"}, m{"x": "}} capture.base {{"}},
		{"braces that are not captures stay inside strings", m{"x": "see {{ foo }} here"}, m{"x": "see {{ foo }} here"}},
		{"multi-line string is not a template", m{"x": "{{ capture.base\n }}"}, m{"x": "{{ capture.base\n }}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Expand(tt.desired, expandCaptures())
			if err != nil {
				t.Fatalf("Expand: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Expand (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExpandErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		desired    any
		want       string
		wantOffset int
	}{
		{"unknown capture", m{"interfaces": l{m{"name": "{{ capture.void.interface.0.name }}"}}},
			`desiredState.interfaces[0].name: 1:1: capture entry "void" not found`, 3},
		{"not a capture reference", m{"x": "{{ interface.0.name }}"},
			`desiredState.x: 1:1: not supported filtered value path interface.0.name: only paths with a capture entry reference are supported`, 3},
		{"index on a map", m{"x": "{{ capture.base.0.name }}"},
			`desiredState.x: 1:14: invalid path: index 0 used on a map (keys: interfaces)`, 3},
		{"missing key", m{"x": "{{ capture.base.interface.0.name }}"},
			`desiredState.x: 1:14: invalid path: step "interface" not found at a map (keys: interfaces)`, 3},
		{"two paths", m{"x": "{{ capture.base.interfaces.0.name capture.base.interfaces.1.name }}"},
			`desiredState.x: 1:32: invalid path: missing dot`, 3},
		{"two references", m{"x": "{{ {{ capture.base.interfaces.0.name }} }}"},
			`desiredState.x: 1:1: illegal rune '{'`, 3},
		{"a filter", m{"x": `{{ capture.base.interfaces.name == "eth0" }}`},
			`desiredState.x: 1:1: a template holds a capture reference (capture.name.path), not a "==" expression`, 3},
		{"a map inside a string", m{"a": l{"x", "name {{ capture.base.interfaces.0.ipv4 }}"}},
			`desiredState.a[1]: 1:1: a template inside a longer string must yield a string, a number or a boolean, not a map`, 8},
		{"key with a newline is quoted", m{"a\nb": "{{ capture.nope }}"},
			`desiredState["a\nb"]: 1:1: capture entry "nope" not found`, 3},
		{"first error in key order", m{"b": "{{ capture.b }}", "a": "{{ capture.a }}"},
			`desiredState.a: 1:1: capture entry "a" not found`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Expand(tt.desired, expandCaptures())
			if err == nil {
				t.Fatalf("Expand succeeded, want %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Expand error:\n got %s\nwant %s", got, tt.want)
			}
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("error %T is not a *TemplateError", err)
			}
			if te.Offset != tt.wantOffset {
				t.Errorf("Offset = %d, want %d", te.Offset, tt.wantOffset)
			}
		})
	}
}
