package imds

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/netplumb/netplumb/nmstate"
)

// DigitalOcean. The saved document is the JSON of GET /metadata/v1.json,
// as the service sends it.
//
// Droplets are configured statically: each NIC (public ones first, then
// private ones) gets its ipv4 address and, on a public NIC, the anchor_ipv4
// that a reserved IP is NATed to, both with their netmask's prefix, and its
// ipv6 address with its cidr. The first public NIC's gateways are the
// default routes; dns.nameservers are the DNS servers. A reserved IP is
// never configured: `show` lists it among the public IPv4 addresses.

const (
	digitaloceanDocPath = "metadata/v1.json"
	digitaloceanIDPath  = "metadata/v1/id"
)

func digitaloceanProvider() Provider {
	return Provider{
		Name: "digitalocean",
		Base: "http://169.254.169.254",
		DMI: func(d map[string]string) bool {
			return d["sys_vendor"] == "DigitalOcean"
		},
		Probe: func(ctx context.Context, c *Client) bool {
			resp, err := c.Get(ctx, digitaloceanIDPath, nil)
			return err == nil && isDigits(strings.TrimSpace(string(resp.Body)))
		},
		Fetch: func(ctx context.Context, src Source) ([]byte, error) {
			resp, err := src.Client.Get(ctx, digitaloceanDocPath, nil)
			if err != nil {
				return nil, err
			}
			if _, err := nmstate.Decode(resp.Body); err != nil {
				return nil, fmt.Errorf("%s: %w", src.Client.URL(digitaloceanDocPath), err)
			}
			return resp.Body, nil
		},
		Parse: parseDoc("digitalocean", digitaloceanParse),
	}
}

// isDigits reports whether s is a non-empty run of decimal digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// digitaloceanIP is an ipv4, anchor_ipv4 or ipv6 entry of a NIC.
type digitaloceanIP struct {
	prefix  netip.Prefix // the address with its prefix length; zero when absent
	gateway netip.Addr
}

func digitaloceanParse(data []byte) (*Metadata, error) {
	root, err := decodeTree(data, "a map", rawText)
	if err != nil {
		return nil, err
	}
	m := &Metadata{Raw: root.v}
	if m.InstanceID, err = root.get("droplet_id").id(); err != nil {
		return nil, err
	}
	if m.Hostname, err = root.get("hostname").printable(); err != nil {
		return nil, err
	}
	if m.Hostname != "" {
		if err := CheckHostname(m.Hostname); err != nil {
			return nil, root.get("hostname").errorf("%v", err)
		}
	}
	if m.Region, err = root.get("region").printable(); err != nil {
		return nil, err
	}
	dns, err := root.get("dns").object()
	if err != nil {
		return nil, err
	}
	if !dns.absent() {
		if m.DNSServers, err = dns.get("nameservers").addrs(); err != nil {
			return nil, err
		}
	}
	reserved, err := digitaloceanReserved(root)
	if err != nil {
		return nil, err
	}

	ifaces, err := root.get("interfaces").object()
	if err != nil {
		return nil, err
	}
	var routed bool
	for _, kind := range []string{"public", "private"} {
		nics, err := ifaces.get(kind).objects()
		if err != nil {
			return nil, err
		}
		for _, nic := range nics {
			l, v4, v6, err := digitaloceanNIC(nic, kind == "public")
			if err != nil {
				return nil, err
			}
			l.Index = len(m.Links)
			l.Primary = l.Index == 0
			if kind == "public" && !routed {
				routed = true
				if v4.gateway.IsValid() {
					m.Routes = append(m.Routes, Route{Destination: netip.MustParsePrefix("0.0.0.0/0"), Via: v4.gateway, Link: l})
				}
				if v6.gateway.IsValid() {
					m.Routes = append(m.Routes, Route{Destination: netip.MustParsePrefix("::/0"), Via: v6.gateway, Link: l})
				}
				for _, a := range reserved {
					if !slices.Contains(l.PublicIPv4, a) {
						l.PublicIPv4 = append(l.PublicIPv4, a)
					}
				}
			}
			m.Links = append(m.Links, l)
		}
	}
	return m, nil
}

