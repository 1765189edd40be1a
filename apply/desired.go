package apply

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/netplumb/netplumb/nmstate"
)

// Desired is an NMState desired state read for a partial edit: what it
// names changes, what it leaves out stays. [ParseDesired] builds it and
// checks every value; [Plan] turns it into operations.
type Desired struct {
	// Interfaces in document order.
	Interfaces []*DesiredInterface
	// Routes are routes.config: routes to add, and entries with state:
	// absent that remove every config route they match.
	Routes []DesiredRoute
	// Rules are route-rules.config, likewise.
	Rules []DesiredRule
	// DNS is dns-resolver.config; nil leaves resolv.conf alone.
	DNS *DesiredDNS
	// Hostname is hostname.config; nil leaves the host name alone.
	Hostname *string
	// Ignored lists the paths of NMState keys netapplyctl does not manage
	// (ethtool, lldp, description, …), which it leaves alone; -v prints
	// them.
	Ignored []string
}

// Interface states.
const (
	StateUp     = "up"
	StateDown   = "down"
	StateAbsent = "absent"
)

// DesiredInterface is one entry of interfaces. Nil pointers and unset
// sections keep what the interface has.
type DesiredInterface struct {
	Path string // "interfaces[2]", for errors
	Name string
	// Type is "" when the document leaves it out (allowed for an
	// interface that exists).
	Type  string
	State string // up (the default), down or absent
	MTU   *int
	MAC   *string
	// Controller is the bridge or bond to attach to; "" detaches.
	Controller *string

	IPv4, IPv6 *DesiredIP

	Bridge  *DesiredBridge
	Bond    *DesiredBond
	VLAN    *VLANState
	VXLAN   *VXLANState
	Veth    *VethState
	MacVlan *MacVlanState

	index int       // restore: the index the link had
	snap  []Address // restore: the addresses as they were, flags and all
}

// DesiredIP is an ipv4 or ipv6 section.
type DesiredIP struct {
	Enabled bool
	// Addresses is the complete static set, in order (the first is
	// primary), when HasAddresses; otherwise the addresses stay.
	Addresses    []netip.Prefix
	HasAddresses bool
	// DHCP (ipv4.dhcp) or Autoconf (ipv6.autoconf, ipv6.dhcp): dynamic
	// addresses are left alone; no client runs.
	DHCP bool
}

// DesiredBridge is a linux-bridge section.
type DesiredBridge struct {
	STP *bool
	// Ports is the complete set of ports when HasPorts.
	Ports    []string
	HasPorts bool
}

// DesiredBond is a link-aggregation section.
type DesiredBond struct {
	Mode     string // "" keeps the mode
	Ports    []string
	HasPorts bool
	Options  map[string]string
}

// DesiredRoute is an entry of routes.config. For an absent entry, the
// Has fields say which fields were set; unset ones are wildcards.
type DesiredRoute struct {
	Path   string
	Absent bool
	Route  Route
	// What the entry sets. Table 0 on an absent entry means any table.
	HasDestination, HasGateway, HasInterface, HasMetric, HasType bool
}

// DesiredRule is an entry of route-rules.config; unset fields are
// wildcards for absent entries (Priority -1 and Table 0 mean any).
type DesiredRule struct {
	Path   string
	Absent bool
	Rule   Rule
	// HasFamily: the family was given or follows from an address.
	HasFamily, HasFwmark, HasAction bool
}

// DesiredDNS is dns-resolver.config; a nil list keeps the current one.
type DesiredDNS struct {
	Servers []netip.Addr
	Search  []string
	// HasServers, HasSearch: the key was given (an empty list clears).
	HasServers, HasSearch bool
}

// The keys netapplyctl manages, per section; other keys NMState knows are
// left alone (Desired.Ignored), keys NMState does not know are errors.
var (
	interfaceKeys = []string{"name", "type", "state", "mtu", "mac-address", "controller", "ipv4", "ipv6",
		"bridge", "link-aggregation", "vlan", "vxlan", "veth", "mac-vlan"}
	ipKeys      = []string{"enabled", "address", "dhcp", "autoconf"}
	addressKeys = []string{"ip", "prefix-length"}
	routeKeys   = []string{"destination", "next-hop-address", "next-hop-interface", "metric", "table-id", "state", "route-type"}
	ruleKeys    = []string{"ip-from", "ip-to", "priority", "route-table", "family", "fwmark", "fwmask", "iif", "action", "state"}
)

// Interface types netapplyctl accepts in a desired state, mapped to the
// type the kernel reports. "macvlan" is accepted for "mac-vlan".
var desiredTypes = map[string]string{
	TypeEthernet: TypeEthernet, TypeVeth: TypeVeth, TypeBridge: TypeBridge, TypeBond: TypeBond,
	TypeVLAN: TypeVLAN, TypeVXLAN: TypeVXLAN, TypeMacVlan: TypeMacVlan, "macvlan": TypeMacVlan,
	TypeDummy: TypeDummy, TypeLoopback: TypeLoopback,
	// What show calls the links it has no type for (tun, wireguard, sit…):
	// accepted for links that exist, so that show's output applies.
	TypeUnknown: TypeUnknown,
}

