package render

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"github.com/netplumb/netplumb/nmstate"
)

// State is the part of an NMState desired state the renderers write: the
// interfaces to configure, static routes, policy-routing rules, DNS and
// the host name. [Parse] builds it and checks every value.
type State struct {
	// Interfaces in document order, absent ones left out; ports of bonds
	// and bridges that the document only names get an entry of their own.
	Interfaces []*Interface
	Routes     []Route
	Rules      []Rule
	DNS        DNS
	Hostname   string
}

// Kind is an interface type, as NMState spells it.
type Kind string

// The interface types the renderers write.
const (
	Ethernet Kind = "ethernet"
	Bond     Kind = "bond"
	VLAN     Kind = "vlan"
	Bridge   Kind = "linux-bridge"
)

// Interface is one interface to configure.
type Interface struct {
	Name string
	Kind Kind
	// Down: configured, but not brought up at boot (state: down).
	Down        bool
	Description string
	// MatchMAC is set with identifier: mac-address: the device with that
	// MAC takes Name. CloneMAC is a MAC to set on the device instead.
	MatchMAC string
	CloneMAC string
	MTU      int // 0: unset

	// Controller is the bond or bridge this interface is a port of.
	Controller *Interface

	Bond   *BondConfig
	VLAN   *VLANConfig
	Bridge *BridgeConfig

	IPv4, IPv6 IPConfig

	// Path is where the interface is in the document ("interfaces[2]"),
	// for errors; "" for a port the document only names.
	Path string
}

// BondConfig is a bond's mode, ports and options.
type BondConfig struct {
	Mode  string // a Linux bonding mode name: balance-rr, active-backup, 802.3ad, ...
	Ports []*Interface
	// Options holds the supported options that are set, values as text:
	// miimon, updelay, downdelay, lacp_rate, xmit_hash_policy, primary.
	Options map[string]string
}

// VLANConfig is a VLAN's base and id.
type VLANConfig struct {
	Base *Interface
	ID   int
}

// BridgeConfig is a Linux bridge's ports and STP setting.
type BridgeConfig struct {
	Ports []*Interface
	// STP is nil when the document does not say; nmstate's default is on.
	STP *bool
}

// IPConfig is one family's configuration.
type IPConfig struct {
	Enabled   bool
	DHCP      bool
	Autoconf  bool // IPv6 only
	Addresses []netip.Prefix
	// AutoRouteMetric is the metric of DHCP/RA routes; 0: unset.
	AutoRouteMetric int
}

// Route is a static route, attached to its next-hop interface.
type Route struct {
	Destination netip.Prefix
	Via         netip.Addr // zero: on-link
	Interface   *Interface
	Metric      int // 0: unset
	Table       int // 0: main
	Path        string
}

// Rule is a policy-routing rule.
type Rule struct {
	From, To netip.Prefix // zero: any
	Priority int          // 0: unset
	Table    int
	// Interface is where renderers that attach rules to an interface put
	// it: the interface with a route in Table, else the one holding the
	// From or To address.
	Interface *Interface
	Path      string
}

// DNS servers and search domains, in order.
type DNS struct {
	Servers []netip.Addr
	Search  []string
}

// Error is a problem with the input at a path of the document.
type Error = nmstate.PathError

func errorf(path, format string, args ...any) error { return nmstate.Errorf(path, format, args...) }

// UnsupportedError is input a renderer cannot express.
type UnsupportedError struct {
	Path     string
	Renderer string
}

func (e *UnsupportedError) Error() string {
	return e.Path + ": not supported by " + e.Renderer
}

// bondModes maps NMState's bond mode names (and Linux's numbers) to the
// names the renderers use.
var bondModes = map[string]string{
	"balance-rr": "balance-rr", "0": "balance-rr",
	"active-backup": "active-backup", "1": "active-backup",
	"balance-xor": "balance-xor", "2": "balance-xor",
	"broadcast": "broadcast", "3": "broadcast",
	"802.3ad": "802.3ad", "4": "802.3ad",
	"balance-tlb": "balance-tlb", "5": "balance-tlb",
	"balance-alb": "balance-alb", "6": "balance-alb",
}

