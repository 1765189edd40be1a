package apply

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netplumb/netplumb/nmstate"
)

// Plan returns the operations that take the current state cur to the
// desired state d under NMState's partial-edit rules, in the order they
// must run, and notes for the user (DHCP that no client will run).
//
// The order is: rules, routes and addresses removed, links removed (those
// on a base before the base); then links created (bases first),
// attributes set (controllers before their ports), addresses, routes and
// rules added. Whatever already holds gives no operation, so applying a
// state that holds plans nothing.
//
// What d asks that cannot be done against cur is an [*nmstate.PathError]
// at the path of the value: an interface that neither exists nor can be
// created, a port, base or next-hop interface that will not exist, a type
// that differs from the existing link's.
//
// Plan does not modify cur or d and is safe for concurrent use.
func Plan(cur *State, d *Desired) (ops []Op, notes []string, err error) {
	p := newPlanner(cur, d, false)
	if err := p.plan(); err != nil {
		return nil, nil, err
	}
	return p.ops(), p.notes, nil
}

// Restore returns the operations that take the state now back to the
// snapshot snap for what the operations of plan can have changed: links
// created since are removed, removed ones made again (with their index,
// MAC and MTU), attributes, addresses, routes (with their metric,
// protocol, onlink flag and source) and rules put back, and resolv.conf
// and the host name restored. What plan did not touch is left alone, so
// that changes other programs make meanwhile (a container's veth, a DHCP
// route on another link) survive a rollback. A nil plan restores
// everything. A transaction runs it after a failure.
func Restore(snap, now *State, plan []Op) ([]Op, error) {
	t := touchedBy(plan, snap, now)
	d := &Desired{}
	for _, i := range snap.Interfaces {
		if t.link(i.Name) {
			d.Interfaces = append(d.Interfaces, desiredFrom(i))
		}
	}
	for _, i := range now.Interfaces {
		if snap.Lookup(i.Name) == nil && t.link(i.Name) {
			d.Interfaces = append(d.Interfaces, &DesiredInterface{Path: "(restore)", Name: i.Name, State: StateAbsent})
		}
	}
	for _, r := range snap.Routes {
		if !r.Multipath && t.route(r) {
			d.Routes = append(d.Routes, exactRoute(r, false))
		}
	}
	had := make(map[routeKey]bool, len(snap.Routes))
	for _, r := range snap.Routes {
		had[keyOf(r, true)] = true
	}
	for _, r := range now.Routes {
		if !had[keyOf(r, true)] && !r.Multipath && t.route(r) {
			d.Routes = append(d.Routes, exactRoute(r, true))
		}
	}
	for _, r := range snap.Rules {
		if !r.Default && t.rule(r) {
			d.Rules = append(d.Rules, DesiredRule{Path: "(restore)", Rule: r, HasFamily: true, HasFwmark: true, HasAction: true})
		}
	}
	for _, r := range now.Rules {
		if !r.Default && t.rule(r) && !slices.ContainsFunc(snap.Rules, func(s Rule) bool { return s == r }) {
			d.Rules = append(d.Rules, DesiredRule{Path: "(restore)", Absent: true, Rule: r, HasFamily: true, HasFwmark: true, HasAction: true})
		}
	}
	if (t.all || t.hostname) && snap.Hostname != now.Hostname && snap.Hostname != "" {
		h := snap.Hostname
		d.Hostname = &h
	}
	p := newPlanner(now, d, true)
	if err := p.plan(); err != nil {
		return nil, err
	}
	ops := p.ops()
	if (t.all || t.dns) && (!slices.Equal(snap.DNS.Servers, now.DNS.Servers) || !slices.Equal(snap.DNS.Search, now.DNS.Search)) {
		dns := snap.DNS
		ops = append(ops, Op{Kind: OpDNS, DNS: &dns, Revert: true})
	}
	return ops, nil
}

// touched is what a plan can have changed: the links it names, with their
// veth peers, the links on them and their ports (which go or change with
// them); the routes through those links and those it adds or removes; the
// rules it adds or removes; resolv.conf and the host name if it sets them.
type touched struct {
	all           bool
	links         map[string]bool
	routes        map[routeKey]bool
	rules         []Rule
	dns, hostname bool
}

func touchedBy(plan []Op, snap, now *State) *touched {
	t := &touched{all: plan == nil, links: map[string]bool{}, routes: map[routeKey]bool{}}
	for _, op := range plan {
		switch op.Kind {
		case OpLinkAdd, OpLinkDel, OpLinkSet, OpAddrAdd, OpAddrDel:
			t.links[op.Name] = true
			if op.Link != nil && op.Link.Veth != nil {
				t.links[op.Link.Veth.Peer] = true
			}
		case OpRouteAdd, OpRouteDel:
			t.routes[keyOf(*op.Route, true)] = true
		case OpRuleAdd, OpRuleDel:
			t.rules = append(t.rules, *op.Rule)
		case OpDNS:
			t.dns = true
		case OpHostname:
			t.hostname = true
		}
	}
	for range 3 { // links on links on links
		for _, st := range []*State{snap, now} {
			for _, i := range st.Interfaces {
				if t.links[i.Name] && i.Veth != nil && i.Veth.Peer != "" {
					t.links[i.Veth.Peer] = true
				}
				if b := base(i); b != "" && t.links[b] || i.Controller != "" && t.links[i.Controller] {
					t.links[i.Name] = true
				}
			}
		}
	}
	return t
}

