package render

import (
	"slices"
	"strconv"
	"strings"
)

// Ifupdown renders /etc/network/interfaces: Debian's ifupdown, or with
// Alpine set, Alpine's ifupdown-ng.
//
// Debian (interfaces(5), ifenslave's README.Debian, vlan-interfaces(5),
// bridge-utils-interfaces(5)): one stanza per address family and method,
// and one per static address, since ifupdown keeps only the first
// "address" of a stanza. The first stanza of an interface carries its
// link settings (hwaddress ether, mtu, description) and its kind's
// options: bond-slaves, bond-mode, bond-miimon, ... on a bond and
// bond-master on its ports; bridge_ports and bridge_stp on a bridge, whose
// ethernet ports get no stanza of their own; vlan-raw-device on a VLAN.
// A MAC-matched interface gets a "rename mac/<mac>=<name>" line, which
// ifup carries out before it configures the interface.
//
// Alpine (ifupdown-ng's interfaces(5), interfaces-bond(5),
// interfaces-bridge(5), interfaces-vlan(5), interfaces-ipv6(5)): one
// "iface NAME" stanza per interface with "use dhcp", "use bond" with
// bond-members, "use bridge" with bridge-ports, vlan-raw-device and
// vlan-id, and every address on an "address" line.
//
// Both: "auto" only for interfaces that are up; routes and rules as "up ip
// route add ..." and "up ip rule add ..." commands placed after the
// address that reaches their gateway (with onlink when none does), each
// with its matching removal before the interface goes down; bonds and
// VLANs list their modules in /etc/modules-load.d/netrender.conf, which
// systemd-modules-load (Debian) and OpenRC's modules service (Alpine)
// read besides /etc/modules, so that the distribution's own /etc/modules
// (Alpine's lists af_packet and ipv6) is left as it is. DNS goes to
// /etc/resolv.conf ([Files]).
//
// What the format cannot express is an [*UnsupportedError]: on Alpine a
// MAC match, DHCPv6 (ifupdown-ng has no DHCPv6 client) and DHCP route
// metrics; on both, IPv6 route metrics from DHCPv6 or router
// advertisements, and VLAN names that the tools would read as another
// VLAN.
type Ifupdown struct {
	Alpine bool
}

// Name returns "ifupdown" or "ifupdown-ng".
func (r Ifupdown) Name() string {
	if r.Alpine {
		return "ifupdown-ng"
	}
	return "ifupdown"
}

// eniStanza is one "iface" stanza.
type eniStanza struct {
	family, method string // Debian only: "inet" or "inet6", and the method
	opts           []string
	ups, downs     []string // commands, downs in the order they were added
}

// eniIface is what one interface gets: an optional rename line, "auto"
// when it is up, and its stanzas.
type eniIface struct {
	iface   *Interface
	rename  string
	stanzas []*eniStanza
}

