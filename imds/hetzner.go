package imds

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netplumb/netplumb/nmstate"
)

// Hetzner Cloud. The service answers in YAML; the saved document is JSON:
// {"metadata": <GET /hetzner/v1/metadata>, "private-networks": <GET
// /hetzner/v1/metadata/private-networks>}, and may also hold "userdata",
// which Parse ignores and Fetch does not read.
//
// The public NIC comes from metadata.network-config, a cloud-init v1
// document: IPv4 by DHCP, IPv6 static with ::/0 via its gateway, the DNS
// servers of every subnet in order. Each private network is one more NIC
// (ordered by interface_num) configured by DHCP, with each of its
// alias_ips as a /32 on top; DHCP also brings the private network's
// routes, so none is emitted.

const (
	hetznerMetadataPath = "hetzner/v1/metadata"
	hetznerPrivatePath  = "hetzner/v1/metadata/private-networks"
	hetznerIDPath       = "hetzner/v1/metadata/instance-id"
)

// hetznerMaxInterfaceNum bounds interface_num, which names a NIC eth<N>
// when no local link has its MAC.
const hetznerMaxInterfaceNum = 4096

func hetznerProvider() Provider {
	return Provider{
		Name: "hetzner",
		Base: "http://169.254.169.254",
		DMI: func(d map[string]string) bool {
			return d["sys_vendor"] == "Hetzner"
		},
		Probe: func(ctx context.Context, c *Client) bool {
			resp, err := c.Get(ctx, hetznerIDPath, nil)
			return err == nil && jtDigits(strings.TrimSpace(string(resp.Body)))
		},
		Fetch: hetznerFetch,
		Parse: parseDoc("hetzner", hetznerParse),
	}
}

// hetznerFetch reads the metadata and the private networks at once (an
// absent private-networks path is no private network) and saves them as
// JSON.
func hetznerFetch(ctx context.Context, src Source) ([]byte, error) {
	c := src.Client
	paths := []string{hetznerMetadataPath, hetznerPrivatePath}
	bodies, err := parallel(ctx, len(paths), func(ctx context.Context, i int) ([]byte, error) {
		resp, err := c.Get(ctx, paths[i], nil)
		if paths[i] == hetznerPrivatePath && errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	})
	if err != nil {
		return nil, err
	}
	md, err := nmstate.Decode(bodies[0])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.URL(hetznerMetadataPath), err)
	}
	if _, ok := md.(map[string]any); !ok {
		return nil, fmt.Errorf("%s: the answer is %s, not a map", c.URL(hetznerMetadataPath), describeValue(md))
	}
	var private any = []any{}
	if len(bodies[1]) > 0 {
		v, err := nmstate.Decode(bodies[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.URL(hetznerPrivatePath), err)
		}
		switch v.(type) {
		case nil:
		case []any:
			private = v
		default:
			return nil, fmt.Errorf("%s: the answer is %s, not a list", c.URL(hetznerPrivatePath), describeValue(v))
		}
	}
	saved, err := nmstate.MarshalJSON(map[string]any{"metadata": md, "private-networks": private})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.URL(hetznerMetadataPath), err)
	}
	return saved, nil
}

