package imds

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netplumb/netplumb/nmstate"
)

// VMware: guestinfo keys read over the hypervisor's RPC channel (see
// [GuestInfo], [RPCTool]). The saved document maps guestinfo keys to
// their values as vmware-rpctool prints them:
// {"guestinfo.metadata": "...", "guestinfo.metadata.encoding": "base64"}.
// The metadata is cloud-init's: YAML or JSON with instance-id,
// local-hostname and network, a netplan v2 or cloud-init v1 document.

const (
	vmwareMetadataKey = "guestinfo.metadata"
	vmwareEncodingKey = "guestinfo.metadata.encoding"
)

func vmwareProvider() Provider {
	return Provider{
		Name: "vmware",
		Base: "", // no HTTP service: the RPC channel
		DMI: func(d map[string]string) bool {
			return strings.Contains(d["product_name"], "VMware") || d["sys_vendor"] == "VMware, Inc."
		},
		Fetch: vmwareFetch,
		Parse: parseDoc("vmware", vmwareParse),
	}
}

// vmwareFetch reads guestinfo.metadata and its encoding at once. An unset
// metadata key is an error: the VM carries no metadata for cloud-init.
func vmwareFetch(ctx context.Context, src Source) ([]byte, error) {
	if src.GuestInfo == nil {
		return nil, errors.New("no guestinfo reader")
	}
	keys := []string{vmwareMetadataKey, vmwareEncodingKey}
	type answer struct {
		value string
		ok    bool
	}
	answers, err := parallel(ctx, len(keys), func(ctx context.Context, i int) (answer, error) {
		v, ok, err := src.GuestInfo.Get(ctx, keys[i])
		return answer{v, ok}, err
	})
	if err != nil {
		return nil, err
	}
	if !answers[0].ok {
		return nil, fmt.Errorf("%s is not set: the VM carries no cloud-init metadata", vmwareMetadataKey)
	}
	doc := map[string]any{}
	for i, a := range answers {
		if a.ok {
			doc[keys[i]] = a.value
		}
	}
	return nmstate.MarshalJSON(doc)
}

func vmwareParse(data []byte) (*Metadata, error) {
	tree, err := nmstate.Decode(data)
	if err != nil {
		return nil, err
	}
	root, ok := tree.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is %s, not a map of guestinfo keys to values", describeValue(tree))
	}
	value, err := vmwareValue(root, vmwareMetadataKey)
	if err != nil {
		return nil, err
	}
	encoding, err := vmwareValue(root, vmwareEncodingKey)
	if err != nil {
		return nil, err
	}
	text, err := vmwareDecode(value, encoding, vmwareMetadataKey, vmwareEncodingKey)
	if err != nil {
		return nil, err
	}
	if vmwareCleared(text) {
		return nil, fieldErrorf(vmwareMetadataKey, "not set, or cleared")
	}
	v, err := nmstate.Decode([]byte(text))
	if err != nil {
		return nil, fieldErrorf(vmwareMetadataKey, "%s", strings.ReplaceAll(err.Error(), "\n", " "))
	}
	md, ok := v.(map[string]any)
	if !ok {
		return nil, fieldErrorf(vmwareMetadataKey, "%s is not a map", describeValue(v))
	}
	m := &Metadata{Raw: md}
	switch id := md["instance-id"].(type) {
	case int64, uint64:
		m.InstanceID = fmt.Sprint(id)
	default:
		if m.InstanceID, err = treeText(id, "instance-id"); err != nil {
			return nil, err
		}
	}
	if m.Hostname, err = treeText(md["local-hostname"], "local-hostname"); err != nil {
		return nil, err
	}
	network, err := vmwareNetwork(md)
	if err != nil || network == nil {
		return m, err
	}
	// A copy for raw, with the network decoded.
	raw := make(map[string]any, len(md))
	for k, v := range md {
		raw[k] = v
	}
	raw["network"] = network
	delete(raw, "network.encoding")
	m.Raw = raw
	// Some write the document with a network: key around it.
	if inner, ok := network["network"].(map[string]any); ok && len(network) == 1 {
		network = inner
	}
	if network["config"] == "disabled" {
		return m, nil // cloud-init's way to say: leave the network alone
	}
	version, ok, err := treeInt(network["version"], "network.version", true)
	if err != nil {
		return nil, err
	}
	if !ok {
		version = 2
		if _, v1 := network["config"]; v1 {
			version = 1
		}
	}
	switch version {
	case 1:
		err = vmwareV1(m, network)
	case 2:
		err = vmwareNetplan(m, network)
	default:
		return nil, fieldErrorf("network.version", "%d is not 1 (cloud-init) or 2 (netplan)", version)
	}
	if err != nil {
		return nil, err
	}
	vmwareFacts(m)
	return m, nil
}

// vmwareValue reads a guestinfo value from the saved document: a string,
// or "" when absent or null.
func vmwareValue(root map[string]any, key string) (string, error) {
	switch v := root[key].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", fieldErrorf(key, "%s is not a string", describeValue(v))
	}
}

// vmwareCleared reports whether a value means "not set": blank, or "---"
// as cloud-init writes over keys it redacts.
func vmwareCleared(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s == "---"
}

