package imds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/netplumb/netplumb/nmstate"
)

// OpenStack: the metadata service (/openstack/latest/…) or a config drive
// (openstack/<version>/… on a filesystem labelled config-2). The saved
// document is {"meta_data": <meta_data.json>, "network_data":
// <network_data.json>}, each as the service or the drive holds it;
// network_data is absent on clouds older than 2015-10-15.

const (
	openstackMetaData    = "meta_data.json"
	openstackNetworkData = "network_data.json"
)

func openstackProvider() Provider {
	return Provider{
		Name: "openstack",
		Base: "http://169.254.169.254",
		DMI:  openstackDMI,
		Probe: func(ctx context.Context, c *Client) bool {
			// Oracle serves an OpenStack-like tree too, so ask for what only
			// Nova's meta_data.json holds.
			resp, err := c.Get(ctx, "openstack/latest/"+openstackMetaData, nil)
			if err != nil {
				return false
			}
			v, err := nmstate.Decode(resp.Body)
			m, _ := v.(map[string]any)
			_, ok := m["uuid"].(string)
			return err == nil && ok
		},
		Fetch: openstackFetch,
		Parse: parseDoc("openstack", openstackParse),
	}
}

// openstackDMI: Nova's product name, or the asset tags of clouds that
// change it.
func openstackDMI(d map[string]string) bool {
	switch d["product_name"] {
	case "OpenStack Nova", "OpenStack Compute":
		return true
	}
	switch d["chassis_asset_tag"] {
	case "OpenTelekomCloud", "SAP CCloud VM", "HUAWEICLOUD", "Samsung Cloud Platform":
		return true
	}
	return d["sys_vendor"] == "OpenStack Foundation"
}

