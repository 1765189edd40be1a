package render

import (
	"errors"
	"testing"

	"github.com/netplumb/netplumb/nmstate"
)

func parseYAML(t *testing.T, src string) (*State, error) {
	t.Helper()
	doc, err := nmstate.Decode([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return Parse(doc, "netplan")
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
		unsupported     bool
	}{
		{"newline in hostname", "hostname: {config: \"web\\nevil\"}", `hostname.config: host name "web\nevil" holds "\n"`, false},
		{"quote in hostname", `hostname: {config: "we'b"}`, `hostname.config: host name "we'b" holds "'"`, false},
		{"newline in description", "interfaces: [{name: eth0, description: \"a\\n[Match]\"}]",
			`interfaces[0].description: "a\n[Match]" holds '\n', which no network file can hold safely`, false},
		{"quote in description", `interfaces: [{name: eth0, description: 'say "hi"'}]`,
			`interfaces[0].description: "say \"hi\"" holds '"', which no network file can hold safely`, false},
		{"newline in bond option", "interfaces: [{name: bond0, type: bond, link-aggregation: {mode: 1, options: {xmit_hash_policy: \"layer2\\nx\"}}}]",
			`interfaces[0].link-aggregation.options.xmit_hash_policy: "layer2\nx" is not a valid value`, false},
		{"newline in search", "dns-resolver: {config: {search: [\"a.com\\nnameserver 6.6.6.6\"]}}",
			`dns-resolver.config.search[0]: host name "a.com\nnameserver 6.6.6.6" holds "\n"`, false},
		{"slash in name", "interfaces: [{name: ../etc}]", `interfaces[0].name: interface name "../etc" starts with '.'`, false},
		{"dot dot name", "interfaces: [{name: ..}]", `interfaces[0].name: interface name ".." is not allowed`, false},
		{"long name", "interfaces: [{name: abcdefghijklmnop}]", `interfaces[0].name: interface name "abcdefghijklmnop" is not 1 to 15 bytes long`, false},
		{"not an IP", "interfaces: [{name: eth0, ipv4: {address: [{ip: 10.0.0.300, prefix-length: 24}]}}]",
			`interfaces[0].ipv4.address[0].ip: "10.0.0.300" is not an IP address`, false},
		{"v6 in v4", "interfaces: [{name: eth0, ipv4: {address: [{ip: '2001:db8::1', prefix-length: 64}]}}]",
			`interfaces[0].ipv4.address[0].ip: 2001:db8::1 is not an IPv4 address`, false},
		{"prefix too long", "interfaces: [{name: eth0, ipv4: {address: [{ip: 10.0.0.1, prefix-length: 33}]}}]",
			`interfaces[0].ipv4.address[0].prefix-length: 33 is not between 0 and 32`, false},
		{"bad MAC", "interfaces: [{name: eth0, mac-address: '00:11:22:33:44:5z'}]",
			`interfaces[0].mac-address: "00:11:22:33:44:5z" is not a MAC address`, false},
		{"bad DNS server", "dns-resolver: {config: {server: [dns.example.com]}}",
			`dns-resolver.config.server[0]: "dns.example.com" is not an IP address`, false},
		{"route without interface", "routes: {config: [{destination: 0.0.0.0/0, next-hop-address: 10.0.0.1}]}",
			`routes.config[0]: no next-hop-interface: a route is written with its interface`, false},
		{"route to an unknown interface", "routes: {config: [{destination: 0.0.0.0/0, next-hop-interface: eth9}]}",
			`routes.config[0].next-hop-interface: "eth9" is not an interface of the document`, false},
		{"gateway of the other family", "interfaces: [{name: eth0}]\nroutes: {config: [{destination: '::/0', next-hop-address: 10.0.0.1, next-hop-interface: eth0}]}",
			`routes.config[0].next-hop-address: 10.0.0.1 is not of the family of ::/0`, false},
		{"port with IP", "interfaces: [{name: bond0, type: bond, link-aggregation: {mode: 1, port: [eth0]}}, {name: eth0, ipv4: {address: [{ip: 10.0.0.1, prefix-length: 8}]}}]",
			`interfaces[1]: eth0 is a port of bond0 and cannot have IP configuration`, false},
		{"port of two", "interfaces: [{name: b0, type: bond, link-aggregation: {port: [eth0]}}, {name: b1, type: bond, link-aggregation: {port: [eth0]}}]",
			`interfaces[1].link-aggregation.port[0]: eth0 is already a port of b0`, false},
		{"vlan on nothing", "interfaces: [{name: v, type: vlan, vlan: {base-iface: eth0, id: 5}}]",
			`interfaces[0].vlan.base-iface: "eth0" is not an interface of the document`, false},
		{"rule with nowhere to go", "interfaces: [{name: eth0}]\nroute-rules: {config: [{ip-from: 10.0.0.1/32, route-table: 100}]}",
			`route-rules.config[0]: no interface has a route in table 100 or the rule's address, to write the rule with`, false},
		{"unknown interface key", "interfaces: [{name: eth0, lldp: {enabled: true}}]", `interfaces[0].lldp: not supported by netplan`, true},
		{"ovs", "interfaces: [{name: br, type: ovs-bridge}]", `interfaces[0].type: ovs-bridge: not supported by netplan`, true},
		{"bond option", "interfaces: [{name: b, type: bond, link-aggregation: {options: {arp_interval: 100}}}]",
			`interfaces[0].link-aggregation.options.arp_interval: not supported by netplan`, true},
		{"route option", "interfaces: [{name: eth0}]\nroutes: {config: [{destination: 0.0.0.0/0, next-hop-interface: eth0, weight: 5}]}",
			`routes.config[0].weight: not supported by netplan`, true},
		{"top level", "ovs-db: {}", `ovs-db: not supported by netplan`, true},
		{"dns options", "dns-resolver: {config: {options: [rotate]}}", `dns-resolver.config.options: not supported by netplan`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseYAML(t, tt.src)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Parse error = %v\nwant %s", err, tt.want)
			}
			var ue *UnsupportedError
			if errors.As(err, &ue) != tt.unsupported {
				t.Errorf("UnsupportedError = %t, want %t", !tt.unsupported, tt.unsupported)
			}
		})
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	st, err := parseYAML(t, `
interfaces:
- name: bond0
  type: bond
  link-aggregation: {mode: 4, port: [eth0, eth1], options: {miimon: 100}}
- name: eth1
  type: ethernet
- name: gone
  state: absent
- name: eth2
  state: down
  identifier: mac-address
  mac-address: 02:00:00:aa:bb:cc
  ipv4: {enabled: false, address: [{ip: 10.0.0.1, prefix-length: 8}]}
routes:
  running: [{whatever: 1}]
  config:
  - {destination: 0.0.0.0/0, next-hop-interface: bond0, table-id: 254}
  - {destination: 10.0.0.0/8, next-hop-interface: bond0, state: absent}
hostname: {running: x, config: h.example.com}
`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, i := range st.Interfaces {
		names = append(names, i.Name)
	}
	if got := fmtList(names); got != "bond0 eth1 eth2 eth0" {
		t.Errorf("interfaces %s", got)
	}
	b := st.Interfaces[0]
	if b.Bond.Mode != "802.3ad" || b.Bond.Options["miimon"] != "100" || len(b.Bond.Ports) != 2 || b.Bond.Ports[1].Controller != b {
		t.Errorf("bond %+v", b.Bond)
	}
	e2 := st.Interfaces[2]
	if !e2.Down || e2.MatchMAC != "02:00:00:AA:BB:CC" || e2.IPv4.Enabled || len(e2.IPv4.Addresses) != 0 {
		t.Errorf("eth2 %+v", e2)
	}
	if len(st.Routes) != 1 || st.Routes[0].Table != 0 || st.Hostname != "h.example.com" {
		t.Errorf("routes %+v hostname %q", st.Routes, st.Hostname)
	}
}

func fmtList(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

func TestForOS(t *testing.T) {
	t.Parallel()
	for os, want := range map[string]string{
		"ubuntu": "netplan", "ubuntu-22.04": "netplan", "ubuntu-18.04": "netplan", "ubuntu-16.04": "ifupdown",
		"debian-12": "ifupdown", "alpine-3.19": "ifupdown-ng", "centos-7": "ifcfg", "rhel-8.9": "ifcfg",
		"rhel-9": "keyfile", "rocky-9.3": "keyfile", "almalinux-8": "ifcfg", "oracle-9": "keyfile",
		"scientific-7": "ifcfg", "fedora-40": "keyfile", "fedora-32": "ifcfg", "flatcar": "networkd",
		"arch": "networkd", "centos": "keyfile", "opensuse-tumbleweed": "keyfile",
	} {
		r, err := ForOS(os)
		if err != nil || r.Name() != want {
			t.Errorf("ForOS(%q) = %v, %v; want %s", os, r, err, want)
		}
	}
	if _, err := ForOS("windows-11"); err == nil || err.Error() != `unknown OS "windows-11" (known: alma, alpine, arch, centos, debian, fedora, flatcar, opensuse, oracle, rhel, rocky, scientific, ubuntu)` {
		t.Errorf("unknown OS: %v", err)
	}
	if _, err := ForOS("ubuntu-jammy"); err == nil || err.Error() != `--os ubuntu-jammy: version "jammy" is not dotted numbers` {
		t.Errorf("bad version: %v", err)
	}
}
