package apply

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/netplumb/netplumb/apply/applytest"
	"github.com/netplumb/netplumb/nmstate"
	"github.com/vishvananda/netns"
)

// readSetup makes, in a new namespace, a veth pair with one end in a
// bridge with STP, a mac-vlan and a vxlan, static and dynamic IPv4 and
// IPv6 addresses, routes of every protocol and type Read keeps (and some
// it leaves out) in several tables, and rules of both families. Links do
// not make their own IPv6 link-local addresses (addrgenmode none), which
// the kernel would add when it sees carrier, at a moment of its choosing.
const readSetup = `link add br0 address 02:00:00:00:00:03 type bridge stp_state 1
link set br0 addrgenmode none
link add veth0 address 02:00:00:00:00:01 type veth peer name veth1 address 02:00:00:00:00:02
link set veth0 addrgenmode none
link set veth1 addrgenmode none
link set veth0 master br0
link set veth1 mtu 1400
link add mv0 link veth1 address 02:00:00:00:00:04 type macvlan mode bridge
link set mv0 addrgenmode none
link add vx0 address 02:00:00:00:00:05 type vxlan id 42 local 10.0.0.1 remote 10.0.0.2 dstport 4789 dev br0
link set vx0 addrgenmode none
link set br0 up
link set veth0 up
link set veth1 up
link set mv0 up
address add 10.0.0.1/24 dev br0
address add 10.0.0.2/24 dev br0
address add 10.9.0.1/24 dev br0 valid_lft 300 preferred_lft 300
address add 2001:db8:1::1/64 dev br0
address add 2001:db8:1::2/64 dev br0 valid_lft 600 preferred_lft 300
address add fe80::1/64 dev br0
address add 10.2.0.1/24 dev veth1
address add 2001:db8:2::1/64 dev veth1 nodad
route add 192.0.2.0/24 via 10.0.0.254 dev br0 metric 50
route add 198.51.100.0/24 via 10.0.0.254 metric 10 table 100 proto static
route add default via 10.0.0.253 table 100 proto dhcp metric 100
route add 198.51.100.128/25 dev veth1 table 100
route add 192.0.2.128/25 table 100 nexthop via 10.0.0.10 dev br0 nexthop via 10.2.0.10 dev veth1
route add blackhole 203.0.113.0/25 table 1000
route add unreachable 203.0.113.128/26 table 1000 metric 7
route add prohibit 203.0.113.192/26 table 1000
route add 203.0.114.0/24 dev veth1 proto 99
route add local 10.5.0.1 dev veth1 table 1000
route add 2001:db8:3::/64 via 2001:db8:1::fe dev br0 metric 100 table 200
route add 2001:db8:4::/64 via 2001:db8:1::fe dev br0 proto ra
route add blackhole 2001:db8:dead::/48
rule add from 10.0.0.0/24 table 100 pref 100
rule add to 192.0.2.0/24 fwmark 0x10/0xff iif veth0 table 1000 pref 200
rule add blackhole pref 300
`

