package apply

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netplumb/netplumb/nmstate"
)

// Show returns st as the NMState document `netapplyctl show` prints, for
// [nmstate.MarshalYAML] or [nmstate.MarshalJSON]; its mappings are
// [nmstate.Ordered], laid out as `nmstatectl show` lays out its own: the
// top level in the order hostname, dns-resolver, route-rules, routes,
// interfaces, and each interface with name and type first.
//
// What it prints follows nmstate's kernel reader for what State holds:
//   - hostname.running, left out when st.Hostname is "";
//     dns-resolver.running {server, search}, each left out when empty.
//   - route-rules.config: every rule but the kernel's own, with family,
//     ip-from and ip-to as CIDR, priority, route-table (when set), fwmark
//     and fwmask in hex (when set), action, iif.
//   - routes.running: every route of st; routes.config: those of protocol
//     boot or static. Each has destination (0.0.0.0/0 or ::/0 for the
//     default), next-hop-interface and next-hop-address (0.0.0.0 or ::
//     when the route has no gateway, as nmstate prints it) for unicast
//     routes, metric, table-id, and route-type for the others.
//   - interfaces, sorted by name: name, type, state (up or down),
//     mac-address, mtu, ipv4 and ipv6 ({enabled, address: [{ip,
//     prefix-length}]} with link-local and dynamic addresses listed, and
//     dhcp or autoconf true when a dynamic one is; {enabled: false} when
//     the link has none, left out for a port), controller, then the
//     type's section: bridge {options: {gc-timer, hello-timer, stp:
//     {enabled}}, port: [{name}]}, link-aggregation {mode, options, port},
//     vlan {base-iface, id}, vxlan {base-iface, id, local, remote,
//     destination-port}, veth {peer}, mac-vlan {base-iface, mode}; a base
//     or peer in another namespace is left out.
//
// Show does not modify st and is safe for concurrent use.
func Show(st *State) any {
	doc := nmstate.Ordered{}
	if st.Hostname != "" {
		doc = append(doc, nmstate.KV{Key: "hostname", Value: nmstate.Ordered{{Key: "running", Value: st.Hostname}}})
	}
	dns := nmstate.Ordered{}
	if len(st.DNS.Servers) > 0 {
		servers := make([]any, len(st.DNS.Servers))
		for n, s := range st.DNS.Servers {
			servers[n] = s.String()
		}
		dns = append(dns, nmstate.KV{Key: "server", Value: servers})
	}
	if len(st.DNS.Search) > 0 {
		search := make([]any, len(st.DNS.Search))
		for n, s := range st.DNS.Search {
			search[n] = s
		}
		dns = append(dns, nmstate.KV{Key: "search", Value: search})
	}
	doc = append(doc, nmstate.KV{Key: "dns-resolver", Value: nmstate.Ordered{{Key: "running", Value: dns}}})

	rules := []any{}
	for _, r := range st.Rules {
		if !r.Default && !r.Opaque {
			rules = append(rules, showRule(r))
		}
	}
	doc = append(doc, nmstate.KV{Key: "route-rules", Value: nmstate.Ordered{{Key: "config", Value: rules}}})

	running := make([]any, 0, len(st.Routes))
	config := make([]any, 0, len(st.Routes))
	// With 100,000 routes, allocating each route's entries on its own
	// and boxing the same names and gateways over and over is a good
	// part of what show costs: take the entries from one slab and box
	// each name and gateway once.
	slab := make([]nmstate.KV, 0, 5*len(st.Routes))
	b := boxes{names: map[string]any{}, addrs: map[netip.Addr]any{}}
	for _, r := range st.Routes {
		var v nmstate.Ordered
		v, slab = showRoute(r, slab, &b)
		running = append(running, v)
		if r.Config() {
			config = append(config, v)
		}
	}
	doc = append(doc, nmstate.KV{Key: "routes", Value: nmstate.Ordered{{Key: "running", Value: running}, {Key: "config", Value: config}}})

	ifaces := slices.Clone(st.Interfaces)
	slices.SortStableFunc(ifaces, func(a, b *Interface) int { return strings.Compare(a.Name, b.Name) })
	list := make([]any, len(ifaces))
	for n, i := range ifaces {
		list[n] = showInterface(i)
	}
	return append(doc, nmstate.KV{Key: "interfaces", Value: list})
}

