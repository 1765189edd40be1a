package apply

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/netplumb/netplumb/nmstate"
)

// sim is an in-memory kernel: it carries out operations on a State with
// the side effects Linux has (a veth goes with its peer, links on a base
// with the base, routes with their link; deleting an IPv4 primary drops
// its secondaries, the last IPv4 address takes the link's IPv4 routes)
// and the errors it gives (EEXIST, ESRCH, ENODEV, ENETDOWN). It counts
// the operations it receives.
type sim struct {
	st     *State
	writes int
	// fail, when set, is called before each operation; an error it
	// returns fails the operation.
	fail func(n int, op Op) error
}

func (s *sim) Read(ctx context.Context) (*State, error) { return cloneState(s.st), ctx.Err() }

func (s *sim) Apply(ctx context.Context, op Op) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	n := s.writes
	s.writes++
	if s.fail != nil {
		if err := s.fail(n, op); err != nil {
			return err
		}
	}
	if err := s.apply(op); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func (s *sim) apply(op Op) error {
	st := s.st
	link := func(name string) (*Interface, error) {
		if i := st.Lookup(name); i != nil {
			return i, nil
		}
		return nil, syscall.ENODEV
	}
	switch op.Kind {
	case OpLinkAdd:
		l := op.Link
		if st.Lookup(l.Name) != nil {
			return syscall.EEXIST
		}
		if b := base(l); b != "" && st.Lookup(b) == nil {
			return syscall.ENODEV
		}
		s.addLink(l, l.Name)
		if l.Veth != nil {
			if st.Lookup(l.Veth.Peer) != nil {
				return syscall.EEXIST
			}
			s.addLink(&Interface{Type: TypeVeth, Veth: &VethState{Peer: l.Name}}, l.Veth.Peer)
		}
	case OpLinkDel:
		l, err := link(op.Name)
		if err != nil {
			return err
		}
		gone := map[string]bool{l.Name: true}
		if l.Veth != nil {
			gone[l.Veth.Peer] = true
		}
		for _, i := range st.Interfaces {
			if gone[base(i)] {
				gone[i.Name] = true
			}
		}
		st.Interfaces = slices.DeleteFunc(st.Interfaces, func(i *Interface) bool { return gone[i.Name] })
		for _, i := range st.Interfaces {
			if gone[i.Controller] {
				i.Controller = ""
			}
			if i.Bridge != nil {
				i.Bridge.Ports = slices.DeleteFunc(i.Bridge.Ports, func(p string) bool { return gone[p] })
			}
		}
		st.Routes = slices.DeleteFunc(st.Routes, func(r Route) bool { return gone[r.Interface] })
	case OpLinkSet:
		l, err := link(op.Name)
		if err != nil {
			return err
		}
		set := op.Set
		if set.MTU != nil {
			l.MTU = *set.MTU
		}
		if set.MAC != nil {
			l.MAC = *set.MAC
		}
		if set.STP != nil {
			if l.Bridge == nil {
				return syscall.EOPNOTSUPP
			}
			l.Bridge.STP = *set.STP
		}
		if set.Controller != nil {
			if old := st.Lookup(l.Controller); old != nil && old.Bridge != nil {
				old.Bridge.Ports = slices.DeleteFunc(old.Bridge.Ports, func(p string) bool { return p == l.Name })
			}
			l.Controller = ""
			if c := *set.Controller; c != "" {
				ctl, err := link(c)
				if err != nil {
					return err
				}
				if ctl.Bridge == nil && ctl.Bond == nil {
					return syscall.EOPNOTSUPP
				}
				l.Controller = c
				if ctl.Bridge != nil {
					ctl.Bridge.Ports = append(ctl.Bridge.Ports, l.Name)
					slices.Sort(ctl.Bridge.Ports)
				}
			}
		}
		if set.Up != nil {
			if l.Up && !*set.Up {
				// Down: the IPv6 addresses and every route through
				// the link go.
				l.IPv6 = IPState{}
				st.Routes = slices.DeleteFunc(st.Routes, func(r Route) bool { return r.Interface == l.Name })
			}
			l.Up = *set.Up
		}
	case OpAddrAdd, OpAddrDel:
		l, err := link(op.Name)
		if err != nil {
			return err
		}
		ip := &l.IPv4
		if op.Address.Prefix.Addr().Is6() {
			ip = &l.IPv6
		}
		at := slices.IndexFunc(ip.Addresses, func(a Address) bool { return a.Prefix.Addr() == op.Address.Prefix.Addr() })
		if op.Kind == OpAddrAdd {
			if at >= 0 {
				return syscall.EEXIST
			}
			insertAddr(ip, op.Address.Prefix)
			ip.Enabled = true
			break
		}
		if at < 0 || ip.Addresses[at].Prefix.Bits() != op.Address.Prefix.Bits() {
			return syscall.EADDRNOTAVAIL
		}
		del := ip.Addresses[at]
		ip.Addresses = slices.Delete(ip.Addresses, at, at+1)
		if del.Prefix.Addr().Is4() && !del.Secondary {
			ip.Addresses = slices.DeleteFunc(ip.Addresses, func(b Address) bool { return b.Secondary && sameSubnet(del, b) })
		}
		if del.Prefix.Addr().Is4() && len(ip.Addresses) == 0 {
			st.Routes = slices.DeleteFunc(st.Routes, func(r Route) bool { return r.Interface == l.Name && r.Destination.Addr().Is4() })
		}
		ip.Enabled = len(ip.Addresses) > 0
	case OpRouteAdd:
		r := *op.Route
		if r.Interface != "" {
			l, err := link(r.Interface)
			if err != nil {
				return err
			}
			if !l.Up {
				return syscall.ENETDOWN
			}
		}
		if slices.ContainsFunc(st.Routes, func(c Route) bool {
			return c.Destination == r.Destination && c.Table == r.Table && c.Metric == r.Metric
		}) {
			return syscall.EEXIST
		}
		st.Routes = append(st.Routes, r)
	case OpRouteDel:
		at := slices.Index(st.Routes, *op.Route)
		if at < 0 {
			return syscall.ESRCH
		}
		st.Routes = slices.Delete(st.Routes, at, at+1)
	case OpRuleAdd:
		if slices.Contains(st.Rules, *op.Rule) {
			return syscall.EEXIST
		}
		st.Rules = append(st.Rules, *op.Rule)
	case OpRuleDel:
		at := slices.Index(st.Rules, *op.Rule)
		if at < 0 {
			return syscall.ENOENT
		}
		st.Rules = slices.Delete(st.Rules, at, at+1)
	case OpDNS:
		st.DNS = DNS{Servers: slices.Clone(op.DNS.Servers), Search: slices.Clone(op.DNS.Search)}
	case OpHostname:
		st.Hostname = op.Hostname
	default:
		return errors.New("unknown operation")
	}
	return nil
}

