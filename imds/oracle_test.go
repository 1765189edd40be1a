package imds

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netplumb/netplumb/imds/imdstest"
	"github.com/netplumb/netplumb/nmstate"
)

func oracleTestDoc() map[string]any {
	return map[string]any{
		"instance": map[string]any{
			"id": "ocid1.instance.oc1.phx.example", "hostname": "app-1", "displayName": "App server 1",
			"region": "phx", "canonicalRegionName": "us-phoenix-1", "availabilityDomain": "qIZq:PHX-AD-1",
			"shape": "VM.Standard.E4.Flex", "image": "ocid1.image.oc1.phx.example",
			"compartmentId": "ocid1.compartment.oc1..example",
		},
		"vnics": []any{
			map[string]any{"vnicId": "ocid1.vnic.1", "privateIp": "10.0.0.5", "vlanTag": int64(100),
				"macAddr": "02:00:17:00:00:01", "virtualRouterIp": "10.0.0.1", "subnetCidrBlock": "10.0.0.0/24",
				"ipv6Addresses": []any{"2603:c020::5"}, "ipv6SubnetCidrBlock": "2603:c020::/64"},
			map[string]any{"vnicId": "ocid1.vnic.2", "privateIp": "10.0.1.5", "vlanTag": int64(101),
				"macAddr": "02:00:17:00:00:02", "virtualRouterIp": "10.0.1.1", "subnetCidrBlock": "10.0.1.0/25",
				"ipv6Addresses": []any{"2603:c020:1::5", "2603:c020:1::6"}, "ipv6SubnetCidrBlock": "2603:c020:1::/64"},
			map[string]any{"vnicId": "ocid1.vnic.3", "vlanTag": int64(102),
				"macAddr": "02:00:17:00:00:03", "virtualRouterIp": "<null>", "subnetCidrBlock": "<null>",
				"ipv6Addresses": []any{"2603:c020:2::5"}, "ipv6SubnetCidrBlock": "2603:c020:2::/64"},
		},
	}
}

