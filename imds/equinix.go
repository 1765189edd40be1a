package imds

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/netplumb/netplumb/nmstate"
)

// Equinix Metal (formerly Packet). The saved document is the JSON of
// GET /metadata, as the service sends it.
//
// The mapping follows Equinix's own packet-networking: the ports of each
// bond (interfaces with a "bond" key) and one bond per bond name, with the
// server's management addresses on the first bond (bond0); in individual
// mode the first interface carries them instead. Routes: the public
// management IPv4's gateway is the default route, the public IPv6's the
// ::/0 route, and the private IPv4's gateway reaches each private_subnets
// entry, or is the default route when there is no public IPv4. The
// metadata holds no DNS servers: the CLI's --resolvers supplies them.

const equinixMetadataPath = "metadata"

// equinixDefaultPrivateSubnets is what the service means when
// private_subnets is absent.
var equinixDefaultPrivateSubnets = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}

// equinixBondModes are Linux's bonding modes by number.
var equinixBondModes = []string{"balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"}

// equinixSingleInterfacePlans are the plans whose servers have one
// usable NIC although their metadata lists more: packet-networking's
// SingleInterfaceHook keeps only the first interface for them.
var equinixSingleInterfacePlans = []string{"x1.small.x86", "baremetal_1e"}

// equinixDefaultBondMode is the mode of bonds whose metadata gives none:
// 4 (802.3ad), Equinix Metal's mode for bonded servers.
const equinixDefaultBondMode = 4

func equinixProvider() Provider {
	return Provider{
		Name: "equinix",
		Base: "https://metadata.platformequinix.com",
		// Bare metal shows its hardware vendor: DMI cannot tell.
		DMI: nil,
		Probe: func(ctx context.Context, c *Client) bool {
			resp, err := c.Get(ctx, equinixMetadataPath, nil)
			if err != nil {
				return false
			}
			v, err := nmstate.Decode(resp.Body)
			if err != nil {
				return false
			}
			doc, ok := v.(map[string]any)
			if !ok {
				return false
			}
			_, hasID := doc["id"]
			network, _ := doc["network"].(map[string]any)
			return hasID && network != nil
		},
		Fetch: func(ctx context.Context, src Source) ([]byte, error) {
			resp, err := src.Client.Get(ctx, equinixMetadataPath, nil)
			if err != nil {
				return nil, err
			}
			if _, err := nmstate.Decode(resp.Body); err != nil {
				return nil, fmt.Errorf("%s: %w", src.Client.URL(equinixMetadataPath), err)
			}
			return resp.Body, nil
		},
		Parse: parseDoc("equinix", equinixParse),
	}
}

// equinixAddr is one entry of network.addresses.
type equinixAddr struct {
	field      string // its path, for errors
	addr       netip.Addr
	prefix     netip.Prefix // addr with its prefix length; zero when none
	gateway    netip.Addr
	public     bool
	management bool
}

func (a equinixAddr) needPrefix() (netip.Prefix, error) {
	if !a.prefix.IsValid() {
		return netip.Prefix{}, fieldErrorf(a.field, "has neither cidr nor netmask")
	}
	return a.prefix, nil
}

func (a equinixAddr) needGateway() (netip.Addr, error) {
	if !a.gateway.IsValid() {
		return netip.Addr{}, fieldErrorf(a.field+".gateway", "missing, but the address routes through it")
	}
	return a.gateway, nil
}

// equinixIface is one entry of network.interfaces.
type equinixIface struct {
	name, mac, bond string
	dhcp            bool
}