func (t *touched) link(name string) bool { return t.all || t.links[name] }

func (t *touched) route(r Route) bool {
	return t.all || r.Interface != "" && t.links[r.Interface] || t.routes[keyOf(r, true)]
}

func (t *touched) rule(r Rule) bool { return t.all || slices.Contains(t.rules, r) }

// desiredFrom is a snapshot interface as a complete desired interface.
func desiredFrom(i *Interface) *DesiredInterface {
	di := &DesiredInterface{Path: "(restore)", Name: i.Name, Type: i.Type, State: StateDown, index: i.Index}
	if i.Up {
		di.State = StateUp
	}
	if i.MTU > 0 {
		mtu := i.MTU
		di.MTU = &mtu
	}
	if i.MAC != "" && i.Type != TypeLoopback {
		mac := i.MAC
		di.MAC = &mac
	}
	ctl := i.Controller
	di.Controller = &ctl
	di.snap = append(slices.Clone(i.IPv4.Addresses), i.IPv6.Addresses...)
	for _, fam := range []struct {
		cur *IPState
		out **DesiredIP
	}{{&i.IPv4, &di.IPv4}, {&i.IPv6, &di.IPv6}} {
		ip := &DesiredIP{Enabled: true, HasAddresses: true, Addresses: []netip.Prefix{}}
		for _, a := range fam.cur.Addresses {
			if !a.Dynamic && !a.LinkLocal() {
				ip.Addresses = append(ip.Addresses, a.Prefix)
			}
		}
		*fam.out = ip
	}
	if b := i.Bridge; b != nil {
		stp := b.STP
		di.Bridge = &DesiredBridge{STP: &stp}
	}
	if b := i.Bond; b != nil {
		di.Bond = &DesiredBond{Mode: b.Mode}
		for _, k := range bondOptionNames {
			if v, ok := b.Options[k]; ok {
				if di.Bond.Options == nil {
					di.Bond.Options = map[string]string{}
				}
				di.Bond.Options[k] = v
			}
		}
	}
	di.VLAN, di.VXLAN, di.Veth, di.MacVlan = i.VLAN, i.VXLAN, i.Veth, i.MacVlan
	return di
}

func exactRoute(r Route, absent bool) DesiredRoute {
	return DesiredRoute{Path: "(restore)", Absent: absent, Route: r, HasDestination: true,
		HasGateway: r.Gateway.IsValid(), HasInterface: r.Interface != "", HasMetric: true, HasType: true}
}

// planner holds a plan being made: the current state, what will exist,
// and the operations of each phase.
type planner struct {
	cur   *State
	d     *Desired
	exact bool // restore: routes compare with metric and protocol

	byName  map[string]*Interface        // current links
	desired map[string]*DesiredInterface // by name
	gone    map[string]bool              // links removed by the plan
	created map[string]*Interface        // links the plan creates (veth peers too)
	flushed map[string]bool              // links that lose all IPv4 addresses for a while
	noIPv4  map[string]bool              // links left without IPv4 addresses
	downed  map[string]bool              // links the plan takes down (losing IPv6 addresses and routes)
	v4Final map[string][]netip.Prefix    // the IPv4 addresses links end with, where the plan changes them
	routes  []Route                      // the routes as they will be
	rules   []Rule                       // the non-default rules as they will be

	ruleDels, routeDels, addrDels, linkDels []Op
	linkAdds, linkSets, addrAdds            []Op
	routeAdds, ruleAdds, system             []Op
	notes                                   []string
}

func newPlanner(cur *State, d *Desired, exact bool) *planner {
	p := &planner{cur: cur, d: d, exact: exact,
		byName: make(map[string]*Interface, len(cur.Interfaces)), desired: map[string]*DesiredInterface{},
		gone: map[string]bool{}, created: map[string]*Interface{}, flushed: map[string]bool{}, noIPv4: map[string]bool{},
		downed: map[string]bool{}, v4Final: map[string][]netip.Prefix{}}
	for _, i := range cur.Interfaces {
		p.byName[i.Name] = i
	}
	for _, di := range d.Interfaces {
		p.desired[di.Name] = di
	}
	return p
}

