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
	path      string
	named     bool
	bondLinks []string
	vlanLink  string
}

func openstackParse(data []byte) (*Metadata, error) {
	tree, err := nmstate.Decode(data)
	if err != nil {
		return nil, err
	}
	root, ok := tree.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is %s, not a map holding meta_data and network_data", describeValue(tree))
	}
	m := &Metadata{Raw: root}
	meta, err := treeMap(root["meta_data"], "meta_data")
	if err != nil {
		return nil, err
	}
	if meta == nil {
		return nil, fieldErrorf("meta_data", "missing")
	}
	for _, f := range []struct {
		dst *string
		key string
	}{
		{&m.InstanceID, "uuid"}, {&m.Hostname, "hostname"}, {&m.Zone, "availability_zone"}, {&m.Account, "project_id"},
	} {
		if *f.dst, err = treeText(meta[f.key], "meta_data."+f.key); err != nil {
			return nil, err
		}
	}
	nd, err := treeMap(root["network_data"], "network_data")
	if err != nil || nd == nil {
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
	services, err := openstackServices(nd["services"], "network_data.services")
	if err != nil {
		return nil, err
	}
	dns = append(dns, services...)
	networks, err := treeList(nd["networks"], "network_data.networks")
	if err != nil {
		return nil, err
	}
	for i, n := range networks {
		path := fmt.Sprintf("network_data.networks[%d]", i)
		routes, services, err := openstackNetwork(n, path, byID)
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
	// The primary is the first link with a default route, else the first
	// that is not a bond port; a link's IPv4 gateway is its default
	// route's.
	var primary *Link
	for _, r := range m.Routes {
		if r.Destination.Bits() != 0 || !r.Via.IsValid() {
			continue
		}
		if primary == nil {
			primary = r.Link
		}
		if r.Via.Is4() && !r.Link.GatewayIPv4.IsValid() {
			r.Link.GatewayIPv4 = r.Via
		}
	}
	for _, l := range m.Links {
		if primary == nil && !l.Port {
			primary = l
		}
	}
	if primary != nil {
		primary.Primary = true
	}
	return m, nil
}

// openstackLinks reads network_data.links: physical-like links (every
// type but bond and vlan: phy, ovs, vif, tap, ... or none), bonds named
// by their name key or bond0, bond1, ... in order, VLANs on a link by id.
func openstackLinks(nd map[string]any) ([]*openstackLink, error) {
	list, err := treeList(nd["links"], "network_data.links")
	if err != nil {
		return nil, err
	}
	var links []*openstackLink
	byID := map[string]*openstackLink{}
	names := map[string]string{} // name → path of the link that has it
	for i, v := range list {
		path := fmt.Sprintf("network_data.links[%d]", i)
		o, err := treeMap(v, path)
		if err != nil {
			return nil, err
		}
		if o == nil {
			return nil, fieldErrorf(path, "null is not a link")
		}
		l := &openstackLink{Link: &Link{Index: i}, path: path}
		if l.id, err = treeText(o["id"], path+".id"); err != nil {
			return nil, err
		}
		if l.id == "" {
			return nil, fieldErrorf(path+".id", "missing")
		}
		if other, ok := byID[l.id]; ok {
			return nil, fieldErrorf(path+".id", "%q is the id of %s too", l.id, other.path)
		}
		byID[l.id] = l
		typ, err := treeText(o["type"], path+".type")
		if err != nil {
			return nil, err
		}
		if l.Name, err = treeText(o["name"], path+".name"); err != nil {
			return nil, err
		}
		if l.Name != "" {
			if err := CheckName(l.Name); err != nil {
				return nil, fieldErrorf(path+".name", "%v", err)
			}
			if other, ok := names[l.Name]; ok {
				return nil, fieldErrorf(path+".name", "%q is the name of %s too", l.Name, other)
			}
			names[l.Name] = path
			l.named = true
		}
		mtu, _, err := treeInt(o["mtu"], path+".mtu", false)
		if err != nil {
			return nil, err
		}
		if mtu != 0 && (mtu < 68 || mtu > 65535) {
			return nil, fieldErrorf(path+".mtu", "%d is not between 68 and 65535", mtu)
		}
		l.MTU = mtu
		mac, err := treeMAC(o["ethernet_mac_address"], path+".ethernet_mac_address")
		if err != nil {
			return nil, err
		}
		switch typ {
		case "bond":
			l.Kind = Bond
			if err := openstackBond(l, o); err != nil {
				return nil, err
			}
		case "vlan":
			l.Kind = VLAN
			if l.vlanLink, err = treeText(o["vlan_link"], path+".vlan_link"); err != nil {
				return nil, err
			}
			if l.vlanLink == "" {
				return nil, fieldErrorf(path+".vlan_link", "missing")
			}
			id, ok, err := treeInt(o["vlan_id"], path+".vlan_id", true)
			if err != nil {
				return nil, err
			}
			if !ok || id < 1 || id > 4094 {
				return nil, fieldErrorf(path+".vlan_id", "%s is not a VLAN id between 1 and 4094", treeShow(o["vlan_id"]))
			}
			l.VLANID = id
			if _, err := treeMAC(o["vlan_mac_address"], path+".vlan_mac_address"); err != nil {
				return nil, err
			}
		default:
			// phy, ovs, bridge, tap, vif, hw_veb, hyperv, vhostuser, dvs,
			// null and vendors' own: a NIC the guest sees, found by MAC.
			l.Kind = Ethernet
			l.MAC = mac
			if mac == "" && l.Name == "" {
				return nil, fieldErrorf(path+".ethernet_mac_address", "missing, and the link has no name")
			}
		}
		links = append(links, l)
	}
	// Bonds and their ports, VLANs and their bases.
	for _, l := range links {
		for j, id := range l.bondLinks {
			where := fmt.Sprintf("%s.bond_links[%d]", l.path, j)
			p, ok := byID[id]
			switch {
			case !ok:
				return nil, fieldErrorf(where, "no link has the id %q", id)
			case p.Kind != Ethernet:
				return nil, fieldErrorf(where, "%q is a %s, not a physical link", id, p.Kind)
			case p.Port:
				return nil, fieldErrorf(where, "%q is the port of another bond already", id)
			}
			p.Port = true
			l.Ports = append(l.Ports, p.Link)
		}
		if l.Kind == VLAN {
			b, ok := byID[l.vlanLink]
			switch {
			case !ok:
				return nil, fieldErrorf(l.path+".vlan_link", "no link has the id %q", l.vlanLink)
			case b.Kind == VLAN:
				return nil, fieldErrorf(l.path+".vlan_link", "%q is a VLAN: VLANs on VLANs are not supported", l.vlanLink)
			}
			l.Base = b.Link
		}
	}
	for _, l := range links {
		if l.Kind == VLAN && l.Base.Port {
			return nil, fieldErrorf(l.path+".vlan_link", "%q is a bond port, which carries nothing of its own", l.vlanLink)
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
				names[name] = l.path
				break
			}
		}
	}
	return links, nil
}

