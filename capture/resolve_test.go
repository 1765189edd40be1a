package capture

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type m = map[string]any
type l = []any

// testState is a small current state covering the shapes the operators
// meet: a first list (interfaces, routes), inner lists (addresses, ports),
// optional keys, numbers and booleans.
func testState() m {
	return m{
		"interfaces": l{
			m{"name": "eth0", "type": "ethernet", "state": "up", "mtu": int64(1500),
				"description": "primary",
				"ipv4": m{"enabled": true, "dhcp": false, "address": l{
					m{"ip": "192.0.2.10", "prefix-length": int64(24)},
					m{"ip": "198.51.100.10", "prefix-length": int64(24)},
				}}},
			m{"name": "eth1", "type": "ethernet", "state": "down", "mtu": int64(9000),
				"ipv4": m{"enabled": false}},
			m{"name": "br0", "type": "linux-bridge", "state": "up",
				"bridge": m{"port": l{m{"name": "eth2"}, m{"name": "eth3"}}}},
		},
		"routes": m{
			"running": l{
				m{"destination": "0.0.0.0/0", "next-hop-address": "192.0.2.1", "next-hop-interface": "eth0", "table-id": int64(254)},
				m{"destination": "10.0.0.0/8", "next-hop-address": "192.0.2.1", "next-hop-interface": "eth0", "table-id": int64(100)},
				m{"destination": "::/0", "next-hop-interface": "eth1", "table-id": int64(254)},
			},
			"config": l{
				m{"destination": "0.0.0.0/0", "next-hop-interface": "eth0"},
			},
		},
		"route-rules": m{"config": l{
			m{"ip-from": "192.0.2.0/24", "route-table": int64(100)},
			m{"ip-to": "10.0.0.0/8", "route-table": int64(500)},
		}},
		"dns-resolver": m{"running": m{"server": l{"192.0.2.53"}}},
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		captures map[string]string
		cached   m
		want     m
	}{
		{
			name:     "path keeps only the path above the first list",
			captures: map[string]string{"a": "dns-resolver.running"},
			want:     m{"a": m{"dns-resolver": m{"running": m{"server": l{"192.0.2.53"}}}}},
		},
		{
			name:     "path through a list reduces elements to the leaf",
			captures: map[string]string{"a": "interfaces.description"},
			want:     m{"a": m{"interfaces": l{m{"description": "primary"}}}},
		},
		{
			name:     "path below a list keeps the element's other keys",
			captures: map[string]string{"a": "interfaces.ipv4.dhcp"},
			want: m{"a": m{"interfaces": l{
				with(testState()["interfaces"].(l)[0].(m), "ipv4", m{"dhcp": false}),
			}}},
		},
		{
			name:     "missing path is a null state",
			captures: map[string]string{"a": "routes.nosuch.destination"},
			want:     m{"a": nil},
		},
		{
			name:     "eq keeps matching elements whole and only the path's keys above",
			captures: map[string]string{"gw": `routes.running.destination=="0.0.0.0/0"`},
			want: m{"gw": m{"routes": m{"running": l{
				testState()["routes"].(m)["running"].(l)[0],
			}}}},
		},
		{
			name:     "eq on an inner list keeps the parent and the whole inner list",
			captures: map[string]string{"a": `interfaces.ipv4.address.ip=="198.51.100.10"`},
			want:     m{"a": m{"interfaces": l{testState()["interfaces"].(l)[0]}}},
		},
		{
			name:     "eq boolean",
			captures: map[string]string{"a": `interfaces.ipv4.enabled==false`},
			want:     m{"a": m{"interfaces": l{testState()["interfaces"].(l)[1]}}},
		},
		{
			name:     "eq number literal",
			captures: map[string]string{"a": `route-rules.config.route-table==500`},
			want:     m{"a": m{"route-rules": m{"config": l{testState()["route-rules"].(m)["config"].(l)[1]}}}},
		},
		{
			name:     "ne drops elements lacking the key",
			captures: map[string]string{"a": `interfaces.description!="secondary"`},
			want:     m{"a": m{"interfaces": l{testState()["interfaces"].(l)[0]}}},
		},
		{
			name:     "no match is a null state",
			captures: map[string]string{"a": `interfaces.name=="eth9"`},
			want:     m{"a": nil},
		},
		{
			name: "capture references in any order",
			captures: map[string]string{
				"base": "interfaces.name==capture.gw.routes.running.0.next-hop-interface",
				"gw":   `routes.running.destination=="0.0.0.0/0"`,
			},
			want: m{
				"gw":   m{"routes": m{"running": l{testState()["routes"].(m)["running"].(l)[0]}}},
				"base": m{"interfaces": l{testState()["interfaces"].(l)[0]}},
			},
		},
		{
			name: "capture prefix on the left-hand side reads that capture",
			captures: map[string]string{
				"eth":    `interfaces.type=="ethernet"`,
				"eth-up": `capture.eth.interfaces.state=="up"`,
			},
			want: m{
				"eth":    m{"interfaces": l{testState()["interfaces"].(l)[0], testState()["interfaces"].(l)[1]}},
				"eth-up": m{"interfaces": l{testState()["interfaces"].(l)[0]}},
			},
		},
		{
			name:     "unknown capture prefix on the left-hand side is skipped",
			captures: map[string]string{"a": `capture.void.interfaces.name=="eth1"`},
			want:     m{"a": m{"interfaces": l{testState()["interfaces"].(l)[1]}}},
		},
		{
			name: "capture.name alone on the left-hand side is a literal path",
			captures: map[string]string{
				"a":   `capture.abc == "eth1"`,
				"abc": `interfaces.name=="eth0"`,
			},
			want: m{"a": nil, "abc": m{"interfaces": l{testState()["interfaces"].(l)[0]}}},
		},
		{
			name: "replace through a pipe sets the leaf in every element",
			captures: map[string]string{
				"gw":     `routes.running.next-hop-interface=="eth0"`,
				"bridge": `capture.gw | routes.running.next-hop-interface:="br0"`,
			},
			want: m{
				"gw": m{"routes": m{"running": l{
					testState()["routes"].(m)["running"].(l)[0],
					testState()["routes"].(m)["running"].(l)[1],
				}}},
				"bridge": m{"routes": m{"running": l{
					with(testState()["routes"].(m)["running"].(l)[0].(m), "next-hop-interface", "br0"),
					with(testState()["routes"].(m)["running"].(l)[1].(m), "next-hop-interface", "br0"),
				}}},
			},
		},
		{
			name:     "replace creates missing maps and keeps the whole input",
			captures: map[string]string{"x": "cached", "a": `capture.x | interfaces.lldp.enabled:=true`},
			cached: m{"x": m{"interfaces": l{m{"name": "eth0"}, m{"name": "eth1", "lldp": m{"enabled": false}}}},
				"other": m{}},
			want: m{"a": m{"interfaces": l{
				m{"name": "eth0", "lldp": m{"enabled": true}},
				m{"name": "eth1", "lldp": m{"enabled": true}},
			}}, "x": m{"interfaces": l{m{"name": "eth0"}, m{"name": "eth1", "lldp": m{"enabled": false}}}}},
		},
		{
			name:     "replace with a capture reference keeps its type",
			captures: map[string]string{"x": "cached", "a": `capture.x | interfaces.mtu := capture.x.interfaces.0.mtu`},
			cached:   m{"x": m{"interfaces": l{m{"name": "eth0", "mtu": int64(1500)}, m{"name": "eth1"}}}},
			want: m{"a": m{"interfaces": l{
				m{"name": "eth0", "mtu": int64(1500)},
				m{"name": "eth1", "mtu": int64(1500)},
			}}, "x": m{"interfaces": l{m{"name": "eth0", "mtu": int64(1500)}, m{"name": "eth1"}}}},
		},
		{
			name:     "replace with null",
			captures: map[string]string{"x": "cached", "a": `capture.x | interfaces.ethernet := null`},
			cached:   m{"x": m{"interfaces": l{m{"name": "eth0", "ethernet": m{"speed": int64(1000)}}}}},
			want: m{"a": m{"interfaces": l{m{"name": "eth0", "ethernet": nil}}},
				"x": m{"interfaces": l{m{"name": "eth0", "ethernet": m{"speed": int64(1000)}}}}},
		},
		{
			name:     "whole capture reference",
			captures: map[string]string{"x": "cached", "a": `capture.x | interfaces.copy := capture.x`},
			cached:   m{"x": m{"interfaces": l{m{"name": "eth0"}}}},
			want: m{"a": m{"interfaces": l{m{"name": "eth0", "copy": m{"interfaces": l{m{"name": "eth0"}}}}}},
				"x": m{"interfaces": l{m{"name": "eth0"}}}},
		},
		{
			name:     "cached captures are not parsed",
			captures: map[string]string{"a": "override me with the cache"},
			cached:   m{"a": m{"name": "cached"}},
			want:     m{"a": m{"name": "cached"}},
		},
		{
			name:     "cached entries not named are dropped",
			captures: map[string]string{"a": "interfaces.name=='br0'"},
			cached:   m{"b": m{"name": "cached"}},
			want:     m{"a": m{"interfaces": l{testState()["interfaces"].(l)[2]}}},
		},
		{
			name:     "trailing path after a filter wins, as in the original",
			captures: map[string]string{"a": `interfaces.name == "eth1" interfaces.type`},
			want: m{"a": m{"interfaces": l{
				m{"type": "ethernet"}, m{"type": "ethernet"}, m{"type": "linux-bridge"},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			current := testState()
			got, err := Resolve(tt.captures, current, tt.cached)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if diff := cmp.Diff(map[string]any(tt.want), got); diff != "" {
				t.Errorf("Resolve (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(testState(), current); diff != "" {
				t.Errorf("Resolve modified the current state (-before +after):\n%s", diff)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		captures map[string]string
		cached   m
		want     string
	}{
		{"syntax", map[string]string{"a": `routes.running.destination==-"x"`},
			nil, `capture "a": 1:29: illegal rune '-'`},
		{"empty", map[string]string{"a": ""}, nil, `capture "a": 1:1: empty expression`},
		{"lone string", map[string]string{"a": `"quoted string"`}, nil,
			`capture "a": 1:1: expression is a lone value ("quoted string"): it must be a path, a filter or a replace`},
		{"pipe from a path", map[string]string{"a": `interfaces | routes.running.destination=="0.0.0.0/0"`}, nil,
			`capture "a": 1:1: invalid path input source (interfaces), only capture reference is supported`},
		{"pipe from unknown capture", map[string]string{"a": `capture.nope | interfaces.name=="x"`}, nil,
			`capture "a": 1:1: capture entry "nope" not found`},
		{"rhs unknown capture", map[string]string{"a": `routes.running.next-hop-interface==capture.default-gw.routes`}, nil,
			`capture "a": 1:36: capture entry "default-gw" not found`},
		{"rhs capture without name", map[string]string{"a": `routes.running.next-hop-interface==capture`}, nil,
			`capture "a": 1:36: capture reference is missing the capture entry name`},
		{"lhs capture without name", map[string]string{"a": `capture == "eth1"`}, nil,
			`capture "a": 1:1: capture reference is missing the capture entry name`},
		{"rhs path not a capture", map[string]string{"a": `interfaces.name==eth1`}, nil,
			`capture "a": 1:18: not supported filtered value path eth1: only paths with a capture entry reference are supported`},
		{"rhs walk missing key", map[string]string{"gw": "cached", "a": `routes.running.next-hop-interface==capture.gw.routes.badfield`},
			m{"gw": m{"routes": m{"running": l{}}}},
			`capture "a": 1:54: invalid path: step "badfield" not found at a map (keys: running)`},
		{"rhs walk key on list", map[string]string{"gw": "cached", "a": `routes.running.next-hop-interface==capture.gw.routes.running.badfield`},
			m{"gw": m{"routes": m{"running": l{}}}},
			`capture "a": 1:62: invalid path: step "badfield" used on a list: a list takes an index`},
		{"rhs walk index on map", map[string]string{"gw": "cached", "a": `routes.running.next-hop-interface==capture.gw.routes.1`},
			m{"gw": m{"routes": m{"running": l{}}}},
			`capture "a": 1:54: invalid path: index 1 used on a map (keys: running)`},
		{"rhs walk index out of range", map[string]string{"gw": "cached", "a": `routes.running.next-hop-interface==capture.gw.routes.running.6`},
			m{"gw": m{"routes": m{"running": l{"x"}}}},
			`capture "a": 1:62: invalid path: index 6 out of range at a list of 1`},
		{"reference to a capture that matched nothing", map[string]string{"e": "cached", "a": `interfaces.name==capture.e.interfaces.0.name`},
			m{"e": nil},
			`capture "a": 1:28: invalid path: capture "e" matched nothing (its state is null), so it has no "interfaces"`},
		{"type mismatch on a list", map[string]string{"a": `interfaces.ipv4.address=="10.244.0.1"`}, nil,
			`capture "a": 1:17: type mismatch: the value at the path is a list, the value to filter by is a string ("10.244.0.1")`},
		{"type mismatch number", map[string]string{"a": `interfaces.mtu=="1500"`}, nil,
			`capture "a": 1:12: type mismatch: the value at the path is a number (1500), the value to filter by is a string ("1500")`},
		{"compare with a map", map[string]string{"b": "cached", "a": `interfaces.bridge==capture.b.interfaces.0.bridge`},
			m{"b": m{"interfaces": l{m{"bridge": m{"port": l{}}}}}},
			`capture "a": 1:20: cannot filter by a map: == compares strings, booleans, numbers and null`},
		{"walk into null", map[string]string{"x": "cached", "a": `capture.x | routes.running.next-hop-interface=='eth1'`},
			m{"x": m{"routes": m{"running": nil}}},
			`capture "a": 1:28: invalid path: step "next-hop-interface" used on null`},
		{"index in a filter path", map[string]string{"a": `interfaces.0.name=="eth0"`}, nil,
			`capture "a": 1:12: invalid path: index step 0: only capture references may use indexes`},
		{"replace into a scalar", map[string]string{"a": `interfaces.name.first:="x"`}, nil,
			`capture "a": 1:17: invalid path: step "first" used on a string ("eth0")`},
		{"self cycle", map[string]string{"a": `capture.a | interfaces.name=="x"`}, nil,
			`capture "a": 1:1: capture cycle: a -> a`},
		{"mutual cycle", map[string]string{
			"a": `capture.b | interfaces.name=="x"`,
			"b": `interfaces.name==capture.a.interfaces.0.name`,
		}, nil, `capture "a": 1:1: capture cycle: a -> b -> a`},
		{"first failure in dependency order, then by name", map[string]string{
			"a": `interfaces.name==capture.z.interfaces.0.name`,
			"b": `bad bad`,
			"z": `also bad`,
		}, nil, `capture "b": 1:5: invalid path: missing dot`},
		{"dependency fails before its user", map[string]string{
			"a": `interfaces.name==capture.z.interfaces.0.name`,
			"z": `interfaces.name==capture.q.x`,
		}, nil, `capture "z": 1:18: capture entry "q" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Resolve(tt.captures, testState(), tt.cached)
			if err == nil {
				t.Fatalf("Resolve succeeded, want %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Resolve error:\n got %s\nwant %s", got, tt.want)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *capture.Error", err)
			}
			if isCycle := strings.Contains(tt.name, "cycle"); errors.Is(err, ErrCycle) != isCycle {
				t.Errorf("errors.Is(err, ErrCycle) = %t, want %t", !isCycle, isCycle)
			}
		})
	}
}
