package imds

import (
	"fmt"
	"net/netip"
	"strings"
)

// Kind is the kind of a [Link].
type Kind string

// The kinds of links.
const (
	Ethernet Kind = "ethernet"
	Bond     Kind = "bond"
	VLAN     Kind = "vlan"
)

// Metadata is an instance's metadata, normalized: what every provider's
// Parse produces and what NMState and facts are built from.
type Metadata struct {
	Provider   string
	InstanceID string
	Hostname   string
	Region     string // "" when the provider has none
	Zone       string
	Size       string
	Image      string
	Account    string // account, subscription or project

	// Links are the network devices, in provider order (primary first).
	Links []*Link
	// Routes are the static routes the metadata states.
	Routes []Route
	// DNS servers and search domains the metadata states, in order.
	DNSServers []netip.Addr
	DNSSearch  []string

	// Raw is the provider's own tree, for `imdsctl raw`.
	Raw any
}

// Link is one network device of the instance.
type Link struct {
	Kind Kind
	// MAC is the hardware address, lower case with colons; "" for bonds
	// and VLANs without their own.
	MAC string
	// Name is the name the metadata gives the device (a VMware netplan id,
	// an OpenStack or Equinix name, a bond or VLAN name); "" when it has
	// none. Ethernet links are named by their MAC's local link first.
	Name string
	// Index is the provider's number for the device (AWS device-number,
	// the position in a list); the synthetic name is eth<Index>.
	Index   int
	Primary bool
	MTU     int // 0: the metadata says nothing

	// Ports are the links a bond aggregates; Port is set on them.
	Ports []*Link
	Port  bool
	// BondMode is a Linux bonding mode name (802.3ad, active-backup, ...);
	// BondOptions its options (miimon, ...), values as NMState takes them.
	BondMode    string
	BondOptions map[string]any
	// Base and VLANID define a VLAN.
	Base   *Link
	VLANID int

	IPv4, IPv6 Family

	// AutoRouteMetric, when not 0, is the metric of routes DHCP installs.
	AutoRouteMetric int

	// Facts for `show`, whether or not they are configured.
	PrivateIPv4 []netip.Addr
	PublicIPv4  []netip.Addr
	AllIPv6     []netip.Addr
	SubnetIPv4  netip.Prefix // zero when unknown
	GatewayIPv4 netip.Addr   // zero when unknown
}

// bondModes are Linux's bonding modes, by number.
var bondModes = []string{"balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"}

// hashPolicies are the bonding driver's xmit_hash_policy values.
var hashPolicies = []string{"layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4", "vlan+srcmac"}

// Family is the configuration of one IP family on a link.
type Family struct {
	DHCP     bool
	Autoconf bool
	// Static addresses, on top of what DHCP gives.
	Addresses []netip.Prefix
}

// enabled reports whether the family has anything to configure.
func (f Family) enabled() bool {
	return f.DHCP || f.Autoconf || len(f.Addresses) > 0
}

// Route is a static route.
type Route struct {
	Destination netip.Prefix
	Via         netip.Addr // zero: on-link
	Link        *Link
	Metric      int // 0: unset
	Table       int // 0: unset
}

// primaryByDefaultRoute marks as primary the first link with a default
// route in the main table, else the first link that is not a bond port,
// and gives each link without an IPv4 gateway that of its IPv4 default
// route.
func (m *Metadata) primaryByDefaultRoute() {
	var primary *Link
	for _, r := range m.Routes {
		if r.Destination.Bits() != 0 || !r.Via.IsValid() || r.Table != 0 {
			continue
		}
		if primary == nil {
			primary = r.Link
		}
		if r.Via.Is4() && !r.Link.GatewayIPv4.IsValid() {
			r.Link.GatewayIPv4 = r.Via
		}
	}
	for _, l := range m.Links {
		if primary == nil && !l.Port {
			primary = l
		}
	}
	if primary != nil {
		primary.Primary = true
	}
}

// FieldError is metadata that fails validation: the field (a path in the
// provider's document) and what is wrong with it.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErrorf(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Validate checks what Parse filled in before anything is emitted: names,
// MACs, MTUs, VLAN ids, hostnames, and that addresses and routes are
// consistent. It returns a [*FieldError].
func (m *Metadata) Validate() error {
	if m.Hostname != "" {
		if err := CheckHostname(m.Hostname); err != nil {
			return fieldErrorf("hostname", "%v", err)
		}
	}
	for _, s := range m.DNSSearch {
		if err := CheckHostname(s); err != nil {
			return fieldErrorf("dns search", "%v", err)
		}
	}
	for i, l := range m.Links {
		where := fmt.Sprintf("links[%d]", i)
		if l.Name != "" {
			if err := CheckName(l.Name); err != nil {
				return fieldErrorf(where+".name", "%v", err)
			}
		}
		if l.MAC != "" {
			if _, err := ParseMAC(l.MAC); err != nil {
				return fieldErrorf(where+".mac", "%v", err)
			}
		}
		if l.MTU != 0 && (l.MTU < 68 || l.MTU > 65535) {
			return fieldErrorf(where+".mtu", "%d is not between 68 and 65535", l.MTU)
		}
		if l.Kind == VLAN && (l.VLANID < 1 || l.VLANID > 4094 || l.Base == nil) {
			return fieldErrorf(where+".vlan", "id %d is not between 1 and 4094, or the VLAN has no base", l.VLANID)
		}
		for _, p := range l.IPv4.Addresses {
			if !p.Addr().Is4() {
				return fieldErrorf(where+".ipv4", "%s is not an IPv4 address", p)
			}
		}
		for _, p := range l.IPv6.Addresses {
			if !p.Addr().Is6() || p.Addr().Is4In6() {
				return fieldErrorf(where+".ipv6", "%s is not an IPv6 address", p)
			}
		}
	}
	for i, r := range m.Routes {
		if r.Link == nil {
			return fieldErrorf(fmt.Sprintf("routes[%d]", i), "no interface")
		}
		if r.Via.IsValid() && r.Via.Is4() != r.Destination.Addr().Is4() {
			return fieldErrorf(fmt.Sprintf("routes[%d]", i), "gateway %s is not of the family of %s", r.Via, r.Destination)
		}
	}
	return nil
}

// CheckName checks an interface name as the kernel does: 1 to 15 bytes,
// no '/', ':' or white space, not "." or "..".
func CheckName(name string) error {
	switch {
	case name == "" || len(name) > 15:
		return fmt.Errorf("interface name %q is not 1 to 15 bytes long", name)
	case name == "." || name == "..":
		return fmt.Errorf("interface name %q is not allowed", name)
	case strings.ContainsAny(name, "/: \t\n\r\v\f\x00"):
		return fmt.Errorf("interface name %q holds '/', ':', a control character or white space", name)
	}
	for _, r := range name {
		if r < 0x20 || r >= 0x7f && r <= 0x9f || r >= 0xfffd && r <= 0xffff { // C0, DEL, C1, U+FFFD to U+FFFF: YAML cannot print them
			return fmt.Errorf("interface name %q holds a control character", name)
		}
	}
	return nil
}

// CheckHostname checks a host name or domain: at most 253 bytes, labels of
// 1 to 63 letters, digits and '-', not starting or ending with '-' (a
// trailing dot is allowed).
func CheckHostname(h string) error {
	name := strings.TrimSuffix(h, ".")
	if name == "" || len(name) > 253 {
		return fmt.Errorf("host name %q is not 1 to 253 bytes long", h)
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("host name %q has an invalid label %q", h, label)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("host name %q holds %q", h, string(c))
			}
		}
	}
	return nil
}
