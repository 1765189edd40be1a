package render

import (
	"errors"
	"fmt"
	"net/netip"
	"path"
	"strings"
	"testing"

	"github.com/netplumb/netplumb/nmstate"
)

// systemdRender parses a document given as YAML text and renders it.
func systemdRender(t testing.TB, doc string, r Renderer) ([]File, error) {
	t.Helper()
	d, err := nmstate.Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	st, err := Parse(d, r.Name())
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return r.Render(st)
}

// TestSystemdRefuses checks what the netplan and networkd renderers
// refuse, with the exact message; "" means the renderer writes it.
func TestSystemdRefuses(t *testing.T) {
	bondOf := func(name, port string) string {
		return "interfaces:\n- name: " + name + "\n  type: bond\n  link-aggregation:\n    mode: active-backup\n    port: [" + port + "]\n"
	}
	tests := []struct {
		name, doc         string
		netplan, networkd string
	}{
		{
			name:     "mac-matched bond",
			doc:      "interfaces:\n- name: bond0\n  type: bond\n  identifier: mac-address\n  mac-address: 02:00:00:00:00:01\n",
			netplan:  "interfaces[0].identifier: not supported by netplan",
			networkd: "interfaces[0].identifier: not supported by networkd",
		},
		{
			name:     "mac-matched vlan",
			doc:      "interfaces:\n- name: eth0\n- name: v5\n  type: vlan\n  identifier: mac-address\n  mac-address: 02:00:00:00:00:01\n  vlan: {base-iface: eth0, id: 5}\n",
			netplan:  "interfaces[1].identifier: not supported by netplan",
			networkd: "interfaces[1].identifier: not supported by networkd",
		},
		{
			name:    "DHCPv6 without autoconf",
			doc:     "interfaces:\n- name: eth0\n  ipv6: {enabled: true, dhcp: true, autoconf: false}\n",
			netplan: "interfaces[0].ipv6.autoconf: not supported by netplan",
		},
		{
			name:    "RA route metric",
			doc:     "interfaces:\n- name: eth0\n- name: eth1\n  ipv6: {enabled: true, dhcp: true, autoconf: true, auto-route-metric: 50}\n",
			netplan: "interfaces[1].ipv6.auto-route-metric: not supported by netplan",
		},
		{
			name: "RA route metric unused",
			doc:  "interfaces:\n- name: eth0\n  ipv6: {enabled: true, address: [{ip: 2001:db8::1, prefix-length: 64}], auto-route-metric: 50}\n",
		},
		{
			name:     "vlan+srcmac",
			doc:      "interfaces:\n- name: bond0\n  type: bond\n  link-aggregation:\n    mode: balance-xor\n    options: {xmit_hash_policy: vlan+srcmac}\n",
			netplan:  "interfaces[0].link-aggregation.options.xmit_hash_policy: not supported by netplan",
			networkd: "interfaces[0].link-aggregation.options.xmit_hash_policy: not supported by networkd",
		},
		{
			name:     "numeric name",
			doc:      "interfaces:\n- name: eth0\n- name: \"42\"\n",
			netplan:  "interfaces[1].name: not supported by netplan",
			networkd: "interfaces[1].name: not supported by networkd",
		},
		{
			name:     "all",
			doc:      "interfaces:\n- name: all\n",
			netplan:  "interfaces[0].name: not supported by netplan",
			networkd: "interfaces[0].name: not supported by networkd",
		},
		{
			name:     "default",
			doc:      "interfaces:\n- name: default\n",
			netplan:  "interfaces[0].name: not supported by netplan",
			networkd: "interfaces[0].name: not supported by networkd",
		},
		{
			name:     "percent",
			doc:      "interfaces:\n- name: eth%d\n",
			netplan:  "interfaces[0].name: not supported by netplan",
			networkd: "interfaces[0].name: not supported by networkd",
		},
		{
			name:     "glob",
			doc:      "interfaces:\n- name: eth*\n",
			netplan:  "interfaces[0].name: not supported by netplan",
			networkd: "interfaces[0].name: not supported by networkd",
		},
		{
			name:     "bracket",
			doc:      "interfaces:\n- name: eth[01]\n",
			netplan:  "interfaces[0].name: not supported by netplan",
			networkd: "interfaces[0].name: not supported by networkd",
		},
		{
			name:     "negation",
			doc:      "interfaces:\n- name: '!eth0'\n",
			netplan:  "interfaces[0].name: not supported by netplan",
			networkd: "interfaces[0].name: not supported by networkd",
		},
		{
			name:     "glob in a port only named",
			doc:      bondOf("bond0", "eth0, 'eth?'"),
			netplan:  "interfaces[0].link-aggregation.port[1]: not supported by netplan",
			networkd: "interfaces[0].link-aggregation.port[1]: not supported by networkd",
		},
		{
			name:     "glob in a bridge port only named",
			doc:      "interfaces:\n- name: br0\n  type: linux-bridge\n  bridge:\n    port: [{name: 'e?'}]\n",
			netplan:  "interfaces[0].bridge.port[0]: not supported by netplan",
			networkd: "interfaces[0].bridge.port[0]: not supported by networkd",
		},
		{
			name:     "DNS with no interface to carry it",
			doc:      "interfaces:\n- name: eth0\n  ipv4: {enabled: false}\ndns-resolver:\n  config:\n    server: [192.0.2.53]\n",
			netplan:  "dns-resolver.config: not supported by netplan",
			networkd: "dns-resolver.config: not supported by networkd",
		},
		{
			name: "DNS on a DHCP interface",
			doc:  "interfaces:\n- name: eth0\n  ipv4: {enabled: true, dhcp: true}\ndns-resolver:\n  config:\n    search: [example.com]\n",
		},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			r    Renderer
			want string
		}{{Netplan{}, tt.netplan}, {Networkd{}, tt.networkd}} {
			t.Run(tt.name+"/"+c.r.Name(), func(t *testing.T) {
				t.Parallel()
				_, err := systemdRender(t, tt.doc, c.r)
				got := ""
				if err != nil {
					got = err.Error()
					if _, ok := errors.AsType[*UnsupportedError](err); !ok {
						t.Errorf("error %T, want *UnsupportedError", err)
					}
				}
				if got != c.want {
					t.Errorf("error %q, want %q", got, c.want)
				}
			})
		}
	}
}

