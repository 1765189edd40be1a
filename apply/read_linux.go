package apply

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// NetlinkKernel is the [Kernel] of a network namespace: it reads the
// namespace over netlink and changes it.
//
// Read is safe for concurrent use; it opens a socket of its own for each
// call besides using Handle.
type NetlinkKernel struct {
	// Handle is a netlink handle on the namespace, from
	// netlink.NewHandleAt (never the package-level functions).
	Handle *netlink.Handle
	// NS is the namespace Handle is on: Read opens one more socket there
	// to dump links, routes and rules itself, as the library drops bridge
	// STP and timers and rule actions, and parses routes at ten times the
	// memory. netns.None() means the calling process's namespace; the
	// zero value is not a namespace.
	NS netns.NsHandle
	// ResolvConf is the resolv.conf that dns-resolver reflects
	// (/etc/resolv.conf, or /etc/netns/NAME/resolv.conf for a named
	// namespace); "" reads none.
	ResolvConf string
	// Hostname returns the host name (os.Hostname); nil reads none.
	Hostname func() (string, error)
	// SetHostname sets it (unix.Sethostname); nil refuses hostname-set.
	SetHostname func(string) error

	applier *applier
}

var _ Kernel = (*NetlinkKernel)(nil)

// Read returns the state of the namespace: every link, the addresses,
// the routes of every table and the policy rules of both families, DNS
// from ResolvConf and the host name. A dump that the kernel interrupts
// because the table changed meanwhile is tried again a few times. Read
// returns an error naming what it was reading ("routes: …") when netlink
// or a file fails, and ctx's error once ctx is done.
func (k *NetlinkKernel) Read(ctx context.Context) (*State, error) {
	s, err := socketAt(k.NS)
	if err != nil {
		return nil, fmt.Errorf("netlink socket in the namespace: %w", err)
	}
	defer s.Close()

	st := &State{}
	names, err := k.readLinks(ctx, s, st)
	if err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	if err := k.readAddresses(ctx, st); err != nil {
		return nil, fmt.Errorf("addresses: %w", err)
	}
	if st.Routes, err = readRoutes(ctx, s, names); err != nil {
		return nil, fmt.Errorf("routes: %w", err)
	}
	for _, family := range []uint8{unix.AF_INET, unix.AF_INET6} {
		rules, err := readRules(ctx, s, family)
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		st.Rules = append(st.Rules, rules...)
	}
	if k.ResolvConf != "" {
		if st.DNS, err = readResolvConf(k.ResolvConf); err != nil {
			return nil, err
		}
	}
	if k.Hostname != nil {
		if st.Hostname, err = k.Hostname(); err != nil {
			return nil, fmt.Errorf("hostname: %w", err)
		}
	}
	return st, nil
}

// linkTypes maps the kinds of link the kernel reports to nmstate's type
// names; links of other kinds are unknown, links of no kind ethernet or
// loopback by their hardware type.
var linkTypes = map[string]string{
	"veth":    TypeVeth,
	"bridge":  TypeBridge,
	"bond":    TypeBond,
	"vlan":    TypeVLAN,
	"vxlan":   TypeVXLAN,
	"macvlan": TypeMacVlan,
	"dummy":   TypeDummy,
}

