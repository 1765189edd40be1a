package imds

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/netplumb/netplumb/imds/imdstest"
	"github.com/netplumb/netplumb/nmstate"
)

func gcpTestDoc() map[string]any {
	return map[string]any{
		"instance": map[string]any{
			"id":          uint64(18446744073709551557), // above 2^63
			"hostname":    "vm-1.us-east1-b.c.proj.internal",
			"zone":        "projects/42/zones/us-east1-b",
			"machineType": "projects/42/machineTypes/e2-small",
			"image":       "projects/debian-cloud/global/images/debian-12",
			"attributes":  map[string]any{"ssh-keys": "ops:ssh-ed25519 AAAA ops", "enable-oslogin": "TRUE"},
			"networkInterfaces": []any{
				map[string]any{
					"mac": "42:01:0a:00:00:02", "ip": "10.0.0.2", "subnetmask": "255.255.255.0",
					"gateway": "10.0.0.1", "mtu": int64(1460),
					"ipAliases":    []any{"10.0.0.50/32", "10.8.0.0/24", "10.0.0.51"},
					"forwardedIps": []any{"34.1.1.1"},
					"accessConfigs": []any{
						map[string]any{"externalIp": "34.2.2.2", "type": "ONE_TO_ONE_NAT"},
					},
				},
				map[string]any{
					"mac": "42:01:0a:01:00:02", "ip": "10.1.0.2", "subnetmask": "255.255.255.240",
					"gateway": "10.1.0.1", "mtu": int64(8896), "accessConfigs": []any{},
					"ipv6s": []any{"2600:1900::2"}, "externalIpv6": "2600:1900:1::2",
				},
			},
		},
		"project": map[string]any{"projectId": "proj", "numericProjectId": int64(42)},
	}
}

func TestGCPParse(t *testing.T) {
	t.Parallel()
	b, _ := nmstate.MarshalJSON(gcpTestDoc())
	m, err := gcpProvider().Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{m.InstanceID, m.Hostname, m.Region, m.Zone, m.Size, m.Image, m.Account}
	want := []string{"18446744073709551557", "vm-1.us-east1-b.c.proj.internal", "us-east1", "us-east1-b",
		"e2-small", "projects/debian-cloud/global/images/debian-12", "proj"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("facts %q\nwant %q", got, want)
	}
	want4 := func(s ...string) []netip.Addr {
		var out []netip.Addr
		for _, a := range s {
			out = append(out, netip.MustParseAddr(a))
		}
		return out
	}
	wantLinks := []*Link{
		{Kind: Ethernet, MAC: "42:01:0a:00:00:02", Index: 0, Primary: true, MTU: 1460,
			IPv4: Family{DHCP: true, Addresses: []netip.Prefix{
				netip.MustParsePrefix("10.0.0.50/32"), netip.MustParsePrefix("10.0.0.51/32")}},
			PrivateIPv4: want4("10.0.0.2"), PublicIPv4: want4("34.2.2.2"),
			SubnetIPv4: netip.MustParsePrefix("10.0.0.0/24"), GatewayIPv4: netip.MustParseAddr("10.0.0.1")},
		{Kind: Ethernet, MAC: "42:01:0a:01:00:02", Index: 1, MTU: 8896,
			IPv4: Family{DHCP: true}, IPv6: Family{DHCP: true, Autoconf: true},
			PrivateIPv4: want4("10.1.0.2"), AllIPv6: want4("2600:1900::2", "2600:1900:1::2"),
			SubnetIPv4: netip.MustParsePrefix("10.1.0.0/28"), GatewayIPv4: netip.MustParseAddr("10.1.0.1")},
	}
	if diff := cmp.Diff(wantLinks, m.Links, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
}

func TestGCPInstanceIDIsExact(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"9007199254740993", "5512890377412096001", "18446744073709551615"} {
		doc := []byte(`{"instance": {"id": ` + id + `}}`)
		m, err := gcpProvider().Parse(doc)
		if err != nil {
			t.Fatal(err)
		}
		if m.InstanceID != id {
			t.Errorf("id %s read as %s", id, m.InstanceID)
		}
		// And through the fake, whose answer Fetch decodes and encodes again.
		tree, _ := nmstate.Decode(doc)
		srv := imdstest.New(t, imdstest.NewGCP(tree.(map[string]any)))
		saved, err := gcpProvider().Fetch(context.Background(), Source{Client: quickClient(t, gcpProvider(), srv)})
		if err != nil {
			t.Fatal(err)
		}
		if m, err = gcpProvider().Parse(saved); err != nil || m.InstanceID != id {
			t.Errorf("fetched id %s read as %s (%v)", id, m.InstanceID, err)
		}
	}
}