// networkdFiles renders a scenario with the networkd renderer and returns
// the files under /etc/systemd/network by base name.
func networkdFiles(t *testing.T, scenario string) map[string]string {
	t.Helper()
	files, err := renderScenario(t, scenario, Networkd{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		if strings.HasPrefix(f.Path, networkdDir) {
			if f.Mode != 0o644 {
				t.Errorf("%s has mode %04o, want 0644: networkd runs as systemd-network", f.Path, f.Mode)
			}
			out[path.Base(f.Path)] = string(f.Content)
		}
	}
	return out
}

// TestNetworkdTraps checks the known traps of networkd files.
func TestNetworkdTraps(t *testing.T) {
	t.Parallel()
	t.Run("bonds, bridges and VLANs need .netdev files", func(t *testing.T) {
		for sc, want := range map[string]map[string]string{
			"equinix-bond":   {"20-netplumb-bond0.netdev": "Kind=bond\n"},
			"bridge-stp-off": {"20-netplumb-br0.netdev": "Kind=bridge\n"},
			"vlan-on-bond":   {"20-netplumb-bond0.netdev": "Kind=bond\n", "20-netplumb-bond0.100.netdev": "Kind=vlan\n"},
		} {
			files := networkdFiles(t, sc)
			for name, kind := range want {
				if !strings.Contains(files[name], kind) {
					t.Errorf("%s: %s does not hold %q:\n%s", sc, name, kind, files[name])
				}
			}
		}
	})
	t.Run("ports and VLANs are attached in the .network", func(t *testing.T) {
		files := networkdFiles(t, "vlan-on-bond")
		for name, want := range map[string]string{
			"30-netplumb-ens1f0.network": "Bond=bond0\nPrimarySlave=yes\n",
			"30-netplumb-ens1f1.network": "Bond=bond0\n",
			"30-netplumb-bond0.network":  "VLAN=bond0.100\n",
		} {
			if !strings.Contains(files[name], want) {
				t.Errorf("%s does not hold %q:\n%s", name, want, files[name])
			}
		}
		if strings.Contains(files["30-netplumb-ens1f1.network"], "PrimarySlave") {
			t.Errorf("ens1f1 is not the primary:\n%s", files["30-netplumb-ens1f1.network"])
		}
	})
	t.Run("an IPv6 default route is ::/0", func(t *testing.T) {
		files := networkdFiles(t, "static-dual-stack")
		want := "[Route]\nDestination=::/0\nGateway=2001:db8:10::1\n"
		if !strings.Contains(files["30-netplumb-ens3.network"], want) {
			t.Errorf("no %q in:\n%s", want, files["30-netplumb-ens3.network"])
		}
	})
	t.Run(".link before .netdev before .network", func(t *testing.T) {
		files := networkdFiles(t, "mac-matched")
		for _, name := range []string{"10-netplumb-lan0.link", "10-netplumb-lan1.link", "30-netplumb-lan0.network"} {
			if _, ok := files[name]; !ok {
				t.Errorf("no %s among %v", name, files)
			}
		}
		if want := "[Match]\nPermanentMACAddress=52:54:00:12:34:56\n\n[Link]\nName=lan0\n"; !strings.HasSuffix(files["10-netplumb-lan0.link"], want) {
			t.Errorf("10-netplumb-lan0.link:\n%s\nwant it to end with:\n%s", files["10-netplumb-lan0.link"], want)
		}
	})
	t.Run("STP is on when unsaid, as in NMState", func(t *testing.T) {
		files, err := systemdRender(t, "interfaces:\n- name: br0\n  type: linux-bridge\n", Networkd{})
		if err != nil {
			t.Fatal(err)
		}
		if c := string(files[0].Content); !strings.Contains(c, "[Bridge]\nSTP=yes\n") {
			t.Errorf("%s:\n%s", files[0].Path, c)
		}
	})
	t.Run("down interfaces are configured, not brought up", func(t *testing.T) {
		files := networkdFiles(t, "down-absent")
		if !strings.Contains(files["30-netplumb-eth1.network"], "[Link]\nActivationPolicy=down\n") {
			t.Errorf("30-netplumb-eth1.network:\n%s", files["30-netplumb-eth1.network"])
		}
		if _, ok := files["30-netplumb-eth2.network"]; ok {
			t.Error("the absent eth2 is rendered")
		}
	})
}

// systemdBenchState is a 1,000-interface state: 600 ethernets with
// static IPv4 and IPv6, a route in a table of their own and a rule, the
// first holding the default routes and DNS; 100 LACP bonds of two ports
// each; and a VLAN on each bond.
func systemdBenchState() *State {
	st := &State{DNS: DNS{Servers: []netip.Addr{netip.MustParseAddr("192.0.2.53")}, Search: []string{"example.com"}}}
	for j := range 600 {
		i := &Interface{Name: fmt.Sprintf("eth%d", j), Kind: Ethernet, Path: fmt.Sprintf("interfaces[%d]", j), MTU: 9000}
		i.IPv4 = IPConfig{Enabled: true, Addresses: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(j >> 8), byte(j), 2}), 24)}}
		i.IPv6 = IPConfig{Enabled: true, Addresses: []netip.Prefix{netip.MustParsePrefix(fmt.Sprintf("2001:db8:%x::2/64", j))}}
		st.Interfaces = append(st.Interfaces, i)
		table := 0
		if j > 0 {
			table = 1000 + j
		}
		st.Routes = append(st.Routes,
			Route{Destination: netip.MustParsePrefix("0.0.0.0/0"), Via: netip.AddrFrom4([4]byte{10, byte(j >> 8), byte(j), 1}), Interface: i, Table: table},
			Route{Destination: netip.MustParsePrefix("::/0"), Via: netip.MustParseAddr(fmt.Sprintf("2001:db8:%x::1", j)), Interface: i, Table: table, Metric: 100})
		if table != 0 {
			st.Rules = append(st.Rules, Rule{From: netip.PrefixFrom(i.IPv4.Addresses[0].Addr(), 32), Table: table, Priority: 30000 + j, Interface: i})
		}
	}
	for j := range 100 {
		n := len(st.Interfaces)
		bond := &Interface{Name: fmt.Sprintf("bond%d", j), Kind: Bond, Path: fmt.Sprintf("interfaces[%d]", n)}
		bond.Bond = &BondConfig{Mode: "802.3ad", Options: map[string]string{"miimon": "100", "lacp_rate": "fast", "xmit_hash_policy": "layer3+4"}}
		for k := range 2 {
			p := &Interface{Name: fmt.Sprintf("ens%df%d", j, k), Kind: Ethernet, Controller: bond}
			bond.Bond.Ports = append(bond.Bond.Ports, p)
		}
		vlan := &Interface{Name: fmt.Sprintf("bond%d.%d", j, 100+j), Kind: VLAN, Path: fmt.Sprintf("interfaces[%d]", n+1), VLAN: &VLANConfig{Base: bond, ID: 100 + j}}
		vlan.IPv4 = IPConfig{Enabled: true, DHCP: true, AutoRouteMetric: 200}
		st.Interfaces = append(st.Interfaces, bond, vlan, bond.Bond.Ports[0], bond.Bond.Ports[1])
	}
	return st
}

func BenchmarkNetworkd(b *testing.B) {
	st := systemdBenchState()
	if len(st.Interfaces) != 1000 {
		b.Fatalf("%d interfaces", len(st.Interfaces))
	}
	for b.Loop() {
		if _, err := (Networkd{}).Render(st); err != nil {
			b.Fatal(err)
		}
	}
}