func TestOracleParse(t *testing.T) {
	t.Parallel()
	b, _ := nmstate.MarshalJSON(oracleTestDoc())
	m, err := oracleProvider().Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{m.InstanceID, m.Hostname, m.Region, m.Zone, m.Size, m.Image, m.Account}
	want := []string{"ocid1.instance.oc1.phx.example", "app-1", "us-phoenix-1", "qIZq:PHX-AD-1",
		"VM.Standard.E4.Flex", "ocid1.image.oc1.phx.example", "ocid1.compartment.oc1..example"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
	a := netip.MustParseAddr
	p := netip.MustParsePrefix
	wantLinks := []*Link{
		{Kind: Ethernet, MAC: "02:00:17:00:00:01", Index: 0, Primary: true, MTU: 9000,
			IPv4: Family{DHCP: true}, IPv6: Family{DHCP: true, Autoconf: true},
			PrivateIPv4: []netip.Addr{a("10.0.0.5")}, AllIPv6: []netip.Addr{a("2603:c020::5")},
			SubnetIPv4: p("10.0.0.0/24"), GatewayIPv4: a("10.0.0.1")},
		{Kind: Ethernet, MAC: "02:00:17:00:00:02", Index: 1, MTU: 9000,
			IPv4:        Family{Addresses: []netip.Prefix{p("10.0.1.5/25")}},
			IPv6:        Family{Addresses: []netip.Prefix{p("2603:c020:1::5/64")}},
			PrivateIPv4: []netip.Addr{a("10.0.1.5")}, AllIPv6: []netip.Addr{a("2603:c020:1::5"), a("2603:c020:1::6")},
			SubnetIPv4: p("10.0.1.0/25"), GatewayIPv4: a("10.0.1.1")},
		{Kind: Ethernet, MAC: "02:00:17:00:00:03", Index: 2, MTU: 9000,
			IPv6:    Family{Addresses: []netip.Prefix{p("2603:c020:2::5/64")}},
			AllIPv6: []netip.Addr{a("2603:c020:2::5")}},
	}
	if diff := cmp.Diff(wantLinks, m.Links, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
}

func TestOracleParseVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		set   map[string]any
		check func(*Metadata) string
		want  string
	}{
		{"IPv6-only primary", map[string]any{"vnics.0.privateIp": "<null>", "vnics.0.subnetCidrBlock": "<null>"},
			func(m *Metadata) string {
				l := m.Links[0]
				return strings.Join([]string{strconv.FormatBool(l.IPv4.DHCP), strconv.FormatBool(l.IPv6.DHCP), strconv.FormatBool(l.IPv6.Autoconf)}, " ")
			}, "false true true"},
		{"region from regionInfo", map[string]any{"instance.canonicalRegionName": deleteKey,
			"instance.regionInfo": map[string]any{"regionIdentifier": "us-phoenix-1"}},
			func(m *Metadata) string { return m.Region }, "us-phoenix-1"},
		{"short region last", map[string]any{"instance.canonicalRegionName": ""},
			func(m *Metadata) string { return m.Region }, "phx"},
		{"bare metal secondary left out", map[string]any{"vnics.0.nicIndex": int64(0), "vnics.1.nicIndex": int64(1)},
			func(m *Metadata) string { return m.Links[1].MAC }, "02:00:17:00:00:03"},
		{"no VNICs", map[string]any{"vnics": []any{}},
			func(m *Metadata) string { return strconv.FormatBool(len(m.Links) == 0) }, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := mutated(t, oracleTestDoc(), tt.set)
			m, err := oracleProvider().Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.check(m); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOracleParseErrors(t *testing.T) {
	t.Parallel()
	checkParseErrors(t, oracleProvider(), oracleTestDoc, false, []parseErrorCase{
		{"vnics not a list", map[string]any{"vnics": map[string]any{}}, "vnics: a map is not a list"},
		{"vnic not a map", map[string]any{"vnics.1": "x"}, `vnics[1]: a string ("x") is not a map`},
		{"no MAC", map[string]any{"vnics.0.macAddr": deleteKey}, "vnics[0].macAddr: missing"},
		{"bad MAC", map[string]any{"vnics.0.macAddr": "02:00:17:00:00:01:ff"},
			`vnics[0].macAddr: "02:00:17:00:00:01:ff" is not a MAC address`},
		{"MAC twice", map[string]any{"vnics.2.macAddr": "02-00-17-00-00-01"},
			"vnics[2].macAddr: 02:00:17:00:00:01 is also the MAC of vnics[0]"},
		{"bad private IP", map[string]any{"vnics.1.privateIp": "10.0.1"}, `vnics[1].privateIp: "10.0.1" is not an IP address`},
		{"IPv6 private IP", map[string]any{"vnics.1.privateIp": "fd00::1"}, `vnics[1].privateIp: "fd00::1" is not an IPv4 address`},
		{"private IP outside the subnet", map[string]any{"vnics.1.privateIp": "10.0.2.5"},
			"vnics[1].privateIp: 10.0.2.5 is not in subnetCidrBlock 10.0.1.0/25"},
		{"secondary without a subnet", map[string]any{"vnics.1.subnetCidrBlock": "<null>"},
			"vnics[1].subnetCidrBlock: missing, but the VNIC has a privateIp to configure"},
		{"bad subnet", map[string]any{"vnics.1.subnetCidrBlock": "10.0.1.0/40"},
			`vnics[1].subnetCidrBlock: "10.0.1.0/40" is not a network in CIDR form`},
		{"IPv6 subnet for IPv4", map[string]any{"vnics.1.subnetCidrBlock": "fd00::/64"},
			`vnics[1].subnetCidrBlock: "fd00::/64" is not an IPv4 network`},
		{"bad router", map[string]any{"vnics.0.virtualRouterIp": "router"},
			`vnics[0].virtualRouterIp: "router" is not an IP address`},
		{"IPv6 addresses not a list", map[string]any{"vnics.1.ipv6Addresses": "2603:c020:1::5"},
			`vnics[1].ipv6Addresses: a string ("2603:c020:1::5") is not a list`},
		{"IPv4 among IPv6", map[string]any{"vnics.1.ipv6Addresses.0": "10.0.1.9"},
			`vnics[1].ipv6Addresses[0]: "10.0.1.9" is not an IPv6 address`},
		{"secondary IPv6 without a subnet", map[string]any{"vnics.2.ipv6SubnetCidrBlock": deleteKey},
			"vnics[2].ipv6SubnetCidrBlock: missing, but the VNIC has an IPv6 address to configure"},
		{"IPv6 outside its subnet", map[string]any{"vnics.2.ipv6SubnetCidrBlock": "2603:c020:9::/64"},
			"vnics[2].ipv6Addresses[0]: 2603:c020:2::5 is not in ipv6SubnetCidrBlock 2603:c020:9::/64"},
		{"host name with a slash", map[string]any{"instance.hostname": "app/1"}, `instance.hostname: host name "app/1" holds "/"`},
		{"id with a newline", map[string]any{"instance.id": "ocid1.x\n"}, `instance.id: "ocid1.x\n" holds a control character`},
		{"shape a number", map[string]any{"instance.shape": int64(2)}, "instance.shape: a number is not a string"},
		{"regionInfo not a map", map[string]any{"instance.canonicalRegionName": deleteKey, "instance.regionInfo": "x"},
			`instance.regionInfo: a string ("x") is not a map`},
	})
}

func TestOracleFake(t *testing.T) {
	t.Parallel()
	bearer := http.Header{"Authorization": {"Bearer Oracle"}}
	for _, v1Disabled := range []bool{true, false} {
		srv := imdstest.New(t, imdstest.NewOracle(oracleTestDoc(), v1Disabled))
		v1 := 404
		if !v1Disabled {
			v1 = 200
		}
		tests := []struct {
			method, path string
			header       http.Header
			code         int
			body         string
		}{
			{"GET", "/opc/v2/instance/", nil, 401, ""},
			{"GET", "/opc/v2/instance/", http.Header{"Authorization": {"Bearer Other"}}, 401, ""},
			{"GET", "/opc/v2/instance/", bearer, 200, `"id":"ocid1.instance.oc1.phx.example"`},
			{"GET", "/opc/v2/instance/id", bearer, 200, "ocid1.instance.oc1.phx.example"},
			{"GET", "/opc/v2/vnics/", bearer, 200, `"macAddr":"02:00:17:00:00:01"`},
			{"GET", "/opc/v2/vnics/1/privateIp", bearer, 200, "10.0.1.5"},
			{"PUT", "/opc/v2/instance/", bearer, 405, ""},
			{"GET", "/opc/v2/instance/nothing", bearer, 404, ""},
			{"GET", "/opc/v2/vnics/3", bearer, 404, ""},
			{"GET", "/opc/v2/identity/cert.pem", bearer, 404, ""},
			{"GET", "/opc/v1/instance/id", nil, v1, ""},
			{"GET", "/openstack/latest/meta_data.json", nil, 404, ""},
		}
		for _, tt := range tests {
			code, body, _ := fakeGet(t, srv, tt.method, tt.path, tt.header)
			if code != tt.code || !strings.Contains(body, tt.body) {
				t.Errorf("v1 disabled %v: %s %s: %d %q, want %d with %q", v1Disabled, tt.method, tt.path, code, body, tt.code, tt.body)
			}
		}
	}
}

func TestOracleFetchFaults(t *testing.T) {
	t.Parallel()
	fetchRetries(t, oracleProvider(), func() http.Handler { return imdstest.NewOracle(oracleTestDoc(), true) }, 2)
}

// TestOracleFetchOneWave: the instance and the VNICs are read at once.
func TestOracleFetchOneWave(t *testing.T) {
	t.Parallel()
	srv := imdstest.New(t, imdstest.NewOracle(oracleTestDoc(), true))
	srv.SetLatency(100 * time.Millisecond)
	if _, err := oracleProvider().Fetch(context.Background(), Source{Client: quickClient(t, oracleProvider(), srv)}); err != nil {
		t.Fatal(err)
	}
	if srv.Requests() != 2 || srv.MaxInFlight() != 2 {
		t.Errorf("%d requests, %d at once, want 2 at once", srv.Requests(), srv.MaxInFlight())
	}
}

func TestOracleFetchWrongShapes(t *testing.T) {
	t.Parallel()
	srv := imdstest.New(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"not": "a list"}`))
	}))
	_, err := oracleProvider().Fetch(context.Background(), Source{Client: quickClient(t, oracleProvider(), srv)})
	want := "GET " + srv.URL + "/opc/v2/vnics/: the answer is not a JSON list"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant %s", err, want)
	}
}

func TestOracleProbe(t *testing.T) {
	t.Parallel()
	p := oracleProvider()
	srv := imdstest.New(t, imdstest.NewOracle(oracleTestDoc(), true))
	if !p.Probe(context.Background(), quickClient(t, p, srv)) {
		t.Error("the Oracle fake is not recognised")
	}
	c := quickClient(t, p, srv)
	c.Header.Del("Authorization")
	if p.Probe(context.Background(), c) {
		t.Error("a probe without the bearer header succeeds")
	}
	other := imdstest.New(t, imdstest.NewAzure(azureTestDoc()))
	if p.Probe(context.Background(), quickClient(t, p, other)) {
		t.Error("the Azure fake is taken for Oracle")
	}
}

func FuzzOracleParse(f *testing.F) {
	b, _ := nmstate.MarshalJSON(oracleTestDoc())
	f.Add(b)
	f.Add([]byte(`{"vnics": [{"macAddr": "02:00:17:00:00:01", "privateIp": "<null>", "ipv6Addresses": ["fd00::1"]}, {"macAddr": "020017000002", "privateIp": "10.0.0.2", "subnetCidrBlock": "10.0.0.0/8", "nicIndex": 1}]}`))
	f.Add([]byte(`{"instance": {"regionInfo": {"regionIdentifier": 5}}, "vnics": null}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		m, err := oracleProvider().Parse(doc)
		checkParse(t, m, err, true, nmstate.MarshalJSON)
	})
}