func TestReadNamespace(t *testing.T) {
	t.Parallel()
	h, ns := applytest.NewNS(t)
	for _, kind := range []string{"veth", "bridge", "macvlan", "vxlan"} {
		applytest.RequireKind(t, ns, kind)
	}
	applytest.Batch(t, ns, readSetup)
	applytest.Run(t, ns, "ip", "-6", "rule", "add", "from", "2001:db8:1::/64", "table", "200", "pref", "150")
	resolv := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(resolv, []byte("nameserver 192.0.2.53\nsearch example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	k := &NetlinkKernel{Handle: h, NS: ns, ResolvConf: resolv, Hostname: func() (string, error) { return "node1", nil }}
	got, err := k.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	p := netip.MustParsePrefix
	a := netip.MustParseAddr
	none := IPState{}
	want := &State{
		Hostname: "node1",
		DNS:      DNS{Servers: []netip.Addr{a("192.0.2.53")}, Search: []string{"example.com"}},
		Interfaces: []*Interface{
			{
				Name: "br0", Type: TypeBridge, Up: true, MAC: "02:00:00:00:00:03", MTU: 1500,
				// IPv4 lists primaries first, then secondaries
				// (10.0.0.2 is one of 10.0.0.1).
				IPv4: IPState{Enabled: true, Addresses: []Address{{Prefix: p("10.0.0.1/24")}, {Prefix: p("10.9.0.1/24"), Dynamic: true}, {Prefix: p("10.0.0.2/24"), Secondary: true}}},
				// The kernel lists IPv6 addresses by scope, the newest
				// first within one.
				IPv6:   IPState{Enabled: true, Addresses: []Address{{Prefix: p("2001:db8:1::2/64"), Dynamic: true}, {Prefix: p("2001:db8:1::1/64")}, {Prefix: p("fe80::1/64")}}},
				Bridge: &BridgeState{STP: true, Ports: []string{"veth0"}},
			},
			{Name: "lo", Type: TypeLoopback, MAC: "00:00:00:00:00:00", MTU: 65536, IPv4: none, IPv6: none},
			{
				Name: "mv0", Type: TypeMacVlan, Up: true, MAC: "02:00:00:00:00:04", MTU: 1400,
				MacVlan: &MacVlanState{Base: "veth1", Mode: "bridge"},
			},
			{
				Name: "veth0", Type: TypeVeth, Up: true, MAC: "02:00:00:00:00:01", MTU: 1500, Controller: "br0",
				Veth: &VethState{Peer: "veth1"},
			},
			{
				Name: "veth1", Type: TypeVeth, Up: true, MAC: "02:00:00:00:00:02", MTU: 1400,
				IPv4: IPState{Enabled: true, Addresses: []Address{{Prefix: p("10.2.0.1/24")}}},
				IPv6: IPState{Enabled: true, Addresses: []Address{{Prefix: p("2001:db8:2::1/64")}}},
				Veth: &VethState{Peer: "veth0"},
			},
			{
				Name: "vx0", Type: TypeVXLAN, MAC: "02:00:00:00:00:05", MTU: 1450,
				VXLAN: &VXLANState{ID: 42, Local: a("10.0.0.1"), Remote: a("10.0.0.2"), Port: 4789, Base: "br0"},
			},
		},
		Routes: []Route{
			{Destination: p("192.0.2.0/24"), Gateway: a("10.0.0.254"), Interface: "br0", Metric: 50, Table: 254, Protocol: "boot", Type: "unicast"},
			{Destination: p("0.0.0.0/0"), Gateway: a("10.0.0.253"), Interface: "br0", Metric: 100, Table: 100, Protocol: "dhcp", Type: "unicast"},
			{Destination: p("192.0.2.128/25"), Gateway: a("10.0.0.10"), Interface: "br0", Table: 100, Protocol: "boot", Type: "unicast", Multipath: true},
			{Destination: p("192.0.2.128/25"), Gateway: a("10.2.0.10"), Interface: "veth1", Table: 100, Protocol: "boot", Type: "unicast", Multipath: true},
			{Destination: p("198.51.100.0/24"), Gateway: a("10.0.0.254"), Interface: "br0", Metric: 10, Table: 100, Protocol: "static", Type: "unicast"},
			{Destination: p("198.51.100.128/25"), Interface: "veth1", Table: 100, Protocol: "boot", Type: "unicast", LinkScope: true},
			{Destination: p("203.0.113.0/25"), Table: 1000, Protocol: "boot", Type: "blackhole"},
			{Destination: p("203.0.113.128/26"), Metric: 7, Table: 1000, Protocol: "boot", Type: "unreachable"},
			{Destination: p("203.0.113.192/26"), Table: 1000, Protocol: "boot", Type: "prohibit"},
			{Destination: p("2001:db8:3::/64"), Gateway: a("2001:db8:1::fe"), Interface: "br0", Metric: 100, Table: 200, Protocol: "boot", Type: "unicast"},
			{Destination: p("2001:db8:4::/64"), Gateway: a("2001:db8:1::fe"), Interface: "br0", Metric: 1024, Table: 254, Protocol: "ra", Type: "unicast"},
			{Destination: p("2001:db8:dead::/48"), Metric: 1024, Table: 254, Protocol: "boot", Type: "blackhole"},
		},
		Rules: []Rule{
			{Family: 4, Priority: 0, Table: 255, Default: true},
			{Family: 4, Priority: 100, Table: 100, From: p("10.0.0.0/24")},
			{Family: 4, Priority: 200, Table: 1000, To: p("192.0.2.0/24"), Fwmark: 0x10, Fwmask: 0xff, Iif: "veth0"},
			{Family: 4, Priority: 300, Action: "blackhole"},
			{Family: 4, Priority: 32766, Table: 254, Default: true},
			{Family: 4, Priority: 32767, Table: 253, Default: true},
			{Family: 6, Priority: 0, Table: 255, Default: true},
			{Family: 6, Priority: 150, Table: 200, From: p("2001:db8:1::/64")},
			{Family: 6, Priority: 32766, Table: 254, Default: true},
		},
	}

	// Links the kernel adds to every namespace when their modules are
	// loaded (tunl0, sit0, ip6tnl0…) are not this test's.
	got.Interfaces = slices.DeleteFunc(got.Interfaces, func(i *Interface) bool {
		return i.Type == TypeUnknown && !slices.ContainsFunc(want.Interfaces, func(w *Interface) bool { return w.Name == i.Name })
	})
	for _, i := range got.Interfaces {
		if i.Index <= 0 {
			t.Errorf("%s: index %d", i.Name, i.Index)
		}
		if b := i.Bridge; b != nil {
			for _, c := range []string{"gc-timer", "hello-timer"} {
				if _, ok := b.Counters[c]; !ok {
					t.Errorf("%s: no %s counter in %v", i.Name, c, b.Counters)
				}
			}
		}
	}
	// Routes: compare as sets, the kernel's order being its own.
	routeLess := func(a, b Route) bool {
		return a.Destination.String()+a.Gateway.String() < b.Destination.String()+b.Gateway.String()
	}
	opts := cmp.Options{
		netipComparers,
		cmpopts.IgnoreFields(Interface{}, "Index"),
		cmpopts.IgnoreFields(Address{}, "Broadcast", "Flags"),
		cmpopts.IgnoreFields(BridgeState{}, "Counters"),
		cmpopts.SortSlices(routeLess),
		cmpopts.EquateEmpty(),
	}
	if d := cmp.Diff(want, got, opts); d != "" {
		t.Errorf("Read (-want +got):\n%s", d)
	}
	if _, err := nmstate.MarshalYAML(Show(got)); err != nil {
		t.Errorf("MarshalYAML(Show(Read())): %v", err)
	}
	if t.Failed() {
		t.Logf("ip route:\n%s", applytest.Run(t, ns, "ip", "route", "show", "table", "all"))
	}
}

// TestReadVethPeerElsewhere checks that a veth whose peer is in another
// namespace has no peer name, rather than the name of whatever link has
// the peer's index here.
func TestReadVethPeerElsewhere(t *testing.T) {
	t.Parallel()
	h, ns := applytest.NewNS(t)
	_, other := applytest.NewNS(t)
	applytest.Run(t, ns, "ip", "link", "add", "out0", "type", "veth", "peer", "name", "in0")
	in0, err := h.LinkByName("in0")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.LinkSetNsFd(in0, int(other)); err != nil {
		t.Fatal(err)
	}
	got, err := (&NetlinkKernel{Handle: h, NS: ns}).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i := got.Lookup("out0")
	if i == nil || i.Veth == nil || i.Veth.Peer != "" {
		t.Fatalf("out0 = %+v, want a veth with no peer name", i)
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	h, ns := applytest.NewNS(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		k    *NetlinkKernel
		ctx  func() context.Context
		want string
	}{
		{
			name: "hostname",
			k:    &NetlinkKernel{Handle: h, NS: ns, Hostname: func() (string, error) { return "", errors.New("no name") }},
			want: "hostname: no name",
		},
		{
			name: "resolv.conf",
			k:    &NetlinkKernel{Handle: h, NS: ns, ResolvConf: dir},
			want: "read " + dir + ": is a directory",
		},
		{
			name: "cancelled",
			k:    &NetlinkKernel{Handle: h, NS: ns},
			ctx: func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			},
			want: "links: context canceled",
		},
		{
			name: "no namespace",
			k:    &NetlinkKernel{Handle: h, NS: netns.NsHandle(0)},
			want: "netlink socket in the namespace: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx()
			}
			_, err := tt.k.Read(ctx)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || !strings.HasSuffix(tt.want, " ") && err.Error() != tt.want {
				t.Errorf("Read error %v, want %q", err, tt.want)
			}
		})
	}
}

