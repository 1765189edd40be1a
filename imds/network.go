package imds

import (
	"fmt"
	"net/netip"
	"strconv"
)

// Options shape the NMState document [Metadata.NMState] builds.
type Options struct {
	// Local are the machine's links (see [Sysfs.Links]) that name the
	// metadata's NICs by MAC.
	Local []LocalLink
	// Supplementary names interfaces that get a routing table of their own
	// with a default route and from/to rules for each of their IPv4
	// addresses, so that traffic to and from them leaves through them.
	Supplementary []string
}

// TableBase plus a link's ifindex is the routing table of a
// supplementary interface, as cloud-network-setup numbers them.
const TableBase = 9999

// RulePriority is the priority of the first supplementary route rule;
// each further rule takes the next number. Priorities are explicit so that
// the order of the rules does not depend on the order they are added in.
const RulePriority = 30000

// NMState builds the desired state for the metadata: interfaces named by
// their local link's MAC (or, without one, by the metadata's name or
// eth<index>, with identifier: mac-address), routes.config,
// dns-resolver.config, hostname.config when the metadata has a host name,
// and with Supplementary route-rules.config. It returns an error for a
// supplementary interface that does not exist, has no local link or no
// IPv4 gateway in the metadata.
//
// NMState is safe for concurrent use.
func (m *Metadata) NMState(opts Options) (map[string]any, error) {
	names, local := m.names(opts.Local)
	var ifaces []any
	for _, l := range m.Links {
		ifaces = append(ifaces, m.iface(l, names, local))
	}
	routes := []any{}
	for _, r := range m.Routes {
		routes = append(routes, routeDoc(r, names[r.Link]))
	}
	servers := []any{}
	for _, s := range m.DNSServers {
		servers = append(servers, s.String())
	}
	search := []any{}
	for _, s := range m.DNSSearch {
		search = append(search, s)
	}
	doc := map[string]any{
		"interfaces":   ifaces,
		"routes":       map[string]any{"config": routes},
		"dns-resolver": map[string]any{"config": map[string]any{"server": servers, "search": search}},
	}
	if ifaces == nil {
		doc["interfaces"] = []any{}
	}
	if m.Hostname != "" {
		doc["hostname"] = map[string]any{"config": m.Hostname}
	}
	if len(opts.Supplementary) > 0 {
		rules, extra, err := m.supplementary(opts.Supplementary, names, local)
		if err != nil {
			return nil, err
		}
		doc["routes"] = map[string]any{"config": append(routes, extra...)}
		doc["route-rules"] = map[string]any{"config": rules}
	}
	return doc, nil
}

// names gives every link its interface name: the local link with its MAC
// for an ethernet link, else the metadata's name, else eth<Index> (the
// next free eth<N> if that is taken); VLANs without a name are
// <base>.<id>. local records the local link of each matched link.
func (m *Metadata) names(links []LocalLink) (map[*Link]string, map[*Link]LocalLink) {
	names := make(map[*Link]string, len(m.Links))
	local := make(map[*Link]LocalLink)
	taken := map[string]bool{}
	for _, l := range m.Links {
		if l.Kind != Ethernet || l.MAC == "" {
			continue
		}
		if ll, ok := byMAC(links, l.MAC, l.Port); ok && !taken[ll.Name] {
			names[l], local[l] = ll.Name, ll
			taken[ll.Name] = true
		}
	}
	for _, l := range m.Links {
		if l.Kind == VLAN || names[l] != "" {
			continue
		}
		name := l.Name
		if name == "" || taken[name] {
			for n := l.Index; ; n++ {
				if name = "eth" + strconv.Itoa(n); !taken[name] {
					break
				}
			}
		}
		names[l] = name
		taken[name] = true
	}
	for _, l := range m.Links {
		if l.Kind != VLAN {
			continue
		}
		name := l.Name
		if name == "" {
			name = fmt.Sprintf("%s.%d", names[l.Base], l.VLANID)
		}
		names[l] = name
	}
	return names, local
}

