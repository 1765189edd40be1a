package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/netplumb/netplumb/apply/applytest"
	"github.com/netplumb/netplumb/nmstate"
)

// counting wraps a Kernel: it counts the operations sent and can fail
// the one with a given number.
type counting struct {
	Kernel
	mu     sync.Mutex
	writes int
	failAt int // -1: never
}

func (c *counting) Apply(ctx context.Context, op Op) error {
	c.mu.Lock()
	n := c.writes
	c.writes++
	c.mu.Unlock()
	if n == c.failAt {
		return fmt.Errorf("%s: injected failure", op)
	}
	return c.Kernel.Apply(ctx, op)
}

// nsKernel is a kernel on a new namespace, with resolv.conf in a
// temporary directory.
func nsKernel(t *testing.T, kinds ...string) (*NetlinkKernel, netns.NsHandle) {
	t.Helper()
	h, ns := applytest.NewNS(t)
	for _, kind := range kinds {
		applytest.RequireKind(t, ns, kind)
	}
	return newNSKernel(t, h, ns), ns
}

func newNSKernel(t *testing.T, h *netlink.Handle, ns netns.NsHandle) *NetlinkKernel {
	return &NetlinkKernel{Handle: h, NS: ns, ResolvConf: filepath.Join(t.TempDir(), "resolv.conf")}
}

func transact(t *testing.T, k Kernel, doc string) []Op {
	t.Helper()
	ops, err := Transact(context.Background(), k, parseDesired(t, doc), TxOptions{Verify: true, Rollback: true})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return ops
}

// reapply checks that applying doc again plans nothing and sends nothing.
func reapply(t *testing.T, k Kernel, doc string) {
	t.Helper()
	c := &counting{Kernel: k, failAt: -1}
	ops := transact(t, c, doc)
	if len(ops) != 0 || c.writes != 0 {
		t.Errorf("re-apply: %d operations planned, %d sent: %v", len(ops), c.writes, ops)
	}
}

const nsBase = `
link add eth0 address 02:00:00:00:00:10 type veth peer name eth0-peer
link set eth0 up
link set eth0-peer up
address add 192.0.2.10/24 dev eth0
address add 2001:db8:1::10/64 dev eth0 nodad
route add default via 192.0.2.1 dev eth0 metric 100
route add 10.20.0.0/16 via 192.0.2.2 dev eth0 table 100 metric 5
rule add from 192.0.2.10 table 100 pref 1000
`

const nsDesired = `
interfaces:
- name: br0
  type: linux-bridge
  state: up
  mtu: 1400
  mac-address: 02:00:00:00:00:20
  bridge:
    options:
      stp:
        enabled: false
    port:
    - name: v0
  ipv4:
    enabled: true
    address:
    - ip: 10.0.0.1
      prefix-length: 24
    - ip: 10.0.0.2
      prefix-length: 24
  ipv6:
    enabled: true
    address:
    - ip: 2001:db8:2::1
      prefix-length: 64
- name: v0
  type: veth
  state: up
  mtu: 1400
  veth:
    peer: v1
- name: v1
  type: veth
  state: up
  mtu: 1400
  ipv4:
    address:
    - ip: 10.0.0.9
      prefix-length: 24
- name: mv0
  type: mac-vlan
  state: up
  mac-vlan:
    base-iface: eth0
    mode: bridge
  ipv4:
    address:
    - ip: 192.0.2.50
      prefix-length: 24
- name: vx0
  type: vxlan
  state: up
  mtu: 1350
  vxlan:
    id: 42
    remote: 192.0.2.99
    local: 192.0.2.10
    base-iface: eth0
    destination-port: 4789
- name: eth0
  mtu: 1450
  ipv4:
    address:
    - ip: 192.0.2.10
      prefix-length: 24
    - ip: 192.0.2.11
      prefix-length: 24
routes:
  config:
  - destination: 10.10.0.0/16
    next-hop-address: 10.0.0.254
    next-hop-interface: br0
    metric: 50
    table-id: 200
  - destination: 10.11.0.0/16
    next-hop-address: 10.0.0.254
    next-hop-interface: br0
    table-id: 201
  - destination: 2001:db8:9::/48
    next-hop-address: 2001:db8:2::fe
    next-hop-interface: br0
    metric: 300
  - destination: 10.20.0.0/16
    table-id: 0
    state: absent
route-rules:
  config:
  - ip-from: 10.0.0.0/24
    route-table: 200
  - ip-to: 10.11.0.0/16
    priority: 500
    route-table: 201
  - ip-from: 2001:db8:2::/64
    route-table: 200
  - ip-from: 192.0.2.10/32
    state: absent
dns-resolver:
  config:
    server:
    - 192.0.2.53
    search:
    - example.net
`

