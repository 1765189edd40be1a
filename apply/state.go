// Package apply reads the running kernel's network state as NMState,
// plans the operations that take it to a desired NMState, and carries them
// out over netlink as one transaction: snapshot, apply in dependency
// order, re-read and verify, and on any failure restore the snapshot.
//
// Planning is pure ([Plan]: states in, operations out); all kernel access
// goes through a [Kernel], whose netlink implementation works on a
// *netlink.Handle opened on the target namespace. README.md in this
// directory records the NMState rules followed.
package apply

import (
	"net/netip"
)

// State is the network state of a namespace as netapplyctl sees it:
// what `show` prints and what plans start from.
type State struct {
	Interfaces []*Interface // sorted by name
	// Routes are the routes of every table of the protocols boot, static,
	// ra and dhcp (never kernel), unicast and blackhole, unreachable,
	// prohibit.
	Routes []Route
	// Rules are the policy rules, the kernel's default rules included
	// (Default marks them).
	Rules []Rule
	DNS   DNS
	// Hostname is the host name (of the host, even for a namespace).
	Hostname string
}

// Interface types, as nmstate names them.
const (
	TypeEthernet = "ethernet"
	TypeVeth     = "veth"
	TypeBridge   = "linux-bridge"
	TypeBond     = "bond"
	TypeVLAN     = "vlan"
	TypeVXLAN    = "vxlan"
	TypeMacVlan  = "mac-vlan"
	TypeDummy    = "dummy"
	TypeLoopback = "loopback"
	TypeUnknown  = "unknown"
)

// Interface is one link.
type Interface struct {
	Name  string
	Index int
	Type  string
	Up    bool   // administratively up
	MAC   string // upper case, as nmstate prints it; "" when none
	MTU   int
	// Controller is the bridge or bond this link is a port of.
	Controller string
	// PromoteSecondaries is net.ipv4.conf.NAME.promote_secondaries:
	// deleting an IPv4 primary promotes a secondary instead of dropping
	// them all (systemd turns it on; a new namespace has it off).
	PromoteSecondaries bool

	IPv4, IPv6 IPState

	Bridge  *BridgeState
	Bond    *BondState
	VLAN    *VLANState
	VXLAN   *VXLANState
	Veth    *VethState
	MacVlan *MacVlanState
}

// IPState is one family's addresses on a link.
type IPState struct {
	Enabled   bool
	Addresses []Address // in the kernel's order (primary first)
}

// Address is one address with its flags.
type Address struct {
	Prefix netip.Prefix
	// Dynamic: given by DHCP or SLAAC (a finite lifetime); never removed
	// by a plan.
	Dynamic bool
	// Secondary: an IPv4 address in the subnet of an earlier (primary)
	// one; with promote_secondaries 0, deleting the primary drops it.
	Secondary bool
	// Broadcast is an IPv4 address's broadcast address as read, 0.0.0.0
	// when it has none; the zero Addr (a new address) lets it be computed.
	Broadcast netip.Addr
	// Flags are the kernel's IFA_F_ flags a rollback gives back (nodad,
	// noprefixroute, mngtmpaddr, homeaddress).
	Flags int
}

// LinkLocal reports whether the address is IPv6 link-local (fe80::/10),
// which nmstate lists but never manages.
func (a Address) LinkLocal() bool {
	return a.Prefix.Addr().Is6() && a.Prefix.Addr().IsLinkLocalUnicast()
}

// BridgeState is a Linux bridge's STP setting and ports, with its live
// counters (shown, never compared).
type BridgeState struct {
	STP      bool
	Ports    []string // sorted
	Counters map[string]int64
}

// BondState is a bond's mode, ports and options.
type BondState struct {
	Mode    string
	Ports   []string
	Options map[string]string
}

// VLANState is a VLAN's base and id.
type VLANState struct {
	Base string
	ID   int
}

// VXLANState is a VXLAN's id, endpoints, port and base.
type VXLANState struct {
	ID     int
	Remote netip.Addr
	Local  netip.Addr
	Port   int
	Base   string
}

// VethState is a veth's peer.
type VethState struct {
	Peer string
}

// MacVlanState is a mac-vlan's base and mode.
type MacVlanState struct {
	Base string
	Mode string // vepa, bridge, private, passthru, source
}

// Route is a route of any table.
type Route struct {
	Destination netip.Prefix
	Gateway     netip.Addr // zero: none
	Interface   string     // "" for blackhole, unreachable, prohibit
	Metric      int
	Table       int    // 254 is main
	Protocol    string // boot, static, ra, dhcp
	Type        string // unicast, blackhole, unreachable, prohibit

	// What show does not print but a rollback gives back, and a delete
	// must name: the onlink flag, the preferred source, scope link (an
	// IPv4 route without a gateway, as ip adds it).
	OnLink    bool
	Source    netip.Addr
	LinkScope bool
	// Multipath marks one next hop of a multipath route: listed, never
	// removed or made again by netapplyctl (the kernel treats the route
	// as a whole).
	Multipath bool
}

// Config reports whether the route is configuration (protocol boot or
// static), the only routes `routes.config` lists and plans remove.
func (r Route) Config() bool { return r.Protocol == "boot" || r.Protocol == "static" }

// Rule is a policy routing rule.
type Rule struct {
	From, To netip.Prefix // zero: any
	Family   int          // 4 or 6
	Priority int
	Table    int
	Fwmark   uint32
	Fwmask   uint32
	Iif      string
	Action   string // "" (to table), blackhole, unreachable, prohibit
	// Default marks the kernel's own rules (priority 0, 32766, 32767 to
	// the local, main and default tables), which are never removed.
	Default bool
	// Opaque marks a rule with selectors Rule does not hold (not, tos,
	// oif, ipproto, ports, uidrange, suppress_prefixlength, goto…): not
	// shown, never matched, removed or made again by netapplyctl.
	Opaque bool
}

// DNS is resolv.conf's servers and search domains.
type DNS struct {
	Servers []netip.Addr
	Search  []string
}

// Lookup returns the interface with a name, or nil.
func (s *State) Lookup(name string) *Interface {
	for _, i := range s.Interfaces {
		if i.Name == name {
			return i
		}
	}
	return nil
}