// ParseDesired reads an NMState desired state (a decoded document). Every
// problem is an [*nmstate.PathError] naming the path of the bad value
// (interfaces[1].ipv4.address[0].ip): a value of the wrong kind, an
// unknown interface type, an address that is not an IP, a prefix out of
// range, a key NMState does not know. Running sections (routes.running,
// dns-resolver.running, hostname.running) describe state, not intent, and
// are ignored, so that the output of show can be applied.
//
// ParseDesired does not look at the current state; [Plan] checks what
// depends on it (a route via an interface that will not exist).
func ParseDesired(doc any) (*Desired, error) {
	d := &Desired{}
	if doc == nil {
		return d, nil
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return nil, nmstate.Errorf("(document)", "an NMState document is a map, not %s", nmstate.KindOf(doc))
	}
	p := &desiredParser{d: d}
	if err := p.keys("", top, nmstate.Schema(), []string{"interfaces", "routes", "route-rules", "dns-resolver", "hostname"}, true); err != nil {
		return nil, err
	}
	if err := p.interfaces(top["interfaces"]); err != nil {
		return nil, err
	}
	if err := p.routes(top["routes"]); err != nil {
		return nil, err
	}
	if err := p.rules(top["route-rules"]); err != nil {
		return nil, err
	}
	if err := p.dns(top["dns-resolver"]); err != nil {
		return nil, err
	}
	if err := p.hostname(top["hostname"]); err != nil {
		return nil, err
	}
	return d, nil
}

type desiredParser struct {
	d *Desired
}

// keys checks m's keys: managed ones pass, others NMState knows (by the
// schema field f) are recorded as ignored, unless strict, and unknown
// ones are an error with a suggestion.
func (p *desiredParser) keys(path string, m map[string]any, f *nmstate.Field, managed []string, strict bool) error {
	var bad []string
	for k := range m {
		if !slices.Contains(managed, k) {
			bad = append(bad, k)
		}
	}
	slices.Sort(bad)
	for _, k := range bad {
		kp := nmstate.Join(path, k)
		if _, known := f.Child(k); !known {
			msg := "unknown key"
			if s := f.Suggest(k); s != "" {
				msg += " (did you mean " + s + "?)"
			}
			return nmstate.Errorf(kp, "%s", msg)
		}
		if strict {
			return nmstate.Errorf(kp, "not supported by netapplyctl")
		}
		p.d.Ignored = append(p.d.Ignored, kp)
	}
	return nil
}

func child(f *nmstate.Field, keys ...string) *nmstate.Field {
	for _, k := range keys {
		if k == "[]" {
			f = f.Elem()
			continue
		}
		f, _ = f.Child(k)
	}
	return f
}

func (p *desiredParser) interfaces(v any) error {
	list, err := nmstate.AsList("interfaces", v)
	if err != nil {
		return err
	}
	seen := map[string]string{}
	f := child(nmstate.Schema(), "interfaces", "[]")
	for n, x := range list {
		path := nmstate.Index("interfaces", n)
		m, err := nmstate.AsMap(path, x)
		if err != nil {
			return err
		}
		if err := p.keys(path, m, f, interfaceKeys, false); err != nil {
			return err
		}
		i, err := p.iface(path, m, f)
		if err != nil {
			return err
		}
		if prev, dup := seen[i.Name]; dup {
			return nmstate.Errorf(nmstate.Join(path, "name"), "%s is listed already, at %s", i.Name, prev)
		}
		seen[i.Name] = path
		p.d.Interfaces = append(p.d.Interfaces, i)
	}
	return nil
}