// Render returns /etc/network/interfaces (0644) and, with bonds or VLANs,
// /etc/modules-load.d/netrender.conf (0644). It returns an
// [*UnsupportedError] for what the flavour cannot express.
//
// Render is safe for concurrent use.
func (r Ifupdown) Render(st *State) ([]File, error) {
	var ifaces []*eniIface
	byIface := map[*Interface]*eniIface{}
	for _, i := range dependencyOrder(st.Interfaces) {
		var e *eniIface
		var err error
		if r.Alpine {
			e, err = r.alpine(i)
		} else {
			e, err = r.debian(i)
		}
		if err != nil {
			return nil, err
		}
		if e != nil {
			ifaces = append(ifaces, e)
			byIface[i] = e
		}
	}
	for _, rt := range st.Routes {
		e := byIface[rt.Interface]
		if e == nil {
			return nil, &UnsupportedError{Path: rt.Path + ".next-hop-interface", Renderer: r.Name()}
		}
		s := routeStanza(e, rt)
		ip := "ip "
		if rt.Destination.Addr().Is6() {
			ip = "ip -6 "
		}
		args := routeArgs(rt, needsOnlink(rt))
		s.ups = append(s.ups, ip+"route add "+args)
		s.downs = append(s.downs, ip+"route del "+args)
	}
	for _, ru := range st.Rules {
		e := byIface[ru.Interface]
		if e == nil {
			return nil, &UnsupportedError{Path: ru.Path, Renderer: r.Name()}
		}
		s := e.stanzas[len(e.stanzas)-1]
		fam := familyOf(ruleIs6(ru))
		for _, c := range e.stanzas {
			if c.family == fam {
				s = c
			}
		}
		ip := "ip "
		if ruleIs6(ru) {
			ip = "ip -6 "
		}
		s.ups = append(s.ups, ip+"rule add "+ruleArgs(ru))
		s.downs = append(s.downs, ip+"rule del "+ruleArgs(ru))
	}

	var b strings.Builder
	b.WriteString(header + "\nauto lo\n")
	if r.Alpine {
		b.WriteString("iface lo\n    use loopback\n")
	} else {
		b.WriteString("iface lo inet loopback\n")
	}
	down := "down"
	if r.Alpine {
		// ifupdown-ng runs "down" commands after its executors have
		// removed the addresses; "pre-down" runs before, as Debian's
		// "down" does.
		down = "pre-down"
	}
	for _, e := range ifaces {
		b.WriteString("\n")
		if e.rename != "" {
			b.WriteString(e.rename + "\n")
		}
		if !e.iface.Down {
			b.WriteString("auto " + e.iface.Name + "\n")
		}
		for k, s := range e.stanzas {
			if k > 0 {
				b.WriteString("\n")
			}
			b.WriteString("iface " + e.iface.Name)
			if s.family != "" {
				b.WriteString(" " + s.family + " " + s.method)
			}
			b.WriteString("\n")
			for _, o := range s.opts {
				b.WriteString("    " + o + "\n")
			}
			for _, c := range s.ups {
				b.WriteString("    up " + c + "\n")
			}
			for k := len(s.downs) - 1; k >= 0; k-- {
				b.WriteString("    " + down + " " + s.downs[k] + "\n")
			}
		}
	}
	files := []File{{Path: "/etc/network/interfaces", Mode: 0o644, Content: []byte(b.String())}}
	if mods := modules(st); len(mods) > 0 {
		files = append(files, File{Path: "/etc/modules-load.d/netrender.conf", Mode: 0o644,
			Content: []byte(header + strings.Join(mods, "\n") + "\n")})
	}
	return files, nil
}

// modules returns the kernel modules the interfaces need loaded at boot.
func modules(st *State) []string {
	var bond, vlan bool
	for _, i := range st.Interfaces {
		bond = bond || i.Kind == Bond
		vlan = vlan || i.Kind == VLAN
	}
	var mods []string
	if bond {
		mods = append(mods, "bonding")
	}
	if vlan {
		mods = append(mods, "8021q")
	}
	return mods
}

func familyOf(v6 bool) string {
	if v6 {
		return "inet6"
	}
	return "inet"
}

// routeStanza picks the stanza a route's commands go in: the static
// stanza whose address reaches the gateway, else the family's DHCP or
// autoconf stanza, else the family's first stanza, else the first.
func routeStanza(e *eniIface, rt Route) *eniStanza {
	if len(e.stanzas) == 1 {
		return e.stanzas[0]
	}
	fam := familyOf(rt.Destination.Addr().Is6())
	var dyn, first *eniStanza
	for _, s := range e.stanzas {
		if s.family != fam {
			continue
		}
		if first == nil {
			first = s
		}
		switch s.method {
		case "dhcp", "auto":
			dyn = s
		case "static":
			if staticReaches(s, rt) {
				return s
			}
		}
	}
	switch {
	case dyn != nil:
		return dyn
	case first != nil:
		return first
	}
	return e.stanzas[0]
}

