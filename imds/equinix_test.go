package imds

import (
	"errors"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netplumb/netplumb/imds/imdstest"
	"github.com/netplumb/netplumb/internal/testenv"
	"github.com/netplumb/netplumb/nmstate"
)

const equinixTestJSON = `{
  "id": "6b9a3a1c-1f53-4e8e-9a7d-2f0c5b3e4d11",
  "hostname": "c3-small-01",
  "plan": "c3.small.x86",
  "facility": "da11",
  "metro": "da",
  "operating_system": {"slug": "ubuntu_22_04"},
  "private_subnets": ["10.0.0.0/8"],
  "network": {
    "bonding": {"mode": 4, "link_aggregation": "bonded", "mac": "b8:59:9f:0a:11:b0"},
    "interfaces": [
      {"name": "eth0", "mac": "b8:59:9f:0a:11:b0", "bond": "bond0"},
      {"name": "eth1", "mac": "b8:59:9f:0a:11:b1", "bond": "bond0"}
    ],
    "addresses": [
      {"address_family": 4, "public": true, "management": true, "enabled": true, "address": "147.75.65.225",
       "netmask": "255.255.255.254", "cidr": 31, "gateway": "147.75.65.224"},
      {"address_family": 6, "public": true, "management": true, "enabled": true, "address": "2604:1380:4641:c500::1",
       "cidr": 127, "gateway": "2604:1380:4641:c500::"},
      {"address_family": 4, "public": false, "management": true, "enabled": true, "address": "10.70.114.129",
       "cidr": 31, "gateway": "10.70.114.128"}
    ]
  }
}`

func TestEquinixParse(t *testing.T) {
	t.Parallel()
	m, err := equinixProvider().Parse([]byte(equinixTestJSON))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Links) != 3 {
		t.Fatalf("%d links, want 2 ports and a bond", len(m.Links))
	}
	bond := m.Links[2]
	if bond.Kind != Bond || bond.Name != "bond0" || bond.BondMode != "802.3ad" || !bond.Primary ||
		len(bond.Ports) != 2 || bond.Ports[0] != m.Links[0] || !m.Links[0].Port || !m.Links[1].Port {
		t.Fatalf("bond = %+v", bond)
	}
	wantOpts := map[string]any{"miimon": int64(100), "updelay": int64(200), "downdelay": int64(200),
		"xmit_hash_policy": "layer3+4", "lacp_rate": "fast"}
	if diff := cmp.Diff(wantOpts, bond.BondOptions); diff != "" {
		t.Errorf("bond options (-want +got):\n%s", diff)
	}
	if m.InstanceID != "6b9a3a1c-1f53-4e8e-9a7d-2f0c5b3e4d11" || m.Region != "da" || m.Zone != "da11" ||
		m.Size != "c3.small.x86" || m.Image != "ubuntu_22_04" || m.Hostname != "c3-small-01" {
		t.Errorf("facts = %+v", m)
	}
	if len(m.DNSServers) != 0 {
		t.Errorf("DNS servers %v: the metadata has none", m.DNSServers)
	}
}

func TestEquinixBondModes(t *testing.T) {
	t.Parallel()
	for mode, name := range bondModes {
		m, err := equinixProvider().Parse(jsonTestDoc(t, equinixTestJSON, map[string]any{"network.bonding.mode": int64(mode)}))
		if err != nil {
			t.Fatal(err)
		}
		b := m.Links[2]
		_, hash := b.BondOptions["xmit_hash_policy"]
		_, lacp := b.BondOptions["lacp_rate"]
		if b.BondMode != name || hash != (mode == 2 || mode == 4 || mode == 5) || lacp != (mode == 4) {
			t.Errorf("mode %d: %s with options %v", mode, b.BondMode, b.BondOptions)
		}
	}
}

