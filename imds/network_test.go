package imds

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

// bondedMetadata is a bond of two ports with a VLAN on it and a route.
func bondedMetadata() *Metadata {
	p1 := &Link{Kind: Ethernet, MAC: "b8:59:9f:0a:11:b0", Index: 0, Port: true}
	p2 := &Link{Kind: Ethernet, MAC: "b8:59:9f:0a:11:b1", Index: 1, Port: true}
	bond := &Link{Kind: Bond, Name: "bond0", Ports: []*Link{p1, p2}, BondMode: "802.3ad",
		BondOptions: map[string]any{"miimon": int64(100)},
		IPv4:        Family{Addresses: []netip.Prefix{pfx("192.0.2.10/31")}},
		PrivateIPv4: []netip.Addr{addr("192.0.2.10")}, GatewayIPv4: addr("192.0.2.11")}
	vlan := &Link{Kind: VLAN, Base: bond, VLANID: 100, IPv6: Family{Autoconf: true}}
	return &Metadata{
		Links:      []*Link{p1, p2, bond, vlan},
		Routes:     []Route{{Destination: pfx("0.0.0.0/0"), Via: addr("192.0.2.11"), Link: bond}},
		DNSServers: []netip.Addr{addr("192.0.2.53")},
		DNSSearch:  []string{"example.com"},
	}
}

func TestNMStateBondAndVLAN(t *testing.T) {
	t.Parallel()
	m := bondedMetadata()
	local := []LocalLink{{Name: "eno1", MAC: "b8:59:9f:0a:11:b0", Ifindex: 2, Physical: true}}
	doc, err := m.NMState(Options{Local: local})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"interfaces": []any{
			map[string]any{"name": "eno1", "type": "ethernet", "state": "up"},
			map[string]any{"name": "eth1", "type": "ethernet", "state": "up",
				"identifier": "mac-address", "mac-address": "b8:59:9f:0a:11:b1"},
			map[string]any{"name": "bond0", "type": "bond", "state": "up",
				"link-aggregation": map[string]any{"mode": "802.3ad", "port": []any{"eno1", "eth1"},
					"options": map[string]any{"miimon": int64(100)}},
				"ipv4": map[string]any{"enabled": true, "dhcp": false,
					"address": []any{map[string]any{"ip": "192.0.2.10", "prefix-length": int64(31)}}},
				"ipv6": map[string]any{"enabled": false}},
			map[string]any{"name": "bond0.100", "type": "vlan", "state": "up",
				"vlan": map[string]any{"base-iface": "bond0", "id": int64(100)},
				"ipv4": map[string]any{"enabled": false},
				"ipv6": map[string]any{"enabled": true, "dhcp": false, "autoconf": true, "address": []any{}}},
		},
		"routes": map[string]any{"config": []any{map[string]any{"destination": "0.0.0.0/0",
			"next-hop-address": "192.0.2.11", "next-hop-interface": "bond0"}}},
		"dns-resolver": map[string]any{"config": map[string]any{"server": []any{"192.0.2.53"}, "search": []any{"example.com"}}},
	}
	if diff := cmp.Diff(want, doc); diff != "" {
		t.Errorf("NMState (-want +got):\n%s", diff)
	}
}

func TestNamesAvoidCollisions(t *testing.T) {
	t.Parallel()
	// The unmatched NIC's eth<index> is taken by a local link: it moves on.
	m := &Metadata{Links: []*Link{
		{Kind: Ethernet, MAC: "02:00:00:00:00:01", Index: 0},
		{Kind: Ethernet, MAC: "02:00:00:00:00:02", Index: 0},
	}}
	local := []LocalLink{{Name: "eth0", MAC: "02:00:00:00:00:02", Ifindex: 2}}
	names, _ := m.names(local)
	if names[m.Links[0]] != "eth1" || names[m.Links[1]] != "eth0" {
		t.Errorf("names = %q, %q; want eth1, eth0", names[m.Links[0]], names[m.Links[1]])
	}
}

func TestByMACPrefersPhysical(t *testing.T) {
	t.Parallel()
	links := []LocalLink{
		{Name: "vlan5", MAC: "02:00:00:00:00:01", Ifindex: 1},
		{Name: "ens3", MAC: "02:00:00:00:00:01", Ifindex: 7, Physical: true},
	}
	if l, _ := byMAC(links, "02:00:00:00:00:01", false); l.Name != "ens3" {
		t.Errorf("byMAC = %s, want the physical ens3", l.Name)
	}
}

