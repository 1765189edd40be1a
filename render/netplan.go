package render

import (
	"net/netip"
	"strconv"
	"strings"
)

// Netplan renders netplan configuration: one file,
// /etc/netplan/50-netplumb.yaml, mode 0600 as netplan requires, in
// netplan's version 2 format for its networkd back end (what Ubuntu
// Server and cloud images run).
//
// Where netplan and NMState differ, it writes:
//   - state: down as activation-mode: manual: configured, but left to
//     the administrator instead of being brought up (off would keep the
//     link down for good, whatever the administrator does);
//   - identifier: mac-address as match: macaddress plus set-name, and a
//     mac-address of an interface matched by name as macaddress (a
//     cloned MAC);
//   - linux-bridge STP explicitly, on when the document does not say
//     (NMState's default; netplan's networkd back end would leave the
//     kernel's default, off);
//   - NMState's bond options under their netplan names (miimon as
//     mii-monitor-interval in milliseconds, lacp_rate 0 and 1 as slow
//     and fast);
//   - route-rules as routing-policy of the interface the [State] picked;
//   - DNS as nameservers of the interfaces holding a default route of
//     the main table, or of every interface with IP configuration when
//     none does;
//   - IPv4 auto-route-metric as dhcp4-overrides route-metric, and an MTU
//     with DHCP as use-mtu: false (the set MTU wins, as in NMState); the
//     dhcp6-overrides, when DHCPv6 is on too, are the same, as netplan
//     requires;
//   - a disabled (or unmentioned) IPv6 as link-local: [] and
//     accept-ra: false, and IPv6 autoconf as accept-ra.
//
// It refuses, with an [*UnsupportedError], what netplan cannot say:
// identifier: mac-address on a bond, VLAN or bridge; DHCPv6 without
// autoconf (netplan's networkd back end starts DHCPv6 only on a router
// advertisement); an IPv6 auto-route-metric (netplan cannot set the
// metric of RA routes); xmit_hash_policy vlan+srcmac (systemd 252
// ignores it); interface names networkd refuses or reads as patterns
// (all digits, "all", "default", '%', glob characters, a leading '!');
// DNS with no interface to carry it.
type Netplan struct{}

// Name returns "netplan".
func (Netplan) Name() string { return "netplan" }

// netplanPath is where the renderer writes.
const netplanPath = "/etc/netplan/50-netplumb.yaml"

// Render returns /etc/netplan/50-netplumb.yaml for st, or an
// [*UnsupportedError] naming the first thing netplan cannot express.
//
// Render is safe for concurrent use.
func (r Netplan) Render(st *State) ([]File, error) {
	dns, routes, rules, err := systemdPrepare(st, r.Name())
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.Grow(512 + 400*len(st.Interfaces))
	b.WriteString(header + "network:\n  version: 2\n  renderer: networkd\n")
	for _, sec := range [...]struct {
		key  string
		kind Kind
	}{{"ethernets", Ethernet}, {"bonds", Bond}, {"bridges", Bridge}, {"vlans", VLAN}} {
		first := true
		for _, i := range st.Interfaces {
			if i.Kind != sec.kind {
				continue
			}
			if first {
				b.WriteString("  " + sec.key + ":\n")
				first = false
			}
			if err := r.iface(&b, st, i, dns[i], routes[i], rules[i]); err != nil {
				return nil, err
			}
		}
	}
	return []File{{Path: netplanPath, Mode: 0o600, Content: []byte(b.String())}}, nil
}