// staticReaches reports whether the address of a static stanza reaches a
// route's gateway or, for a route without one, lies in or around its
// destination.
func staticReaches(s *eniStanza, rt Route) bool {
	a, ok := strings.CutPrefix(s.opts[0], "address ")
	if !ok {
		return false
	}
	for _, p := range append(slices.Clone(rt.Interface.IPv4.Addresses), rt.Interface.IPv6.Addresses...) {
		if p.String() != a {
			continue
		}
		if rt.Via.IsValid() {
			return p.Masked().Contains(rt.Via)
		}
		return p.Masked().Overlaps(rt.Destination)
	}
	return false
}

// dependencyOrder returns the interfaces so that each comes after what it
// needs (a VLAN's base, a bond's or bridge's ports), otherwise in
// document order.
func dependencyOrder(list []*Interface) []*Interface {
	out := make([]*Interface, 0, len(list))
	done := make(map[*Interface]bool, len(list))
	var visit func(i *Interface)
	visit = func(i *Interface) {
		if done[i] {
			return
		}
		done[i] = true
		if i.VLAN != nil {
			visit(i.VLAN.Base)
		}
		if i.Bond != nil {
			for _, p := range i.Bond.Ports {
				visit(p)
			}
		}
		if i.Bridge != nil {
			for _, p := range i.Bridge.Ports {
				visit(p)
			}
		}
		out = append(out, i)
	}
	for _, i := range list {
		visit(i)
	}
	return out
}

// bondOptionNames maps the bond options to ifenslave's and ifupdown-ng's
// spellings.
var bondOptionNames = map[string][2]string{
	"miimon":           {"bond-miimon", "bond-miimon"},
	"updelay":          {"bond-updelay", "bond-updelay"},
	"downdelay":        {"bond-downdelay", "bond-downdelay"},
	"lacp_rate":        {"bond-lacp-rate", "bond-lacp-rate"},
	"xmit_hash_policy": {"bond-xmit_hash_policy", "bond-xmit-hash-policy"},
	"primary":          {"bond-primary", "bond-primary"},
}

