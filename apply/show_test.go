package apply

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/netplumb/netplumb/internal/testenv"
	"github.com/netplumb/netplumb/nmstate"
)

// netipComparers let go-cmp compare net/netip values, whose fields are
// unexported.
var netipComparers = cmp.Options{
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
}

// fullState is a state with every kind of interface, address, route and
// rule that Show prints, written by hand.
func fullState() *State {
	p := netip.MustParsePrefix
	a := netip.MustParseAddr
	return &State{
		Hostname: "node1.example.com",
		DNS: DNS{
			Servers: []netip.Addr{a("192.0.2.53"), a("2001:db8::53")},
			Search:  []string{"example.com", "corp.example.com"},
		},
		Rules: []Rule{
			{Family: 4, Priority: 0, Table: 255, Default: true},
			{Family: 4, Priority: 100, Table: 100, From: p("10.0.0.0/24")},
			{Family: 4, Priority: 200, Table: 1000, To: p("192.0.2.0/24"), Fwmark: 0x10, Fwmask: 0xff, Iif: "eth0"},
			{Family: 4, Priority: 300, Action: "blackhole"},
			{Family: 4, Priority: 32766, Table: 254, Default: true},
			{Family: 4, Priority: 32767, Table: 253, Default: true},
			{Family: 6, Priority: 0, Table: 255, Default: true},
			{Family: 6, Priority: 150, Table: 200, From: p("2001:db8:1::/64")},
			{Family: 6, Priority: 32766, Table: 254, Default: true},
		},
		Routes: []Route{
			{Destination: p("0.0.0.0/0"), Gateway: a("10.0.0.254"), Interface: "br0", Metric: 100, Table: 254, Protocol: "dhcp", Type: "unicast"},
			{Destination: p("192.0.2.0/24"), Gateway: a("10.0.0.254"), Interface: "br0", Metric: 50, Table: 254, Protocol: "boot", Type: "unicast"},
			{Destination: p("198.51.100.0/24"), Interface: "eth0", Table: 100, Protocol: "static", Type: "unicast"},
			{Destination: p("203.0.113.0/24"), Table: 1000, Protocol: "boot", Type: "blackhole"},
			{Destination: p("::/0"), Gateway: a("fe80::1"), Interface: "eth0", Metric: 1024, Table: 254, Protocol: "ra", Type: "unicast"},
			{Destination: p("2001:db8:2::/64"), Interface: "eth0", Metric: 1024, Table: 200, Protocol: "boot", Type: "unicast"},
			{Destination: p("2001:db8:dead::/48"), Metric: 1024, Table: 254, Protocol: "boot", Type: "unreachable"},
		},
		// Not sorted: Show sorts.
		Interfaces: []*Interface{
			{
				Name: "lo", Index: 1, Type: TypeLoopback, Up: true, MAC: "00:00:00:00:00:00", MTU: 65536,
				IPv4: IPState{Enabled: true, Addresses: []Address{{Prefix: p("127.0.0.1/8")}}},
				IPv6: IPState{Enabled: true, Addresses: []Address{{Prefix: p("::1/128")}}},
			},
			{
				Name: "br0", Index: 4, Type: TypeBridge, Up: true, MAC: "02:00:00:00:00:03", MTU: 1500,
				IPv4:   IPState{Enabled: true, Addresses: []Address{{Prefix: p("10.0.0.1/24")}, {Prefix: p("10.0.0.2/24")}, {Prefix: p("10.9.0.1/24"), Dynamic: true}}},
				IPv6:   IPState{Enabled: true, Addresses: []Address{{Prefix: p("2001:db8:1::1/64")}, {Prefix: p("fe80::1/64")}}},
				Bridge: &BridgeState{STP: true, Ports: []string{"veth0"}, Counters: map[string]int64{"hello-timer": 12, "gc-timer": 3456}},
			},
			{
				Name: "eth0", Index: 2, Type: TypeEthernet, Up: true, MAC: "52:54:00:12:34:56", MTU: 9000,
				IPv6: IPState{Enabled: true, Addresses: []Address{{Prefix: p("2001:db8:3::5/64"), Dynamic: true}, {Prefix: p("fe80::5054:ff:fe12:3456/64")}}},
			},
			{
				Name: "veth0", Index: 5, Type: TypeVeth, Up: true, MAC: "02:00:00:00:00:01", MTU: 1500, Controller: "br0",
				Veth: &VethState{Peer: "veth1"},
			},
			{
				Name: "veth1", Index: 6, Type: TypeVeth, MAC: "02:00:00:00:00:02", MTU: 1500,
				Veth: &VethState{Peer: "veth0"},
			},
			{
				Name: "veth9", Index: 7, Type: TypeVeth, MAC: "02:00:00:00:00:09", MTU: 1500,
				Veth: &VethState{}, // peer in another namespace
			},
			{
				Name: "mv0", Index: 8, Type: TypeMacVlan, Up: true, MAC: "02:00:00:00:00:04", MTU: 1500,
				MacVlan: &MacVlanState{Base: "eth0", Mode: "bridge"},
			},
			{
				Name: "vx0", Index: 9, Type: TypeVXLAN, Up: true, MAC: "02:00:00:00:00:05", MTU: 1450,
				VXLAN: &VXLANState{ID: 42, Remote: a("10.0.0.2"), Local: a("10.0.0.1"), Port: 4789, Base: "br0"},
			},
			{
				Name: "bond0", Index: 10, Type: TypeBond, Up: true, MAC: "02:00:00:00:00:06", MTU: 1500,
				IPv4: IPState{Enabled: true, Addresses: []Address{{Prefix: p("10.1.0.1/24")}}},
				Bond: &BondState{Mode: "802.3ad", Ports: []string{"eth1", "eth2"}, Options: map[string]string{"miimon": "100", "xmit_hash_policy": "layer3+4", "lacp_rate": "fast"}},
			},
			{
				Name: "eth1", Index: 11, Type: TypeEthernet, Up: true, MAC: "02:00:00:00:00:06", MTU: 1500, Controller: "bond0",
			},
			{
				Name: "eth2", Index: 12, Type: TypeEthernet, MAC: "02:00:00:00:00:06", MTU: 1500, Controller: "bond0",
			},
			{
				Name: "bond0.10", Index: 13, Type: TypeVLAN, Up: true, MAC: "02:00:00:00:00:06", MTU: 1500,
				VLAN: &VLANState{Base: "bond0", ID: 10},
			},
			{
				Name: "dummy0", Index: 14, Type: TypeDummy, MAC: "02:00:00:00:00:07", MTU: 1500,
			},
			{
				Name: "tunl0", Index: 15, Type: TypeUnknown, MAC: "00:00:00:00", MTU: 1480,
			},
		},
	}
}

func TestShowGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		st     *State
		format string
	}{
		{"full", fullState(), "yaml"},
		{"full", fullState(), "json"},
		{"empty", &State{}, "yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"."+tt.format, func(t *testing.T) {
			t.Parallel()
			marshal := nmstate.MarshalYAML
			if tt.format == "json" {
				marshal = nmstate.MarshalJSON
			}
			got, err := marshal(Show(tt.st))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "show-"+tt.name+"."+tt.format)
			if *testenv.Update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./apply -run TestShowGolden -update to write it)", err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("Show (-%s +got):\n%s", golden, d)
			}
		})
	}
}

// TestShowDecodes checks that what Show prints decodes as a document that
// matches it, so that it can be piped to nmpolicyctl and back.
func TestShowDecodes(t *testing.T) {
	t.Parallel()
	st := fullState()
	out, err := nmstate.MarshalYAML(Show(st))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := nmstate.Decode(out)
	if err != nil {
		t.Fatalf("Decode: %v\n%s", err, out)
	}
	m := doc.(map[string]any)
	ifaces := m["interfaces"].([]any)
	if len(ifaces) != len(st.Interfaces) {
		t.Errorf("%d interfaces decoded, want %d", len(ifaces), len(st.Interfaces))
	}
	routes := m["routes"].(map[string]any)
	if n := len(routes["running"].([]any)); n != len(st.Routes) {
		t.Errorf("%d running routes, want %d", n, len(st.Routes))
	}
	if n := len(routes["config"].([]any)); n != 5 {
		t.Errorf("%d config routes, want 5 (boot and static)", n)
	}
	if n := len(m["route-rules"].(map[string]any)["config"].([]any)); n != 4 {
		t.Errorf("%d rules, want the 4 that are not the kernel's", n)
	}
}

func TestShowDoesNotModify(t *testing.T) {
	t.Parallel()
	st := fullState()
	Show(st)
	if d := cmp.Diff(fullState(), st, netipComparers); d != "" {
		t.Errorf("Show changed the state (-before +after):\n%s", d)
	}
}