// insertAddr adds an address where the kernel puts it: an IPv4 address in
// the subnet of another is a secondary, at the end; a primary goes after
// the last primary.
func insertAddr(ip *IPState, pf netip.Prefix) {
	a := Address{Prefix: pf}
	a.Secondary = pf.Addr().Is4() && slices.ContainsFunc(ip.Addresses, func(b Address) bool { return sameSubnet(a, b) })
	last := len(ip.Addresses)
	if !a.Secondary {
		last = 0
		for n, b := range ip.Addresses {
			if !b.Secondary {
				last = n + 1
			}
		}
	}
	ip.Addresses = slices.Insert(ip.Addresses, last, a)
	ip.Enabled = true
}

func sameSubnet(a, b Address) bool {
	return a.Prefix.Bits() == b.Prefix.Bits() && a.Prefix.Masked().Contains(b.Prefix.Addr())
}

func (s *sim) addLink(l *Interface, name string) {
	n := *l
	n.Name = name
	n.Up, n.Controller = false, ""
	n.IPv4, n.IPv6 = IPState{}, IPState{}
	if n.MTU == 0 {
		n.MTU = 1500
	}
	if n.MAC == "" {
		n.MAC = fakeMAC(name)
	}
	if n.Bridge != nil {
		n.Bridge = &BridgeState{STP: n.Bridge.STP}
	}
	if n.Index == 0 {
		for _, i := range s.st.Interfaces {
			n.Index = max(n.Index, i.Index)
		}
		n.Index++
	}
	s.st.Interfaces = append(s.st.Interfaces, &n)
	slices.SortFunc(s.st.Interfaces, func(a, b *Interface) int { return strings.Compare(a.Name, b.Name) })
}

// fakeMAC is the MAC the simulator gives a link made without one.
func fakeMAC(name string) string {
	return fmt.Sprintf("02:00:00:00:%02X:%02X", len(name), name[len(name)-1])
}

// cloneState is a deep copy of st.
func cloneState(st *State) *State {
	c := &State{Routes: slices.Clone(st.Routes), Rules: slices.Clone(st.Rules), Hostname: st.Hostname,
		DNS: DNS{Servers: slices.Clone(st.DNS.Servers), Search: slices.Clone(st.DNS.Search)}}
	for _, i := range st.Interfaces {
		n := *i
		n.IPv4.Addresses = slices.Clone(i.IPv4.Addresses)
		n.IPv6.Addresses = slices.Clone(i.IPv6.Addresses)
		if i.Bridge != nil {
			b := *i.Bridge
			b.Ports = slices.Clone(b.Ports)
			n.Bridge = &b
		}
		c.Interfaces = append(c.Interfaces, &n)
	}
	return c
}