func equinixParse(data []byte) (*Metadata, error) {
	tree, err := nmstate.Decode(data)
	if err != nil {
		return nil, err
	}
	root, err := jtRoot(tree)
	if err != nil {
		return nil, err
	}
	m := &Metadata{Raw: tree}
	for _, f := range []struct {
		dst *string
		key string
	}{
		{&m.Hostname, "hostname"}, {&m.Region, "metro"}, {&m.Zone, "facility"}, {&m.Size, "plan"},
	} {
		if *f.dst, err = root.text(f.key); err != nil {
			return nil, err
		}
	}
	if m.InstanceID, err = root.id("id"); err != nil {
		return nil, err
	}
	if m.Hostname != "" {
		if err := CheckHostname(m.Hostname); err != nil {
			return nil, fieldErrorf("hostname", "%v", err)
		}
	}
	if osInfo, ok, err := root.obj("operating_system"); err != nil {
		return nil, err
	} else if ok {
		if m.Image, err = osInfo.text("slug"); err != nil {
			return nil, err
		}
	}

	privateSubnets := equinixDefaultPrivateSubnets
	if _, ok := root.get("private_subnets"); ok {
		ss, err := root.strs("private_subnets")
		if err != nil {
			return nil, err
		}
		privateSubnets = nil
		for i, s := range ss {
			p, err := ParseNetwork(s)
			if err != nil || !p.Addr().Is4() {
				return nil, fieldErrorf(fmt.Sprintf("private_subnets[%d]", i), "%q is not an IPv4 network in CIDR form", s)
			}
			privateSubnets = append(privateSubnets, p)
		}
	}

	network, ok, err := root.obj("network")
	if err != nil || !ok {
		return m, err
	}
	mode, aggregation, err := equinixBonding(network)
	if err != nil {
		return nil, err
	}
	ifaces, err := equinixIfaces(network)
	if err != nil {
		return nil, err
	}
	if len(ifaces) > 1 && slices.Contains(equinixSingleInterfacePlans, m.Size) {
		ifaces = ifaces[:1]
	}
	addrs, err := equinixAddrs(network)
	if err != nil {
		return nil, err
	}

	// The link that carries the addresses.
	var carrier *Link
	if aggregation == "individual" {
		carrier = equinixIndividual(m, ifaces)
	} else {
		carrier = equinixBonds(m, ifaces, mode)
	}
	if carrier == nil {
		return m, nil
	}
	carrier.Primary = true
	if carrier.IPv4.DHCP {
		equinixFacts(carrier, addrs, nil)
		return m, nil
	}

	var pub4, pub6, priv4 *equinixAddr
	for i := range addrs {
		a := &addrs[i]
		if !a.management {
			continue
		}
		p, err := a.needPrefix()
		if err != nil {
			return nil, err
		}
		if a.addr.Is4() {
			carrier.IPv4.Addresses = append(carrier.IPv4.Addresses, p)
		} else {
			carrier.IPv6.Addresses = append(carrier.IPv6.Addresses, p)
		}
		switch {
		case a.addr.Is4() && a.public && pub4 == nil:
			pub4 = a
		case a.addr.Is6() && a.public && pub6 == nil:
			pub6 = a
		case a.addr.Is4() && !a.public && priv4 == nil:
			priv4 = a
		}
	}
	route := func(dst netip.Prefix, a *equinixAddr) error {
		gw, err := a.needGateway()
		if err != nil {
			return err
		}
		m.Routes = append(m.Routes, Route{Destination: dst, Via: gw, Link: carrier})
		return nil
	}
	if pub4 != nil {
		if err := route(netip.MustParsePrefix("0.0.0.0/0"), pub4); err != nil {
			return nil, err
		}
	}
	if pub6 != nil {
		if err := route(netip.MustParsePrefix("::/0"), pub6); err != nil {
			return nil, err
		}
	}
	if priv4 != nil {
		dsts := privateSubnets
		if pub4 == nil {
			dsts = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
		}
		for _, dst := range dsts {
			if err := route(dst, priv4); err != nil {
				return nil, err
			}
		}
	}
	gw := pub4
	if gw == nil {
		gw = priv4
	}
	equinixFacts(carrier, addrs, gw)
	return m, nil
}

// equinixBonding reads network.bonding: the mode number and the link
// aggregation ("bonded", "mlag_ha", "individual", ...).
func equinixBonding(network jtObj) (mode int, aggregation string, err error) {
	mode = equinixDefaultBondMode
	bonding, ok, err := network.obj("bonding")
	if err != nil || !ok {
		return mode, "", err
	}
	if n, ok, err := bonding.integer("mode"); err != nil {
		return 0, "", err
	} else if ok {
		if n < 0 || n >= int64(len(equinixBondModes)) {
			return 0, "", fieldErrorf(bonding.field("mode"), "%d is not a bonding mode (0 to 6)", n)
		}
		mode = int(n)
	}
	if aggregation, err = bonding.text("link_aggregation"); err != nil {
		return 0, "", err
	}
	if mac, err := bonding.str("mac"); err != nil {
		return 0, "", err
	} else if mac != "" {
		if _, err := ParseMAC(mac); err != nil {
			return 0, "", fieldErrorf(bonding.field("mac"), "%v", err)
		}
	}
	return mode, aggregation, nil
}