// readLinks dumps the links into st.Interfaces, sorted by name, and
// returns the names by index.
func (k *NetlinkKernel) readLinks(ctx context.Context, s *nl.NetlinkSocket, st *State) (map[int]string, error) {
	type linkInfo struct {
		iface *Interface
		link  netlink.Link
	}
	var links []linkInfo
	err := dump(ctx, s, unix.RTM_GETLINK, nl.NewIfInfomsg(unix.AF_UNSPEC), unix.RTM_NEWLINK,
		func() { links = links[:0] },
		func(m []byte) error {
			link, err := netlink.LinkDeserialize(nil, m)
			if err != nil {
				return err
			}
			a := link.Attrs()
			i := &Interface{
				Name:  a.Name,
				Index: a.Index,
				Type:  linkTypes[link.Type()],
				Up:    a.Flags&net.FlagUp != 0,
				MTU:   a.MTU,
			}
			hw := a.HardwareAddr
			if len(hw) == 0 {
				hw = zeroAddress(m) // the library drops all-zero addresses (lo's)
			}
			if len(hw) > 0 {
				i.MAC = strings.ToUpper(hw.String())
			}
			if i.Type == "" {
				switch {
				case link.Type() != "device":
					i.Type = TypeUnknown
				case a.EncapType == "loopback" || a.Flags&net.FlagLoopback != 0:
					i.Type = TypeLoopback
				case a.EncapType == "ether":
					i.Type = TypeEthernet
				default:
					i.Type = TypeUnknown
				}
			}
			if i.Type == TypeBridge {
				i.Bridge = bridgeState(m)
			}
			i.PromoteSecondaries = promoteSecondaries(m)
			links = append(links, linkInfo{i, link})
			return nil
		})
	if err != nil {
		return nil, err
	}

	names := make(map[int]string, len(links))
	for _, l := range links {
		names[l.iface.Index] = l.iface.Name
	}
	// local returns the name of the link with the index, when the
	// reference is to this namespace.
	local := func(index int, a *netlink.LinkAttrs) string {
		if a.NetNsID >= 0 {
			return ""
		}
		return names[index]
	}
	byName := make(map[string]*Interface, len(links))
	for _, l := range links {
		i, a := l.iface, l.link.Attrs()
		byName[i.Name] = i
		if a.MasterIndex != 0 {
			i.Controller = names[a.MasterIndex]
		}
		switch link := l.link.(type) {
		case *netlink.Veth:
			i.Veth = &VethState{Peer: local(a.ParentIndex, a)}
		case *netlink.Bond:
			i.Bond = &BondState{Mode: link.Mode.String(), Options: bondOptions(link)}
		case *netlink.Vlan:
			i.VLAN = &VLANState{Base: local(a.ParentIndex, a), ID: link.VlanId}
		case *netlink.Vxlan:
			i.VXLAN = &VXLANState{ID: link.VxlanId, Port: link.Port, Base: names[link.VtepDevIndex]}
			i.VXLAN.Remote, _ = netip.AddrFromSlice(link.Group)
			i.VXLAN.Local, _ = netip.AddrFromSlice(link.SrcAddr)
		case *netlink.Macvlan:
			i.MacVlan = &MacVlanState{Base: local(a.ParentIndex, a), Mode: macvlanModeNames[link.Mode]}
		}
		if i.Type == TypeBridge && i.Bridge == nil {
			i.Bridge = &BridgeState{}
		}
	}
	for _, l := range links {
		c := byName[l.iface.Controller]
		switch {
		case c == nil:
		case c.Bridge != nil:
			c.Bridge.Ports = append(c.Bridge.Ports, l.iface.Name)
		case c.Bond != nil:
			c.Bond.Ports = append(c.Bond.Ports, l.iface.Name)
		}
	}
	st.Interfaces = make([]*Interface, len(links))
	for n, l := range links {
		st.Interfaces[n] = l.iface
		if b := l.iface.Bridge; b != nil {
			slices.Sort(b.Ports)
		}
		if b := l.iface.Bond; b != nil {
			slices.Sort(b.Ports)
		}
	}
	slices.SortFunc(st.Interfaces, func(a, b *Interface) int { return strings.Compare(a.Name, b.Name) })
	return names, nil
}

// macvlanModeNames names the library's mac-vlan modes as nmstate does.
var macvlanModeNames = map[netlink.MacvlanMode]string{
	netlink.MACVLAN_MODE_PRIVATE:  "private",
	netlink.MACVLAN_MODE_VEPA:     "vepa",
	netlink.MACVLAN_MODE_BRIDGE:   "bridge",
	netlink.MACVLAN_MODE_PASSTHRU: "passthru",
	netlink.MACVLAN_MODE_SOURCE:   "source",
}