func (p *planner) plan() error {
	for _, di := range p.d.Interfaces {
		if l := p.byName[di.Name]; l != nil && l.Up && di.State == StateDown {
			p.downed[di.Name] = true
		}
	}
	for _, step := range []func() error{p.removeLinks, p.createLinks, p.setLinks, p.addresses, p.planRoutes, p.planRules, p.planSystem} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func (p *planner) ops() []Op {
	var ops []Op
	for _, phase := range [][]Op{p.ruleDels, p.routeDels, p.addrDels, p.linkDels, p.linkAdds, p.linkSets,
		p.addrAdds, p.routeAdds, p.ruleAdds, p.system} {
		ops = append(ops, phase...)
	}
	return ops
}

// current returns the link as it is and will stay (nil when it does not
// exist or the plan removes it).
func (p *planner) current(name string) *Interface {
	if p.gone[name] {
		return nil
	}
	return p.byName[name]
}

// exists reports whether a link will exist once the plan has run.
func (p *planner) exists(name string) bool {
	return p.current(name) != nil || p.created[name] != nil
}

// base is the link a vlan, mac-vlan or vxlan sits on.
func base(i *Interface) string {
	switch {
	case i.VLAN != nil:
		return i.VLAN.Base
	case i.MacVlan != nil:
		return i.MacVlan.Base
	case i.VXLAN != nil:
		return i.VXLAN.Base
	}
	return ""
}

func (p *planner) removeLinks() error {
	var dels []*Interface
	goneBy := map[string]string{} // the path that removes each link
	for _, di := range p.d.Interfaces {
		ci := p.current(di.Name)
		if di.State != StateAbsent || ci == nil {
			continue
		}
		if ci.Type == TypeEthernet || ci.Type == TypeLoopback || ci.Type == TypeUnknown {
			return nmstate.Errorf(nmstate.Join(di.Path, "state"), "%s is of type %s, which cannot be removed; state: down takes it down", ci.Name, ci.Type)
		}
		p.gone[ci.Name], goneBy[ci.Name] = true, di.Path
		dels = append(dels, ci)
		if ci.Type == TypeVeth && ci.Veth != nil && p.current(ci.Veth.Peer) != nil {
			peer := ci.Veth.Peer
			if dp := p.desired[peer]; dp != nil && dp.State != StateAbsent {
				return nmstate.Errorf(dp.Path, "%s is the peer of %s, which is to be removed: a veth goes with its peer", peer, ci.Name)
			}
			p.gone[peer], goneBy[peer] = true, di.Path
		}
	}
	for _, ci := range p.cur.Interfaces {
		if b := base(ci); b != "" && p.gone[b] && !p.gone[ci.Name] {
			return nmstate.Errorf(goneBy[b], "%s is the base of %s, which would go with it; list %s with state: absent too", b, ci.Name, ci.Name)
		}
	}
	// Links on a base go before the base, the deepest first; otherwise
	// document order.
	depth := func(l *Interface) int {
		n := 0
		for b := base(l); b != "" && p.byName[b] != nil && n < len(p.cur.Interfaces); b = base(p.byName[b]) {
			n++
		}
		return n
	}
	slices.SortStableFunc(dels, func(a, b *Interface) int { return cmp.Compare(depth(b), depth(a)) })
	for _, ci := range dels {
		if ci.Type == TypeVeth && ci.Veth != nil && slices.ContainsFunc(p.linkDels, func(o Op) bool { return o.Name == ci.Veth.Peer }) {
			continue // went with its peer
		}
		p.linkDels = append(p.linkDels, Op{Kind: OpLinkDel, Name: ci.Name, Link: ci})
	}
	// Routes through removed links go with them.
	for _, r := range p.cur.Routes {
		if r.Interface == "" || !p.gone[r.Interface] {
			p.routes = append(p.routes, r)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// compatible reports whether an existing link of type have can stand for
// a desired one of type want (a veth is an ethernet to nmstate).
func compatible(want, have string) bool {
	return want == "" || want == have || want == TypeEthernet && have == TypeVeth
}

func (p *planner) createLinks() error {
	var adds []*Interface
	// The ends of veth pairs that name their peer come first, so that a
	// peer listed before its pair is known to be created with it.
	order := slices.Clone(p.d.Interfaces)
	slices.SortStableFunc(order, func(a, b *DesiredInterface) int {
		return cmp.Compare(boolInt(a.Veth == nil), boolInt(b.Veth == nil))
	})
	for _, di := range order {
		if di.State == StateAbsent {
			continue
		}
		if ci := p.current(di.Name); ci != nil {
			if !compatible(di.Type, ci.Type) {
				return nmstate.Errorf(nmstate.Join(di.Path, "type"), "%s is of type %s, not %s; remove it first (state: absent) to make it anew", di.Name, ci.Type, di.Type)
			}
			if err := fixedAttributes(di, ci); err != nil {
				return err
			}
			continue
		}
		if c := p.created[di.Name]; c != nil {
			if !compatible(di.Type, c.Type) {
				return nmstate.Errorf(nmstate.Join(di.Path, "type"), "%s is created as the peer of a veth, not a %s", di.Name, di.Type)
			}
			if err := fixedAttributes(di, c); err != nil {
				return err
			}
			continue
		}
		link, err := p.newLink(di)
		if err != nil {
			return err
		}
		p.created[di.Name] = link
		adds = append(adds, link)
		if link.Type == TypeVeth {
			peer := link.Veth.Peer
			if p.exists(peer) {
				return nmstate.Errorf(nmstate.Join(di.Path, "veth.peer"), "%s exists already", peer)
			}
			if dp := p.desired[peer]; dp != nil && dp.State == StateAbsent {
				return nmstate.Errorf(dp.Path, "%s is the peer of %s, which is created", peer, di.Name)
			}
			pl := &Interface{Name: peer, Type: TypeVeth, Veth: &VethState{Peer: di.Name}}
			if dp := p.desired[peer]; dp != nil {
				pl.Index = dp.index
			}
			p.created[peer] = pl
		}
	}
	for _, l := range adds {
		if b := base(l); b != "" && !p.exists(b) {
			return nmstate.Errorf(nmstate.Join(p.desired[l.Name].Path, sectionKey(l)+".base-iface"), "%s does not exist and is not created here", b)
		}
	}
	// Bases before the links on them.
	depth := func(l *Interface) int {
		n := 0
		for b := base(l); b != "" && p.created[b] != nil && n < len(adds); b = base(p.created[b]) {
			n++
		}
		return n
	}
	slices.SortStableFunc(adds, func(a, b *Interface) int { return cmp.Compare(depth(a), depth(b)) })
	for _, l := range adds {
		p.linkAdds = append(p.linkAdds, Op{Kind: OpLinkAdd, Name: l.Name, Link: l})
	}
	return nil
}

// fixedAttributes refuses a desired section that differs from what an
// existing link has in what cannot change on it: a vlan's base and id, a
// mac-vlan's base and mode, a vxlan's id, endpoints, port and base, a
// veth's peer. Fields the section leaves out are not compared.
func fixedAttributes(di *DesiredInterface, l *Interface) error {
	differ := func(section, what string, want, have any) error {
		return nmstate.Errorf(nmstate.Join(di.Path, section), "%s has %s %v, not %v: it cannot change on a link that exists; remove the link first (state: absent)", di.Name, what, have, want)
	}
	if v := di.VLAN; v != nil && l.VLAN != nil {
		if v.ID != l.VLAN.ID {
			return differ("vlan.id", "id", v.ID, l.VLAN.ID)
		}
		if v.Base != l.VLAN.Base && l.VLAN.Base != "" {
			return differ("vlan.base-iface", "base", v.Base, l.VLAN.Base)
		}
	}
	if v := di.MacVlan; v != nil && l.MacVlan != nil {
		if v.Base != l.MacVlan.Base && l.MacVlan.Base != "" {
			return differ("mac-vlan.base-iface", "base", v.Base, l.MacVlan.Base)
		}
		if v.Mode != "" && v.Mode != l.MacVlan.Mode {
			return differ("mac-vlan.mode", "mode", v.Mode, l.MacVlan.Mode)
		}
	}
	if v := di.VXLAN; v != nil && l.VXLAN != nil {
		switch {
		case v.ID != l.VXLAN.ID:
			return differ("vxlan.id", "id", v.ID, l.VXLAN.ID)
		case v.Remote.IsValid() && v.Remote != l.VXLAN.Remote:
			return differ("vxlan.remote", "remote", v.Remote, l.VXLAN.Remote)
		case v.Local.IsValid() && v.Local != l.VXLAN.Local:
			return differ("vxlan.local", "local", v.Local, l.VXLAN.Local)
		case v.Port != 0 && v.Port != l.VXLAN.Port:
			return differ("vxlan.destination-port", "destination port", v.Port, l.VXLAN.Port)
		case v.Base != "" && v.Base != l.VXLAN.Base:
			return differ("vxlan.base-iface", "base", v.Base, l.VXLAN.Base)
		}
	}
	if v := di.Veth; v != nil && l.Veth != nil && l.Veth.Peer != "" && v.Peer != l.Veth.Peer {
		return differ("veth.peer", "peer", v.Peer, l.Veth.Peer)
	}
	return nil
}

func sectionKey(l *Interface) string {
	switch l.Type {
	case TypeVLAN:
		return "vlan"
	case TypeVXLAN:
		return "vxlan"
	}
	return "mac-vlan"
}

// newLink is the link to create for a desired interface that does not
// exist.
func (p *planner) newLink(di *DesiredInterface) (*Interface, error) {
	l := &Interface{Name: di.Name, Type: di.Type, Index: di.index}
	// The MTU is set by link-set, in order: after the base's (a child
	// cannot be made above it), and, for a bridge, so that the kernel
	// takes it as set by the user and does not follow its ports'.
	// A veth takes it at creation, both ends.
	if di.MTU != nil && di.Type == TypeVeth {
		l.MTU = *di.MTU
	}
	if di.MAC != nil {
		l.MAC = *di.MAC
	}
	missing := func(section string) error {
		return nmstate.Errorf(di.Path, "%s does not exist; to create a %s, give its %s section", di.Name, di.Type, section)
	}
	switch di.Type {
	case "":
		return nil, nmstate.Errorf(di.Path, "%s does not exist, and without a type it cannot be created", di.Name)
	case TypeEthernet, TypeLoopback, TypeUnknown:
		return nil, nmstate.Errorf(di.Path, "%s does not exist, and netapplyctl cannot create a link of type %s", di.Name, di.Type)
	case TypeBridge:
		l.Bridge = &BridgeState{}
		if di.Bridge != nil && di.Bridge.STP != nil {
			l.Bridge.STP = *di.Bridge.STP
		}
	case TypeBond:
		l.Bond = &BondState{Mode: "balance-rr"}
		if di.Bond != nil {
			if di.Bond.Mode != "" {
				l.Bond.Mode = di.Bond.Mode
			}
			l.Bond.Options = di.Bond.Options
		}
	case TypeVeth:
		if di.Veth == nil {
			return nil, missing("veth.peer")
		}
		l.Veth = di.Veth
	case TypeVLAN:
		if di.VLAN == nil {
			return nil, missing("vlan")
		}
		l.VLAN = di.VLAN
	case TypeVXLAN:
		if di.VXLAN == nil {
			return nil, missing("vxlan")
		}
		v := *di.VXLAN
		if v.Port == 0 {
			v.Port = 4789
		}
		l.VXLAN = &v
	case TypeMacVlan:
		if di.MacVlan == nil {
			return nil, missing("mac-vlan")
		}
		m := *di.MacVlan
		if m.Mode == "" {
			m.Mode = "bridge"
		}
		l.MacVlan = &m
	}
	return l, nil
}

// setLinks plans the attribute changes: MTU, MAC, STP, bond options,
// controller and up or down, one link-set per link that changes.
func (p *planner) setLinks() error {
	want := map[string]string{}   // controller each port is to have
	wantBy := map[string]string{} // the path that asks it
	order := []string{}
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			order = append(order, n)
		}
	}
	setWant := func(port, ctl, path string) error {
		if prev, ok := want[port]; ok && prev != ctl {
			return nmstate.Errorf(path, "%s is listed as a port of %s here and of %s at %s", port, ctl, prev, wantBy[port])
		}
		want[port], wantBy[port] = ctl, path
		return nil
	}
	// Port lists claim their ports first; a link's own controller key
	// must agree with any list that names it and wins over a list that
	// leaves it out; only then do ports left out of a list leave.
	var leave []string
	leaveBy := map[string]string{}
	for _, di := range p.d.Interfaces {
		if di.State == StateAbsent {
			continue
		}
		add(di.Name)
		var ports []string
		has := false
		pp := ""
		if di.Bridge != nil && di.Bridge.HasPorts {
			ports, has, pp = di.Bridge.Ports, true, nmstate.Join(di.Path, "bridge.port")
		}
		if di.Bond != nil && di.Bond.HasPorts {
			ports, has, pp = di.Bond.Ports, true, nmstate.Join(di.Path, "link-aggregation.port")
		}
		if !has {
			continue
		}
		if err := p.checkController(di.Name, pp); err != nil {
			return err
		}
		for n, port := range ports {
			path := nmstate.Index(pp, n)
			if !p.exists(port) {
				if dp := p.desired[port]; dp != nil && dp.State == StateAbsent {
					return nmstate.Errorf(path, "port %s is removed at %s", port, dp.Path)
				}
				return nmstate.Errorf(path, "port %s does not exist and is not created here", port)
			}
			if port == di.Name {
				return nmstate.Errorf(path, "%s cannot be a port of itself", port)
			}
			if err := setWant(port, di.Name, path); err != nil {
				return err
			}
			add(port)
		}
		for _, ci := range p.cur.Interfaces {
			if ci.Controller == di.Name && !p.gone[ci.Name] && !slices.Contains(ports, ci.Name) {
				leave = append(leave, ci.Name)
				leaveBy[ci.Name] = pp
			}
		}
	}
	for _, di := range p.d.Interfaces {
		if di.State != StateAbsent && di.Controller != nil {
			ctl := *di.Controller
			path := nmstate.Join(di.Path, "controller")
			if ctl != "" && !p.exists(ctl) {
				return nmstate.Errorf(path, "%s does not exist and is not created here", ctl)
			}
			if ctl != "" {
				if err := p.checkController(ctl, path); err != nil {
					return err
				}
			}
			if prev, ok := want[di.Name]; ok && prev != ctl {
				return nmstate.Errorf(path, "%q, but %s lists %s as a port of %s", ctl, wantBy[di.Name], di.Name, prev)
			}
			want[di.Name], wantBy[di.Name] = ctl, path
		}
	}
	for _, port := range leave {
		if _, claimed := want[port]; !claimed {
			want[port], wantBy[port] = "", leaveBy[port]
			add(port)
		}
	}
	for _, di := range p.d.Interfaces {
		if di.State == StateAbsent || di.Bond == nil {
			continue
		}
		var have map[string]string
		if l := p.current(di.Name); l != nil && l.Bond != nil {
			have = l.Bond.Options
		}
		for _, k := range sortedKeys(di.Bond.Options) {
			if have[k] != di.Bond.Options[k] && !slices.Contains(bondOptionNames, k) {
				return nmstate.Errorf(nmstate.Join(di.Path, "link-aggregation.options."+k), "netapplyctl sets only the bond options %s", strings.Join(bondOptionNames, ", "))
			}
		}
		if l := p.current(di.Name); l != nil && l.Bond != nil && di.Bond.Mode != "" && di.Bond.Mode != l.Bond.Mode {
			return nmstate.Errorf(nmstate.Join(di.Path, "link-aggregation.mode"), "%s is in mode %s: changing the mode needs the bond removed first (state: absent)", di.Name, l.Bond.Mode)
		}
	}
	// Controllers before their ports, bases before the links on them.
	depth := map[string]int{}
	var depthOf func(string, int) int
	depthOf = func(n string, guard int) int {
		if d, ok := depth[n]; ok || guard > 8 {
			return d
		}
		d := 0
		l := p.current(n)
		if l == nil {
			l = p.created[n]
		}
		if l != nil {
			if b := base(l); b != "" {
				d = max(d, depthOf(b, guard+1)+1)
			}
		}
		if c, ok := want[n]; ok && c != "" {
			d = max(d, depthOf(c, guard+1)+1)
		} else if l != nil && l.Controller != "" {
			d = max(d, depthOf(l.Controller, guard+1)+1)
		}
		depth[n] = d
		return d
	}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(depthOf(a, 0), depthOf(b, 0)) })
	for _, name := range order {
		set := p.linkSet(name, want)
		if set != nil {
			p.linkSets = append(p.linkSets, Op{Kind: OpLinkSet, Name: name, Set: set})
		}
	}
	return nil
}