// showRule is one entry of route-rules.config.
func showRule(r Rule) nmstate.Ordered {
	o := make(nmstate.Ordered, 0, 8)
	family := "ipv4"
	if r.Family == 6 {
		family = "ipv6"
	}
	o = append(o, nmstate.KV{Key: "family", Value: family})
	if r.From.IsValid() {
		o = append(o, nmstate.KV{Key: "ip-from", Value: r.From.String()})
	}
	if r.To.IsValid() {
		o = append(o, nmstate.KV{Key: "ip-to", Value: r.To.String()})
	}
	o = append(o, nmstate.KV{Key: "priority", Value: r.Priority})
	if r.Table != 0 {
		o = append(o, nmstate.KV{Key: "route-table", Value: r.Table})
	}
	if r.Fwmark != 0 || r.Fwmask != 0 {
		o = append(o, nmstate.KV{Key: "fwmark", Value: fmt.Sprintf("%#x", r.Fwmark)})
		o = append(o, nmstate.KV{Key: "fwmask", Value: fmt.Sprintf("%#x", r.Fwmask)})
	}
	if r.Action != "" {
		o = append(o, nmstate.KV{Key: "action", Value: r.Action})
	}
	if r.Iif != "" {
		o = append(o, nmstate.KV{Key: "iif", Value: r.Iif})
	}
	return o
}

// boxes holds names and addresses already converted to interface values,
// so that each is allocated once.
type boxes struct {
	names map[string]any
	addrs map[netip.Addr]any
}

func (b *boxes) name(s string) any {
	v, ok := b.names[s]
	if !ok {
		v = s
		b.names[s] = v
	}
	return v
}

func (b *boxes) addr(a netip.Addr) any {
	v, ok := b.addrs[a]
	if !ok {
		v = a.String()
		b.addrs[a] = v
	}
	return v
}

// showRoute is one entry of routes.running or routes.config, made of
// entries appended to slab; it returns the entry and the slab.
func showRoute(r Route, slab []nmstate.KV, b *boxes) (nmstate.Ordered, []nmstate.KV) {
	start := len(slab)
	slab = append(slab, nmstate.KV{Key: "destination", Value: r.Destination.String()})
	if r.Type == "unicast" || r.Type == "" {
		if r.Interface != "" {
			slab = append(slab, nmstate.KV{Key: "next-hop-interface", Value: b.name(r.Interface)})
		}
		gw := r.Gateway
		if !gw.IsValid() {
			gw = netip.IPv4Unspecified()
			if r.Destination.Addr().Is6() {
				gw = netip.IPv6Unspecified()
			}
		}
		slab = append(slab, nmstate.KV{Key: "next-hop-address", Value: b.addr(gw)})
	}
	slab = append(slab, nmstate.KV{Key: "metric", Value: r.Metric}, nmstate.KV{Key: "table-id", Value: r.Table})
	if r.Type != "unicast" && r.Type != "" {
		slab = append(slab, nmstate.KV{Key: "route-type", Value: b.name(r.Type)})
	}
	return nmstate.Ordered(slab[start:len(slab):len(slab)]), slab
}