func (p *desiredParser) iface(path string, m map[string]any, f *nmstate.Field) (*DesiredInterface, error) {
	i := &DesiredInterface{Path: path, State: StateUp}
	name, ok := m["name"]
	if !ok {
		return nil, nmstate.Errorf(path, "an interface needs a name")
	}
	var err error
	if i.Name, err = p.name(nmstate.Join(path, "name"), name); err != nil {
		return nil, err
	}
	if t, ok := m["type"]; ok {
		s, err := nmstate.AsString(nmstate.Join(path, "type"), t)
		if err != nil {
			return nil, err
		}
		if i.Type, ok = desiredTypes[s]; !ok {
			return nil, nmstate.Errorf(nmstate.Join(path, "type"), "unknown interface type %q (netapplyctl knows %s)", s, knownTypes())
		}
	}
	if s, ok := m["state"]; ok {
		var err error
		if i.State, err = oneOf(nmstate.Join(path, "state"), s, StateUp, StateDown, StateAbsent); err != nil {
			return nil, err
		}
	}
	if v, ok := m["mtu"]; ok {
		n, err := nmstate.AsInt(nmstate.Join(path, "mtu"), v, 0, 1<<31-1) // the kernel checks each link's range
		if err != nil {
			return nil, err
		}
		i.MTU = &n
	}
	if v, ok := m["mac-address"]; ok {
		s, err := nmstate.AsString(nmstate.Join(path, "mac-address"), v)
		if err != nil {
			return nil, err
		}
		if s, err = parseHWAddr(nmstate.Join(path, "mac-address"), s); err != nil {
			return nil, err
		}
		i.MAC = &s
	}
	if v, ok := m["controller"]; ok {
		s := ""
		if v != nil {
			if s, err = nmstate.AsString(nmstate.Join(path, "controller"), v); err != nil {
				return nil, err
			}
			if s != "" {
				if s, err = p.name(nmstate.Join(path, "controller"), s); err != nil {
					return nil, err
				}
			}
		}
		i.Controller = &s
	}
	for _, fam := range []string{"ipv4", "ipv6"} {
		v, ok := m[fam]
		if !ok {
			continue
		}
		ip, err := p.ip(nmstate.Join(path, fam), v, fam == "ipv6", child(f, fam))
		if err != nil {
			return nil, err
		}
		if fam == "ipv4" {
			i.IPv4 = ip
		} else {
			i.IPv6 = ip
		}
	}
	sections := []struct {
		key, typ string
		parse    func(string, map[string]any, *nmstate.Field) error
	}{
		{"bridge", TypeBridge, i.bridge(p)},
		{"link-aggregation", TypeBond, i.bond(p)},
		{"vlan", TypeVLAN, i.vlan(p)},
		{"vxlan", TypeVXLAN, i.vxlan(p)},
		{"veth", TypeVeth, i.veth(p)},
		{"mac-vlan", TypeMacVlan, i.macvlan(p)},
	}
	for _, s := range sections {
		v, ok := m[s.key]
		if !ok || v == nil {
			continue
		}
		sp := nmstate.Join(path, s.key)
		if i.Type != "" && i.Type != s.typ && !(s.key == "veth" && i.Type == TypeEthernet) {
			return nil, nmstate.Errorf(sp, "a %s section on an interface of type %s", s.key, i.Type)
		}
		sm, err := nmstate.AsMap(sp, v)
		if err != nil {
			return nil, err
		}
		if err := s.parse(sp, sm, child(f, s.key)); err != nil {
			return nil, err
		}
	}
	if i.Veth != nil && i.Type == TypeEthernet {
		i.Type = TypeVeth // nmstate writes veths as ethernet with a veth section
	}
	return i, nil
}