// checkController checks that a link that is to have ports is, or is
// created as, a bridge or a bond.
func (p *planner) checkController(name, path string) error {
	l := p.current(name)
	if l == nil {
		l = p.created[name]
	}
	if l != nil && l.Type != TypeBridge && l.Type != TypeBond {
		return nmstate.Errorf(path, "%s is of type %s: only a linux-bridge or a bond has ports", name, l.Type)
	}
	return nil
}

// linkSet is what changes on one link, nil when nothing does.
func (p *planner) linkSet(name string, want map[string]string) *LinkSet {
	l := p.current(name)
	if l == nil {
		l = p.created[name]
	}
	di := p.desired[name]
	s := &LinkSet{}
	changed := false
	if di != nil {
		if di.MTU != nil && *di.MTU != l.MTU {
			s.MTU, changed = di.MTU, true
		}
		if di.MAC != nil && *di.MAC != l.MAC {
			s.MAC, changed = di.MAC, true
		}
		if di.Bridge != nil && di.Bridge.STP != nil && l.Bridge != nil && *di.Bridge.STP != l.Bridge.STP {
			s.STP, changed = di.Bridge.STP, true
		}
		if di.Bond != nil && l.Bond != nil && p.created[name] == nil {
			for k, v := range di.Bond.Options {
				if l.Bond.Options[k] != v {
					if s.BondOptions == nil {
						s.BondOptions = map[string]string{}
					}
					s.BondOptions[k], changed = v, true
				}
			}
		}
	}
	if c, ok := want[name]; ok && c != l.Controller {
		s.Controller, changed = &c, true
	}
	up := l.Up
	switch {
	case di != nil:
		up = di.State == StateUp
	case want[name] != "":
		up = true // a port named only by its controller is brought up, as nmstate does
	}
	if up != l.Up {
		s.Up, changed = &up, true
	}
	if !changed {
		return nil
	}
	return s
}