func hetznerParse(data []byte) (*Metadata, error) {
	tree, err := nmstate.Decode(data)
	if err != nil {
		return nil, err
	}
	root, err := jtRoot(tree)
	if err != nil {
		return nil, err
	}
	m := &Metadata{Raw: tree}
	md, ok, err := root.obj("metadata")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fieldErrorf("metadata", "missing")
	}
	if m.InstanceID, err = md.id("instance-id"); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst *string
		key string
	}{
		{&m.Hostname, "hostname"}, {&m.Region, "region"}, {&m.Zone, "availability-zone"},
	} {
		if *f.dst, err = md.text(f.key); err != nil {
			return nil, err
		}
	}
	if m.Hostname != "" {
		if err := CheckHostname(m.Hostname); err != nil {
			return nil, fieldErrorf(md.field("hostname"), "%v", err)
		}
	}
	public4, err := hetznerIPv4(md, "public-ipv4")
	if err != nil {
		return nil, err
	}
	local4, err := hetznerIPv4(md, "local-ipv4")
	if err != nil {
		return nil, err
	}

	if nc, ok, err := md.obj("network-config"); err != nil {
		return nil, err
	} else if ok {
		if err := hetznerNetworkConfig(m, nc); err != nil {
			return nil, err
		}
	}
	if len(m.Links) > 0 {
		l := m.Links[0]
		l.Primary = true
		if public4.IsValid() {
			// A static address equal to the public one is not private.
			l.PrivateIPv4 = slices.DeleteFunc(l.PrivateIPv4, func(a netip.Addr) bool { return a == public4 })
			l.PublicIPv4 = append(l.PublicIPv4, public4)
		}
		if local4.IsValid() {
			l.PrivateIPv4 = append(l.PrivateIPv4, local4)
		}
	}

	private, err := hetznerPrivateNetworks(root)
	if err != nil {
		return nil, err
	}
	m.Links = append(m.Links, private...)
	return m, nil
}

// hetznerIPv4 reads an IPv4 address that may be "" or absent.
func hetznerIPv4(o jtObj, key string) (netip.Addr, error) {
	a, err := o.addr(key)
	if err != nil {
		return a, err
	}
	if a.IsValid() && !a.Is4() {
		return a, fieldErrorf(o.field(key), "%s is not an IPv4 address", a)
	}
	return a, nil
}

// hetznerNetworkConfig reads a cloud-init v1 network config: physical
// entries become links, nameserver entries and the subnets'
// dns_nameservers and dns_search the DNS configuration.
func hetznerNetworkConfig(m *Metadata, nc jtObj) error {
	if v, ok, err := nc.integer("version"); err != nil {
		return err
	} else if ok && v != 1 {
		return fieldErrorf(nc.field("version"), "%d is not supported (only version 1)", v)
	}
	configs, err := nc.objs("config")
	if err != nil {
		return err
	}
	for _, c := range configs {
		typ, err := c.str("type")
		if err != nil {
			return err
		}
		switch typ {
		case "physical":
			if err := hetznerPhysical(m, c); err != nil {
				return err
			}
		case "nameserver":
			if err := hetznerDNS(m, c, "address", "search"); err != nil {
				return err
			}
		default:
			return fieldErrorf(c.field("type"), "%q is not supported (physical, nameserver)", typ)
		}
	}
	return nil
}

// hetznerDNS adds the DNS servers and search domains of a config entry or
// subnet, skipping those already there.
func hetznerDNS(m *Metadata, o jtObj, serversKey, searchKey string) error {
	servers, err := o.addrs(serversKey)
	if err != nil {
		return err
	}
	for _, s := range servers {
		if !slices.Contains(m.DNSServers, s) {
			m.DNSServers = append(m.DNSServers, s)
		}
	}
	search, err := o.strs(searchKey)
	if err != nil {
		return err
	}
	for i, s := range search {
		if err := CheckHostname(s); err != nil {
			return fieldErrorf(fmt.Sprintf("%s[%d]", o.field(searchKey), i), "%v", err)
		}
		if !slices.Contains(m.DNSSearch, s) {
			m.DNSSearch = append(m.DNSSearch, s)
		}
	}
	return nil
}

// hetznerPhysical reads a physical entry of network-config and its subnets.
func hetznerPhysical(m *Metadata, c jtObj) error {
	l := &Link{Kind: Ethernet, Index: len(m.Links)}
	var err error
	if l.Name, err = c.str("name"); err != nil {
		return err
	}
	if l.Name != "" {
		if err := CheckName(l.Name); err != nil {
			return fieldErrorf(c.field("name"), "%v", err)
		}
	}
	raw, err := c.str("mac_address")
	if err != nil {
		return err
	}
	if raw == "" {
		return fieldErrorf(c.field("mac_address"), "missing")
	}
	if l.MAC, err = ParseMAC(raw); err != nil {
		return fieldErrorf(c.field("mac_address"), "%v", err)
	}
	if mtu, ok, err := c.integer("mtu"); err != nil {
		return err
	} else if ok {
		if mtu < 68 || mtu > 65535 {
			return fieldErrorf(c.field("mtu"), "%d is not between 68 and 65535", mtu)
		}
		l.MTU = int(mtu)
	}
	subnets, err := c.objs("subnets")
	if err != nil {
		return err
	}
	for _, s := range subnets {
		if err := hetznerSubnet(m, l, s); err != nil {
			return err
		}
	}
	m.Links = append(m.Links, l)
	return nil
}