// BenchmarkRead measures `show` on a namespace with 2,000 links (1,000
// veth pairs, each with an address) and 100,000 routes in eleven tables:
// Read, then Show and MarshalYAML of what it read, then the three, with
// `ip -j addr show` plus `ip -j route show table all` on the same
// namespace as the yardstick. The target for the whole is under 1 s.
func BenchmarkRead(b *testing.B) {
	h, ns := applytest.NewNS(b)
	const pairs, routes = 1000, 100_000
	var cmds strings.Builder
	for i := range pairs {
		fmt.Fprintf(&cmds, "link add a%04d type veth peer name b%04d\nlink set a%04d up\nlink set b%04d up\n", i, i, i, i)
		fmt.Fprintf(&cmds, "address add 172.%d.%d.1/24 dev a%04d\n", 16+i/256, i%256, i)
	}
	applytest.Batch(b, ns, cmds.String())
	cmds.Reset()
	for i := range routes {
		table := 254
		if i%2 == 1 {
			table = 100 + i%10
		}
		link := i % pairs
		dst := fmt.Sprintf("%d.%d.%d.0/24", 10+i>>16, i>>8&255, i&255)
		if i%4 == 0 {
			fmt.Fprintf(&cmds, "route add %s via 172.%d.%d.2 dev a%04d metric %d table %d\n", dst, 16+link/256, link%256, link, i%50, table)
		} else {
			fmt.Fprintf(&cmds, "route add %s dev a%04d metric %d table %d\n", dst, link, i%50, table)
		}
	}
	applytest.Batch(b, ns, cmds.String())
	k := &NetlinkKernel{Handle: h, NS: ns}
	ctx := context.Background()
	st, err := k.Read(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if got := len(st.Interfaces); got < 2*pairs+1 {
		b.Fatalf("%d links read, want %d", got, 2*pairs+1)
	}
	if got := len(st.Routes); got != routes {
		b.Fatalf("%d routes read, want %d", got, routes)
	}

	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			if _, err := k.Read(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("show+yaml", func(b *testing.B) {
		for b.Loop() {
			if _, err := nmstate.MarshalYAML(Show(st)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("show-total", func(b *testing.B) {
		for b.Loop() {
			st, err := k.Read(ctx)
			if err != nil {
				b.Fatal(err)
			}
			out, err := nmstate.MarshalYAML(Show(st))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(out)))
		}
	})
	b.Run("ip-json", func(b *testing.B) {
		for b.Loop() {
			applytest.Run(b, ns, "ip", "-j", "addr", "show")
			applytest.Run(b, ns, "ip", "-j", "route", "show", "table", "all")
		}
	})
}
