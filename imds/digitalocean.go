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
			return err == nil && jtDigits(strings.TrimSpace(string(resp.Body)))
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

// jtDigits reports whether s is a non-empty run of decimal digits.
func jtDigits(s string) bool {
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
	tree, err := nmstate.Decode(data)
	if err != nil {
		return nil, err
	}
	root, err := jtRoot(tree)
	if err != nil {
		return nil, err
	}
	m := &Metadata{Raw: tree}
	if m.InstanceID, err = root.id("droplet_id"); err != nil {
		return nil, err
	}
	if m.Hostname, err = root.text("hostname"); err != nil {
		return nil, err
	}
	if m.Hostname != "" {
		if err := CheckHostname(m.Hostname); err != nil {
			return nil, fieldErrorf("hostname", "%v", err)
		}
	}
	if m.Region, err = root.text("region"); err != nil {
		return nil, err
	}
	if dns, ok, err := root.obj("dns"); err != nil {
		return nil, err
	} else if ok {
		if m.DNSServers, err = dns.addrs("nameservers"); err != nil {
			return nil, err
		}
	}
	reserved, err := digitaloceanReserved(root)
	if err != nil {
		return nil, err
	}

	ifaces, _, err := root.obj("interfaces")
	if err != nil {
		return nil, err
	}
	var routed bool
	for _, kind := range []string{"public", "private"} {
		nics, err := ifaces.objs(kind)
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
func digitaloceanNIC(nic jtObj, public bool) (l *Link, v4, v6 digitaloceanIP, err error) {
	raw, err := nic.str("mac")
	if err != nil {
		return nil, v4, v6, err
	}
	if raw == "" {
		return nil, v4, v6, fieldErrorf(nic.field("mac"), "missing")
	}
	mac, err := ParseMAC(raw)
	if err != nil {
		return nil, v4, v6, fieldErrorf(nic.field("mac"), "%v", err)
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
func digitaloceanAddr(nic jtObj, key string, v6 bool) (digitaloceanIP, error) {
	var out digitaloceanIP
	o, ok, err := nic.obj(key)
	if err != nil || !ok {
		return out, err
	}
	a, err := o.addr("ip_address")
	if err != nil || !a.IsValid() {
		return out, err
	}
	family := "IPv4"
	if v6 {
		family = "IPv6"
	}
	if a.Is6() != v6 {
		return out, fieldErrorf(o.field("ip_address"), "%s is not an %s address", a, family)
	}
	lenKey := "netmask"
	if v6 {
		lenKey = "cidr"
	}
	var mask string
	switch v, _ := o.get(lenKey); t := v.(type) {
	case nil:
		return out, fieldErrorf(o.field(lenKey), "missing")
	case string:
		mask = t
	case int64:
		mask = fmt.Sprint(t)
	default:
		return out, fieldErrorf(o.field(lenKey), "%s is not a prefix length", describeValue(v))
	}
	if out.prefix, err = HostPrefix(a, mask); err != nil {
		return out, fieldErrorf(o.field(lenKey), "%v", err)
	}
	if out.gateway, err = o.gateway("gateway"); err != nil {
		return out, err
	}
	if out.gateway.IsValid() && out.gateway.Is6() != v6 {
		return out, fieldErrorf(o.field("gateway"), "%s is not an %s address", out.gateway, family)
	}
	return out, nil
}

// digitaloceanReserved returns the active reserved IPv4 address
// (reserved_ip, or its older name floating_ip), if any.
func digitaloceanReserved(root jtObj) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, key := range []string{"reserved_ip", "floating_ip"} {
		r, ok, err := root.obj(key)
		if err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		v4, ok, err := r.obj("ipv4")
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		active, err := v4.boolean("active", false)
		if err != nil {
			return nil, err
		}
		a, err := v4.addr("ip_address")
		if err != nil {
			return nil, err
		}
		if a.IsValid() && !a.Is4() {
			return nil, fieldErrorf(v4.field("ip_address"), "%s is not an IPv4 address", a)
		}
		if active && a.IsValid() && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}
