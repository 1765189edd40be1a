package imds

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// Azure IMDS. The saved document is the answer of GET
// /metadata/instance?api-version=2021-02-01: {compute: {…}, network:
// {interface: […]}}.

const (
	// azureAPIVersion is the api-version asked for: any version Azure
	// still serves has the fields read here.
	azureAPIVersion = "2021-02-01"
	azureInstance   = "metadata/instance?api-version=" + azureAPIVersion
	azureVMID       = "metadata/instance/compute/vmId?api-version=" + azureAPIVersion + "&format=text"
	// azureAssetTag is the chassis asset tag of every Azure VM (Hyper-V
	// guests elsewhere have other tags).
	azureAssetTag = "7783-7084-3265-9085-8269-3286-77"
)

func azureProvider() Provider {
	return Provider{
		Name:  "azure",
		Base:  "http://169.254.169.254",
		Setup: azureSetup,
		DMI:   func(d map[string]string) bool { return d["chassis_asset_tag"] == azureAssetTag },
		Probe: azureProbe,
		Fetch: func(ctx context.Context, src Source) ([]byte, error) {
			resp, err := src.Client.Get(ctx, azureInstance, nil)
			if err != nil {
				return nil, err
			}
			if _, err := decodeObject(resp.Body); err != nil {
				return nil, fmt.Errorf("GET %s: %w", src.Client.URL(azureInstance), err)
			}
			return resp.Body, nil
		},
		Parse: parseDoc("azure", azureParse),
	}
}

// azureSetup sends the Metadata header every request needs and retries
// 404 and 410, which IMDS answers while it starts or is being updated
// (for up to 70 s).
func azureSetup(c *Client) {
	c.Header.Set("Metadata", "true")
	c.RetryStatus = func(code int) bool {
		return code == http.StatusNotFound || code == http.StatusGone
	}
}

// azureProbe asks for the VM id as text. It does not retry 404: during
// detection a service that does not know the path is not Azure's.
func azureProbe(ctx context.Context, c *Client) bool {
	pc := &Client{Base: c.Base, Header: c.Header, TryTimeout: c.TryTimeout, Backoff: c.Backoff, Log: c.Log, Now: c.Now}
	resp, err := pc.Get(ctx, azureVMID, nil)
	if err != nil {
		return false
	}
	id := strings.TrimSpace(string(resp.Body))
	return len(id) == 36 && strings.Count(id, "-") == 4
}

// azureIPs are the addresses of one family of an Azure NIC.
type azureIPs struct {
	private, public []netip.Addr
	// bits is the subnet's prefix length, -1 when the document has none.
	bits int
	// subnet is the subnet, when the document gives its address.
	subnet netip.Prefix
}

// prefix returns a secondary address with the subnet's prefix length,
// or as a host address when the document gives none.
func (f azureIPs) prefix(a netip.Addr) netip.Prefix {
	if f.bits < 0 {
		return netip.PrefixFrom(a, a.BitLen())
	}
	return netip.PrefixFrom(a, f.bits)
}

func azureParse(data []byte) (*Metadata, error) {
	root, err := decodeTree(data, "the Azure /metadata/instance document", longText)
	if err != nil {
		return nil, err
	}
	m := &Metadata{Raw: root.v}
	compute, err := root.get("compute").object()
	if err != nil {
		return nil, err
	}
	if err := azureCompute(m, compute); err != nil {
		return nil, err
	}
	network, err := root.get("network").object()
	if err != nil {
		return nil, err
	}
	nics, err := network.get("interface").list()
	if err != nil {
		return nil, err
	}
	seen := map[string]string{}
	for i, nic := range nics {
		if nic, err = nic.object(); err != nil {
			return nil, err
		}
		mac, err := nic.get("macAddress").requiredMAC()
		if err != nil {
			return nil, err
		}
		if other, ok := seen[mac]; ok {
			return nil, nic.get("macAddress").errorf("%s is also the MAC of %s", mac, other)
		}
		seen[mac] = nic.path
		v4, err := azureFamily(nic.get("ipv4"), 4)
		if err != nil {
			return nil, err
		}
		v6, err := azureFamily(nic.get("ipv6"), 6)
		if err != nil {
			return nil, err
		}
		if len(v4.private)+len(v6.private) == 0 {
			continue // a NIC without addresses is not configured
		}
		l := &Link{Kind: Ethernet, MAC: mac, Index: i,
			PrivateIPv4: v4.private, PublicIPv4: v4.public, AllIPv6: v6.private, SubnetIPv4: v4.subnet}
		if v4.subnet.IsValid() {
			l.GatewayIPv4 = FirstHost(v4.subnet)
		}
		// DHCP hands out the first address of each family; the others are
		// static.
		if len(v4.private) > 0 {
			l.IPv4.DHCP = true
			for _, a := range v4.private[1:] {
				l.IPv4.Addresses = append(l.IPv4.Addresses, v4.prefix(a))
			}
		}
		if len(v6.private) > 0 {
			l.IPv6.DHCP, l.IPv6.Autoconf = true, true
			for _, a := range v6.private[1:] {
				l.IPv6.Addresses = append(l.IPv6.Addresses, v6.prefix(a))
			}
		}
		m.Links = append(m.Links, l)
	}
	if len(m.Links) > 0 {
		m.Links[0].Primary = true
	}
	if len(m.Links) > 1 {
		for i, l := range m.Links {
			l.AutoRouteMetric = 100 * (i + 1)
		}
	}
	return m, nil
}