func TestEquinixParseErrors(t *testing.T) {
	t.Parallel()
	a0 := "network.addresses.0."
	checkParseErrors(t, equinixProvider(), fromJSON(equinixTestJSON), true, []parseErrorCase{
		{"hostname with newline", map[string]any{"hostname": "evil/host\nname"},
			`hostname: "evil/host\nname" holds a control character`},
		{"hostname with slash", map[string]any{"hostname": "evil/host"},
			`hostname: host name "evil/host" holds "/"`},
		{"numeric id", map[string]any{"id": 1.5}, `id: a number is not an id`},
		{"id with newline", map[string]any{"id": "a\nb"}, `id: "a\nb" holds a control character`},
		{"id with C1 control", map[string]any{"id": "a\u0085b"}, `id: "a\u0085b" holds a control character`},
		{"metro not a string", map[string]any{"metro": int64(5)}, `metro: a number is not a string`},
		{"bad private subnet", map[string]any{"private_subnets": []any{"10.0.0.0/33"}},
			`private_subnets[0]: "10.0.0.0/33" is not an IPv4 network in CIDR form`},
		{"IPv6 private subnet", map[string]any{"private_subnets": []any{"fd00::/8"}},
			`private_subnets[0]: "fd00::/8" is not an IPv4 network in CIDR form`},
		{"private subnets not a list", map[string]any{"private_subnets": "10.0.0.0/8"},
			`private_subnets: a string ("10.0.0.0/8") is not a list`},
		{"network not a map", map[string]any{"network": []any{}}, `network: a list is not a map`},
		{"bond mode out of range", map[string]any{"network.bonding.mode": int64(7)},
			`network.bonding.mode: 7 is not a bonding mode (0 to 6)`},
		{"bond mode as a string", map[string]any{"network.bonding.mode": "4"},
			`network.bonding.mode: a string ("4") is not an integer`},
		{"bond MAC", map[string]any{"network.bonding.mac": "b8:59:9f:0a:11"},
			`network.bonding.mac: "b8:59:9f:0a:11" is not a MAC address`},
		{"name with slash", map[string]any{"network.interfaces.0.name": "eth/0"},
			`network.interfaces[0].name: interface name "eth/0" holds '/', ':', a control character or white space`},
		{"name with a C1 control", map[string]any{"network.interfaces.0.name": "eth\u0080"},
			`network.interfaces[0].name: interface name "eth\u0080" holds a control character`},
		{"name too long", map[string]any{"network.interfaces.0.name": "abcdefghijklmnop"},
			`network.interfaces[0].name: interface name "abcdefghijklmnop" is not 1 to 15 bytes long`},
		{"bad MAC", map[string]any{"network.interfaces.1.mac": "zz"},
			`network.interfaces[1].mac: "zz" is not a MAC address`},
		{"no MAC", map[string]any{"network.interfaces.0.mac": deleteKey}, `network.interfaces[0].mac: missing`},
		{"bond name with space", map[string]any{"network.interfaces.0.bond": "bond0 x"},
			`network.interfaces[0].bond: interface name "bond0 x" holds '/', ':', a control character or white space`},
		{"dhcp not a boolean", map[string]any{"network.interfaces.0.dhcp": "true"},
			`network.interfaces[0].dhcp: a string ("true") is not a boolean`},
		{"interfaces not a list", map[string]any{"network.interfaces": "x"},
			`network.interfaces: a string ("x") is not a list`},
		{"interface not a map", map[string]any{"network.interfaces": []any{int64(5)}},
			`network.interfaces[0]: a number is not a map`},
		{"bad address", map[string]any{a0 + "address": "147.75.65.300"},
			`network.addresses[0].address: "147.75.65.300" is not an IP address`},
		{"zoned address", map[string]any{a0 + "address": "fe80::1%eth0"},
			`network.addresses[0].address: "fe80::1%eth0" is not an IP address`},
		{"no address", map[string]any{a0 + "address": deleteKey}, `network.addresses[0].address: missing`},
		{"wrong family", map[string]any{a0 + "address_family": int64(6)},
			`network.addresses[0].address_family: 6 is not the family of 147.75.65.225`},
		{"cidr out of range", map[string]any{a0 + "cidr": int64(33), a0 + "netmask": deleteKey},
			`network.addresses[0].cidr: 33 is out of range for 147.75.65.225`},
		{"cidr not a number", map[string]any{a0 + "cidr": "31"},
			`network.addresses[0].cidr: a string ("31") is not an integer`},
		{"holey netmask", map[string]any{a0 + "netmask": "255.0.255.0"},
			`network.addresses[0].netmask: "255.0.255.0" is not a contiguous netmask`},
		{"netmask and cidr disagree", map[string]any{a0 + "netmask": "255.255.255.0"},
			`network.addresses[0].netmask: "255.255.255.0" disagrees with cidr 31`},
		{"gateway of another family", map[string]any{a0 + "gateway": "2001:db8::1"},
			`network.addresses[0].gateway: 2001:db8::1 is not of the family of 147.75.65.225`},
		{"management not a boolean", map[string]any{a0 + "management": "yes"},
			`network.addresses[0].management: a string ("yes") is not a boolean`},
		{"no gateway to route through", map[string]any{a0 + "gateway": deleteKey},
			`network.addresses[0].gateway: missing, but the address routes through it`},
		{"no prefix length", map[string]any{a0 + "cidr": deleteKey, a0 + "netmask": deleteKey},
			`network.addresses[0]: has neither cidr nor netmask`},
	})
	for doc, want := range map[string]string{
		`[1]`:        "the document is a list, not a map",
		`"metadata"`: `the document is a string ("metadata"), not a map`,
	} {
		if _, err := equinixProvider().Parse([]byte(doc)); err == nil || err.Error() != want {
			t.Errorf("Parse(%s) = %v, want %s", doc, err, want)
		}
	}
	var se *nmstate.SyntaxError
	if _, err := equinixProvider().Parse([]byte(`{"id": `)); !errors.As(err, &se) {
		t.Errorf("truncated JSON: %v, want a *nmstate.SyntaxError", err)
	}
}