func TestGCPParseErrors(t *testing.T) {
	t.Parallel()
	nic := "instance.networkInterfaces.0."
	checkParseErrors(t, gcpProvider(), gcpTestDoc, false, []parseErrorCase{
		{"id as a float", map[string]any{"instance.id": 1.8446744073709552e19},
			"instance.id: 1.8446744073709552e+19 is not an integer (or lost its precision)"},
		{"negative id", map[string]any{"instance.id": int64(-5)}, "instance.id: -5 is not a positive integer"},
		{"id of letters", map[string]any{"instance.id": "12a"}, `instance.id: a string ("12a") is not a number`},
		{"id a boolean", map[string]any{"instance.id": true}, "instance.id: a boolean is not a number"},
		{"instance not a map", map[string]any{"instance": []any{}}, "instance: a list is not a map"},
		{"NICs not a list", map[string]any{"instance.networkInterfaces": "eth0"},
			`instance.networkInterfaces: a string ("eth0") is not a list`},
		{"no MAC", map[string]any{nic + "mac": deleteKey}, "instance.networkInterfaces[0].mac: missing"},
		{"bad MAC", map[string]any{nic + "mac": "42:01:0a:00:00"},
			`instance.networkInterfaces[0].mac: "42:01:0a:00:00" is not a MAC address`},
		{"MAC twice", map[string]any{"instance.networkInterfaces.1.mac": "42:01:0A:00:00:02"},
			"instance.networkInterfaces[1].mac: 42:01:0a:00:00:02 is also the MAC of instance.networkInterfaces[0]"},
		{"IPv6 ip", map[string]any{nic + "ip": "fd00::2"},
			`instance.networkInterfaces[0].ip: "fd00::2" is not an IPv4 address`},
		{"bad netmask", map[string]any{nic + "subnetmask": "255.0.255.0"},
			`instance.networkInterfaces[0].subnetmask: "255.0.255.0" is not a contiguous netmask`},
		{"bad gateway", map[string]any{nic + "gateway": "10.0.0.1; reboot"},
			`instance.networkInterfaces[0].gateway: "10.0.0.1; reboot" is not an IP address`},
		{"MTU too large", map[string]any{nic + "mtu": int64(70000)},
			"instance.networkInterfaces[0].mtu: 70000 is not an MTU between 68 and 65535"},
		{"MTU a string", map[string]any{nic + "mtu": "jumbo"},
			`instance.networkInterfaces[0].mtu: a string ("jumbo") is not a number`},
		{"alias too wide", map[string]any{nic + "ipAliases.0": "10.0.0.0/33"},
			`instance.networkInterfaces[0].ipAliases[0]: "10.0.0.0/33" is not an IPv4 range`},
		{"IPv6 alias", map[string]any{nic + "ipAliases.0": "fd00::/64"},
			`instance.networkInterfaces[0].ipAliases[0]: "fd00::/64" is not an IPv4 range`},
		{"alias not a string", map[string]any{nic + "ipAliases.1": map[string]any{}},
			"instance.networkInterfaces[0].ipAliases[1]: a map is not a string"},
		{"bad forwarded IP", map[string]any{nic + "forwardedIps.0": "34.1.1"},
			`instance.networkInterfaces[0].forwardedIps[0]: "34.1.1" is not an IP address`},
		{"IPv6 external IP", map[string]any{nic + "accessConfigs.0.externalIp": "2600::1"},
			`instance.networkInterfaces[0].accessConfigs[0].externalIp: "2600::1" is not an IPv4 address`},
		{"IPv4 among ipv6s", map[string]any{"instance.networkInterfaces.1.ipv6s.0": "10.0.0.9"},
			`instance.networkInterfaces[1].ipv6s[0]: "10.0.0.9" is not an IPv6 address`},
		{"zone without a name", map[string]any{"instance.zone": "projects/42/zones/"},
			`instance.zone: "projects/42/zones/" does not end in a name`},
		{"zone without a region", map[string]any{"instance.zone": "projects/42/zones/central"},
			`instance.zone: "central" is not a zone (region-letter)`},
		{"host name with a slash", map[string]any{"instance.hostname": "vm/1"},
			`instance.hostname: host name "vm/1" holds "/"`},
		{"host name with a newline", map[string]any{"instance.hostname": "vm-1\nevil"},
			`instance.hostname: "vm-1\nevil" holds a control character`},
		{"project id a number", map[string]any{"project.projectId": int64(5)}, "project.projectId: a number is not a string"},
	})
}