// TestApplyNamespace creates, re-applies, modifies and removes veth,
// linux-bridge, mac-vlan and vxlan links with addresses, routes in
// several tables and rules, in a namespace of its own.
func TestApplyNamespace(t *testing.T) {
	t.Parallel()
	k, ns := nsKernel(t, "veth", "bridge", "macvlan", "vxlan")
	applytest.Batch(t, ns, nsBase)

	ops := transact(t, k, nsDesired)
	if len(ops) < 20 {
		t.Errorf("plan of %d operations, want a score or more: %v", len(ops), ops)
	}
	st, err := k.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ what, got, want string }{
		{"br0 mtu", fmt.Sprint(st.Lookup("br0").MTU), "1400"},
		{"br0 mac", st.Lookup("br0").MAC, "02:00:00:00:00:20"},
		{"v0 controller", st.Lookup("v0").Controller, "br0"},
		{"vx0 id", fmt.Sprint(st.Lookup("vx0").VXLAN.ID), "42"},
		{"mv0 base", st.Lookup("mv0").MacVlan.Base, "eth0"},
		{"eth0 mtu", fmt.Sprint(st.Lookup("eth0").MTU), "1450"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.what, c.got, c.want)
		}
	}
	routes := applytest.Run(t, ns, "ip", "route", "show", "table", "all")
	for _, want := range []string{"10.10.0.0/16 via 10.0.0.254 dev br0 table 200 proto static metric 50",
		"10.11.0.0/16 via 10.0.0.254 dev br0 table 201 proto static",
		"2001:db8:9::/48 via 2001:db8:2::fe dev br0 proto static metric 300",
		"default via 192.0.2.1 dev eth0 metric 100"} {
		if !strings.Contains(routes, want) {
			t.Errorf("no route %q in\n%s", want, routes)
		}
	}
	if strings.Contains(routes, "10.20.0.0/16") {
		t.Errorf("absent route 10.20.0.0/16 stayed:\n%s", routes)
	}
	rules := applytest.Run(t, ns, "ip", "rule") + applytest.Run(t, ns, "ip", "-6", "rule")
	for _, want := range []string{"30000:\tfrom 10.0.0.0/24 lookup 200", "500:\tfrom all to 10.11.0.0/16 lookup 201", "30001:\tfrom 2001:db8:2::/64 lookup 200"} {
		if !strings.Contains(rules, want) {
			t.Errorf("no rule %q in\n%s", want, rules)
		}
	}
	if strings.Contains(rules, "192.0.2.10") {
		t.Errorf("absent rule stayed:\n%s", rules)
	}
	if b, err := os.ReadFile(k.ResolvConf); err != nil || !strings.Contains(string(b), "nameserver 192.0.2.53\nsearch example.net\n") {
		t.Errorf("resolv.conf: %q %v", b, err)
	}

	reapply(t, k, nsDesired)
	// show's output applies as a no-op too.
	shown, err := nmstate.MarshalYAML(Show(st))
	if err != nil {
		t.Fatal(err)
	}
	reapply(t, k, string(shown))

	// Modify: MTU, MAC, addresses (the primary goes: its secondary
	// stays), a bridge port leaves, STP on, routes and rules removed.
	modified := `
interfaces:
- name: br0
  mac-address: 02:00:00:00:00:21
  bridge:
    options:
      stp:
        enabled: true
    port: []
  ipv4:
    address:
    - ip: 10.0.0.2
      prefix-length: 24
  ipv6:
    address: []
- name: vx0
  state: absent
- name: v0
  state: down
  mtu: 1300
routes:
  config:
  - next-hop-interface: br0
    table-id: 200
    state: absent
  - destination: 10.11.0.0/16
    next-hop-address: 10.0.0.254
    next-hop-interface: br0
    metric: 999
    table-id: 201
route-rules:
  config:
  - route-table: 200
    state: absent
`
	transact(t, k, modified)
	reapply(t, k, modified)
	st, err = k.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	br := st.Lookup("br0")
	if br.MAC != "02:00:00:00:00:21" || !br.Bridge.STP || len(br.Bridge.Ports) != 0 || st.Lookup("v0").Up || st.Lookup("vx0") != nil {
		t.Errorf("after modifying: br0 %+v %+v, v0 up %v, vx0 %v", br, br.Bridge, st.Lookup("v0").Up, st.Lookup("vx0"))
	}
	if got := br.IPv4.Addresses; len(got) != 1 || got[0].Prefix.String() != "10.0.0.2/24" || got[0].Secondary {
		t.Errorf("br0 IPv4 %v", got)
	}
	routes = applytest.Run(t, ns, "ip", "route", "show", "table", "all")
	if strings.Contains(routes, "table 200") || !strings.Contains(routes, "10.11.0.0/16 via 10.0.0.254 dev br0 table 201") {
		t.Errorf("routes after modifying:\n%s", routes)
	}

	// Remove: one veth end takes the other along.
	removed := `
interfaces:
- name: v1
  state: absent
- name: br0
  state: absent
- name: mv0
  state: absent
`
	transact(t, k, removed)
	reapply(t, k, removed)
	st, err = k.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"v0", "v1", "br0", "mv0"} {
		if st.Lookup(n) != nil {
			t.Errorf("%s is still there", n)
		}
	}
}

