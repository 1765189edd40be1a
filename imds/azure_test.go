package imds

import (
	"context"
	"errors"
	"fmt"
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

func azureTestNIC(mac string, v4 []string, prefix any) map[string]any {
	addrs := []any{}
	for i, a := range v4 {
		pub := ""
		if i == 0 {
			pub = "20.0.0.1"
		}
		addrs = append(addrs, map[string]any{"privateIpAddress": a, "publicIpAddress": pub})
	}
	return map[string]any{
		"macAddress": mac,
		"ipv4": map[string]any{"ipAddress": addrs,
			"subnet": []any{map[string]any{"address": "10.0.0.0", "prefix": prefix}}},
		"ipv6": map[string]any{"ipAddress": []any{}},
	}
}

func azureTestDoc() map[string]any {
	nic2 := azureTestNIC("000D3A0000B2", []string{"10.0.0.9"}, "24")
	nic2["ipv6"] = map[string]any{
		"ipAddress": []any{map[string]any{"privateIpAddress": "fd00::9"}, map[string]any{"privateIpAddress": "fd00::a"}},
		"subnet":    []any{map[string]any{"address": "fd00::", "prefix": "64"}},
	}
	return map[string]any{
		"compute": map[string]any{
			"vmId": "0c3b6fb2-2e3f-4d9f-8a1b-7f5e5c1d2a33", "name": "vm-name", "location": "eastus2",
			"zone": "", "vmSize": "Standard_B2s", "subscriptionId": "sub-1",
			"osProfile": map[string]any{"computerName": "web-1"},
			"storageProfile": map[string]any{"imageReference": map[string]any{
				"id": "", "publisher": "Canonical", "offer": "ubuntu", "sku": "22_04", "version": "latest"}},
		},
		"network": map[string]any{"interface": []any{
			azureTestNIC("000D3A0000B1", []string{"10.0.0.4", "10.0.0.5"}, "24"),
			nic2,
			map[string]any{"macAddress": "000D3A0000B3", "ipv4": map[string]any{"ipAddress": []any{}}},
		}},
	}
}

func TestAzureParse(t *testing.T) {
	t.Parallel()
	b, _ := nmstate.MarshalJSON(azureTestDoc())
	m, err := azureProvider().Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Links) != 2 {
		t.Fatalf("%d links, want 2: the NIC without addresses is left out", len(m.Links))
	}
	want := []*Link{
		{Kind: Ethernet, MAC: "00:0d:3a:00:00:b1", Index: 0, Primary: true, AutoRouteMetric: 100,
			IPv4:        Family{DHCP: true, Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.0.5/24")}},
			PrivateIPv4: []netip.Addr{netip.MustParseAddr("10.0.0.4"), netip.MustParseAddr("10.0.0.5")},
			PublicIPv4:  []netip.Addr{netip.MustParseAddr("20.0.0.1")},
			SubnetIPv4:  netip.MustParsePrefix("10.0.0.0/24"), GatewayIPv4: netip.MustParseAddr("10.0.0.1")},
		{Kind: Ethernet, MAC: "00:0d:3a:00:00:b2", Index: 1, AutoRouteMetric: 200,
			IPv4:        Family{DHCP: true},
			IPv6:        Family{DHCP: true, Autoconf: true, Addresses: []netip.Prefix{netip.MustParsePrefix("fd00::a/64")}},
			PrivateIPv4: []netip.Addr{netip.MustParseAddr("10.0.0.9")},
			PublicIPv4:  []netip.Addr{netip.MustParseAddr("20.0.0.1")},
			AllIPv6:     []netip.Addr{netip.MustParseAddr("fd00::9"), netip.MustParseAddr("fd00::a")},
			SubnetIPv4:  netip.MustParsePrefix("10.0.0.0/24"), GatewayIPv4: netip.MustParseAddr("10.0.0.1")},
	}
	if diff := cmp.Diff(want, m.Links, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	facts := [][2]string{{m.InstanceID, "0c3b6fb2-2e3f-4d9f-8a1b-7f5e5c1d2a33"}, {m.Hostname, "web-1"},
		{m.Region, "eastus2"}, {m.Zone, ""}, {m.Size, "Standard_B2s"}, {m.Account, "sub-1"},
		{m.Image, "Canonical:ubuntu:22_04:latest"}}
	for _, f := range facts {
		if f[0] != f[1] {
			t.Errorf("fact %q, want %q", f[0], f[1])
		}
	}
}

func TestAzureParseDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		set   map[string]any
		check func(*Metadata) string
	}{
		{"no subnet: secondaries are host addresses", map[string]any{"network.interface.0.ipv4.subnet": []any{}},
			func(m *Metadata) string {
				return m.Links[0].IPv4.Addresses[0].String() + " " + m.Links[0].GatewayIPv4.String()
			}},
		{"numeric prefix", map[string]any{"network.interface.0.ipv4.subnet.0.prefix": 25},
			func(m *Metadata) string { return m.Links[0].IPv4.Addresses[0].String() }},
		{"prefix without address", map[string]any{"network.interface.0.ipv4.subnet.0.address": deleteKey},
			func(m *Metadata) string {
				return m.Links[0].IPv4.Addresses[0].String() + " " + m.Links[0].SubnetIPv4.String()
			}},
		{"host name from the VM name", map[string]any{"compute.osProfile": deleteKey},
			func(m *Metadata) string { return m.Hostname }},
		{"custom image", map[string]any{"compute.storageProfile.imageReference.id": "/subscriptions/s/images/i"},
			func(m *Metadata) string { return m.Image }},
		{"no image", map[string]any{"compute.storageProfile": deleteKey},
			func(m *Metadata) string { return m.Image }},
		{"single NIC: no route metric", map[string]any{"network.interface": []any{azureTestNIC("000D3A0000B1", []string{"10.0.0.4"}, "24")}},
			func(m *Metadata) string { return strconv.Itoa(m.Links[0].AutoRouteMetric) }},
		{"first NIC without addresses", map[string]any{"network.interface.0.ipv4.ipAddress": []any{}},
			func(m *Metadata) string {
				return fmt.Sprintf("%d %s %v %d", len(m.Links), m.Links[0].MAC, m.Links[0].Primary, m.Links[0].Index)
			}},
	}
	want := []string{"10.0.0.5/32 invalid IP", "10.0.0.5/25", "10.0.0.5/24 invalid Prefix", "vm-name",
		"/subscriptions/s/images/i", "", "0", "1 00:0d:3a:00:00:b2 true 1"}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := mutated(t, azureTestDoc(), tt.set)
			m, err := azureProvider().Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.check(m); got != want[i] {
				t.Errorf("got %q, want %q", got, want[i])
			}
		})
	}
}