// bondOptions are the bond options the renderers write, with a check of
// their values.
var bondOptions = map[string]func(string) bool{
	"miimon":    isUint,
	"updelay":   isUint,
	"downdelay": isUint,
	"lacp_rate": func(v string) bool { return v == "slow" || v == "fast" || v == "0" || v == "1" },
	"xmit_hash_policy": func(v string) bool {
		return slices.Contains([]string{"layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac"}, v)
	},
	"primary": func(v string) bool { return nmstate.CheckIfaceName(v) == nil },
}

func isUint(v string) bool {
	n, err := strconv.ParseUint(v, 10, 32)
	return err == nil && n <= 1<<31
}

// Parse reads an NMState desired state (a decoded document) for a
// renderer. Everything the renderers do not write is an
// [*UnsupportedError] naming the path and the renderer, never dropped;
// running sections (routes.running, dns-resolver.running,
// hostname.running) are state, not configuration, and are ignored. Values
// that would break out of a file's syntax (newlines, quotes, '/' or ".."
// in names, names over 15 bytes, addresses that are not IPs, MACs that
// are not MACs) are an [*Error].
//
// Parse is safe for concurrent use.
func Parse(doc any, renderer string) (*State, error) {
	p := &parser{renderer: renderer, byName: map[string]*Interface{}}
	if doc == nil {
		return &State{}, nil
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return nil, errorf("(document)", "an NMState document is a map, not %s", nmstate.KindOf(doc))
	}
	if err := p.keys("", top, "interfaces", "routes", "route-rules", "dns-resolver", "hostname"); err != nil {
		return nil, err
	}
	st := &State{}
	if err := p.interfaces(top["interfaces"], st); err != nil {
		return nil, err
	}
	if err := p.routes(top["routes"], st); err != nil {
		return nil, err
	}
	if err := p.rules(top["route-rules"], st); err != nil {
		return nil, err
	}
	if err := p.dns(top["dns-resolver"], st); err != nil {
		return nil, err
	}
	if err := p.hostname(top["hostname"], st); err != nil {
		return nil, err
	}
	return st, nil
}

type parser struct {
	renderer string
	byName   map[string]*Interface
	absent   map[string]bool
}

func (p *parser) unsupported(path string) error {
	return &UnsupportedError{Path: path, Renderer: p.renderer}
}

