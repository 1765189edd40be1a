package apply

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/netplumb/netplumb/internal/atomicfile"
)

// Apply carries out one operation on the namespace. Errors name the
// operation as the ip command that would do the same, since netlink's
// bare errno ("network is unreachable") does not.
//
// Apply is not safe for concurrent use.
func (k *NetlinkKernel) Apply(ctx context.Context, op Op) error {
	if k.applier == nil {
		k.applier = &applier{h: k.Handle, ns: k.NS}
	}
	k.applier.resolvConf, k.applier.sethostname = k.ResolvConf, k.SetHostname
	return k.applier.apply(ctx, op)
}

// applier carries out operations on one namespace through a netlink
// handle (and, for what the library cannot send, a raw netlink socket
// opened in the same namespace).
type applier struct {
	h   *netlink.Handle
	ns  netns.NsHandle
	raw *nl.NetlinkSocket
	// resolvConf is where dns-write writes; sethostname sets the host name.
	resolvConf  string
	sethostname func(string) error
	// original is resolv.conf as it was before the first write (nil:
	// there was none), for a rollback's revert.
	original []byte
	saved    bool
	indexes  map[string]int
}

// apply carries out one operation; errors say what was being done, as
// the handle's bare errno ("network is unreachable") would not.
func (a *applier) apply(ctx context.Context, op Op) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var err error
	switch op.Kind {
	case OpLinkAdd:
		a.indexes = nil
		err = a.linkAdd(op.Link)
	case OpLinkDel:
		a.indexes = nil
		err = a.linkDel(op.Name)
	case OpLinkSet:
		err = a.linkSet(op.Name, op.Set)
	case OpAddrAdd, OpAddrDel:
		err = a.address(op)
	case OpRouteAdd, OpRouteDel:
		err = a.route(op)
	case OpRuleAdd, OpRuleDel:
		err = a.rule(op)
	case OpDNS:
		err = a.writeResolvConf(op)
	case OpHostname:
		if a.sethostname == nil {
			return errors.New("hostname-set: no way to set the host name here")
		}
		err = a.sethostname(op.Hostname)
	default:
		return fmt.Errorf("unknown operation %q", op.Kind)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", op.String(), err)
	}
	return nil
}

// index returns a link's index, from a cache that link-add and link-del
// clear, so that 10,000 routes do not cost 10,000 more lookups.
func (a *applier) index(name string) (int, error) {
	if idx, ok := a.indexes[name]; ok {
		return idx, nil
	}
	l, err := a.h.LinkByName(name)
	if err != nil {
		return 0, fmt.Errorf("link %s: %w", name, err)
	}
	if a.indexes == nil {
		a.indexes = map[string]int{}
	}
	a.indexes[name] = l.Attrs().Index
	return l.Attrs().Index, nil
}

func (a *applier) linkAdd(i *Interface) error {
	if i == nil {
		return errors.New("no link to create")
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name = i.Name
	attrs.Index = i.Index // a link made again in a rollback gets its index back when it is free
	if i.MTU > 0 {
		attrs.MTU = i.MTU
	}
	if i.MAC != "" {
		hw, err := net.ParseMAC(i.MAC)
		if err != nil {
			return err
		}
		attrs.HardwareAddr = hw
	}
	var link netlink.Link
	switch i.Type {
	case TypeBridge:
		link = &netlink.Bridge{LinkAttrs: attrs}
	case TypeVeth:
		if i.Veth == nil || i.Veth.Peer == "" {
			return errors.New("a veth needs its peer's name")
		}
		link = &netlink.Veth{LinkAttrs: attrs, PeerName: i.Veth.Peer}
	case TypeDummy:
		link = &netlink.Dummy{LinkAttrs: attrs}
	case TypeMacVlan:
		base, err := a.index(i.MacVlan.Base)
		if err != nil {
			return err
		}
		attrs.ParentIndex = base
		link = &netlink.Macvlan{LinkAttrs: attrs, Mode: macvlanMode(i.MacVlan.Mode)}
	case TypeVLAN:
		base, err := a.index(i.VLAN.Base)
		if err != nil {
			return err
		}
		attrs.ParentIndex = base
		link = &netlink.Vlan{LinkAttrs: attrs, VlanId: i.VLAN.ID}
	case TypeVXLAN:
		v := &netlink.Vxlan{LinkAttrs: attrs, VxlanId: i.VXLAN.ID, Port: i.VXLAN.Port, Learning: true}
		if i.VXLAN.Base != "" {
			base, err := a.index(i.VXLAN.Base)
			if err != nil {
				return err
			}
			v.VtepDevIndex = base
		}
		if i.VXLAN.Remote.IsValid() {
			v.Group = net.IP(i.VXLAN.Remote.AsSlice())
		}
		if i.VXLAN.Local.IsValid() {
			v.SrcAddr = net.IP(i.VXLAN.Local.AsSlice())
		}
		link = v
	case TypeBond:
		b := netlink.NewLinkBond(attrs)
		if i.Bond != nil {
			if i.Bond.Mode != "" {
				b.Mode = netlink.StringToBondMode(i.Bond.Mode)
			}
			if err := setBondOptions(b, i.Bond.Options); err != nil {
				return err
			}
		}
		link = b
	default:
		return fmt.Errorf("cannot create a link of type %s", i.Type)
	}
	err := a.h.LinkAdd(link)
	if err != nil && attrs.Index != 0 && (errors.Is(err, unix.EBUSY) || errors.Is(err, unix.EEXIST)) && !linkExists(a.h, i.Name) {
		// The index is taken: any index will do.
		link.Attrs().Index = 0
		err = a.h.LinkAdd(link)
	}
	if err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("%w (is the kernel module for %s loaded?)", err, i.Type)
		}
		return err
	}
	if i.Type == TypeBridge && i.Bridge != nil && i.Bridge.STP {
		return a.setSTP(i.Name, true)
	}
	return nil
}