func TestSupplementaryErrors(t *testing.T) {
	t.Parallel()
	m := bondedMetadata()
	local := []LocalLink{{Name: "eno1", MAC: "b8:59:9f:0a:11:b0", Ifindex: 2, Physical: true}}
	for _, tt := range []struct{ iface, want string }{
		{"nope", "--supplementary nope: no such interface in the metadata"},
		{"bond0", "--supplementary bond0: no local link with its MAC, so no ifindex to number its table"},
		{"eno1", "--supplementary eno1: the metadata gives no IPv4 gateway for it"},
	} {
		_, err := m.NMState(Options{Local: local, Supplementary: []string{tt.iface}})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %q", tt.iface, err, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    *Metadata
		want string
	}{
		{"long name", &Metadata{Links: []*Link{{Kind: Ethernet, Name: "abcdefghijklmnop"}}},
			`links[0].name: interface name "abcdefghijklmnop" is not 1 to 15 bytes long`},
		{"slash", &Metadata{Links: []*Link{{Kind: Ethernet, Name: "a/b"}}},
			`links[0].name: interface name "a/b" holds '/', ':', a control character or white space`},
		{"dot dot", &Metadata{Links: []*Link{{Kind: Ethernet, Name: ".."}}},
			`links[0].name: interface name ".." is not allowed`},
		{"newline hostname", &Metadata{Hostname: "a\nb"}, `hostname: host name "a\nb" holds "\n"`},
		{"mtu", &Metadata{Links: []*Link{{Kind: Ethernet, MTU: 70000}}}, "links[0].mtu: 70000 is not between 68 and 65535"},
		{"vlan id", &Metadata{Links: []*Link{{Kind: VLAN, VLANID: 5000}}},
			"links[0].vlan: id 5000 is not between 1 and 4094, or the VLAN has no base"},
		{"v6 in v4", &Metadata{Links: []*Link{{Kind: Ethernet, IPv4: Family{Addresses: []netip.Prefix{pfx("2001:db8::1/64")}}}}},
			"links[0].ipv4: 2001:db8::1/64 is not an IPv4 address"},
		{"search", &Metadata{DNSSearch: []string{"-bad.example"}}, `dns search: host name "-bad.example" has an invalid label "-bad"`},
	}
	for _, tt := range tests {
		if err := tt.m.Validate(); err == nil || err.Error() != tt.want {
			t.Errorf("%s: Validate = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestParsers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"000D3A047598":      "00:0d:3a:04:75:98",
		"0A-00-27-00-00-01": "0a:00:27:00:00:01",
		"b8:59:9f:0a:11:b0": "b8:59:9f:0a:11:b0",
	} {
		if got, err := ParseMAC(in); err != nil || got != want {
			t.Errorf("ParseMAC(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "00:0d:3a:04:75", "00:0d:3a:04:75:9g", "00:0d:3a:04:75:98:00", "00:0d:3a:04:75.98"} {
		if _, err := ParseMAC(bad); err == nil {
			t.Errorf("ParseMAC(%q) succeeded", bad)
		}
	}
	for _, tt := range []struct {
		addr, mask string
		want       int
		err        bool
	}{
		{"10.0.0.1", "255.255.255.0", 24, false},
		{"10.0.0.1", "24", 24, false},
		{"10.0.0.1", "/31", 31, false},
		{"10.0.0.1", "255.0.255.0", 0, true},
		{"10.0.0.1", "33", 0, true},
		{"2001:db8::1", "ffff:ffff:ffff:ffff::", 64, false},
		{"2001:db8::1", "64", 64, false},
		{"2001:db8::1", "255.255.255.0", 0, true},
	} {
		got, err := PrefixLen(addr(tt.addr), tt.mask)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("PrefixLen(%s, %s) = %d, %v", tt.addr, tt.mask, got, err)
		}
	}
	if _, err := ParseAddr("fe80::1%eth0"); err == nil {
		t.Error("a zone was accepted")
	}
	if _, err := ParseAddr("::ffff:10.0.0.1"); err == nil {
		t.Error("an IPv4-mapped address was accepted")
	}
}

func TestFactsTable(t *testing.T) {
	t.Parallel()
	facts := bondedMetadata().Facts(nil)
	facts["provider"] = "equinix"
	got := FactsTable(facts, "network")
	if !strings.HasPrefix(got, "Interface:    -\nMAC:          b8:59:9f:0a:11:b0\n") || !strings.Contains(got, "Interface:    bond0\n") {
		t.Errorf("table:\n%s", got)
	}
}