func TestAzureParseErrors(t *testing.T) {
	t.Parallel()
	nic := "network.interface.0."
	checkParseErrors(t, azureProvider(), azureTestDoc, false, []parseErrorCase{
		{"compute not a map", map[string]any{"compute": "x"}, `compute: a string ("x") is not a map`},
		{"interfaces not a list", map[string]any{"network.interface": map[string]any{}},
			"network.interface: a map is not a list"},
		{"interface not a map", map[string]any{"network.interface.1": 5}, "network.interface[1]: a number is not a map"},
		{"no MAC", map[string]any{nic + "macAddress": deleteKey}, "network.interface[0].macAddress: missing"},
		{"bad MAC", map[string]any{nic + "macAddress": "000D3A04759"},
			`network.interface[0].macAddress: "000D3A04759" is not a MAC address`},
		{"MAC twice", map[string]any{"network.interface.1.macAddress": "00:0d:3a:00:00:b1"},
			"network.interface[1].macAddress: 00:0d:3a:00:00:b1 is also the MAC of network.interface[0]"},
		{"bad IPv4", map[string]any{nic + "ipv4.ipAddress.1.privateIpAddress": "10.0.0.300"},
			`network.interface[0].ipv4.ipAddress[1].privateIpAddress: "10.0.0.300" is not an IP address`},
		{"IPv6 among IPv4", map[string]any{nic + "ipv4.ipAddress.1.privateIpAddress": "fd00::1"},
			`network.interface[0].ipv4.ipAddress[1].privateIpAddress: "fd00::1" is not an IPv4 address`},
		{"IPv4 among IPv6", map[string]any{"network.interface.1.ipv6.ipAddress.1.privateIpAddress": "10.0.0.7"},
			`network.interface[1].ipv6.ipAddress[1].privateIpAddress: "10.0.0.7" is not an IPv6 address`},
		{"no private address", map[string]any{nic + "ipv4.ipAddress.1.privateIpAddress": ""},
			"network.interface[0].ipv4.ipAddress[1].privateIpAddress: missing"},
		{"address not a string", map[string]any{nic + "ipv4.ipAddress.0.privateIpAddress": 167772164},
			"network.interface[0].ipv4.ipAddress[0].privateIpAddress: a number is not a string"},
		{"bad public address", map[string]any{nic + "ipv4.ipAddress.0.publicIpAddress": "20.0.0.1\nx"},
			`network.interface[0].ipv4.ipAddress[0].publicIpAddress: "20.0.0.1\nx" holds a control character`},
		{"prefix too long", map[string]any{nic + "ipv4.subnet.0.prefix": "33"},
			"network.interface[0].ipv4.subnet[0].prefix: prefix length 33 is out of range for 0.0.0.0"},
		{"prefix not a number", map[string]any{nic + "ipv4.subnet.0.prefix": "twenty"},
			`network.interface[0].ipv4.subnet[0].prefix: "twenty" is not a netmask for 0.0.0.0`},
		{"prefix a boolean", map[string]any{nic + "ipv4.subnet.0.prefix": true},
			"network.interface[0].ipv4.subnet[0].prefix: a boolean is not a string"},
		{"address outside the subnet", map[string]any{nic + "ipv4.subnet.0.address": "10.9.0.0"},
			"network.interface[0].ipv4.subnet[0]: 10.0.0.4 is not in the subnet 10.9.0.0/24"},
		{"host name with a slash", map[string]any{"compute.osProfile.computerName": "evil/host"},
			`compute.osProfile.computerName: host name "evil/host" holds "/"`},
		{"VM name with a newline", map[string]any{"compute.osProfile": deleteKey, "compute.name": "a\nb"},
			`compute.name: "a\nb" holds a control character`},
		{"vmSize not a string", map[string]any{"compute.vmSize": []any{}}, "compute.vmSize: a list is not a string"},
		{"image not a map", map[string]any{"compute.storageProfile.imageReference": "x"},
			`compute.storageProfile.imageReference: a string ("x") is not a map`},
		{"huge value", map[string]any{"compute.location": strings.Repeat("a", 2000)},
			`compute.location: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"... is longer than 1024 bytes`},
	})
	for _, doc := range []string{"[]", "5", "", "network: {"} {
		if _, err := azureProvider().Parse([]byte(doc)); err == nil {
			t.Errorf("Parse(%q) succeeded", doc)
		}
	}
}