func equinixIfaces(network jtObj) ([]equinixIface, error) {
	objs, err := network.objs("interfaces")
	if err != nil {
		return nil, err
	}
	var out []equinixIface
	for _, o := range objs {
		var e equinixIface
		if e.name, err = o.str("name"); err != nil {
			return nil, err
		}
		if e.name != "" {
			if err := CheckName(e.name); err != nil {
				return nil, fieldErrorf(o.field("name"), "%v", err)
			}
		}
		raw, err := o.str("mac")
		if err != nil {
			return nil, err
		}
		if raw == "" {
			return nil, fieldErrorf(o.field("mac"), "missing")
		}
		if e.mac, err = ParseMAC(raw); err != nil {
			return nil, fieldErrorf(o.field("mac"), "%v", err)
		}
		if e.bond, err = o.str("bond"); err != nil {
			return nil, err
		}
		if e.bond != "" {
			if err := CheckName(e.bond); err != nil {
				return nil, fieldErrorf(o.field("bond"), "%v", err)
			}
		}
		if e.dhcp, err = o.boolean("dhcp", false); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// equinixAddrs reads network.addresses, leaving out those with enabled:
// false.
func equinixAddrs(network jtObj) ([]equinixAddr, error) {
	objs, err := network.objs("addresses")
	if err != nil {
		return nil, err
	}
	var out []equinixAddr
	for _, o := range objs {
		enabled, err := o.boolean("enabled", true)
		if err != nil {
			return nil, err
		}
		a := equinixAddr{field: o.path}
		if a.addr, err = o.addr("address"); err != nil {
			return nil, err
		}
		if !a.addr.IsValid() {
			return nil, fieldErrorf(o.field("address"), "missing")
		}
		if fam, ok, err := o.integer("address_family"); err != nil {
			return nil, err
		} else if ok && !(fam == 4 && a.addr.Is4() || fam == 6 && a.addr.Is6()) {
			return nil, fieldErrorf(o.field("address_family"), "%d is not the family of %s", fam, a.addr)
		}
		cidr, hasCIDR, err := o.integer("cidr")
		if err != nil {
			return nil, err
		}
		if hasCIDR {
			if cidr < 0 || cidr > int64(a.addr.BitLen()) {
				return nil, fieldErrorf(o.field("cidr"), "%d is out of range for %s", cidr, a.addr)
			}
			a.prefix = netip.PrefixFrom(a.addr, int(cidr))
		}
		mask, err := o.str("netmask")
		if err != nil {
			return nil, err
		}
		if mask != "" {
			n, err := PrefixLen(a.addr, mask)
			if err != nil {
				return nil, fieldErrorf(o.field("netmask"), "%v", err)
			}
			if hasCIDR && int64(n) != cidr {
				return nil, fieldErrorf(o.field("netmask"), "%q disagrees with cidr %d", mask, cidr)
			}
			a.prefix = netip.PrefixFrom(a.addr, n)
		}
		if a.gateway, err = o.gateway("gateway"); err != nil {
			return nil, err
		}
		if a.gateway.IsValid() && a.gateway.Is4() != a.addr.Is4() {
			return nil, fieldErrorf(o.field("gateway"), "%s is not of the family of %s", a.gateway, a.addr)
		}
		if a.public, err = o.boolean("public", false); err != nil {
			return nil, err
		}
		if a.management, err = o.boolean("management", false); err != nil {
			return nil, err
		}
		if enabled {
			out = append(out, a)
		}
	}
	return out, nil
}

// equinixIndividual adds the links of individual mode: the first
// interface, which carries the addresses, and, when the metadata asks for
// DHCP, every interface that does, configured by DHCP. It returns the
// first interface's link.
func equinixIndividual(m *Metadata, ifaces []equinixIface) *Link {
	var first *Link
	for i, e := range ifaces {
		if i > 0 && !e.dhcp {
			continue
		}
		l := &Link{Kind: Ethernet, MAC: e.mac, Name: e.name, Index: i}
		l.IPv4.DHCP = e.dhcp
		m.Links = append(m.Links, l)
		if i == 0 {
			first = l
		}
	}
	return first
}

// equinixBonds adds the ports, in the metadata's order, then one bond per
// bond name in natural order (bond2 before bond10), and returns the first
// bond. Interfaces without a bond key are left out: they belong to a
// layer-2 setup the user manages.
func equinixBonds(m *Metadata, ifaces []equinixIface, mode int) *Link {
	bonds := map[string]*Link{}
	for i, e := range ifaces {
		if e.bond == "" {
			continue
		}
		port := &Link{Kind: Ethernet, MAC: e.mac, Name: e.name, Index: i, Port: true}
		m.Links = append(m.Links, port)
		b := bonds[e.bond]
		if b == nil {
			b = &Link{Kind: Bond, Name: e.bond, BondMode: equinixBondModes[mode], BondOptions: equinixBondOptions(mode)}
			bonds[e.bond] = b
		}
		b.Ports = append(b.Ports, port)
	}
	names := make([]string, 0, len(bonds))
	for name := range bonds {
		names = append(names, name)
	}
	slices.SortFunc(names, jtNaturalCompare)
	for i, name := range names {
		bonds[name].Index = i
		m.Links = append(m.Links, bonds[name])
	}
	if len(names) == 0 {
		return nil
	}
	return bonds[names[0]]
}

// equinixBondOptions are packet-networking's bond options: MII monitoring
// every 100 ms with 200 ms up and down delays, and, in the modes that hash
// (balance-xor, 802.3ad, balance-tlb), the layer3+4 policy; 802.3ad also
// asks for fast LACP.
func equinixBondOptions(mode int) map[string]any {
	opts := map[string]any{"miimon": int64(100), "updelay": int64(200), "downdelay": int64(200)}
	switch mode {
	case 2, 4, 5:
		opts["xmit_hash_policy"] = "layer3+4"
	}
	if mode == 4 {
		opts["lacp_rate"] = "fast"
	}
	return opts
}

// equinixFacts records every enabled address, management or not, on the
// carrier for `show`, and the gateway's address as its IPv4 subnet and
// gateway.
func equinixFacts(carrier *Link, addrs []equinixAddr, gw *equinixAddr) {
	for _, a := range addrs {
		switch {
		case a.addr.Is6():
			carrier.AllIPv6 = append(carrier.AllIPv6, a.addr)
		case a.public:
			carrier.PublicIPv4 = append(carrier.PublicIPv4, a.addr)
		default:
			carrier.PrivateIPv4 = append(carrier.PrivateIPv4, a.addr)
		}
	}
	if gw != nil {
		carrier.GatewayIPv4 = gw.gateway
		carrier.SubnetIPv4 = gw.prefix.Masked()
	}
}

// jtNaturalCompare orders names with numbers by value: bond2 before bond10.
func jtNaturalCompare(a, b string) int {
	ap, an := jtTrailingNumber(a)
	bp, bn := jtTrailingNumber(b)
	if c := strings.Compare(ap, bp); c != 0 {
		return c
	}
	if c := cmp.Compare(an, bn); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// jtTrailingNumber splits a trailing decimal number off a name; -1 when there
// is none.
func jtTrailingNumber(s string) (string, int) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	n, err := strconv.Atoi(s[i:])
	if err != nil || i == len(s) {
		return s, -1
	}
	return s[:i], n
}

// jtObj is a map of a decoded metadata document with its path, for the
// providers whose documents are JSON or YAML trees (Equinix, DigitalOcean,
// Hetzner): every accessor checks the value's type and names the field in
// its error.
type jtObj struct {
	path string
	m    map[string]any
}

// jtRoot takes a decoded document that must be a map.
func jtRoot(v any) (jtObj, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return jtObj{}, fmt.Errorf("the document is %s, not a map", describeValue(v))
	}
	return jtObj{m: m}, nil
}

// field is the path of a key of the map.
func (o jtObj) field(key string) string {
	if o.path == "" {
		return key
	}
	return o.path + "." + key
}

// get returns a key's value; absent and null are the same.
func (o jtObj) get(key string) (any, bool) {
	v, ok := o.m[key]
	return v, ok && v != nil
}

// str reads a string; "" when absent or null.
func (o jtObj) str(key string) (string, error) {
	v, ok := o.get(key)
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fieldErrorf(o.field(key), "%s is not a string", describeValue(v))
	}
	return s, nil
}