// openstackBondModes are Linux's bonding modes by number.
var openstackBondModes = []string{"balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"}

// openstackHashPolicies are the bonding driver's xmit_hash_policy values.
var openstackHashPolicies = []string{"layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4", "vlan+srcmac"}

// openstackBond reads a bond link's ports, mode and options.
func openstackBond(l *openstackLink, o map[string]any) error {
	ports, err := treeList(o["bond_links"], l.path+".bond_links")
	if err != nil {
		return err
	}
	if len(ports) == 0 {
		return fieldErrorf(l.path+".bond_links", "missing: a bond needs ports")
	}
	for j, p := range ports {
		id, err := treeText(p, fmt.Sprintf("%s.bond_links[%d]", l.path, j))
		if err != nil {
			return err
		}
		l.bondLinks = append(l.bondLinks, id)
	}
	mode, err := treeBondMode(o["bond_mode"], l.path+".bond_mode")
	if err != nil {
		return err
	}
	l.BondMode = mode
	if miimon, ok, err := treeInt(o["bond_miimon"], l.path+".bond_miimon", true); err != nil {
		return err
	} else if ok {
		if miimon < 0 {
			return fieldErrorf(l.path+".bond_miimon", "%d is negative", miimon)
		}
		l.BondOptions = map[string]any{"miimon": int64(miimon)}
	}
	policy, err := treeText(o["bond_xmit_hash_policy"], l.path+".bond_xmit_hash_policy")
	if err != nil {
		return err
	}
	if policy != "" {
		if !slices.Contains(openstackHashPolicies, policy) {
			return fieldErrorf(l.path+".bond_xmit_hash_policy", "%q is not one of %s", policy, strings.Join(openstackHashPolicies, ", "))
		}
		if l.BondOptions == nil {
			l.BondOptions = map[string]any{}
		}
		l.BondOptions["xmit_hash_policy"] = policy
	}
	return nil
}

// treeBondMode reads a Linux bonding mode, by name or by number (a number or
// a string of digits); none is balance-rr, the kernel's default.
func treeBondMode(v any, path string) (string, error) {
	if s, ok := v.(string); ok && !strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) && s != "" {
		v = s // a number as a string: treeInt reads it
	} else if ok {
		if !slices.Contains(openstackBondModes, s) {
			return "", fieldErrorf(path, "%q is not a bonding mode (%s, or 0 to 6)", s, strings.Join(openstackBondModes, ", "))
		}
		return s, nil
	}
	n, ok, err := treeInt(v, path, true)
	if err != nil {
		return "", err
	}
	if !ok {
		return openstackBondModes[0], nil
	}
	if n < 0 || n >= len(openstackBondModes) {
		return "", fieldErrorf(path, "%d is not a bonding mode number (0 to 6)", n)
	}
	return openstackBondModes[n], nil
}