// showInterface is one entry of interfaces.
func showInterface(i *Interface) nmstate.Ordered {
	o := make(nmstate.Ordered, 0, 10)
	state := "down"
	if i.Up {
		state = "up"
	}
	o = append(o, nmstate.KV{Key: "name", Value: i.Name}, nmstate.KV{Key: "type", Value: i.Type}, nmstate.KV{Key: "state", Value: state})
	if i.MAC != "" {
		o = append(o, nmstate.KV{Key: "mac-address", Value: i.MAC})
	}
	if i.MTU != 0 {
		o = append(o, nmstate.KV{Key: "mtu", Value: i.MTU})
	}
	if v := showIP(i.IPv4, i.Controller != "", "dhcp"); v != nil {
		o = append(o, nmstate.KV{Key: "ipv4", Value: v})
	}
	if v := showIP(i.IPv6, i.Controller != "", "autoconf"); v != nil {
		o = append(o, nmstate.KV{Key: "ipv6", Value: v})
	}
	if i.Controller != "" {
		o = append(o, nmstate.KV{Key: "controller", Value: i.Controller})
	}
	if b := i.Bridge; b != nil {
		opts := make(nmstate.Ordered, 0, len(b.Counters)+1)
		for _, k := range sortedKeys(b.Counters) {
			if k < "stp" {
				opts = append(opts, nmstate.KV{Key: k, Value: b.Counters[k]})
			}
		}
		opts = append(opts, nmstate.KV{Key: "stp", Value: nmstate.Ordered{{Key: "enabled", Value: b.STP}}})
		for _, k := range sortedKeys(b.Counters) {
			if k > "stp" {
				opts = append(opts, nmstate.KV{Key: k, Value: b.Counters[k]})
			}
		}
		ports := make([]any, len(b.Ports))
		for n, p := range b.Ports {
			ports[n] = nmstate.Ordered{{Key: "name", Value: p}}
		}
		o = append(o, nmstate.KV{Key: "bridge", Value: nmstate.Ordered{{Key: "options", Value: opts}, {Key: "port", Value: ports}}})
	}
	if b := i.Bond; b != nil {
		opts := make(nmstate.Ordered, 0, len(b.Options))
		for _, k := range sortedKeys(b.Options) {
			var v any = b.Options[k]
			if n, err := strconv.Atoi(b.Options[k]); err == nil {
				v = n
			}
			opts = append(opts, nmstate.KV{Key: k, Value: v})
		}
		ports := make([]any, len(b.Ports))
		for n, p := range b.Ports {
			ports[n] = p
		}
		o = append(o, nmstate.KV{Key: "link-aggregation", Value: nmstate.Ordered{{Key: "mode", Value: b.Mode}, {Key: "options", Value: opts}, {Key: "port", Value: ports}}})
	}
	if v := i.VLAN; v != nil {
		sec := nmstate.Ordered{}
		if v.Base != "" {
			sec = append(sec, nmstate.KV{Key: "base-iface", Value: v.Base})
		}
		o = append(o, nmstate.KV{Key: "vlan", Value: append(sec, nmstate.KV{Key: "id", Value: v.ID})})
	}
	if v := i.VXLAN; v != nil {
		sec := nmstate.Ordered{}
		if v.Base != "" {
			sec = append(sec, nmstate.KV{Key: "base-iface", Value: v.Base})
		}
		sec = append(sec, nmstate.KV{Key: "id", Value: v.ID})
		if v.Local.IsValid() {
			sec = append(sec, nmstate.KV{Key: "local", Value: v.Local.String()})
		}
		if v.Remote.IsValid() {
			sec = append(sec, nmstate.KV{Key: "remote", Value: v.Remote.String()})
		}
		o = append(o, nmstate.KV{Key: "vxlan", Value: append(sec, nmstate.KV{Key: "destination-port", Value: v.Port})})
	}
	if v := i.Veth; v != nil && v.Peer != "" {
		o = append(o, nmstate.KV{Key: "veth", Value: nmstate.Ordered{{Key: "peer", Value: v.Peer}}})
	}
	if v := i.MacVlan; v != nil {
		sec := nmstate.Ordered{}
		if v.Base != "" {
			sec = append(sec, nmstate.KV{Key: "base-iface", Value: v.Base})
		}
		o = append(o, nmstate.KV{Key: "mac-vlan", Value: append(sec, nmstate.KV{Key: "mode", Value: v.Mode})})
	}
	return o
}

// showIP is an interface's ipv4 or ipv6 section, nil for a port with
// no address; dynamic names the key (dhcp, autoconf) set when an address
// has a finite lifetime.
func showIP(ip IPState, port bool, dynamic string) any {
	if !ip.Enabled && len(ip.Addresses) == 0 {
		if port {
			return nil
		}
		return nmstate.Ordered{{Key: "enabled", Value: false}}
	}
	o := nmstate.Ordered{{Key: "enabled", Value: ip.Enabled}}
	if slices.ContainsFunc(ip.Addresses, func(a Address) bool { return a.Dynamic }) {
		o = append(o, nmstate.KV{Key: dynamic, Value: true})
	}
	addrs := make([]any, len(ip.Addresses))
	for n, a := range ip.Addresses {
		addrs[n] = nmstate.Ordered{{Key: "ip", Value: a.Prefix.Addr().String()}, {Key: "prefix-length", Value: a.Prefix.Bits()}}
	}
	return append(o, nmstate.KV{Key: "address", Value: addrs})
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
