package imds

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netplumb/netplumb/nmstate"
)

// GCP's Compute Engine metadata server. The saved document is the
// recursive JSON of the root, {instance: {…}, project: {…}} (camelCase
// keys), which Fetch reads as two recursive requests sent together.

const (
	gcpInstance = "computeMetadata/v1/instance/?recursive=true"
	gcpProject  = "computeMetadata/v1/project/?recursive=true"
	gcpID       = "computeMetadata/v1/instance/id"
	gcpFlavor   = "Metadata-Flavor"
)

func gcpProvider() Provider {
	return Provider{
		Name:  "gcp",
		Base:  "http://metadata.google.internal",
		Setup: func(c *Client) { c.Header.Set(gcpFlavor, "Google") },
		DMI: func(d map[string]string) bool {
			return d["product_name"] == "Google Compute Engine" || d["product_name"] == "Google" ||
				(d["sys_vendor"] == "Google" && strings.HasPrefix(d["product_serial"], "GoogleCloud-"))
		},
		Probe: func(ctx context.Context, c *Client) bool {
			body, err := gcpGet(ctx, c, gcpID)
			if err != nil {
				return false
			}
			_, err = strconv.ParseUint(strings.TrimSpace(string(body)), 10, 64)
			return err == nil
		},
		Fetch: gcpFetch,
		Parse: parseDoc("gcp", gcpParse),
	}
}

// gcpGet reads a path and checks that the answer comes from Google's
// server, which marks every answer with Metadata-Flavor: Google.
func gcpGet(ctx context.Context, c *Client, path string) ([]byte, error) {
	resp, err := c.Get(ctx, path, nil)
	if err != nil {
		return nil, err
	}
	if resp.Header.Get(gcpFlavor) != "Google" {
		return nil, fmt.Errorf("GET %s: the answer has no %s: Google header, so it is not from the Compute Engine metadata server", c.URL(path), gcpFlavor)
	}
	return resp.Body, nil
}

// gcpFetch reads the instance and the project trees at once. A server
// without project/ (404) gives a document without the project.
func gcpFetch(ctx context.Context, src Source) ([]byte, error) {
	paths := []string{gcpInstance, gcpProject}
	trees, err := parallel(ctx, len(paths), func(ctx context.Context, i int) (map[string]any, error) {
		body, err := gcpGet(ctx, src.Client, paths[i])
		if i == 1 && errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		tree, err := decodeObject(body)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", src.Client.URL(paths[i]), err)
		}
		return tree, nil
	})
	if err != nil {
		return nil, err
	}
	doc := map[string]any{"instance": trees[0]}
	if trees[1] != nil {
		doc["project"] = trees[1]
	}
	// Decode keeps integers as int64 or uint64, so the 64-bit instance id
	// comes out as it came in.
	return nmstate.MarshalJSON(doc)
}

func gcpParse(data []byte) (*Metadata, error) {
	root, err := decodeTree(data, "the GCP recursive metadata document", longText)
	if err != nil {
		return nil, err
	}
	m := &Metadata{Raw: root.v}
	inst, err := root.get("instance").object()
	if err != nil {
		return nil, err
	}
	project, err := root.get("project").object()
	if err != nil {
		return nil, err
	}
	if m.InstanceID, err = gcpNumber(inst.get("id")); err != nil {
		return nil, err
	}
	if m.Hostname, err = inst.get("hostname").text(); err != nil {
		return nil, err
	}
	if m.Hostname != "" {
		if err := CheckHostname(m.Hostname); err != nil {
			return nil, inst.get("hostname").errorf("%v", err)
		}
	}
	zone := inst.get("zone")
	if m.Zone, err = gcpLastSegment(zone); err != nil {
		return nil, err
	}
	if m.Zone != "" {
		// us-central1-a is in us-central1.
		i := strings.LastIndexByte(m.Zone, '-')
		if i <= 0 || i == len(m.Zone)-1 {
			return nil, zone.errorf("%q is not a zone (region-letter)", m.Zone)
		}
		m.Region = m.Zone[:i]
	}
	if m.Size, err = gcpLastSegment(inst.get("machineType")); err != nil {
		return nil, err
	}
	if m.Image, err = inst.get("image").text(); err != nil {
		return nil, err
	}
	if m.Account, err = project.get("projectId").text(); err != nil {
		return nil, err
	}
	if m.Account == "" {
		if m.Account, err = gcpNumber(project.get("numericProjectId")); err != nil {
			return nil, err
		}
	}
	nics, err := inst.get("networkInterfaces").list()
	if err != nil {
		return nil, err
	}
	seen := map[string]string{}
	for i, nic := range nics {
		l, err := gcpNIC(nic, i)
		if err != nil {
			return nil, err
		}
		if other, ok := seen[l.MAC]; ok {
			return nil, nic.get("mac").errorf("%s is also the MAC of %s", l.MAC, other)
		}
		seen[l.MAC] = nic.path
		l.Primary = i == 0
		m.Links = append(m.Links, l)
	}
	return m, nil
}

