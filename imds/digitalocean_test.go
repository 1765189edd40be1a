package imds

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/netplumb/netplumb/imds/imdstest"
	"github.com/netplumb/netplumb/nmstate"
)

const digitaloceanTestJSON = `{
  "droplet_id": 22532410,
  "hostname": "utl-96268",
  "region": "nyc3",
  "interfaces": {
    "public": [
      {
        "ipv4": {"ip_address": "104.236.52.10", "netmask": "255.255.192.0", "gateway": "104.236.0.1"},
        "ipv6": {"ip_address": "2604:A880:0800:0010:0000:0000:07A1:0001", "cidr": 64, "gateway": "2604:A880:0800:0010:0000:0000:0000:0001"},
        "anchor_ipv4": {"ip_address": "10.10.0.5", "netmask": "255.255.0.0", "gateway": "10.10.0.1"},
        "mac": "04:01:57:d1:9e:01",
        "type": "public"
      }
    ],
    "private": [
      {
        "ipv4": {"ip_address": "10.132.6.205", "netmask": "255.255.0.0", "gateway": "10.132.0.1"},
        "mac": "04:01:57:D1:9E:02",
        "type": "private"
      }
    ]
  },
  "reserved_ip": {"ipv4": {"active": true, "ip_address": "138.197.59.92"}},
  "floating_ip": {"ipv4": {"active": true, "ip_address": "138.197.59.92"}},
  "dns": {"nameservers": ["67.207.67.2", "2001:4860:4860::8888"]}
}`

