package imds

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/netplumb/netplumb/nmstate"
)

// Oracle Cloud Infrastructure's IMDS, version 2. The saved document is
// {"instance": <GET /opc/v2/instance/>, "vnics": <GET /opc/v2/vnics/>}.

const (
	oracleInstance = "opc/v2/instance/"
	oracleVNICs    = "opc/v2/vnics/"
	oracleID       = "opc/v2/instance/id"
	// oracleMTU is the MTU of every VCN.
	oracleMTU = 9000
	// oracleNull is what OCI writes for a field without a value (the
	// subnetCidrBlock of an IPv6-only VNIC).
	oracleNull = "<null>"
)

func oracleProvider() Provider {
	return Provider{
		Name:  "oracle",
		Base:  "http://169.254.169.254",
		Setup: func(c *Client) { c.Header.Set("Authorization", "Bearer Oracle") },
		DMI:   func(d map[string]string) bool { return d["chassis_asset_tag"] == "OracleCloud.com" },
		Probe: func(ctx context.Context, c *Client) bool {
			resp, err := c.Get(ctx, oracleID, nil)
			return err == nil && strings.HasPrefix(strings.TrimSpace(string(resp.Body)), "ocid1.instance.")
		},
		Fetch: oracleFetch,
		Parse: parseDoc("oracle", oracleParse),
	}
}

// oracleFetch reads the instance and its VNICs at once.
func oracleFetch(ctx context.Context, src Source) ([]byte, error) {
	paths := []string{oracleInstance, oracleVNICs}
	trees, err := parallel(ctx, len(paths), func(ctx context.Context, i int) (any, error) {
		resp, err := src.Client.Get(ctx, paths[i], nil)
		if err != nil {
			return nil, err
		}
		var tree any
		if i == 0 {
			tree, err = decodeObject(resp.Body)
		} else {
			tree, err = decodeList(resp.Body)
		}
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", src.Client.URL(paths[i]), err)
		}
		return tree, nil
	})
	if err != nil {
		return nil, err
	}
	return nmstate.MarshalJSON(map[string]any{"instance": trees[0], "vnics": trees[1]})
}

func oracleParse(data []byte) (*Metadata, error) {
	root, err := decodeTree(data, `the OCI document {"instance": …, "vnics": […]}`, longText)
	if err != nil {
		return nil, err
	}
	m := &Metadata{Raw: root.v}
	inst, err := root.get("instance").object()
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst  *string
		keys []string
	}{
		{&m.InstanceID, []string{"id"}},
		{&m.Hostname, []string{"hostname"}},
		{&m.Region, []string{"canonicalRegionName", "regionInfo.regionIdentifier", "region"}},
		{&m.Zone, []string{"availabilityDomain"}},
		{&m.Size, []string{"shape"}},
		{&m.Image, []string{"image"}},
		{&m.Account, []string{"compartmentId"}},
	} {
		for _, k := range f.keys {
			n := inst
			for _, part := range strings.Split(k, ".") {
				if n, err = n.object(); err != nil {
					return nil, err
				}
				n = n.get(part)
			}
			s, err := oracleText(n)
			if err != nil {
				return nil, err
			}
			if s != "" {
				*f.dst = s
				break
			}
		}
	}
	if m.Hostname != "" {
		if err := CheckHostname(m.Hostname); err != nil {
			return nil, inst.get("hostname").errorf("%v", err)
		}
	}
	vnics, err := root.get("vnics").list()
	if err != nil {
		return nil, err
	}
	seen := map[string]string{}
	for i, v := range vnics {
		l, bareMetal, err := oracleVNIC(v, i)
		if err != nil {
			return nil, err
		}
		if other, ok := seen[l.MAC]; ok {
			return nil, v.get("macAddr").errorf("%s is also the MAC of %s", l.MAC, other)
		}
		seen[l.MAC] = v.path
		if i > 0 && bareMetal {
			// On bare metal a secondary VNIC is a VLAN (vlanTag) on the
			// physical NIC nicIndex, reached through a MAC VLAN with the
			// VNIC's MAC; the metadata does not give that NIC's MAC, so it
			// cannot be configured from here (cloud-init skips it too).
			continue
		}
		m.Links = append(m.Links, l)
	}
	return m, nil
}