// zeroAddress returns the link-layer address of a link's RTM_NEWLINK
// message, nil if it has none.
func zeroAddress(m []byte) net.HardwareAddr {
	attrs, err := nl.ParseRouteAttr(m[unix.SizeofIfInfomsg:])
	if err != nil {
		return nil
	}
	for _, a := range attrs {
		if a.Attr.Type == unix.IFLA_ADDRESS {
			return net.HardwareAddr(a.Value)
		}
	}
	return nil
}

// promoteSecondaries reads the link's IPv4 promote_secondaries setting
// from IFLA_AF_SPEC → AF_INET → IFLA_INET_CONF (the devconf values, the
// first being IPV4_DEVCONF_FORWARDING). /proc/sys would be the reading
// process's namespace, not necessarily the link's.
func promoteSecondaries(m []byte) bool {
	const devconfPromoteSecondaries = 20 // IPV4_DEVCONF_PROMOTE_SECONDARIES
	on := false
	if len(m) < unix.SizeofIfInfomsg {
		return false
	}
	walkAttrs(m[unix.SizeofIfInfomsg:], func(t uint16, v []byte) {
		if t&^unix.NLA_F_NESTED != unix.IFLA_AF_SPEC {
			return
		}
		walkAttrs(v, func(t uint16, v []byte) {
			if t&^unix.NLA_F_NESTED != unix.AF_INET {
				return
			}
			walkAttrs(v, func(t uint16, v []byte) {
				if t&^unix.NLA_F_NESTED == unix.IFLA_INET_CONF && len(v) >= devconfPromoteSecondaries*4 {
					on = u32(v[(devconfPromoteSecondaries-1)*4:]) != 0
				}
			})
		})
	})
	return on
}

// bridgeState reads the STP state and the timers of a bridge from its
// RTM_NEWLINK message, which the library does not parse.
func bridgeState(m []byte) *BridgeState {
	b := &BridgeState{Counters: map[string]int64{}}
	attrs, err := nl.ParseRouteAttr(m[unix.SizeofIfInfomsg:])
	if err != nil {
		return b
	}
	for _, a := range attrs {
		if a.Attr.Type != unix.IFLA_LINKINFO {
			continue
		}
		infos, err := nl.ParseRouteAttr(a.Value)
		if err != nil {
			return b
		}
		for _, info := range infos {
			if info.Attr.Type != nl.IFLA_INFO_DATA {
				continue
			}
			data, err := nl.ParseRouteAttr(info.Value)
			if err != nil {
				return b
			}
			for _, d := range data {
				switch {
				case d.Attr.Type == nl.IFLA_BR_STP_STATE && len(d.Value) >= 4:
					b.STP = binary.NativeEndian.Uint32(d.Value) != 0
				case d.Attr.Type == nl.IFLA_BR_HELLO_TIMER && len(d.Value) >= 8:
					b.Counters["hello-timer"] = int64(binary.NativeEndian.Uint64(d.Value))
				case d.Attr.Type == nl.IFLA_BR_GC_TIMER && len(d.Value) >= 8:
					b.Counters["gc-timer"] = int64(binary.NativeEndian.Uint64(d.Value))
				}
			}
		}
	}
	return b
}