func TestGCPParseOptional(t *testing.T) {
	t.Parallel()
	m, err := gcpProvider().Parse([]byte(`{"instance": {"networkInterfaces": [{"mac": "42:01:0a:00:00:02"}]}, "project": {"numericProjectId": 42}}`))
	if err != nil {
		t.Fatal(err)
	}
	l := m.Links[0]
	if m.Account != "42" || m.InstanceID != "" || m.Region != "" || l.IPv4.DHCP || l.MTU != 0 || l.SubnetIPv4.IsValid() {
		t.Errorf("account %q id %q region %q, link %+v", m.Account, m.InstanceID, m.Region, l)
	}
}

func TestGCPFake(t *testing.T) {
	t.Parallel()
	srv := imdstest.New(t, imdstest.NewGCP(gcpTestDoc()))
	g := http.Header{"Metadata-Flavor": {"Google"}}
	tests := []struct {
		method, path string
		header       http.Header
		code         int
		body         string
	}{
		{"GET", "/computeMetadata/v1/instance/id", nil, 403, "Missing Metadata-Flavor:Google header"},
		{"GET", "/computeMetadata/v1/instance/id", http.Header{"Metadata-Flavor": {"google"}}, 403, ""},
		{"GET", "/computeMetadata/v1/instance/id", g, 200, "18446744073709551557"},
		{"POST", "/computeMetadata/v1/instance/id", g, 405, ""},
		{"GET", "/computeMetadata/v1/instance", g, 301, ""},
		{"GET", "/computeMetadata/v1/instance/network-interfaces/", g, 200, "0/\n1/\n"},
		{"GET", "/computeMetadata/v1/instance/network-interfaces/0/access-configs/0/external-ip", g, 200, "34.2.2.2"},
		{"GET", "/computeMetadata/v1/instance/network-interfaces/1/mtu?alt=json", g, 200, "8896"},
		{"GET", "/computeMetadata/v1/instance/attributes/ssh-keys", g, 200, "ops:ssh-ed25519 AAAA ops"},
		{"GET", "/computeMetadata/v1/project/?recursive=true", g, 200, `"numericProjectId":42`},
		{"GET", "/computeMetadata/v1/instance/id/", g, 404, ""},
		{"GET", "/computeMetadata/v1/instance/nothing", g, 404, ""},
		{"GET", "/computeMetadata/v2/instance/id", g, 404, ""},
	}
	for _, tt := range tests {
		code, body, h := fakeGet(t, srv, tt.method, tt.path, tt.header)
		if code != tt.code || !strings.Contains(body, tt.body) {
			t.Errorf("%s %s: %d %q, want %d with %q", tt.method, tt.path, code, body, tt.code, tt.body)
		}
		if h.Get("Metadata-Flavor") != "Google" {
			t.Errorf("%s %s: the answer has no Metadata-Flavor: Google", tt.method, tt.path)
		}
	}
}