// iface writes one device definition.
func (r Netplan) iface(out *strings.Builder, st *State, i *Interface, dns bool, routes []*Route, rules []*Rule) error {
	path := systemdPath(st, i)
	var b strings.Builder
	line := func(indent int, s string) {
		b.WriteString("      "[:indent])
		b.WriteString(s)
		b.WriteByte('\n')
	}
	list := func(key string, items []string) {
		line(6, key+":")
		for _, it := range items {
			line(6, "- "+it)
		}
	}
	if i.MatchMAC != "" {
		if i.Kind != Ethernet {
			return &UnsupportedError{Path: path + ".identifier", Renderer: r.Name()}
		}
		line(6, "match:")
		b.WriteString("        macaddress: " + netplanScalar(i.MatchMAC) + "\n")
		line(6, "set-name: "+netplanScalar(i.Name))
	}
	if i.CloneMAC != "" {
		line(6, "macaddress: "+netplanScalar(i.CloneMAC))
	}
	if i.MTU != 0 {
		line(6, "mtu: "+strconv.Itoa(i.MTU))
	}
	if i.Down {
		line(6, "activation-mode: manual")
	}
	switch i.Kind {
	case Bond:
		names := make([]string, len(i.Bond.Ports))
		for j, p := range i.Bond.Ports {
			names[j] = netplanScalar(p.Name)
		}
		list("interfaces", names)
		line(6, "parameters:")
		b.WriteString("        mode: " + i.Bond.Mode + "\n")
		for _, o := range systemdBondOptions {
			v, ok := i.Bond.Options[o.nmstate]
			if !ok {
				continue
			}
			if o.nmstate == "xmit_hash_policy" && v == "vlan+srcmac" {
				return &UnsupportedError{Path: path + ".link-aggregation.options.xmit_hash_policy", Renderer: r.Name()}
			}
			switch o.nmstate {
			case "lacp_rate":
				v = systemdLACPRate(v)
			case "miimon", "updelay", "downdelay":
				// Milliseconds; [Parse] checked they are numbers.
			default:
				v = netplanScalar(v)
			}
			b.WriteString("        " + o.netplan + ": " + v + "\n")
		}
	case Bridge:
		names := make([]string, len(i.Bridge.Ports))
		for j, p := range i.Bridge.Ports {
			names[j] = netplanScalar(p.Name)
		}
		list("interfaces", names)
		line(6, "parameters:")
		b.WriteString("        stp: " + strconv.FormatBool(i.Bridge.STP == nil || *i.Bridge.STP) + "\n")
	case VLAN:
		line(6, "id: "+strconv.Itoa(i.VLAN.ID))
		line(6, "link: "+netplanScalar(i.VLAN.Base.Name))
	}
	if i.Controller == nil {
		if err := r.ip(line, list, path, i); err != nil {
			return err
		}
	}
	if dns {
		line(6, "nameservers:")
		if len(st.DNS.Servers) > 0 {
			b.WriteString("        addresses:\n")
			for _, s := range st.DNS.Servers {
				b.WriteString("        - " + netplanScalar(s.String()) + "\n")
			}
		}
		if len(st.DNS.Search) > 0 {
			b.WriteString("        search:\n")
			for _, s := range st.DNS.Search {
				b.WriteString("        - " + netplanScalar(s) + "\n")
			}
		}
	}
	if len(routes) > 0 {
		line(6, "routes:")
	}
	for _, rt := range routes {
		to := "default"
		if rt.Destination.Bits() != 0 {
			to = netplanScalar(rt.Destination.String())
		}
		line(6, "- to: "+to)
		if rt.Via.IsValid() {
			line(6, "  via: "+netplanScalar(rt.Via.String()))
		}
		if rt.Metric != 0 {
			line(6, "  metric: "+strconv.Itoa(rt.Metric))
		}
		if rt.Table != 0 {
			line(6, "  table: "+strconv.Itoa(rt.Table))
		}
	}
	if len(rules) > 0 {
		line(6, "routing-policy:")
	}
	for _, ru := range rules {
		dash := "- "
		if ru.From.IsValid() {
			line(6, dash+"from: "+netplanScalar(ru.From.String()))
			dash = "  "
		}
		if ru.To.IsValid() {
			line(6, dash+"to: "+netplanScalar(ru.To.String()))
		}
		line(6, "  table: "+strconv.Itoa(ru.Table))
		if ru.Priority != 0 {
			line(6, "  priority: "+strconv.Itoa(ru.Priority))
		}
	}
	if i.Description != "" {
		out.WriteString("    # " + i.Description + "\n")
	}
	out.WriteString("    " + netplanScalar(i.Name))
	if b.Len() == 0 {
		out.WriteString(": {}\n")
		return nil
	}
	out.WriteString(":\n")
	out.WriteString(b.String())
	return nil
}

// ip writes the IP configuration of an interface that is not a port.
func (r Netplan) ip(line func(int, string), list func(string, []string), path string, i *Interface) error {
	v4, v6 := i.IPv4, i.IPv6
	if v6.Enabled && v6.DHCP && !v6.Autoconf {
		return &UnsupportedError{Path: path + ".ipv6.autoconf", Renderer: r.Name()}
	}
	if v6.AutoRouteMetric != 0 && (v6.DHCP || v6.Autoconf) {
		return &UnsupportedError{Path: path + ".ipv6.auto-route-metric", Renderer: r.Name()}
	}
	// The overrides: the DHCPv4 route metric, and use-mtu: false when
	// the MTU is set (netplan would write UseMTU=true, which networkd
	// disables with a warning). netplan wants the DHCPv6 overrides to be
	// the same when both are on; for networkd they are one [DHCP]
	// section anyway.
	var overrides []string
	if v4.DHCP && v4.AutoRouteMetric != 0 {
		overrides = append(overrides, "  route-metric: "+strconv.Itoa(v4.AutoRouteMetric))
	}
	if i.MTU != 0 && (v4.DHCP || v6.DHCP) {
		overrides = append(overrides, "  use-mtu: false")
	}
	for _, f := range [...]struct {
		on  bool
		key string
	}{{v4.DHCP, "dhcp4"}, {v6.DHCP, "dhcp6"}} {
		if !f.on {
			continue
		}
		line(6, f.key+": true")
		if len(overrides) > 0 {
			line(6, f.key+"-overrides:")
			for _, o := range overrides {
				line(6, o)
			}
		}
	}
	line(6, "accept-ra: "+strconv.FormatBool(v6.Enabled && v6.Autoconf))
	if !v6.Enabled {
		line(6, "link-local: []")
	}
	if len(v4.Addresses)+len(v6.Addresses) > 0 {
		var addrs []string
		for _, a := range v4.Addresses {
			addrs = append(addrs, netplanScalar(a.String()))
		}
		for _, a := range v6.Addresses {
			addrs = append(addrs, netplanScalar(a.String()))
		}
		list("addresses", addrs)
	}
	return nil
}

// netplanScalar writes s as a YAML scalar: plain when it is plainly a
// string to every YAML reader, double-quoted otherwise. The [State]'s
// values hold no '"', '\\' or control characters, so quoting needs no
// escapes.
func netplanScalar(s string) string {
	if netplanPlain(s) {
		return s
	}
	return `"` + s + `"`
}

func netplanPlain(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; c >= '0' && c <= '9' {
		// Numbers, dates and times are not plain strings in YAML 1.1;
		// IPv4 addresses and networks are.
		if p, err := netip.ParsePrefix(s); err == nil {
			return p.Addr().Is4()
		}
		a, err := netip.ParseAddr(s)
		return err == nil && a.Is4()
	}
	for j := 0; j < len(s); j++ {
		c := s[j]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case (c == '.' || c == '-' || c == '/' || c == '+') && j > 0:
		default:
			return false
		}
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		return false
	}
	return true
}