// bondOptions returns the options of a bond that the kernel reported,
// under their sysfs names as nmstate uses them.
func bondOptions(b *netlink.Bond) map[string]string {
	o := map[string]string{}
	ints := []struct {
		name string
		v    int
	}{
		{"miimon", b.Miimon}, {"updelay", b.UpDelay}, {"downdelay", b.DownDelay},
		{"use_carrier", b.UseCarrier}, {"arp_interval", b.ArpInterval},
		{"resend_igmp", b.ResendIgmp}, {"num_grat_arp", b.NumPeerNotif},
		{"all_slaves_active", b.AllSlavesActive}, {"min_links", b.MinLinks},
		{"lp_interval", b.LpInterval}, {"packets_per_slave", b.PacketsPerSlave},
		{"ad_actor_sys_prio", b.AdActorSysPrio}, {"ad_user_port_key", b.AdUserPortKey},
		{"tlb_dynamic_lb", b.TlbDynamicLb},
	}
	for _, x := range ints {
		if x.v >= 0 {
			o[x.name] = strconv.Itoa(x.v)
		}
	}
	enums := []struct {
		name string
		v    int
		s    fmt.Stringer
	}{
		{"arp_validate", int(b.ArpValidate), b.ArpValidate},
		{"arp_all_targets", int(b.ArpAllTargets), b.ArpAllTargets},
		{"primary_reselect", int(b.PrimaryReselect), b.PrimaryReselect},
		{"fail_over_mac", int(b.FailOverMac), b.FailOverMac},
		{"xmit_hash_policy", int(b.XmitHashPolicy), b.XmitHashPolicy},
		{"lacp_rate", int(b.LacpRate), b.LacpRate},
		{"ad_select", int(b.AdSelect), b.AdSelect},
	}
	for _, x := range enums {
		if s := x.s.String(); x.v >= 0 && s != "" && !strings.HasPrefix(s, "unknown") {
			o[x.name] = s
		}
	}
	if len(b.ArpIpTargets) > 0 {
		var ts []string
		for _, ip := range b.ArpIpTargets {
			ts = append(ts, ip.String())
		}
		o["arp_ip_target"] = strings.Join(ts, ",")
	}
	return o
}

// readAddresses dumps the addresses of both families into the
// interfaces of st, in the kernel's order.
func (k *NetlinkKernel) readAddresses(ctx context.Context, st *State) error {
	byIndex := make(map[int]*Interface, len(st.Interfaces))
	for _, i := range st.Interfaces {
		byIndex[i.Index] = i
	}
	var addrs []netlink.Addr
	err := retryDump(ctx, func() error {
		var err error
		addrs, err = k.Handle.AddrList(nil, netlink.FAMILY_ALL)
		return err
	})
	if err != nil {
		return err
	}
	for _, a := range addrs {
		i := byIndex[a.LinkIndex]
		if i == nil || a.IPNet == nil {
			continue
		}
		p := prefixOf(a.IPNet)
		if !p.IsValid() {
			continue
		}
		addr := Address{Prefix: p, Dynamic: uint32(a.ValidLft) != math.MaxUint32, Secondary: a.Flags&unix.IFA_F_SECONDARY != 0,
			Flags: a.Flags & keptAddrFlags}
		if p.Addr().Is4() {
			addr.Broadcast = netip.IPv4Unspecified()
			if b, ok := netip.AddrFromSlice(a.Broadcast); ok {
				addr.Broadcast = b.Unmap()
			}
		}
		if p.Addr().Is4() {
			i.IPv4.Addresses = append(i.IPv4.Addresses, addr)
		} else {
			i.IPv6.Addresses = append(i.IPv6.Addresses, addr)
		}
	}
	for _, i := range st.Interfaces {
		i.IPv4.Enabled = len(i.IPv4.Addresses) > 0
		i.IPv6.Enabled = len(i.IPv6.Addresses) > 0
	}
	return nil
}

// keptAddrFlags are the address flags a rollback gives back.
const keptAddrFlags = unix.IFA_F_NODAD | unix.IFA_F_NOPREFIXROUTE | unix.IFA_F_MANAGETEMPADDR | unix.IFA_F_HOMEADDRESS

// prefixOf converts an address and mask, keeping the host bits; it
// returns the zero Prefix for what is not an IP network.
func prefixOf(n *net.IPNet) netip.Prefix {
	ip := n.IP
	if len(n.Mask) == net.IPv4len {
		ip = ip.To4() // the library writes default routes' 0.0.0.0 in 16 bytes
	}
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Prefix{}
	}
	ones, bits := n.Mask.Size()
	if bits != a.BitLen() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(a, ones)
}

