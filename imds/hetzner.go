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
			return err == nil && isDigits(strings.TrimSpace(string(resp.Body)))
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
	root, err := decodeTree(data, "a map", rawText)
	if err != nil {
		return nil, err
	}
	m := &Metadata{Raw: root.v}
	md, err := root.get("metadata").object()
	if err != nil {
		return nil, err
	}
	if md.absent() {
		return nil, md.errorf("missing")
	}
	if m.InstanceID, err = md.get("instance-id").id(); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst *string
		key string
	}{
		{&m.Hostname, "hostname"}, {&m.Region, "region"}, {&m.Zone, "availability-zone"},
	} {
		if *f.dst, err = md.get(f.key).printable(); err != nil {
			return nil, err
		}
	}
	if m.Hostname != "" {
		if err := CheckHostname(m.Hostname); err != nil {
			return nil, md.get("hostname").errorf("%v", err)
		}
	}
	public4, err := hetznerIPv4(md.get("public-ipv4"))
	if err != nil {
		return nil, err
	}
	local4, err := hetznerIPv4(md.get("local-ipv4"))
	if err != nil {
		return nil, err
	}

	nc, err := md.get("network-config").object()
	if err != nil {
		return nil, err
	}
	if !nc.absent() {
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

	private, err := hetznerPrivateNetworks(root.get("private-networks"))
	if err != nil {
		return nil, err
	}
	m.Links = append(m.Links, private...)
	return m, nil
}

// hetznerIPv4 reads an IPv4 address that may be "" or absent.
func hetznerIPv4(n node) (netip.Addr, error) {
	a, err := n.addr(0)
	if err != nil {
		return a, err
	}
	if a.IsValid() && !a.Is4() {
		return a, n.errorf("%s is not an IPv4 address", a)
	}
	return a, nil
}

// hetznerNetworkConfig reads a cloud-init v1 network config: physical
// entries become links, nameserver entries and the subnets'
// dns_nameservers and dns_search the DNS configuration.
func hetznerNetworkConfig(m *Metadata, nc node) error {
	if v, ok, err := nc.get("version").integer(); err != nil {
		return err
	} else if ok && v != 1 {
		return nc.get("version").errorf("%d is not supported (only version 1)", v)
	}
	configs, err := nc.get("config").objects()
	if err != nil {
		return err
	}
	for _, c := range configs {
		typ, err := c.get("type").text()
		if err != nil {
			return err
		}
		switch typ {
		case "physical":
			if err := hetznerPhysical(m, c); err != nil {
				return err
			}
		case "nameserver":
			if err := hetznerDNS(m, c.get("address"), c.get("search")); err != nil {
				return err
			}
		default:
			return c.get("type").errorf("%q is not supported (physical, nameserver)", typ)
		}
	}
	return nil
}

// hetznerDNS adds the DNS servers and search domains of a config entry or
// subnet, skipping those already there.
func hetznerDNS(m *Metadata, serversList, searchList node) error {
	servers, err := serversList.addrs()
	if err != nil {
		return err
	}
	for _, s := range servers {
		if !slices.Contains(m.DNSServers, s) {
			m.DNSServers = append(m.DNSServers, s)
		}
	}
	search, err := searchList.texts()
	if err != nil {
		return err
	}
	for i, s := range search {
		if err := CheckHostname(s); err != nil {
			return searchList.at(i).errorf("%v", err)
		}
		if !slices.Contains(m.DNSSearch, s) {
			m.DNSSearch = append(m.DNSSearch, s)
		}
	}
	return nil
}

// hetznerPhysical reads a physical entry of network-config and its subnets.
func hetznerPhysical(m *Metadata, c node) error {
	l := &Link{Kind: Ethernet, Index: len(m.Links)}
	var err error
	if l.Name, err = c.get("name").text(); err != nil {
		return err
	}
	if l.Name != "" {
		if err := CheckName(l.Name); err != nil {
			return c.get("name").errorf("%v", err)
		}
	}
	if l.MAC, err = c.get("mac_address").requiredMAC(); err != nil {
		return err
	}
	if mtu, ok, err := c.get("mtu").integer(); err != nil {
		return err
	} else if ok {
		if mtu < 68 || mtu > 65535 {
			return c.get("mtu").errorf("%d is not between 68 and 65535", mtu)
		}
		l.MTU = int(mtu)
	}
	subnets, err := c.get("subnets").objects()
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
func hetznerSubnet(m *Metadata, l *Link, s node) error {
	for _, flag := range []string{"ipv4", "ipv6"} {
		if _, err := s.get(flag).boolean(false); err != nil {
			return err
		}
	}
	typ, err := s.get("type").text()
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
		return s.get("type").errorf("%q is not supported (dhcp, dhcp4, dhcp6, static, static6, ipv6_slaac, ipv6_dhcpv6-stateful, ipv6_dhcpv6-stateless)", typ)
	}
	return hetznerDNS(m, s.get("dns_nameservers"), s.get("dns_search"))
}

