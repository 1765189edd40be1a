package render

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/netplumb/netplumb/nmstate"
)

// keyfileRender parses an NMState document for the keyfile renderer and
// renders it.
func keyfileRender(t testing.TB, doc string) ([]File, error) {
	t.Helper()
	v, err := nmstate.Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	st, err := Parse(v, "keyfile")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return Files(Keyfile{}, st)
}

// keyfileOf returns the keyfile of an interface in a file set.
func keyfileOf(t *testing.T, files []File, name string) string {
	t.Helper()
	for _, f := range files {
		if f.Path == keyfileDir+name+".nmconnection" {
			return string(f.Content)
		}
	}
	t.Fatalf("no keyfile for %s", name)
	return ""
}

func TestKeyfileRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string
		unsupported     bool
	}{
		{"SLAAC without DHCPv6", `
interfaces:
- {name: eth0, ipv6: {enabled: true, autoconf: true, dhcp: false}}`,
			"interfaces[0].ipv6.autoconf without dhcp: not supported by keyfile", true},
		{"rule without priority", `
interfaces:
- {name: eth0, ipv4: {enabled: true, address: [{ip: 10.0.0.2, prefix-length: 24}]}}
routes: {config: [{destination: 0.0.0.0/0, next-hop-address: 10.0.0.1, next-hop-interface: eth0, table-id: 5}]}
route-rules: {config: [{ip-from: 10.0.0.2/32, route-table: 5}]}`,
			"route-rules.config[0] without priority: not supported by keyfile", true},
		{"IPv6 DNS without IPv6", `
interfaces:
- {name: eth0, ipv4: {enabled: true, dhcp: true}, ipv6: {enabled: false}}
dns-resolver: {config: {server: [192.0.2.53, 2001:db8::53]}}`,
			"dns-resolver.config.server[1] without an interface with IPv6: not supported by keyfile", true},
		{"IPv6 DNS on link-local only", `
interfaces:
- {name: eth0, ipv6: {enabled: true}}
dns-resolver: {config: {server: [2001:db8::53]}}`,
			"dns-resolver.config.server[0] without an interface with IPv6: not supported by keyfile", true},
		{"search without IP", `
interfaces:
- {name: eth0, ipv4: {enabled: false}}
dns-resolver: {config: {search: [example.com]}}`,
			"dns-resolver.config.search without an interface with IP: not supported by keyfile", true},
		{"route on a port", `
interfaces:
- {name: bond0, type: bond, link-aggregation: {mode: active-backup, port: [eth0]}, ipv4: {enabled: true, dhcp: true}}
routes: {config: [{destination: 10.0.0.0/8, next-hop-interface: eth0}]}`,
			"routes.config[0] on eth0, a port of bond0: not supported by keyfile", true},
		{"route without its family", `
interfaces:
- {name: eth0, ipv4: {enabled: true, dhcp: true}}
routes: {config: [{destination: 2001:db8::/32, next-hop-address: 2001:db8::1, next-hop-interface: eth0}]}`,
			"routes.config[0] on eth0 without IPv6: not supported by keyfile", true},
		{"rule without its family", `
interfaces:
- {name: eth0, ipv4: {enabled: true, dhcp: true}}
routes: {config: [{destination: 0.0.0.0/0, next-hop-address: 10.0.0.1, next-hop-interface: eth0, table-id: 7}]}
route-rules: {config: [{ip-from: 2001:db8::/64, route-table: 7, priority: 100}]}`,
			"route-rules.config[0] on eth0 without IPv6: not supported by keyfile", true},
		{"MAC match on a bond", `
interfaces:
- {name: bond0, type: bond, identifier: mac-address, mac-address: 52:54:00:12:34:56, link-aggregation: {mode: active-backup, port: [eth0]}}`,
			"interfaces[0].identifier on a bond: not supported by keyfile", true},
		{"auto-route-metric without DHCP", `
interfaces:
- {name: eth0, ipv4: {enabled: true, address: [{ip: 10.0.0.2, prefix-length: 24}], auto-route-metric: 100}}`,
			"interfaces[0].ipv4.auto-route-metric without dhcp: not supported by keyfile", true},
		{"primary matched by MAC", `
interfaces:
- {name: lan0, identifier: mac-address, mac-address: 52:54:00:12:34:56}
- {name: bond0, type: bond, link-aggregation: {mode: active-backup, port: [lan0, eth1], options: {primary: lan0}}}`,
			"interfaces[1].link-aggregation.options.primary naming a port matched by MAC: not supported by keyfile", true},
		{"primary in 802.3ad", `
interfaces:
- {name: bond0, type: bond, link-aggregation: {mode: 802.3ad, port: [eth0], options: {primary: eth0}}}`,
			"interfaces[0].link-aggregation.options.primary: primary is only valid in the modes active-backup, balance-tlb and balance-alb, not 802.3ad", false},
		{"lacp_rate in active-backup", `
interfaces:
- {name: bond0, type: bond, link-aggregation: {mode: active-backup, port: [eth0], options: {lacp_rate: slow}}}`,
			"interfaces[0].link-aggregation.options.lacp_rate: lacp_rate is only valid in mode 802.3ad, not active-backup", false},
		{"updelay without miimon", `
interfaces:
- {name: bond0, type: bond, link-aggregation: {mode: active-backup, port: [eth0], options: {miimon: 0, updelay: 200}}}`,
			"interfaces[0].link-aggregation.options.updelay: updelay needs miimon, which is 0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files, err := keyfileRender(t, tt.doc)
			if err == nil {
				t.Fatalf("no error; rendered:\n%s", transcript(files, nil))
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q, want %q", err, tt.want)
			}
			if _, ok := errors.AsType[*UnsupportedError](err); ok != tt.unsupported {
				t.Errorf("error %T, want an *UnsupportedError: %v", err, tt.unsupported)
			}
		})
	}
}