// Route protocols, types and rule actions as State names them; routes
// and rules of others are not read.
var (
	routeProtocolNames = map[netlink.RouteProtocol]string{
		unix.RTPROT_BOOT: "boot", unix.RTPROT_STATIC: "static", unix.RTPROT_RA: "ra", unix.RTPROT_DHCP: "dhcp",
	}
	routeTypeNames = map[int]string{
		unix.RTN_UNICAST: "unicast", unix.RTN_BLACKHOLE: "blackhole",
		unix.RTN_UNREACHABLE: "unreachable", unix.RTN_PROHIBIT: "prohibit",
	}
	ruleActionNames = map[uint8]string{
		unix.FR_ACT_TO_TBL: "", unix.FR_ACT_BLACKHOLE: "blackhole",
		unix.FR_ACT_UNREACHABLE: "unreachable", unix.FR_ACT_PROHIBIT: "prohibit",
	}
)

// readRoutes dumps the routes of every table over s, in the kernel's
// order, of the protocols, types and scopes (universe, link) nmstate
// shows; a multipath route becomes one Route per next hop.
//
// It parses the messages itself, which the library's RouteListFiltered
// (with RT_TABLE_UNSPEC and RT_FILTER_TABLE, for every table) would do
// too, at ten times the memory: with 100,000 routes that decides whether
// `show` takes under a second.
func readRoutes(ctx context.Context, s *nl.NetlinkSocket, names map[int]string) ([]Route, error) {
	var chunks [][]Route
	cur := make([]Route, 0, routeChunk)
	err := dump(ctx, s, unix.RTM_GETROUTE, &nl.RtMsg{}, unix.RTM_NEWROUTE,
		func() { chunks, cur = nil, cur[:0] },
		func(m []byte) error {
			if len(cur) > routeChunk-16 { // room for a multipath route
				chunks = append(chunks, cur)
				cur = make([]Route, 0, routeChunk)
			}
			var err error
			cur, err = appendRoute(cur, m, names)
			return err
		})
	if err != nil {
		return nil, err
	}
	n := len(cur)
	for _, c := range chunks {
		n += len(c)
	}
	routes := make([]Route, 0, n)
	for _, c := range chunks {
		routes = append(routes, c...)
	}
	return append(routes, cur...), nil
}

// routeChunk is how many routes readRoutes collects in one piece, so that
// a large table is not copied over and over as a slice grows.
const routeChunk = 4096

