package imds

import (
	"context"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netplumb/netplumb/imds/imdstest"
	"github.com/netplumb/netplumb/nmstate"
)

const hetznerTestJSON = `{
  "metadata": {
    "availability-zone": "hel1-dc2",
    "hostname": "my-server-2",
    "instance-id": 42424243,
    "local-ipv4": "",
    "network-config": {
      "version": 1,
      "config": [
        {
          "type": "physical",
          "name": "eth0",
          "mac_address": "96:00:01:23:45:68",
          "subnets": [
            {"type": "dhcp", "ipv4": true},
            {"type": "static", "address": "2a01:4f9:c010:5678::1/64", "ipv6": true, "gateway": "fe80::1",
             "dns_nameservers": ["2a01:4ff:ff00::add:2", "2a01:4ff:ff00::add:1"]}
          ]
        }
      ]
    },
    "public-ipv4": "65.21.10.21",
    "region": "eu-central",
    "vendor_data": "#cloud-config\npackage_upgrade: false\n"
  },
  "private-networks": [
    {"ip": "10.0.0.2", "alias_ips": ["10.0.0.3", "10.0.0.4"], "interface_num": 2, "mac_address": "86:00:00:98:40:62",
     "network_id": 4124728, "network_name": "foo", "network": "10.0.0.0/16", "subnet": "10.0.0.0/24", "gateway": "10.0.0.1"},
    {"ip": "10.128.0.2", "alias_ips": [], "interface_num": 1, "mac_address": "86:00:00:98:40:6d",
     "network_id": 4451335, "network_name": "bar", "network": "10.128.0.0/16", "subnet": "10.128.0.0/16", "gateway": "10.128.0.1"}
  ],
  "userdata": ""
}`