// text reads a string that is printed as it is (an id, a region): no
// control characters, at most 255 bytes.
func (o jtObj) text(key string) (string, error) {
	s, err := o.str(key)
	if err != nil {
		return "", err
	}
	if err := jtCheckText(s); err != nil {
		return "", fieldErrorf(o.field(key), "%v", err)
	}
	return s, nil
}

// jtCheckText refuses strings that would break a line of output or that
// YAML cannot print: invalid UTF-8, control characters (C0 and C1), line
// and paragraph separators, U+FFFE and U+FFFF; and strings longer than 255
// bytes.
func jtCheckText(s string) error {
	if len(s) > 255 {
		return fmt.Errorf("%q is longer than 255 bytes", s[:32]+"...")
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%q is not valid UTF-8", s)
	}
	for _, r := range s {
		if r < 0x20 || r >= 0x7f && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfffe || r == 0xffff {
			return fmt.Errorf("%q holds a control character", s)
		}
	}
	return nil
}

// id reads an instance id given as a string or as a non-negative integer.
func (o jtObj) id(key string) (string, error) {
	v, ok := o.get(key)
	if !ok {
		return "", nil
	}
	switch t := v.(type) {
	case int64:
		if t >= 0 {
			return strconv.FormatInt(t, 10), nil
		}
	case uint64:
		return strconv.FormatUint(t, 10), nil
	case string:
		return o.text(key)
	}
	return "", fieldErrorf(o.field(key), "%s is not an id", describeValue(v))
}

