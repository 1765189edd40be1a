package imds

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

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
	root, err := decodeTree(data, "a map", rawText)
	if err != nil {
		return nil, err
	}
	m := &Metadata{Raw: root.v}
	for _, f := range []struct {
		dst *string
		key string
	}{
		{&m.Hostname, "hostname"}, {&m.Region, "metro"}, {&m.Zone, "facility"}, {&m.Size, "plan"},
	} {
		if *f.dst, err = root.get(f.key).printable(); err != nil {
			return nil, err
		}
	}
	if m.InstanceID, err = root.get("id").id(); err != nil {
		return nil, err
	}
	if m.Hostname != "" {
		if err := CheckHostname(m.Hostname); err != nil {
			return nil, root.get("hostname").errorf("%v", err)
		}
	}
	osInfo, err := root.get("operating_system").object()
	if err != nil {
		return nil, err
	}
	if m.Image, err = osInfo.get("slug").printable(); err != nil {
		return nil, err
	}

	privateSubnets := equinixDefaultPrivateSubnets
	if subnets := root.get("private_subnets"); !subnets.absent() {
		ss, err := subnets.texts()
		if err != nil {
			return nil, err
		}
		privateSubnets = nil
		for i, s := range ss {
			p, err := ParseNetwork(s)
			if err != nil || !p.Addr().Is4() {
				return nil, subnets.at(i).errorf("%q is not an IPv4 network in CIDR form", s)
			}
			privateSubnets = append(privateSubnets, p)
		}
	}

	network, err := root.get("network").object()
	if err != nil || network.absent() {
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
func equinixBonding(network node) (mode int, aggregation string, err error) {
	mode = equinixDefaultBondMode
	bonding, err := network.get("bonding").object()
	if err != nil || bonding.absent() {
		return mode, "", err
	}
	if n, ok, err := bonding.get("mode").integer(); err != nil {
		return 0, "", err
	} else if ok {
		if n < 0 || n >= int64(len(bondModes)) {
			return 0, "", bonding.get("mode").errorf("%d is not a bonding mode (0 to 6)", n)
		}
		mode = int(n)
	}
	if aggregation, err = bonding.get("link_aggregation").printable(); err != nil {
		return 0, "", err
	}
	if _, err := bonding.get("mac").mac(); err != nil {
		return 0, "", err
	}
	return mode, aggregation, nil
}

func equinixIfaces(network node) ([]equinixIface, error) {
	objs, err := network.get("interfaces").objects()
	if err != nil {
		return nil, err
	}
	var out []equinixIface
	for _, o := range objs {
		var e equinixIface
		if e.name, err = o.get("name").text(); err != nil {
			return nil, err
		}
		if e.name != "" {
			if err := CheckName(e.name); err != nil {
				return nil, o.get("name").errorf("%v", err)
			}
		}
		if e.mac, err = o.get("mac").requiredMAC(); err != nil {
			return nil, err
		}
		if e.bond, err = o.get("bond").text(); err != nil {
			return nil, err
		}
		if e.bond != "" {
			if err := CheckName(e.bond); err != nil {
				return nil, o.get("bond").errorf("%v", err)
			}
		}
		if e.dhcp, err = o.get("dhcp").boolean(false); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// equinixAddrs reads network.addresses, leaving out those with enabled:
// false.
func equinixAddrs(network node) ([]equinixAddr, error) {
	objs, err := network.get("addresses").objects()
	if err != nil {
		return nil, err
	}
	var out []equinixAddr
	for _, o := range objs {
		enabled, err := o.get("enabled").boolean(true)
		if err != nil {
			return nil, err
		}
		a := equinixAddr{field: o.path}
		if a.addr, err = o.get("address").addr(0); err != nil {
			return nil, err
		}
		if !a.addr.IsValid() {
			return nil, o.get("address").errorf("missing")
		}
		if fam, ok, err := o.get("address_family").integer(); err != nil {
			return nil, err
		} else if ok && !(fam == 4 && a.addr.Is4() || fam == 6 && a.addr.Is6()) {
			return nil, o.get("address_family").errorf("%d is not the family of %s", fam, a.addr)
		}
		cidr, hasCIDR, err := o.get("cidr").integer()
		if err != nil {
			return nil, err
		}
		if hasCIDR {
			if cidr < 0 || cidr > int64(a.addr.BitLen()) {
				return nil, o.get("cidr").errorf("%d is out of range for %s", cidr, a.addr)
			}
			a.prefix = netip.PrefixFrom(a.addr, int(cidr))
		}
		mask, err := o.get("netmask").text()
		if err != nil {
			return nil, err
		}
		if mask != "" {
			n, err := PrefixLen(a.addr, mask)
			if err != nil {
				return nil, o.get("netmask").errorf("%v", err)
			}
			if hasCIDR && int64(n) != cidr {
				return nil, o.get("netmask").errorf("%q disagrees with cidr %d", mask, cidr)
			}
			a.prefix = netip.PrefixFrom(a.addr, n)
		}
		if a.gateway, err = o.get("gateway").gateway(); err != nil {
			return nil, err
		}
		if a.gateway.IsValid() && a.gateway.Is4() != a.addr.Is4() {
			return nil, o.get("gateway").errorf("%s is not of the family of %s", a.gateway, a.addr)
		}
		if a.public, err = o.get("public").boolean(false); err != nil {
			return nil, err
		}
		if a.management, err = o.get("management").boolean(false); err != nil {
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
			b = &Link{Kind: Bond, Name: e.bond, BondMode: bondModes[mode], BondOptions: equinixBondOptions(mode)}
			bonds[e.bond] = b
		}
		b.Ports = append(b.Ports, port)
	}
	names := make([]string, 0, len(bonds))
	for name := range bonds {
		names = append(names, name)
	}
	slices.SortFunc(names, naturalCompare)
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

// naturalCompare orders names with numbers by value: bond2 before bond10.
func naturalCompare(a, b string) int {
	ap, an := trailingNumber(a)
	bp, bn := trailingNumber(b)
	if c := strings.Compare(ap, bp); c != 0 {
		return c
	}
	if c := cmp.Compare(an, bn); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// trailingNumber splits a trailing decimal number off a name; -1 when there
// is none.
func trailingNumber(s string) (string, int) {
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