// keyfileTrapsDoc holds what TestKeyfileTraps checks; TestKeyfileValidate
// runs it through nmcli too.
const keyfileTrapsDoc = `
interfaces:
- {name: eth0, mac-address: 02:00:00:00:00:01}
- {name: eth1}
- name: bond0
  type: bond
  state: down
  description: uplink to tor-1
  link-aggregation: {mode: 802.3ad, port: [eth0, eth1], options: {miimon: 100}}
  ipv4: {enabled: true, address: [{ip: 192.0.2.10, prefix-length: 24}]}
  ipv6: {enabled: true, address: [{ip: 2001:db8::10, prefix-length: 64}]}
- {name: lan0, identifier: mac-address, mac-address: 52:54:00:12:34:56}
- {name: lan0.7, type: vlan, vlan: {base-iface: lan0, id: 7}, ipv6: {enabled: true, dhcp: true, autoconf: true, auto-route-metric: 300}}
routes:
  config:
  - {destination: 0.0.0.0/0, next-hop-address: 192.0.2.1, next-hop-interface: bond0}
  - {destination: '::/0', next-hop-address: '2001:db8::1', next-hop-interface: bond0}
  - {destination: 198.51.100.0/24, next-hop-interface: bond0, metric: 50, table-id: 100}
  - {destination: '2001:db8:1::/64', next-hop-interface: bond0, metric: 60}
route-rules:
  config:
  - {ip-from: 192.0.2.10/32, route-table: 100, priority: 1000}
  - {ip-to: 198.51.100.0/24, route-table: 100, priority: 1001}
`

// TestKeyfileTraps pins down what NetworkManager 1.42 gets wrong or drops
// without a word when a keyfile is written the obvious way.
func TestKeyfileTraps(t *testing.T) {
	t.Parallel()
	files, err := keyfileRender(t, keyfileTrapsDoc)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasPrefix(f.Path, keyfileDir) && f.Mode != 0o600 {
			t.Errorf("%s: mode %04o: NetworkManager ignores keyfiles other users can read", f.Path, f.Mode)
		}
	}
	bond := keyfileOf(t, files, "bond0")
	eth0 := keyfileOf(t, files, "eth0")
	vlan := keyfileOf(t, files, "lan0.7")
	lan0 := keyfileOf(t, files, "lan0")
	checks := []struct {
		what, file, want string
		present          bool
	}{
		// An IPv6 default route is ::/0, in [ipv6], and no gateway= key.
		{"IPv6 default route", bond, "[ipv6]\naddress1=2001:db8::10/64\nmethod=manual\nroute1=::/0,2001:db8::1\nroute2=2001:db8:1::/64,::,60\n", true},
		{"IPv4 default route", bond, "route1=0.0.0.0/0,192.0.2.1\n", true},
		{"gateway key", bond, "gateway=", false},
		// A metric without a gateway needs the unspecified address in
		// between; a table is an option of the route.
		{"on-link route with metric and table", bond, "route2=198.51.100.0/24,0.0.0.0,50\nroute2_options=table=100\n", true},
		// NetworkManager writes a host prefix bare and needs a priority.
		{"host rule", bond, "routing-rule1=priority 1000 from 192.0.2.10 table 100\n", true},
		{"network rule", bond, "routing-rule2=priority 1001 to 198.51.100.0/24 table 100\n", true},
		// 1.42 drops controller= and port-type= silently.
		{"master", eth0, "master=bond0\nslave-type=bond\n", true},
		{"controller", eth0, "controller=", false},
		{"port-type", eth0, "port-type=", false},
		{"port IP settings", eth0, "[ipv4]", false},
		// A down bond's ports stay down too, or they bring it up.
		{"down bond", bond, "type=bond\nautoconnect=false\ninterface-name=bond0\n", true},
		{"port of a down bond", eth0, "autoconnect=false\n", true},
		{"cloned MAC", eth0, "[ethernet]\ncloned-mac-address=02:00:00:00:00:01\n", true},
		{"description", bond, "# Written by netrender.\n# uplink to tor-1\n[connection]\n", true},
		// A device matched by MAC keeps its kernel name: no
		// interface-name, and a VLAN names its parent by UUID.
		{"MAC match", lan0, "type=ethernet\n\n[ethernet]\nmac-address=52:54:00:12:34:56\n", true},
		{"MAC match name", lan0, "interface-name=", false},
		{"VLAN parent by UUID", vlan, "parent=" + keyfileUUID("lan0") + "\n", true},
		{"RA route metric", vlan, "[ipv6]\nmethod=auto\nroute-metric=300\n", true},
	}
	for _, c := range checks {
		if strings.Contains(c.file, c.want) != c.present {
			t.Errorf("%s: %q present: %v, want %v, in:\n%s", c.what, c.want, !c.present, c.present, c.file)
		}
	}
}