func TestAzureFake(t *testing.T) {
	t.Parallel()
	srv := imdstest.New(t, imdstest.NewAzure(azureTestDoc()))
	md := http.Header{"Metadata": {"true"}}
	tests := []struct {
		method, path string
		header       http.Header
		code         int
		body         string
	}{
		{"GET", "/metadata/instance?api-version=2021-02-01", nil, 400, `"error":"Bad request. Required metadata header not specified"`},
		{"GET", "/metadata/instance", md, 400, `"newest-versions":["2023-07-01","2023-11-15","2024-03-15"]`},
		{"GET", "/metadata/instance?api-version=2099-01-01", md, 400, "api-version is invalid"},
		{"POST", "/metadata/instance?api-version=2021-02-01", md, 405, ""},
		{"GET", "/metadata/instance/compute/vmSize?api-version=2021-02-01&format=text", md, 200, "Standard_B2s"},
		{"GET", "/metadata/instance/network/interface/1/ipv6/ipAddress/0/privateIpAddress?api-version=2021-02-01&format=text", md, 200, "fd00::9"},
		{"GET", "/metadata/instance/compute?api-version=2021-02-01&format=text", md, 400, "leaf"},
		{"GET", "/metadata/instance/network/interface/7?api-version=2021-02-01", md, 404, ""},
		{"GET", "/metadata/instance/network/interface/01?api-version=2021-02-01", md, 404, ""},
		{"GET", "/metadata/identity?api-version=2021-02-01", md, 404, ""},
		{"GET", "/metadata/versions", md, 200, `"apiVersions":["2017-03-01"`},
	}
	for _, tt := range tests {
		code, body, _ := fakeGet(t, srv, tt.method, tt.path, tt.header)
		if code != tt.code || !strings.Contains(body, tt.body) {
			t.Errorf("%s %s: %d %q, want %d with %q", tt.method, tt.path, code, body, tt.code, tt.body)
		}
	}
}

