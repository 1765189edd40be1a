package render

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Networkd renders systemd-networkd configuration in /etc/systemd/network:
// a .network file for every interface (30-netplumb-NAME.network), a
// .netdev for every bond, VLAN and bridge (20-netplumb-NAME.netdev) and a
// .link naming every interface matched by MAC (10-netplumb-NAME.link), so
// that links are named before they are configured and these files come
// before the distributions' catch-alls (99-default.link, zz-default.network).
// Files are mode 0644: networkd runs as systemd-network.
//
// Where networkd and NMState differ, it writes:
//   - state: down as ActivationPolicy=down (brought down when configured,
//     free to be brought up by hand);
//   - identifier: mac-address as a .link matching PermanentMACAddress=
//     and setting Name=, and a .network matching both the name and the
//     permanent MAC, so that a device that failed to be renamed is not
//     configured by mistake; a mac-address of an interface matched by
//     name as MACAddress= (a cloned MAC) in the .network, or in the
//     .netdev for a bond, VLAN or bridge;
//   - the MTU in the .network only, so a VLAN is never created with an
//     MTU its base does not have yet;
//   - linux-bridge STP explicitly, on when the document does not say
//     (NMState's default; networkd's is the kernel's, off);
//   - NMState's bond options under their networkd names (miimon as
//     MIIMonitorSec= in milliseconds, lacp_rate as LACPTransmitRate=,
//     primary as PrimarySlave= in the port's .network);
//   - route-rules as [RoutingPolicyRule] of the interface the [State]
//     picked;
//   - DNS as DNS= and Domains= of the interfaces holding a default route
//     of the main table, or of every interface with IP configuration when
//     none does;
//   - auto-route-metric as [DHCPv4] RouteMetric= and, for IPv6, as
//     [IPv6AcceptRA] RouteMetric= (RA routes; DHCPv6 gives none);
//   - IPv6 DHCP without autoconf as IPv6AcceptRA=no with [DHCPv6]
//     WithoutRA=solicit, autoconf without DHCP as [IPv6AcceptRA]
//     DHCPv6Client=no, and a disabled (or unmentioned) IPv6 as
//     LinkLocalAddressing=no and IPv6AcceptRA=no.
//
// It refuses, with an [*UnsupportedError]: identifier: mac-address on a
// bond, VLAN or bridge; xmit_hash_policy vlan+srcmac (systemd 252 ignores
// it); interface names networkd refuses or reads as patterns (all digits,
// "all", "default", '%', glob characters, a leading '!'); DNS with no
// interface to carry it.
type Networkd struct{}

// Name returns "networkd".
func (Networkd) Name() string { return "networkd" }

// networkdDir is where the renderer writes.
const networkdDir = "/etc/systemd/network/"

// Render returns the .link, .netdev and .network files for st, or an
// [*UnsupportedError] naming the first thing networkd cannot express.
//
// Render is safe for concurrent use.
func (r Networkd) Render(st *State) ([]File, error) {
	dns, routes, rules, err := systemdPrepare(st, r.Name())
	if err != nil {
		return nil, err
	}
	vlans := map[*Interface][]string{}
	for _, i := range st.Interfaces {
		if i.Kind == VLAN {
			vlans[i.VLAN.Base] = append(vlans[i.VLAN.Base], i.Name)
		}
	}
	files := make([]File, 0, 2*len(st.Interfaces))
	for _, i := range st.Interfaces {
		path := systemdPath(st, i)
		if i.MatchMAC != "" {
			if i.Kind != Ethernet {
				return nil, &UnsupportedError{Path: path + ".identifier", Renderer: r.Name()}
			}
			files = append(files, networkdFile("10-netplumb-"+i.Name+".link",
				"[Match]\nPermanentMACAddress="+i.MatchMAC+"\n\n[Link]\nName="+i.Name+"\n"))
		}
		if i.Kind != Ethernet {
			nd, err := r.netdev(i, path)
			if err != nil {
				return nil, err
			}
			files = append(files, networkdFile("20-netplumb-"+i.Name+".netdev", nd))
		}
		files = append(files, networkdFile("30-netplumb-"+i.Name+".network", r.network(st, i, dns[i], vlans[i], routes[i], rules[i])))
	}
	return files, nil
}

func networkdFile(name, body string) File {
	return File{Path: networkdDir + name, Mode: 0o644, Content: []byte(header + body)}
}