func TestDigitalOceanParse(t *testing.T) {
	t.Parallel()
	m, err := digitaloceanProvider().Parse([]byte(digitaloceanTestJSON))
	if err != nil {
		t.Fatal(err)
	}
	pfx := netip.MustParsePrefix
	addr := netip.MustParseAddr
	want := &Metadata{
		Provider: "digitalocean", InstanceID: "22532410", Hostname: "utl-96268", Region: "nyc3",
		DNSServers: []netip.Addr{addr("67.207.67.2"), addr("2001:4860:4860::8888")},
	}
	pub := &Link{Kind: Ethernet, MAC: "04:01:57:d1:9e:01", Index: 0, Primary: true,
		IPv4:        Family{Addresses: []netip.Prefix{pfx("104.236.52.10/18"), pfx("10.10.0.5/16")}},
		IPv6:        Family{Addresses: []netip.Prefix{pfx("2604:a880:800:10::7a1:1/64")}},
		PrivateIPv4: []netip.Addr{addr("10.10.0.5")},
		PublicIPv4:  []netip.Addr{addr("104.236.52.10"), addr("138.197.59.92")},
		AllIPv6:     []netip.Addr{addr("2604:a880:800:10::7a1:1")},
		SubnetIPv4:  pfx("104.236.0.0/18"), GatewayIPv4: addr("104.236.0.1"),
	}
	priv := &Link{Kind: Ethernet, MAC: "04:01:57:d1:9e:02", Index: 1,
		IPv4:        Family{Addresses: []netip.Prefix{pfx("10.132.6.205/16")}},
		PrivateIPv4: []netip.Addr{addr("10.132.6.205")},
		SubnetIPv4:  pfx("10.132.0.0/16"), GatewayIPv4: addr("10.132.0.1"),
	}
	want.Links = []*Link{pub, priv}
	want.Routes = []Route{
		{Destination: pfx("0.0.0.0/0"), Via: addr("104.236.0.1"), Link: pub},
		{Destination: pfx("::/0"), Via: addr("2604:a880:800:10::1"), Link: pub},
	}
	m.Raw = nil
	if diff := cmp.Diff(want, m, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

func TestDigitalOceanParseErrors(t *testing.T) {
	t.Parallel()
	pub := "interfaces.public.0."
	checkParseErrors(t, digitaloceanProvider(), fromJSON(digitaloceanTestJSON), true, []parseErrorCase{
		{"negative id", map[string]any{"droplet_id": int64(-5)}, `droplet_id: a number is not an id`},
		{"id as a map", map[string]any{"droplet_id": map[string]any{}}, `droplet_id: a map is not an id`},
		{"hostname with space", map[string]any{"hostname": "a b"}, `hostname: host name "a b" holds " "`},
		{"region with CRLF", map[string]any{"region": "nyc3\r\n"}, `region: "nyc3\r\n" holds a control character`},
		{"no MAC", map[string]any{pub + "mac": deleteKey}, `interfaces.public[0].mac: missing`},
		{"bad MAC", map[string]any{"interfaces.private.0.mac": "04:01:57:d1:9e"},
			`interfaces.private[0].mac: "04:01:57:d1:9e" is not a MAC address`},
		{"IPv6 as IPv4", map[string]any{pub + "ipv4.ip_address": "2001:db8::1"},
			`interfaces.public[0].ipv4.ip_address: 2001:db8::1 is not an IPv4 address`},
		{"IPv4 as IPv6", map[string]any{pub + "ipv6.ip_address": "10.0.0.1"},
			`interfaces.public[0].ipv6.ip_address: 10.0.0.1 is not an IPv6 address`},
		{"bad address", map[string]any{pub + "ipv4.ip_address": "104.236.52.010"},
			`interfaces.public[0].ipv4.ip_address: "104.236.52.010" is not an IP address`},
		{"holey netmask", map[string]any{pub + "ipv4.netmask": "255.255.0.255"},
			`interfaces.public[0].ipv4.netmask: "255.255.0.255" is not a contiguous netmask`},
		{"no netmask", map[string]any{pub + "anchor_ipv4.netmask": deleteKey},
			`interfaces.public[0].anchor_ipv4.netmask: missing`},
		{"cidr out of range", map[string]any{pub + "ipv6.cidr": int64(129)},
			`interfaces.public[0].ipv6.cidr: prefix length 129 is out of range for 2604:a880:800:10::7a1:1`},
		{"cidr a boolean", map[string]any{pub + "ipv6.cidr": true},
			`interfaces.public[0].ipv6.cidr: a boolean is not a prefix length`},
		{"gateway of another family", map[string]any{pub + "ipv6.gateway": "10.0.0.1"},
			`interfaces.public[0].ipv6.gateway: 10.0.0.1 is not an IPv6 address`},
		{"anchor not a map", map[string]any{pub + "anchor_ipv4": "x"},
			`interfaces.public[0].anchor_ipv4: a string ("x") is not a map`},
		{"private not a list", map[string]any{"interfaces.private": "x"},
			`interfaces.private: a string ("x") is not a list`},
		{"interfaces not a map", map[string]any{"interfaces": []any{}}, `interfaces: a list is not a map`},
		{"nameserver with junk", map[string]any{"dns.nameservers": []any{"8.8.8.8; evil"}},
			`dns.nameservers[0]: "8.8.8.8; evil" is not an IP address`},
		{"zoned nameserver", map[string]any{"dns.nameservers": []any{"fe80::1%eth0"}},
			`dns.nameservers[0]: "fe80::1%eth0" is not an IP address`},
		{"nameserver a number", map[string]any{"dns.nameservers": []any{int64(8)}},
			`dns.nameservers[0]: a number is not a string`},
		{"active as a string", map[string]any{"reserved_ip.ipv4.active": "true"},
			`reserved_ip.ipv4.active: a string ("true") is not a boolean`},
		{"reserved IPv6 as IPv4", map[string]any{"floating_ip.ipv4.ip_address": "2001:db8::5"},
			`floating_ip.ipv4.ip_address: 2001:db8::5 is not an IPv4 address`},
	})
}

// TestDigitalOceanMapping checks the choices the doc leaves open.
func TestDigitalOceanMapping(t *testing.T) {
	t.Parallel()
	parse := func(set map[string]any) *Metadata {
		m, err := digitaloceanProvider().Parse(jsonTestDoc(t, digitaloceanTestJSON, set))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	// An inactive reserved IP is not shown; the legacy floating_ip alone is.
	m := parse(map[string]any{"reserved_ip.ipv4.active": false, "floating_ip.ipv4.active": false})
	if got := m.Links[0].PublicIPv4; len(got) != 1 {
		t.Errorf("inactive reserved IP: public IPv4 %v", got)
	}
	m = parse(map[string]any{"reserved_ip": deleteKey, "floating_ip.ipv4.ip_address": "203.0.113.9"})
	if got := m.Links[0].PublicIPv4; len(got) != 2 || got[1] != netip.MustParseAddr("203.0.113.9") {
		t.Errorf("floating IP: public IPv4 %v", got)
	}
	// The private NIC's gateway is no route; an unspecified one is none.
	m = parse(map[string]any{"interfaces.private.0.ipv4.gateway": "0.0.0.0"})
	if len(m.Routes) != 2 || m.Links[1].GatewayIPv4.IsValid() {
		t.Errorf("routes %v, private gateway %v", m.Routes, m.Links[1].GatewayIPv4)
	}
	// Without a public NIC there is no default route, and the private NIC
	// comes first.
	m = parse(map[string]any{"interfaces.public": []any{}})
	if len(m.Routes) != 0 || len(m.Links) != 1 || !m.Links[0].Primary || m.Links[0].Index != 0 {
		t.Errorf("private only: routes %v, links %+v", m.Routes, m.Links)
	}
	// A prefix length given as a string.
	m = parse(map[string]any{"interfaces.public.0.ipv6.cidr": "56", "interfaces.public.0.ipv4.netmask": "18"})
	if got := m.Links[0].IPv6.Addresses[0].Bits(); got != 56 {
		t.Errorf("cidr \"56\": /%d", got)
	}
}

func TestDigitalOceanFetch(t *testing.T) {
	t.Parallel()
	raw := []byte(digitaloceanTestJSON)
	v, _ := nmstate.Decode(raw)
	doc := v.(map[string]any)
	fetchRecovers(t, digitaloceanProvider(), func() http.Handler { return imdstest.NewDigitalOcean(doc, raw) })
}

func TestDigitalOceanFake(t *testing.T) {
	t.Parallel()
	raw := []byte(digitaloceanTestJSON)
	v, _ := nmstate.Decode(raw)
	srv := imdstest.New(t, imdstest.NewDigitalOcean(v.(map[string]any), raw))
	for _, tt := range []struct {
		method, path string
		want         int
		body         string
	}{
		{"GET", "/metadata/v1/id", 200, "22532410"},
		{"GET", "/metadata/v1/hostname", 200, "utl-96268"},
		{"GET", "/metadata/v1.json", 200, digitaloceanTestJSON},
		{"PUT", "/metadata/v1.json", 405, ""},
		{"GET", "/metadata/v1/user-data", 404, ""},
	} {
		code, body, _ := fakeGet(t, srv, tt.method, tt.path, nil)
		if code != tt.want || (tt.want == 200 && body != tt.body) {
			t.Errorf("%s %s: %d %q, want %d %q", tt.method, tt.path, code, body, tt.want, tt.body)
		}
	}
}

func TestDigitalOceanDetect(t *testing.T) {
	t.Parallel()
	p := digitaloceanProvider()
	for _, tt := range []struct {
		dmi  map[string]string
		want bool
	}{
		{map[string]string{"sys_vendor": "DigitalOcean", "product_name": "Droplet"}, true},
		{map[string]string{"sys_vendor": "QEMU", "product_name": "Droplet"}, false},
		{map[string]string{"sys_vendor": "Hetzner"}, false},
	} {
		if got := p.DMI(tt.dmi); got != tt.want {
			t.Errorf("DMI(%v) = %v", tt.dmi, got)
		}
	}
	raw := []byte(digitaloceanTestJSON)
	v, _ := nmstate.Decode(raw)
	if !probe(t, p, imdstest.NewDigitalOcean(v.(map[string]any), raw)) {
		t.Error("the probe does not recognise the DigitalOcean fake")
	}
	if probe(t, p, imdstest.NewEquinix([]byte(equinixTestJSON))) {
		t.Error("the probe takes Equinix for DigitalOcean")
	}
}

func FuzzDigitalOceanParse(f *testing.F) {
	f.Add([]byte(digitaloceanTestJSON))
	f.Add([]byte(`{"interfaces": {"private": [{"mac": "00:00:00:00:00:01", "ipv6": {"ip_address": "::1", "cidr": "128"}}]}}`))
	f.Add([]byte(`{"droplet_id": 18446744073709551615, "reserved_ip": {"ipv4": {"active": true, "ip_address": "1.2.3.4"}}}`))
	f.Add([]byte(`{"interfaces": {"public": [{"mac": "0000.0000.0001", "ipv4": {"ip_address": "1.2.3.4", "netmask": 33}}]}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		m, err := digitaloceanProvider().Parse(doc)
		checkParse(t, m, err, false, nmstate.MarshalYAML)
	})
}