// openstackServices reads a services list: the addresses of its dns
// entries, in order. Other services (none is defined yet) are skipped.
func openstackServices(v any, path string) ([]netip.Addr, error) {
	list, err := treeList(v, path)
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for i, s := range list {
		where := fmt.Sprintf("%s[%d]", path, i)
		o, err := treeMap(s, where)
		if err != nil {
			return nil, err
		}
		typ, err := treeText(o["type"], where+".type")
		if err != nil {
			return nil, err
		}
		if typ != "dns" {
			continue
		}
		a, err := treeAddr(o["address"], where+".address")
		if err != nil {
			return nil, err
		}
		if !a.IsValid() {
			return nil, fieldErrorf(where+".address", "missing")
		}
		out = append(out, a)
	}
	return out, nil
}

// openstackNetwork reads one entry of network_data.networks into its
// link and returns its routes and DNS servers.
func openstackNetwork(v any, path string, byID map[string]*openstackLink) ([]Route, []netip.Addr, error) {
	o, err := treeMap(v, path)
	if err != nil {
		return nil, nil, err
	}
	if o == nil {
		return nil, nil, fieldErrorf(path, "null is not a network")
	}
	id, err := treeText(o["link"], path+".link")
	if err != nil {
		return nil, nil, err
	}
	link, ok := byID[id]
	switch {
	case id == "":
		return nil, nil, fieldErrorf(path+".link", "missing")
	case !ok:
		return nil, nil, fieldErrorf(path+".link", "no link has the id %q", id)
	case link.Port:
		return nil, nil, fieldErrorf(path+".link", "%q is a bond port, which carries no addresses", id)
	}
	l := link.Link
	typ, err := treeText(o["type"], path+".type")
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
		return nil, nil, fieldErrorf(path+".type", "missing")
	default:
		return nil, nil, fieldErrorf(path+".type", "%q is not a network type (ipv4, ipv6, ipv4_dhcp, ipv6_dhcp, ipv6_slaac, ipv6_dhcpv6-stateful, ipv6_dhcpv6-stateless)", typ)
	}
	family := "IPv4"
	if v6 {
		family = "IPv6"
	}
	// The address: the one to configure on a static network, the one DHCP
	// or SLAAC hands out (for show) on the others.
	prefix, err := openstackAddress(o, path)
	if err != nil {
		return nil, nil, err
	}
	if prefix.IsValid() {
		if prefix.Addr().Is4() == v6 {
			return nil, nil, fieldErrorf(path+".ip_address", "%s is not an %s address", prefix.Addr(), family)
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
		return nil, nil, fieldErrorf(path+".ip_address", "missing on a static network")
	}
	routes, err := treeList(o["routes"], path+".routes")
	if err != nil {
		return nil, nil, err
	}
	var out []Route
	for j, r := range routes {
		route, err := openstackRoute(r, fmt.Sprintf("%s.routes[%d]", path, j))
		if err != nil {
			return nil, nil, err
		}
		route.Link = l
		out = append(out, route)
	}
	dns, err := openstackServices(o["services"], path+".services")
	return out, dns, err
}

// openstackAddress reads a network's ip_address with its netmask (dotted,
// IPv6 mask form or a length), or a CIDR in ip_address; the zero prefix
// when there is none.
func openstackAddress(o map[string]any, path string) (netip.Prefix, error) {
	ip, err := treeText(o["ip_address"], path+".ip_address")
	if err != nil || ip == "" {
		return netip.Prefix{}, err
	}
	mask, err := treeText(o["netmask"], path+".netmask")
	if err != nil {
		return netip.Prefix{}, err
	}
	if strings.Contains(ip, "/") {
		p, err := ParsePrefix(ip)
		if err != nil {
			return netip.Prefix{}, fieldErrorf(path+".ip_address", "%v", err)
		}
		if mask != "" {
			if n, err := PrefixLen(p.Addr(), mask); err != nil || n != p.Bits() {
				return netip.Prefix{}, fieldErrorf(path+".netmask", "%q does not match the prefix length of %s", mask, ip)
			}
		}
		return p, nil
	}
	a, err := ParseAddr(ip)
	if err != nil {
		return netip.Prefix{}, fieldErrorf(path+".ip_address", "%v", err)
	}
	if mask == "" {
		return netip.Prefix{}, fieldErrorf(path+".netmask", "missing, and ip_address has no prefix length")
	}
	p, err := HostPrefix(a, mask)
	if err != nil {
		return netip.Prefix{}, fieldErrorf(path+".netmask", "%v", err)
	}
	return p, nil
}