// azureCompute reads the instance facts.
func azureCompute(m *Metadata, compute node) error {
	profile, err := compute.get("osProfile").object()
	if err != nil {
		return err
	}
	for _, f := range []struct {
		dst   *string
		nodes []node
	}{
		{&m.InstanceID, []node{compute.get("vmId")}},
		{&m.Hostname, []node{profile.get("computerName"), compute.get("name")}},
		{&m.Region, []node{compute.get("location")}},
		{&m.Zone, []node{compute.get("zone")}},
		{&m.Size, []node{compute.get("vmSize")}},
		{&m.Account, []node{compute.get("subscriptionId")}},
	} {
		for _, n := range f.nodes {
			s, err := n.text()
			if err != nil {
				return err
			}
			if s == "" {
				continue
			}
			if f.dst == &m.Hostname {
				if err := CheckHostname(s); err != nil {
					return n.errorf("%v", err)
				}
			}
			*f.dst = s
			break
		}
	}
	storage, err := compute.get("storageProfile").object()
	if err != nil {
		return err
	}
	image, err := storage.get("imageReference").object()
	if err != nil {
		return err
	}
	// A custom image has an id; a marketplace image is named by its URN,
	// publisher:offer:sku:version, as the Azure CLI writes it.
	if m.Image, err = image.get("id").text(); err != nil || m.Image != "" {
		return err
	}
	var urn []string
	for _, k := range []string{"publisher", "offer", "sku", "version"} {
		s, err := image.get(k).text()
		if err != nil {
			return err
		}
		urn = append(urn, s)
	}
	if urn[0] != "" {
		m.Image = strings.Join(urn, ":")
	}
	return nil
}

// azureFamily reads the ipv4 or ipv6 object of a NIC: ipAddress[] with
// privateIpAddress and publicIpAddress, and subnet[0] with address and
// prefix (a string, "24").
func azureFamily(n node, family int) (azureIPs, error) {
	f := azureIPs{bits: -1}
	o, err := n.object()
	if err != nil {
		return f, err
	}
	addrs, err := o.get("ipAddress").list()
	if err != nil {
		return f, err
	}
	for _, a := range addrs {
		if a, err = a.object(); err != nil {
			return f, err
		}
		private, err := a.get("privateIpAddress").addr(family)
		if err != nil {
			return f, err
		}
		if !private.IsValid() {
			return f, a.get("privateIpAddress").errorf("missing")
		}
		f.private = append(f.private, private)
		public, err := a.get("publicIpAddress").addr(family)
		if err != nil {
			return f, err
		}
		if public.IsValid() {
			f.public = append(f.public, public)
		}
	}
	subnets, err := o.get("subnet").list()
	if err != nil || len(subnets) == 0 {
		return f, err
	}
	s, err := subnets[0].object()
	if err != nil {
		return f, err
	}
	network, err := s.get("address").addr(family)
	if err != nil {
		return f, err
	}
	prefix := s.get("prefix")
	var length string
	switch v := prefix.v.(type) {
	case int64:
		length = strconv.FormatInt(v, 10)
	default:
		if length, err = prefix.text(); err != nil {
			return f, err
		}
	}
	if length == "" {
		return f, nil
	}
	zero := netip.IPv4Unspecified()
	if family == 6 {
		zero = netip.IPv6Unspecified()
	}
	if f.bits, err = PrefixLen(zero, length); err != nil {
		return f, prefix.errorf("%v", err)
	}
	if network.IsValid() {
		f.subnet = netip.PrefixFrom(network, f.bits).Masked()
		for _, a := range f.private {
			if !f.subnet.Contains(a) {
				return f, s.errorf("%s is not in the subnet %s", a, f.subnet)
			}
		}
	}
	return f, nil
}