// openstackFetch reads the config drive when the source names one, else
// meta_data.json and network_data.json of the service's latest version at
// once. An absent network_data.json (404, or no file) is left out.
func openstackFetch(ctx context.Context, src Source) ([]byte, error) {
	if src.ConfigDrive != "" {
		return openstackReadDrive(ctx, src.ConfigDrive)
	}
	if src.Client == nil {
		return nil, errors.New("no metadata service to read")
	}
	files := []string{openstackMetaData, openstackNetworkData}
	bodies, err := parallel(ctx, len(files), func(ctx context.Context, i int) ([]byte, error) {
		resp, err := src.Client.Get(ctx, "openstack/latest/"+files[i], nil)
		if i > 0 && errors.Is(err, ErrNotFound) {
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
	return openstackSave(bodies, []string{
		src.Client.URL("openstack/latest/" + files[0]),
		src.Client.URL("openstack/latest/" + files[1]),
	})
}

// openstackReadDrive reads the files of the newest version directory of
// a config drive that has network_data.json, or else of latest.
func openstackReadDrive(ctx context.Context, root string) ([]byte, error) {
	dir := filepath.Join(root, "openstack")
	version, err := openstackDriveVersion(dir)
	if err != nil {
		return nil, err
	}
	files := []string{openstackMetaData, openstackNetworkData}
	bodies := make([][]byte, len(files))
	origins := make([]string, len(files))
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		origins[i] = filepath.Join(dir, version, f)
		b, err := openstackReadFile(origins[i])
		if i > 0 && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		bodies[i] = b
	}
	return openstackSave(bodies, origins)
}

// openstackDriveVersion picks the version directory of a config drive's
// openstack/: the newest dated one with network_data.json, else latest,
// else the newest with meta_data.json.
func openstackDriveVersion(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("config drive: %w", err)
	}
	var dated []string
	for _, e := range entries {
		if openstackIsVersion(e.Name()) {
			dated = append(dated, e.Name())
		}
	}
	slices.Sort(dated)
	slices.Reverse(dated)
	exists := func(version, file string) bool {
		fi, err := os.Stat(filepath.Join(dir, version, file))
		return err == nil && fi.Mode().IsRegular()
	}
	for _, v := range dated {
		if exists(v, openstackNetworkData) && exists(v, openstackMetaData) {
			return v, nil
		}
	}
	for _, v := range append([]string{"latest"}, dated...) {
		if exists(v, openstackMetaData) {
			return v, nil
		}
	}
	return "", fmt.Errorf("config drive %s: no version directory holds %s", dir, openstackMetaData)
}

// openstackIsVersion reports whether a name is a dated version (2018-08-27).
func openstackIsVersion(name string) bool {
	if len(name) != 10 || name[4] != '-' || name[7] != '-' {
		return false
	}
	for i, c := range name {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// openstackReadFile reads a file of at most MaxBody bytes.
func openstackReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBody {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxBody)
	}
	return b, nil
}

// openstackSave builds the saved document from the bodies of
// meta_data.json and network_data.json (nil when absent).
func openstackSave(bodies [][]byte, origins []string) ([]byte, error) {
	doc := map[string]any{}
	for i, key := range []string{"meta_data", "network_data"} {
		if bodies[i] == nil {
			continue
		}
		v, err := nmstate.Decode(bodies[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", origins[i], err)
		}
		doc[key] = v
	}
	return nmstate.MarshalJSON(doc)
}

// openstackLink is a link of network_data.json while it is being read.
type openstackLink struct {
	*Link
	id        string
	conf      node
	named     bool
	bondLinks []string
	vlanLink  string
}

func openstackParse(data []byte) (*Metadata, error) {
	root, err := decodeTree(data, "a map holding meta_data and network_data", shortText)
	if err != nil {
		return nil, err
	}
	m := &Metadata{Raw: root.v}
	meta, err := root.get("meta_data").object()
	if err != nil {
		return nil, err
	}
	if meta.absent() {
		return nil, meta.errorf("missing")
	}
	for _, f := range []struct {
		dst *string
		key string
	}{
		{&m.InstanceID, "uuid"}, {&m.Hostname, "hostname"}, {&m.Zone, "availability_zone"}, {&m.Account, "project_id"},
	} {
		if *f.dst, err = meta.get(f.key).text(); err != nil {
			return nil, err
		}
	}
	nd, err := root.get("network_data").object()
	if err != nil || nd.absent() {
		return m, err
	}
	links, err := openstackLinks(nd)
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		m.Links = append(m.Links, l.Link)
	}
	byID := map[string]*openstackLink{}
	for _, l := range links {
		byID[l.id] = l
	}
	var dns []netip.Addr
	services, err := openstackServices(nd.get("services"))
	if err != nil {
		return nil, err
	}
	dns = append(dns, services...)
	networks, err := nd.get("networks").list()
	if err != nil {
		return nil, err
	}
	for _, n := range networks {
		routes, services, err := openstackNetwork(n, byID)
		if err != nil {
			return nil, err
		}
		m.Routes = append(m.Routes, routes...)
		dns = append(dns, services...)
	}
	for _, a := range dns {
		if !slices.Contains(m.DNSServers, a) {
			m.DNSServers = append(m.DNSServers, a)
		}
	}
	m.primaryByDefaultRoute()
	return m, nil
}

// openstackLinks reads network_data.links: physical-like links (every
// type but bond and vlan: phy, ovs, vif, tap, ... or none), bonds named
// by their name key or bond0, bond1, ... in order, VLANs on a link by id.
func openstackLinks(nd node) ([]*openstackLink, error) {
	list, err := nd.get("links").list()
	if err != nil {
		return nil, err
	}
	var links []*openstackLink
	byID := map[string]*openstackLink{}
	names := map[string]string{} // name → path of the link that has it
	for i, v := range list {
		o, err := v.object()
		if err != nil {
			return nil, err
		}
		if o.absent() {
			return nil, o.errorf("null is not a link")
		}
		l := &openstackLink{Link: &Link{Index: i}, conf: o}
		if l.id, err = o.get("id").text(); err != nil {
			return nil, err
		}
		if l.id == "" {
			return nil, o.get("id").errorf("missing")
		}
		if other, ok := byID[l.id]; ok {
			return nil, o.get("id").errorf("%q is the id of %s too", l.id, other.conf.path)
		}
		byID[l.id] = l
		typ, err := o.get("type").text()
		if err != nil {
			return nil, err
		}
		if l.Name, err = o.get("name").text(); err != nil {
			return nil, err
		}
		if l.Name != "" {
			if err := CheckName(l.Name); err != nil {
				return nil, o.get("name").errorf("%v", err)
			}
			if other, ok := names[l.Name]; ok {
				return nil, o.get("name").errorf("%q is the name of %s too", l.Name, other)
			}
			names[l.Name] = o.path
			l.named = true
		}
		mtu, _, err := o.get("mtu").number(false)
		if err != nil {
			return nil, err
		}
		if mtu != 0 && (mtu < 68 || mtu > 65535) {
			return nil, o.get("mtu").errorf("%d is not between 68 and 65535", mtu)
		}
		l.MTU = mtu
		mac, err := o.get("ethernet_mac_address").mac()
		if err != nil {
			return nil, err
		}
		switch typ {
		case "bond":
			l.Kind = Bond
			if err := openstackBond(l); err != nil {
				return nil, err
			}
		case "vlan":
			l.Kind = VLAN
			if l.vlanLink, err = o.get("vlan_link").text(); err != nil {
				return nil, err
			}
			if l.vlanLink == "" {
				return nil, o.get("vlan_link").errorf("missing")
			}
			vlanID := o.get("vlan_id")
			id, ok, err := vlanID.number(true)
			if err != nil {
				return nil, err
			}
			if !ok || id < 1 || id > 4094 {
				return nil, vlanID.errorf("%s is not a VLAN id between 1 and 4094", vlanID.show())
			}
			l.VLANID = id
			if _, err := o.get("vlan_mac_address").mac(); err != nil {
				return nil, err
			}
		default:
			// phy, ovs, bridge, tap, vif, hw_veb, hyperv, vhostuser, dvs,
			// null and vendors' own: a NIC the guest sees, found by MAC.
			l.Kind = Ethernet
			l.MAC = mac
			if mac == "" && l.Name == "" {
				return nil, o.get("ethernet_mac_address").errorf("missing, and the link has no name")
			}
		}
		links = append(links, l)
	}
	// Bonds and their ports, VLANs and their bases.
	for _, l := range links {
		for j, id := range l.bondLinks {
			where := l.conf.get("bond_links").at(j)
			p, ok := byID[id]
			switch {
			case !ok:
				return nil, where.errorf("no link has the id %q", id)
			case p.Kind != Ethernet:
				return nil, where.errorf("%q is a %s, not a physical link", id, p.Kind)
			case p.Port:
				return nil, where.errorf("%q is the port of another bond already", id)
			}
			p.Port = true
			l.Ports = append(l.Ports, p.Link)
		}
		if l.Kind == VLAN {
			b, ok := byID[l.vlanLink]
			switch {
			case !ok:
				return nil, l.conf.get("vlan_link").errorf("no link has the id %q", l.vlanLink)
			case b.Kind == VLAN:
				return nil, l.conf.get("vlan_link").errorf("%q is a VLAN: VLANs on VLANs are not supported", l.vlanLink)
			}
			l.Base = b.Link
		}
	}
	for _, l := range links {
		if l.Kind == VLAN && l.Base.Port {
			return nil, l.conf.get("vlan_link").errorf("%q is a bond port, which carries nothing of its own", l.vlanLink)
		}
	}
	n := 0
	for _, l := range links {
		if l.Kind != Bond || l.named {
			continue
		}
		for ; ; n++ {
			if name := "bond" + strconv.Itoa(n); names[name] == "" {
				l.Name = name
				names[name] = l.conf.path
				break
			}
		}
	}
	return links, nil
}

// openstackBond reads a bond link's ports, mode and options.
func openstackBond(l *openstackLink) error {
	o := l.conf
	ports, err := o.get("bond_links").list()
	if err != nil {
		return err
	}
	if len(ports) == 0 {
		return o.get("bond_links").errorf("missing: a bond needs ports")
	}
	for _, p := range ports {
		id, err := p.text()
		if err != nil {
			return err
		}
		l.bondLinks = append(l.bondLinks, id)
	}
	if l.BondMode, err = bondMode(o.get("bond_mode")); err != nil {
		return err
	}
	if miimon, ok, err := o.get("bond_miimon").number(true); err != nil {
		return err
	} else if ok {
		if miimon < 0 {
			return o.get("bond_miimon").errorf("%d is negative", miimon)
		}
		l.BondOptions = map[string]any{"miimon": int64(miimon)}
	}
	policy, err := o.get("bond_xmit_hash_policy").text()
	if err != nil {
		return err
	}
	if policy != "" {
		if !slices.Contains(hashPolicies, policy) {
			return o.get("bond_xmit_hash_policy").errorf("%q is not one of %s", policy, strings.Join(hashPolicies, ", "))
		}
		if l.BondOptions == nil {
			l.BondOptions = map[string]any{}
		}
		l.BondOptions["xmit_hash_policy"] = policy
	}
	return nil
}

// bondMode reads a Linux bonding mode (OpenStack's bond_mode, VMware's
// mode parameter), by name or by number (a number or a string of digits);
// none is balance-rr, the kernel's default.
func bondMode(n node) (string, error) {
	if s, ok := n.v.(string); ok && (s == "" || strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' })) {
		if !slices.Contains(bondModes, s) {
			return "", n.errorf("%q is not a bonding mode (%s, or 0 to 6)", s, strings.Join(bondModes, ", "))
		}
		return s, nil
	}
	i, ok, err := n.number(true)
	if err != nil {
		return "", err
	}
	if !ok {
		return bondModes[0], nil
	}
	if i < 0 || i >= len(bondModes) {
		return "", n.errorf("%d is not a bonding mode number (0 to 6)", i)
	}
	return bondModes[i], nil
}

// openstackServices reads a services list: the addresses of its dns
// entries, in order. Other services (none is defined yet) are skipped.
func openstackServices(services node) ([]netip.Addr, error) {
	list, err := services.list()
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, s := range list {
		o, err := s.object()
		if err != nil {
			return nil, err
		}
		typ, err := o.get("type").text()
		if err != nil {
			return nil, err
		}
		if typ != "dns" {
			continue
		}
		a, err := o.get("address").addr(0)
		if err != nil {
			return nil, err
		}
		if !a.IsValid() {
			return nil, o.get("address").errorf("missing")
		}
		out = append(out, a)
	}
	return out, nil
}

// openstackNetwork reads one entry of network_data.networks into its
// link and returns its routes and DNS servers.
func openstackNetwork(n node, byID map[string]*openstackLink) ([]Route, []netip.Addr, error) {
	o, err := n.object()
	if err != nil {
		return nil, nil, err
	}
	if o.absent() {
		return nil, nil, o.errorf("null is not a network")
	}
	id, err := o.get("link").text()
	if err != nil {
		return nil, nil, err
	}
	link, ok := byID[id]
	switch {
	case id == "":
		return nil, nil, o.get("link").errorf("missing")
	case !ok:
		return nil, nil, o.get("link").errorf("no link has the id %q", id)
	case link.Port:
		return nil, nil, o.get("link").errorf("%q is a bond port, which carries no addresses", id)
	}
	l := link.Link
	typ, err := o.get("type").text()
	if err != nil {
		return nil, nil, err
	}
	var v6, static bool
	switch typ {
	case "ipv4":
		static = true
	case "ipv6":
		v6, static = true, true
	case "ipv4_dhcp":
		l.IPv4.DHCP = true
	case "ipv6_slaac":
		v6 = true
		l.IPv6.Autoconf = true
	case "ipv6_dhcp", "ipv6_dhcpv6-stateful", "ipv6_dhcpv6-stateless":
		v6 = true
		l.IPv6.DHCP, l.IPv6.Autoconf = true, true
	case "":
		return nil, nil, o.get("type").errorf("missing")
	default:
		return nil, nil, o.get("type").errorf("%q is not a network type (ipv4, ipv6, ipv4_dhcp, ipv6_dhcp, ipv6_slaac, ipv6_dhcpv6-stateful, ipv6_dhcpv6-stateless)", typ)
	}
	family := "IPv4"
	if v6 {
		family = "IPv6"
	}
	// The address: the one to configure on a static network, the one DHCP
	// or SLAAC hands out (for show) on the others.
	prefix, err := openstackAddress(o)
	if err != nil {
		return nil, nil, err
	}
	if prefix.IsValid() {
		if prefix.Addr().Is4() == v6 {
			return nil, nil, o.get("ip_address").errorf("%s is not an %s address", prefix.Addr(), family)
		}
		if v6 {
			l.AllIPv6 = append(l.AllIPv6, prefix.Addr())
		} else {
			l.PrivateIPv4 = append(l.PrivateIPv4, prefix.Addr())
			if !l.SubnetIPv4.IsValid() {
				l.SubnetIPv4 = prefix.Masked()
			}
		}
		if static {
			if v6 {
				l.IPv6.Addresses = append(l.IPv6.Addresses, prefix)
			} else {
				l.IPv4.Addresses = append(l.IPv4.Addresses, prefix)
			}
		}
	} else if static {
		return nil, nil, o.get("ip_address").errorf("missing on a static network")
	}
	routes, err := o.get("routes").list()
	if err != nil {
		return nil, nil, err
	}
	var out []Route
	for _, r := range routes {
		route, err := openstackRoute(r)
		if err != nil {
			return nil, nil, err
		}
		route.Link = l
		out = append(out, route)
	}
	dns, err := openstackServices(o.get("services"))
	return out, dns, err
}

// openstackAddress reads a network's ip_address with its netmask (dotted,
// IPv6 mask form or a length), or a CIDR in ip_address; the zero prefix
// when there is none.
func openstackAddress(o node) (netip.Prefix, error) {
	ipNode, maskNode := o.get("ip_address"), o.get("netmask")
	ip, err := ipNode.text()
	if err != nil || ip == "" {
		return netip.Prefix{}, err
	}
	mask, err := maskNode.text()
	if err != nil {
		return netip.Prefix{}, err
	}
	if strings.Contains(ip, "/") {
		p, err := ParsePrefix(ip)
		if err != nil {
			return netip.Prefix{}, ipNode.errorf("%v", err)
		}
		if mask != "" {
			if n, err := PrefixLen(p.Addr(), mask); err != nil || n != p.Bits() {
				return netip.Prefix{}, maskNode.errorf("%q does not match the prefix length of %s", mask, ip)
			}
		}
		return p, nil
	}
	a, err := ParseAddr(ip)
	if err != nil {
		return netip.Prefix{}, ipNode.errorf("%v", err)
	}
	if mask == "" {
		return netip.Prefix{}, maskNode.errorf("missing, and ip_address has no prefix length")
	}
	p, err := HostPrefix(a, mask)
	if err != nil {
		return netip.Prefix{}, maskNode.errorf("%v", err)
	}
	return p, nil
}

// openstackRoute reads {network, netmask, gateway}; network may be a CIDR.
func openstackRoute(n node) (Route, error) {
	o, err := n.object()
	if err != nil {
		return Route{}, err
	}
	if o.absent() {
		return Route{}, o.errorf("null is not a route")
	}
	networkNode, maskNode := o.get("network"), o.get("netmask")
	network, err := networkNode.text()
	if err != nil {
		return Route{}, err
	}
	mask, err := maskNode.text()
	if err != nil {
		return Route{}, err
	}
	var dst netip.Prefix
	switch {
	case network == "":
		return Route{}, networkNode.errorf("missing")
	case strings.Contains(network, "/"):
		if dst, err = ParseNetwork(network); err != nil {
			return Route{}, networkNode.errorf("%v", err)
		}
	default:
		a, err := ParseAddr(network)
		if err != nil {
			return Route{}, networkNode.errorf("%v", err)
		}
		if mask == "" {
			return Route{}, maskNode.errorf("missing, and network has no prefix length")
		}
		p, err := HostPrefix(a, mask)
		if err != nil {
			return Route{}, maskNode.errorf("%v", err)
		}
		dst = p.Masked()
	}
	gw, err := o.get("gateway").addr(0)
	if err != nil {
		return Route{}, err
	}
	if gw.IsValid() && gw.Is4() != dst.Addr().Is4() {
		return Route{}, o.get("gateway").errorf("%s is not of the family of %s", gw, dst)
	}
	return Route{Destination: dst, Via: gw}, nil
}
