package imds

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netplumb/netplumb/imds/imdstest"
	"github.com/netplumb/netplumb/nmstate"
)

// vmwareTestSaved is a saved document holding metadata with an encoding.
func vmwareTestSaved(t testing.TB, metadata, encoding string) []byte {
	t.Helper()
	doc := map[string]any{vmwareMetadataKey: metadata}
	if encoding != "" {
		doc[vmwareEncodingKey] = encoding
	}
	b, err := nmstate.MarshalJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func vmwareTestGzip(t testing.TB, s string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

const vmwareTestMetadata = "instance-id: vm-1\nlocal-hostname: host-1\nnetwork:\n  version: 2\n  ethernets:\n    nic0:\n      match:\n        macaddress: '00:50:56:00:00:01'\n      dhcp4: true\n"

func TestVMwareDecode(t *testing.T) {
	t.Parallel()
	b64 := base64.StdEncoding.EncodeToString([]byte(vmwareTestMetadata))
	tests := []struct {
		name, value, encoding string
		want                  string // the instance id, or the error
	}{
		{"plain", vmwareTestMetadata, "", "vm-1"},
		{"base64", b64, "base64", "vm-1"},
		{"b64 wrapped over lines", b64[:20] + "\n" + b64[20:] + "\n", "b64", "vm-1"},
		{"base64 without padding", strings.TrimRight(b64, "="), "BASE64", "vm-1"},
		{"gzip+base64", vmwareTestGzip(t, vmwareTestMetadata), "gzip+base64", "vm-1"},
		{"gz+b64", vmwareTestGzip(t, vmwareTestMetadata), " gz+b64\n", "vm-1"},
		{"JSON", `{"instance-id": 42, "local-hostname": "h"}`, "", "42"},
		{"cleared", "---", "base64", "guestinfo.metadata: not set, or cleared"},
		{"blank", " \n", "", "guestinfo.metadata: not set, or cleared"},
		{"unknown encoding", b64, "rot13",
			`guestinfo.metadata.encoding: "rot13" is not an encoding (base64, b64, gzip+base64 or gz+b64)`},
		{"not base64", "%%%", "base64", "guestinfo.metadata: not base64: illegal base64 data at input byte 0"},
		{"not gzip", b64, "gzip+base64", "guestinfo.metadata: not gzip: gzip: invalid header"},
		{"a gzip bomb", vmwareTestGzip(t, strings.Repeat("a", MaxBody+1)), "gz+b64",
			"guestinfo.metadata: decompresses to more than 1048576 bytes"},
		{"not YAML", "a: [", "", "guestinfo.metadata: line 2: did not find expected node content"},
		{"not a map", "- 1\n", "", "guestinfo.metadata: a list is not a map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := vmwareProvider().Parse(vmwareTestSaved(t, tt.value, tt.encoding))
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = m.InstanceID
			}
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
	for doc, want := range map[string]string{
		`[]`:                        "the document is a list, not a map of guestinfo keys to values",
		`{"guestinfo.metadata": 5}`: "guestinfo.metadata: a number is not a string",
		`{"guestinfo.metadata": "x: 1", "guestinfo.metadata.encoding": true}`: "guestinfo.metadata.encoding: a boolean is not a string",
		`{}`: "guestinfo.metadata: not set, or cleared",
	} {
		if _, err := vmwareProvider().Parse([]byte(doc)); err == nil || err.Error() != want {
			t.Errorf("Parse(%s) = %v, want %s", doc, err, want)
		}
	}
}

// vmwareTestParse parses metadata given as YAML lines.
func vmwareTestParse(t *testing.T, lines ...string) (*Metadata, error) {
	t.Helper()
	return vmwareProvider().Parse(vmwareTestSaved(t, strings.Join(lines, "\n")+"\n", ""))
}

// vmwareTestState is the NMState of a parse, as JSON, without local links.
func vmwareTestState(t *testing.T, m *Metadata) string {
	t.Helper()
	doc, err := m.NMState(Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := nmstate.MarshalJSON(map[string]any{"interfaces": doc["interfaces"], "routes": doc["routes"]})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

func TestVMwareNetplan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		yaml  []string
		check func(m *Metadata) string
		want  string
	}{
		{"dhcp6 is DHCP and autoconf, accept-ra turns autoconf off",
			[]string{"network:", "  version: 2", "  ethernets:", "    eth0: {dhcp6: true, accept-ra: false}", "    eth1: {accept-ra: yes}"},
			func(m *Metadata) string { return fmt.Sprintf("%+v %+v", m.Links[0].IPv6, m.Links[1].IPv6) },
			"{DHCP:true Autoconf:false Addresses:[]} {DHCP:false Autoconf:true Addresses:[]}"},
		{"gateway6, routes with default, host routes, tables, metrics",
			[]string{"network:", "  ethernets:", "    eth0:", "      addresses: ['2001:db8::5/64']", "      gateway6: 2001:db8::1",
				"      routes:", "        - {to: default, via: 'fe80::1', table: 100}", "        - {to: 192.0.2.7, via: 10.0.0.1, metric: 5}",
				"        - {to: 198.51.100.0/24}"},
			func(m *Metadata) string {
				var out []string
				for _, r := range m.Routes {
					out = append(out, fmt.Sprintf("%s via %s table %d metric %d", r.Destination, r.Via, r.Table, r.Metric))
				}
				return strings.Join(out, "; ")
			},
			"::/0 via 2001:db8::1 table 0 metric 0; ::/0 via fe80::1 table 100 metric 0; 192.0.2.7/32 via 10.0.0.1 table 0 metric 5; 198.51.100.0/24 via invalid IP table 0 metric 0"},
		{"names: set-name, match.name, the id",
			[]string{"network:", "  ethernets:", "    a: {match: {macaddress: '00:50:56:00:00:01'}, set-name: lan0}",
				"    b: {match: {name: ens256}}", "    ens300: {}", "    'odd id': {match: {macaddress: '00:50:56:00:00:02'}}"},
			func(m *Metadata) string {
				var names []string
				for _, l := range m.Links {
					names = append(names, l.Name+"/"+l.MAC)
				}
				return strings.Join(names, " ")
			},
			"lan0/00:50:56:00:00:01 ens256/ ens300/ /00:50:56:00:00:02"},
		{"bond parameters",
			[]string{"network:", "  ethernets: {p1: {}, p2: {}}", "  bonds:", "    bond1:", "      interfaces: [p1, p2]",
				"      parameters: {mode: active-backup, mii-monitor-interval: 1s, up-delay: 200, arp-ip-targets: [10.0.0.1, 10.0.0.2],",
				"        all-slaves-active: true, gratuitous-arp: '3', fail-over-mac-policy: active, learn-packet-interval: 2s}"},
			func(m *Metadata) string { return fmt.Sprintf("%s %v", m.Links[2].BondMode, m.Links[2].BondOptions) },
			"active-backup map[all_slaves_active:1 arp_ip_target:10.0.0.1,10.0.0.2 fail_over_mac:active lp_interval:2 miimon:1000 num_grat_arp:3 updelay:200]"},
		{"a bond with no parameters is balance-rr",
			[]string{"network:", "  bonds: {bond0: {dhcp4: true}}"},
			func(m *Metadata) string { return m.Links[0].BondMode + fmt.Sprint(len(m.Links[0].Ports)) }, "balance-rr0"},
		{"wrapped in network:, version 2 as a string, renderer and optional accepted",
			[]string{"network:", "  network:", "    version: '2'", "    renderer: NetworkManager", "    ethernets: {eth0: {dhcp4: on, optional: true}}"},
			func(m *Metadata) string { return vmwareTestState(t, m) },
			`{ "interfaces": [ { "ipv4": { "address": [], "dhcp": true, "enabled": true }, "ipv6": { "enabled": false }, "name": "eth0", "state": "up", "type": "ethernet" } ], "routes": { "config": [] } }`},
		{"network config disabled",
			[]string{"network: {config: disabled}"},
			func(m *Metadata) string { return fmt.Sprint(len(m.Links)) }, "0"},
		{"no network",
			[]string{"instance-id: i"},
			func(m *Metadata) string { return fmt.Sprintf("%d %s", len(m.Links), m.InstanceID) }, "0 i"},
		{"nameservers merged in order, repeats dropped",
			[]string{"network:", "  ethernets:", "    a: {nameservers: {addresses: [10.0.0.2, '2001:db8::53'], search: [a.example]}}",
				"    b: {nameservers: {addresses: [10.0.0.3, 10.0.0.2], search: [b.example, a.example]}}"},
			func(m *Metadata) string { return fmt.Sprint(m.DNSServers, m.DNSSearch) },
			"[10.0.0.2 2001:db8::53 10.0.0.3] [a.example b.example]"},
		{"the primary is the first link with a default route",
			[]string{"network:", "  ethernets:", "    a: {dhcp4: true}", "    b: {addresses: [10.0.0.5/24], gateway4: 10.0.0.1}"},
			func(m *Metadata) string {
				return fmt.Sprint(m.Links[0].Primary, m.Links[1].Primary, m.Links[1].GatewayIPv4, m.Links[1].SubnetIPv4)
			},
			"false true 10.0.0.1 10.0.0.0/24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := vmwareTestParse(t, tt.yaml...)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.check(m); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestVMwareV1(t *testing.T) {
	t.Parallel()
	m, err := vmwareTestParse(t,
		"network:",
		"  version: 1",
		"  config:",
		"    - {type: physical, name: eth0, mac_address: '00:50:56:00:00:01', subnets: [{type: manual}]}",
		"    - {type: physical, name: eth1, mac_address: '00:50:56:00:00:02'}",
		"    - type: bond",
		"      name: bond0",
		"      bond_interfaces: [eth0, eth1]",
		"      params: {bond-mode: 802.3ad, bond-miimon: '100', bond_xmit_hash_policy: layer2+3, bond-lacp-rate: fast}",
		"      subnets:",
		"        - {type: ipv6_slaac}",
		"        - {type: static, address: 10.1.0.5, prefix: 24, gateway: 10.1.0.1, dns_nameservers: '10.1.0.2 10.1.0.3'}",
		"    - {type: vlan, name: bond0.9, vlan_link: bond0, vlan_id: '9', mtu: 1400,",
		"       subnets: [{type: static6, address: '2001:db8:9::5', netmask: 'ffff:ffff:ffff:ffff::', routes: [{destination: '2001:db8:a::/48', gateway: '2001:db8:9::1'}]}]}",
		"    - {type: route, network: 172.16.0.0, netmask: 255.240.0.0, gateway: 10.1.0.254, metric: 3}",
		"    - {type: nameserver, address: 10.1.0.3, search: example.com}",
	)
	if err != nil {
		t.Fatal(err)
	}
	got := vmwareTestState(t, m) + fmt.Sprint(m.DNSServers, m.DNSSearch)
	want := `{ "interfaces": [ { "identifier": "mac-address", "mac-address": "00:50:56:00:00:01", "name": "eth0", "state": "up", "type": "ethernet" }, ` +
		`{ "identifier": "mac-address", "mac-address": "00:50:56:00:00:02", "name": "eth1", "state": "up", "type": "ethernet" }, ` +
		`{ "ipv4": { "address": [ { "ip": "10.1.0.5", "prefix-length": 24 } ], "dhcp": false, "enabled": true }, ` +
		`"ipv6": { "address": [], "autoconf": true, "dhcp": false, "enabled": true }, ` +
		`"link-aggregation": { "mode": "802.3ad", "options": { "lacp_rate": "fast", "miimon": 100, "xmit_hash_policy": "layer2+3" }, "port": [ "eth0", "eth1" ] }, ` +
		`"name": "bond0", "state": "up", "type": "bond" }, ` +
		`{ "ipv4": { "enabled": false }, "ipv6": { "address": [ { "ip": "2001:db8:9::5", "prefix-length": 64 } ], "autoconf": false, "dhcp": false, "enabled": true }, ` +
		`"mtu": 1400, "name": "bond0.9", "state": "up", "type": "vlan", "vlan": { "base-iface": "bond0", "id": 9 } } ], ` +
		`"routes": { "config": [ { "destination": "0.0.0.0/0", "next-hop-address": "10.1.0.1", "next-hop-interface": "bond0" }, ` +
		`{ "destination": "2001:db8:a::/48", "next-hop-address": "2001:db8:9::1", "next-hop-interface": "bond0.9" }, ` +
		`{ "destination": "172.16.0.0/12", "metric": 3, "next-hop-address": "10.1.0.254", "next-hop-interface": "bond0" } ] } }` +
		`[10.1.0.2 10.1.0.3] [example.com]`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestVMwareParseErrors(t *testing.T) {
	t.Parallel()
	eth := func(lines ...string) []string {
		return append([]string{"network:", "  version: 2", "  ethernets:", "    eth0:"}, lines...)
	}
	v1 := func(lines ...string) []string {
		return append([]string{"network:", "  version: 1", "  config:"}, lines...)
	}
	tests := []struct {
		name string
		yaml []string
		want string
	}{
		{"instance-id with a newline", []string{`instance-id: "a\nb"`}, `instance-id: "a\nb" holds a control character`},
		{"instance-id a map", []string{"instance-id: {a: 1}"}, "instance-id: a map is not a string"},
		{"host name with a slash", []string{"local-hostname: a/b"}, `hostname: host name "a/b" holds "/"`},
		{"network a number", []string{"network: 5"}, "network: a number is neither a map nor an encoded string"},
		{"network badly encoded", []string{"network: '%%'", "network.encoding: base64"},
			"network: not base64: illegal base64 data at input byte 0"},
		{"network version 3", []string{"network: {version: 3}"}, "network.version: 3 is not 1 (cloud-init) or 2 (netplan)"},
		{"bridges", []string{"network: {version: 2, bridges: {br0: {}}}"},
			"network.bridges: not supported: imdsctl emits ethernets, bonds and VLANs only"},
		{"wifis", []string{"network: {version: 2, wifis: {}}"}, "network.wifis: not supported: imdsctl emits ethernets, bonds and VLANs only"},
		{"unknown top-level key", []string{"network: {version: 2, ethernet: {}}"}, "network.ethernet: not a netplan key"},
		{"match.driver", eth("      match: {driver: vmxnet3}"),
			"network.ethernets.eth0.match.driver: not supported: imdsctl cannot express it in NMState"},
		{"match.name pattern", eth("      match: {name: 'ens*'}"),
			`network.ethernets.eth0.match.name: "ens*" is a pattern: imdsctl needs one interface`},
		{"set-name without a MAC", eth("      match: {name: ens192}", "      set-name: lan0"),
			"network.ethernets.eth0.set-name: renaming an interface needs match.macaddress to find it by"},
		{"set-name without match", eth("      set-name: lan0"), "network.ethernets.eth0.set-name: needs a match"},
		{"bad MAC", eth("      match: {macaddress: '00:50:56:zz:00:01'}"),
			`network.ethernets.eth0.match.macaddress: "00:50:56:zz:00:01" is not a MAC address`},
		{"cloned MAC", eth("      macaddress: '00:50:56:00:00:09'"),
			"network.ethernets.eth0.macaddress: not supported: imdsctl cannot express it in NMState"},
		{"routing-policy", eth("      routing-policy: [{from: 10.0.0.0/8, table: 5}]"),
			"network.ethernets.eth0.routing-policy: not supported: imdsctl cannot express it in NMState"},
		{"link-local", eth("      link-local: []"), "network.ethernets.eth0.link-local: not supported: imdsctl cannot express it in NMState"},
		{"dhcp4-overrides use-dns", eth("      dhcp4-overrides: {use-dns: false}"),
			"network.ethernets.eth0.dhcp4-overrides.use-dns: not supported: imdsctl cannot express it in NMState"},
		{"dhcp6-overrides route-metric", eth("      dhcp6-overrides: {route-metric: 5}"),
			"network.ethernets.eth0.dhcp6-overrides.route-metric: not supported: imdsctl cannot express it in NMState"},
		{"dhcp4 not a boolean", eth("      dhcp4: maybe"), `network.ethernets.eth0.dhcp4: "maybe" is not a boolean`},
		{"address without a prefix", eth("      addresses: [10.0.0.5]"),
			`network.ethernets.eth0.addresses[0]: "10.0.0.5" is not an address with a prefix length`},
		{"address as a map", eth("      addresses: [{10.0.0.5/24: {label: x}}]"),
			"network.ethernets.eth0.addresses[0]: a map is not a string"},
		{"gateway4 of IPv6", eth("      gateway4: '2001:db8::1'"), "network.ethernets.eth0.gateway4: 2001:db8::1 is not of the family of gateway4"},
		{"route on-link", eth("      routes: [{to: default, via: 10.0.0.1, on-link: true}]"),
			"network.ethernets.eth0.routes[0].on-link: not supported: imdsctl cannot express it in NMState"},
		{"route scope", eth("      routes: [{to: 10.0.0.0/8, scope: link}]"),
			"network.ethernets.eth0.routes[0].scope: not supported: imdsctl cannot express it in NMState"},
		{"route from", eth("      routes: [{to: 10.0.0.0/8, via: 10.0.0.1, from: 10.0.0.5}]"),
			"network.ethernets.eth0.routes[0].from: not supported: imdsctl cannot express it in NMState"},
		{"route default without via", eth("      routes: [{to: default}]"),
			"network.ethernets.eth0.routes[0].to: default needs a gateway to tell its family"},
		{"route families differ", eth("      routes: [{to: 10.0.0.0/8, via: 'fe80::1'}]"),
			"network.ethernets.eth0.routes[0].via: fe80::1 is not of the family of 10.0.0.0/8"},
		{"route to nowhere", eth("      routes: [{via: 10.0.0.1}]"), "network.ethernets.eth0.routes[0].to: missing"},
		{"route table 255", eth("      routes: [{to: 10.0.0.0/8, via: 10.0.0.1, table: 255}]"),
			"network.ethernets.eth0.routes[0].table: 255 is not a routing table"},
		{"MTU too large", eth("      mtu: 70000"), "network.ethernets.eth0.mtu: 70000 is not between 68 and 65535"},
		{"bad nameserver", eth("      nameservers: {addresses: [dns.example.com]}"),
			`network.ethernets.eth0.nameservers.addresses[0]: "dns.example.com" is not an IP address`},
		{"bad search domain", eth("      nameservers: {search: ['a b']}"),
			`network.ethernets.eth0.nameservers.search[0]: host name "a b" holds " "`},
		{"id not an interface name", []string{"network: {ethernets: {'a/b': {dhcp4: true}}}"},
			`network.ethernets["a/b"]: interface name "a/b" holds '/', ':', a control character or white space`},
		{"one name twice", []string{"network: {ethernets: {a: {match: {name: x}}, b: {match: {name: x}}}}"},
			`network.ethernets.b: the interface name "x" is that of network.ethernets.a too`},
		{"an id twice", []string{"network: {ethernets: {a: {}}, bonds: {a: {}}}"},
			`network.bonds.a: "a" is the id of network.ethernets.a too`},
		{"bond port with an address", []string{"network:", "  ethernets: {p: {addresses: [10.0.0.5/24]}}", "  bonds: {bond0: {interfaces: [p]}}"},
			`network.ethernets.p.addresses: "p" is a port of "bond0", which carries no IP configuration`},
		{"bond port unknown", []string{"network: {bonds: {bond0: {interfaces: [p]}}}"},
			`network.bonds.bond0.interfaces[0]: no interface has the id "p"`},
		{"bond port twice", []string{"network: {ethernets: {p: {}}, bonds: {b1: {interfaces: [p]}, b2: {interfaces: [p]}}}"},
			`network.bonds.b2.interfaces[0]: "p" is the port of another bond already`},
		{"bond parameter primary", []string{"network: {bonds: {bond0: {parameters: {primary: p}}}}"},
			"network.bonds.bond0.parameters.primary: not supported: imdsctl cannot express it in NMState"},
		{"bond mode unknown", []string{"network: {bonds: {bond0: {parameters: {mode: lacp}}}}"},
			`network.bonds.bond0.parameters.mode: "lacp" is not a bonding mode (balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb, or 0 to 6)`},
		{"bond lacp-rate unknown", []string{"network: {bonds: {bond0: {parameters: {lacp-rate: quick}}}}"},
			`network.bonds.bond0.parameters.lacp-rate: "quick" is not one of slow, fast`},
		{"bond interval unit", []string{"network: {bonds: {bond0: {parameters: {mii-monitor-interval: 5min}}}}"},
			`network.bonds.bond0.parameters.mii-monitor-interval: "5min" is not a time in milliseconds (100, 100ms, 1s)`},
		{"bond ARP target of IPv6", []string{"network: {bonds: {bond0: {parameters: {arp-ip-targets: ['fe80::1']}}}}"},
			"network.bonds.bond0.parameters.arp-ip-targets: fe80::1 is not an IPv4 address"},
		{"VLAN id 0", []string{"network: {ethernets: {e: {}}, vlans: {v: {id: 0, link: e}}}"},
			"network.vlans.v.id: 0 is not a VLAN id between 1 and 4094"},
		{"VLAN without link", []string{"network: {vlans: {v: {id: 5}}}"}, "network.vlans.v.link: missing"},
		{"VLAN on nothing", []string{"network: {vlans: {v: {id: 5, link: e}}}"}, `network.vlans.v.link: no interface has the id "e"`},
		{"VLAN on a VLAN", []string{"network: {ethernets: {e: {}}, vlans: {v: {id: 5, link: e}, w: {id: 6, link: v}}}"},
			`network.vlans.w.link: "v" is a VLAN: VLANs on VLANs are not supported`},
		{"VLAN on a bond port", []string{"network: {ethernets: {e: {}}, bonds: {b: {interfaces: [e]}}, vlans: {v: {id: 5, link: e}}}"},
			`network.vlans.v.link: "e" is a bond port, which carries nothing of its own`},
		{"v1 bridge", v1("    - {type: bridge, name: br0}"),
			`network.config[0].type: "bridge" is not supported: imdsctl emits physical, bond and vlan interfaces only`},
		{"v1 without name", v1("    - {type: physical}"), `network.config[0].name: interface name "" is not 1 to 15 bytes long`},
		{"v1 unknown key", v1("    - {type: physical, name: eth0, wakeonlan: true}"),
			"network.config[0].wakeonlan: not supported: imdsctl cannot express it in NMState"},
		{"v1 subnet type", v1("    - {type: physical, name: eth0, subnets: [{type: dhcp5}]}"),
			`network.config[0].subnets[0].type: "dhcp5" is not a subnet type (dhcp, dhcp4, dhcp6, ipv6_slaac, ipv6_dhcpv6-stateful, ipv6_dhcpv6-stateless, static, static6, manual)`},
		{"v1 static without address", v1("    - {type: physical, name: eth0, subnets: [{type: static}]}"),
			"network.config[0].subnets[0].address: missing on a static subnet"},
		{"v1 static6 of IPv4", v1("    - {type: physical, name: eth0, subnets: [{type: static6, address: 10.0.0.5/24}]}"),
			"network.config[0].subnets[0].address: 10.0.0.5 is not an IPv6 address"},
		{"v1 netmask and prefix", v1("    - {type: physical, name: eth0, subnets: [{type: static, address: 10.0.0.5, netmask: 255.0.0.0, prefix: 8}]}"),
			"network.config[0].subnets[0].prefix: given with netmask"},
		{"v1 subnet mtu", v1("    - {type: physical, name: eth0, subnets: [{type: static, address: 10.0.0.5/8, mtu: 1400}]}"),
			"network.config[0].subnets[0].mtu: not supported: imdsctl cannot express it in NMState"},
		{"v1 gateway of the other family", v1("    - {type: physical, name: eth0, subnets: [{type: static, address: 10.0.0.5/8, gateway: 'fe80::1'}]}"),
			"network.config[0].subnets[0].gateway: fe80::1 is not of the family of 10.0.0.5"},
		{"v1 bond param unknown", v1("    - {type: bond, name: bond0, params: {bond-primary: eth0}}"),
			"network.config[0].params.bond-primary: not supported: imdsctl cannot express it in NMState"},
		{"v1 name twice", v1("    - {type: physical, name: eth0}", "    - {type: physical, name: eth0}"),
			`network.config[1].name: "eth0" is the name of network.config[0] too`},
		{"v1 global route off every subnet", v1("    - {type: physical, name: eth0, subnets: [{type: dhcp}]}", "    - {type: route, destination: 10.0.0.0/8, gateway: 10.1.1.1}"),
			"network.config[1].gateway: 10.1.1.1 is in no static subnet of an interface"},
		{"v1 global route without gateway", v1("    - {type: route, destination: 10.0.0.0/8}"),
			"network.config[0].gateway: missing: a route of its own needs a gateway to find its interface"},
		{"v1 nameserver interface", v1("    - {type: nameserver, address: 10.0.0.2, interface: eth0}"),
			"network.config[0].interface: not supported: imdsctl cannot express it in NMState"},
		{"v1 VLAN id", v1("    - {type: vlan, name: v, vlan_link: e, vlan_id: 5000}"),
			"network.config[0].vlan_id: 5000 is not a VLAN id between 1 and 4094"},
		{"v1 config not a list", []string{"network: {version: 1, config: {}}"}, "network.config: a map is not a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := vmwareTestParse(t, tt.yaml...)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Parse error = %v\nwant %s", err, tt.want)
			}
			checkParseError(t, err, true)
		})
	}
}

func TestVMwareDMI(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		dmi  map[string]string
		want bool
	}{
		{map[string]string{"product_name": "VMware Virtual Platform"}, true},
		{map[string]string{"product_name": "VMware20,1"}, true},
		{map[string]string{"sys_vendor": "VMware, Inc.", "product_name": "VM"}, true},
		{map[string]string{"sys_vendor": "QEMU", "product_name": "Standard PC", "bios_vendor": "VMware"}, false},
	} {
		if got := vmwareProvider().DMI(tt.dmi); got != tt.want {
			t.Errorf("DMI(%v) = %v", tt.dmi, got)
		}
	}
}

// vmwareTestGuestInfo answers only once both keys were asked for, so a
// fetch that reads them one after the other never ends.
type vmwareTestGuestInfo struct {
	values  map[string]string
	err     error
	mu      sync.Mutex
	asked   int
	waiting chan struct{}
}

func (g *vmwareTestGuestInfo) Get(ctx context.Context, key string) (string, bool, error) {
	g.mu.Lock()
	g.asked++
	if g.asked == 2 {
		close(g.waiting)
	}
	g.mu.Unlock()
	select {
	case <-g.waiting:
	case <-ctx.Done():
		return "", false, ctx.Err()
	}
	v, ok := g.values[key]
	return v, ok, g.err
}

func TestVMwareFetch(t *testing.T) {
	t.Parallel()
	fetch := func(g GuestInfo) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return vmwareFetch(ctx, Source{GuestInfo: g})
	}
	values := map[string]string{vmwareMetadataKey: "eDogMQ==", vmwareEncodingKey: "base64", "guestinfo.userdata": "x"}
	saved, err := fetch(&vmwareTestGuestInfo{values: values, waiting: make(chan struct{})})
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"guestinfo.metadata\": \"eDogMQ==\",\n  \"guestinfo.metadata.encoding\": \"base64\"\n}\n"; string(saved) != want {
		t.Errorf("saved %q, want %q", saved, want)
	}
	if _, err := fetch(&vmwareTestGuestInfo{values: map[string]string{}, waiting: make(chan struct{})}); err == nil ||
		err.Error() != "guestinfo.metadata is not set: the VM carries no cloud-init metadata" {
		t.Errorf("unset metadata: %v", err)
	}
	boom := errors.New("vmware-rpctool: exit status 2: Failed sending message to VMware")
	if _, err := fetch(&vmwareTestGuestInfo{values: values, err: boom, waiting: make(chan struct{})}); !errors.Is(err, boom) {
		t.Errorf("a failing reader: %v", err)
	}
	if _, err := vmwareFetch(context.Background(), Source{}); err == nil || err.Error() != "no guestinfo reader" {
		t.Errorf("no reader: %v", err)
	}
}

// vmwareTestTools writes shell scripts named after the tools into a new
// directory, puts it alone on PATH and returns it.
func vmwareTestTools(t *testing.T, scripts map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
	return dir
}

func TestRPCTool(t *testing.T) {
	noValue := `echo "No value found" >&2; exit 1`
	tests := []struct {
		name    string
		scripts map[string]string
		key     string
		want    string // value, "<unset>" or the error
	}{
		{"rpctool answers", map[string]string{"vmware-rpctool": `[ "$1" = "info-get guestinfo.metadata" ] || exit 9; printf 'a: 1\n\n'`},
			"guestinfo.metadata", "a: 1"},
		{"unset key", map[string]string{"vmware-rpctool": noValue, "vmtoolsd": "echo wrong"}, "guestinfo.metadata", "<unset>"},
		{"vmtoolsd when rpctool is missing",
			map[string]string{"vmtoolsd": `[ "$1" = --cmd ] && [ "$2" = "info-get guestinfo.metadata.encoding" ] || exit 9; echo base64`},
			"guestinfo.metadata.encoding", "base64"},
		{"vmtoolsd when rpctool fails",
			map[string]string{"vmware-rpctool": "echo 'Failed sending message to VMware.' >&2; exit 1", "vmtoolsd": "echo from-vmtoolsd"},
			"guestinfo.metadata", "from-vmtoolsd"},
		{"both fail",
			map[string]string{"vmware-rpctool": "echo 'Failed sending message to VMware.' >&2; echo second line >&2; exit 1",
				"vmtoolsd": "echo 'not in a VM' >&2; exit 3"},
			"guestinfo.metadata", "reading guestinfo.metadata: vmware-rpctool: exit status 1: Failed sending message to VMware.; vmtoolsd: exit status 3: not in a VM"},
		{"neither installed", map[string]string{}, "guestinfo.metadata", ErrNoRPCTool.Error()},
		{"a value too large", map[string]string{"vmware-rpctool": "yes aaaaaaaaaaaaaaa | head -c 2000000"},
			"guestinfo.metadata", "reading guestinfo.metadata: vmware-rpctool: the value is larger than 1048576 bytes"},
		{"a key with a space", map[string]string{"vmware-rpctool": "echo x"}, "guestinfo.metadata x", `"guestinfo.metadata x" is not a guestinfo key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scripts := map[string]string{}
			for k, v := range tt.scripts {
				scripts[k] = v
			}
			dir := vmwareTestTools(t, scripts)
			if strings.Contains(tt.name, "too large") {
				// head and yes come from the system.
				t.Setenv("PATH", dir+string(os.PathListSeparator)+"/usr/bin:/bin")
			}
			value, ok, err := (&RPCTool{}).Get(context.Background(), tt.key)
			got := value
			switch {
			case err != nil:
				got = err.Error()
			case !ok:
				got = "<unset>"
			}
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestRPCToolHonoursContext(t *testing.T) {
	vmwareTestTools(t, map[string]string{"vmware-rpctool": "exec /bin/sleep 10"})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := (&RPCTool{}).Get(ctx, "guestinfo.metadata")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v", el)
	}
}

// TestRPCToolFields: the lookup and the command are the reader's fields.
func TestRPCToolFields(t *testing.T) {
	t.Parallel()
	var ran []string
	r := &RPCTool{
		LookPath: func(file string) (string, error) {
			if file == "vmtoolsd" {
				return "/opt/vmtoolsd", nil
			}
			return "", exec.ErrNotFound
		},
		Command: func(ctx context.Context, name string, args ...string) *exec.Cmd {
			ran = append(ran, name+" "+strings.Join(args, " "))
			return exec.CommandContext(ctx, "echo", "hello")
		},
	}
	v, ok, err := r.Get(context.Background(), "guestinfo.x")
	if err != nil || !ok || v != "hello" || strings.Join(ran, ",") != "/opt/vmtoolsd --cmd info-get guestinfo.x" {
		t.Errorf("got %q %v %v after %q", v, ok, err, ran)
	}
}

// TestRPCToolFetch reads a fixture through the fake vmware-rpctool that
// imdstest writes, as `imdsctl fetch --provider vmware` would.
func TestRPCToolFetch(t *testing.T) {
	c, err := imdstest.Load("testdata/vmware/netplan-bond-vlan-gzip")
	if err != nil {
		t.Fatal(err)
	}
	dir := vmwareTestTools(t, nil)
	if _, err := imdstest.WriteRPCTool(dir, c.GuestInfo); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+"/usr/bin:/bin")
	saved, err := vmwareFetch(context.Background(), Source{GuestInfo: &RPCTool{}})
	if err != nil {
		t.Fatal(err)
	}
	want, err := vmwareProvider().Parse(c.Saved)
	if err != nil {
		t.Fatal(err)
	}
	got, err := vmwareProvider().Parse(saved)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := vmwareTestState(t, want), vmwareTestState(t, got); a != b {
		t.Errorf("through the tool:\n%s\nwant\n%s", b, a)
	}
}

func FuzzVMwareParse(f *testing.F) {
	for _, dir := range []string{"testdata/vmware/netplan-bond-vlan-gzip", "testdata/vmware/v1-json-encoded-network"} {
		if c, err := imdstest.Load(dir); err == nil {
			f.Add(c.Saved, "")
			if md, err := os.ReadFile(filepath.Join(dir, "metadata.yaml")); err == nil {
				f.Add([]byte(nil), string(md))
			}
		}
	}
	f.Add(vmwareTestSaved(f, vmwareTestGzip(f, vmwareTestMetadata), "gz+b64"), "")
	f.Add([]byte(nil), vmwareTestMetadata)
	f.Add([]byte(nil), "network: {version: 1, config: [{type: bond, name: b, bond_interfaces: [b]}, {type: route, destination: default, gateway: 10.0.0.1}]}")
	f.Add([]byte(nil), "network: {ethernets: {e: {routes: [{to: default, via: 10.0.0.1, metric: '5'}]}}, vlans: {v: {id: 5, link: e, mtu: '1500'}}}")
	f.Add([]byte(nil), "network: IyBub3RoaW5n\nnetwork.encoding: b64\n")
	f.Fuzz(func(t *testing.T, doc []byte, metadata string) {
		if metadata != "" {
			doc = vmwareTestSaved(t, metadata, "")
		}
		m, err := vmwareProvider().Parse(doc)
		checkParse(t, m, err, true, nil)
	})
}
