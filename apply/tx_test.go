package apply

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netplumb/netplumb/nmstate"
)

const txCurrent = `
interfaces:
- name: eth0
  type: ethernet
  state: up
  ipv4:
    address:
    - ip: 192.0.2.10
      prefix-length: 24
`

const txDesired = `
interfaces:
- name: br0
  type: linux-bridge
  ipv4:
    address:
    - ip: 10.0.0.1
      prefix-length: 24
- name: eth0
  mtu: 9000
routes:
  config:
  - destination: 10.8.0.0/16
    next-hop-address: 10.0.0.254
    next-hop-interface: br0
`

// parseDesired decodes and parses a desired state, failing the test on
// any error.
func parseDesired(t testing.TB, doc string) *Desired {
	t.Helper()
	v, err := nmstate.Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseDesired(v)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// lying reads back, once, a state where the desired MTU did not take:
// the verification's read, the second.
type lying struct {
	*sim
	reads *int
}

func (l lying) Read(ctx context.Context) (*State, error) {
	st, err := l.sim.Read(ctx)
	if *l.reads++; *l.reads == 2 {
		if i := st.Lookup("eth0"); i != nil && i.MTU == 9000 {
			i.MTU = 1500
		}
	}
	return st, err
}

func TestTransactFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		kernel  func(*sim, context.CancelFunc) Kernel
		timeout time.Duration
		want    string
	}{
		{"interrupted", func(s *sim, cancel context.CancelFunc) Kernel {
			s.fail = func(n int, op Op) error {
				if n == 2 {
					cancel() // SIGINT arrives while the third operation runs
				}
				return nil
			}
			return s
		}, 0, "interrupted: context canceled"},
		{"timed out", func(s *sim, cancel context.CancelFunc) Kernel {
			s.fail = func(n int, op Op) error {
				if n == 1 {
					time.Sleep(50 * time.Millisecond)
				}
				return nil
			}
			return s
		}, 20 * time.Millisecond, "timed out"},
		{"verification", func(s *sim, cancel context.CancelFunc) Kernel { return lying{s, new(int)} }, 0,
			"verification: the kernel does not hold the desired state: ip link set eth0 mtu 9000 would still be needed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cur := stateFromYAML(t, txCurrent)
			s := &sim{st: cloneState(cur)}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.timeout > 0 {
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err := Transact(ctx, tt.kernel(s, cancel), parseDesired(t, txDesired), TxOptions{Verify: true, Rollback: true})
			var tx *TxError
			if !errors.As(err, &tx) || !tx.RolledBack {
				t.Fatalf("want a rolled-back failure, got %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasSuffix(err.Error(), "(rolled back)") {
				t.Errorf("error %q, want %q … (rolled back)", err, tt.want)
			}
			if got, want := canonical(t, s.st), canonical(t, cur); got != want {
				t.Errorf("not restored:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestTransactNoRollbackAndDryRun(t *testing.T) {
	t.Parallel()
	cur := stateFromYAML(t, txCurrent)
	s := &sim{st: cloneState(cur), fail: func(n int, op Op) error {
		if n == 2 {
			return errors.New("boom")
		}
		return nil
	}}
	_, err := Transact(context.Background(), s, parseDesired(t, txDesired), TxOptions{Verify: true})
	var tx *TxError
	if !errors.As(err, &tx) || tx.RolledBack || len(tx.Done) != 2 || !strings.Contains(err.Error(), "not rolled back: 2 operations stay applied") {
		t.Fatalf("got %v (%+v)", err, tx)
	}
	if s.st.Lookup("br0") == nil {
		t.Error("without rollback, br0 should stay")
	}

	s = &sim{st: cloneState(cur)}
	ops, err := Transact(context.Background(), s, parseDesired(t, txDesired), TxOptions{DryRun: true})
	if err != nil || len(ops) == 0 || s.writes != 0 {
		t.Errorf("dry run: %d ops, %d writes, %v", len(ops), s.writes, err)
	}
}

// TestTransactIdempotent applies each plan case's desired state twice on
// the simulator: the second time plans nothing and sends nothing.
func TestTransactIdempotent(t *testing.T) {
	t.Parallel()
	cur := stateFromYAML(t, txCurrent)
	s := &sim{st: cloneState(cur)}
	d := parseDesired(t, txDesired)
	if _, err := Transact(context.Background(), s, d, TxOptions{Verify: true, Rollback: true}); err != nil {
		t.Fatal(err)
	}
	s.writes = 0
	ops, err := Transact(context.Background(), s, d, TxOptions{Verify: true, Rollback: true})
	if err != nil || len(ops) != 0 || s.writes != 0 {
		t.Errorf("second apply: %v, %d writes, %v", ops, s.writes, err)
	}
}

func TestParseDesiredErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ doc, want string }{
		{"- a", "(document): an NMState document is a map, not a list"},
		{"interfaces: {}", "interfaces: a map, not a list"},
		{"interfaces:\n- type: veth", "interfaces[0]: an interface needs a name"},
		{"interfaces:\n- name: eth0\n- name: eth0", "interfaces[1].name: eth0 is listed already, at interfaces[0]"},
		{"interfaces:\n- name: eth0\n  state: gone", `interfaces[0].state: "gone" is not up, down or absent`},
		{"interfaces:\n- name: eth0\n  mtu: -1", "interfaces[0].mtu: -1 is not between 0 and 2147483647"},
		{"interfaces:\n- name: eth0\n  mac-address: 00:1", `interfaces[0].mac-address: "00:1" is not a MAC address`},
		{"interfaces:\n- name: a/b", `interfaces[0].name: interface name "a/b" holds '/'`},
		{"interfaces:\n- name: br0\n  bridge:\n    port: []\n    ports: []", "interfaces[0].bridge: give the ports once, as port"},
		{"interfaces:\n- name: eth0\n  ipv6:\n    address:\n    - ip: 2001:db8::1\n      prefix-length: 64\n    - ip: 2001:db8::1\n      prefix-length: 48", "interfaces[0].ipv6.address[1]: 2001:db8::1 is listed twice"},
		{"interfaces:\n- name: vx0\n  type: vxlan\n  vxlan:\n    id: 1\n    remote: 192.0.2.1\n    local: 2001:db8::1", "interfaces[0].vxlan.local: 2001:db8::1 and the remote 192.0.2.1 are of different families"},
		{"interfaces:\n- name: eth0\n  ipv4:\n    address:\n    - ip: 2001:db8::1\n      prefix-length: 64", "interfaces[0].ipv4.address[0].ip: 2001:db8::1 is not an IPv4 address"},
		{"interfaces:\n- name: eth0\n  ipv4:\n    enabled: false\n    address:\n    - ip: 10.0.0.1\n      prefix-length: 8", "interfaces[0].ipv4.enabled: false, yet addresses are listed"},
		{"interfaces:\n- name: eth0\n  ipv4:\n    adress: []", "interfaces[0].ipv4.adress: unknown key (did you mean address?)"},
		{"interfaces:\n- name: br0\n  type: linux-bridge\n  vlan:\n    base-iface: eth0\n    id: 1", "interfaces[0].vlan: a vlan section on an interface of type linux-bridge"},
		{"interfaces:\n- name: v0\n  type: vlan\n  vlan:\n    base-iface: eth0\n    id: 4095", "interfaces[0].vlan.id: 4095 is not between 0 and 4094"},
		{"interfaces:\n- name: b0\n  type: bond\n  link-aggregation:\n    mode: fast", `interfaces[0].link-aggregation.mode: "fast" is not a bond mode`},
		{"interfaces:\n- name: b0\n  type: bond\n  link-aggregation:\n    options:\n      miimon: 100\n      updelay: 150", "interfaces[0].link-aggregation.options.updelay: 150 is not a multiple of miimon (100)"},
		{"interfaces:\n- name: m0\n  type: mac-vlan\n  mac-vlan:\n    base-iface: eth0\n    mode: open", `interfaces[0].mac-vlan.mode: "open" is not vepa, bridge, private, passthru or source`},
		{"interfaces:\n- name: v0\n  type: veth\n  veth:\n    peer: v0", "interfaces[0].veth.peer: a veth cannot be its own peer"},
		{"routes:\n  config:\n  - destination: 10.0.0.0/8\n    next-hop-interface: eth0\n    state: up", `routes.config[0].state: "up": a route's state is absent or left out`},
		{"routes:\n  config:\n  - next-hop-interface: eth0", "routes.config[0]: a route needs a destination"},
		{"routes:\n  config:\n  - destination: 2001:db8::/32\n    next-hop-address: 10.0.0.1\n    next-hop-interface: eth0", "routes.config[0].next-hop-address: an IPv4 next hop for an IPv6 destination"},
		{"routes:\n  config:\n  - destination: 10.0.0.0/8\n    route-type: blackhole\n    next-hop-interface: eth0", "routes.config[0]: a blackhole route has no next hop"},
		{"route-rules:\n  config:\n  - ip-from: 10.0.0.0/8\n    ip-to: 2001:db8::/32", "route-rules.config[0].ip-to: ip-from and ip-to are of different families"},
		{"route-rules:\n  config:\n  - ip-from: 10.0.0.0/8\n    family: ipv6", "route-rules.config[0].family: ipv6, but the addresses are IPv4"},
		{"route-rules:\n  config:\n  - fwmark: 0xzz", `route-rules.config[0].fwmark: "0xzz" is not a 32-bit mark`},
		{"routes:\n  config:\n  - destination: 10.0.0.0/8\n    route-type: drop", `routes.config[0].route-type: "drop" is not blackhole, unreachable or prohibit`},
		{"route-rules:\n  config:\n  - action: drop", `route-rules.config[0].action: "drop" is not blackhole, unreachable or prohibit`},
		{"dns-resolver:\n  config:\n    server:\n    - dns.example", `dns-resolver.config.server[0]: "dns.example" is not an IP address`},
		{"dns-resolver:\n  config:\n    search:\n    - \"a b\"", `dns-resolver.config.search[0]: host name "a b" holds " "`},
		{"hostname:\n  config: \"bad\\nname\"", `hostname.config: host name "bad\nname" holds "\n"`},
		{"routes:\n  confg: []", "routes.confg: unknown key (did you mean config?)"},
	}
	for _, tt := range tests {
		v, err := nmstate.Decode([]byte(tt.doc))
		if err != nil {
			t.Fatalf("%q: %v", tt.doc, err)
		}
		_, err = ParseDesired(v)
		var pe *nmstate.PathError
		if !errors.As(err, &pe) || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.doc, err, tt.want)
		}
	}
}

func TestParseDesiredIgnoresUnmanaged(t *testing.T) {
	t.Parallel()
	d := parseDesired(t, `
interfaces:
- name: eth0
  description: uplink
  ethtool:
    feature:
      rx-checksum: true
  bridge:
    options:
      hello-timer: 0
routes:
  running: []
`)
	if got := strings.Join(d.Ignored, " "); got != "interfaces[0].description interfaces[0].ethtool" {
		t.Errorf("ignored: %s", got)
	}
}

// FuzzPlan checks that no desired state, however odd, makes parsing,
// planning or restoring panic, and that a plan carried out on the
// simulator holds.
func FuzzPlan(f *testing.F) {
	for _, s := range []string{txDesired, nsDesiredForFuzz, "interfaces:\n- name: eth0\n  state: absent\n", "routes:\n  config:\n  - state: absent\n",
		"interfaces:\n- name: v0\n  state: absent\n", "interfaces:\n- name: v1\n  state: absent\n- name: mv0\n  state: absent\n",
		"interfaces:\n- name: br0\n  bridge:\n    port:\n    - name: v1\n", "interfaces:\n- name: eth0\n  ipv4:\n    address:\n    - ip: 192.0.2.11\n      prefix-length: 24\n",
		"interfaces:\n- name: bond0\n  state: absent\n- name: bond0.5\n  state: absent\n", "interfaces:\n- name: eth0\n  controller: br0\n",
		"route-rules:\n  config:\n  - route-table: 100\n    state: absent\n"} {
		f.Add(s)
	}
	cur := stateFromYAML(f, fuzzCurrent)
	f.Fuzz(func(t *testing.T, doc string) {
		v, err := nmstate.Decode([]byte(doc))
		if err != nil {
			return
		}
		d, err := ParseDesired(v)
		if err != nil {
			return
		}
		ops, _, err := Plan(cur, d)
		if err != nil {
			var pe *nmstate.PathError
			if !errors.As(err, &pe) {
				t.Fatalf("plan error not a PathError: %v", err)
			}
			return
		}
		s := &sim{st: cloneState(cur)}
		for _, op := range ops {
			_ = op.String()
			if _, err := nmstate.MarshalYAML(op.Doc()); err != nil {
				t.Fatal(err)
			}
			if s.Apply(context.Background(), op) != nil {
				break // the simulator refuses what the kernel would
			}
		}
		back, err := Restore(cur, s.st, ops)
		if err != nil {
			t.Fatalf("restore: %v", err)
		}
		for _, op := range back {
			s.Apply(context.Background(), op)
		}
	})
}

const nsDesiredForFuzz = `
interfaces:
- name: v0
  type: veth
  veth:
    peer: v1
- name: br0
  type: linux-bridge
  bridge:
    port:
    - name: v0
route-rules:
  config:
  - ip-from: 10.0.0.0/24
dns-resolver:
  config:
    server: [192.0.2.53]
`

// fuzzCurrent has a link of each kind the planner treats apart: an
// ethernet, a veth pair with a macvlan on one end, a bridge with a port,
// a bond with a VLAN, addresses with a secondary, routes and rules.
const fuzzCurrent = `
interfaces:
- name: eth0
  type: ethernet
  state: up
  ipv4:
    address:
    - ip: 192.0.2.10
      prefix-length: 24
    - ip: 192.0.2.11
      prefix-length: 24
- name: v0
  type: veth
  state: up
  controller: br0
  veth:
    peer: v1
- name: v1
  type: veth
  state: up
  veth:
    peer: v0
- name: mv0
  type: mac-vlan
  state: up
  mac-vlan:
    base-iface: v1
    mode: bridge
- name: br0
  type: linux-bridge
  state: up
  ipv6:
    address:
    - ip: 2001:db8::1
      prefix-length: 64
- name: bond0
  type: bond
  state: up
  link-aggregation:
    mode: active-backup
- name: bond0.5
  type: vlan
  state: up
  vlan:
    base-iface: bond0
    id: 5
routes:
  config:
  - destination: 10.9.0.0/16
    next-hop-address: 192.0.2.1
    next-hop-interface: eth0
  - destination: 10.10.0.0/16
    next-hop-interface: br0
    table-id: 100
route-rules:
  config:
  - ip-from: 192.0.2.0/24
    route-table: 100
`

// TestRollbackLeavesOthersAlone: links, routes and rules another program
// makes while a transaction runs survive its rollback, and a link of a
// kind netapplyctl cannot remove appearing meanwhile does not stop it.
func TestRollbackLeavesOthersAlone(t *testing.T) {
	t.Parallel()
	cur := stateFromYAML(t, txCurrent)
	s := &sim{st: cloneState(cur)}
	s.fail = func(n int, op Op) error {
		switch n {
		case 0: // meanwhile, a container runtime and a DHCP client
			s.st.Interfaces = append(s.st.Interfaces,
				&Interface{Name: "veth1234", Type: TypeVeth, Up: true, MTU: 1500, Veth: &VethState{}},
				&Interface{Name: "tap0", Type: TypeUnknown, MTU: 1500})
			s.st.Routes = append(s.st.Routes, Route{Destination: netip.MustParsePrefix("10.77.0.0/16"), Interface: "veth1234", Table: 254, Protocol: "dhcp", Type: "unicast"})
			s.st.Rules = append(s.st.Rules, Rule{Family: 4, Priority: 77, Table: 77})
		case 2:
			return errors.New("boom")
		}
		return nil
	}
	_, err := Transact(context.Background(), s, parseDesired(t, txDesired), TxOptions{Verify: true, Rollback: true})
	var tx *TxError
	if !errors.As(err, &tx) || !tx.RolledBack {
		t.Fatalf("want a rolled-back failure, got %v", err)
	}
	if s.st.Lookup("br0") != nil || s.st.Lookup("veth1234") == nil || s.st.Lookup("tap0") == nil || len(s.st.Routes) != 1 || !slices.ContainsFunc(s.st.Rules, func(r Rule) bool { return r.Priority == 77 }) {
		t.Errorf("after the rollback: %s", canonical(t, s.st))
	}
}