func TestGCPFetchFaults(t *testing.T) {
	t.Parallel()
	fetchRetries(t, gcpProvider(), func() http.Handler { return imdstest.NewGCP(gcpTestDoc()) }, 2)
}

// TestGCPFetchOneWave: the instance and the project are read at once.
func TestGCPFetchOneWave(t *testing.T) {
	t.Parallel()
	srv := imdstest.New(t, imdstest.NewGCP(gcpTestDoc()))
	srv.SetLatency(100 * time.Millisecond)
	if _, err := gcpProvider().Fetch(context.Background(), Source{Client: quickClient(t, gcpProvider(), srv)}); err != nil {
		t.Fatal(err)
	}
	if srv.Requests() != 2 || srv.MaxInFlight() != 2 {
		t.Errorf("%d requests, %d at once, want 2 at once", srv.Requests(), srv.MaxInFlight())
	}
}

func TestGCPFetchWithoutProject(t *testing.T) {
	t.Parallel()
	doc := gcpTestDoc()
	delete(doc, "project")
	srv := imdstest.New(t, imdstest.NewGCP(doc))
	saved, err := gcpProvider().Fetch(context.Background(), Source{Client: quickClient(t, gcpProvider(), srv)})
	if err != nil {
		t.Fatal(err)
	}
	m, err := gcpProvider().Parse(saved)
	if err != nil || m.Account != "" || m.InstanceID == "" {
		t.Errorf("account %q id %q (%v)", m.Account, m.InstanceID, err)
	}
}

// TestGCPImpostor: a server whose answers lack Metadata-Flavor: Google is
// not Google's; neither Fetch nor Probe accepts it.
func TestGCPImpostor(t *testing.T) {
	t.Parallel()
	fake := imdstest.NewGCP(gcpTestDoc())
	fake.OmitFlavor()
	srv := imdstest.New(t, fake)
	p := gcpProvider()
	_, err := p.Fetch(context.Background(), Source{Client: quickClient(t, p, srv)})
	want := "the answer has no Metadata-Flavor: Google header, so it is not from the Compute Engine metadata server"
	if err == nil || !strings.HasPrefix(err.Error(), "GET "+srv.URL+"/computeMetadata/v1/") || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("Fetch error = %v", err)
	}
	if p.Probe(context.Background(), quickClient(t, p, srv)) {
		t.Error("Probe accepts the impostor")
	}
	real := imdstest.New(t, imdstest.NewGCP(gcpTestDoc()))
	if !p.Probe(context.Background(), quickClient(t, p, real)) {
		t.Error("Probe refuses the fake")
	}
}

func FuzzGCPParse(f *testing.F) {
	b, _ := nmstate.MarshalJSON(gcpTestDoc())
	f.Add(b)
	f.Add([]byte(`{"instance": {"id": 18446744073709551616, "zone": "z-"}}`))
	f.Add([]byte(`{"instance": {"networkInterfaces": [{"mac": "42010a000002", "ip": "10.0.0.2", "subnetmask": "24", "ipAliases": ["10.0.0.3"], "mtu": "9000"}]}}`))
	f.Add([]byte(`{"instance": {"networkInterfaces": [{"mac": "42:01:0a:00:00:02", "dhcpv6Refresh": "1", "externalIpv6": "2600::1"}]}, "project": {"projectId": ""}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		m, err := gcpProvider().Parse(doc)
		checkParse(t, m, err, true, nmstate.MarshalJSON)
	})
}