func TestAzureFetchFaults(t *testing.T) {
	t.Parallel()
	fetchRetries(t, azureProvider(), func() http.Handler { return imdstest.NewAzure(azureTestDoc()) }, 1)
}

// TestAzureFetchWhileStarting: IMDS answers 404 while it starts and 410
// while it is updated; both are retried.
func TestAzureFetchWhileStarting(t *testing.T) {
	t.Parallel()
	for _, code := range []int{404, 410} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			t.Parallel()
			fake := imdstest.NewAzure(azureTestDoc())
			fake.Unavailable(3, code)
			srv := imdstest.New(t, fake)
			saved, err := azureProvider().Fetch(context.Background(), Source{Client: quickClient(t, azureProvider(), srv)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := azureProvider().Parse(saved); err != nil {
				t.Fatal(err)
			}
			if srv.Requests() != 4 {
				t.Errorf("%d requests, want 4", srv.Requests())
			}
		})
	}
	t.Run("410 until the deadline", func(t *testing.T) {
		t.Parallel()
		fake := imdstest.NewAzure(azureTestDoc())
		fake.Unavailable(1<<30, 410)
		srv := imdstest.New(t, fake)
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := azureProvider().Fetch(ctx, Source{Client: quickClient(t, azureProvider(), srv)})
		var se *StatusError
		if !errors.As(err, &se) || se.Code != 410 {
			t.Fatalf("error = %v", err)
		}
		if el := time.Since(start); el > 700*time.Millisecond {
			t.Errorf("gave up after %v", el)
		}
	})
}

func TestAzureFetchRefusesDesignErrors(t *testing.T) {
	t.Parallel()
	srv := imdstest.New(t, imdstest.NewAzure(azureTestDoc()))
	c := quickClient(t, azureProvider(), srv)
	c.Header.Del("Metadata") // as a client that forgot it
	_, err := azureProvider().Fetch(context.Background(), Source{Client: c})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 400 || srv.Requests() != 1 {
		t.Fatalf("error = %v after %d requests, want one 400", err, srv.Requests())
	}
}

func TestAzureFetchRefusesNonJSON(t *testing.T) {
	t.Parallel()
	srv := imdstest.New(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "compute: {}\n")
	}))
	_, err := azureProvider().Fetch(context.Background(), Source{Client: quickClient(t, azureProvider(), srv)})
	want := "GET " + srv.URL + "/metadata/instance?api-version=2021-02-01: the answer is not a JSON object"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant %s", err, want)
	}
}