func knownTypes() string {
	var ts []string
	for t := range desiredTypes {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return strings.Join(ts, ", ")
}

func (p *desiredParser) name(path string, v any) (string, error) {
	s, err := nmstate.AsString(path, v)
	if err != nil {
		return "", err
	}
	if err := checkKernelName(s); err != nil {
		return "", nmstate.Errorf(path, "%v", err)
	}
	return s, nil
}

// checkKernelName checks a link name as the kernel does (dev_valid_name):
// 1 to 15 bytes, not "." or "..", no '/', ':' or white space. Names are
// sent over netlink, never through a shell or a file, so the kernel's
// rules are the ones that matter.
func checkKernelName(s string) error {
	if s == "" || len(s) > 15 {
		return fmt.Errorf("interface name %q is not 1 to 15 bytes long", s)
	}
	if s == "." || s == ".." {
		return fmt.Errorf("interface name %q is not allowed", s)
	}
	for _, r := range s {
		if r == '/' || r == ':' || r == 0 || unicode.IsSpace(r) {
			return fmt.Errorf("interface name %q holds %q", s, r)
		}
	}
	return nil
}

// parseHWAddr reads a link-layer address as show prints it: colon-separated
// hex bytes, 6 for ethernet, other lengths for tunnels (sit0 has 4,
// ip6tnl0 16); it returns it in upper case.
func parseHWAddr(path, s string) (string, error) {
	parts := strings.Split(s, ":")
	if len(parts) > 32 || s == "" {
		return "", nmstate.Errorf(path, "%q is not a MAC address", s)
	}
	for _, b := range parts {
		if len(b) != 2 || strings.Trim(b, "0123456789abcdefABCDEF") != "" {
			return "", nmstate.Errorf(path, "%q is not a MAC address", s)
		}
	}
	return strings.ToUpper(s), nil
}

func (p *desiredParser) ip(path string, v any, v6 bool, f *nmstate.Field) (*DesiredIP, error) {
	m, err := nmstate.AsMap(path, v)
	if err != nil {
		return nil, err
	}
	if err := p.keys(path, m, f, ipKeys, false); err != nil {
		return nil, err
	}
	ip := &DesiredIP{Enabled: true}
	if e, ok := m["enabled"]; ok {
		if ip.Enabled, err = nmstate.AsBool(nmstate.Join(path, "enabled"), e); err != nil {
			return nil, err
		}
	} else if _, has := m["address"]; !has {
		// nmstate: a section without enabled or addresses is disabled
		// unless it asks for DHCP or autoconf.
		ip.Enabled = m["dhcp"] == true || m["autoconf"] == true
	}
	for _, k := range []string{"dhcp", "autoconf"} {
		if x, ok := m[k]; ok {
			b, err := nmstate.AsBool(nmstate.Join(path, k), x)
			if err != nil {
				return nil, err
			}
			ip.DHCP = ip.DHCP || b
		}
	}
	if x, ok := m["address"]; ok {
		ap := nmstate.Join(path, "address")
		list, err := nmstate.AsList(ap, x)
		if err != nil {
			return nil, err
		}
		ip.HasAddresses = true
		ip.Addresses = []netip.Prefix{}
		for n, a := range list {
			ep := nmstate.Index(ap, n)
			am, err := nmstate.AsMap(ep, a)
			if err != nil {
				return nil, err
			}
			if err := p.keys(ep, am, child(f, "address", "[]"), addressKeys, false); err != nil {
				return nil, err
			}
			addr, err := nmstate.ParseAddr(nmstate.Join(ep, "ip"), am["ip"])
			if err != nil {
				return nil, err
			}
			if addr.Is6() != v6 {
				fam := "IPv4"
				if v6 {
					fam = "IPv6"
				}
				return nil, nmstate.Errorf(nmstate.Join(ep, "ip"), "%s is not an %s address", addr, fam)
			}
			bits, err := nmstate.AsInt(nmstate.Join(ep, "prefix-length"), am["prefix-length"], 0, int64(addr.BitLen()))
			if err != nil {
				return nil, err
			}
			pf := netip.PrefixFrom(addr, bits)
			if slices.ContainsFunc(ip.Addresses, func(q netip.Prefix) bool { return q.Addr() == pf.Addr() }) {
				return nil, nmstate.Errorf(ep, "%s is listed twice", pf.Addr())
			}
			ip.Addresses = append(ip.Addresses, pf)
		}
		if !ip.Enabled && len(ip.Addresses) > 0 {
			return nil, nmstate.Errorf(nmstate.Join(path, "enabled"), "false, yet addresses are listed")
		}
	}
	return ip, nil
}

func (i *DesiredInterface) bridge(p *desiredParser) func(string, map[string]any, *nmstate.Field) error {
	return func(path string, m map[string]any, f *nmstate.Field) error {
		if err := p.keys(path, m, f, []string{"options", "port", "ports"}, false); err != nil {
			return err
		}
		portKey, err := portsKey(path, m)
		if err != nil {
			return err
		}
		b := &DesiredBridge{}
		i.Bridge = b
		if o, ok := m["options"]; ok {
			op := nmstate.Join(path, "options")
			om, err := nmstate.AsMap(op, o)
			if err != nil {
				return err
			}
			// The live timers show prints are left alone; other bridge
			// options would make a bridge other than the one asked for.
			if err := p.keys(op, om, child(f, "options"), []string{"stp", "gc-timer", "hello-timer"}, true); err != nil {
				return err
			}
			if s, ok := om["stp"]; ok {
				sp := nmstate.Join(op, "stp")
				sm, err := nmstate.AsMap(sp, s)
				if err != nil {
					return err
				}
				if err := p.keys(sp, sm, child(f, "options", "stp"), []string{"enabled"}, true); err != nil {
					return err
				}
				if e, ok := sm["enabled"]; ok {
					on, err := nmstate.AsBool(nmstate.Join(sp, "enabled"), e)
					if err != nil {
						return err
					}
					b.STP = &on
				}
			}
		}
		if x, ok := m[portKey]; ok {
			pp := nmstate.Join(path, portKey)
			list, err := nmstate.AsList(pp, x)
			if err != nil {
				return err
			}
			b.HasPorts = true
			b.Ports = []string{}
			for n, e := range list {
				ep := nmstate.Index(pp, n)
				em, err := nmstate.AsMap(ep, e)
				if err != nil {
					return err
				}
				if err := p.keys(ep, em, child(f, portKey, "[]"), []string{"name"}, false); err != nil {
					return err
				}
				name, err := p.name(nmstate.Join(ep, "name"), em["name"])
				if err != nil {
					return err
				}
				if slices.Contains(b.Ports, name) {
					return nmstate.Errorf(ep, "%s is listed twice", name)
				}
				b.Ports = append(b.Ports, name)
			}
		}
		return nil
	}
}

// portsKey returns which of port and its aliases (ports, slaves, which
// nmstate accepts too) a section uses; two of them is an error.
func portsKey(path string, m map[string]any) (string, error) {
	key := "port"
	n := 0
	for _, k := range []string{"port", "ports", "slaves"} {
		if _, ok := m[k]; ok {
			key = k
			n++
		}
	}
	if n > 1 {
		return "", nmstate.Errorf(path, "give the ports once, as port")
	}
	return key, nil
}

// bondModes are the kernel's bond modes, by name and number.
var bondModes = map[string]string{
	"balance-rr": "balance-rr", "0": "balance-rr", "active-backup": "active-backup", "1": "active-backup",
	"balance-xor": "balance-xor", "2": "balance-xor", "broadcast": "broadcast", "3": "broadcast",
	"802.3ad": "802.3ad", "4": "802.3ad", "balance-tlb": "balance-tlb", "5": "balance-tlb",
	"balance-alb": "balance-alb", "6": "balance-alb",
}

// bondOptionNames are the bond options netapplyctl sets; others (as show
// prints them) pass when they already hold.
var bondOptionNames = []string{"miimon", "updelay", "downdelay", "lacp_rate", "xmit_hash_policy",
	"arp_interval", "min_links", "all_slaves_active", "use_carrier"}

func (i *DesiredInterface) bond(p *desiredParser) func(string, map[string]any, *nmstate.Field) error {
	return func(path string, m map[string]any, f *nmstate.Field) error {
		if err := p.keys(path, m, f, []string{"mode", "port", "ports", "slaves", "options"}, false); err != nil {
			return err
		}
		portKey, err := portsKey(path, m)
		if err != nil {
			return err
		}
		b := &DesiredBond{}
		i.Bond = b
		if x, ok := m["mode"]; ok {
			s, err := nmstate.AsString(nmstate.Join(path, "mode"), x)
			if err != nil {
				return err
			}
			if b.Mode, ok = bondModes[s]; !ok {
				return nmstate.Errorf(nmstate.Join(path, "mode"), "%q is not a bond mode", s)
			}
		}
		if x, ok := m[portKey]; ok {
			pp := nmstate.Join(path, portKey)
			list, err := nmstate.AsList(pp, x)
			if err != nil {
				return err
			}
			b.HasPorts = true
			b.Ports = []string{}
			for n, e := range list {
				name, err := p.name(nmstate.Index(pp, n), e)
				if err != nil {
					return err
				}
				if slices.Contains(b.Ports, name) {
					return nmstate.Errorf(nmstate.Index(pp, n), "%s is listed twice", name)
				}
				b.Ports = append(b.Ports, name)
			}
		}
		if x, ok := m["options"]; ok {
			op := nmstate.Join(path, "options")
			om, err := nmstate.AsMap(op, x)
			if err != nil {
				return err
			}
			for _, k := range sortedKeys(om) {
				kp := nmstate.Join(op, k)
				if strings.Trim(k, "abcdefghijklmnopqrstuvwxyz_0123456789") != "" {
					return nmstate.Errorf(kp, "%q is not a bond option", k)
				}
				var s string
				switch v := om[k].(type) {
				case string:
					s = v
				case int64, uint64, float64:
					n, err := nmstate.AsInt(kp, v, 0, 1<<31)
					if err != nil {
						return err
					}
					s = strconv.Itoa(n)
				case bool:
					s = "0"
					if v {
						s = "1"
					}
				default:
					return nmstate.Errorf(kp, "%s, not a value", nmstate.KindOf(v))
				}
				if b.Options == nil {
					b.Options = map[string]string{}
				}
				b.Options[k] = s
			}
			// The kernel rounds updelay and downdelay down to a multiple
			// of miimon, which would never verify.
			if mii, err := strconv.Atoi(b.Options["miimon"]); err == nil && mii > 0 {
				for _, k := range []string{"updelay", "downdelay"} {
					if d, err := strconv.Atoi(b.Options[k]); err == nil && d%mii != 0 {
						return nmstate.Errorf(nmstate.Join(op, k), "%d is not a multiple of miimon (%d)", d, mii)
					}
				}
			}
		}
		return nil
	}
}

func (i *DesiredInterface) vlan(p *desiredParser) func(string, map[string]any, *nmstate.Field) error {
	return func(path string, m map[string]any, f *nmstate.Field) error {
		if err := p.keys(path, m, f, []string{"base-iface", "id"}, true); err != nil {
			return err
		}
		v := &VLANState{}
		var err error
		if v.Base, err = p.name(nmstate.Join(path, "base-iface"), m["base-iface"]); err != nil {
			return err
		}
		if v.ID, err = nmstate.AsInt(nmstate.Join(path, "id"), m["id"], 0, 4094); err != nil {
			return err
		}
		i.VLAN = v
		return nil
	}
}

func (i *DesiredInterface) vxlan(p *desiredParser) func(string, map[string]any, *nmstate.Field) error {
	return func(path string, m map[string]any, f *nmstate.Field) error {
		if err := p.keys(path, m, f, []string{"base-iface", "id", "remote", "local", "destination-port"}, true); err != nil {
			return err
		}
		v := &VXLANState{} // Port 0: 4789 when created; compared only when given
		var err error
		if x, ok := m["base-iface"]; ok && x != "" {
			if v.Base, err = p.name(nmstate.Join(path, "base-iface"), x); err != nil {
				return err
			}
		}
		if v.ID, err = nmstate.AsInt(nmstate.Join(path, "id"), m["id"], 0, 1<<24-1); err != nil {
			return err
		}
		for _, k := range []string{"remote", "local"} {
			x, ok := m[k]
			if !ok || x == "" {
				continue
			}
			a, err := nmstate.ParseAddr(nmstate.Join(path, k), x)
			if err != nil {
				return err
			}
			if k == "remote" {
				v.Remote = a
			} else {
				v.Local = a
			}
		}
		if v.Remote.IsValid() && v.Local.IsValid() && v.Remote.Is4() != v.Local.Is4() {
			return nmstate.Errorf(nmstate.Join(path, "local"), "%s and the remote %s are of different families", v.Local, v.Remote)
		}
		if x, ok := m["destination-port"]; ok {
			if v.Port, err = nmstate.AsInt(nmstate.Join(path, "destination-port"), x, 0, 65535); err != nil {
				return err
			}
		}
		i.VXLAN = v
		return nil
	}
}

func (i *DesiredInterface) veth(p *desiredParser) func(string, map[string]any, *nmstate.Field) error {
	return func(path string, m map[string]any, f *nmstate.Field) error {
		if err := p.keys(path, m, f, []string{"peer"}, false); err != nil {
			return err
		}
		peer, err := p.name(nmstate.Join(path, "peer"), m["peer"])
		if err != nil {
			return err
		}
		if peer == i.Name {
			return nmstate.Errorf(nmstate.Join(path, "peer"), "a veth cannot be its own peer")
		}
		i.Veth = &VethState{Peer: peer}
		return nil
	}
}

var macvlanModes = []string{"vepa", "bridge", "private", "passthru", "source"}

// rejectTypes are the route types and rule actions that drop a packet.
var rejectTypes = []string{"blackhole", "unreachable", "prohibit"}

// oneOf returns v, a string that must be one of choices.
func oneOf(path string, v any, choices ...string) (string, error) {
	s, err := nmstate.AsString(path, v)
	if err != nil {
		return "", err
	}
	if !slices.Contains(choices, s) {
		return "", nmstate.Errorf(path, "%q is not %s or %s", s, strings.Join(choices[:len(choices)-1], ", "), choices[len(choices)-1])
	}
	return s, nil
}

func (i *DesiredInterface) macvlan(p *desiredParser) func(string, map[string]any, *nmstate.Field) error {
	return func(path string, m map[string]any, f *nmstate.Field) error {
		if err := p.keys(path, m, f, []string{"base-iface", "mode"}, true); err != nil {
			return err
		}
		v := &MacVlanState{} // Mode "": bridge when created; compared only when given
		var err error
		if v.Base, err = p.name(nmstate.Join(path, "base-iface"), m["base-iface"]); err != nil {
			return err
		}
		if x, ok := m["mode"]; ok {
			if v.Mode, err = oneOf(nmstate.Join(path, "mode"), x, macvlanModes...); err != nil {
				return err
			}
		}
		i.MacVlan = v
		return nil
	}
}

// config returns section.config of a top-level section, checking the
// section's keys (running is ignored).
func (p *desiredParser) config(key string, v any) (any, bool, error) {
	if v == nil {
		return nil, false, nil
	}
	m, err := nmstate.AsMap(key, v)
	if err != nil {
		return nil, false, err
	}
	if err := p.keys(key, m, child(nmstate.Schema(), key), []string{"config", "running"}, true); err != nil {
		return nil, false, err
	}
	c, ok := m["config"]
	return c, ok, nil
}

// configEntries calls each for the entries of section.config (routes,
// route-rules, whose entries are a what), each a map with no keys but
// allowed, with its path and whether it has state: absent (the only state
// an entry can give).
func (p *desiredParser) configEntries(section, what string, v any, allowed []string, each func(path string, m map[string]any, absent bool) error) error {
	c, _, err := p.config(section, v)
	if err != nil {
		return err
	}
	list, err := nmstate.AsList(section+".config", c)
	if err != nil {
		return err
	}
	f := child(nmstate.Schema(), section, "config", "[]")
	for n, x := range list {
		path := nmstate.Index(section+".config", n)
		m, err := nmstate.AsMap(path, x)
		if err != nil {
			return err
		}
		if err := p.keys(path, m, f, allowed, true); err != nil {
			return err
		}
		absent := false
		if s, ok := m["state"]; ok {
			st, err := nmstate.AsString(nmstate.Join(path, "state"), s)
			if err != nil {
				return err
			}
			if st != StateAbsent {
				return nmstate.Errorf(nmstate.Join(path, "state"), "%q: a %s's state is absent or left out", st, what)
			}
			absent = true
		}
		if err := each(path, m, absent); err != nil {
			return err
		}
	}
	return nil
}

func (p *desiredParser) routes(v any) error {
	return p.configEntries("routes", "route", v, routeKeys, func(path string, m map[string]any, absent bool) error {
		var err error
		r := DesiredRoute{Path: path, Absent: absent, Route: Route{Metric: -1, Protocol: "static", Type: "unicast"}}
		if x, ok := m["destination"]; ok {
			if r.Route.Destination, err = nmstate.ParsePrefix(nmstate.Join(path, "destination"), x); err != nil {
				return err
			}
			r.HasDestination = true
		}
		if x, ok := m["next-hop-address"]; ok && x != "" {
			if r.Route.Gateway, err = nmstate.ParseAddr(nmstate.Join(path, "next-hop-address"), x); err != nil {
				return err
			}
			// show prints 0.0.0.0 or :: for a route without a gateway
			r.HasGateway = !r.Route.Gateway.IsUnspecified()
			if !r.HasGateway {
				r.Route.Gateway = netip.Addr{}
			}
		}
		if x, ok := m["next-hop-interface"]; ok {
			if r.Route.Interface, err = p.name(nmstate.Join(path, "next-hop-interface"), x); err != nil {
				return err
			}
			r.HasInterface = true
		}
		if x, ok := m["metric"]; ok {
			if r.Route.Metric, err = nmstate.AsInt(nmstate.Join(path, "metric"), x, 0, 1<<32-1); err != nil {
				return err
			}
			r.HasMetric = true
		}
		if x, ok := m["table-id"]; ok {
			if r.Route.Table, err = nmstate.AsInt(nmstate.Join(path, "table-id"), x, 0, 1<<32-1); err != nil {
				return err
			}
		}
		if x, ok := m["route-type"]; ok {
			if r.Route.Type, err = oneOf(nmstate.Join(path, "route-type"), x, rejectTypes...); err != nil {
				return err
			}
			r.HasType = true
		}
		if !r.Absent {
			if err := checkRoute(&r); err != nil {
				return err
			}
		}
		p.d.Routes = append(p.d.Routes, r)
		return nil
	})
}

// checkRoute checks a route to add: it needs a destination, and a next-hop
// interface unless it is a blackhole, unreachable or prohibit route; the
// gateway is of the destination's family (or an IPv6 gateway for an IPv4
// route, which Linux allows).
func checkRoute(r *DesiredRoute) error {
	if !r.HasDestination {
		return nmstate.Errorf(r.Path, "a route needs a destination")
	}
	if r.HasType {
		if r.HasGateway || r.HasInterface {
			return nmstate.Errorf(r.Path, "a %s route has no next hop", r.Route.Type)
		}
	} else if !r.HasInterface {
		return nmstate.Errorf(r.Path, "a route needs a next-hop-interface")
	}
	if r.HasGateway && r.Route.Gateway.Is4() && r.Route.Destination.Addr().Is6() {
		return nmstate.Errorf(nmstate.Join(r.Path, "next-hop-address"), "an IPv4 next hop for an IPv6 destination")
	}
	if r.Route.Table == 0 {
		r.Route.Table = 254
	}
	// As ip does: an IPv4 unicast route without a gateway is of scope link.
	r.Route.LinkScope = !r.HasGateway && !r.HasType && r.Route.Destination.Addr().Is4()
	return nil
}

func (p *desiredParser) rules(v any) error {
	return p.configEntries("route-rules", "rule", v, ruleKeys, func(path string, m map[string]any, absent bool) error {
		var err error
		r := DesiredRule{Path: path, Absent: absent, Rule: Rule{Priority: -1}}
		for _, k := range []string{"ip-from", "ip-to"} {
			x, ok := m[k]
			if !ok || x == "" {
				continue
			}
			// Not masked: the kernel keeps a rule's host bits
			// (from 192.0.2.10/24) and shows them.
			pf, err := parseRulePrefix(nmstate.Join(path, k), x)
			if err != nil {
				return err
			}
			fam := 4
			if pf.Addr().Is6() {
				fam = 6
			}
			if r.HasFamily && r.Rule.Family != fam {
				return nmstate.Errorf(nmstate.Join(path, k), "ip-from and ip-to are of different families")
			}
			r.Rule.Family, r.HasFamily = fam, true
			if k == "ip-from" {
				r.Rule.From = pf
			} else {
				r.Rule.To = pf
			}
		}
		if x, ok := m["family"]; ok {
			s, err := nmstate.AsString(nmstate.Join(path, "family"), x)
			if err != nil {
				return err
			}
			fam := map[string]int{"ipv4": 4, "ipv6": 6}[s]
			if fam == 0 {
				return nmstate.Errorf(nmstate.Join(path, "family"), "%q is not ipv4 or ipv6", s)
			}
			if r.HasFamily && r.Rule.Family != fam {
				return nmstate.Errorf(nmstate.Join(path, "family"), "%s, but the addresses are IPv%d", s, r.Rule.Family)
			}
			r.Rule.Family, r.HasFamily = fam, true
		}
		if x, ok := m["priority"]; ok {
			if r.Rule.Priority, err = nmstate.AsInt(nmstate.Join(path, "priority"), x, -1, 1<<32-1); err != nil {
				return err
			}
		}
		if x, ok := m["route-table"]; ok {
			if r.Rule.Table, err = nmstate.AsInt(nmstate.Join(path, "route-table"), x, 0, 1<<32-1); err != nil {
				return err
			}
		}
		for _, k := range []string{"fwmark", "fwmask"} {
			x, ok := m[k]
			if !ok {
				continue
			}
			n, err := hexOrInt(nmstate.Join(path, k), x)
			if err != nil {
				return err
			}
			if !r.HasFwmark {
				r.Rule.Fwmask = 0xffffffff // the kernel's mask for a bare mark
			}
			r.HasFwmark = true
			if k == "fwmark" {
				r.Rule.Fwmark = n
			} else {
				r.Rule.Fwmask = n
			}
		}
		if x, ok := m["iif"]; ok {
			if r.Rule.Iif, err = p.name(nmstate.Join(path, "iif"), x); err != nil {
				return err
			}
		}
		if x, ok := m["action"]; ok {
			if r.Rule.Action, err = oneOf(nmstate.Join(path, "action"), x, rejectTypes...); err != nil {
				return err
			}
			r.HasAction = true
		}
		if !r.Absent {
			if !r.HasFamily {
				r.Rule.Family = 4
			}
			if r.Rule.Table == 0 && r.Rule.Action == "" {
				r.Rule.Table = 254
			}
		}
		p.d.Rules = append(p.d.Rules, r)
		return nil
	})
}

// parseRulePrefix reads ip-from or ip-to as the kernel keeps it: the
// address as given (host bits too), a bare address being a host.
func parseRulePrefix(path string, v any) (netip.Prefix, error) {
	pf, err := nmstate.ParsePrefix(path, v)
	if err != nil {
		return pf, err
	}
	s, _ := v.(string)
	if full, err := netip.ParsePrefix(s); err == nil {
		return full, nil
	}
	return pf, nil
}

// hexOrInt reads a fwmark: an integer or a "0x…" string, as show prints.
func hexOrInt(path string, v any) (uint32, error) {
	if s, ok := v.(string); ok && (strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X")) {
		var n uint64
		for _, c := range s[2:] {
			d := strings.IndexRune("0123456789abcdef", c|0x20)
			if d < 0 || n > 0xfffffff {
				return 0, nmstate.Errorf(path, "%q is not a 32-bit mark", s)
			}
			n = n*16 + uint64(d)
		}
		if len(s) == 2 {
			return 0, nmstate.Errorf(path, "%q is not a 32-bit mark", s)
		}
		return uint32(n), nil
	}
	n, err := nmstate.AsInt(path, v, 0, 1<<32-1)
	return uint32(n), err
}

func (p *desiredParser) dns(v any) error {
	c, ok, err := p.config("dns-resolver", v)
	if err != nil || !ok {
		return err
	}
	m, err := nmstate.AsMap("dns-resolver.config", c)
	if err != nil {
		return err
	}
	path := "dns-resolver.config"
	if err := p.keys(path, m, child(nmstate.Schema(), "dns-resolver", "config"), []string{"server", "search"}, true); err != nil {
		return err
	}
	d := &DesiredDNS{}
	if len(m) == 0 {
		// config: {} clears both, as in nmstate.
		d.HasServers, d.HasSearch = true, true
	}
	if x, ok := m["server"]; ok {
		list, err := nmstate.AsList(nmstate.Join(path, "server"), x)
		if err != nil {
			return err
		}
		d.HasServers = true
		for n, s := range list {
			a, err := nmstate.ParseAddr(nmstate.Index(nmstate.Join(path, "server"), n), s)
			if err != nil {
				return err
			}
			d.Servers = append(d.Servers, a)
		}
	}
	if x, ok := m["search"]; ok {
		list, err := nmstate.AsList(nmstate.Join(path, "search"), x)
		if err != nil {
			return err
		}
		d.HasSearch = true
		for n, s := range list {
			sp := nmstate.Index(nmstate.Join(path, "search"), n)
			name, err := nmstate.AsString(sp, s)
			if err != nil {
				return err
			}
			if err := nmstate.CheckHostname(sp, name); err != nil {
				return err
			}
			d.Search = append(d.Search, name)
		}
	}
	p.d.DNS = d
	return nil
}

func (p *desiredParser) hostname(v any) error {
	c, ok, err := p.config("hostname", v)
	if err != nil || !ok {
		return err
	}
	s, err := nmstate.AsString("hostname.config", c)
	if err != nil {
		return err
	}
	if err := nmstate.CheckHostname("hostname.config", s); err != nil {
		return err
	}
	if len(s) > 64 {
		return nmstate.Errorf("hostname.config", "%q is longer than the 64 bytes a host name can have", s)
	}
	p.d.Hostname = &s
	return nil
}