// digitaloceanNIC reads one entry of interfaces.public or
// interfaces.private.
func digitaloceanNIC(nic node, public bool) (l *Link, v4, v6 digitaloceanIP, err error) {
	mac, err := nic.get("mac").requiredMAC()
	if err != nil {
		return nil, v4, v6, err
	}
	l = &Link{Kind: Ethernet, MAC: mac}
	if v4, err = digitaloceanAddr(nic, "ipv4", false); err != nil {
		return nil, v4, v6, err
	}
	anchor, err := digitaloceanAddr(nic, "anchor_ipv4", false)
	if err != nil {
		return nil, v4, v6, err
	}
	if v6, err = digitaloceanAddr(nic, "ipv6", true); err != nil {
		return nil, v4, v6, err
	}
	if v4.prefix.IsValid() {
		l.IPv4.Addresses = append(l.IPv4.Addresses, v4.prefix)
		l.SubnetIPv4 = v4.prefix.Masked()
		l.GatewayIPv4 = v4.gateway
		if public {
			l.PublicIPv4 = append(l.PublicIPv4, v4.prefix.Addr())
		} else {
			l.PrivateIPv4 = append(l.PrivateIPv4, v4.prefix.Addr())
		}
	}
	if anchor.prefix.IsValid() {
		l.IPv4.Addresses = append(l.IPv4.Addresses, anchor.prefix)
		l.PrivateIPv4 = append(l.PrivateIPv4, anchor.prefix.Addr())
	}
	if v6.prefix.IsValid() {
		l.IPv6.Addresses = append(l.IPv6.Addresses, v6.prefix)
		l.AllIPv6 = append(l.AllIPv6, v6.prefix.Addr())
	}
	return l, v4, v6, nil
}

// digitaloceanAddr reads {ip_address, netmask, gateway} (IPv4) or
// {ip_address, cidr, gateway} (IPv6). An absent entry, or one without an
// address, is the zero value.
func digitaloceanAddr(nic node, key string, v6 bool) (digitaloceanIP, error) {
	var out digitaloceanIP
	o, err := nic.get(key).object()
	if err != nil {
		return out, err
	}
	a, err := o.get("ip_address").addr(0)
	if err != nil || !a.IsValid() {
		return out, err
	}
	family := "IPv4"
	if v6 {
		family = "IPv6"
	}
	if a.Is6() != v6 {
		return out, o.get("ip_address").errorf("%s is not an %s address", a, family)
	}
	length := o.get("netmask")
	if v6 {
		length = o.get("cidr")
	}
	var mask string
	switch t := length.v.(type) {
	case nil:
		return out, length.errorf("missing")
	case string:
		mask = t
	case int64:
		mask = fmt.Sprint(t)
	default:
		return out, length.errorf("%s is not a prefix length", describeValue(t))
	}
	if out.prefix, err = HostPrefix(a, mask); err != nil {
		return out, length.errorf("%v", err)
	}
	if out.gateway, err = o.get("gateway").gateway(); err != nil {
		return out, err
	}
	if out.gateway.IsValid() && out.gateway.Is6() != v6 {
		return out, o.get("gateway").errorf("%s is not an %s address", out.gateway, family)
	}
	return out, nil
}

// digitaloceanReserved returns the active reserved IPv4 address
// (reserved_ip, or its older name floating_ip), if any.
func digitaloceanReserved(root node) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, key := range []string{"reserved_ip", "floating_ip"} {
		r, err := root.get(key).object()
		if err != nil {
			return nil, err
		}
		v4, err := r.get("ipv4").object()
		if err != nil {
			return nil, err
		}
		active, err := v4.get("active").boolean(false)
		if err != nil {
			return nil, err
		}
		a, err := v4.get("ip_address").addr(0)
		if err != nil {
			return nil, err
		}
		if a.IsValid() && !a.Is4() {
			return nil, v4.get("ip_address").errorf("%s is not an IPv4 address", a)
		}
		if active && a.IsValid() && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}