// addresses plans each listed ipv4 and ipv6 section: the static set
// becomes the listed one; dynamic and link-local addresses stay.
func (p *planner) addresses() error {
	for _, di := range p.d.Interfaces {
		if di.State == StateAbsent {
			continue
		}
		for _, fam := range []struct {
			ip  *DesiredIP
			key string
			v6  bool
		}{{di.IPv4, "ipv4", false}, {di.IPv6, "ipv6", true}} {
			ip := fam.ip
			if ip == nil {
				continue
			}
			if ip.DHCP {
				what := "DHCP"
				if fam.v6 {
					what = "autoconf"
				}
				p.notes = append(p.notes, fmt.Sprintf("%s.%s: netapplyctl runs no %s client: dynamic addresses of %s are left as they are", di.Path, fam.key, what, di.Name))
			}
			if ip.Enabled && !ip.HasAddresses {
				continue
			}
			// Link-local addresses are the kernel's: a list copied from
			// show (fe80::…) does not add or keep them.
			var want []netip.Prefix
			if ip.Enabled {
				for _, a := range ip.Addresses {
					if !(a.Addr().Is6() && a.Addr().IsLinkLocalUnicast()) {
						want = append(want, a)
					}
				}
			}
			p.familyAddresses(di.Name, want, fam.v6, di.snap)
		}
	}
	return nil
}