// oracleVNIC reads vnics[i]. The primary VNIC (index 0) uses DHCP (and
// DHCPv6); the others are static: privateIp with the prefix length of
// subnetCidrBlock, and the first of ipv6Addresses with that of
// ipv6SubnetCidrBlock. bareMetal is set when the VNIC has a nicIndex.
func oracleVNIC(v node, i int) (l *Link, bareMetal bool, err error) {
	if v, err = v.object(); err != nil {
		return nil, false, err
	}
	mac, err := v.get("macAddr").requiredMAC()
	if err != nil {
		return nil, false, err
	}
	l = &Link{Kind: Ethernet, MAC: mac, Index: i, Primary: i == 0, MTU: oracleMTU}
	ip, err := oracleNode(v.get("privateIp")).addr(4)
	if err != nil {
		return nil, false, err
	}
	subnet, err := oracleNode(v.get("subnetCidrBlock")).network(4)
	if err != nil {
		return nil, false, err
	}
	if l.GatewayIPv4, err = oracleNode(v.get("virtualRouterIp")).addr(4); err != nil {
		return nil, false, err
	}
	v6, err := v.get("ipv6Addresses").list()
	if err != nil {
		return nil, false, err
	}
	for _, a := range v6 {
		addr, err := a.addr(6)
		if err != nil {
			return nil, false, err
		}
		if addr.IsValid() {
			l.AllIPv6 = append(l.AllIPv6, addr)
		}
	}
	subnet6, err := oracleNode(v.get("ipv6SubnetCidrBlock")).network(6)
	if err != nil {
		return nil, false, err
	}
	if _, ok := v.v.(map[string]any)["nicIndex"]; ok {
		bareMetal = true
	}
	l.SubnetIPv4 = subnet
	if ip.IsValid() {
		l.PrivateIPv4 = []netip.Addr{ip}
		if subnet.IsValid() && !subnet.Contains(ip) {
			return nil, false, v.get("privateIp").errorf("%s is not in subnetCidrBlock %s", ip, subnet)
		}
	}
	if i == 0 {
		l.IPv4.DHCP = ip.IsValid()
		l.IPv6.DHCP = len(l.AllIPv6) > 0
		l.IPv6.Autoconf = l.IPv6.DHCP
		return l, bareMetal, nil
	}
	if ip.IsValid() {
		if !subnet.IsValid() {
			return nil, false, v.get("subnetCidrBlock").errorf("missing, but the VNIC has a privateIp to configure")
		}
		l.IPv4.Addresses = []netip.Prefix{netip.PrefixFrom(ip, subnet.Bits())}
	}
	if len(l.AllIPv6) > 0 {
		if !subnet6.IsValid() {
			return nil, false, v.get("ipv6SubnetCidrBlock").errorf("missing, but the VNIC has an IPv6 address to configure")
		}
		if !subnet6.Contains(l.AllIPv6[0]) {
			return nil, false, v.get("ipv6Addresses").at(0).errorf("%s is not in ipv6SubnetCidrBlock %s", l.AllIPv6[0], subnet6)
		}
		l.IPv6.Addresses = []netip.Prefix{netip.PrefixFrom(l.AllIPv6[0], subnet6.Bits())}
	}
	return l, bareMetal, nil
}

// oracleNode treats OCI's "<null>" as absent.
func oracleNode(n node) node {
	if s, ok := n.v.(string); ok && strings.TrimSpace(s) == oracleNull {
		n.v = nil
	}
	return n
}

// oracleText reads a string, "<null>" being "".
func oracleText(n node) (string, error) {
	return oracleNode(n).text()
}
