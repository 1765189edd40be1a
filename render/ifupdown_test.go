package render

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/netplumb/netplumb/nmstate"
)

// renderYAML parses an NMState document for r and renders it.
func renderYAML(t testing.TB, r Renderer, doc string) ([]File, error) {
	t.Helper()
	d, err := nmstate.Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	st, err := Parse(d, r.Name())
	if err != nil {
		return nil, err
	}
	return r.Render(st)
}

// fileContent returns the content of the file at path; fatal when absent.
func fileContent(t *testing.T, files []File, path string) string {
	t.Helper()
	for _, f := range files {
		if f.Path == path {
			return string(f.Content)
		}
	}
	t.Fatalf("no %s among %d files", path, len(files))
	return ""
}

func TestIfupdownUnsupported(t *testing.T) {
	t.Parallel()
	debian, alpine := Ifupdown{}, Ifupdown{Alpine: true}
	tests := []struct {
		name string
		r    Ifupdown
		doc  string
		want string
	}{
		{"alpine MAC match", alpine, `
interfaces:
- {name: lan0, identifier: mac-address, mac-address: "52:54:00:12:34:56"}`,
			"interfaces[0].identifier: not supported by ifupdown-ng"},
		{"alpine DHCPv6", alpine, `
interfaces:
- {name: eth0, ipv6: {enabled: true, dhcp: true}}`,
			"interfaces[0].ipv6.dhcp: not supported by ifupdown-ng"},
		{"alpine DHCP route metric", alpine, `
interfaces:
- {name: eth0, ipv4: {enabled: true, dhcp: true, auto-route-metric: 100}}`,
			"interfaces[0].ipv4.auto-route-metric: not supported by ifupdown-ng"},
		{"alpine bond without ports", alpine, `
interfaces:
- {name: bond0, type: bond, link-aggregation: {mode: active-backup}}`,
			"interfaces[0].link-aggregation.port: not supported by ifupdown-ng"},
		{"alpine vlanN with another ID", alpine, `
interfaces:
- {name: eth0}
- {name: vlan7, type: vlan, vlan: {base-iface: eth0, id: 100}}`,
			"interfaces[1].name: not supported by ifupdown-ng"},
		{"alpine BASE.ID with another ID", alpine, `
interfaces:
- {name: eth0}
- {name: eth0.7, type: vlan, vlan: {base-iface: eth0, id: 100}}`,
			"interfaces[1].name: not supported by ifupdown-ng"},
		{"debian dotted name with another ID", debian, `
interfaces:
- {name: eth0}
- {name: eth0.7, type: vlan, vlan: {base-iface: eth0, id: 100}}`,
			"interfaces[1].name: not supported by ifupdown"},
		{"debian vlanN with another ID", debian, `
interfaces:
- {name: eth0}
- {name: vlan7, type: vlan, vlan: {base-iface: eth0, id: 100}}`,
			"interfaces[1].name: not supported by ifupdown"},
		{"debian RA route metric", debian, `
interfaces:
- {name: eth0, ipv6: {enabled: true, autoconf: true, auto-route-metric: 100}}`,
			"interfaces[0].ipv6.auto-route-metric: not supported by ifupdown"},
		{"debian bridge port MTU", debian, `
interfaces:
- {name: eno1, mtu: 9000}
- {name: br0, type: linux-bridge, bridge: {port: [{name: eno1}]}}`,
			"interfaces[0].mtu: not supported by ifupdown"},
		{"debian bridge port cloned MAC", debian, `
interfaces:
- {name: eno1, mac-address: "02:00:00:00:00:01"}
- {name: br0, type: linux-bridge, bridge: {port: [{name: eno1}]}}`,
			"interfaces[0].mac-address: not supported by ifupdown"},
		{"debian bridge port down", debian, `
interfaces:
- {name: eno1, state: down}
- {name: br0, type: linux-bridge, bridge: {port: [{name: eno1}]}}`,
			"interfaces[0].state: not supported by ifupdown"},
		{"debian route on a bridge port", debian, `
interfaces:
- {name: eno1}
- {name: br0, type: linux-bridge, bridge: {port: [{name: eno1}]}}
routes:
  config:
  - {destination: 10.0.0.0/8, next-hop-interface: eno1}`,
			"routes.config[0].next-hop-interface: not supported by ifupdown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := renderYAML(t, tt.r, tt.doc)
			var ue *UnsupportedError
			if !errors.As(err, &ue) || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// debianStatic is an interface with three static addresses of each
// family and routes through gateways reached by the second and third.
const debianStatic = `
interfaces:
- name: eth0
  ipv4:
    enabled: true
    address:
    - {ip: 192.0.2.10, prefix-length: 24}
    - {ip: 198.51.100.10, prefix-length: 24}
    - {ip: 203.0.113.10, prefix-length: 24}
  ipv6:
    enabled: true
    address:
    - {ip: "2001:db8:1::10", prefix-length: 64}
    - {ip: "2001:db8:2::10", prefix-length: 64}
- name: eth1
  state: down
  ipv4:
    enabled: true
    address:
    - {ip: 10.9.0.2, prefix-length: 32}
routes:
  config:
  - {destination: 0.0.0.0/0, next-hop-address: 203.0.113.1, next-hop-interface: eth0}
  - {destination: 10.0.0.0/8, next-hop-address: 198.51.100.1, next-hop-interface: eth0, metric: 5}
  - {destination: "::/0", next-hop-address: "2001:db8:2::1", next-hop-interface: eth0}
  - {destination: 10.1.0.0/16, next-hop-address: 10.9.0.1, next-hop-interface: eth1}
`

// TestIfupdownTraps covers the traps seen in peers: ifupdown keeps only
// the first address of a stanza, routes must follow the address that
// reaches their gateway and use ip (never net-tools route), an IPv6
// default is ::/0, and auto is only for interfaces that are up.
func TestIfupdownTraps(t *testing.T) {
	t.Parallel()
	files, err := renderYAML(t, Ifupdown{}, debianStatic)
	if err != nil {
		t.Fatal(err)
	}
	eni := fileContent(t, files, "/etc/network/interfaces")
	for _, stanza := range strings.Split(eni, "\n\n") {
		if n := strings.Count(stanza, "\n    address "); n > 1 {
			t.Errorf("stanza with %d addresses:\n%s", n, stanza)
		}
	}
	for _, want := range []string{
		"iface eth0 inet static\n    address 198.51.100.10/24\n    up ip route add 10.0.0.0/8 via 198.51.100.1 dev eth0 metric 5\n",
		"iface eth0 inet static\n    address 203.0.113.10/24\n    up ip route add 0.0.0.0/0 via 203.0.113.1 dev eth0\n",
		"    address 2001:db8:2::10/64\n    accept_ra 0\n    up ip -6 route add ::/0 via 2001:db8:2::1 dev eth0\n",
		// No address of eth1 reaches 10.9.0.1: the route says onlink.
		"    up ip route add 10.1.0.0/16 via 10.9.0.1 dev eth1 onlink\n",
		"\nauto eth0\niface eth0 inet static\n",
		"\niface eth1 inet static\n",
	} {
		if !strings.Contains(eni, want) {
			t.Errorf("missing %q in:\n%s", want, eni)
		}
	}
	for _, bad := range []string{"auto eth1", "route add -net", " gw ", "route add default", "gateway "} {
		if strings.Contains(eni, bad) {
			t.Errorf("%q in:\n%s", bad, eni)
		}
	}
}

func TestIfupdownVLANNames(t *testing.T) {
	t.Parallel()
	doc := `
interfaces:
- {name: eth0}
- {name: eth0.100, type: vlan, vlan: {base-iface: eth0, id: 100}}
- {name: vlan200, type: vlan, vlan: {base-iface: eth0, id: 200}}
- {name: mgmt, type: vlan, vlan: {base-iface: eth0, id: 300}}
`
	files, err := renderYAML(t, Ifupdown{}, doc)
	if err != nil {
		t.Fatal(err)
	}
	eni := fileContent(t, files, "/etc/network/interfaces")
	for _, want := range []string{
		"iface eth0.100 inet manual\n    vlan-raw-device eth0\n\n",
		"iface vlan200 inet manual\n    vlan-raw-device eth0\n\n",
		"iface mgmt inet manual\n    vlan-raw-device eth0\n    pre-up ip link add link eth0 name mgmt type vlan id 300\n    post-down ip link delete mgmt\n",
	} {
		if !strings.Contains(eni, want) {
			t.Errorf("missing %q in:\n%s", want, eni)
		}
	}
	if got := fileContent(t, files, "/etc/modules-load.d/netrender.conf"); got != "# Written by netrender.\n8021q\n" {
		t.Errorf("modules: %q", got)
	}
	files, err = renderYAML(t, Ifupdown{Alpine: true}, doc)
	if err != nil {
		t.Fatal(err)
	}
	eni = fileContent(t, files, "/etc/network/interfaces")
	if want := "iface mgmt\n    vlan-raw-device eth0\n    vlan-id 300\n"; !strings.Contains(eni, want) {
		t.Errorf("missing %q in:\n%s", want, eni)
	}
}

// bigState is a 1,000-interface state: 850 ethernets with static IPv4
// and IPv6 and a route each, 25 active-backup bonds over 50 ports, and
// 75 VLANs on the bonds with an address each.
func bigState(tb testing.TB, renderer string) *State {
	tb.Helper()
	var ifaces, routes []any
	for k := range 850 {
		name := fmt.Sprintf("eth%d", k)
		ifaces = append(ifaces, map[string]any{
			"name": name, "type": "ethernet", "state": "up", "mtu": int64(9000),
			"ipv4": map[string]any{"enabled": true, "address": []any{
				map[string]any{"ip": fmt.Sprintf("10.%d.%d.2", k/256, k%256), "prefix-length": int64(24)}}},
			"ipv6": map[string]any{"enabled": true, "address": []any{
				map[string]any{"ip": fmt.Sprintf("2001:db8:%x::2", k), "prefix-length": int64(64)}}},
		})
		routes = append(routes, map[string]any{
			"destination": fmt.Sprintf("172.%d.%d.0/24", 16+k/256, k%256), "next-hop-address": fmt.Sprintf("10.%d.%d.1", k/256, k%256),
			"next-hop-interface": name, "metric": int64(100), "table-id": int64(1000 + k%10),
		})
	}
	for b := range 25 {
		bond := fmt.Sprintf("bond%d", b)
		p0, p1 := fmt.Sprintf("p%da", b), fmt.Sprintf("p%db", b)
		ifaces = append(ifaces,
			map[string]any{"name": p0, "type": "ethernet"},
			map[string]any{"name": p1, "type": "ethernet"},
			map[string]any{"name": bond, "type": "bond", "link-aggregation": map[string]any{
				"mode": "active-backup", "port": []any{p0, p1},
				"options": map[string]any{"miimon": int64(100), "primary": p0}}})
		for v := range 3 {
			id := 100 + v
			ifaces = append(ifaces, map[string]any{
				"name": fmt.Sprintf("%s.%d", bond, id), "type": "vlan",
				"vlan": map[string]any{"base-iface": bond, "id": int64(id)},
				"ipv4": map[string]any{"enabled": true, "address": []any{
					map[string]any{"ip": fmt.Sprintf("192.168.%d.%d", b, 10+v), "prefix-length": int64(28)}}},
			})
		}
	}
	st, err := Parse(map[string]any{"interfaces": ifaces, "routes": map[string]any{"config": routes}}, renderer)
	if err != nil {
		tb.Fatal(err)
	}
	if len(st.Interfaces) != 1000 {
		tb.Fatalf("%d interfaces", len(st.Interfaces))
	}
	return st
}

func BenchmarkIfupdown(b *testing.B) {
	for _, r := range []Ifupdown{{}, {Alpine: true}} {
		b.Run(r.Name(), func(b *testing.B) {
			st := bigState(b, r.Name())
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Render(st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