// keys rejects keys of m other than allowed.
func (p *parser) keys(path string, m map[string]any, allowed ...string) error {
	var extra []string
	for k := range m {
		if !slices.Contains(allowed, k) {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	slices.Sort(extra)
	return p.unsupported(nmstate.Join(path, extra[0]))
}

// checkText refuses what could break out of a file's syntax: newlines,
// quotes, backslashes, control characters, '$' and '`'.
func checkText(path, s string) error {
	for _, r := range s {
		if r < ' ' || r == 0x7f || r == '"' || r == '\'' || r == '\\' || r == '$' || r == '`' || (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 {
			return errorf(path, "%q holds %q, which no network file can hold safely", s, r)
		}
	}
	return nil
}

func (p *parser) interfaces(v any, st *State) error {
	list, err := nmstate.AsList("interfaces", v)
	if err != nil {
		return err
	}
	p.absent = map[string]bool{}
	type pending struct {
		iface *Interface
		raw   map[string]any
		path  string
	}
	var todo []pending
	for i, e := range list {
		path := fmt.Sprintf("interfaces[%d]", i)
		m, err := nmstate.AsMap(path, e)
		if err != nil {
			return err
		}
		if err := p.keys(path, m, "name", "type", "state", "description", "identifier", "mac-address",
			"mtu", "ipv4", "ipv6", "link-aggregation", "vlan", "bridge", "controller"); err != nil {
			return err
		}
		nameV, ok := m["name"]
		if !ok {
			return errorf(path, "no name")
		}
		name, err := nmstate.AsString(path+".name", nameV)
		if err != nil {
			return err
		}
		if err := nmstate.CheckIfaceName(name); err != nil {
			return errorf(path+".name", "%v", err)
		}
		state := "up"
		if sv, ok := m["state"]; ok {
			if state, err = nmstate.AsString(path+".state", sv); err != nil {
				return err
			}
		}
		switch state {
		case "up", "down":
		case "absent":
			p.absent[name] = true
			continue
		default:
			return errorf(path+".state", "%q is not up, down or absent", state)
		}
		if _, dup := p.byName[name]; dup {
			return errorf(path+".name", "interface %q is listed twice", name)
		}
		iface := &Interface{Name: name, Down: state == "down", Path: path}
		p.byName[name] = iface
		st.Interfaces = append(st.Interfaces, iface)
		todo = append(todo, pending{iface, m, path})
	}
	for _, t := range todo {
		if err := p.iface(t.iface, t.raw, t.path, st); err != nil {
			return err
		}
	}
	// Every port must be a port of one controller only, and carry no IP.
	for _, i := range st.Interfaces {
		if i.Controller != nil && (i.IPv4.Enabled || i.IPv6.Enabled) && i.Path != "" {
			return errorf(i.Path, "%s is a port of %s and cannot have IP configuration", i.Name, i.Controller.Name)
		}
	}
	return nil
}

func (p *parser) iface(i *Interface, m map[string]any, path string, st *State) error {
	kind := "ethernet"
	if tv, ok := m["type"]; ok {
		var err error
		if kind, err = nmstate.AsString(path+".type", tv); err != nil {
			return err
		}
	}
	switch Kind(kind) {
	case Ethernet, Bond, VLAN, Bridge:
		i.Kind = Kind(kind)
	default:
		return p.unsupported(path + ".type: " + kind)
	}
	if v, ok := m["description"]; ok {
		s, err := nmstate.AsString(path+".description", v)
		if err != nil {
			return err
		}
		if err := checkText(path+".description", s); err != nil {
			return err
		}
		i.Description = s
	}
	identifier := "name"
	if v, ok := m["identifier"]; ok {
		var err error
		if identifier, err = nmstate.AsString(path+".identifier", v); err != nil {
			return err
		}
		if identifier != "name" && identifier != "mac-address" {
			return p.unsupported(path + ".identifier: " + identifier)
		}
	}
	if v, ok := m["mac-address"]; ok {
		s, err := nmstate.AsString(path+".mac-address", v)
		if err != nil {
			return err
		}
		mac, err := nmstate.ParseMAC(path+".mac-address", s)
		if err != nil {
			return err
		}
		if identifier == "mac-address" {
			i.MatchMAC = mac
		} else {
			i.CloneMAC = mac
		}
	} else if identifier == "mac-address" {
		return errorf(path+".identifier", "mac-address needs a mac-address")
	}
	if v, ok := m["mtu"]; ok {
		n, err := nmstate.AsInt(path+".mtu", v, 68, 65535)
		if err != nil {
			return err
		}
		i.MTU = n
	}
	if v, ok := m["controller"]; ok {
		s, err := nmstate.AsString(path+".controller", v)
		if err != nil {
			return err
		}
		c, ok := p.byName[s]
		if !ok || (c.Kind != Bond && c.Kind != Bridge && c.Kind != "") {
			return errorf(path+".controller", "%q is not a bond or bridge of the document", s)
		}
		if err := p.attach(i, c, path+".controller"); err != nil {
			return err
		}
	}
	var err error
	if i.IPv4, err = p.ip(path+".ipv4", m["ipv4"], false); err != nil {
		return err
	}
	if i.IPv6, err = p.ip(path+".ipv6", m["ipv6"], true); err != nil {
		return err
	}
	for _, section := range []string{"link-aggregation", "vlan", "bridge"} {
		if _, ok := m[section]; ok && section != map[Kind]string{Bond: "link-aggregation", VLAN: "vlan", Bridge: "bridge"}[i.Kind] {
			return p.unsupported(path + "." + section + " on a " + string(i.Kind))
		}
	}
	switch i.Kind {
	case Bond:
		return p.bond(i, m["link-aggregation"], path+".link-aggregation", st)
	case VLAN:
		return p.vlan(i, m["vlan"], path+".vlan")
	case Bridge:
		return p.bridge(i, m["bridge"], path+".bridge", st)
	}
	return nil
}

// port returns the interface a bond or bridge names as a port, adding an
// ethernet entry for a name the document does not list.
func (p *parser) port(name, path string, st *State) (*Interface, error) {
	if err := nmstate.CheckIfaceName(name); err != nil {
		return nil, errorf(path, "%v", err)
	}
	if p.absent[name] {
		return nil, errorf(path, "port %q is absent", name)
	}
	if i, ok := p.byName[name]; ok {
		return i, nil
	}
	i := &Interface{Name: name, Kind: Ethernet}
	p.byName[name] = i
	st.Interfaces = append(st.Interfaces, i)
	return i, nil
}

// attach makes i a port of c.
func (p *parser) attach(i, c *Interface, path string) error {
	if i == c {
		return errorf(path, "%s cannot be its own port", i.Name)
	}
	if i.Controller != nil && i.Controller != c {
		return errorf(path, "%s is already a port of %s", i.Name, i.Controller.Name)
	}
	i.Controller = c
	return nil
}

func (p *parser) ports(c *Interface, v any, path string, st *State) ([]*Interface, error) {
	list, err := nmstate.AsList(path, v)
	if err != nil {
		return nil, err
	}
	var out []*Interface
	for j, e := range list {
		epath := fmt.Sprintf("%s[%d]", path, j)
		name, ok := e.(string)
		if m, isMap := e.(map[string]any); isMap {
			if err := p.keys(epath, m, "name"); err != nil {
				return nil, err
			}
			name, ok = m["name"].(string)
			epath += ".name"
		}
		if !ok {
			return nil, errorf(epath, "%s, not a port name", nmstate.KindOf(e))
		}
		port, err := p.port(name, epath, st)
		if err != nil {
			return nil, err
		}
		if err := p.attach(port, c, epath); err != nil {
			return nil, err
		}
		if slices.Contains(out, port) {
			return nil, errorf(epath, "port %q is listed twice", name)
		}
		out = append(out, port)
	}
	return out, nil
}

func (p *parser) bond(i *Interface, v any, path string, st *State) error {
	m, err := nmstate.AsMap(path, v)
	if err != nil {
		return err
	}
	if err := p.keys(path, m, "mode", "port", "ports", "options"); err != nil {
		return err
	}
	b := &BondConfig{Mode: "balance-rr", Options: map[string]string{}}
	if mv, ok := m["mode"]; ok {
		s := fmt.Sprint(mv)
		mode, ok := bondModes[s]
		if !ok {
			return errorf(path+".mode", "%q is not a bonding mode", s)
		}
		b.Mode = mode
	}
	portsKey := "port"
	if _, ok := m["ports"]; ok {
		portsKey = "ports"
	}
	if b.Ports, err = p.ports(i, m[portsKey], path+"."+portsKey, st); err != nil {
		return err
	}
	opts, err := nmstate.AsMap(path+".options", m["options"])
	if err != nil {
		return err
	}
	for _, k := range sortedKeys(opts) {
		check, ok := bondOptions[k]
		if !ok {
			return p.unsupported(path + ".options." + k)
		}
		val := fmt.Sprint(opts[k])
		if _, isStr := opts[k].(string); !isStr {
			if _, isNum := opts[k].(int64); !isNum {
				return errorf(path+".options."+k, "%s, not a string or number", nmstate.KindOf(opts[k]))
			}
		}
		if !check(val) {
			return errorf(path+".options."+k, "%q is not a valid value", val)
		}
		b.Options[k] = val
	}
	if primary, ok := b.Options["primary"]; ok && !slices.ContainsFunc(b.Ports, func(x *Interface) bool { return x.Name == primary }) {
		return errorf(path+".options.primary", "%q is not a port of %s", primary, i.Name)
	}
	i.Bond = b
	return nil
}

func (p *parser) vlan(i *Interface, v any, path string) error {
	m, err := nmstate.AsMap(path, v)
	if err != nil {
		return err
	}
	if err := p.keys(path, m, "base-iface", "id"); err != nil {
		return err
	}
	baseV, ok := m["base-iface"]
	if !ok {
		return errorf(path, "no base-iface")
	}
	base, err := nmstate.AsString(path+".base-iface", baseV)
	if err != nil {
		return err
	}
	b, ok := p.byName[base]
	if !ok {
		if err := nmstate.CheckIfaceName(base); err != nil {
			return errorf(path+".base-iface", "%v", err)
		}
		return errorf(path+".base-iface", "%q is not an interface of the document", base)
	}
	idV, ok := m["id"]
	if !ok {
		return errorf(path, "no id")
	}
	id, err := nmstate.AsInt(path+".id", idV, 1, 4094)
	if err != nil {
		return err
	}
	i.VLAN = &VLANConfig{Base: b, ID: id}
	return nil
}

func (p *parser) bridge(i *Interface, v any, path string, st *State) error {
	m, err := nmstate.AsMap(path, v)
	if err != nil {
		return err
	}
	if err := p.keys(path, m, "options", "port"); err != nil {
		return err
	}
	br := &BridgeConfig{}
	opts, err := nmstate.AsMap(path+".options", m["options"])
	if err != nil {
		return err
	}
	if err := p.keys(path+".options", opts, "stp"); err != nil {
		return err
	}
	if sv, ok := opts["stp"]; ok {
		stp, err := nmstate.AsMap(path+".options.stp", sv)
		if err != nil {
			return err
		}
		if err := p.keys(path+".options.stp", stp, "enabled"); err != nil {
			return err
		}
		if ev, ok := stp["enabled"]; ok {
			b, err := nmstate.AsBool(path+".options.stp.enabled", ev)
			if err != nil {
				return err
			}
			br.STP = &b
		}
	}
	if br.Ports, err = p.ports(i, m["port"], path+".port", st); err != nil {
		return err
	}
	i.Bridge = br
	return nil
}

func (p *parser) ip(path string, v any, v6 bool) (IPConfig, error) {
	var c IPConfig
	if v == nil {
		return c, nil
	}
	m, err := nmstate.AsMap(path, v)
	if err != nil {
		return c, err
	}
	allowed := []string{"enabled", "dhcp", "address", "auto-route-metric"}
	if v6 {
		allowed = append(allowed, "autoconf")
	}
	if err := p.keys(path, m, allowed...); err != nil {
		return c, err
	}
	if ev, ok := m["enabled"]; ok {
		if c.Enabled, err = nmstate.AsBool(path+".enabled", ev); err != nil {
			return c, err
		}
	} else {
		c.Enabled = true
	}
	if dv, ok := m["dhcp"]; ok {
		if c.DHCP, err = nmstate.AsBool(path+".dhcp", dv); err != nil {
			return c, err
		}
	}
	if av, ok := m["autoconf"]; ok {
		if c.Autoconf, err = nmstate.AsBool(path+".autoconf", av); err != nil {
			return c, err
		}
	}
	if mv, ok := m["auto-route-metric"]; ok {
		if c.AutoRouteMetric, err = nmstate.AsInt(path+".auto-route-metric", mv, 0, 1<<31-1); err != nil {
			return c, err
		}
	}
	list, err := nmstate.AsList(path+".address", m["address"])
	if err != nil {
		return c, err
	}
	for j, e := range list {
		epath := fmt.Sprintf("%s.address[%d]", path, j)
		am, err := nmstate.AsMap(epath, e)
		if err != nil {
			return c, err
		}
		if err := p.keys(epath, am, "ip", "prefix-length"); err != nil {
			return c, err
		}
		a, err := nmstate.ParseAddr(epath+".ip", am["ip"])
		if err != nil {
			return c, err
		}
		if a.Is6() != v6 {
			return c, errorf(epath+".ip", "%s is not an IPv%d address", a, map[bool]int{false: 4, true: 6}[v6])
		}
		bits, err := nmstate.AsInt(epath+".prefix-length", am["prefix-length"], 0, int64(a.BitLen()))
		if err != nil {
			return c, err
		}
		c.Addresses = append(c.Addresses, netip.PrefixFrom(a, bits))
	}
	if !c.Enabled {
		c = IPConfig{}
	}
	return c, nil
}

func (p *parser) routes(v any, st *State) error {
	m, err := nmstate.AsMap("routes", v)
	if err != nil {
		return err
	}
	if err := p.keys("routes", m, "config", "running"); err != nil {
		return err
	}
	list, err := nmstate.AsList("routes.config", m["config"])
	if err != nil {
		return err
	}
	for j, e := range list {
		path := fmt.Sprintf("routes.config[%d]", j)
		rm, err := nmstate.AsMap(path, e)
		if err != nil {
			return err
		}
		if err := p.keys(path, rm, "destination", "next-hop-address", "next-hop-interface", "metric", "table-id", "state"); err != nil {
			return err
		}
		if s, ok := rm["state"]; ok {
			if s != "absent" {
				return errorf(path+".state", "%v is not absent", s)
			}
			continue // removing routes is for tools acting on a running system
		}
		r := Route{Path: path}
		if r.Destination, err = nmstate.ParsePrefix(path+".destination", rm["destination"]); err != nil {
			return err
		}
		if nh, ok := rm["next-hop-address"]; ok {
			if r.Via, err = nmstate.ParseAddr(path+".next-hop-address", nh); err != nil {
				return err
			}
			if r.Via.Is4() != r.Destination.Addr().Is4() {
				return errorf(path+".next-hop-address", "%s is not of the family of %s", r.Via, r.Destination)
			}
			if r.Via.IsUnspecified() {
				r.Via = netip.Addr{}
			}
		}
		ifV, ok := rm["next-hop-interface"]
		if !ok {
			return errorf(path, "no next-hop-interface: a route is written with its interface")
		}
		name, err := nmstate.AsString(path+".next-hop-interface", ifV)
		if err != nil {
			return err
		}
		if r.Interface, ok = p.byName[name]; !ok {
			return errorf(path+".next-hop-interface", "%q is not an interface of the document", name)
		}
		if mv, ok := rm["metric"]; ok {
			if r.Metric, err = nmstate.AsInt(path+".metric", mv, 0, 1<<32-1); err != nil {
				return err
			}
		}
		if tv, ok := rm["table-id"]; ok {
			if r.Table, err = nmstate.AsInt(path+".table-id", tv, 0, 1<<32-1); err != nil {
				return err
			}
			if r.Table == 254 {
				r.Table = 0
			}
		}
		st.Routes = append(st.Routes, r)
	}
	return nil
}

func (p *parser) rules(v any, st *State) error {
	m, err := nmstate.AsMap("route-rules", v)
	if err != nil {
		return err
	}
	if err := p.keys("route-rules", m, "config"); err != nil {
		return err
	}
	list, err := nmstate.AsList("route-rules.config", m["config"])
	if err != nil {
		return err
	}
	for j, e := range list {
		path := fmt.Sprintf("route-rules.config[%d]", j)
		rm, err := nmstate.AsMap(path, e)
		if err != nil {
			return err
		}
		if err := p.keys(path, rm, "ip-from", "ip-to", "priority", "route-table", "state"); err != nil {
			return err
		}
		if s, ok := rm["state"]; ok {
			if s != "absent" {
				return errorf(path+".state", "%v is not absent", s)
			}
			continue
		}
		r := Rule{Path: path}
		if v, ok := rm["ip-from"]; ok {
			if r.From, err = nmstate.ParsePrefix(path+".ip-from", v); err != nil {
				return err
			}
		}
		if v, ok := rm["ip-to"]; ok {
			if r.To, err = nmstate.ParsePrefix(path+".ip-to", v); err != nil {
				return err
			}
		}
		if !r.From.IsValid() && !r.To.IsValid() {
			return errorf(path, "neither ip-from nor ip-to")
		}
		if r.From.IsValid() && r.To.IsValid() && r.From.Addr().Is4() != r.To.Addr().Is4() {
			return errorf(path, "ip-from and ip-to are of different families")
		}
		if v, ok := rm["priority"]; ok {
			if r.Priority, err = nmstate.AsInt(path+".priority", v, 0, 1<<32-1); err != nil {
				return err
			}
		}
		tv, ok := rm["route-table"]
		if !ok {
			return errorf(path, "no route-table")
		}
		if r.Table, err = nmstate.AsInt(path+".route-table", tv, 1, 1<<32-1); err != nil {
			return err
		}
		if r.Interface = ruleInterface(r, st); r.Interface == nil {
			return errorf(path, "no interface has a route in table %d or the rule's address, to write the rule with", r.Table)
		}
		st.Rules = append(st.Rules, r)
	}
	return nil
}

// ruleInterface picks the interface a rule is written with.
func ruleInterface(r Rule, st *State) *Interface {
	for _, rt := range st.Routes {
		if r.Table != 0 && rt.Table == r.Table {
			return rt.Interface
		}
	}
	for _, i := range st.Interfaces {
		for _, a := range append(slices.Clone(i.IPv4.Addresses), i.IPv6.Addresses...) {
			if (r.From.IsValid() && r.From.Contains(a.Addr())) || (r.To.IsValid() && r.To.Contains(a.Addr())) {
				return i
			}
		}
	}
	return nil
}

func (p *parser) dns(v any, st *State) error {
	m, err := nmstate.AsMap("dns-resolver", v)
	if err != nil {
		return err
	}
	if err := p.keys("dns-resolver", m, "config", "running"); err != nil {
		return err
	}
	c, err := nmstate.AsMap("dns-resolver.config", m["config"])
	if err != nil {
		return err
	}
	if err := p.keys("dns-resolver.config", c, "server", "search"); err != nil {
		return err
	}
	servers, err := nmstate.AsList("dns-resolver.config.server", c["server"])
	if err != nil {
		return err
	}
	for j, s := range servers {
		a, err := nmstate.ParseAddr(fmt.Sprintf("dns-resolver.config.server[%d]", j), s)
		if err != nil {
			return err
		}
		st.DNS.Servers = append(st.DNS.Servers, a)
	}
	search, err := nmstate.AsList("dns-resolver.config.search", c["search"])
	if err != nil {
		return err
	}
	for j, s := range search {
		path := fmt.Sprintf("dns-resolver.config.search[%d]", j)
		str, err := nmstate.AsString(path, s)
		if err != nil {
			return err
		}
		if err := nmstate.CheckHostname(path, str); err != nil {
			return err
		}
		st.DNS.Search = append(st.DNS.Search, str)
	}
	return nil
}

func (p *parser) hostname(v any, st *State) error {
	m, err := nmstate.AsMap("hostname", v)
	if err != nil {
		return err
	}
	if err := p.keys("hostname", m, "config", "running"); err != nil {
		return err
	}
	hv, ok := m["config"]
	if !ok || hv == nil {
		return nil
	}
	h, err := nmstate.AsString("hostname.config", hv)
	if err != nil {
		return err
	}
	if err := nmstate.CheckHostname("hostname.config", h); err != nil {
		return err
	}
	st.Hostname = h
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