// canonical prints a state for comparison: show's document, with routes
// and rules sorted and indexes left out (a link made anew gets a new one
// when the kernel cannot give back the old).
func canonical(t testing.TB, st *State) string {
	t.Helper()
	c := cloneState(st)
	slices.SortFunc(c.Routes, func(a, b Route) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	slices.SortFunc(c.Rules, func(a, b Rule) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	for _, i := range c.Interfaces {
		slices.SortFunc(i.IPv6.Addresses, func(a, b Address) int { return a.Prefix.Addr().Compare(b.Prefix.Addr()) })
	}
	b, err := nmstate.MarshalYAML(Show(c))
	if err != nil {
		t.Fatal(err)
	}
	var secondaries []string
	for _, i := range c.Interfaces {
		for _, a := range i.IPv4.Addresses {
			if a.Secondary {
				secondaries = append(secondaries, i.Name+" "+a.Prefix.String())
			}
		}
	}
	return string(b) + "secondary: " + strings.Join(secondaries, ", ") + "\n"
}

// stateFromYAML builds a current state for tests from an NMState document
// as show prints it (interfaces, routes.config, route-rules.config,
// dns-resolver.config, hostname.config): IPv4 addresses after the first
// of a subnet are secondaries, as the kernel orders them; routes are of
// protocol static; links but lo get a MAC as the simulator gives one.
func stateFromYAML(t testing.TB, data string) *State {
	t.Helper()
	d := parseDesired(t, data)
	st := &State{}
	for n, di := range d.Interfaces {
		i := &Interface{Name: di.Name, Index: n + 1, Type: di.Type, Up: di.State == StateUp, MTU: 1500,
			VLAN: di.VLAN, VXLAN: di.VXLAN, Veth: di.Veth, MacVlan: di.MacVlan}
		if di.MTU != nil {
			i.MTU = *di.MTU
		}
		if di.MAC != nil {
			i.MAC = *di.MAC
		} else if di.Type != TypeLoopback {
			i.MAC = fakeMAC(di.Name)
		}
		if di.Controller != nil {
			i.Controller = *di.Controller
		}
		if di.Type == TypeBridge {
			i.Bridge = &BridgeState{}
		}
		if di.Bridge != nil {
			i.Bridge = &BridgeState{Ports: di.Bridge.Ports}
			if di.Bridge.STP != nil {
				i.Bridge.STP = *di.Bridge.STP
			}
		}
		if di.Bond != nil {
			i.Bond = &BondState{Mode: di.Bond.Mode, Ports: di.Bond.Ports, Options: di.Bond.Options}
		}
		for _, fam := range []struct {
			ip  *DesiredIP
			out *IPState
		}{{di.IPv4, &i.IPv4}, {di.IPv6, &i.IPv6}} {
			if fam.ip == nil {
				continue
			}
			for _, pf := range fam.ip.Addresses {
				insertAddr(fam.out, pf)
			}
			fam.out.Enabled = len(fam.out.Addresses) > 0
		}
		st.Interfaces = append(st.Interfaces, i)
	}
	slices.SortFunc(st.Interfaces, func(a, b *Interface) int { return strings.Compare(a.Name, b.Name) })
	for _, i := range st.Interfaces {
		for _, p := range st.Interfaces {
			if p.Controller == i.Name && i.Bridge != nil && !slices.Contains(i.Bridge.Ports, p.Name) {
				i.Bridge.Ports = append(i.Bridge.Ports, p.Name)
			}
		}
	}
	for _, r := range d.Routes {
		rt := r.Route
		rt.Protocol = "static"
		if rt.Metric < 0 {
			rt.Metric = 0
			if rt.Destination.Addr().Is6() {
				rt.Metric = 1024
			}
		}
		st.Routes = append(st.Routes, rt)
	}
	prio := 1000
	for _, r := range d.Rules {
		rl := r.Rule
		if rl.Priority < 0 {
			rl.Priority = prio
			prio++
		}
		st.Rules = append(st.Rules, rl)
	}
	for _, fam := range []int{4, 6} {
		for _, dr := range [][2]int{{0, 255}, {32766, 254}, {32767, 253}} {
			if fam == 6 && dr[0] == 32767 {
				continue
			}
			st.Rules = append(st.Rules, Rule{Family: fam, Priority: dr[0], Table: dr[1], Default: true})
		}
	}
	if d.DNS != nil {
		st.DNS = DNS{Servers: d.DNS.Servers, Search: d.DNS.Search}
	}
	if d.Hostname != nil {
		st.Hostname = *d.Hostname
	}
	return st
}