func (m *Metadata) iface(l *Link, names map[*Link]string, local map[*Link]LocalLink) map[string]any {
	e := map[string]any{"name": names[l], "type": string(l.Kind), "state": "up"}
	if _, ok := local[l]; !ok && l.Kind == Ethernet && l.MAC != "" {
		e["identifier"] = "mac-address"
		e["mac-address"] = l.MAC
	}
	if l.MTU != 0 {
		e["mtu"] = int64(l.MTU)
	}
	switch l.Kind {
	case Bond:
		ports := []any{}
		for _, p := range l.Ports {
			ports = append(ports, names[p])
		}
		la := map[string]any{"mode": l.BondMode, "port": ports}
		if len(l.BondOptions) > 0 {
			la["options"] = l.BondOptions
		}
		e["link-aggregation"] = la
	case VLAN:
		e["vlan"] = map[string]any{"base-iface": names[l.Base], "id": int64(l.VLANID)}
	}
	if l.Port {
		return e
	}
	e["ipv4"] = familyDoc(l.IPv4, false, l.AutoRouteMetric)
	e["ipv6"] = familyDoc(l.IPv6, true, 0)
	return e
}

func familyDoc(f Family, v6 bool, metric int) map[string]any {
	if !f.enabled() {
		return map[string]any{"enabled": false}
	}
	addrs := []any{}
	for _, p := range f.Addresses {
		addrs = append(addrs, map[string]any{"ip": p.Addr().String(), "prefix-length": int64(p.Bits())})
	}
	d := map[string]any{"enabled": true, "dhcp": f.DHCP, "address": addrs}
	if v6 {
		d["autoconf"] = f.Autoconf
	}
	if metric != 0 && f.DHCP {
		d["auto-route-metric"] = int64(metric)
	}
	return d
}

func routeDoc(r Route, iface string) map[string]any {
	d := map[string]any{"destination": r.Destination.Masked().String(), "next-hop-interface": iface}
	if r.Via.IsValid() {
		d["next-hop-address"] = r.Via.String()
	}
	if r.Metric != 0 {
		d["metric"] = int64(r.Metric)
	}
	if r.Table != 0 {
		d["table-id"] = int64(r.Table)
	}
	return d
}

// supplementary builds the rules and the table routes of the
// supplementary interfaces.
func (m *Metadata) supplementary(ifaces []string, names map[*Link]string, local map[*Link]LocalLink) (rules, routes []any, err error) {
	byName := map[string]*Link{}
	for l, n := range names {
		byName[n] = l
	}
	seen := map[string]bool{}
	prio := RulePriority
	rules = []any{}
	for _, name := range ifaces {
		if seen[name] {
			continue
		}
		seen[name] = true
		l, ok := byName[name]
		if !ok {
			return nil, nil, fmt.Errorf("--supplementary %s: no such interface in the metadata", name)
		}
		ll, ok := local[l]
		if !ok || ll.Ifindex <= 0 {
			return nil, nil, fmt.Errorf("--supplementary %s: no local link with its MAC, so no ifindex to number its table", name)
		}
		if !l.GatewayIPv4.IsValid() {
			return nil, nil, fmt.Errorf("--supplementary %s: the metadata gives no IPv4 gateway for it", name)
		}
		table := TableBase + ll.Ifindex
		routes = append(routes, routeDoc(Route{Destination: netip.MustParsePrefix("0.0.0.0/0"), Via: l.GatewayIPv4, Table: table}, name))
		for _, a := range supplementaryAddrs(l) {
			host := netip.PrefixFrom(a, 32).String()
			rules = append(rules,
				map[string]any{"ip-from": host, "route-table": int64(table), "priority": int64(prio)},
				map[string]any{"ip-to": host, "route-table": int64(table), "priority": int64(prio + 1)})
			prio += 2
		}
	}
	return rules, routes, nil
}

// supplementaryAddrs are every IPv4 address of a link, primary first.
func supplementaryAddrs(l *Link) []netip.Addr {
	seen := map[netip.Addr]bool{}
	var out []netip.Addr
	add := func(a netip.Addr) {
		if a.Is4() && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, a := range l.PrivateIPv4 {
		add(a)
	}
	for _, p := range l.IPv4.Addresses {
		add(p.Addr())
	}
	return out
}