func (p *planner) familyAddresses(name string, want []netip.Prefix, v6 bool, snap []Address) {
	var have []Address
	if l := p.current(name); l != nil {
		have = l.IPv4.Addresses
		if v6 {
			have = l.IPv6.Addresses
		}
	}
	if v6 && p.downed[name] {
		have = nil // taking a link down removes its IPv6 addresses: add them after
	}
	inWant := func(pf netip.Prefix) bool { return slices.Contains(want, pf) }
	var dels []Address
	for _, a := range have {
		if !a.Dynamic && !a.LinkLocal() && !inWant(a.Prefix) {
			dels = append(dels, a)
		}
	}
	if p.exact && !v6 {
		// A restore puts the IPv4 addresses back in their order too: what
		// follows the longest common start is removed and added again.
		var static []Address
		for _, a := range have {
			if !a.Dynamic {
				static = append(static, a)
			}
		}
		k := 0
		for k < len(static) && k < len(want) && static[k].Prefix == want[k] {
			k++
		}
		dels = static[k:]
	}
	orig := have
	if p.exact && !v6 {
		have = slices.DeleteFunc(slices.Clone(have), func(a Address) bool {
			return slices.ContainsFunc(dels, func(d Address) bool { return d.Prefix == a.Prefix })
		})
	}
	// With promote_secondaries 0, deleting an IPv4 primary drops the
	// secondaries of its subnet: those that are to stay are added again.
	deleted := func(pf netip.Prefix) bool {
		return slices.ContainsFunc(dels, func(d Address) bool { return d.Prefix == pf })
	}
	dropped := map[netip.Prefix]bool{}
	if l := p.current(name); !v6 && (l == nil || !l.PromoteSecondaries) {
		for _, d := range dels {
			if d.Secondary {
				continue
			}
			for _, a := range have {
				if a.Secondary && !deleted(a.Prefix) && a.Prefix.Bits() == d.Prefix.Bits() && d.Prefix.Masked().Contains(a.Prefix.Addr()) {
					dropped[a.Prefix] = true
				}
			}
		}
	}
	// Secondaries first, before the primary that would take them along.
	slices.SortStableFunc(dels, func(a, b Address) int { return -cmp.Compare(boolInt(a.Secondary), boolInt(b.Secondary)) })
	for _, d := range dels {
		a := d
		p.addrDels = append(p.addrDels, Op{Kind: OpAddrDel, Name: name, Address: &a})
	}
	remaining := 0
	for _, a := range orig {
		if !dropped[a.Prefix] && !deleted(a.Prefix) {
			remaining++
		}
	}
	if !v6 && len(orig) > 0 && remaining == 0 {
		p.flushed[name] = true // the last IPv4 address takes the link's IPv4 routes along
	}
	if !v6 && remaining+len(want) == 0 {
		p.noIPv4[name] = true // and without one, they are not added back
	}
	if !v6 {
		final := slices.Clone(want)
		for _, a := range orig {
			if !dropped[a.Prefix] && !deleted(a.Prefix) && !slices.Contains(final, a.Prefix) {
				final = append(final, a.Prefix)
			}
		}
		p.v4Final[name] = final
	}
	for _, pf := range want {
		present := slices.ContainsFunc(have, func(a Address) bool { return a.Prefix == pf })
		if present && !dropped[pf] {
			continue
		}
		a := &Address{Prefix: pf}
		if at := slices.IndexFunc(snap, func(s Address) bool { return s.Prefix == pf }); at >= 0 {
			a.Broadcast, a.Flags = snap[at].Broadcast, snap[at].Flags
		}
		p.addrAdds = append(p.addrAdds, Op{Kind: OpAddrAdd, Name: name, Address: a})
	}
}