// TestEquinixMapping checks the mapping decisions on variations of the
// test document.
func TestEquinixMapping(t *testing.T) {
	t.Parallel()
	type route struct{ dst, via, link string }
	tests := []struct {
		name   string
		set    map[string]any
		links  []string // name:kind of each link
		v4     []string // the carrier's IPv4 addresses
		routes []route
	}{
		{"bonded", nil, []string{"eth0:ethernet", "eth1:ethernet", "bond0:bond"},
			[]string{"147.75.65.225/31", "10.70.114.129/31"},
			[]route{{"0.0.0.0/0", "147.75.65.224", "bond0"}, {"::/0", "2604:1380:4641:c500::", "bond0"},
				{"10.0.0.0/8", "10.70.114.128", "bond0"}}},
		{"private only", map[string]any{"network.addresses": []any{map[string]any{"address": "10.70.114.129",
			"cidr": int64(31), "gateway": "10.70.114.128", "management": true}}},
			[]string{"eth0:ethernet", "eth1:ethernet", "bond0:bond"}, []string{"10.70.114.129/31"},
			[]route{{"0.0.0.0/0", "10.70.114.128", "bond0"}}},
		{"custom private subnets, none absent", map[string]any{"private_subnets": []any{"192.168.5.0/24", "172.16.0.0/12"}},
			[]string{"eth0:ethernet", "eth1:ethernet", "bond0:bond"}, []string{"147.75.65.225/31", "10.70.114.129/31"},
			[]route{{"0.0.0.0/0", "147.75.65.224", "bond0"}, {"::/0", "2604:1380:4641:c500::", "bond0"},
				{"192.168.5.0/24", "10.70.114.128", "bond0"}, {"172.16.0.0/12", "10.70.114.128", "bond0"}}},
		{"default private subnets", map[string]any{"private_subnets": deleteKey},
			[]string{"eth0:ethernet", "eth1:ethernet", "bond0:bond"}, []string{"147.75.65.225/31", "10.70.114.129/31"},
			[]route{{"0.0.0.0/0", "147.75.65.224", "bond0"}, {"::/0", "2604:1380:4641:c500::", "bond0"},
				{"10.0.0.0/8", "10.70.114.128", "bond0"}}},
		{"non-management and disabled addresses", map[string]any{"network.addresses.0.management": false,
			"network.addresses.1.enabled": false},
			[]string{"eth0:ethernet", "eth1:ethernet", "bond0:bond"}, []string{"10.70.114.129/31"},
			[]route{{"0.0.0.0/0", "10.70.114.128", "bond0"}}},
		{"individual", map[string]any{"network.bonding.link_aggregation": "individual"},
			[]string{"eth0:ethernet"}, []string{"147.75.65.225/31", "10.70.114.129/31"},
			[]route{{"0.0.0.0/0", "147.75.65.224", "eth0"}, {"::/0", "2604:1380:4641:c500::", "eth0"},
				{"10.0.0.0/8", "10.70.114.128", "eth0"}}},
		{"unbonded interfaces left out", map[string]any{"network.interfaces.1.bond": deleteKey},
			[]string{"eth0:ethernet", "bond0:bond"}, []string{"147.75.65.225/31", "10.70.114.129/31"},
			[]route{{"0.0.0.0/0", "147.75.65.224", "bond0"}, {"::/0", "2604:1380:4641:c500::", "bond0"},
				{"10.0.0.0/8", "10.70.114.128", "bond0"}}},
		{"second bond first, bond10 after bond2", map[string]any{"network.interfaces": []any{
			map[string]any{"name": "eth2", "mac": "b8:59:9f:0a:11:b2", "bond": "bond10"},
			map[string]any{"name": "eth1", "mac": "b8:59:9f:0a:11:b1", "bond": "bond2"},
		}},
			[]string{"eth2:ethernet", "eth1:ethernet", "bond2:bond", "bond10:bond"},
			[]string{"147.75.65.225/31", "10.70.114.129/31"},
			[]route{{"0.0.0.0/0", "147.75.65.224", "bond2"}, {"::/0", "2604:1380:4641:c500::", "bond2"},
				{"10.0.0.0/8", "10.70.114.128", "bond2"}}},
		{"single-interface plan", map[string]any{"plan": "x1.small.x86"},
			[]string{"eth0:ethernet", "bond0:bond"}, []string{"147.75.65.225/31", "10.70.114.129/31"},
			[]route{{"0.0.0.0/0", "147.75.65.224", "bond0"}, {"::/0", "2604:1380:4641:c500::", "bond0"},
				{"10.0.0.0/8", "10.70.114.128", "bond0"}}},
		{"individual with DHCP", map[string]any{"network.bonding.link_aggregation": "individual",
			"network.interfaces.0.dhcp": true, "network.interfaces.1.dhcp": true},
			[]string{"eth0:ethernet", "eth1:ethernet"}, nil, nil},
		{"no interfaces", map[string]any{"network.interfaces": []any{}}, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := equinixProvider().Parse(jsonTestDoc(t, equinixTestJSON, tt.set))
			if err != nil {
				t.Fatal(err)
			}
			var links, v4 []string
			var routes []route
			for _, l := range m.Links {
				links = append(links, l.Name+":"+string(l.Kind))
				if l.Primary {
					for _, p := range l.IPv4.Addresses {
						v4 = append(v4, p.String())
					}
				}
			}
			for _, r := range m.Routes {
				routes = append(routes, route{r.Destination.String(), r.Via.String(), r.Link.Name})
			}
			if diff := cmp.Diff(tt.links, links); diff != "" {
				t.Errorf("links (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.v4, v4); diff != "" {
				t.Errorf("carrier's IPv4 addresses (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.routes, routes, cmp.AllowUnexported(route{})); diff != "" {
				t.Errorf("routes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEquinixSamples parses packet-networking's and afterburn's sample
// documents (shared/fixtures/equinix-metadata): every one must parse, and
// a few are checked further.
func TestEquinixSamples(t *testing.T) {
	t.Parallel()
	dir := testenv.SharedDir(t, "NETPLUMB_EQUINIX_SAMPLES", "fixtures/equinix-metadata")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no samples in %s", dir)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			m, err := equinixProvider().Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := m.NMState(Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := nmstate.MarshalYAML(doc); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, l := range m.Links {
				names = append(names, l.Name)
			}
			carrier := ""
			for _, l := range m.Links {
				if l.Primary {
					carrier = l.Name
				}
			}
			want := map[string]struct {
				names   []string
				carrier string
			}{
				"bonded-2bonds2nics-unsorted":        {[]string{"eth2", "eth3", "eth0", "eth1", "bond0", "bond1"}, "bond0"},
				"bonded-1bond4nics-public":           {[]string{"eth0", "eth1", "eth2", "eth3", "bond0"}, "bond0"},
				"plan-x1.small.x86-single-interface": {[]string{"eth0", "bond0"}, "bond0"},
				"individual-public":                  {[]string{"eth0"}, "eth0"},
				"individual-dhcp":                    {[]string{"eth0", "eth1"}, "eth0"},
				"afterburn-packet-attributes":        {nil, ""},
			}
			if w, ok := want[name]; ok && (!slices.Equal(w.names, names) || w.carrier != carrier) {
				t.Errorf("links %v with addresses on %q, want %v on %q", names, carrier, w.names, w.carrier)
			}
			// Non-management public addresses are shown, never configured.
			for _, l := range m.Links {
				for _, p := range l.IPv4.Addresses {
					if p.Addr() == netip.MustParseAddr("203.0.113.41") {
						t.Errorf("%s: the non-management 203.0.113.41 is configured", l.Name)
					}
				}
			}
		})
	}
}

func TestEquinixFetch(t *testing.T) {
	t.Parallel()
	doc := []byte(equinixTestJSON)
	fetchRecovers(t, equinixProvider(), func() http.Handler { return imdstest.NewEquinix(doc) })
}

func TestEquinixFake(t *testing.T) {
	t.Parallel()
	srv := imdstest.New(t, imdstest.NewEquinix([]byte(equinixTestJSON)))
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/metadata", 200}, {"GET", "/userdata", 200}, {"POST", "/metadata", 405}, {"GET", "/metadata/id", 404},
	} {
		if code, _, _ := fakeGet(t, srv, tt.method, tt.path, nil); code != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, code, tt.want)
		}
	}
}