func TestAzureProbe(t *testing.T) {
	t.Parallel()
	p := azureProvider()
	srv := imdstest.New(t, imdstest.NewAzure(azureTestDoc()))
	if !p.Probe(context.Background(), quickClient(t, p, srv)) {
		t.Error("the Azure fake is not recognised")
	}
	// Another provider's service answers 404: the probe must not retry it
	// as a starting IMDS would be.
	other := imdstest.New(t, imdstest.NewAWS(awsTestDoc(), false))
	start := time.Now()
	if p.Probe(context.Background(), quickClient(t, p, other)) {
		t.Error("the AWS fake is taken for Azure")
	}
	if other.Requests() != 1 || time.Since(start) > time.Second {
		t.Errorf("%d requests in %v, want one", other.Requests(), time.Since(start))
	}
}

func FuzzAzureParse(f *testing.F) {
	b, _ := nmstate.MarshalJSON(azureTestDoc())
	f.Add(b)
	f.Add([]byte(`{"network": {"interface": [{"macAddress": "000D3A047598", "ipv4": {"ipAddress": [{"privateIpAddress": "10.0.0.4"}, {"privateIpAddress": "10.0.0.5"}], "subnet": [{"prefix": 24}]}}]}}`))
	f.Add([]byte(`{"network": {"interface": [{"macAddress": "000D3A047598", "ipv6": {"ipAddress": [{"privateIpAddress": "fd00::1"}, {"privateIpAddress": "fd00::2"}], "subnet": [{"address": "fd00::", "prefix": "ffff:ffff::"}]}}]}}`))
	f.Add([]byte(`{"compute": {"osProfile": {"computerName": "a..b"}, "storageProfile": {"imageReference": {"publisher": "p"}}}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		m, err := azureProvider().Parse(doc)
		checkParse(t, m, err, true, nmstate.MarshalJSON)
	})
}

// TestAzureGCPOracleSupplementary: each provider's IPv4 gateway (Azure:
// subnet + 1; GCP: gateway; Oracle: virtualRouterIp) and every IPv4
// address (GCP's alias /32s included) make the supplementary table and
// rules.
func TestAzureGCPOracleSupplementary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dir, iface string
		table      int64
		gateway    string
		addrs      []string
		err        string
	}{
		{"azure/accelerated-dualstack", "eth0", 10002, "10.1.0.1", []string{"10.1.0.4", "10.1.0.5", "10.1.0.6"}, ""},
		{"gcp/dualstack-aliases", "ens4", 10001, "10.10.0.1", []string{"10.10.0.7", "10.10.0.50", "10.10.0.51"}, ""},
		{"oracle/ipv6-secondaries", "ens6", 10003, "10.0.1.1", []string{"10.0.1.37"}, ""},
		{"oracle/ipv6-secondaries", "ens5", 0, "", nil, "--supplementary ens5: the metadata gives no IPv4 gateway for it"},
	}
	for _, tt := range tests {
		t.Run(tt.dir+"/"+tt.iface, func(t *testing.T) {
			t.Parallel()
			c, err := imdstest.Load("testdata/" + tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			p, _ := Lookup(c.Provider)
			m, err := p.Parse(c.Saved)
			if err != nil {
				t.Fatal(err)
			}
			local, err := Sysfs{Root: c.Sysfs}.Links()
			if err != nil {
				t.Fatal(err)
			}
			doc, err := m.NMState(Options{Local: local, Supplementary: []string{tt.iface}})
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			routes := doc["routes"].(map[string]any)["config"].([]any)
			wantRoute := map[string]any{"destination": "0.0.0.0/0", "next-hop-interface": tt.iface,
				"next-hop-address": tt.gateway, "table-id": tt.table}
			if diff := cmp.Diff([]any{wantRoute}, routes); diff != "" {
				t.Errorf("routes (-want +got):\n%s", diff)
			}
			var wantRules []any
			prio := int64(RulePriority)
			for _, a := range tt.addrs {
				wantRules = append(wantRules,
					map[string]any{"ip-from": a + "/32", "route-table": tt.table, "priority": prio},
					map[string]any{"ip-to": a + "/32", "route-table": tt.table, "priority": prio + 1})
				prio += 2
			}
			if diff := cmp.Diff(wantRules, doc["route-rules"].(map[string]any)["config"]); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		})
	}
}