func TestKeyfileUUID(t *testing.T) {
	t.Parallel()
	// Python: uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL,
	// "https://github.com/netplumb/netplumb/render#keyfile"), name)
	for name, want := range map[string]string{
		"eth0":  "de3433b9-1609-55ca-8e42-90ab906ba731",
		"bond0": "70397021-3163-5b40-a6dc-ff9c50aa3e44",
	} {
		if got := keyfileUUID(name); got != want {
			t.Errorf("keyfileUUID(%q) = %s, want %s", name, got, want)
		}
	}
}

func TestKeyfileDeterministic(t *testing.T) {
	t.Parallel()
	st := keyfileBenchState(50)
	a, err := Keyfile{}.Render(st)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := Keyfile{}.Render(st)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(transcript(a, nil), transcript(b, nil)) {
			t.Fatal("two renderings differ")
		}
	}
}

// keyfileBenchState builds a state of n interfaces: for every 20, one
// 802.3ad bond over two ports with a VLAN on it, and 16 ethernets with
// static IPv4 and IPv6, a default route of each family, a route in a
// table of their own and a rule for it; DNS on top.
func keyfileBenchState(n int) *State {
	st := &State{DNS: DNS{
		Servers: []netip.Addr{netip.MustParseAddr("192.0.2.53"), netip.MustParseAddr("2001:db8::53")},
		Search:  []string{"example.com"},
	}}
	add := func(i *Interface) *Interface {
		i.Path = fmt.Sprintf("interfaces[%d]", len(st.Interfaces))
		st.Interfaces = append(st.Interfaces, i)
		return i
	}
	for k := 0; len(st.Interfaces) < n; k++ {
		g := k / 20
		switch k % 20 {
		case 0:
			bond := add(&Interface{Name: fmt.Sprintf("bond%d", g), Kind: Bond, MTU: 9000,
				Bond: &BondConfig{Mode: "802.3ad", Options: map[string]string{"miimon": "100", "lacp_rate": "fast", "xmit_hash_policy": "layer3+4"}}})
			for p := range 2 {
				port := add(&Interface{Name: fmt.Sprintf("p%dp%d", g, p), Kind: Ethernet, Controller: bond})
				bond.Bond.Ports = append(bond.Bond.Ports, port)
			}
			add(&Interface{Name: fmt.Sprintf("bond%d.%d", g, 100+g%3000), Kind: VLAN, VLAN: &VLANConfig{Base: bond, ID: 100 + g%3000},
				IPv4: IPConfig{Enabled: true, DHCP: true, AutoRouteMetric: 200}})
		case 1, 2, 3:
		default:
			i := add(&Interface{Name: fmt.Sprintf("eth%d", k), Kind: Ethernet,
				IPv4: IPConfig{Enabled: true, Addresses: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(k >> 8), byte(k), 2}), 24)}},
				IPv6: IPConfig{Enabled: true, Addresses: []netip.Prefix{netip.MustParsePrefix(fmt.Sprintf("2001:db8:%x::2/64", k))}}})
			gw4 := netip.AddrFrom4([4]byte{10, byte(k >> 8), byte(k), 1})
			st.Routes = append(st.Routes,
				Route{Destination: netip.MustParsePrefix("0.0.0.0/0"), Via: gw4, Interface: i, Metric: 100 + k},
				Route{Destination: netip.MustParsePrefix("::/0"), Via: netip.MustParseAddr(fmt.Sprintf("2001:db8:%x::1", k)), Interface: i, Metric: 100 + k},
				Route{Destination: netip.MustParsePrefix("0.0.0.0/0"), Via: gw4, Interface: i, Table: 1000 + k})
			st.Rules = append(st.Rules, Rule{From: i.IPv4.Addresses[0].Masked(), Priority: 10000 + k, Table: 1000 + k, Interface: i})
		}
	}
	return st
}

// BenchmarkKeyfile renders 1,000 interfaces (50 bonds with 100 ports and
// 50 VLANs, 800 static dual-stack ethernets with 2,400 routes and 800
// rules); the target is under 50 ms.
func BenchmarkKeyfile(b *testing.B) {
	st := keyfileBenchState(1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Keyfile{}).Render(st); err != nil {
			b.Fatal(err)
		}
	}
}