// routeKey is what makes routes equal as nmstate has it: destination, next
// hop, interface, table and type; exact (a restore) adds the metric and
// the protocol.
type routeKey struct {
	dst       netip.Prefix
	gw        netip.Addr
	dev       string
	table     int
	typ       string
	metric    int
	protocol  string
	onlink    bool
	src       netip.Addr
	linkScope bool
}

func keyOf(r Route, exact bool) routeKey {
	k := routeKey{dst: r.Destination, gw: r.Gateway, dev: r.Interface, table: r.Table, typ: r.Type}
	if exact {
		k.metric, k.protocol, k.onlink, k.src, k.linkScope = r.Metric, r.Protocol, r.OnLink, r.Source, r.LinkScope
	}
	return k
}

// candidate reports whether a route is one plans remove or put back: a
// config route (protocol boot or static; in a restore, any), not a hop of
// a multipath route.
func (p *planner) candidate(r Route) bool {
	return (r.Config() || p.exact) && !r.Multipath
}

// canReadd reports whether a route the link lost with its addresses can
// be added back: its gateway is in one of the link's new subnets, and no
// route planned takes its place (same destination, table and metric, which
// the kernel would refuse as existing).
func (p *planner) canReadd(r Route) bool {
	if r.Gateway.IsValid() && !r.OnLink && !p.exact {
		final := p.v4Final[r.Interface]
		if !slices.ContainsFunc(final, func(pf netip.Prefix) bool { return pf.Masked().Contains(r.Gateway) }) {
			return false
		}
	}
	if r.Source.IsValid() && !p.exact && r.Source.Is4() {
		final := p.v4Final[r.Interface]
		if !slices.ContainsFunc(final, func(pf netip.Prefix) bool { return pf.Addr() == r.Source }) {
			return false // its preferred source is gone
		}
	}
	return !slices.ContainsFunc(p.routes, func(c Route) bool {
		return c.Destination == r.Destination && c.Table == r.Table && c.Metric == r.Metric
	})
}

// matches reports whether an absent entry matches a route: every field
// it sets is equal; table 0 is any table; the metric counts only in a
// restore.
func (e *DesiredRoute) matches(r Route, exact bool) bool {
	return (!e.HasDestination || e.Route.Destination == r.Destination) &&
		(!e.HasGateway || e.Route.Gateway == r.Gateway) &&
		(!e.HasInterface || e.Route.Interface == r.Interface) &&
		(e.Route.Table == 0 || e.Route.Table == r.Table) &&
		(!e.HasType || e.Route.Type == r.Type) &&
		(!exact || e.Route.Metric == r.Metric && e.Route.Protocol == r.Protocol)
}