// bondOpts returns a bond's mode and options, sorted by name.
func (r Ifupdown) bondOpts(b *BondConfig) []string {
	out := []string{"bond-mode " + b.Mode}
	flavour := 0
	if r.Alpine {
		flavour = 1
	}
	for _, k := range sortedKeys(anyMap(b.Options)) {
		out = append(out, bondOptionNames[k][flavour]+" "+b.Options[k])
	}
	return out
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func portNames(ports []*Interface) string {
	if len(ports) == 0 {
		return "none"
	}
	names := make([]string, len(ports))
	for k, p := range ports {
		names[k] = p.Name
	}
	return strings.Join(names, " ")
}

func onOff(b *bool) string {
	// nmstate's default for STP is on; the kernel's is off, so it is
	// always written.
	if b == nil || *b {
		return "on"
	}
	return "off"
}

// isDottedVLAN reports whether a VLAN's name is BASE.ID, with the ID in
// plain decimal.
func isDottedVLAN(i *Interface) bool {
	return i.Name == i.VLAN.Base.Name+"."+strconv.Itoa(i.VLAN.ID)
}

// debian builds an interface's stanzas for Debian's ifupdown; nil for an
// ethernet port of a bridge, which bridge-utils sets up itself.
func (r Ifupdown) debian(i *Interface) (*eniIface, error) {
	unsupported := func(key string) error {
		return &UnsupportedError{Path: i.Path + "." + key, Renderer: r.Name()}
	}
	if i.Controller != nil && i.Controller.Kind == Bridge && i.Kind == Ethernet {
		// bridge-utils-interfaces(5): the ports "shouldn't have any
		// stanzas"; the bridge brings them up with its own MTU.
		switch {
		case i.Path == "":
		case i.Down:
			return nil, unsupported("state")
		case i.MatchMAC != "":
			return nil, unsupported("identifier")
		case i.CloneMAC != "":
			return nil, unsupported("mac-address")
		case i.MTU != 0 && i.MTU != i.Controller.MTU:
			return nil, unsupported("mtu")
		case i.Description != "":
			return nil, unsupported("description")
		}
		return nil, nil
	}
	if (i.IPv6.DHCP || i.IPv6.Autoconf) && i.IPv6.AutoRouteMetric != 0 {
		return nil, unsupported("ipv6.auto-route-metric")
	}
	e := &eniIface{iface: i}
	if i.MatchMAC != "" {
		// interfaces(5), INTERFACE RENAMING and PATTERN MATCHING; sysfs
		// shows MACs in lower case and the match is fnmatch(3).
		e.rename = "rename mac/" + strings.ToLower(i.MatchMAC) + "=" + i.Name
	}

	var link, kind []string
	if i.CloneMAC != "" {
		link = append(link, "hwaddress ether "+i.CloneMAC)
	}
	if i.MTU != 0 {
		link = append(link, "mtu "+strconv.Itoa(i.MTU))
	}
	if d := strings.TrimSpace(i.Description); d != "" {
		link = append(link, "description "+d)
	}
	var preUp, postDown []string
	switch {
	case i.Bond != nil:
		kind = append(kind, "bond-slaves "+portNames(i.Bond.Ports))
		kind = append(kind, r.bondOpts(i.Bond)...)
	case i.Bridge != nil:
		kind = append(kind, "bridge_ports "+portNames(i.Bridge.Ports), "bridge_stp "+onOff(i.Bridge.STP))
	case i.VLAN != nil:
		kind = append(kind, "vlan-raw-device "+i.VLAN.Base.Name)
		switch {
		case isDottedVLAN(i) || i.Name == "vlan"+strconv.Itoa(i.VLAN.ID):
			// ifupdown itself (BASE.ID) or the vlan package (vlanID)
			// creates it.
		case strings.Contains(i.Name, ".") || strings.HasPrefix(i.Name, "vlan"):
			// ifupdown and the vlan package would take the ID, or the
			// base, from the name.
			return nil, unsupported("name")
		default:
			preUp = append(preUp, "ip link add link "+i.VLAN.Base.Name+" name "+i.Name+" type vlan id "+strconv.Itoa(i.VLAN.ID))
			postDown = append(postDown, "ip link delete "+i.Name)
		}
	}
	if i.Controller != nil && i.Controller.Kind == Bond {
		kind = append(kind, "bond-master "+i.Controller.Name)
	}

	var v4 []*eniStanza
	if i.IPv4.DHCP {
		s := &eniStanza{family: "inet", method: "dhcp"}
		if i.IPv4.AutoRouteMetric != 0 {
			s.opts = append(s.opts, "metric "+strconv.Itoa(i.IPv4.AutoRouteMetric))
		}
		v4 = append(v4, s)
	}
	for _, a := range i.IPv4.Addresses {
		v4 = append(v4, &eniStanza{family: "inet", method: "static", opts: []string{"address " + a.String()}})
	}
	// The first stanza carries the link: inet dhcp has no mtu option,
	// so a DHCP interface with an MTU, like one without IPv4, gets an
	// inet manual stanza first.
	if len(v4) == 0 || (v4[0].method == "dhcp" && i.MTU != 0) {
		v4 = append([]*eniStanza{{family: "inet", method: "manual"}}, v4...)
	}
	first := v4[0]
	first.opts = append(first.opts, link...)
	first.opts = append(first.opts, kind...)
	for _, c := range preUp {
		first.opts = append(first.opts, "pre-up "+c)
	}
	for _, c := range postDown {
		first.opts = append(first.opts, "post-down "+c)
	}
	e.stanzas = v4

	v6 := i.IPv6
	if v6.DHCP {
		e.stanzas = append(e.stanzas, &eniStanza{family: "inet6", method: "dhcp", opts: []string{"autoconf " + boolDigit(v6.Autoconf)}})
	} else if v6.Autoconf && len(v6.Addresses) == 0 {
		e.stanzas = append(e.stanzas, &eniStanza{family: "inet6", method: "auto"})
	}
	for _, a := range v6.Addresses {
		s := &eniStanza{family: "inet6", method: "static", opts: []string{"address " + a.String()}}
		// Every inet6 static stanza sets autoconf (default 0); without
		// DHCPv6 or autoconf, router advertisements are not taken either.
		switch {
		case v6.Autoconf:
			s.opts = append(s.opts, "autoconf 1")
		case !v6.DHCP:
			s.opts = append(s.opts, "accept_ra 0")
		}
		e.stanzas = append(e.stanzas, s)
	}
	return e, nil
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// alpine builds an interface's stanza for ifupdown-ng.
func (r Ifupdown) alpine(i *Interface) (*eniIface, error) {
	unsupported := func(key string) error {
		return &UnsupportedError{Path: i.Path + "." + key, Renderer: r.Name()}
	}
	switch {
	case i.MatchMAC != "":
		return nil, unsupported("identifier")
	case i.IPv6.DHCP:
		return nil, unsupported("ipv6.dhcp")
	case i.IPv4.DHCP && i.IPv4.AutoRouteMetric != 0:
		return nil, unsupported("ipv4.auto-route-metric")
	case i.IPv6.Autoconf && i.IPv6.AutoRouteMetric != 0:
		return nil, unsupported("ipv6.auto-route-metric")
	case i.Bond != nil && len(i.Bond.Ports) == 0:
		return nil, unsupported("link-aggregation.port")
	}
	s := &eniStanza{}
	switch {
	case i.Bond != nil:
		s.opts = append(s.opts, "use bond", "bond-members "+portNames(i.Bond.Ports))
		s.opts = append(s.opts, r.bondOpts(i.Bond)...)
	case i.Bridge != nil:
		s.opts = append(s.opts, "use bridge", "bridge-ports "+portNames(i.Bridge.Ports), "bridge-stp "+onOff(i.Bridge.STP))
	case i.VLAN != nil:
		// interfaces-vlan(5): a BASE.ID name is read as such, a vlanID
		// name takes its ID from the name, any other name uses vlan-id.
		// ifupdown-ng's link executor does not take "vlanX.Y" for a VLAN.
		id := strconv.Itoa(i.VLAN.ID)
		dotted := strings.Contains(i.Name, ".")
		if dotted && (!isDottedVLAN(i) || strings.HasPrefix(i.Name, "vlan")) ||
			!dotted && strings.HasPrefix(i.Name, "vlan") && i.Name != "vlan"+id {
			return nil, unsupported("name")
		}
		s.opts = append(s.opts, "vlan-raw-device "+i.VLAN.Base.Name, "vlan-id "+id)
	}
	if i.IPv4.DHCP {
		s.opts = append(s.opts, "use dhcp")
	}
	for _, a := range i.IPv4.Addresses {
		s.opts = append(s.opts, "address "+a.String())
	}
	for _, a := range i.IPv6.Addresses {
		s.opts = append(s.opts, "address "+a.String())
	}
	if i.IPv6.Enabled {
		d := boolDigit(i.IPv6.Autoconf)
		s.opts = append(s.opts, "ipv6-autoconf "+d, "ipv6-accept-ra "+d)
	}
	if i.CloneMAC != "" {
		// ifupdown-ng's link executor hands hwaddress to "ip link set
		// address" as it is: no "ether" before it.
		s.opts = append(s.opts, "hwaddress "+strings.ToLower(i.CloneMAC))
	}
	if i.MTU != 0 {
		s.opts = append(s.opts, "mtu "+strconv.Itoa(i.MTU))
	}
	if d := strings.TrimSpace(i.Description); d != "" {
		s.opts = append(s.opts, "alias "+d)
	}
	return &eniIface{iface: i, stanzas: []*eniStanza{s}}, nil
}