// netdev returns the .netdev of a bond, VLAN or bridge.
func (r Networkd) netdev(i *Interface, path string) (string, error) {
	var b strings.Builder
	b.WriteString("[NetDev]\nName=" + i.Name + "\n")
	switch i.Kind {
	case Bond:
		b.WriteString("Kind=bond\n")
	case VLAN:
		b.WriteString("Kind=vlan\n")
	case Bridge:
		b.WriteString("Kind=bridge\n")
	}
	if i.Description != "" {
		b.WriteString("Description=" + i.Description + "\n")
	}
	if i.CloneMAC != "" {
		b.WriteString("MACAddress=" + i.CloneMAC + "\n")
	}
	switch i.Kind {
	case Bond:
		b.WriteString("\n[Bond]\nMode=" + i.Bond.Mode + "\n")
		for _, o := range systemdBondOptions {
			v, ok := i.Bond.Options[o.nmstate]
			if !ok || o.networkd == "" {
				continue
			}
			switch o.nmstate {
			case "xmit_hash_policy":
				if v == "vlan+srcmac" {
					return "", &UnsupportedError{Path: path + ".link-aggregation.options.xmit_hash_policy", Renderer: r.Name()}
				}
			case "lacp_rate":
				v = systemdLACPRate(v)
			case "miimon", "updelay", "downdelay":
				v += "ms"
			}
			b.WriteString(o.networkd + "=" + v + "\n")
		}
	case VLAN:
		b.WriteString("\n[VLAN]\nId=" + strconv.Itoa(i.VLAN.ID) + "\n")
	case Bridge:
		b.WriteString("\n[Bridge]\nSTP=" + networkdBool(i.Bridge.STP == nil || *i.Bridge.STP) + "\n")
	}
	return b.String(), nil
}

// network returns the .network of an interface.
func (r Networkd) network(st *State, i *Interface, dns bool, vlans []string, routes []*Route, rules []*Rule) string {
	var b strings.Builder
	b.WriteString("[Match]\nName=" + i.Name + "\n")
	if i.MatchMAC != "" {
		b.WriteString("PermanentMACAddress=" + i.MatchMAC + "\n")
	}
	var link []string
	if i.CloneMAC != "" && i.Kind == Ethernet {
		link = append(link, "MACAddress="+i.CloneMAC)
	}
	if i.MTU != 0 {
		link = append(link, "MTUBytes="+strconv.Itoa(i.MTU))
	}
	if i.Down {
		link = append(link, "ActivationPolicy=down")
	}
	if len(link) > 0 {
		b.WriteString("\n[Link]\n" + strings.Join(link, "\n") + "\n")
	}

	v4, v6 := i.IPv4, i.IPv6
	b.WriteString("\n[Network]\n")
	if i.Description != "" && i.Kind == Ethernet {
		b.WriteString("Description=" + i.Description + "\n")
	}
	switch {
	case v4.DHCP && v6.DHCP:
		b.WriteString("DHCP=yes\n")
	case v4.DHCP:
		b.WriteString("DHCP=ipv4\n")
	case v6.DHCP:
		b.WriteString("DHCP=ipv6\n")
	}
	for _, a := range v4.Addresses {
		b.WriteString("Address=" + a.String() + "\n")
	}
	for _, a := range v6.Addresses {
		b.WriteString("Address=" + a.String() + "\n")
	}
	if dns {
		for _, s := range st.DNS.Servers {
			b.WriteString("DNS=" + s.String() + "\n")
		}
		if len(st.DNS.Search) > 0 {
			b.WriteString("Domains=" + strings.Join(st.DNS.Search, " ") + "\n")
		}
	}
	if !v6.Enabled {
		b.WriteString("LinkLocalAddressing=no\n")
	}
	b.WriteString("IPv6AcceptRA=" + networkdBool(v6.Enabled && v6.Autoconf) + "\n")
	if c := i.Controller; c != nil {
		if c.Kind == Bond {
			b.WriteString("Bond=" + c.Name + "\n")
			if c.Bond.Options["primary"] == i.Name {
				b.WriteString("PrimarySlave=yes\n")
			}
		} else {
			b.WriteString("Bridge=" + c.Name + "\n")
		}
	}
	for _, v := range vlans {
		b.WriteString("VLAN=" + v + "\n")
	}

	if v4.DHCP && v4.AutoRouteMetric != 0 {
		b.WriteString("\n[DHCPv4]\nRouteMetric=" + strconv.Itoa(v4.AutoRouteMetric) + "\n")
	}
	if v6.DHCP && !v6.Autoconf {
		b.WriteString("\n[DHCPv6]\nWithoutRA=solicit\n")
	}
	if v6.Autoconf && (!v6.DHCP || v6.AutoRouteMetric != 0) {
		b.WriteString("\n[IPv6AcceptRA]\n")
		if v6.AutoRouteMetric != 0 {
			b.WriteString("RouteMetric=" + strconv.Itoa(v6.AutoRouteMetric) + "\n")
		}
		if !v6.DHCP {
			b.WriteString("DHCPv6Client=no\n")
		}
	}

	for _, rt := range routes {
		b.WriteString("\n[Route]\nDestination=" + rt.Destination.String() + "\n")
		if rt.Via.IsValid() {
			b.WriteString("Gateway=" + rt.Via.String() + "\n")
		}
		if rt.Metric != 0 {
			b.WriteString("Metric=" + strconv.Itoa(rt.Metric) + "\n")
		}
		if rt.Table != 0 {
			b.WriteString("Table=" + strconv.Itoa(rt.Table) + "\n")
		}
	}
	for _, ru := range rules {
		b.WriteString("\n[RoutingPolicyRule]\n")
		if ru.From.IsValid() {
			b.WriteString("From=" + ru.From.String() + "\n")
		}
		if ru.To.IsValid() {
			b.WriteString("To=" + ru.To.String() + "\n")
		}
		b.WriteString("Table=" + strconv.Itoa(ru.Table) + "\n")
		if ru.Priority != 0 {
			b.WriteString("Priority=" + strconv.Itoa(ru.Priority) + "\n")
		}
	}
	return b.String()
}