// vmwareDecode decodes a value by its encoding: none, base64 (b64) or
// gzip+base64 (gz+b64). A gzip stream may not grow past MaxBody.
func vmwareDecode(value, encoding, field, encField string) (string, error) {
	if vmwareCleared(value) {
		return "", nil
	}
	enc := strings.ToLower(strings.TrimSpace(encoding))
	switch enc {
	case "":
		return value, nil
	case "base64", "b64", "gzip+base64", "gz+b64":
	default:
		return "", fieldErrorf(encField, "%q is not an encoding (base64, b64, gzip+base64 or gz+b64)", encoding)
	}
	compact := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, value)
	b, err := base64.StdEncoding.DecodeString(compact)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(compact); err != nil {
			return "", fieldErrorf(field, "not base64: %v", err)
		}
	}
	if enc == "base64" || enc == "b64" {
		return string(b), nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return "", fieldErrorf(field, "not gzip: %v", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxBody+1))
	if err != nil {
		return "", fieldErrorf(field, "not gzip: %v", err)
	}
	if len(out) > MaxBody {
		return "", fieldErrorf(field, "decompresses to more than %d bytes", MaxBody)
	}
	return string(out), nil
}

// vmwareNetwork returns the metadata's network document: a map, or a
// string (encoded as network.encoding says) holding YAML or JSON. nil
// when there is none.
func vmwareNetwork(md map[string]any) (map[string]any, error) {
	switch n := md["network"].(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return n, nil
	case string:
		enc, err := treeText(md["network.encoding"], "network.encoding")
		if err != nil {
			return nil, err
		}
		text, err := vmwareDecode(n, enc, "network", "network.encoding")
		if err != nil || vmwareCleared(text) {
			return nil, err
		}
		v, err := nmstate.Decode([]byte(text))
		if err != nil {
			return nil, fieldErrorf("network", "%s", strings.ReplaceAll(err.Error(), "\n", " "))
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fieldErrorf("network", "%s is not a map", describeValue(v))
		}
		return m, nil
	default:
		return nil, fieldErrorf("network", "%s is neither a map nor an encoded string", describeValue(n))
	}
}