func TestEquinixDetect(t *testing.T) {
	t.Parallel()
	p := equinixProvider()
	if p.DMI != nil {
		t.Error("Equinix has a DMI test; bare metal shows only its hardware vendor")
	}
	if !probe(t, p, imdstest.NewEquinix([]byte(equinixTestJSON))) {
		t.Error("the probe does not recognise the Equinix fake")
	}
	if probe(t, p, imdstest.NewDigitalOcean(map[string]any{"droplet_id": int64(1)}, []byte(`{"droplet_id": 1}`))) {
		t.Error("the probe takes DigitalOcean for Equinix")
	}
	if probe(t, p, http.NotFoundHandler()) {
		t.Error("the probe takes a 404 for Equinix")
	}
}

func FuzzEquinixParse(f *testing.F) {
	f.Add([]byte(equinixTestJSON))
	f.Add([]byte(`{"network": {"bonding": {"link_aggregation": "individual"}, "interfaces": [{"mac": "00:00:00:00:00:01", "dhcp": true}]}}`))
	f.Add([]byte(`{"network": {"interfaces": [{"mac": "00:00:00:00:00:01", "bond": "b"}], "addresses": [{"address": "10.0.0.1", "cidr": 8, "management": true, "gateway": "10.0.0.0"}]}, "private_subnets": []}`))
	f.Add([]byte(`{"id": 5, "network": {"addresses": [{"address": "::1", "netmask": "ffff::", "address_family": 6}]}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		m, err := equinixProvider().Parse(doc)
		checkParse(t, m, err, false, nmstate.MarshalYAML)
	})
}