// hetznerSubnet reads one subnet of a physical entry.
func hetznerSubnet(m *Metadata, l *Link, s jtObj) error {
	for _, flag := range []string{"ipv4", "ipv6"} {
		if _, err := s.boolean(flag, false); err != nil {
			return err
		}
	}
	typ, err := s.str("type")
	if err != nil {
		return err
	}
	switch typ {
	case "dhcp", "dhcp4":
		l.IPv4.DHCP = true
	case "dhcp6", "ipv6_dhcpv6-stateful", "ipv6_dhcpv6-stateless":
		l.IPv6.DHCP, l.IPv6.Autoconf = true, true
	case "ipv6_slaac":
		l.IPv6.Autoconf = true
	case "static", "static6":
		if err := hetznerStatic(m, l, s, typ == "static6"); err != nil {
			return err
		}
	default:
		return fieldErrorf(s.field("type"), "%q is not supported (dhcp, dhcp4, dhcp6, static, static6, ipv6_slaac, ipv6_dhcpv6-stateful, ipv6_dhcpv6-stateless)", typ)
	}
	return hetznerDNS(m, s, "dns_nameservers", "dns_search")
}

// hetznerStatic reads a static subnet: its address, its gateway (a
// default route of the address's family) and its routes.
func hetznerStatic(m *Metadata, l *Link, s jtObj, only6 bool) error {
	p, err := hetznerPrefix(s, "address", false)
	if err != nil {
		return err
	}
	if !p.IsValid() {
		return fieldErrorf(s.field("address"), "missing")
	}
	if only6 && !p.Addr().Is6() {
		return fieldErrorf(s.field("address"), "%s is not an IPv6 address", p.Addr())
	}
	if p.Addr().Is4() {
		l.IPv4.Addresses = append(l.IPv4.Addresses, p)
		l.PrivateIPv4 = append(l.PrivateIPv4, p.Addr())
		if !l.SubnetIPv4.IsValid() {
			l.SubnetIPv4 = p.Masked()
		}
	} else {
		l.IPv6.Addresses = append(l.IPv6.Addresses, p)
		l.AllIPv6 = append(l.AllIPv6, p.Addr())
	}
	gw, err := s.gateway("gateway")
	if err != nil {
		return err
	}
	if gw.IsValid() {
		if gw.Is4() != p.Addr().Is4() {
			return fieldErrorf(s.field("gateway"), "%s is not of the family of %s", gw, p.Addr())
		}
		dst := netip.MustParsePrefix("0.0.0.0/0")
		if gw.Is6() {
			dst = netip.MustParsePrefix("::/0")
		} else if !l.GatewayIPv4.IsValid() {
			l.GatewayIPv4 = gw
		}
		m.Routes = append(m.Routes, Route{Destination: dst, Via: gw, Link: l})
	}
	routes, err := s.objs("routes")
	if err != nil {
		return err
	}
	for _, r := range routes {
		dst, err := hetznerPrefix(r, "network", true)
		if err != nil {
			return err
		}
		if !dst.IsValid() {
			return fieldErrorf(r.field("network"), "missing")
		}
		via, err := r.gateway("gateway")
		if err != nil {
			return err
		}
		if via.IsValid() && via.Is4() != dst.Addr().Is4() {
			return fieldErrorf(r.field("gateway"), "%s is not of the family of %s", via, dst)
		}
		m.Routes = append(m.Routes, Route{Destination: dst, Via: via, Link: l})
	}
	return nil
}

