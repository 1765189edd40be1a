package render

import (
	"net/netip"
	"strconv"
	"strings"
)

// routeArgs returns a static route as the arguments of `ip route add`
// after "add": "10.0.0.0/8 via 10.70.114.128 dev bond0 metric 50 table
// 10002". ifupdown writes them in up/down commands, ifcfg in route-<name>
// files, whose lines initscripts hands to `ip route add` as they are. An
// IPv6 default route is "::/0", never "default", so that the family shows
// without -6. onlink is set for a gateway that no address of the
// interface reaches.
func routeArgs(r Route, onlink bool) string {
	var b strings.Builder
	b.WriteString(r.Destination.String())
	if r.Via.IsValid() {
		b.WriteString(" via " + r.Via.String())
	}
	b.WriteString(" dev " + r.Interface.Name)
	if onlink && r.Via.IsValid() {
		b.WriteString(" onlink")
	}
	if r.Metric != 0 {
		b.WriteString(" metric " + strconv.Itoa(r.Metric))
	}
	if r.Table != 0 {
		b.WriteString(" table " + strconv.Itoa(r.Table))
	}
	return b.String()
}

// ruleArgs returns a policy-routing rule as the arguments of `ip rule add`
// after "add": "from 172.31.47.221/32 priority 30000 table 10002".
func ruleArgs(r Rule) string {
	var parts []string
	if r.From.IsValid() {
		parts = append(parts, "from", r.From.String())
	}
	if r.To.IsValid() {
		parts = append(parts, "to", r.To.String())
	}
	if r.Priority != 0 {
		parts = append(parts, "priority", strconv.Itoa(r.Priority))
	}
	parts = append(parts, "table", strconv.Itoa(r.Table))
	return strings.Join(parts, " ")
}

// ruleIs6 reports whether a rule is an IPv6 rule.
func ruleIs6(r Rule) bool {
	if r.From.IsValid() {
		return r.From.Addr().Is6()
	}
	return r.To.Addr().Is6()
}

// reaches returns the first of addrs whose network holds gw, and whether
// there is one.
func reaches(addrs []netip.Prefix, gw netip.Addr) (int, bool) {
	for k, a := range addrs {
		if a.Masked().Contains(gw) {
			return k, true
		}
	}
	return 0, false
}

// needsOnlink reports whether a route's gateway is reachable only if the
// route says onlink: it has a gateway, the family of the interface has
// neither DHCP nor autoconfiguration (which could bring the gateway's
// network), no static address of the interface reaches it, and it is not
// an IPv6 link-local address (always on the link).
func needsOnlink(r Route) bool {
	if !r.Via.IsValid() || r.Via.IsLinkLocalUnicast() && r.Via.Is6() {
		return false
	}
	ip := r.Interface.IPv4
	if r.Via.Is6() {
		ip = r.Interface.IPv6
	}
	if ip.DHCP || ip.Autoconf {
		return false
	}
	_, ok := reaches(ip.Addresses, r.Via)
	return !ok
}