// TestApplyRollbackEveryStep fails multi-step applies at each step in
// turn and checks that the namespace's full ip dump, and resolv.conf, are
// the same as before: one apply that creates links, addresses, routes and
// rules, one that removes and changes them.
func TestApplyRollbackEveryStep(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		setup   []string // applied before, in order
		desired string
	}{
		{"create", nil, nsDesired},
		{"remove", []string{nsDesired}, `
interfaces:
- name: vx0
  state: absent
- name: v1
  state: absent
- name: br0
  mtu: 1500
  ipv4:
    address:
    - ip: 10.0.0.2
      prefix-length: 24
    - ip: 10.0.0.3
      prefix-length: 24
- name: eth0
  ipv4:
    address:
    - ip: 192.0.2.11
      prefix-length: 24
routes:
  config:
  - table-id: 0
    next-hop-interface: br0
    state: absent
  - destination: 10.12.0.0/16
    next-hop-address: 192.0.2.1
    next-hop-interface: eth0
route-rules:
  config:
  - family: ipv6
    state: absent
dns-resolver:
  config:
    server: []
`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			prepare := func(t *testing.T) (*NetlinkKernel, netns.NsHandle) {
				k, ns := nsKernel(t, "veth", "bridge", "macvlan", "vxlan")
				applytest.Batch(t, ns, nsBase)
				for _, doc := range c.setup {
					transact(t, k, doc)
				}
				if err := os.WriteFile(k.ResolvConf, []byte("# as it was\nnameserver 198.51.100.53\noptions edns0\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return k, ns
			}
			k, _ := prepare(t)
			d := parseDesired(t, c.desired)
			st, err := k.Read(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			ops, _, err := Plan(st, d)
			if err != nil {
				t.Fatal(err)
			}
			if len(ops) < 8 {
				t.Fatalf("a plan of %d steps is too short to test: %v", len(ops), ops)
			}
			t.Logf("%d steps", len(ops))
			for step := range ops {
				k, ns := prepare(t)
				before := applytest.DumpJSON(t, ns)
				indexes := func() string {
					st, err := k.Read(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					var b strings.Builder
					for _, i := range st.Interfaces {
						fmt.Fprintf(&b, "%s:%d ", i.Name, i.Index)
					}
					return b.String()
				}
				beforeIdx := indexes()
				cnt := &counting{Kernel: k, failAt: step}
				_, err := Transact(context.Background(), cnt, d, TxOptions{Verify: true, Rollback: true})
				var tx *TxError
				if !errors.As(err, &tx) || !tx.RolledBack || !strings.Contains(err.Error(), "injected failure") {
					t.Fatalf("step %d (%s): %v", step, ops[step], err)
				}
				if after := applytest.DumpJSON(t, ns); after != before {
					t.Errorf("step %d (%s): the namespace differs after the rollback:\n%s", step, ops[step], lineDiff(before, after))
				}
				// Links made again get their index back, but for the end
				// of a veth pair made from the other end (v1), which takes
				// the next free one: netlink has no way to ask for it.
				peer := regexp.MustCompile(`v1:\d+ `)
				if after := indexes(); peer.ReplaceAllString(after, "") != peer.ReplaceAllString(beforeIdx, "") {
					t.Errorf("step %d: link indexes %s, were %s", step, after, beforeIdx)
				}
				if b, _ := os.ReadFile(k.ResolvConf); string(b) != "# as it was\nnameserver 198.51.100.53\noptions edns0\n" {
					t.Errorf("step %d: resolv.conf after the rollback: %q", step, b)
				}
			}
		})
	}
}

// lineDiff shows the lines of b that a lacks and the other way round.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, fmt.Sprintf("%d: -%s\n%d: +%s", i+1, x, i+1, y))
			if len(out) > 20 {
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// TestApplyNetlinkErrorRollsBack checks that a real netlink failure
// (a route via a gateway no address reaches) rolls back what came before.
func TestApplyNetlinkErrorRollsBack(t *testing.T) {
	t.Parallel()
	k, ns := nsKernel(t, "veth", "bridge")
	applytest.Batch(t, ns, nsBase)
	before := applytest.DumpJSON(t, ns)
	_, err := Transact(context.Background(), k, parseDesired(t, `
interfaces:
- name: br9
  type: linux-bridge
  ipv4:
    address:
    - ip: 10.9.0.1
      prefix-length: 24
routes:
  config:
  - destination: 10.99.0.0/16
    next-hop-address: 172.31.0.1
    next-hop-interface: br9
`), TxOptions{Verify: true, Rollback: true})
	var tx *TxError
	if !errors.As(err, &tx) || !tx.RolledBack {
		t.Fatalf("want a rolled-back failure, got %v", err)
	}
	if want := "ip route add 10.99.0.0/16 via 172.31.0.1 dev br9 metric 0: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
	if after := applytest.DumpJSON(t, ns); after != before {
		t.Errorf("the namespace differs after the rollback:\n%s", lineDiff(before, after))
	}
}

// TestApplyConcurrent runs applies of different states to one namespace
// at once under the lock: each holds afterwards.
func TestApplyConcurrent(t *testing.T) {
	t.Parallel()
	h, ns := applytest.NewNS(t)
	applytest.RequireKind(t, ns, "bridge")
	lock := filepath.Join(t.TempDir(), "netapplyctl.lock")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for n := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h2, err := netlink.NewHandleAt(ns)
			if err != nil {
				errs <- err
				return
			}
			defer h2.Close()
			k := &NetlinkKernel{Handle: h2, NS: ns}
			unlock, err := Lock(context.Background(), lock)
			if err != nil {
				errs <- err
				return
			}
			defer unlock()
			doc := fmt.Sprintf("interfaces:\n- name: br%d\n  type: linux-bridge\n  ipv4:\n    address:\n    - ip: 10.%d.0.1\n      prefix-length: 24\nroute-rules:\n  config:\n  - ip-from: 10.%d.0.0/24\n    route-table: %d\n", n, n, n, 100+n)
			if _, err := Transact(context.Background(), k, parseDesired(t, doc), TxOptions{Verify: true, Rollback: true}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	k := &NetlinkKernel{Handle: h, NS: ns}
	st, err := k.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	prios := map[int]bool{}
	for _, r := range st.Rules {
		if !r.Default {
			prios[r.Priority] = true
		}
	}
	for n := range 8 {
		if st.Lookup(fmt.Sprintf("br%d", n)) == nil {
			t.Errorf("br%d missing", n)
		}
	}
	if len(prios) != 8 {
		t.Errorf("rules took %d distinct priorities, want 8 (one each, max+1): %v", len(prios), prios)
	}
}

// TestApplyBondVLANDummy applies a bond over two veths with a VLAN on it
// and a dummy link. This project's kernel has none of the bonding, 8021q
// and dummy modules: the test then skips naming them, and the plan tests
// (testdata/plan/bond-vlan.txtar) cover these paths.
func TestApplyBondVLANDummy(t *testing.T) {
	t.Parallel()
	k, ns := nsKernel(t, "veth", "bond", "vlan", "dummy")
	applytest.Batch(t, ns, "link add eth1 type veth peer name eth1p\nlink add eth2 type veth peer name eth2p\n")
	doc := `
interfaces:
- name: bond0
  type: bond
  link-aggregation:
    mode: active-backup
    options:
      miimon: 100
    port:
    - eth1
    - eth2
- name: bond0.100
  type: vlan
  vlan:
    base-iface: bond0
    id: 100
  ipv4:
    address:
    - ip: 10.100.0.2
      prefix-length: 24
- name: dummy0
  type: dummy
  ipv6:
    address:
    - ip: 2001:db8:d::1
      prefix-length: 64
`
	transact(t, k, doc)
	reapply(t, k, doc)
	st, err := k.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if b := st.Lookup("bond0"); b == nil || b.Bond == nil || b.Bond.Mode != "active-backup" || b.Bond.Options["miimon"] != "100" {
		t.Errorf("bond0: %+v", b)
	}
	if v := st.Lookup("bond0.100"); v == nil || v.VLAN == nil || v.VLAN.ID != 100 || v.VLAN.Base != "bond0" {
		t.Errorf("bond0.100: %+v", v)
	}
	if p := st.Lookup("eth2"); p == nil || p.Controller != "bond0" {
		t.Errorf("eth2: %+v", p)
	}
}

// TestApplyHostname sets the host name through the kernel's SetHostname
// (a stand-in here: the test must not rename its machine), and restores it
// when a later step fails.
func TestApplyHostname(t *testing.T) {
	t.Parallel()
	k, _ := nsKernel(t, "bridge")
	name := "before"
	k.Hostname = func() (string, error) { return name, nil }
	k.SetHostname = func(n string) error { name = n; return nil }
	transact(t, k, "hostname:\n  config: node-7\n")
	if name != "node-7" {
		t.Fatalf("host name %q", name)
	}
	reapply(t, k, "hostname:\n  config: node-7\n")
	// A kernel that keeps 8 bytes of a name fails the verification.
	k.SetHostname = func(n string) error { name = n[:min(len(n), 8)]; return nil }
	_, err := Transact(context.Background(), k, parseDesired(t, "interfaces:\n- name: br5\n  type: linux-bridge\nhostname:\n  config: node-eight\n"), TxOptions{Verify: true, Rollback: true})
	if err == nil || !strings.Contains(err.Error(), "hostname node-eight would still be needed (rolled back)") || name != "node-7" {
		t.Errorf("after a failed apply: host name %q, error %v", name, err)
	}
}

// TestApplyRouteAttributes covers routes whose attributes show does not
// print: onlink, a preferred source, an IPv6 gateway for IPv4, multipath.
// Each desired state is applied, and failed at its last step to check
// that the rollback gives the namespace back exactly.
func TestApplyRouteAttributes(t *testing.T) {
	t.Parallel()
	const base = "link add eth0 type veth peer name eth0p\nlink add eth1 type veth peer name eth1p\nlink set eth0 up\nlink set eth1 up\nlink set eth0p up\nlink set eth1p up\n"
	tests := []struct {
		name, setup, desired string
		want                 []string // in ip route show table all, after
	}{
		{"onlink default", "address add 192.0.2.10/32 dev eth0\nroute add default via 172.31.1.1 dev eth0 onlink\n",
			"interfaces:\n- name: eth0\n  ipv4:\n    address:\n    - ip: 192.0.2.11\n      prefix-length: 32\n",
			[]string{"default via 172.31.1.1 dev eth0 onlink"}},
		{"preferred source", "address add 192.0.2.10/24 dev eth0\naddress add 192.0.2.20/24 dev eth0\nroute add 10.7.0.0/16 via 192.0.2.1 dev eth0 src 192.0.2.10\nroute add 10.8.0.0/16 via 192.0.2.1 dev eth0 src 192.0.2.20\n",
			"interfaces:\n- name: eth0\n  ipv4:\n    address:\n    - ip: 192.0.2.20\n      prefix-length: 24\n",
			[]string{"10.8.0.0/16 via 192.0.2.1 dev eth0 src 192.0.2.20"}},
		{"ipv6 gateway", "address add 192.0.2.10/24 dev eth0\naddress add 2001:db8::10/64 dev eth0 nodad\nroute add 10.50.0.0/16 via inet6 2001:db8::1 dev eth0\n",
			"interfaces:\n- name: eth0\n  ipv4:\n    address: []\nroutes:\n  config:\n  - destination: 10.60.0.0/16\n    next-hop-address: 2001:db8::1\n    next-hop-interface: eth0\n",
			[]string{"10.60.0.0/16 via inet6 2001:db8::1 dev eth0 proto static"}},
		{"multipath", "address add 192.0.2.10/24 dev eth0\naddress add 198.51.100.10/24 dev eth1\nroute add 10.5.0.0/16 nexthop via 192.0.2.1 dev eth0 nexthop via 198.51.100.1 dev eth1\n",
			"routes:\n  config:\n  - destination: 10.5.0.0/16\n    state: absent\n  - destination: 10.6.0.0/16\n    next-hop-interface: eth1\n",
			[]string{"nexthop via 192.0.2.1 dev eth0", "10.6.0.0/16 dev eth1 proto static scope link"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			prepare := func() (*NetlinkKernel, netns.NsHandle) {
				k, ns := nsKernel(t, "veth")
				applytest.Batch(t, ns, base+tt.setup)
				return k, ns
			}
			k, ns := prepare()
			ops := transact(t, k, tt.desired)
			routes := applytest.Run(t, ns, "ip", "route", "show", "table", "all")
			for _, w := range tt.want {
				if !strings.Contains(routes, w) {
					t.Errorf("no %q in\n%s", w, routes)
				}
			}
			reapply(t, k, tt.desired)
			if len(ops) == 0 {
				t.Fatal("nothing planned")
			}
			k, ns = prepare()
			before := applytest.DumpJSON(t, ns)
			c := &counting{Kernel: k, failAt: len(ops) - 1}
			_, err := Transact(context.Background(), c, parseDesired(t, tt.desired), TxOptions{Verify: true, Rollback: true})
			var tx *TxError
			if !errors.As(err, &tx) || !tx.RolledBack {
				t.Fatalf("want a rolled-back failure, got %v", err)
			}
			if after := applytest.DumpJSON(t, ns); after != before {
				t.Errorf("the namespace differs after the rollback:\n%s", lineDiff(before, after))
			}
		})
	}
}

// TestApplyPromoteSecondaries: with promote_secondaries on (as systemd
// sets it), deleting a primary promotes the kept secondary, which must
// not be added again; a rollback puts the old primary back first.
func TestApplyPromoteSecondaries(t *testing.T) {
	t.Parallel()
	const setup = "link add eth0 type veth peer name eth0p\nlink set eth0 up\naddress add 10.0.0.1/24 dev eth0\naddress add 10.0.0.2/24 dev eth0\n"
	const doc = "interfaces:\n- name: eth0\n  ipv4:\n    address:\n    - ip: 10.0.0.2\n      prefix-length: 24\nroutes:\n  config:\n  - destination: 10.9.0.0/16\n    next-hop-address: 10.0.0.254\n    next-hop-interface: eth0\n"
	prepare := func() (*NetlinkKernel, netns.NsHandle) {
		k, ns := nsKernel(t, "veth")
		applytest.Batch(t, ns, setup)
		applytest.Run(t, ns, "sysctl", "-q", "-w", "net.ipv4.conf.eth0.promote_secondaries=1")
		return k, ns
	}
	k, _ := prepare()
	st, err := k.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.Lookup("eth0").PromoteSecondaries {
		t.Fatal("promote_secondaries read as off")
	}
	ops := transact(t, k, doc)
	reapply(t, k, doc)
	if len(ops) != 2 {
		t.Errorf("plan %v, want the address removed and the route added", ops)
	}
	k, ns := prepare()
	before := applytest.DumpJSON(t, ns)
	c := &counting{Kernel: k, failAt: 1}
	if _, err := Transact(context.Background(), c, parseDesired(t, doc), TxOptions{Verify: true, Rollback: true}); err == nil {
		t.Fatal("no failure")
	}
	if after := applytest.DumpJSON(t, ns); after != before {
		t.Errorf("the namespace differs after the rollback:\n%s", lineDiff(before, after))
	}
}

// TestApplyOpaqueRules: rules with selectors netapplyctl does not model
// are not shown, not matched by absent entries, and not taken for the
// plain rule a state asks for.
func TestApplyOpaqueRules(t *testing.T) {
	t.Parallel()
	k, ns := nsKernel(t, "veth")
	applytest.Batch(t, ns, "rule add not from 10.0.0.0/8 lookup 100 pref 100\nrule add from 10.1.0.0/16 ipproto tcp dport 443 lookup 300 pref 300\nrule add table main suppress_prefixlength 0 pref 400\n")
	before := applytest.Run(t, ns, "ip", "rule")
	doc := "route-rules:\n  config:\n  - route-table: 100\n    priority: 100\n    state: absent\n  - priority: 400\n    state: absent\n  - ip-from: 10.0.0.0/8\n    route-table: 100\n    priority: 101\n"
	ops := transact(t, k, doc)
	if len(ops) != 1 || ops[0].Kind != OpRuleAdd {
		t.Errorf("plan %v, want the plain rule added and nothing removed", ops)
	}
	after := applytest.Run(t, ns, "ip", "rule")
	for _, line := range strings.Split(strings.TrimSpace(before), "\n") {
		if !strings.Contains(after, line) {
			t.Errorf("rule %q is gone:\n%s", line, after)
		}
	}
	st, err := k.Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	shown, err := nmstate.MarshalYAML(Show(st))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(shown), "route-table: 300") {
		t.Errorf("an opaque rule is shown:\n%s", shown)
	}
	reapply(t, k, string(shown))
}

// TestApplyResolvConfSymlink: a resolv.conf that is a symbolic link
// (systemd-resolved) is not replaced: the apply fails and rolls back.
func TestApplyResolvConfSymlink(t *testing.T) {
	t.Parallel()
	k, _ := nsKernel(t, "bridge")
	dir := t.TempDir()
	target := filepath.Join(dir, "stub-resolv.conf")
	if err := os.WriteFile(target, []byte("nameserver 127.0.0.53\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	k.ResolvConf = filepath.Join(dir, "resolv.conf")
	if err := os.Symlink(target, k.ResolvConf); err != nil {
		t.Fatal(err)
	}
	_, err := Transact(context.Background(), k, parseDesired(t, "interfaces:\n- name: br7\n  type: linux-bridge\ndns-resolver:\n  config:\n    server: [192.0.2.53]\n"), TxOptions{Verify: true, Rollback: true})
	if err == nil || !strings.Contains(err.Error(), "is a symbolic link to "+target) || !strings.HasSuffix(err.Error(), "(rolled back)") {
		t.Errorf("got %v", err)
	}
	if fi, err := os.Lstat(k.ResolvConf); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("resolv.conf is no longer a link: %v", err)
	}
	if st, _ := k.Read(context.Background()); st.Lookup("br7") != nil {
		t.Error("br7 stayed")
	}
}