func TestHetznerParse(t *testing.T) {
	t.Parallel()
	m, err := hetznerProvider().Parse([]byte(hetznerTestJSON))
	if err != nil {
		t.Fatal(err)
	}
	pfx := netip.MustParsePrefix
	addr := netip.MustParseAddr
	pub := &Link{Kind: Ethernet, MAC: "96:00:01:23:45:68", Name: "eth0", Primary: true,
		IPv4:       Family{DHCP: true},
		IPv6:       Family{Addresses: []netip.Prefix{pfx("2a01:4f9:c010:5678::1/64")}},
		PublicIPv4: []netip.Addr{addr("65.21.10.21")},
		AllIPv6:    []netip.Addr{addr("2a01:4f9:c010:5678::1")},
	}
	want := &Metadata{
		Provider: "hetzner", InstanceID: "42424243", Hostname: "my-server-2", Region: "eu-central", Zone: "hel1-dc2",
		Links: []*Link{pub,
			{Kind: Ethernet, MAC: "86:00:00:98:40:6d", Index: 1, IPv4: Family{DHCP: true},
				PrivateIPv4: []netip.Addr{addr("10.128.0.2")}, SubnetIPv4: pfx("10.128.0.0/16"), GatewayIPv4: addr("10.128.0.1")},
			{Kind: Ethernet, MAC: "86:00:00:98:40:62", Index: 2,
				IPv4:        Family{DHCP: true, Addresses: []netip.Prefix{pfx("10.0.0.3/32"), pfx("10.0.0.4/32")}},
				PrivateIPv4: []netip.Addr{addr("10.0.0.2"), addr("10.0.0.3"), addr("10.0.0.4")},
				SubnetIPv4:  pfx("10.0.0.0/24"), GatewayIPv4: addr("10.0.0.1")},
		},
		Routes:     []Route{{Destination: pfx("::/0"), Via: addr("fe80::1"), Link: pub}},
		DNSServers: []netip.Addr{addr("2a01:4ff:ff00::add:2"), addr("2a01:4ff:ff00::add:1")},
	}
	m.Raw = nil
	if diff := cmp.Diff(want, m, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

// TestHetznerYAMLMACs: a MAC of digits and colons, unquoted in YAML, is a
// string under YAML 1.2 (YAML 1.1 would read a base-60 number).
func TestHetznerYAMLMACs(t *testing.T) {
	t.Parallel()
	doc := `metadata:
  instance-id: 7
  network-config:
    version: 1
    config:
    - type: physical
      mac_address: 96:00:01:23:45:67
      subnets:
      - type: dhcp
private-networks:
- ip: 10.0.0.2
  alias_ips: [10.0.0.3]
  interface_num: 1
  mac_address: 86:00:00:98:40:62
`
	m, err := hetznerProvider().Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if m.Links[0].MAC != "96:00:01:23:45:67" || m.Links[1].MAC != "86:00:00:98:40:62" {
		t.Errorf("MACs %q, %q", m.Links[0].MAC, m.Links[1].MAC)
	}
}

func TestHetznerParseErrors(t *testing.T) {
	t.Parallel()
	c0 := "metadata.network-config.config.0."
	pc := "metadata.network-config.config[0]."
	p0 := "private-networks.0."
	checkParseErrors(t, hetznerProvider(), fromJSON(hetznerTestJSON), true, []parseErrorCase{
		{"no metadata", map[string]any{"metadata": deleteKey}, `metadata: missing`},
		{"id with newline", map[string]any{"metadata.instance-id": "42\n"},
			`metadata.instance-id: "42\n" holds a control character`},
		{"bad hostname", map[string]any{"metadata.hostname": "-bad"},
			`metadata.hostname: host name "-bad" has an invalid label "-bad"`},
		{"IPv6 public IPv4", map[string]any{"metadata.public-ipv4": "2a01::1"},
			`metadata.public-ipv4: 2a01::1 is not an IPv4 address`},
		{"network config v2", map[string]any{"metadata.network-config.version": int64(2)},
			`metadata.network-config.version: 2 is not supported (only version 1)`},
		{"bond entry", map[string]any{c0 + "type": "bond"},
			pc + `type: "bond" is not supported (physical, nameserver)`},
		{"MAC read as a number", map[string]any{c0 + "mac_address": int64(96000123456)},
			pc + `mac_address: a number is not a string`},
		{"no MAC", map[string]any{c0 + "mac_address": deleteKey}, pc + `mac_address: missing`},
		{"name with newline", map[string]any{c0 + "name": "eth0\n"},
			pc + `name: interface name "eth0\n" holds '/', ':', a control character or white space`},
		{"tiny MTU", map[string]any{c0 + "mtu": int64(10)}, pc + `mtu: 10 is not between 68 and 65535`},
		{"subnets not a list", map[string]any{c0 + "subnets": map[string]any{}}, pc + `subnets: a map is not a list`},
		{"unknown subnet type", map[string]any{c0 + "subnets.0.type": "dhcp9"},
			pc + `subnets[0].type: "dhcp9" is not supported (dhcp, dhcp4, dhcp6, static, static6, ipv6_slaac, ipv6_dhcpv6-stateful, ipv6_dhcpv6-stateless)`},
		{"ipv4 flag a string", map[string]any{c0 + "subnets.0.ipv4": "yes"},
			pc + `subnets[0].ipv4: a string ("yes") is not a boolean`},
		{"prefix too long", map[string]any{c0 + "subnets.1.address": "2a01:4f9::1/129"},
			pc + `subnets[1].address: "2a01:4f9::1/129" is not an address with a prefix length`},
		{"no prefix length", map[string]any{c0 + "subnets.1.address": "2a01:4f9::1"},
			pc + `subnets[1].address: "2a01:4f9::1" has no prefix length, netmask or prefix`},
		{"no address", map[string]any{c0 + "subnets.1.address": deleteKey}, pc + `subnets[1].address: missing`},
		{"static6 with IPv4", map[string]any{c0 + "subnets.1.type": "static6", c0 + "subnets.1.address": "10.0.0.5/24",
			c0 + "subnets.1.gateway": "10.0.0.1"},
			pc + `subnets[1].address: 10.0.0.5 is not an IPv6 address`},
		{"gateway of another family", map[string]any{c0 + "subnets.1.gateway": "172.31.1.1"},
			pc + `subnets[1].gateway: 172.31.1.1 is not of the family of 2a01:4f9:c010:5678::1`},
		{"bad nameserver", map[string]any{c0 + "subnets.1.dns_nameservers": []any{"x"}},
			pc + `subnets[1].dns_nameservers[0]: "x" is not an IP address`},
		{"bad search domain", map[string]any{c0 + "subnets.1.dns_search": []any{"a..b"}},
			pc + `subnets[1].dns_search[0]: host name "a..b" has an invalid label ""`},
		{"negative interface_num", map[string]any{p0 + "interface_num": int64(-1)},
			`private-networks[0].interface_num: -1 is not between 0 and 4096`},
		{"no interface_num", map[string]any{p0 + "interface_num": deleteKey}, `private-networks[0].interface_num: missing`},
		{"short MAC", map[string]any{p0 + "mac_address": "86:00:00:98:40"},
			`private-networks[0].mac_address: "86:00:00:98:40" is not a MAC address`},
		{"alias with prefix", map[string]any{p0 + "alias_ips": []any{"10.0.0.3/32"}},
			`private-networks[0].alias_ips[0]: "10.0.0.3/32" is not an IP address`},
		{"IPv6 alias", map[string]any{p0 + "alias_ips": []any{"fd00::3"}},
			`private-networks[0].alias_ips[0]: fd00::3 is not an IPv4 address`},
		{"bad subnet", map[string]any{p0 + "subnet": "10.0.0.0/33"},
			`private-networks[0].subnet: "10.0.0.0/33" is not an IPv4 network in CIDR form`},
		{"IPv6 private ip", map[string]any{p0 + "ip": "fd00::2"}, `private-networks[0].ip: fd00::2 is not an IPv4 address`},
		{"network_id a string", map[string]any{p0 + "network_id": "4124728"},
			`private-networks[0].network_id: a string ("4124728") is not an integer`},
		{"private networks not a list", map[string]any{"private-networks": "x"},
			`private-networks: a string ("x") is not a list`},
	})
}

func TestHetznerMapping(t *testing.T) {
	t.Parallel()
	// A network config with no physical entry: no public link.
	m, err := hetznerProvider().Parse(jsonTestDoc(t, hetznerTestJSON, map[string]any{
		"metadata.network-config.config": []any{
			map[string]any{"type": "nameserver", "address": []any{"2a01:4ff:ff00::add:2"}, "search": []any{"example.com"}},
		},
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Links) != 2 || m.Links[0].MAC != "86:00:00:98:40:6d" {
		t.Fatalf("without a physical entry: links %+v", m.Links)
	}
	if len(m.DNSServers) != 1 || len(m.DNSSearch) != 1 {
		t.Errorf("nameserver entry: %v %v", m.DNSServers, m.DNSSearch)
	}

	m, err = hetznerProvider().Parse(jsonTestDoc(t, hetznerTestJSON, map[string]any{
		"metadata.network-config.config.0.subnets": []any{
			map[string]any{"type": "dhcp4"},
			map[string]any{"type": "dhcp6"},
			map[string]any{"type": "static", "address": "192.0.2.5", "netmask": "255.255.255.0", "gateway": "192.0.2.1",
				"dns_nameservers": []any{"192.0.2.53", "192.0.2.53"}, "dns_search": []any{"example.com"},
				"routes": []any{map[string]any{"network": "198.51.100.0", "prefix": int64(24), "gateway": "192.0.2.254"}}},
		},
		"metadata.network-config.config.0.mtu": int64(1450),
		"metadata.public-ipv4":                 "192.0.2.5",
	}))
	if err != nil {
		t.Fatal(err)
	}
	l := m.Links[0]
	if !l.IPv4.DHCP || !l.IPv6.DHCP || !l.IPv6.Autoconf || l.MTU != 1450 || len(l.PrivateIPv4) != 0 ||
		l.GatewayIPv4 != netip.MustParseAddr("192.0.2.1") {
		t.Errorf("public link %+v", l)
	}
	var routes []string
	for _, r := range m.Routes {
		routes = append(routes, r.Destination.String()+" via "+r.Via.String())
	}
	if diff := cmp.Diff([]string{"0.0.0.0/0 via 192.0.2.1", "198.51.100.0/24 via 192.0.2.254"}, routes); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	if len(m.DNSServers) != 1 || len(m.DNSSearch) != 1 {
		t.Errorf("DNS not de-duplicated: %v %v", m.DNSServers, m.DNSSearch)
	}
}

// TestHetznerFake checks the fake's YAML (unquoted MACs, as the real
// service writes them), its status codes, and that its YAML reads back as
// the document.
func TestHetznerFake(t *testing.T) {
	t.Parallel()
	docs := []string{hetznerTestJSON}
	files, _ := filepath.Glob(filepath.Join("testdata", "hetzner", "*", "data.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	for _, d := range docs {
		v, _ := nmstate.Decode([]byte(d))
		doc := v.(map[string]any)
		for _, part := range []string{"metadata", "private-networks"} {
			y := imdstest.HetznerYAML(doc[part])
			back, err := nmstate.Decode(y)
			if err != nil {
				t.Fatalf("%s:\n%s\n%v", part, y, err)
			}
			if diff := cmp.Diff(doc[part], back); diff != "" {
				t.Errorf("%s does not read back (-want +got):\n%s\n%s", part, diff, y)
			}
		}
	}

	v, _ := nmstate.Decode([]byte(hetznerTestJSON))
	srv := imdstest.New(t, imdstest.NewHetzner(v.(map[string]any)))
	for _, tt := range []struct {
		method, path string
		want         int
		has          string
	}{
		{"GET", "/hetzner/v1/metadata", 200, "mac_address: 96:00:01:23:45:68\n"},
		{"GET", "/hetzner/v1/metadata/private-networks", 200, "mac_address: 86:00:00:98:40:62\n"},
		{"GET", "/hetzner/v1/metadata/instance-id", 200, "42424243"},
		{"GET", "/hetzner/v1/metadata/hostname", 200, "my-server-2"},
		{"GET", "/hetzner/v1/userdata", 200, ""},
		{"POST", "/hetzner/v1/metadata", 405, ""},
		{"GET", "/hetzner/v1/metadata/nothing", 404, ""},
		{"GET", "/metadata/v1.json", 404, ""},
	} {
		code, body, _ := fakeGet(t, srv, tt.method, tt.path, nil)
		if code != tt.want || !strings.Contains(body, tt.has) {
			t.Errorf("%s %s: %d %q, want %d with %q", tt.method, tt.path, code, body, tt.want, tt.has)
		}
	}
}

func TestHetznerFetch(t *testing.T) {
	t.Parallel()
	v, _ := nmstate.Decode([]byte(hetznerTestJSON))
	doc := v.(map[string]any)
	fetchRecovers(t, hetznerProvider(), func() http.Handler { return imdstest.NewHetzner(doc) })

	t.Run("parallel", func(t *testing.T) {
		t.Parallel()
		srv := imdstest.New(t, imdstest.NewHetzner(doc))
		srv.SetLatency(100 * time.Millisecond)
		c, _ := NewClient(srv.URL)
		start := time.Now()
		saved, err := hetznerProvider().Fetch(context.Background(), Source{Client: c})
		elapsed := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		if srv.Requests() != 2 || srv.MaxInFlight() != 2 {
			t.Errorf("%d requests, %d at once; want the metadata and the private networks together",
				srv.Requests(), srv.MaxInFlight())
		}
		t.Logf("fetch took %v (one 100 ms wave when the requests overlap)", elapsed)
		want, _ := hetznerProvider().Parse([]byte(hetznerTestJSON))
		got, err := hetznerProvider().Parse(saved)
		if err != nil {
			t.Fatalf("%v\n%s", err, saved)
		}
		want.Raw, got.Raw = nil, nil
		if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
			cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
			t.Errorf("fetched (-saved +fetched):\n%s", diff)
		}
	})

	t.Run("no private networks path", func(t *testing.T) {
		t.Parallel()
		fake := imdstest.NewHetzner(doc)
		srv := imdstest.New(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/private-networks") {
				http.NotFound(w, r)
				return
			}
			fake.ServeHTTP(w, r)
		}))
		c, _ := NewClient(srv.URL)
		saved, err := hetznerProvider().Fetch(context.Background(), Source{Client: c})
		if err != nil {
			t.Fatal(err)
		}
		m, err := hetznerProvider().Parse(saved)
		if err != nil || len(m.Links) != 1 {
			t.Fatalf("%v: %d links\n%s", err, len(m.Links), saved)
		}
	})

	t.Run("not YAML", func(t *testing.T) {
		t.Parallel()
		srv := imdstest.New(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "key: [unclosed\n")
		}))
		c, _ := NewClient(srv.URL)
		_, err := hetznerProvider().Fetch(context.Background(), Source{Client: c})
		if err == nil || !strings.HasPrefix(err.Error(), srv.URL+"/hetzner/v1/metadata: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("error = %v, want one line naming the URL", err)
		}
	})
}