func (p *planner) planRoutes() error {
	// Links that lose their last IPv4 address lose their IPv4 routes.
	// Links that lose their last IPv4 address for a while lose their IPv4
	// routes: the config ones are added back (routes are only removed
	// when asked), unless an absent entry matches them or the link is
	// left without IPv4 (as nmstate drops the routes of a link whose IPv4
	// is disabled).
	var lost []Route
	kept := p.routes[:0:0]
	for _, r := range p.routes {
		if p.downed[r.Interface] {
			continue // a link taken down loses its routes, for good
		}
		if r.Destination.Addr().Is4() && p.flushed[r.Interface] {
			if p.candidate(r) && !p.noIPv4[r.Interface] {
				lost = append(lost, r)
			}
			continue
		}
		kept = append(kept, r)
	}
	p.routes = kept
	for n := range p.d.Routes {
		e := &p.d.Routes[n]
		if !e.Absent {
			continue
		}
		p.routes = slices.DeleteFunc(p.routes, func(r Route) bool {
			if !p.candidate(r) || !e.matches(r, p.exact) {
				return false
			}
			p.routeDels = append(p.routeDels, Op{Kind: OpRouteDel, Name: r.Interface, Route: &r})
			return true
		})
		lost = slices.DeleteFunc(lost, func(r Route) bool { return e.matches(r, p.exact) })
	}
	have := make(map[routeKey]bool, len(p.routes))
	for _, r := range p.routes {
		have[keyOf(r, p.exact)] = true
	}
	defer func() {
		for _, r := range lost {
			if !have[keyOf(r, p.exact)] && p.canReadd(r) {
				rr := r
				have[keyOf(r, p.exact)] = true
				p.routes = append(p.routes, r)
				p.routeAdds = append(p.routeAdds, Op{Kind: OpRouteAdd, Name: r.Interface, Route: &rr})
			}
		}
	}()
	for n := range p.d.Routes {
		e := &p.d.Routes[n]
		if e.Absent {
			continue
		}
		r := e.Route
		if r.Interface != "" && !p.exists(r.Interface) {
			return nmstate.Errorf(nmstate.Join(e.Path, "next-hop-interface"), "%s does not exist and is not created here", r.Interface)
		}
		if dr := p.desired[r.Interface]; r.Interface != "" && dr != nil && dr.State == StateDown && !p.exact {
			return nmstate.Errorf(nmstate.Join(e.Path, "next-hop-interface"), "%s is to be down, and a route needs its interface up", r.Interface)
		}
		if have[keyOf(r, p.exact)] {
			continue
		}
		if r.Metric < 0 {
			r.Metric = 0
			if r.Destination.Addr().Is6() {
				r.Metric = 1024 // what the kernel gives an IPv6 route without one
			}
		}
		have[keyOf(r, p.exact)] = true
		p.routes = append(p.routes, r)
		p.routeAdds = append(p.routeAdds, Op{Kind: OpRouteAdd, Name: r.Interface, Route: &r})
	}
	return nil
}

// matches reports whether an absent rule entry matches a rule: every
// field it sets is equal; priority -1 and table 0 are any.
func (e *DesiredRule) matches(r Rule) bool {
	w := e.Rule
	return (!w.From.IsValid() || w.From == r.From) && (!w.To.IsValid() || w.To == r.To) &&
		(!e.HasFamily || w.Family == r.Family) && (w.Priority < 0 || w.Priority == r.Priority) &&
		(w.Table == 0 || w.Table == r.Table) && (!e.HasFwmark || w.Fwmark == r.Fwmark && w.Fwmask == r.Fwmask) &&
		(w.Iif == "" || w.Iif == r.Iif) && (!e.HasAction || w.Action == r.Action)
}

// sameRule is rule equality; a desired rule without a priority takes any.
func sameRule(want, have Rule) bool {
	w := want
	if w.Priority < 0 {
		w.Priority = have.Priority
	}
	w.Default = have.Default
	return w == have
}

func (p *planner) planRules() error {
	for _, r := range p.cur.Rules {
		if !r.Default && !r.Opaque {
			p.rules = append(p.rules, r)
		}
	}
	for n := range p.d.Rules {
		e := &p.d.Rules[n]
		if !e.Absent {
			continue
		}
		p.rules = slices.DeleteFunc(p.rules, func(r Rule) bool {
			if !e.matches(r) {
				return false
			}
			p.ruleDels = append(p.ruleDels, Op{Kind: OpRuleDel, Rule: &r})
			return true
		})
	}
	for n := range p.d.Rules {
		e := &p.d.Rules[n]
		if e.Absent {
			continue
		}
		r := e.Rule
		if slices.ContainsFunc(p.rules, func(c Rule) bool { return sameRule(r, c) }) {
			continue
		}
		if r.Priority < 0 {
			// nmstate: max(existing, 29999) + 1
			r.Priority = 29999
			for _, c := range p.rules {
				r.Priority = max(r.Priority, c.Priority)
			}
			r.Priority++
		}
		p.rules = append(p.rules, r)
		p.ruleAdds = append(p.ruleAdds, Op{Kind: OpRuleAdd, Rule: &r})
	}
	return nil
}

func (p *planner) planSystem() error {
	if d := p.d.DNS; d != nil {
		next := DNS{Servers: p.cur.DNS.Servers, Search: p.cur.DNS.Search}
		if d.HasServers {
			next.Servers = d.Servers
		}
		if d.HasSearch {
			next.Search = d.Search
		}
		if !slices.Equal(next.Servers, p.cur.DNS.Servers) || !slices.Equal(next.Search, p.cur.DNS.Search) {
			p.system = append(p.system, Op{Kind: OpDNS, DNS: &next})
		}
	}
	if h := p.d.Hostname; h != nil && *h != p.cur.Hostname {
		p.system = append(p.system, Op{Kind: OpHostname, Hostname: *h})
	}
	return nil
}

// Verify checks, after an apply, that the desired state holds in the
// state read back: planning d against it must give nothing to do. The
// error names the first thing that differs.
func Verify(d *Desired, now *State) error {
	ops, _, err := Plan(now, d)
	if err != nil {
		return fmt.Errorf("verification: %w", err)
	}
	if len(ops) > 0 {
		return fmt.Errorf("verification: the kernel does not hold the desired state: %s would still be needed", ops[0])
	}
	return nil
}