// openstackRoute reads {network, netmask, gateway}; network may be a CIDR.
func openstackRoute(v any, path string) (Route, error) {
	o, err := treeMap(v, path)
	if err != nil {
		return Route{}, err
	}
	if o == nil {
		return Route{}, fieldErrorf(path, "null is not a route")
	}
	network, err := treeText(o["network"], path+".network")
	if err != nil {
		return Route{}, err
	}
	mask, err := treeText(o["netmask"], path+".netmask")
	if err != nil {
		return Route{}, err
	}
	var dst netip.Prefix
	switch {
	case network == "":
		return Route{}, fieldErrorf(path+".network", "missing")
	case strings.Contains(network, "/"):
		if dst, err = ParseNetwork(network); err != nil {
			return Route{}, fieldErrorf(path+".network", "%v", err)
		}
	default:
		a, err := ParseAddr(network)
		if err != nil {
			return Route{}, fieldErrorf(path+".network", "%v", err)
		}
		if mask == "" {
			return Route{}, fieldErrorf(path+".netmask", "missing, and network has no prefix length")
		}
		p, err := HostPrefix(a, mask)
		if err != nil {
			return Route{}, fieldErrorf(path+".netmask", "%v", err)
		}
		dst = p.Masked()
	}
	gw, err := treeAddr(o["gateway"], path+".gateway")
	if err != nil {
		return Route{}, err
	}
	if gw.IsValid() && gw.Is4() != dst.Addr().Is4() {
		return Route{}, fieldErrorf(path+".gateway", "%s is not of the family of %s", gw, dst)
	}
	return Route{Destination: dst, Via: gw}, nil
}

// Reading decoded documents. Each helper takes the value and its path in
// the document, and returns a *FieldError for a value of the wrong type.

// treeMap reads a map; null or absent is a nil map.
func treeMap(v any, path string) (map[string]any, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return t, nil
	}
	return nil, fieldErrorf(path, "%s is not a map", describeValue(v))
}

// treeList reads a list; null or absent is an empty list.
func treeList(v any, path string) ([]any, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []any:
		return t, nil
	}
	return nil, fieldErrorf(path, "%s is not a list", describeValue(v))
}

// treeText reads a string of at most 255 bytes without control
// characters; null or absent is "". Surrounding white space is trimmed.
func treeText(v any, path string) (string, error) {
	switch t := v.(type) {
	case nil:
		return "", nil
	case string:
		if len(t) > 255 {
			return "", fieldErrorf(path, "%q... is longer than 255 bytes", t[:32])
		}
		if strings.ContainsFunc(t, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return "", fieldErrorf(path, "%q holds a control character", t)
		}
		return strings.TrimSpace(t), nil
	}
	return "", fieldErrorf(path, "%s is not a string", describeValue(v))
}

// treeInt reads an integer (a JSON or YAML number with no fraction, or,
// when digits is set, a string of decimal digits); ok is false for null
// or absent.
func treeInt(v any, path string, digits bool) (n int, ok bool, err error) {
	const limit = 1 << 31
	switch t := v.(type) {
	case nil:
		return 0, false, nil
	case int64:
		if t > -limit && t < limit {
			return int(t), true, nil
		}
	case float64:
		if t == float64(int64(t)) && t > -limit && t < limit {
			return int(t), true, nil
		}
	case string:
		if digits {
			if n, err := strconv.Atoi(strings.TrimSpace(t)); err == nil && n > -limit && n < limit {
				return n, true, nil
			}
		}
		return 0, false, fieldErrorf(path, "%s is not a number", describeValue(v))
	case uint64:
	default:
		return 0, false, fieldErrorf(path, "%s is not a number", describeValue(v))
	}
	return 0, false, fieldErrorf(path, "%s is not a number below 2^31", treeShow(v))
}

// treeAddr reads an IP address; null or absent is the zero Addr.
func treeAddr(v any, path string) (netip.Addr, error) {
	s, err := treeText(v, path)
	if err != nil || s == "" {
		return netip.Addr{}, err
	}
	a, err := ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fieldErrorf(path, "%v", err)
	}
	return a, nil
}

// treeMAC reads a MAC address; null or absent is "".
func treeMAC(v any, path string) (string, error) {
	s, err := treeText(v, path)
	if err != nil || s == "" {
		return "", err
	}
	mac, err := ParseMAC(s)
	if err != nil {
		return "", fieldErrorf(path, "%v", err)
	}
	return mac, nil
}

// treeShow prints a scalar for a message.
func treeShow(v any) string {
	switch t := v.(type) {
	case string:
		return strconv.Quote(t)
	case nil:
		return "null"
	case map[string]any, []any:
		return describeValue(v)
	}
	return fmt.Sprint(v)
}