// setBondOptions sets the bond options netapplyctl knows on b, from their
// sysfs spellings.
func setBondOptions(b *netlink.Bond, opts map[string]string) error {
	for k, v := range opts {
		n, numErr := strconv.Atoi(v)
		num := func() error {
			if numErr != nil || n < 0 {
				return fmt.Errorf("bond option %s: %q is not a number", k, v)
			}
			return nil
		}
		var err error
		switch k {
		case "miimon":
			err, b.Miimon = num(), n
		case "updelay":
			err, b.UpDelay = num(), n
		case "downdelay":
			err, b.DownDelay = num(), n
		case "arp_interval":
			err, b.ArpInterval = num(), n
		case "min_links":
			err, b.MinLinks = num(), n
		case "all_slaves_active":
			err, b.AllSlavesActive = num(), n
		case "use_carrier":
			err, b.UseCarrier = num(), n
		case "lacp_rate":
			b.LacpRate = netlink.StringToBondLacpRate(v)
			if b.LacpRate == netlink.BOND_LACP_RATE_UNKNOWN {
				err = fmt.Errorf("bond option lacp_rate: %q is not slow or fast", v)
			}
		case "xmit_hash_policy":
			b.XmitHashPolicy = netlink.StringToBondXmitHashPolicy(v)
			if b.XmitHashPolicy == netlink.BOND_XMIT_HASH_POLICY_UNKNOWN {
				err = fmt.Errorf("bond option xmit_hash_policy: %q is unknown", v)
			}
		default:
			err = fmt.Errorf("bond option %s is not supported", k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func linkExists(h *netlink.Handle, name string) bool {
	_, err := h.LinkByName(name)
	return err == nil
}

func macvlanMode(m string) netlink.MacvlanMode {
	switch m {
	case "vepa":
		return netlink.MACVLAN_MODE_VEPA
	case "private":
		return netlink.MACVLAN_MODE_PRIVATE
	case "passthru":
		return netlink.MACVLAN_MODE_PASSTHRU
	case "source":
		return netlink.MACVLAN_MODE_SOURCE
	}
	return netlink.MACVLAN_MODE_BRIDGE
}

func (a *applier) linkDel(name string) error {
	l, err := a.h.LinkByName(name)
	if err != nil {
		return err
	}
	return a.h.LinkDel(l)
}

// linkSet changes a link's attributes: MTU and MAC first (a link must be
// down to take some MACs), then its controller, then up or down.
func (a *applier) linkSet(name string, s *LinkSet) error {
	if s == nil {
		return nil
	}
	l, err := a.h.LinkByName(name)
	if err != nil {
		return err
	}
	if s.MTU != nil {
		if err := a.h.LinkSetMTU(l, *s.MTU); err != nil {
			return fmt.Errorf("mtu %d: %w", *s.MTU, err)
		}
	}
	if s.MAC != nil {
		hw, err := net.ParseMAC(*s.MAC)
		if err != nil {
			return err
		}
		if err := a.h.LinkSetHardwareAddr(l, hw); err != nil {
			return fmt.Errorf("address %s: %w", *s.MAC, err)
		}
	}
	if s.STP != nil {
		if err := a.setSTP(name, *s.STP); err != nil {
			return err
		}
	}
	if len(s.BondOptions) > 0 {
		b := netlink.NewLinkBond(netlink.LinkAttrs{Name: name, Index: l.Attrs().Index})
		if err := setBondOptions(b, s.BondOptions); err != nil {
			return err
		}
		if err := a.h.LinkModify(b); err != nil {
			return fmt.Errorf("bond options: %w", err)
		}
	}
	if s.Controller != nil {
		if *s.Controller == "" {
			if err := a.h.LinkSetNoMaster(l); err != nil {
				return fmt.Errorf("nomaster: %w", err)
			}
		} else {
			c, err := a.index(*s.Controller)
			if err != nil {
				return err
			}
			if err := a.h.LinkSetMasterByIndex(l, c); err != nil {
				return fmt.Errorf("master %s: %w", *s.Controller, err)
			}
		}
	}
	if s.Up != nil {
		if *s.Up {
			err = a.h.LinkSetUp(l)
		} else {
			err = a.h.LinkSetDown(l)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// setSTP sends IFLA_BR_STP_STATE, which the library's Bridge type lacks.
func (a *applier) setSTP(name string, on bool) error {
	idx, err := a.index(name)
	if err != nil {
		return err
	}
	if a.raw == nil {
		if a.raw, err = nl.GetNetlinkSocketAt(a.ns, netns.None(), unix.NETLINK_ROUTE); err != nil {
			return fmt.Errorf("netlink socket: %w", err)
		}
	}
	req := nl.NewNetlinkRequest(unix.RTM_NEWLINK, unix.NLM_F_ACK)
	msg := nl.NewIfInfomsg(unix.AF_UNSPEC)
	msg.Index = int32(idx)
	req.AddData(msg)
	info := nl.NewRtAttr(unix.IFLA_LINKINFO, nil)
	info.AddRtAttr(nl.IFLA_INFO_KIND, nl.NonZeroTerminated("bridge"))
	data := info.AddRtAttr(nl.IFLA_INFO_DATA, nil)
	state := uint32(0)
	if on {
		state = 1
	}
	data.AddRtAttr(unix.IFLA_BR_STP_STATE, nl.Uint32Attr(state))
	req.AddData(info)
	a.raw.Lock()
	defer a.raw.Unlock()
	if err := a.raw.Send(req); err != nil {
		return fmt.Errorf("stp_state: %w", err)
	}
	for {
		msgs, _, err := a.raw.Receive()
		if err != nil {
			return fmt.Errorf("stp_state: %w", err)
		}
		for _, m := range msgs {
			if m.Header.Seq != req.Seq {
				continue
			}
			if m.Header.Type == unix.NLMSG_ERROR {
				if code := int32(binary.NativeEndian.Uint32(m.Data[0:4])); code != 0 {
					return fmt.Errorf("stp_state: %w", syscall.Errno(-code))
				}
				return nil
			}
		}
	}
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

func (a *applier) address(op Op) error {
	l, err := a.h.LinkByName(op.Name)
	if err != nil {
		return err
	}
	addr := &netlink.Addr{IPNet: ipNet(op.Address.Prefix), Flags: op.Address.Flags}
	if b := op.Address.Broadcast; b.IsValid() {
		addr.Broadcast = net.IP(b.AsSlice()) // 0.0.0.0: none
	}
	if op.Kind == OpAddrAdd {
		return a.h.AddrAdd(l, addr)
	}
	return a.h.AddrDel(l, addr)
}

var protocols = map[string]netlink.RouteProtocol{"boot": unix.RTPROT_BOOT, "static": unix.RTPROT_STATIC,
	"ra": unix.RTPROT_RA, "dhcp": unix.RTPROT_DHCP}

var routeTypes = map[string]int{"unicast": unix.RTN_UNICAST, "blackhole": unix.RTN_BLACKHOLE,
	"unreachable": unix.RTN_UNREACHABLE, "prohibit": unix.RTN_PROHIBIT}

// nlRoute builds the exact kernel route, so that a delete removes that
// route and not the first loose match.
func (a *applier) nlRoute(r *Route) (*netlink.Route, error) {
	nr := &netlink.Route{Dst: ipNet(r.Destination), Priority: r.Metric, Table: r.Table}
	if r.Destination.Bits() == 0 && !r.Destination.Addr().IsValid() {
		return nil, errors.New("route without a destination")
	}
	nr.Family = unix.AF_INET
	if r.Destination.Addr().Is6() {
		nr.Family = unix.AF_INET6
	}
	if r.Table == 0 {
		nr.Table = unix.RT_TABLE_MAIN
	}
	if p, ok := protocols[r.Protocol]; ok {
		nr.Protocol = p
	} else {
		nr.Protocol = unix.RTPROT_STATIC
	}
	if t, ok := routeTypes[r.Type]; ok {
		nr.Type = t
	}
	if g := r.Gateway; g.IsValid() {
		if g.Is4() == r.Destination.Addr().Is4() {
			nr.Gw = net.IP(g.AsSlice())
		} else {
			// An IPv4 route through an IPv6 gateway is sent as RTA_VIA.
			family := unix.AF_INET
			if g.Is6() {
				family = unix.AF_INET6
			}
			nr.Via = &netlink.Via{AddrFamily: family, Addr: net.IP(g.AsSlice())}
		}
	}
	if r.OnLink {
		nr.Flags |= int(netlink.FLAG_ONLINK)
	}
	if r.Source.IsValid() {
		nr.Src = net.IP(r.Source.AsSlice())
	}
	if r.Interface != "" {
		idx, err := a.index(r.Interface)
		if err != nil {
			return nil, err
		}
		nr.LinkIndex = idx
	}
	if nr.Type == unix.RTN_UNICAST || nr.Type == 0 {
		nr.Scope = netlink.SCOPE_UNIVERSE
		if r.LinkScope {
			nr.Scope = netlink.SCOPE_LINK
		}
	}
	return nr, nil
}

func (a *applier) route(op Op) error {
	nr, err := a.nlRoute(op.Route)
	if err != nil {
		return err
	}
	if op.Kind == OpRouteAdd {
		return a.h.RouteAdd(nr)
	}
	return a.h.RouteDel(nr)
}

var ruleActions = map[string]uint8{"blackhole": unix.RTN_BLACKHOLE, "unreachable": unix.RTN_UNREACHABLE,
	"prohibit": unix.RTN_PROHIBIT}

func (a *applier) rule(op Op) error {
	r := op.Rule
	nr := netlink.NewRule()
	nr.Family = unix.AF_INET
	if r.Family == 6 {
		nr.Family = unix.AF_INET6
	}
	if r.From.IsValid() {
		nr.Src = ipNet(r.From)
	}
	if r.To.IsValid() {
		nr.Dst = ipNet(r.To)
	}
	nr.Priority = r.Priority
	if r.Table != 0 {
		nr.Table = r.Table
	}
	if r.Fwmark != 0 || r.Fwmask != 0 {
		nr.Mark = r.Fwmark
		mask := r.Fwmask
		nr.Mask = &mask
	}
	if r.Iif != "" {
		nr.IifName = r.Iif
	}
	if t, ok := ruleActions[r.Action]; ok {
		nr.Type = t
		nr.Table = -1
	}
	if op.Kind == OpRuleAdd {
		return a.h.RuleAdd(nr)
	}
	return a.h.RuleDel(nr)
}

// writeResolvConf replaces resolv.conf atomically (a temporary file in
// the same directory, synced, renamed over it). The first write keeps the
// file's content, so that a revert writes it back byte for byte (or
// removes the file when there was none).
func (a *applier) writeResolvConf(op Op) error {
	if a.resolvConf == "" {
		return errors.New("no resolv.conf path")
	}
	if fi, err := os.Lstat(a.resolvConf); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		// systemd-resolved, resolvconf: another service owns the file,
		// and replacing the link would cut it off (NetworkManager leaves
		// a linked resolv.conf alone too).
		target, _ := os.Readlink(a.resolvConf)
		return fmt.Errorf("%s is a symbolic link to %s: the service that manages it sets DNS; not replaced", a.resolvConf, target)
	}
	if !a.saved {
		b, err := os.ReadFile(a.resolvConf)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		a.original, a.saved = b, true
	}
	var content []byte
	if op.Revert {
		if a.original == nil {
			err := os.Remove(a.resolvConf)
			if errors.Is(err, os.ErrNotExist) {
				err = nil
			}
			return err
		}
		content = a.original
	} else {
		var b strings.Builder
		b.WriteString("# Generated by netapplyctl.\n")
		for _, s := range op.DNS.Servers {
			b.WriteString("nameserver " + s.String() + "\n")
		}
		if len(op.DNS.Search) > 0 {
			b.WriteString("search " + strings.Join(op.DNS.Search, " ") + "\n")
		}
		content = []byte(b.String())
	}
	if err := os.MkdirAll(filepath.Dir(a.resolvConf), 0o755); err != nil {
		return err
	}
	if err := atomicfile.Write(a.resolvConf, content, 0o644); err != nil {
		return fmt.Errorf("%s: %w", a.resolvConf, err)
	}
	return nil
}

// Close releases the socket Apply opened for what the handle cannot send
// (not Handle, which the caller owns).
func (k *NetlinkKernel) Close() {
	if k.applier != nil && k.applier.raw != nil {
		k.applier.raw.Close()
		k.applier.raw = nil
	}
}