// appendRoute appends the route of an RTM_NEWROUTE message to routes, one
// Route per next hop, unless it is of a protocol, type or scope that is
// not read, or a cached clone.
func appendRoute(routes []Route, m []byte, names map[int]string) ([]Route, error) {
	if len(m) < unix.SizeofRtMsg {
		return routes, fmt.Errorf("route message of %d bytes", len(m))
	}
	// struct rtmsg: family, dst_len, src_len, tos, table, protocol,
	// scope, type, flags.
	family, dstLen, table, proto, scope, typ := m[0], int(m[1]), int(m[4]), m[5], m[6], m[7]
	flags := binary.NativeEndian.Uint32(m[8:12])
	protoName, ok := routeProtocolNames[netlink.RouteProtocol(proto)]
	if !ok || flags&unix.RTM_F_CLONED != 0 || scope != unix.RT_SCOPE_UNIVERSE && scope != unix.RT_SCOPE_LINK {
		return routes, nil
	}
	typeName, ok := routeTypeNames[int(typ)]
	if !ok {
		return routes, nil
	}
	r := Route{Table: table, Protocol: protoName, Type: typeName, LinkScope: scope == unix.RT_SCOPE_LINK,
		OnLink: flags&unix.RTNH_F_ONLINK != 0}
	dst := netip.IPv4Unspecified()
	if family == unix.AF_INET6 {
		dst = netip.IPv6Unspecified()
	}
	var oif int
	var gw netip.Addr
	var multipath []byte
	err := walkAttrs(m[unix.SizeofRtMsg:], func(t uint16, v []byte) {
		switch t {
		case unix.RTA_DST:
			if a, ok := netip.AddrFromSlice(v); ok {
				dst = a
			}
		case unix.RTA_OIF:
			oif = int(u32(v))
		case unix.RTA_GATEWAY:
			gw, _ = netip.AddrFromSlice(v)
		case unix.RTA_VIA:
			gw = viaAddr(v)
		case unix.RTA_PRIORITY:
			r.Metric = int(u32(v))
		case unix.RTA_TABLE:
			r.Table = int(u32(v))
		case unix.RTA_MULTIPATH:
			multipath = v
		case unix.RTA_PREFSRC:
			r.Source, _ = netip.AddrFromSlice(v)
		}
	})
	if err != nil {
		return routes, err
	}
	r.Destination = netip.PrefixFrom(dst, dstLen)
	if typeName != "unicast" {
		return append(routes, r), nil
	}
	if multipath == nil {
		r.Gateway, r.Interface = gw, names[oif]
		return append(routes, r), nil
	}
	// struct rtnexthop: len (u16), flags, hops, ifindex (i32), then
	// its attributes.
	for len(multipath) >= 8 {
		n := int(binary.NativeEndian.Uint16(multipath[0:2]))
		if n < 8 || n > len(multipath) {
			return routes, fmt.Errorf("bad next hop of %d bytes", n)
		}
		hop := r
		hop.Multipath = true
		hop.OnLink = multipath[2]&unix.RTNH_F_ONLINK != 0
		hop.Interface = names[int(int32(binary.NativeEndian.Uint32(multipath[4:8])))]
		err := walkAttrs(multipath[8:n], func(t uint16, v []byte) {
			switch t {
			case unix.RTA_GATEWAY:
				hop.Gateway, _ = netip.AddrFromSlice(v)
			case unix.RTA_VIA:
				hop.Gateway = viaAddr(v)
			}
		})
		if err != nil {
			return routes, err
		}
		routes = append(routes, hop)
		multipath = multipath[min(nlAlign(n), len(multipath)):]
	}
	return routes, nil
}

// viaAddr reads an RTA_VIA attribute (struct rtvia: family, address):
// an IPv6 next hop of an IPv4 route.
func viaAddr(v []byte) netip.Addr {
	if len(v) < 2 {
		return netip.Addr{}
	}
	a, _ := netip.AddrFromSlice(v[2:])
	return a
}

// walkAttrs calls f with the type and value of each netlink attribute in
// b, without allocating; it returns an error for a malformed one.
func walkAttrs(b []byte, f func(t uint16, v []byte)) error {
	for len(b) >= unix.SizeofRtAttr {
		n := int(binary.NativeEndian.Uint16(b[0:2]))
		if n < unix.SizeofRtAttr || n > len(b) {
			return fmt.Errorf("bad netlink attribute of %d bytes", n)
		}
		f(binary.NativeEndian.Uint16(b[2:4])&^unix.NLA_F_NESTED, b[unix.SizeofRtAttr:n])
		b = b[min(nlAlign(n), len(b)):]
	}
	return nil
}

// nlAlign rounds n up to netlink's 4-byte alignment.
func nlAlign(n int) int { return (n + 3) &^ 3 }

// The kernel's default rules: priority and table of each family's.
var defaultRules = map[[2]int]bool{
	{0, unix.RT_TABLE_LOCAL}: true, {32766, unix.RT_TABLE_MAIN}: true, {32767, unix.RT_TABLE_DEFAULT}: true,
}