func networkdBool(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// systemdBondOptions are NMState's bond options, in the order written,
// with their netplan and networkd names ("" for primary in networkd,
// which sets PrimarySlave= on the port instead).
var systemdBondOptions = [...]struct{ nmstate, netplan, networkd string }{
	{"lacp_rate", "lacp-rate", "LACPTransmitRate"},
	{"miimon", "mii-monitor-interval", "MIIMonitorSec"},
	{"updelay", "up-delay", "UpDelaySec"},
	{"downdelay", "down-delay", "DownDelaySec"},
	{"xmit_hash_policy", "transmit-hash-policy", "TransmitHashPolicy"},
	{"primary", "primary", ""},
}

// systemdLACPRate spells lacp_rate as netplan and networkd take it.
func systemdLACPRate(v string) string {
	switch v {
	case "0":
		return "slow"
	case "1":
		return "fast"
	}
	return v
}

// systemdPrepare is what netplan and networkd both need first: the names
// checked, the links that carry DNS, and the routes and rules by link.
func systemdPrepare(st *State, renderer string) (dns map[*Interface]bool, routes map[*Interface][]*Route, rules map[*Interface][]*Rule, err error) {
	if err := systemdCheckNames(st, renderer); err != nil {
		return nil, nil, nil, err
	}
	if dns, err = systemdDNSLinks(st, renderer); err != nil {
		return nil, nil, nil, err
	}
	routes, rules = systemdRoutesRules(st)
	return dns, routes, rules, nil
}

// systemdRoutesRules indexes the routes and rules by the interface they
// are written with, in document order.
func systemdRoutesRules(st *State) (map[*Interface][]*Route, map[*Interface][]*Rule) {
	routes := map[*Interface][]*Route{}
	for j := range st.Routes {
		routes[st.Routes[j].Interface] = append(routes[st.Routes[j].Interface], &st.Routes[j])
	}
	rules := map[*Interface][]*Rule{}
	for j := range st.Rules {
		rules[st.Rules[j].Interface] = append(rules[st.Rules[j].Interface], &st.Rules[j])
	}
	return routes, rules
}

// systemdPath is where an interface is in the document: its own entry,
// or, for a port the document only names, the controller's port list.
func systemdPath(st *State, i *Interface) string {
	if i.Path != "" || i.Controller == nil {
		return i.Path
	}
	c := i.Controller
	if c.Kind == Bond {
		return fmt.Sprintf("%s.link-aggregation.port[%d]", c.Path, slices.Index(c.Bond.Ports, i))
	}
	return fmt.Sprintf("%s.bridge.port[%d]", c.Path, slices.Index(c.Bridge.Ports, i))
}

// systemdCheckNames refuses interface names that systemd refuses
// (ifname_valid: all digits, "all", "default", '%') or that a [Match]
// Name= would read as a pattern (glob characters, a leading '!'): netplan
// writes them there too.
func systemdCheckNames(st *State, renderer string) error {
	for _, i := range st.Interfaces {
		n := i.Name
		digits := strings.Trim(n, "0123456789") == ""
		if digits || n == "all" || n == "default" || n[0] == '!' || strings.ContainsAny(n, "%*?[]") {
			path := systemdPath(st, i)
			if i.Path != "" {
				path += ".name"
			}
			return &UnsupportedError{Path: path, Renderer: renderer}
		}
	}
	return nil
}

// systemdDNSLinks picks the interfaces that carry DNS: those holding a
// default route of the main table or, when none does, every interface
// with IP configuration. DNS with no interface to carry it is an
// [*UnsupportedError] at dns-resolver.config.
func systemdDNSLinks(st *State, renderer string) (map[*Interface]bool, error) {
	if len(st.DNS.Servers) == 0 && len(st.DNS.Search) == 0 {
		return nil, nil
	}
	links := map[*Interface]bool{}
	for _, rt := range st.Routes {
		if rt.Destination.Bits() == 0 && rt.Table == 0 {
			links[rt.Interface] = true
		}
	}
	if len(links) == 0 {
		for _, i := range st.Interfaces {
			if i.IPv4.Enabled || i.IPv6.Enabled {
				links[i] = true
			}
		}
	}
	if len(links) == 0 {
		return nil, &UnsupportedError{Path: "dns-resolver.config", Renderer: renderer}
	}
	return links, nil
}
