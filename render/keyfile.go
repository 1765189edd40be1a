package render

import (
	"crypto/sha1"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Keyfile renders NetworkManager keyfiles, as RHEL 9, Fedora and
// openSUSE read them: one
// /etc/NetworkManager/system-connections/<name>.nmconnection per
// interface, mode 0600 (NetworkManager ignores keyfiles that anyone but
// root can read). The files are written as NetworkManager 1.42 writes
// them itself (settings, and keys within a setting, in its order; empty
// settings left out), so
// nmcli reads them back unchanged, and a profile's uuid is a name-based
// (version 5) UUID of the interface name, so the output is the same on
// every run.
//
// The mapping:
//   - state: down is autoconnect=false, on the ports of a down bond or
//     bridge too, since activating a port activates its controller.
//   - identifier: mac-address matches the device by [ethernet]
//     mac-address and sets no interface-name (NetworkManager does not
//     rename devices; the name is the profile's id); a VLAN on such a
//     device names its parent by the parent profile's UUID. A plain
//     mac-address is cloned-mac-address.
//   - Ports carry master and slave-type (NetworkManager 1.42 silently
//     drops the newer controller and port-type) and no IP settings.
//   - Bond options keep the kernel's spellings (miimon, lacp_rate,
//     xmit_hash_policy, ...), as NetworkManager does.
//   - STP: a bridge without stp.enabled, or with it true, gets
//     NetworkManager's default, which is on, like nmstate's.
//   - IPv4: dhcp is method=auto (static addresses may come with it), only
//     static addresses manual, anything else disabled. IPv6: dhcp with
//     autoconf is auto (SLAAC, and DHCPv6 when the router asks for it),
//     dhcp alone dhcp, static addresses only manual, enabled with nothing
//     else link-local, disabled disabled. NetworkManager has no SLAAC
//     without DHCPv6, so autoconf without dhcp is refused.
//   - Gateways are default routes (route1=0.0.0.0/0,GW); a route in a
//     table carries route1_options=table=N; rules are routing-ruleN of the
//     interface the [State] gives them, and need a priority.
//   - auto-route-metric is route-metric, which NetworkManager also gives
//     static routes without a metric of their own; it is refused without
//     DHCP or autoconf.
//   - DNS servers of a family go to one profile with that family
//     configured: the one holding the family's default route in the main
//     table, else the first in the document (interfaces that are up
//     first); search domains go with the IPv4 servers, else the IPv6
//     ones. may-fail keeps NetworkManager's default (yes).
//   - A description is a comment at the head of the file.
type Keyfile struct{}

// Name returns "keyfile".
func (Keyfile) Name() string { return "keyfile" }

// keyfileDir is where NetworkManager reads system connection profiles.
const keyfileDir = "/etc/NetworkManager/system-connections/"

// keyfileNamespace is the namespace of the profiles' name-based UUIDs:
// the version 5 UUID of the URL
// https://github.com/netplumb/netplumb/render#keyfile.
var keyfileNamespace = [16]byte{0xbc, 0x9d, 0x23, 0x43, 0x0d, 0x50, 0x57, 0xf7, 0xb9, 0xd5, 0xd2, 0xbc, 0x8a, 0x0d, 0xd8, 0x5b}

// keyfileUUID returns the version 5 (SHA-1, name-based) UUID of name in
// keyfileNamespace, as RFC 9562 defines it.
func keyfileUUID(name string) string {
	h := sha1.New()
	h.Write(keyfileNamespace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// kfSection is one setting of a keyfile: its name and its keys in order.
type kfSection struct {
	name string
	keys [][2]string
}

func (s *kfSection) set(key, value string) { s.keys = append(s.keys, [2]string{key, value}) }

// kfIP is what one family of a profile gets besides its method.
type kfIP struct {
	routes []Route
	rules  []Rule
	dns    []netip.Addr
	search []string
}

// kfProfile gathers what goes into one interface's profile.
type kfProfile struct {
	ip [2]kfIP // IPv4, IPv6
}

// Render returns one keyfile per interface. It returns an
// [*UnsupportedError] for what NetworkManager cannot express: SLAAC
// without DHCPv6, a rule without a priority, a MAC match on anything but
// an ethernet, a bond primary matched by MAC, routes, rules or DNS
// servers on a port or an interface without that family,
// auto-route-metric without DHCP or autoconf, and a name starting with
// '.' (NetworkManager ignores hidden files). It returns an [*Error] for
// bond options that NetworkManager and the kernel reject in the bond's
// mode.
//
// Render is safe for concurrent use.
func (r Keyfile) Render(st *State) ([]File, error) {
	profiles := make(map[*Interface]*kfProfile, len(st.Interfaces))
	for _, i := range st.Interfaces {
		profiles[i] = &kfProfile{}
	}
	for _, rt := range st.Routes {
		fam := kfFamily(rt.Destination.Addr())
		if why := r.without(rt.Interface, fam); why != "" {
			return nil, &UnsupportedError{Path: rt.Path + why, Renderer: r.Name()}
		}
		p := &profiles[rt.Interface].ip[fam]
		p.routes = append(p.routes, rt)
	}
	for _, ru := range st.Rules {
		if ru.Priority == 0 {
			return nil, &UnsupportedError{Path: ru.Path + " without priority", Renderer: r.Name()}
		}
		a := ru.From
		if !a.IsValid() {
			a = ru.To
		}
		fam := kfFamily(a.Addr())
		if why := r.without(ru.Interface, fam); why != "" {
			return nil, &UnsupportedError{Path: ru.Path + why, Renderer: r.Name()}
		}
		p := &profiles[ru.Interface].ip[fam]
		p.rules = append(p.rules, ru)
	}
	if err := r.placeDNS(st, profiles); err != nil {
		return nil, err
	}
	files := make([]File, 0, len(st.Interfaces))
	var b strings.Builder
	for _, i := range st.Interfaces {
		b.Reset()
		if err := r.profile(&b, i, profiles[i]); err != nil {
			return nil, err
		}
		files = append(files, File{Path: keyfileDir + i.Name + ".nmconnection", Mode: 0o600, Content: []byte(b.String())})
	}
	return files, nil
}

// kfFamName names the families by index.
var kfFamName = [2]string{"IPv4", "IPv6"}

// kfFamily is 0 for IPv4 and 1 for IPv6.
func kfFamily(a netip.Addr) int {
	if a.Is4() {
		return 0
	}
	return 1
}

// kfIPConfig returns an interface's configuration of a family.
func kfIPConfig(i *Interface, fam int) IPConfig {
	if fam == 0 {
		return i.IPv4
	}
	return i.IPv6
}

// method returns the ipv4 or ipv6 method of an interface that is not a
// port.
func (r Keyfile) method(i *Interface, fam int) (string, error) {
	c := kfIPConfig(i, fam)
	switch {
	case !c.Enabled:
		return "disabled", nil
	case fam == 0 && c.DHCP:
		return "auto", nil
	case fam == 1 && c.DHCP && c.Autoconf:
		return "auto", nil
	case fam == 1 && c.DHCP:
		return "dhcp", nil
	case fam == 1 && c.Autoconf:
		return "", &UnsupportedError{Path: kfPath(i) + ".ipv6.autoconf without dhcp", Renderer: r.Name()}
	case len(c.Addresses) > 0:
		return "manual", nil
	case fam == 1:
		return "link-local", nil
	}
	return "disabled", nil
}

// without says why routes and rules of a family cannot go into an
// interface's profile (" on eth0, a port of bond0", " on eth0 without
// IPv4"), or "" when they can.
func (r Keyfile) without(i *Interface, fam int) string {
	if i.Controller != nil {
		return " on " + i.Name + ", a port of " + i.Controller.Name
	}
	if m, err := r.method(i, fam); err == nil && m == "disabled" {
		return " on " + i.Name + " without " + kfFamName[fam]
	}
	return "" // an error is reported with the interface
}

// takesDNS reports whether NetworkManager accepts DNS servers in an
// interface's settings of a family: not for ports, nor with the methods
// disabled and link-local.
func (r Keyfile) takesDNS(i *Interface, fam int) bool {
	if i.Controller != nil {
		return false
	}
	m, err := r.method(i, fam)
	return err == nil && m != "disabled" && m != "link-local"
}

// dnsTarget picks the profile for a family's DNS: the interface with the
// family's default route in the main table, else the first that takes
// DNS, interfaces that are up before those that are down.
func (r Keyfile) dnsTarget(st *State, fam int) *Interface {
	for _, rt := range st.Routes {
		if rt.Table == 0 && rt.Destination.Bits() == 0 && kfFamily(rt.Destination.Addr()) == fam && !rt.Interface.Down && r.takesDNS(rt.Interface, fam) {
			return rt.Interface
		}
	}
	for _, down := range []bool{false, true} {
		for _, i := range st.Interfaces {
			if i.Down == down && r.takesDNS(i, fam) {
				return i
			}
		}
	}
	return nil
}

// placeDNS assigns the DNS servers and search domains to profiles.
func (r Keyfile) placeDNS(st *State, profiles map[*Interface]*kfProfile) error {
	var targets [2]*Interface
	for fam := range 2 {
		targets[fam] = r.dnsTarget(st, fam)
	}
	for j, s := range st.DNS.Servers {
		fam := kfFamily(s)
		if targets[fam] == nil {
			return &UnsupportedError{Path: fmt.Sprintf("dns-resolver.config.server[%d] without an interface with %s", j, kfFamName[fam]), Renderer: r.Name()}
		}
		p := &profiles[targets[fam]].ip[fam]
		p.dns = append(p.dns, s)
	}
	if len(st.DNS.Search) == 0 {
		return nil
	}
	fam := -1
	for _, f := range []int{0, 1} {
		if fam < 0 && slices.ContainsFunc(st.DNS.Servers, func(a netip.Addr) bool { return kfFamily(a) == f }) {
			fam = f
		}
	}
	for _, f := range []int{0, 1} {
		if fam < 0 && targets[f] != nil {
			fam = f
		}
	}
	if fam < 0 {
		return &UnsupportedError{Path: "dns-resolver.config.search without an interface with IP", Renderer: r.Name()}
	}
	profiles[targets[fam]].ip[fam].search = st.DNS.Search
	return nil
}

// kfPath is where an interface is in the document, or for a port the
// document only names, where its controller lists it.
func kfPath(i *Interface) string {
	if i.Path != "" || i.Controller == nil {
		return i.Path
	}
	c := i.Controller
	ports, key := []*Interface(nil), ".bridge.port"
	if c.Bond != nil {
		ports, key = c.Bond.Ports, ".link-aggregation.port"
	} else if c.Bridge != nil {
		ports = c.Bridge.Ports
	}
	return fmt.Sprintf("%s%s[%d]", c.Path, key, slices.Index(ports, i))
}

// kfTypes maps interface kinds to NetworkManager connection types.
var kfTypes = map[Kind]string{Ethernet: "ethernet", Bond: "bond", VLAN: "vlan", Bridge: "bridge"}

// profile writes one interface's keyfile.
func (r Keyfile) profile(b *strings.Builder, i *Interface, p *kfProfile) error {
	if strings.HasPrefix(i.Name, ".") {
		// NetworkManager ignores hidden files in system-connections.
		return &UnsupportedError{Path: kfPath(i) + ".name " + i.Name, Renderer: r.Name()}
	}
	if i.MatchMAC != "" && i.Kind != Ethernet {
		return &UnsupportedError{Path: kfPath(i) + ".identifier on a " + string(i.Kind), Renderer: r.Name()}
	}
	var sections []*kfSection
	conn := &kfSection{name: "connection"}
	sections = append(sections, conn)
	conn.set("id", i.Name)
	conn.set("uuid", keyfileUUID(i.Name))
	conn.set("type", kfTypes[i.Kind])
	if i.Down || (i.Controller != nil && i.Controller.Down) {
		conn.set("autoconnect", "false")
	}
	if i.MatchMAC == "" {
		conn.set("interface-name", i.Name)
	}
	if c := i.Controller; c != nil {
		conn.set("master", c.Name)
		conn.set("slave-type", kfTypes[c.Kind])
	}

	eth := &kfSection{name: "ethernet"}
	sections = append(sections, eth)
	if i.CloneMAC != "" {
		eth.set("cloned-mac-address", i.CloneMAC)
	}
	if i.MatchMAC != "" {
		eth.set("mac-address", i.MatchMAC)
	}
	if i.MTU != 0 {
		eth.set("mtu", strconv.Itoa(i.MTU))
	}

	switch i.Kind {
	case Bond:
		s, err := r.bond(i)
		if err != nil {
			return err
		}
		sections = append(sections, s)
	case VLAN:
		s := &kfSection{name: "vlan"}
		s.set("flags", "1") // reorder headers: NetworkManager's default, which it writes
		s.set("id", strconv.Itoa(i.VLAN.ID))
		parent := i.VLAN.Base.Name
		if i.VLAN.Base.MatchMAC != "" {
			parent = keyfileUUID(i.VLAN.Base.Name) // the device is not known by that name
		}
		s.set("parent", parent)
		sections = append(sections, s)
	case Bridge:
		s := &kfSection{name: "bridge"}
		if i.Bridge.STP != nil && !*i.Bridge.STP {
			s.set("stp", "false")
		}
		sections = append(sections, s)
	}

	if i.Controller == nil {
		for fam := range 2 {
			s, err := r.ipSection(i, fam, p.ip[fam])
			if err != nil {
				return err
			}
			sections = append(sections, s)
		}
	}

	b.WriteString(header)
	if i.Description != "" {
		b.WriteString("# " + i.Description + "\n")
	}
	for n, s := range sections {
		if len(s.keys) == 0 {
			continue
		}
		if n > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("[" + s.name + "]\n")
		for _, kv := range s.keys {
			b.WriteString(kv[0])
			b.WriteByte('=')
			b.WriteString(kv[1])
			b.WriteByte('\n')
		}
	}
	return nil
}

// bond writes a bond's [bond] setting: its mode and options, sorted by
// name as NetworkManager writes them. Options the kernel and
// NetworkManager reject in the bond's mode are an [*Error].
func (r Keyfile) bond(i *Interface) (*kfSection, error) {
	bc := i.Bond
	path := kfPath(i) + ".link-aggregation.options."
	if _, ok := bc.Options["primary"]; ok && !slices.Contains([]string{"active-backup", "balance-tlb", "balance-alb"}, bc.Mode) {
		return nil, errorf(path+"primary", "primary is only valid in the modes active-backup, balance-tlb and balance-alb, not %s", bc.Mode)
	}
	if primary, ok := bc.Options["primary"]; ok && slices.ContainsFunc(bc.Ports, func(p *Interface) bool { return p.Name == primary && p.MatchMAC != "" }) {
		// The kernel knows the port by a name NetworkManager does not set.
		return nil, &UnsupportedError{Path: path + "primary naming a port matched by MAC", Renderer: r.Name()}
	}
	if _, ok := bc.Options["lacp_rate"]; ok && bc.Mode != "802.3ad" {
		return nil, errorf(path+"lacp_rate", "lacp_rate is only valid in mode 802.3ad, not %s", bc.Mode)
	}
	if bc.Options["miimon"] == "0" {
		for _, k := range []string{"downdelay", "updelay"} {
			if v, ok := bc.Options[k]; ok && v != "0" {
				return nil, errorf(path+k, "%s needs miimon, which is 0", k)
			}
		}
	}
	keys := make([]string, 0, len(bc.Options)+1)
	for k := range bc.Options {
		keys = append(keys, k)
	}
	keys = append(keys, "mode")
	slices.Sort(keys)
	s := &kfSection{name: "bond"}
	for _, k := range keys {
		if k == "mode" {
			s.set(k, bc.Mode)
		} else {
			s.set(k, bc.Options[k])
		}
	}
	return s, nil
}

// ipSection writes an interface's [ipv4] or [ipv6] setting, keys in
// NetworkManager's order: addresses, dns, dns-search, method,
// route-metric, routes, routing-rules.
func (r Keyfile) ipSection(i *Interface, fam int, p kfIP) (*kfSection, error) {
	c := kfIPConfig(i, fam)
	s := &kfSection{name: [2]string{"ipv4", "ipv6"}[fam]}
	method, err := r.method(i, fam)
	if err != nil {
		return nil, err
	}
	for n, a := range c.Addresses {
		s.set("address"+strconv.Itoa(n+1), a.String())
	}
	if len(p.dns) > 0 {
		var v strings.Builder
		for _, a := range p.dns {
			v.WriteString(a.String() + ";")
		}
		s.set("dns", v.String())
	}
	if len(p.search) > 0 {
		s.set("dns-search", strings.Join(p.search, ";")+";")
	}
	s.set("method", method)
	if c.AutoRouteMetric != 0 {
		if method != "auto" && method != "dhcp" {
			return nil, &UnsupportedError{Path: kfPath(i) + "." + s.name + ".auto-route-metric without dhcp", Renderer: r.Name()}
		}
		s.set("route-metric", strconv.Itoa(c.AutoRouteMetric))
	}
	for n, rt := range p.routes {
		key := "route" + strconv.Itoa(n+1)
		v := rt.Destination.String()
		if rt.Via.IsValid() || rt.Metric != 0 {
			via := rt.Via
			if !via.IsValid() {
				via = netip.IPv4Unspecified()
				if fam == 1 {
					via = netip.IPv6Unspecified()
				}
			}
			v += "," + via.String()
		}
		if rt.Metric != 0 {
			v += "," + strconv.Itoa(rt.Metric)
		}
		s.set(key, v)
		if rt.Table != 0 {
			s.set(key+"_options", "table="+strconv.Itoa(rt.Table))
		}
	}
	for n, ru := range p.rules {
		v := "priority " + strconv.Itoa(ru.Priority)
		if ru.From.IsValid() && ru.From.Bits() > 0 {
			v += " from " + kfRulePrefix(ru.From)
		}
		if ru.To.IsValid() && ru.To.Bits() > 0 {
			v += " to " + kfRulePrefix(ru.To)
		}
		v += " table " + strconv.Itoa(ru.Table)
		s.set("routing-rule"+strconv.Itoa(n+1), v)
	}
	return s, nil
}

// kfRulePrefix writes a rule's address as NetworkManager does: a host
// prefix as the bare address.
func kfRulePrefix(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}