// vmwareFacts fills what show reports from the configuration: the static
// addresses, the first IPv4 subnet, the IPv4 default gateway, and the
// primary: the first link with a default route, else the first that is
// not a port.
func vmwareFacts(m *Metadata) {
	for _, l := range m.Links {
		for _, p := range l.IPv4.Addresses {
			l.PrivateIPv4 = append(l.PrivateIPv4, p.Addr())
			if !l.SubnetIPv4.IsValid() {
				l.SubnetIPv4 = p.Masked()
			}
		}
		for _, p := range l.IPv6.Addresses {
			l.AllIPv6 = append(l.AllIPv6, p.Addr())
		}
	}
	var primary *Link
	for _, r := range m.Routes {
		if r.Destination.Bits() != 0 || !r.Via.IsValid() || r.Table != 0 {
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
}

// vmwareDNS adds DNS servers and search domains, skipping repeats.
func vmwareDNS(m *Metadata, servers []netip.Addr, search []string) {
	for _, a := range servers {
		if !slices.Contains(m.DNSServers, a) {
			m.DNSServers = append(m.DNSServers, a)
		}
	}
	for _, s := range search {
		if !slices.Contains(m.DNSSearch, s) {
			m.DNSSearch = append(m.DNSSearch, s)
		}
	}
}

// vmwarePath is a map key's path: path.key, or path["key"] for a key
// that is not a plain word.
func vmwarePath(path, key string) string {
	if key != "" && !strings.ContainsFunc(key, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

// vmwareOnly refuses the keys of o that are not known: what imdsctl
// cannot express in NMState must not be dropped silently.
func vmwareOnly(o map[string]any, path string, known ...string) error {
	for _, k := range slices.Sorted(vmwareKeys(o)) {
		if !slices.Contains(known, k) {
			return fieldErrorf(vmwarePath(path, k), "not supported: imdsctl cannot express it in NMState")
		}
	}
	return nil
}

// vmwareKeys iterates over the keys of a map.
func vmwareKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// vmwareBool reads a boolean as netplan does: true/false, yes/no, on/off,
// y/n; ok is false when absent.
func vmwareBool(v any, path string) (b, ok bool, err error) {
	switch t := v.(type) {
	case nil:
		return false, false, nil
	case bool:
		return t, true, nil
	case string:
		switch strings.ToLower(t) {
		case "true", "yes", "on", "y":
			return true, true, nil
		case "false", "no", "off", "n":
			return false, true, nil
		}
	}
	return false, false, fieldErrorf(path, "%s is not a boolean", treeShow(v))
}

// vmwareStrings reads a list of strings, or with one set a single string
// too (cloud-init v1 takes both).
func vmwareStrings(v any, path string, one bool) ([]string, error) {
	if s, ok := v.(string); ok && one {
		return strings.Fields(strings.ReplaceAll(s, ",", " ")), nil
	}
	list, err := treeList(v, path)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, err := treeText(e, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, fieldErrorf(fmt.Sprintf("%s[%d]", path, i), "empty")
		}
		out = append(out, s)
	}
	return out, nil
}

// vmwareAddrs reads DNS servers: IP addresses.
func vmwareAddrs(v any, path string, one bool) ([]netip.Addr, error) {
	ss, err := vmwareStrings(v, path, one)
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for i, s := range ss {
		a, err := ParseAddr(s)
		if err != nil {
			return nil, fieldErrorf(fmt.Sprintf("%s[%d]", path, i), "%v", err)
		}
		out = append(out, a)
	}
	return out, nil
}

// vmwareSearch reads DNS search domains.
func vmwareSearch(v any, path string, one bool) ([]string, error) {
	ss, err := vmwareStrings(v, path, one)
	if err != nil {
		return nil, err
	}
	for i, s := range ss {
		if err := CheckHostname(s); err != nil {
			return nil, fieldErrorf(fmt.Sprintf("%s[%d]", path, i), "%v", err)
		}
	}
	return ss, nil
}

// vmwareDest reads a route destination: default (of the family of via),
// a network in CIDR form, or an address alone (a host route).
func vmwareDest(s, path string, via netip.Addr) (netip.Prefix, error) {
	switch {
	case s == "default":
		switch {
		case !via.IsValid():
			return netip.Prefix{}, fieldErrorf(path, "default needs a gateway to tell its family")
		case via.Is4():
			return netip.MustParsePrefix("0.0.0.0/0"), nil
		default:
			return netip.MustParsePrefix("::/0"), nil
		}
	case strings.Contains(s, "/"):
		p, err := ParseNetwork(s)
		if err != nil {
			return netip.Prefix{}, fieldErrorf(path, "%v", err)
		}
		return p, nil
	}
	a, err := ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fieldErrorf(path, "%q is neither default, a network nor an address", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// vmwareRoute checks a route's gateway against its destination.
func vmwareRoute(r Route, path string) error {
	if r.Via.IsValid() && r.Via.Is4() != r.Destination.Addr().Is4() {
		return fieldErrorf(path, "%s is not of the family of %s", r.Via, r.Destination)
	}
	return nil
}

// Bonding options, by their kernel names: the values each takes.
const (
	bondInt     = iota // a number
	bondMillis         // milliseconds, with an optional ms or s suffix
	bondEnum           // one of values
	bondBool           // 0 or 1 (netplan's true or false)
	bondIPs            // IPv4 addresses, written comma-separated
	bondSeconds        // seconds, with an optional s suffix
)

var vmwareBondOptions = map[string]struct {
	kind   int
	values []string
}{
	"lacp_rate":         {bondEnum, []string{"slow", "fast"}},
	"miimon":            {bondMillis, nil},
	"min_links":         {bondInt, nil},
	"xmit_hash_policy":  {bondEnum, openstackHashPolicies},
	"ad_select":         {bondEnum, []string{"stable", "bandwidth", "count"}},
	"all_slaves_active": {bondBool, nil},
	"arp_interval":      {bondMillis, nil},
	"arp_ip_target":     {bondIPs, nil},
	"arp_validate":      {bondEnum, []string{"none", "active", "backup", "all", "filter", "filter_active", "filter_backup"}},
	"arp_all_targets":   {bondEnum, []string{"any", "all"}},
	"updelay":           {bondMillis, nil},
	"downdelay":         {bondMillis, nil},
	"fail_over_mac":     {bondEnum, []string{"none", "active", "follow"}},
	"num_grat_arp":      {bondInt, nil},
	"packets_per_slave": {bondInt, nil},
	"primary_reselect":  {bondEnum, []string{"always", "better", "failure"}},
	"resend_igmp":       {bondInt, nil},
	"lp_interval":       {bondSeconds, nil},
	"use_carrier":       {bondBool, nil},
}

// vmwareBondOption reads the value of a bonding option (kernel name) for
// NMState's link-aggregation.options.
func vmwareBondOption(name string, v any, path string) (any, error) {
	opt := vmwareBondOptions[name]
	switch opt.kind {
	case bondInt:
		n, ok, err := treeInt(v, path, true)
		if err == nil && (!ok || n < 0) {
			err = fieldErrorf(path, "%s is not a number of 0 or more", treeShow(v))
		}
		return int64(n), err
	case bondSeconds:
		w := v
		if s, ok := v.(string); ok {
			w = strings.TrimSuffix(s, "s")
		}
		if n, ok, err := treeInt(w, path, true); err == nil && ok && n >= 1 {
			return int64(n), nil
		}
		return nil, fieldErrorf(path, "%s is not a number of seconds of 1 or more", treeShow(v))
	case bondMillis:
		s, isString := v.(string)
		if !isString {
			n, ok, err := treeInt(v, path, false)
			if err == nil && (!ok || n < 0) {
				err = fieldErrorf(path, "%s is not a time of 0 or more", treeShow(v))
			}
			return int64(n), err
		}
		scale := 1
		switch {
		case strings.HasSuffix(s, "ms"):
			s = strings.TrimSuffix(s, "ms")
		case strings.HasSuffix(s, "s"):
			s, scale = strings.TrimSuffix(s, "s"), 1000
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || n > (1<<31-1)/scale {
			return nil, fieldErrorf(path, "%s is not a time in milliseconds (100, 100ms, 1s)", treeShow(v))
		}
		return int64(n * scale), nil
	case bondEnum:
		s, err := treeText(v, path)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(opt.values, s) {
			return nil, fieldErrorf(path, "%s is not one of %s", treeShow(v), strings.Join(opt.values, ", "))
		}
		return s, nil
	case bondBool:
		if n, ok, err := treeInt(v, path, true); err == nil && ok && (n == 0 || n == 1) {
			return int64(n), nil
		}
		b, _, err := vmwareBool(v, path)
		if err != nil {
			return nil, err
		}
		if b {
			return int64(1), nil
		}
		return int64(0), nil
	default: // bondIPs
		ips, err := vmwareAddrs(v, path, true)
		if err != nil {
			return nil, err
		}
		if len(ips) == 0 || len(ips) > 16 {
			return nil, fieldErrorf(path, "needs 1 to 16 addresses")
		}
		parts := make([]string, len(ips))
		for i, a := range ips {
			if !a.Is4() {
				return nil, fieldErrorf(path, "%s is not an IPv4 address", a)
			}
			parts[i] = a.String()
		}
		return strings.Join(parts, ","), nil
	}
}

// vmwareDev is a netplan device or a cloud-init v1 item while it is read.
type vmwareDev struct {
	*Link
	id, path string
	conf     map[string]any
	link     string   // a VLAN's base, by id
	ports    []string // a bond's ports, by id
	ipPath   string   // the first key that configures IP, for errors on bond ports
}

// Netplan v2.

// netplanSections are the kinds of device netplan knows; only the first
// three can be expressed.
var netplanSections = []string{"ethernets", "bonds", "vlans"}

func vmwareNetplan(m *Metadata, net map[string]any) error {
	for _, k := range slices.Sorted(vmwareKeys(net)) {
		switch k {
		case "version", "renderer", "ethernets", "bonds", "vlans":
		case "bridges", "tunnels", "wifis", "vrfs", "modems", "dummy-devices", "virtual-ethernets", "nm-devices":
			return fieldErrorf("network."+k, "not supported: imdsctl emits ethernets, bonds and VLANs only")
		default:
			return fieldErrorf(vmwarePath("network", k), "not a netplan key")
		}
	}
	if _, err := treeText(net["renderer"], "network.renderer"); err != nil {
		return err
	}
	var devs []*vmwareDev
	byID := map[string]*vmwareDev{}
	names := map[string]string{}
	for _, section := range netplanSections {
		sec, err := treeMap(net[section], "network."+section)
		if err != nil {
			return err
		}
		for _, id := range slices.Sorted(vmwareKeys(sec)) {
			path := vmwarePath("network."+section, id)
			conf, err := treeMap(sec[id], path)
			if err != nil {
				return err
			}
			if other, ok := byID[id]; ok {
				return fieldErrorf(path, "%q is the id of %s too", id, other.path)
			}
			d := &vmwareDev{Link: &Link{Index: len(devs)}, id: id, path: path, conf: conf}
			var known []string
			switch section {
			case "ethernets":
				d.Kind = Ethernet
				known = []string{"match", "set-name"}
				err = netplanEthernet(d)
			case "bonds":
				d.Kind = Bond
				known = []string{"interfaces", "parameters"}
				err = netplanBond(d)
			default:
				d.Kind = VLAN
				known = []string{"id", "link"}
				err = netplanVLAN(d)
			}
			if err != nil {
				return err
			}
			known = append(known, "dhcp4", "dhcp6", "accept-ra", "addresses", "gateway4", "gateway6", "routes",
				"nameservers", "mtu", "dhcp4-overrides", "dhcp6-overrides", "optional")
			if err := vmwareOnly(conf, path, known...); err != nil {
				return err
			}
			if d.Name != "" {
				if other, ok := names[d.Name]; ok {
					return fieldErrorf(path, "the interface name %q is that of %s too", d.Name, other)
				}
				names[d.Name] = path
			}
			if err := netplanIP(m, d); err != nil {
				return err
			}
			devs = append(devs, d)
			byID[id] = d
		}
	}
	return vmwareLinkUp(m, devs, byID)
}

// vmwareLinkUp resolves bond ports and VLAN bases by id and adds the
// links in order.
func vmwareLinkUp(m *Metadata, devs []*vmwareDev, byID map[string]*vmwareDev) error {
	for _, d := range devs {
		for i, id := range d.ports {
			where := fmt.Sprintf("%s[%d]", d.portsPath(), i)
			p, ok := byID[id]
			switch {
			case !ok:
				return fieldErrorf(where, "no interface has the id %q", id)
			case p.Kind != Ethernet:
				return fieldErrorf(where, "%q is a %s, not an ethernet", id, p.Kind)
			case p.Port:
				return fieldErrorf(where, "%q is the port of another bond already", id)
			case p.ipPath != "":
				return fieldErrorf(p.ipPath, "%q is a port of %q, which carries no IP configuration", id, d.id)
			}
			p.Port = true
			d.Ports = append(d.Ports, p.Link)
		}
		if d.Kind == VLAN {
			b, ok := byID[d.link]
			switch {
			case !ok:
				return fieldErrorf(d.linkPath(), "no interface has the id %q", d.link)
			case b.Kind == VLAN:
				return fieldErrorf(d.linkPath(), "%q is a VLAN: VLANs on VLANs are not supported", d.link)
			}
			d.Base = b.Link
		}
	}
	for _, d := range devs {
		if d.Kind == VLAN && d.Base.Port {
			return fieldErrorf(d.linkPath(), "%q is a bond port, which carries nothing of its own", d.link)
		}
		m.Links = append(m.Links, d.Link)
	}
	return nil
}

func (d *vmwareDev) portsPath() string {
	if d.conf["bond_interfaces"] != nil {
		return d.path + ".bond_interfaces"
	}
	return d.path + ".interfaces"
}

func (d *vmwareDev) linkPath() string {
	if d.conf["vlan_link"] != nil {
		return d.path + ".vlan_link"
	}
	return d.path + ".link"
}

// netplanEthernet reads match and set-name: the MAC names the NIC; the
// interface name is set-name, else match.name, else the id.
func netplanEthernet(d *vmwareDev) error {
	match, err := treeMap(d.conf["match"], d.path+".match")
	if err != nil {
		return err
	}
	if err := vmwareOnly(match, d.path+".match", "macaddress", "name"); err != nil {
		return err
	}
	if d.MAC, err = treeMAC(match["macaddress"], d.path+".match.macaddress"); err != nil {
		return err
	}
	matchName, err := treeText(match["name"], d.path+".match.name")
	if err != nil {
		return err
	}
	if strings.ContainsAny(matchName, "*?[]") {
		return fieldErrorf(d.path+".match.name", "%q is a pattern: imdsctl needs one interface", matchName)
	}
	setName, err := treeText(d.conf["set-name"], d.path+".set-name")
	if err != nil {
		return err
	}
	switch {
	case setName != "" && match == nil:
		return fieldErrorf(d.path+".set-name", "needs a match")
	case setName != "" && d.MAC == "":
		return fieldErrorf(d.path+".set-name", "renaming an interface needs match.macaddress to find it by")
	case setName != "":
		d.Name = setName
	case matchName != "":
		d.Name = matchName
	case d.MAC == "" || CheckName(d.id) == nil:
		d.Name = d.id
	}
	if d.Name != "" {
		if err := CheckName(d.Name); err != nil {
			return fieldErrorf(d.path, "%v", err)
		}
	}
	return nil
}

// netplanBond reads a bond's ports (by id) and parameters.
func netplanBond(d *vmwareDev) error {
	if err := CheckName(d.id); err != nil {
		return fieldErrorf(d.path, "%v", err)
	}
	d.Name = d.id
	var err error
	if d.ports, err = vmwareStrings(d.conf["interfaces"], d.path+".interfaces", false); err != nil {
		return err
	}
	params, err := treeMap(d.conf["parameters"], d.path+".parameters")
	if err != nil {
		return err
	}
	netplanNames := map[string]string{
		"lacp-rate": "lacp_rate", "mii-monitor-interval": "miimon", "min-links": "min_links",
		"transmit-hash-policy": "xmit_hash_policy", "ad-select": "ad_select",
		"all-slaves-active": "all_slaves_active", "all-members-active": "all_slaves_active",
		"arp-interval": "arp_interval", "arp-ip-targets": "arp_ip_target", "arp-validate": "arp_validate",
		"arp-all-targets": "arp_all_targets", "up-delay": "updelay", "down-delay": "downdelay",
		"fail-over-mac-policy": "fail_over_mac", "gratuitous-arp": "num_grat_arp", "gratuitious-arp": "num_grat_arp",
		"packets-per-slave": "packets_per_slave", "packets-per-member": "packets_per_slave",
		"primary-reselect-policy": "primary_reselect", "resend-igmp": "resend_igmp", "learn-packet-interval": "lp_interval",
	}
	d.BondMode = openstackBondModes[0]
	for _, k := range slices.Sorted(vmwareKeys(params)) {
		path := vmwarePath(d.path+".parameters", k)
		if k == "mode" {
			if d.BondMode, err = treeBondMode(params[k], path); err != nil {
				return err
			}
			continue
		}
		name, ok := netplanNames[k]
		if !ok {
			return fieldErrorf(path, "not supported: imdsctl cannot express it in NMState")
		}
		v, err := vmwareBondOption(name, params[k], path)
		if err != nil {
			return err
		}
		if d.BondOptions == nil {
			d.BondOptions = map[string]any{}
		}
		d.BondOptions[name] = v
	}
	return nil
}

// netplanVLAN reads a VLAN's id and base; its name is its netplan id.
func netplanVLAN(d *vmwareDev) error {
	if err := CheckName(d.id); err != nil {
		return fieldErrorf(d.path, "%v", err)
	}
	d.Name = d.id
	id, ok, err := treeInt(d.conf["id"], d.path+".id", false)
	if err != nil {
		return err
	}
	if !ok || id < 1 || id > 4094 {
		return fieldErrorf(d.path+".id", "%s is not a VLAN id between 1 and 4094", treeShow(d.conf["id"]))
	}
	d.VLANID = id
	if d.link, err = treeText(d.conf["link"], d.path+".link"); err != nil {
		return err
	}
	if d.link == "" {
		return fieldErrorf(d.path+".link", "missing")
	}
	return nil
}

// netplanIP reads what every kind of device shares: DHCP, addresses,
// gateways, routes, name servers and MTU.
func netplanIP(m *Metadata, d *vmwareDev) error {
	c, l := d.conf, d.Link
	mark := func(key string) {
		if d.ipPath == "" {
			d.ipPath = d.path + "." + key
		}
	}
	for _, k := range []string{"dhcp4", "dhcp6", "accept-ra"} {
		b, ok, err := vmwareBool(c[k], d.path+"."+k)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		switch k {
		case "dhcp4":
			l.IPv4.DHCP = b
		case "dhcp6":
			l.IPv6.DHCP, l.IPv6.Autoconf = b, b
		default:
			l.IPv6.Autoconf = b
		}
		if b {
			mark(k)
		}
	}
	addrs, err := vmwareStrings(c["addresses"], d.path+".addresses", false)
	if err != nil {
		return err
	}
	for i, s := range addrs {
		p, err := ParsePrefix(s)
		if err != nil {
			return fieldErrorf(fmt.Sprintf("%s.addresses[%d]", d.path, i), "%v", err)
		}
		if p.Addr().Is4() {
			l.IPv4.Addresses = append(l.IPv4.Addresses, p)
		} else {
			l.IPv6.Addresses = append(l.IPv6.Addresses, p)
		}
		mark("addresses")
	}
	for _, k := range []string{"gateway4", "gateway6"} {
		gw, err := treeAddr(c[k], d.path+"."+k)
		if err != nil {
			return err
		}
		if !gw.IsValid() {
			continue
		}
		if gw.Is4() != (k == "gateway4") {
			return fieldErrorf(d.path+"."+k, "%s is not of the family of %s", gw, k)
		}
		dst, _ := vmwareDest("default", "", gw)
		m.Routes = append(m.Routes, Route{Destination: dst, Via: gw, Link: l})
		mark(k)
	}
	routes, err := treeList(c["routes"], d.path+".routes")
	if err != nil {
		return err
	}
	for i, v := range routes {
		path := fmt.Sprintf("%s.routes[%d]", d.path, i)
		r, err := netplanRoute(v, path)
		if err != nil {
			return err
		}
		r.Link = l
		m.Routes = append(m.Routes, r)
		mark("routes")
	}
	ns, err := treeMap(c["nameservers"], d.path+".nameservers")
	if err != nil {
		return err
	}
	if err := vmwareOnly(ns, d.path+".nameservers", "addresses", "search"); err != nil {
		return err
	}
	servers, err := vmwareAddrs(ns["addresses"], d.path+".nameservers.addresses", false)
	if err != nil {
		return err
	}
	search, err := vmwareSearch(ns["search"], d.path+".nameservers.search", false)
	if err != nil {
		return err
	}
	if len(servers)+len(search) > 0 {
		mark("nameservers")
	}
	vmwareDNS(m, servers, search)
	if err := vmwareMTU(l, c["mtu"], d.path+".mtu"); err != nil {
		return err
	}
	if _, _, err := vmwareBool(c["optional"], d.path+".optional"); err != nil {
		return err
	}
	for _, k := range []string{"dhcp4-overrides", "dhcp6-overrides"} {
		o, err := treeMap(c[k], d.path+"."+k)
		if err != nil {
			return err
		}
		if k == "dhcp6-overrides" {
			if err := vmwareOnly(o, d.path+"."+k); err != nil {
				return err
			}
			continue
		}
		if err := vmwareOnly(o, d.path+"."+k, "route-metric"); err != nil {
			return err
		}
		metric, ok, err := treeInt(o["route-metric"], d.path+"."+k+".route-metric", false)
		if err != nil {
			return err
		}
		if ok && metric <= 0 {
			return fieldErrorf(d.path+"."+k+".route-metric", "%d is not a metric above 0", metric)
		}
		l.AutoRouteMetric = metric
	}
	return nil
}

// vmwareMTU reads an MTU.
func vmwareMTU(l *Link, v any, path string) error {
	mtu, ok, err := treeInt(v, path, true)
	if err != nil {
		return err
	}
	if ok && (mtu < 68 || mtu > 65535) {
		return fieldErrorf(path, "%d is not between 68 and 65535", mtu)
	}
	l.MTU = mtu
	return nil
}

// netplanRoute reads {to, via, metric, table}; on-link, scope, type,
// from and the rest cannot be expressed.
func netplanRoute(v any, path string) (Route, error) {
	o, err := treeMap(v, path)
	if err != nil {
		return Route{}, err
	}
	if o == nil {
		return Route{}, fieldErrorf(path, "null is not a route")
	}
	if onLink, _, err := vmwareBool(o["on-link"], path+".on-link"); err != nil {
		return Route{}, err
	} else if onLink {
		return Route{}, fieldErrorf(path+".on-link", "not supported: imdsctl cannot express it in NMState")
	}
	if err := vmwareOnly(o, path, "to", "via", "metric", "table", "on-link"); err != nil {
		return Route{}, err
	}
	via, err := treeAddr(o["via"], path+".via")
	if err != nil {
		return Route{}, err
	}
	to, err := treeText(o["to"], path+".to")
	if err != nil {
		return Route{}, err
	}
	if to == "" {
		return Route{}, fieldErrorf(path+".to", "missing")
	}
	r := Route{Via: via}
	if r.Destination, err = vmwareDest(to, path+".to", via); err != nil {
		return Route{}, err
	}
	if err := vmwareRoute(r, path+".via"); err != nil {
		return Route{}, err
	}
	return r, vmwareRouteNumbers(&r, o, path, "metric", "table")
}

// vmwareRouteNumbers reads a route's metric and table.
func vmwareRouteNumbers(r *Route, o map[string]any, path, metricKey, tableKey string) error {
	metric, _, err := treeInt(o[metricKey], path+"."+metricKey, true)
	if err != nil {
		return err
	}
	if metric < 0 {
		return fieldErrorf(path+"."+metricKey, "%d is negative", metric)
	}
	r.Metric = metric
	if tableKey == "" {
		return nil
	}
	table, ok, err := treeInt(o[tableKey], path+"."+tableKey, true)
	if err != nil {
		return err
	}
	if ok && (table < 1 || table == 255) {
		return fieldErrorf(path+"."+tableKey, "%d is not a routing table", table)
	}
	r.Table = table
	return nil
}

// cloud-init v1.

func vmwareV1(m *Metadata, net map[string]any) error {
	if err := vmwareOnly(net, "network", "version", "config"); err != nil {
		return err
	}
	items, err := treeList(net["config"], "network.config")
	if err != nil {
		return err
	}
	var devs []*vmwareDev
	byName := map[string]*vmwareDev{}
	type global struct {
		conf map[string]any
		path string
	}
	var routes []global
	for i, v := range items {
		path := fmt.Sprintf("network.config[%d]", i)
		o, err := treeMap(v, path)
		if err != nil {
			return err
		}
		if o == nil {
			return fieldErrorf(path, "null is not an item")
		}
		typ, err := treeText(o["type"], path+".type")
		if err != nil {
			return err
		}
		switch typ {
		case "nameserver":
			if err := vmwareOnly(o, path, "type", "address", "search"); err != nil {
				return err
			}
			servers, err := vmwareAddrs(o["address"], path+".address", true)
			if err != nil {
				return err
			}
			search, err := vmwareSearch(o["search"], path+".search", true)
			if err != nil {
				return err
			}
			vmwareDNS(m, servers, search)
			continue
		case "route":
			routes = append(routes, global{o, path})
			continue
		case "physical", "bond", "vlan":
		case "":
			return fieldErrorf(path+".type", "missing")
		default:
			return fieldErrorf(path+".type", "%q is not supported: imdsctl emits physical, bond and vlan interfaces only", typ)
		}
		d := &vmwareDev{Link: &Link{Index: len(devs)}, path: path, conf: o}
		if d.id, err = treeText(o["name"], path+".name"); err != nil {
			return err
		}
		if err := CheckName(d.id); err != nil {
			return fieldErrorf(path+".name", "%v", err)
		}
		if other, ok := byName[d.id]; ok {
			return fieldErrorf(path+".name", "%q is the name of %s too", d.id, other.path)
		}
		d.Name = d.id
		known := []string{"type", "name", "mtu", "subnets", "accept-ra"}
		switch typ {
		case "physical":
			d.Kind = Ethernet
			known = append(known, "mac_address")
			if d.MAC, err = treeMAC(o["mac_address"], path+".mac_address"); err != nil {
				return err
			}
		case "bond":
			d.Kind = Bond
			known = append(known, "bond_interfaces", "params")
			if err := vmwareV1Bond(d); err != nil {
				return err
			}
		case "vlan":
			d.Kind = VLAN
			known = append(known, "vlan_link", "vlan_id")
			id, ok, err := treeInt(o["vlan_id"], path+".vlan_id", true)
			if err != nil {
				return err
			}
			if !ok || id < 1 || id > 4094 {
				return fieldErrorf(path+".vlan_id", "%s is not a VLAN id between 1 and 4094", treeShow(o["vlan_id"]))
			}
			d.VLANID = id
			if d.link, err = treeText(o["vlan_link"], path+".vlan_link"); err != nil {
				return err
			}
			if d.link == "" {
				return fieldErrorf(path+".vlan_link", "missing")
			}
		}
		if err := vmwareOnly(o, path, known...); err != nil {
			return err
		}
		if err := vmwareMTU(d.Link, o["mtu"], path+".mtu"); err != nil {
			return err
		}
		if ra, ok, err := vmwareBool(o["accept-ra"], path+".accept-ra"); err != nil {
			return err
		} else if ok {
			d.IPv6.Autoconf = ra
		}
		if err := vmwareV1Subnets(m, d); err != nil {
			return err
		}
		devs = append(devs, d)
		byName[d.id] = d
	}
	if err := vmwareLinkUp(m, devs, byName); err != nil {
		return err
	}
	for _, g := range routes {
		if err := vmwareV1GlobalRoute(m, g.conf, g.path); err != nil {
			return err
		}
	}
	return nil
}

// vmwareV1Bond reads bond_interfaces and params (bond-mode, bond-miimon,
// bond_xmit_hash_policy, ...: the kernel's option names after "bond-").
func vmwareV1Bond(d *vmwareDev) error {
	var err error
	if d.ports, err = vmwareStrings(d.conf["bond_interfaces"], d.path+".bond_interfaces", false); err != nil {
		return err
	}
	params, err := treeMap(d.conf["params"], d.path+".params")
	if err != nil {
		return err
	}
	d.BondMode = openstackBondModes[0]
	for _, k := range slices.Sorted(vmwareKeys(params)) {
		path := vmwarePath(d.path+".params", k)
		name := strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(k, "bond-"), "bond_"), "-", "_")
		if name == "mode" {
			if d.BondMode, err = treeBondMode(params[k], path); err != nil {
				return err
			}
			continue
		}
		if _, ok := vmwareBondOptions[name]; !ok {
			return fieldErrorf(path, "not supported: imdsctl cannot express it in NMState")
		}
		v, err := vmwareBondOption(name, params[k], path)
		if err != nil {
			return err
		}
		if d.BondOptions == nil {
			d.BondOptions = map[string]any{}
		}
		d.BondOptions[name] = v
	}
	return nil
}

// vmwareV1Subnets reads an interface's subnets: dhcp/dhcp4, dhcp6,
// ipv6_slaac, ipv6_dhcpv6-stateful/-stateless, static/static6, manual.
func vmwareV1Subnets(m *Metadata, d *vmwareDev) error {
	subnets, err := treeList(d.conf["subnets"], d.path+".subnets")
	if err != nil {
		return err
	}
	l := d.Link
	for i, v := range subnets {
		path := fmt.Sprintf("%s.subnets[%d]", d.path, i)
		o, err := treeMap(v, path)
		if err != nil {
			return err
		}
		if o == nil {
			return fieldErrorf(path, "null is not a subnet")
		}
		typ, err := treeText(o["type"], path+".type")
		if err != nil {
			return err
		}
		known := []string{"type", "ipv4", "ipv6", "dns_nameservers", "dns_search", "routes"}
		static := false
		switch typ {
		case "dhcp", "dhcp4":
			l.IPv4.DHCP = true
		case "dhcp6", "ipv6_dhcpv6-stateful", "ipv6_dhcpv6-stateless":
			l.IPv6.DHCP, l.IPv6.Autoconf = true, true
		case "ipv6_slaac":
			l.IPv6.Autoconf = true
		case "static", "static6":
			static = true
			known = append(known, "address", "netmask", "prefix", "gateway")
		case "manual":
		case "":
			return fieldErrorf(path+".type", "missing")
		default:
			return fieldErrorf(path+".type", "%q is not a subnet type (dhcp, dhcp4, dhcp6, ipv6_slaac, ipv6_dhcpv6-stateful, ipv6_dhcpv6-stateless, static, static6, manual)", typ)
		}
		if err := vmwareOnly(o, path, known...); err != nil {
			return err
		}
		for _, k := range []string{"ipv4", "ipv6"} {
			if _, _, err := vmwareBool(o[k], path+"."+k); err != nil {
				return err
			}
		}
		if typ != "manual" && d.ipPath == "" {
			d.ipPath = path
		}
		if static {
			p, err := vmwareV1Address(o, path)
			if err != nil {
				return err
			}
			if typ == "static6" && p.Addr().Is4() {
				return fieldErrorf(path+".address", "%s is not an IPv6 address", p.Addr())
			}
			if p.Addr().Is4() {
				l.IPv4.Addresses = append(l.IPv4.Addresses, p)
			} else {
				l.IPv6.Addresses = append(l.IPv6.Addresses, p)
			}
			gw, err := treeAddr(o["gateway"], path+".gateway")
			if err != nil {
				return err
			}
			if gw.IsValid() {
				if gw.Is4() != p.Addr().Is4() {
					return fieldErrorf(path+".gateway", "%s is not of the family of %s", gw, p.Addr())
				}
				dst, _ := vmwareDest("default", "", gw)
				m.Routes = append(m.Routes, Route{Destination: dst, Via: gw, Link: l})
			}
		}
		routes, err := treeList(o["routes"], path+".routes")
		if err != nil {
			return err
		}
		for j, rv := range routes {
			rpath := fmt.Sprintf("%s.routes[%d]", path, j)
			ro, err := treeMap(rv, rpath)
			if err != nil {
				return err
			}
			r, err := vmwareV1Route(ro, rpath)
			if err != nil {
				return err
			}
			r.Link = l
			m.Routes = append(m.Routes, r)
		}
		servers, err := vmwareAddrs(o["dns_nameservers"], path+".dns_nameservers", true)
		if err != nil {
			return err
		}
		search, err := vmwareSearch(o["dns_search"], path+".dns_search", true)
		if err != nil {
			return err
		}
		vmwareDNS(m, servers, search)
	}
	return nil
}

// vmwareV1Address reads a static subnet's address: a CIDR, or an address
// with netmask or prefix.
func vmwareV1Address(o map[string]any, path string) (netip.Prefix, error) {
	s, err := treeText(o["address"], path+".address")
	if err != nil {
		return netip.Prefix{}, err
	}
	if s == "" {
		return netip.Prefix{}, fieldErrorf(path+".address", "missing on a static subnet")
	}
	mask, err := treeText(o["netmask"], path+".netmask")
	if err != nil {
		return netip.Prefix{}, err
	}
	maskPath := path + ".netmask"
	if n, ok, err := treeInt(o["prefix"], path+".prefix", true); err != nil {
		return netip.Prefix{}, err
	} else if ok {
		if mask != "" {
			return netip.Prefix{}, fieldErrorf(path+".prefix", "given with netmask")
		}
		mask, maskPath = strconv.Itoa(n), path+".prefix"
	}
	if strings.Contains(s, "/") {
		p, err := ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fieldErrorf(path+".address", "%v", err)
		}
		if mask != "" {
			if n, err := PrefixLen(p.Addr(), mask); err != nil || n != p.Bits() {
				return netip.Prefix{}, fieldErrorf(maskPath, "%q does not match the prefix length of %s", mask, s)
			}
		}
		return p, nil
	}
	a, err := ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fieldErrorf(path+".address", "%v", err)
	}
	if mask == "" {
		return netip.Prefix{}, fieldErrorf(path+".netmask", "missing, and address has no prefix length")
	}
	p, err := HostPrefix(a, mask)
	if err != nil {
		return netip.Prefix{}, fieldErrorf(maskPath, "%v", err)
	}
	return p, nil
}

// vmwareV1Route reads {network or destination, netmask or prefix,
// gateway, metric}.
func vmwareV1Route(o map[string]any, path string) (Route, error) {
	if o == nil {
		return Route{}, fieldErrorf(path, "null is not a route")
	}
	if err := vmwareOnly(o, path, "type", "network", "destination", "netmask", "prefix", "gateway", "metric"); err != nil {
		return Route{}, err
	}
	key := "network"
	if o["destination"] != nil {
		key = "destination"
	}
	dst, err := treeText(o[key], path+"."+key)
	if err != nil {
		return Route{}, err
	}
	if dst == "" {
		return Route{}, fieldErrorf(path+"."+key, "missing")
	}
	via, err := treeAddr(o["gateway"], path+".gateway")
	if err != nil {
		return Route{}, err
	}
	r := Route{Via: via}
	if !strings.Contains(dst, "/") && dst != "default" {
		mask, err := treeText(o["netmask"], path+".netmask")
		if err != nil {
			return Route{}, err
		}
		maskPath := path + ".netmask"
		if n, ok, err := treeInt(o["prefix"], path+".prefix", true); err != nil {
			return Route{}, err
		} else if ok {
			mask, maskPath = strconv.Itoa(n), path+".prefix"
		}
		if mask != "" {
			a, err := ParseAddr(dst)
			if err != nil {
				return Route{}, fieldErrorf(path+"."+key, "%v", err)
			}
			p, err := HostPrefix(a, mask)
			if err != nil {
				return Route{}, fieldErrorf(maskPath, "%v", err)
			}
			dst = p.String()
		}
	}
	if r.Destination, err = vmwareDest(dst, path+"."+key, via); err != nil {
		return Route{}, err
	}
	r.Destination = r.Destination.Masked()
	if err := vmwareRoute(r, path+".gateway"); err != nil {
		return Route{}, err
	}
	return r, vmwareRouteNumbers(&r, o, path, "metric", "")
}

// vmwareV1GlobalRoute places a top-level route item on the link whose
// static subnet holds its gateway.
func vmwareV1GlobalRoute(m *Metadata, o map[string]any, path string) error {
	r, err := vmwareV1Route(o, path)
	if err != nil {
		return err
	}
	if !r.Via.IsValid() {
		return fieldErrorf(path+".gateway", "missing: a route of its own needs a gateway to find its interface")
	}
	for _, l := range m.Links {
		for _, p := range slices.Concat(l.IPv4.Addresses, l.IPv6.Addresses) {
			if p.Masked().Contains(r.Via) && !l.Port {
				r.Link = l
				m.Routes = append(m.Routes, r)
				return nil
			}
		}
	}
	return fieldErrorf(path+".gateway", "%s is in no static subnet of an interface", r.Via)
}