// hetznerStatic reads a static subnet: its address, its gateway (a
// default route of the address's family) and its routes.
func hetznerStatic(m *Metadata, l *Link, s node, only6 bool) error {
	p, err := hetznerPrefix(s, "address", false)
	if err != nil {
		return err
	}
	if !p.IsValid() {
		return s.get("address").errorf("missing")
	}
	if only6 && !p.Addr().Is6() {
		return s.get("address").errorf("%s is not an IPv6 address", p.Addr())
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
	gw, err := s.get("gateway").gateway()
	if err != nil {
		return err
	}
	if gw.IsValid() {
		if gw.Is4() != p.Addr().Is4() {
			return s.get("gateway").errorf("%s is not of the family of %s", gw, p.Addr())
		}
		dst := netip.MustParsePrefix("0.0.0.0/0")
		if gw.Is6() {
			dst = netip.MustParsePrefix("::/0")
		} else if !l.GatewayIPv4.IsValid() {
			l.GatewayIPv4 = gw
		}
		m.Routes = append(m.Routes, Route{Destination: dst, Via: gw, Link: l})
	}
	routes, err := s.get("routes").objects()
	if err != nil {
		return err
	}
	for _, r := range routes {
		dst, err := hetznerPrefix(r, "network", true)
		if err != nil {
			return err
		}
		if !dst.IsValid() {
			return r.get("network").errorf("missing")
		}
		via, err := r.get("gateway").gateway()
		if err != nil {
			return err
		}
		if via.IsValid() && via.Is4() != dst.Addr().Is4() {
			return r.get("gateway").errorf("%s is not of the family of %s", via, dst)
		}
		m.Routes = append(m.Routes, Route{Destination: dst, Via: via, Link: l})
	}
	return nil
}

// hetznerPrefix reads an address (or, with network, a network) written
// as addr/len, or as an address with a netmask or prefix key beside it.
// The zero Prefix when the key is absent.
func hetznerPrefix(o node, key string, network bool) (netip.Prefix, error) {
	s, err := o.get(key).text()
	if err != nil || s == "" {
		return netip.Prefix{}, err
	}
	if strings.Contains(s, "/") {
		p, err := ParsePrefix(s)
		if err != nil {
			return p, o.get(key).errorf("%v", err)
		}
		if network {
			p = p.Masked()
		}
		return p, nil
	}
	a, err := ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, o.get(key).errorf("%v", err)
	}
	length := o.get("netmask")
	mask, err := length.str()
	if err != nil {
		return netip.Prefix{}, err
	}
	if length.absent() {
		length = o.get("prefix")
		n, ok, err := length.integer()
		if err != nil {
			return netip.Prefix{}, err
		}
		if !ok {
			return netip.Prefix{}, o.get(key).errorf("%q has no prefix length, netmask or prefix", s)
		}
		mask = fmt.Sprint(n)
	}
	p, err := HostPrefix(a, mask)
	if err != nil {
		return netip.Prefix{}, length.errorf("%v", err)
	}
	if network {
		p = p.Masked()
	}
	return p, nil
}

// hetznerPrivateNetworks reads private-networks: one DHCP link per
// network, ordered by interface_num.
func hetznerPrivateNetworks(list node) ([]*Link, error) {
	nets, err := list.objects()
	if err != nil {
		return nil, err
	}
	var links []*Link
	for _, n := range nets {
		num, ok, err := n.get("interface_num").integer()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, n.get("interface_num").errorf("missing")
		}
		if num < 0 || num > hetznerMaxInterfaceNum {
			return nil, n.get("interface_num").errorf("%d is not between 0 and %d", num, hetznerMaxInterfaceNum)
		}
		mac, err := n.get("mac_address").requiredMAC()
		if err != nil {
			return nil, err
		}
		l := &Link{Kind: Ethernet, MAC: mac, Index: int(num)}
		l.IPv4.DHCP = true
		ip, err := hetznerIPv4(n.get("ip"))
		if err != nil {
			return nil, err
		}
		if ip.IsValid() {
			l.PrivateIPv4 = append(l.PrivateIPv4, ip)
		}
		aliases, err := n.get("alias_ips").addrs()
		if err != nil {
			return nil, err
		}
		for i, a := range aliases {
			if !a.Is4() {
				return nil, n.get("alias_ips").at(i).errorf("%s is not an IPv4 address", a)
			}
			l.IPv4.Addresses = append(l.IPv4.Addresses, netip.PrefixFrom(a, 32))
			l.PrivateIPv4 = append(l.PrivateIPv4, a)
		}
		for _, key := range []string{"network", "subnet"} {
			s, err := n.get(key).text()
			if err != nil {
				return nil, err
			}
			if s == "" {
				continue
			}
			p, err := ParseNetwork(s)
			if err != nil || !p.Addr().Is4() {
				return nil, n.get(key).errorf("%q is not an IPv4 network in CIDR form", s)
			}
			if key == "subnet" {
				l.SubnetIPv4 = p
			}
		}
		if l.GatewayIPv4, err = hetznerIPv4(n.get("gateway")); err != nil {
			return nil, err
		}
		if l.GatewayIPv4.IsUnspecified() {
			l.GatewayIPv4 = netip.Addr{}
		}
		if _, _, err := n.get("network_id").integer(); err != nil {
			return nil, err
		}
		if _, err := n.get("network_name").text(); err != nil {
			return nil, err
		}
		links = append(links, l)
	}
	slices.SortStableFunc(links, func(a, b *Link) int { return a.Index - b.Index })
	return links, nil
}