// obj reads a map; ok is false when absent or null.
func (o jtObj) obj(key string) (jtObj, bool, error) {
	v, ok := o.get(key)
	if !ok {
		return jtObj{}, false, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return jtObj{}, false, fieldErrorf(o.field(key), "%s is not a map", describeValue(v))
	}
	return jtObj{path: o.field(key), m: m}, true, nil
}

// list reads a list; nil when absent or null.
func (o jtObj) list(key string) ([]any, error) {
	v, ok := o.get(key)
	if !ok {
		return nil, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, fieldErrorf(o.field(key), "%s is not a list", describeValue(v))
	}
	return l, nil
}

// objs reads a list of maps.
func (o jtObj) objs(key string) ([]jtObj, error) {
	l, err := o.list(key)
	if err != nil {
		return nil, err
	}
	out := make([]jtObj, 0, len(l))
	for i, e := range l {
		path := fmt.Sprintf("%s[%d]", o.field(key), i)
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fieldErrorf(path, "%s is not a map", describeValue(e))
		}
		out = append(out, jtObj{path: path, m: m})
	}
	return out, nil
}

// strs reads a list of strings.
func (o jtObj) strs(key string) ([]string, error) {
	l, err := o.list(key)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			return nil, fieldErrorf(fmt.Sprintf("%s[%d]", o.field(key), i), "%s is not a string", describeValue(e))
		}
		out = append(out, s)
	}
	return out, nil
}

// boolean reads a boolean, def when absent or null.
func (o jtObj) boolean(key string, def bool) (bool, error) {
	v, ok := o.get(key)
	if !ok {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, fieldErrorf(o.field(key), "%s is not a boolean", describeValue(v))
	}
	return b, nil
}

// integer reads an integer; ok is false when absent or null.
func (o jtObj) integer(key string) (n int64, ok bool, err error) {
	v, ok := o.get(key)
	if !ok {
		return 0, false, nil
	}
	switch t := v.(type) {
	case int64:
		return t, true, nil
	case uint64:
		return 0, false, fieldErrorf(o.field(key), "%d is too large", t)
	}
	return 0, false, fieldErrorf(o.field(key), "%s is not an integer", describeValue(v))
}

// addr reads an IP address; the zero Addr when absent, null or "".
func (o jtObj) addr(key string) (netip.Addr, error) {
	s, err := o.str(key)
	if err != nil || s == "" {
		return netip.Addr{}, err
	}
	a, err := ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fieldErrorf(o.field(key), "%v", err)
	}
	return a, nil
}

// gateway reads a gateway's address: like addr, but the unspecified
// address (0.0.0.0, ::) means there is none.
func (o jtObj) gateway(key string) (netip.Addr, error) {
	a, err := o.addr(key)
	if err != nil || a.IsUnspecified() {
		return netip.Addr{}, err
	}
	return a, nil
}

// addrs reads a list of IP addresses.
func (o jtObj) addrs(key string) ([]netip.Addr, error) {
	ss, err := o.strs(key)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(ss))
	for i, s := range ss {
		a, err := ParseAddr(s)
		if err != nil {
			return nil, fieldErrorf(fmt.Sprintf("%s[%d]", o.field(key), i), "%v", err)
		}
		out = append(out, a)
	}
	return out, nil
}
