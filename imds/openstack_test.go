package imds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/netplumb/netplumb/imds/imdstest"
	"github.com/netplumb/netplumb/nmstate"
)

// openstackTestDrive is one of our cases' config drives.
const openstackTestDrive = "testdata/openstack/dual-stack-odd/configdrive"

// openstackTestDoc is a saved document with one NIC, a bond of two and a
// VLAN on the bond; set changes it before it is marshalled.
func openstackTestDoc(t testing.TB, set func(meta, nd map[string]any)) []byte {
	t.Helper()
	meta := map[string]any{"uuid": "u-1", "hostname": "vm-1", "availability_zone": "az", "project_id": "p"}
	nd := map[string]any{
		"links": []any{
			map[string]any{"id": "tap0", "type": "ovs", "ethernet_mac_address": "fa:16:3e:00:00:01", "mtu": int64(1500)},
			map[string]any{"id": "p1", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:02"},
			map[string]any{"id": "p2", "type": "phy", "ethernet_mac_address": "fa:16:3e:00:00:03"},
			map[string]any{"id": "b", "type": "bond", "bond_links": []any{"p1", "p2"}, "bond_mode": "1"},
			map[string]any{"id": "v", "type": "vlan", "vlan_link": "b", "vlan_id": int64(7)},
		},
		"networks": []any{
			map[string]any{"link": "tap0", "type": "ipv4", "ip_address": "10.0.0.5", "netmask": "255.255.255.0",
				"routes": []any{map[string]any{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "10.0.0.1"}}},
			map[string]any{"link": "v", "type": "ipv6_dhcpv6-stateless"},
		},
		"services": []any{map[string]any{"type": "dns", "address": "10.0.0.2"}},
	}
	if set != nil {
		set(meta, nd)
	}
	b, err := nmstate.MarshalJSON(map[string]any{"meta_data": meta, "network_data": nd})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// openstackAt returns the element i of a list in nd.
func openstackAt(nd map[string]any, list string, i int) map[string]any {
	return nd[list].([]any)[i].(map[string]any)
}

func TestOpenStackParse(t *testing.T) {
	t.Parallel()
	m, err := openstackProvider().Parse(openstackTestDoc(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	type link struct {
		Kind          Kind
		MAC, Name     string
		Primary, Port bool
		MTU           int
		Mode          string
		Base          string
		VLAN          int
		IPv4, IPv6    Family
	}
	var got []link
	for _, l := range m.Links {
		g := link{Kind: l.Kind, MAC: l.MAC, Name: l.Name, Primary: l.Primary, Port: l.Port, MTU: l.MTU,
			Mode: l.BondMode, VLAN: l.VLANID, IPv4: l.IPv4, IPv6: l.IPv6}
		if l.Base != nil {
			g.Base = l.Base.Name
		}
		got = append(got, g)
	}
	want := []link{
		{Kind: Ethernet, MAC: "fa:16:3e:00:00:01", Primary: true, MTU: 1500,
			IPv4: Family{Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.0.5/24")}}},
		{Kind: Ethernet, MAC: "fa:16:3e:00:00:02", Port: true},
		{Kind: Ethernet, MAC: "fa:16:3e:00:00:03", Port: true},
		{Kind: Bond, Name: "bond0", Mode: "active-backup"},
		{Kind: VLAN, Base: "bond0", VLAN: 7, IPv6: Family{DHCP: true, Autoconf: true}},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateComparable(netip.Prefix{})); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if m.InstanceID != "u-1" || m.Hostname != "vm-1" || m.Zone != "az" || m.Account != "p" || m.Region != "" {
		t.Errorf("facts: %q %q %q %q %q", m.InstanceID, m.Hostname, m.Zone, m.Account, m.Region)
	}
	if m.Links[0].GatewayIPv4 != netip.MustParseAddr("10.0.0.1") || m.Links[0].SubnetIPv4 != netip.MustParsePrefix("10.0.0.0/24") {
		t.Errorf("gateway %v, subnet %v", m.Links[0].GatewayIPv4, m.Links[0].SubnetIPv4)
	}
}

func TestOpenStackParseVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		set   func(meta, nd map[string]any)
		check func(m *Metadata) string
		want  string
	}{
		{"bond mode as a number", func(_, nd map[string]any) { openstackAt(nd, "links", 3)["bond_mode"] = int64(4) },
			func(m *Metadata) string { return m.Links[3].BondMode }, "802.3ad"},
		{"bond mode as a name", func(_, nd map[string]any) { openstackAt(nd, "links", 3)["bond_mode"] = "balance-alb" },
			func(m *Metadata) string { return m.Links[3].BondMode }, "balance-alb"},
		{"no bond mode", func(_, nd map[string]any) { delete(openstackAt(nd, "links", 3), "bond_mode") },
			func(m *Metadata) string { return m.Links[3].BondMode }, "balance-rr"},
		{"a name bond0 takes the next bond number", func(_, nd map[string]any) {
			openstackAt(nd, "links", 0)["name"] = "bond0"
		}, func(m *Metadata) string { return m.Links[0].Name + " " + m.Links[3].Name }, "bond0 bond1"},
		{"CIDR in ip_address", func(_, nd map[string]any) {
			n := openstackAt(nd, "networks", 0)
			n["ip_address"], n["netmask"] = "10.0.0.5/22", nil
		}, func(m *Metadata) string { return m.Links[0].IPv4.Addresses[0].String() }, "10.0.0.5/22"},
		{"CIDR with a matching netmask", func(_, nd map[string]any) {
			openstackAt(nd, "networks", 0)["ip_address"] = "10.0.0.5/24"
		}, func(m *Metadata) string { return m.Links[0].IPv4.Addresses[0].String() }, "10.0.0.5/24"},
		{"IPv6 mask form", func(_, nd map[string]any) {
			n := openstackAt(nd, "networks", 1)
			n["type"], n["ip_address"], n["netmask"] = "ipv6", "2001:db8::7", "ffff:ffff:ffff:fff0::"
		}, func(m *Metadata) string { return m.Links[4].IPv6.Addresses[0].String() }, "2001:db8::7/60"},
		{"slaac is autoconf only", func(_, nd map[string]any) { openstackAt(nd, "networks", 1)["type"] = "ipv6_slaac" },
			func(m *Metadata) string { return fmt.Sprintf("%+v", m.Links[4].IPv6) }, "{DHCP:false Autoconf:true Addresses:[]}"},
		{"DNS top-level first, repeats dropped", func(_, nd map[string]any) {
			openstackAt(nd, "networks", 1)["services"] = []any{map[string]any{"type": "dns", "address": "2001:db8::53"},
				map[string]any{"type": "dns", "address": "10.0.0.2"}}
		}, func(m *Metadata) string { return fmt.Sprint(m.DNSServers) }, "[10.0.0.2 2001:db8::53]"},
		{"no network_data", func(_, nd map[string]any) { clear(nd) },
			func(m *Metadata) string { return fmt.Sprint(len(m.Links), len(m.Routes)) }, "0 0"},
		{"route with a CIDR network and no gateway", func(_, nd map[string]any) {
			openstackAt(nd, "networks", 0)["routes"] = []any{map[string]any{"network": "192.0.2.0/24"}}
		}, func(m *Metadata) string { r := m.Routes[0]; return r.Destination.String() + " " + r.Via.String() }, "192.0.2.0/24 invalid IP"},
		{"no default route: the first link that is not a port is primary", func(_, nd map[string]any) {
			openstackAt(nd, "networks", 0)["routes"] = nil
			nd["links"] = append(nd["links"].([]any)[1:], nd["links"].([]any)[0])
		}, func(m *Metadata) string { return fmt.Sprintf("%v %s", m.Links[2].Primary, m.Links[2].Name) }, "true bond0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := openstackProvider().Parse(openstackTestDoc(t, tt.set))
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.check(m); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOpenStackParseErrors(t *testing.T) {
	t.Parallel()
	link := func(i int, k string, v any) func(_, nd map[string]any) {
		return func(_, nd map[string]any) { openstackAt(nd, "links", i)[k] = v }
	}
	network := func(i int, k string, v any) func(_, nd map[string]any) {
		return func(_, nd map[string]any) { openstackAt(nd, "networks", i)[k] = v }
	}
	tests := []struct {
		name string
		set  func(meta, nd map[string]any)
		want string
	}{
		{"uuid not a string", func(meta, _ map[string]any) { meta["uuid"] = int64(5) },
			"meta_data.uuid: a number is not a string"},
		{"hostname with a newline", func(meta, _ map[string]any) { meta["hostname"] = "a\nb" },
			`meta_data.hostname: "a\nb" holds a control character`},
		{"hostname with a slash", func(meta, _ map[string]any) { meta["hostname"] = "a/b" },
			`hostname: host name "a/b" holds "/"`},
		{"links not a list", func(_, nd map[string]any) { nd["links"] = "x" },
			`network_data.links: a string ("x") is not a list`},
		{"link not a map", func(_, nd map[string]any) { nd["links"].([]any)[0] = int64(1) },
			"network_data.links[0]: a number is not a map"},
		{"no id", link(0, "id", nil), "network_data.links[0].id: missing"},
		{"id twice", link(1, "id", "tap0"), `network_data.links[1].id: "tap0" is the id of network_data.links[0] too`},
		{"bad MAC", link(0, "ethernet_mac_address", "fa:16:3e:00:00"),
			`network_data.links[0].ethernet_mac_address: "fa:16:3e:00:00" is not a MAC address`},
		{"no MAC", link(0, "ethernet_mac_address", nil),
			"network_data.links[0].ethernet_mac_address: missing, and the link has no name"},
		{"MTU too small", link(0, "mtu", int64(20)), "network_data.links[0].mtu: 20 is not between 68 and 65535"},
		{"MTU a string", link(0, "mtu", "1500"), `network_data.links[0].mtu: a string ("1500") is not a number`},
		{"MTU huge", link(0, "mtu", 1e300), "network_data.links[0].mtu: 1e+300 is not a number below 2^31"},
		{"name with a slash", link(0, "name", "eth/0"),
			`network_data.links[0].name: interface name "eth/0" holds '/', ':', a control character or white space`},
		{"name too long", link(0, "name", "abcdefghijklmnop"),
			`network_data.links[0].name: interface name "abcdefghijklmnop" is not 1 to 15 bytes long`},
		{"name twice", func(_, nd map[string]any) {
			openstackAt(nd, "links", 0)["name"] = "x"
			openstackAt(nd, "links", 3)["name"] = "x"
		}, `network_data.links[3].name: "x" is the name of network_data.links[0] too`},
		{"bond mode unknown", link(3, "bond_mode", "fast"),
			`network_data.links[3].bond_mode: "fast" is not a bonding mode (balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb, or 0 to 6)`},
		{"bond mode out of range", link(3, "bond_mode", "7"), "network_data.links[3].bond_mode: 7 is not a bonding mode number (0 to 6)"},
		{"bond without ports", link(3, "bond_links", []any{}), "network_data.links[3].bond_links: missing: a bond needs ports"},
		{"bond port unknown", link(3, "bond_links", []any{"p1", "nope"}),
			`network_data.links[3].bond_links[1]: no link has the id "nope"`},
		{"bond port a bond", link(3, "bond_links", []any{"b"}),
			`network_data.links[3].bond_links[0]: "b" is a bond, not a physical link`},
		{"port twice", link(3, "bond_links", []any{"p1", "p1"}),
			`network_data.links[3].bond_links[1]: "p1" is the port of another bond already`},
		{"bad hash policy", link(3, "bond_xmit_hash_policy", "layer9"),
			`network_data.links[3].bond_xmit_hash_policy: "layer9" is not one of layer2, layer2+3, layer3+4, encap2+3, encap3+4, vlan+srcmac`},
		{"negative miimon", link(3, "bond_miimon", int64(-1)), "network_data.links[3].bond_miimon: -1 is negative"},
		{"VLAN id 0", link(4, "vlan_id", int64(0)), "network_data.links[4].vlan_id: 0 is not a VLAN id between 1 and 4094"},
		{"VLAN id a word", link(4, "vlan_id", "seven"), `network_data.links[4].vlan_id: a string ("seven") is not a number`},
		{"VLAN on nothing", link(4, "vlan_link", "zz"), `network_data.links[4].vlan_link: no link has the id "zz"`},
		{"VLAN on a port", link(4, "vlan_link", "p1"),
			`network_data.links[4].vlan_link: "p1" is a bond port, which carries nothing of its own`},
		{"VLAN on a VLAN", link(4, "vlan_link", "v"),
			`network_data.links[4].vlan_link: "v" is a VLAN: VLANs on VLANs are not supported`},
		{"network on nothing", network(0, "link", "zz"), `network_data.networks[0].link: no link has the id "zz"`},
		{"network on a port", network(0, "link", "p2"),
			`network_data.networks[0].link: "p2" is a bond port, which carries no addresses`},
		{"network type unknown", network(0, "type", "ipv5"),
			`network_data.networks[0].type: "ipv5" is not a network type (ipv4, ipv6, ipv4_dhcp, ipv6_dhcp, ipv6_slaac, ipv6_dhcpv6-stateful, ipv6_dhcpv6-stateless)`},
		{"static without address", network(0, "ip_address", nil), "network_data.networks[0].ip_address: missing on a static network"},
		{"bad address", network(0, "ip_address", "10.0.0.256"), `network_data.networks[0].ip_address: "10.0.0.256" is not an IP address`},
		{"address with a zone", network(0, "ip_address", "fe80::1%eth0"), `network_data.networks[0].ip_address: "fe80::1%eth0" is not an IP address`},
		{"IPv6 on ipv4", func(_, nd map[string]any) {
			n := openstackAt(nd, "networks", 0)
			n["ip_address"], n["netmask"] = "2001:db8::1", "64"
		}, "network_data.networks[0].ip_address: 2001:db8::1 is not an IPv4 address"},
		{"bad netmask", network(0, "netmask", "255.0.255.0"), `network_data.networks[0].netmask: "255.0.255.0" is not a contiguous netmask`},
		{"no netmask", network(0, "netmask", nil), "network_data.networks[0].netmask: missing, and ip_address has no prefix length"},
		{"CIDR and another netmask", network(0, "ip_address", "10.0.0.5/16"),
			`network_data.networks[0].netmask: "255.255.255.0" does not match the prefix length of 10.0.0.5/16`},
		{"route gateway of the other family", network(0, "routes", []any{map[string]any{"network": "0.0.0.0", "netmask": "0", "gateway": "fe80::1"}}),
			"network_data.networks[0].routes[0].gateway: fe80::1 is not of the family of 0.0.0.0/0"},
		{"route without network", network(0, "routes", []any{map[string]any{"gateway": "10.0.0.1"}}),
			"network_data.networks[0].routes[0].network: missing"},
		{"route bad netmask", network(0, "routes", []any{map[string]any{"network": "10.1.0.0", "netmask": "ffff::"}}),
			`network_data.networks[0].routes[0].netmask: "ffff::" is not a netmask for 10.1.0.0`},
		{"DNS not an address", func(_, nd map[string]any) {
			nd["services"] = []any{map[string]any{"type": "dns", "address": "ns1.example.com"}}
		}, `network_data.services[0].address: "ns1.example.com" is not an IP address`},
		{"DNS without address", func(_, nd map[string]any) {
			nd["services"] = []any{map[string]any{"type": "dns"}}
		}, "network_data.services[0].address: missing"},
		{"huge string", link(0, "id", strings.Repeat("a", 300)),
			`network_data.links[0].id: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"... is longer than 255 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := openstackProvider().Parse(openstackTestDoc(t, tt.set))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Parse error = %v\nwant %s", err, tt.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("%T is not a *FieldError", err)
			}
		})
	}
	for doc, want := range map[string]string{
		`[1]`:                                   "the document is a list, not a map holding meta_data and network_data",
		`{}`:                                    "meta_data: missing",
		`{"meta_data": 1}`:                      "meta_data: a number is not a map",
		`{"meta_data": {}, `:                    "unexpected end of JSON input",
		`{"meta_data": {}, "network_data": []}`: "network_data: a list is not a map",
	} {
		if _, err := openstackProvider().Parse([]byte(doc)); err == nil || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want %s", doc, err, want)
		}
	}
}

func TestOpenStackDMI(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		dmi  map[string]string
		want bool
	}{
		{map[string]string{"product_name": "OpenStack Nova"}, true},
		{map[string]string{"product_name": "OpenStack Compute"}, true},
		{map[string]string{"chassis_asset_tag": "HUAWEICLOUD", "product_name": "KVM Virtual Machine"}, true},
		{map[string]string{"sys_vendor": "OpenStack Foundation", "product_name": "VMware7,1"}, true},
		{map[string]string{"sys_vendor": "QEMU", "product_name": "Standard PC"}, false},
	} {
		if got := openstackProvider().DMI(tt.dmi); got != tt.want {
			t.Errorf("DMI(%v) = %v", tt.dmi, got)
		}
	}
}

// TestOpenStackDriveVersion: the newest dated version with
// network_data.json, else latest, else the newest with meta_data.json.
func TestOpenStackDriveVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"newest with network data", []string{"2015-10-15/meta_data.json", "2015-10-15/network_data.json",
			"2018-08-27/meta_data.json", "latest/meta_data.json", "latest/network_data.json"}, "2015-10-15"},
		{"latest when no dated one has network data", []string{"2013-10-17/meta_data.json", "latest/meta_data.json"}, "latest"},
		{"newest dated without latest", []string{"2012-08-10/meta_data.json", "2013-10-17/meta_data.json", "content/0000"}, "2013-10-17"},
		{"none", []string{"latest/user_data"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for _, f := range tt.files {
				p := filepath.Join(dir, "openstack", f)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(`{"uuid": "x"}`), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := openstackDriveVersion(filepath.Join(dir, "openstack"))
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), "no version directory holds meta_data.json") {
					t.Errorf("got %q, %v", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v, want %q", got, err, tt.want)
			}
		})
	}
	if _, err := openstackFetch(context.Background(), Source{ConfigDrive: t.TempDir()}); err == nil || !strings.HasPrefix(err.Error(), "config drive: open ") {
		t.Errorf("a drive without openstack/: %v", err)
	}
}

func TestOpenStackDriveRefusesHugeFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "openstack", "latest", "meta_data.json")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(`{"uuid": "`+strings.Repeat("a", MaxBody)+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := openstackFetch(context.Background(), Source{ConfigDrive: dir})
	if err == nil || !strings.HasSuffix(err.Error(), "meta_data.json: larger than 1048576 bytes") {
		t.Errorf("error = %v", err)
	}
}

// openstackTestServer serves our dual-stack case's config drive.
func openstackTestServer(t *testing.T) (*imdstest.Server, *imdstest.OpenStack, *Client) {
	t.Helper()
	fake, err := imdstest.NewOpenStack(openstackTestDrive)
	if err != nil {
		t.Fatal(err)
	}
	srv := imdstest.New(t, fake)
	return srv, fake, testClient(t, srv)
}

func TestOpenStackFetch(t *testing.T) {
	t.Parallel()
	want, err := openstackFetch(context.Background(), Source{ConfigDrive: openstackTestDrive})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		fault      imdstest.Fault
		n          int
		retryAfter string
		minWait    time.Duration
	}{
		{"clean", imdstest.NoFault, 0, "", 0},
		{"500 first", imdstest.Fail500, 3, "", 0},
		{"429 with Retry-After", imdstest.Fail429, 1, "1", time.Second},
		{"reset", imdstest.FailReset, 2, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, _, c := openstackTestServer(t)
			srv.FailFirst(tt.n, tt.fault, tt.retryAfter)
			srv.SetLatency(20 * time.Millisecond)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			got, err := openstackFetch(ctx, Source{Client: c})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("service and drive differ (-drive +service):\n%s", diff)
			}
			if el := time.Since(start); el < tt.minWait {
				t.Errorf("answered after %v, before the %v the server asked for", el, tt.minWait)
			}
			if n := srv.Requests(); n != tt.n+2 {
				t.Errorf("%d requests, want %d", n, tt.n+2)
			}
			if tt.fault == imdstest.NoFault && srv.MaxInFlight() != 2 {
				t.Errorf("the two files were not asked for at once (%d in flight)", srv.MaxInFlight())
			}
		})
	}
}

func TestOpenStackFetchWithoutNetworkData(t *testing.T) {
	t.Parallel()
	_, fake, c := openstackTestServer(t)
	fake.Remove("network_data.json")
	saved, err := openstackFetch(context.Background(), Source{Client: c})
	if err != nil {
		t.Fatal(err)
	}
	m, err := openstackProvider().Parse(saved)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Links) != 0 || m.InstanceID != "0d9e8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b" {
		t.Errorf("%d links, id %q", len(m.Links), m.InstanceID)
	}
}

func TestOpenStackFetchFailsInTime(t *testing.T) {
	t.Parallel()
	for _, f := range []imdstest.Fault{imdstest.Fail500, imdstest.FailHang} {
		t.Run(strings.TrimSpace(map[imdstest.Fault]string{imdstest.Fail500: "500", imdstest.FailHang: "hang"}[f]), func(t *testing.T) {
			t.Parallel()
			srv, _, c := openstackTestServer(t)
			srv.FailFirst(1<<30, f, "")
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			_, err := openstackFetch(ctx, Source{Client: c})
			if err == nil {
				t.Fatal("succeeded")
			}
			if !strings.Contains(err.Error(), srv.URL+"/openstack/latest/") {
				t.Errorf("error %q names no URL", err)
			}
			if el := time.Since(start); el > 1100*time.Millisecond {
				t.Errorf("took %v, past the 1 s deadline", el)
			}
		})
	}
}

func TestOpenStackFake(t *testing.T) {
	t.Parallel()
	srv, _, _ := openstackTestServer(t)
	for _, tt := range []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/openstack", 200, "2013-10-17\n2017-02-22\nlatest"},
		{"GET", "/openstack/latest/", 200, "meta_data.json\nnetwork_data.json\nuser_data"},
		{"GET", "/openstack/2013-10-17/network_data.json", 404, ""},
		{"GET", "/openstack/latest/user_data", 200, "#!/bin/sh\ntrue\n"},
		{"POST", "/openstack/latest/meta_data.json", 405, ""},
		{"GET", "/latest/meta-data/", 404, ""},
		{"GET", "/openstackx", 404, ""},
	} {
		code, body, _ := fakeGet(t, srv, tt.method, tt.path, nil)
		if code != tt.code || (tt.code == 200 && body != tt.body) {
			t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, code, body, tt.code, tt.body)
		}
	}
}

func TestOpenStackProbe(t *testing.T) {
	t.Parallel()
	_, _, c := openstackTestServer(t)
	if !openstackProvider().Probe(context.Background(), c) {
		t.Error("the fake service was not recognised")
	}
	other := imdstest.New(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"id": "ocid1.instance"}`))
	}))
	c2, _ := NewClient(other.URL)
	if openstackProvider().Probe(context.Background(), c2) {
		t.Error("a service without Nova's uuid was taken for OpenStack")
	}
}

func FuzzOpenStackParse(f *testing.F) {
	f.Add(openstackTestDoc(f, nil))
	if saved, err := openstackFetch(context.Background(), Source{ConfigDrive: openstackTestDrive}); err == nil {
		f.Add(saved)
	}
	if saved, err := imdstest.OpenStackSaved("testdata/openstack/bond-vlan-baremetal/configdrive"); err == nil {
		f.Add(saved)
	}
	f.Add([]byte(`{"meta_data": {"uuid": "x"}, "network_data": {"links": [{"id": "a", "type": "vlan", "vlan_link": "a", "vlan_id": 1}]}}`))
	f.Add([]byte(`{"meta_data": {}, "network_data": {"links": [{"id": "a", "type": "bond", "bond_links": ["a"]}], "networks": [{"link": "a", "type": "ipv4", "ip_address": "1.2.3.4/40"}]}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		m, err := openstackProvider().Parse(doc)
		checkParse(t, m, err, true, nil)
	})
}