// readRules dumps the rules of one family over s, in the kernel's order
// (by priority). The library drops a rule's action, so the messages are
// parsed here. Rules whose action is none of to-table, blackhole,
// unreachable and prohibit (goto, nop) are left out.
func readRules(ctx context.Context, s *nl.NetlinkSocket, family uint8) ([]Rule, error) {
	var rules []Rule
	err := dump(ctx, s, unix.RTM_GETRULE, &nl.RtMsg{RtMsg: unix.RtMsg{Family: family}}, unix.RTM_NEWRULE,
		func() { rules = rules[:0] },
		func(m []byte) error {
			// struct fib_rule_hdr has rtmsg's layout: family, dst_len,
			// src_len, tos, table, two reserved bytes, action, flags.
			if len(m) < unix.SizeofRtMsg {
				return fmt.Errorf("rule message of %d bytes", len(m))
			}
			hdr := nl.DeserializeRtMsg(m)
			if hdr.Family != family {
				return nil
			}
			action, ok := ruleActionNames[hdr.Type]
			if !ok {
				return nil
			}
			attrs, err := nl.ParseRouteAttr(m[unix.SizeofRtMsg:])
			if err != nil {
				return err
			}
			r := Rule{Family: 4, Table: int(hdr.Table), Action: action}
			if family == unix.AF_INET6 {
				r.Family = 6
			}
			proto, hasProto, selectors := -1, false, false
			for _, a := range attrs {
				v := a.Value
				switch a.Attr.Type {
				case nl.FRA_SRC:
					r.From = rulePrefix(v, hdr.Src_len)
				case nl.FRA_DST:
					r.To = rulePrefix(v, hdr.Dst_len)
				case nl.FRA_PRIORITY:
					r.Priority = int(u32(v))
				case unix.FRA_TABLE:
					r.Table = int(u32(v))
				case nl.FRA_FWMARK:
					r.Fwmark = u32(v)
					selectors = selectors || r.Fwmark != 0
				case nl.FRA_FWMASK:
					r.Fwmask = u32(v)
				case nl.FRA_IIFNAME:
					r.Iif = strings.TrimRight(string(v), "\x00")
				case nl.FRA_PROTOCOL:
					if len(v) > 0 {
						proto, hasProto = int(v[0]), true
					}
				case nl.FRA_OIFNAME, nl.FRA_GOTO, nl.FRA_FLOW, nl.FRA_TUN_ID, nl.FRA_IP_PROTO,
					nl.FRA_SPORT_RANGE, nl.FRA_DPORT_RANGE, nl.FRA_UID_RANGE, nl.FRA_L3MDEV:
					selectors, r.Opaque = true, true
				case nl.FRA_SUPPRESS_PREFIXLEN, nl.FRA_SUPPRESS_IFGROUP:
					if int32(u32(v)) != -1 {
						selectors, r.Opaque = true, true
					}
				}
			}
			// tos and "not" (FIB_RULE_INVERT) are selectors Rule does not hold
			if hdr.Tos != 0 || binary.NativeEndian.Uint32(m[8:12])&unix.FIB_RULE_INVERT != 0 {
				selectors, r.Opaque = true, true
			}
			if hasProto {
				r.Default = proto == unix.RTPROT_KERNEL
			} else {
				r.Default = !selectors && !r.From.IsValid() && !r.To.IsValid() && r.Iif == "" &&
					action == "" && defaultRules[[2]int{r.Priority, r.Table}]
			}
			rules = append(rules, r)
			return nil
		})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(rules, func(a, b Rule) int { return cmp.Compare(a.Priority, b.Priority) })
	return rules, nil
}

// rulePrefix makes the prefix of a rule's address attribute.
func rulePrefix(v []byte, bits uint8) netip.Prefix {
	a, ok := netip.AddrFromSlice(v)
	if !ok {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(a, int(bits))
}

// u32 reads a native-endian 32-bit attribute, 0 if it is short.
func u32(v []byte) uint32 {
	if len(v) < 4 {
		return 0
	}
	return binary.NativeEndian.Uint32(v)
}