func TestHetznerDetect(t *testing.T) {
	t.Parallel()
	p := hetznerProvider()
	if !p.DMI(map[string]string{"sys_vendor": "Hetzner", "product_name": "vServer"}) ||
		p.DMI(map[string]string{"sys_vendor": "QEMU", "product_name": "vServer"}) {
		t.Error("DMI: sys_vendor Hetzner decides")
	}
	v, _ := nmstate.Decode([]byte(hetznerTestJSON))
	if !probe(t, p, imdstest.NewHetzner(v.(map[string]any))) {
		t.Error("the probe does not recognise the Hetzner fake")
	}
	if probe(t, p, imdstest.NewEquinix([]byte(equinixTestJSON))) {
		t.Error("the probe takes Equinix for Hetzner")
	}
}

func FuzzHetznerParse(f *testing.F) {
	f.Add([]byte(hetznerTestJSON))
	f.Add([]byte("metadata:\n  network-config:\n    config:\n    - type: physical\n      mac_address: 96:00:01:23:45:67\n" +
		"      subnets:\n      - {type: static, address: 10.0.0.2, prefix: 24, routes: [{network: 10.1.0.0/16}]}\n"))
	f.Add([]byte(`{"metadata": {"instance-id": "7"}, "private-networks": [{"interface_num": 0, "mac_address": "86-00-00-98-40-62", "alias_ips": ["10.0.0.9"]}]}`))
	f.Add([]byte("metadata: {hostname: 1e3}\nprivate-networks: ~\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		m, err := hetznerProvider().Parse(doc)
		checkParse(t, m, err, false, nmstate.MarshalYAML)
	})
}