// hetznerPrefix reads an address (or, with network, a network) written
// as addr/len, or as an address with a netmask or prefix key beside it.
// The zero Prefix when the key is absent.
func hetznerPrefix(o jtObj, key string, network bool) (netip.Prefix, error) {
	s, err := o.str(key)
	if err != nil || s == "" {
		return netip.Prefix{}, err
	}
	if strings.Contains(s, "/") {
		p, err := ParsePrefix(s)
		if err != nil {
			return p, fieldErrorf(o.field(key), "%v", err)
		}
		if network {
			p = p.Masked()
		}
		return p, nil
	}
	a, err := ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fieldErrorf(o.field(key), "%v", err)
	}
	var mask string
	lenKey := "netmask"
	if v, ok := o.get("netmask"); ok {
		if mask, ok = v.(string); !ok {
			return netip.Prefix{}, fieldErrorf(o.field("netmask"), "%s is not a string", describeValue(v))
		}
	} else if n, ok, err := o.integer("prefix"); err != nil {
		return netip.Prefix{}, err
	} else if ok {
		mask, lenKey = fmt.Sprint(n), "prefix"
	} else {
		return netip.Prefix{}, fieldErrorf(o.field(key), "%q has no prefix length, netmask or prefix", s)
	}
	p, err := HostPrefix(a, mask)
	if err != nil {
		return netip.Prefix{}, fieldErrorf(o.field(lenKey), "%v", err)
	}
	if network {
		p = p.Masked()
	}
	return p, nil
}

// hetznerPrivateNetworks reads private-networks: one DHCP link per
// network, ordered by interface_num.
func hetznerPrivateNetworks(root jtObj) ([]*Link, error) {
	nets, err := root.objs("private-networks")
	if err != nil {
		return nil, err
	}
	var links []*Link
	for _, n := range nets {
		num, ok, err := n.integer("interface_num")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fieldErrorf(n.field("interface_num"), "missing")
		}
		if num < 0 || num > hetznerMaxInterfaceNum {
			return nil, fieldErrorf(n.field("interface_num"), "%d is not between 0 and %d", num, hetznerMaxInterfaceNum)
		}
		raw, err := n.str("mac_address")
		if err != nil {
			return nil, err
		}
		if raw == "" {
			return nil, fieldErrorf(n.field("mac_address"), "missing")
		}
		mac, err := ParseMAC(raw)
		if err != nil {
			return nil, fieldErrorf(n.field("mac_address"), "%v", err)
		}
		l := &Link{Kind: Ethernet, MAC: mac, Index: int(num)}
		l.IPv4.DHCP = true
		ip, err := hetznerIPv4(n, "ip")
		if err != nil {
			return nil, err
		}
		if ip.IsValid() {
			l.PrivateIPv4 = append(l.PrivateIPv4, ip)
		}
		aliases, err := n.addrs("alias_ips")
		if err != nil {
			return nil, err
		}
		for i, a := range aliases {
			if !a.Is4() {
				return nil, fieldErrorf(fmt.Sprintf("%s[%d]", n.field("alias_ips"), i), "%s is not an IPv4 address", a)
			}
			l.IPv4.Addresses = append(l.IPv4.Addresses, netip.PrefixFrom(a, 32))
			l.PrivateIPv4 = append(l.PrivateIPv4, a)
		}
		for _, key := range []string{"network", "subnet"} {
			s, err := n.str(key)
			if err != nil {
				return nil, err
			}
			if s == "" {
				continue
			}
			p, err := ParseNetwork(s)
			if err != nil || !p.Addr().Is4() {
				return nil, fieldErrorf(n.field(key), "%q is not an IPv4 network in CIDR form", s)
			}
			if key == "subnet" {
				l.SubnetIPv4 = p
			}
		}
		if l.GatewayIPv4, err = hetznerIPv4(n, "gateway"); err != nil {
			return nil, err
		}
		if l.GatewayIPv4.IsUnspecified() {
			l.GatewayIPv4 = netip.Addr{}
		}
		if _, _, err := n.integer("network_id"); err != nil {
			return nil, err
		}
		if _, err := n.str("network_name"); err != nil {
			return nil, err
		}
		links = append(links, l)
	}
	slices.SortStableFunc(links, func(a, b *Link) int { return a.Index - b.Index })
	return links, nil
}