// gcpNIC reads one of networkInterfaces[]. Every NIC uses DHCP, which
// gives ip as a /32 with a route to the gateway; alias ranges that are a
// single address are static /32s on top; wider ranges and forwarded IPs
// are routed to the instance, not addresses of it (Google's guest agent
// adds them as local routes), and are left out.
func gcpNIC(nic node, i int) (*Link, error) {
	nic, err := nic.object()
	if err != nil {
		return nil, err
	}
	mac, err := nic.get("mac").requiredMAC()
	if err != nil {
		return nil, err
	}
	l := &Link{Kind: Ethernet, MAC: mac, Index: i}
	ip, err := nic.get("ip").addr(4)
	if err != nil {
		return nil, err
	}
	if ip.IsValid() {
		l.IPv4.DHCP = true
		l.PrivateIPv4 = []netip.Addr{ip}
		mask := nic.get("subnetmask")
		s, err := mask.text()
		if err != nil {
			return nil, err
		}
		if s != "" {
			p, err := HostPrefix(ip, s)
			if err != nil {
				return nil, mask.errorf("%v", err)
			}
			l.SubnetIPv4 = p.Masked()
		}
	}
	if l.GatewayIPv4, err = nic.get("gateway").addr(4); err != nil {
		return nil, err
	}
	if l.MTU, err = gcpMTU(nic.get("mtu")); err != nil {
		return nil, err
	}
	aliases, err := nic.get("ipAliases").list()
	if err != nil {
		return nil, err
	}
	for _, a := range aliases {
		s, err := a.text()
		if err != nil {
			return nil, err
		}
		if !strings.Contains(s, "/") {
			s += "/32"
		}
		p, err := ParsePrefix(s)
		if err != nil || !p.Addr().Is4() {
			return nil, a.errorf("%q is not an IPv4 range", s)
		}
		if p.Bits() == 32 && p.Addr() != ip {
			l.IPv4.Addresses = append(l.IPv4.Addresses, p)
		}
	}
	for _, key := range []string{"forwardedIps", "targetInstanceIps"} {
		ips, err := nic.get(key).list()
		if err != nil {
			return nil, err
		}
		for _, a := range ips {
			if _, err := a.addr(0); err != nil {
				return nil, err
			}
		}
	}
	configs, err := nic.get("accessConfigs").list()
	if err != nil {
		return nil, err
	}
	for _, c := range configs {
		if c, err = c.object(); err != nil {
			return nil, err
		}
		a, err := c.get("externalIp").addr(4)
		if err != nil {
			return nil, err
		}
		if a.IsValid() {
			l.PublicIPv4 = append(l.PublicIPv4, a)
		}
	}
	// A NIC with IPv6 lists its addresses (ipv6s, externalIpv6) and gets
	// them by DHCPv6, its routes from router advertisements; the guest
	// agent runs DHCPv6 where dhcpv6Refresh is set.
	v6, err := nic.get("ipv6s").list()
	if err != nil {
		return nil, err
	}
	for _, a := range append(v6, nic.get("externalIpv6")) {
		addr, err := a.addr(6)
		if err != nil {
			return nil, err
		}
		if addr.IsValid() && !slices.Contains(l.AllIPv6, addr) {
			l.AllIPv6 = append(l.AllIPv6, addr)
		}
	}
	refresh, err := nic.get("dhcpv6Refresh").text()
	if err != nil {
		return nil, err
	}
	if len(l.AllIPv6) > 0 || refresh != "" {
		l.IPv6.DHCP, l.IPv6.Autoconf = true, true
	}
	return l, nil
}

// gcpNumber reads a number that may not fit a float64 (the instance id
// is above 2^53) as a decimal string: an integer of the document, or a
// string of digits. Null or absent is "".
func gcpNumber(n node) (string, error) {
	switch t := n.v.(type) {
	case nil:
		return "", nil
	case int64:
		if t >= 0 {
			return strconv.FormatInt(t, 10), nil
		}
	case uint64:
		return strconv.FormatUint(t, 10), nil
	case string:
		if _, err := strconv.ParseUint(t, 10, 64); err == nil {
			return t, nil
		}
		return "", n.errorf("%s is not a number", describeValue(t))
	case float64:
		return "", n.errorf("%v is not an integer (or lost its precision)", t)
	default:
		return "", n.errorf("%s is not a number", describeValue(t))
	}
	return "", n.errorf("%v is not a positive integer", n.v)
}

// gcpMTU reads a NIC's MTU; null or absent is 0 (not stated). Validate
// checks its range.
func gcpMTU(n node) (int, error) {
	s, err := gcpNumber(n)
	if err != nil || s == "" {
		return 0, err
	}
	mtu, err := strconv.Atoi(s)
	if err != nil || mtu > 65535 || mtu < 68 {
		return 0, n.errorf("%s is not an MTU between 68 and 65535", s)
	}
	return mtu, nil
}

// gcpLastSegment reads a resource path (projects/1/zones/us-central1-a)
// and returns its last segment.
func gcpLastSegment(n node) (string, error) {
	s, err := n.text()
	if err != nil || s == "" {
		return "", err
	}
	last := s[strings.LastIndexByte(s, '/')+1:]
	if last == "" || strings.ContainsAny(last, " \t") {
		return "", n.errorf("%q does not end in a name", s)
	}
	return last, nil
}
