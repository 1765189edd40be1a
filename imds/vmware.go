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
	root, err := decodeTree(data, "a map of guestinfo keys to values", rawText)
	if err != nil {
		return nil, err
	}
	value, err := root.get(vmwareMetadataKey).str()
	if err != nil {
		return nil, err
	}
	encoding, err := root.get(vmwareEncodingKey).str()
	if err != nil {
		return nil, err
	}
	text, err := vmwareDecode(value, encoding, root.get(vmwareMetadataKey), root.get(vmwareEncodingKey))
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
	meta := node{v: md, max: shortText}
	m := &Metadata{Raw: md}
	switch id := md["instance-id"].(type) {
	case int64, uint64:
		m.InstanceID = fmt.Sprint(id)
	default:
		if m.InstanceID, err = meta.get("instance-id").text(); err != nil {
			return nil, err
		}
	}
	if m.Hostname, err = meta.get("local-hostname").text(); err != nil {
		return nil, err
	}
	network, err := vmwareNetwork(meta)
	if err != nil || network.absent() {
		return m, err
	}
	// A copy for raw, with the network decoded.
	raw := make(map[string]any, len(md))
	for k, v := range md {
		raw[k] = v
	}
	raw["network"] = network.v
	delete(raw, "network.encoding")
	m.Raw = raw
	// Some write the document with a network: key around it.
	doc := network.v.(map[string]any)
	if inner, ok := doc["network"].(map[string]any); ok && len(doc) == 1 {
		doc = inner
		network.v = inner
	}
	if doc["config"] == "disabled" {
		return m, nil // cloud-init's way to say: leave the network alone
	}
	version, ok, err := network.get("version").number(true)
	if err != nil {
		return nil, err
	}
	if !ok {
		version = 2
		if _, v1 := doc["config"]; v1 {
			version = 1
		}
	}
	switch version {
	case 1:
		err = vmwareV1(m, network)
	case 2:
		err = vmwareNetplan(m, network)
	default:
		return nil, network.get("version").errorf("%d is not 1 (cloud-init) or 2 (netplan)", version)
	}
	if err != nil {
		return nil, err
	}
	vmwareFacts(m)
	return m, nil
}

// vmwareCleared reports whether a value means "not set": blank, or "---"
// as cloud-init writes over keys it redacts.
func vmwareCleared(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s == "---"
}

// vmwareDecode decodes the value of a field by its encoding (the value of
// encField): none, base64 (b64) or gzip+base64 (gz+b64). A gzip stream
// may not grow past MaxBody.
func vmwareDecode(value, encoding string, field, encField node) (string, error) {
	if vmwareCleared(value) {
		return "", nil
	}
	enc := strings.ToLower(strings.TrimSpace(encoding))
	switch enc {
	case "":
		return value, nil
	case "base64", "b64", "gzip+base64", "gz+b64":
	default:
		return "", encField.errorf("%q is not an encoding (base64, b64, gzip+base64 or gz+b64)", encoding)
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
			return "", field.errorf("not base64: %v", err)
		}
	}
	if enc == "base64" || enc == "b64" {
		return string(b), nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return "", field.errorf("not gzip: %v", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxBody+1))
	if err != nil {
		return "", field.errorf("not gzip: %v", err)
	}
	if len(out) > MaxBody {
		return "", field.errorf("decompresses to more than %d bytes", MaxBody)
	}
	return string(out), nil
}

// vmwareNetwork returns the metadata's network document: a map, or a
// string (encoded as network.encoding says) holding YAML or JSON. Absent
// when there is none.
func vmwareNetwork(meta node) (node, error) {
	network := meta.get("network")
	switch n := network.v.(type) {
	case nil:
		return network, nil
	case map[string]any:
		return network, nil
	case string:
		enc, err := meta.get("network.encoding").text()
		if err != nil {
			return node{}, err
		}
		text, err := vmwareDecode(n, enc, network, meta.get("network.encoding"))
		if err != nil || vmwareCleared(text) {
			return node{}, err
		}
		v, err := nmstate.Decode([]byte(text))
		if err != nil {
			return node{}, network.errorf("%s", strings.ReplaceAll(err.Error(), "\n", " "))
		}
		if _, ok := v.(map[string]any); !ok {
			return node{}, network.errorf("%s is not a map", describeValue(v))
		}
		network.v = v
		return network, nil
	default:
		return node{}, network.errorf("%s is neither a map nor an encoded string", describeValue(n))
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
	m.primaryByDefaultRoute()
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

// vmwareOnly refuses the keys of a map that are not known: what imdsctl
// cannot express in NMState must not be dropped silently.
func vmwareOnly(o node, known ...string) error {
	for _, k := range o.keys() {
		if !slices.Contains(known, k) {
			return o.get(k).errorf("not supported: imdsctl cannot express it in NMState")
		}
	}
	return nil
}

// vmwareBool reads a boolean as netplan does: true/false, yes/no, on/off,
// y/n; ok is false when absent.
func vmwareBool(n node) (b, ok bool, err error) {
	switch t := n.v.(type) {
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
	return false, false, n.errorf("%s is not a boolean", n.show())
}

// vmwareStrings reads a list of strings, or with one set a single string
// too (cloud-init v1 takes both).
func vmwareStrings(n node, one bool) ([]string, error) {
	if s, ok := n.v.(string); ok && one {
		return strings.Fields(strings.ReplaceAll(s, ",", " ")), nil
	}
	list, err := n.list()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, err := e.text()
		if err != nil {
			return nil, err
		}
		if s == "" {
			return nil, e.errorf("empty")
		}
		out = append(out, s)
	}
	return out, nil
}

// vmwareAddrs reads DNS servers: IP addresses.
func vmwareAddrs(n node, one bool) ([]netip.Addr, error) {
	ss, err := vmwareStrings(n, one)
	if err != nil || len(ss) == 0 {
		return nil, err
	}
	return n.parseAddrs(ss)
}

// vmwareSearch reads DNS search domains.
func vmwareSearch(n node, one bool) ([]string, error) {
	ss, err := vmwareStrings(n, one)
	if err != nil {
		return nil, err
	}
	for i, s := range ss {
		if err := CheckHostname(s); err != nil {
			return nil, n.at(i).errorf("%v", err)
		}
	}
	return ss, nil
}

// vmwareDest reads a route destination s, read from n: default (of the
// family of via), a network in CIDR form, or an address alone (a host
// route).
func vmwareDest(s string, n node, via netip.Addr) (netip.Prefix, error) {
	switch {
	case s == "default":
		switch {
		case !via.IsValid():
			return netip.Prefix{}, n.errorf("default needs a gateway to tell its family")
		case via.Is4():
			return netip.MustParsePrefix("0.0.0.0/0"), nil
		default:
			return netip.MustParsePrefix("::/0"), nil
		}
	case strings.Contains(s, "/"):
		p, err := ParseNetwork(s)
		if err != nil {
			return netip.Prefix{}, n.errorf("%v", err)
		}
		return p, nil
	}
	a, err := ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, n.errorf("%q is neither default, a network nor an address", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// vmwareRoute checks a route's gateway, read from via, against its
// destination.
func vmwareRoute(r Route, via node) error {
	if r.Via.IsValid() && r.Via.Is4() != r.Destination.Addr().Is4() {
		return via.errorf("%s is not of the family of %s", r.Via, r.Destination)
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
	"xmit_hash_policy":  {bondEnum, hashPolicies},
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
func vmwareBondOption(name string, n node) (any, error) {
	opt := vmwareBondOptions[name]
	switch opt.kind {
	case bondInt:
		i, ok, err := n.number(true)
		if err == nil && (!ok || i < 0) {
			err = n.errorf("%s is not a number of 0 or more", n.show())
		}
		return int64(i), err
	case bondSeconds:
		w := n
		if s, ok := n.v.(string); ok {
			w.v = strings.TrimSuffix(s, "s")
		}
		if i, ok, err := w.number(true); err == nil && ok && i >= 1 {
			return int64(i), nil
		}
		return nil, n.errorf("%s is not a number of seconds of 1 or more", n.show())
	case bondMillis:
		s, isString := n.v.(string)
		if !isString {
			i, ok, err := n.number(false)
			if err == nil && (!ok || i < 0) {
				err = n.errorf("%s is not a time of 0 or more", n.show())
			}
			return int64(i), err
		}
		scale := 1
		switch {
		case strings.HasSuffix(s, "ms"):
			s = strings.TrimSuffix(s, "ms")
		case strings.HasSuffix(s, "s"):
			s, scale = strings.TrimSuffix(s, "s"), 1000
		}
		i, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || i < 0 || i > (1<<31-1)/scale {
			return nil, n.errorf("%s is not a time in milliseconds (100, 100ms, 1s)", n.show())
		}
		return int64(i * scale), nil
	case bondEnum:
		s, err := n.text()
		if err != nil {
			return nil, err
		}
		if !slices.Contains(opt.values, s) {
			return nil, n.errorf("%s is not one of %s", n.show(), strings.Join(opt.values, ", "))
		}
		return s, nil
	case bondBool:
		if i, ok, err := n.number(true); err == nil && ok && (i == 0 || i == 1) {
			return int64(i), nil
		}
		b, _, err := vmwareBool(n)
		if err != nil {
			return nil, err
		}
		if b {
			return int64(1), nil
		}
		return int64(0), nil
	default: // bondIPs
		ips, err := vmwareAddrs(n, true)
		if err != nil {
			return nil, err
		}
		if len(ips) == 0 || len(ips) > 16 {
			return nil, n.errorf("needs 1 to 16 addresses")
		}
		parts := make([]string, len(ips))
		for i, a := range ips {
			if !a.Is4() {
				return nil, n.errorf("%s is not an IPv4 address", a)
			}
			parts[i] = a.String()
		}
		return strings.Join(parts, ","), nil
	}
}

// vmwareDev is a netplan device or a cloud-init v1 item while it is read.
type vmwareDev struct {
	*Link
	id     string
	conf   node
	link   string   // a VLAN's base, by id
	ports  []string // a bond's ports, by id
	ipPath string   // the first key that configures IP, for errors on bond ports
}

// bondOption sets a bond's option from a parameter: name is its kernel
// name, "" when the parameter is none.
func (d *vmwareDev) bondOption(name string, p node) error {
	if _, ok := vmwareBondOptions[name]; !ok {
		return p.errorf("not supported: imdsctl cannot express it in NMState")
	}
	v, err := vmwareBondOption(name, p)
	if err != nil {
		return err
	}
	if d.BondOptions == nil {
		d.BondOptions = map[string]any{}
	}
	d.BondOptions[name] = v
	return nil
}

// Netplan v2.

// netplanSections are the kinds of device netplan knows; only the first
// three can be expressed.
var netplanSections = []string{"ethernets", "bonds", "vlans"}

func vmwareNetplan(m *Metadata, net node) error {
	for _, k := range net.keys() {
		switch k {
		case "version", "renderer", "ethernets", "bonds", "vlans":
		case "bridges", "tunnels", "wifis", "vrfs", "modems", "dummy-devices", "virtual-ethernets", "nm-devices":
			return net.get(k).errorf("not supported: imdsctl emits ethernets, bonds and VLANs only")
		default:
			return net.get(k).errorf("not a netplan key")
		}
	}
	if _, err := net.get("renderer").text(); err != nil {
		return err
	}
	var devs []*vmwareDev
	byID := map[string]*vmwareDev{}
	names := map[string]string{}
	for _, section := range netplanSections {
		sec, err := net.get(section).object()
		if err != nil {
			return err
		}
		for _, id := range sec.keys() {
			conf, err := sec.get(id).object()
			if err != nil {
				return err
			}
			if other, ok := byID[id]; ok {
				return conf.errorf("%q is the id of %s too", id, other.conf.path)
			}
			d := &vmwareDev{Link: &Link{Index: len(devs)}, id: id, conf: conf}
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
			if err := vmwareOnly(conf, known...); err != nil {
				return err
			}
			if d.Name != "" {
				if other, ok := names[d.Name]; ok {
					return conf.errorf("the interface name %q is that of %s too", d.Name, other)
				}
				names[d.Name] = conf.path
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
			where := d.portsNode().at(i)
			p, ok := byID[id]
			switch {
			case !ok:
				return where.errorf("no interface has the id %q", id)
			case p.Kind != Ethernet:
				return where.errorf("%q is a %s, not an ethernet", id, p.Kind)
			case p.Port:
				return where.errorf("%q is the port of another bond already", id)
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
				return d.linkNode().errorf("no interface has the id %q", d.link)
			case b.Kind == VLAN:
				return d.linkNode().errorf("%q is a VLAN: VLANs on VLANs are not supported", d.link)
			}
			d.Base = b.Link
		}
	}
	for _, d := range devs {
		if d.Kind == VLAN && d.Base.Port {
			return d.linkNode().errorf("%q is a bond port, which carries nothing of its own", d.link)
		}
		m.Links = append(m.Links, d.Link)
	}
	return nil
}

// portsNode is the list of a bond's ports: cloud-init's bond_interfaces
// or netplan's interfaces.
func (d *vmwareDev) portsNode() node {
	if n := d.conf.get("bond_interfaces"); !n.absent() {
		return n
	}
	return d.conf.get("interfaces")
}

// linkNode is a VLAN's base: cloud-init's vlan_link or netplan's link.
func (d *vmwareDev) linkNode() node {
	if n := d.conf.get("vlan_link"); !n.absent() {
		return n
	}
	return d.conf.get("link")
}

// netplanEthernet reads match and set-name: the MAC names the NIC; the
// interface name is set-name, else match.name, else the id.
func netplanEthernet(d *vmwareDev) error {
	match, err := d.conf.get("match").object()
	if err != nil {
		return err
	}
	if err := vmwareOnly(match, "macaddress", "name"); err != nil {
		return err
	}
	if d.MAC, err = match.get("macaddress").mac(); err != nil {
		return err
	}
	matchName, err := match.get("name").text()
	if err != nil {
		return err
	}
	if strings.ContainsAny(matchName, "*?[]") {
		return match.get("name").errorf("%q is a pattern: imdsctl needs one interface", matchName)
	}
	setName, err := d.conf.get("set-name").text()
	if err != nil {
		return err
	}
	switch {
	case setName != "" && match.absent():
		return d.conf.get("set-name").errorf("needs a match")
	case setName != "" && d.MAC == "":
		return d.conf.get("set-name").errorf("renaming an interface needs match.macaddress to find it by")
	case setName != "":
		d.Name = setName
	case matchName != "":
		d.Name = matchName
	case d.MAC == "" || CheckName(d.id) == nil:
		d.Name = d.id
	}
	if d.Name != "" {
		if err := CheckName(d.Name); err != nil {
			return d.conf.errorf("%v", err)
		}
	}
	return nil
}

// netplanBond reads a bond's ports (by id) and parameters.
func netplanBond(d *vmwareDev) error {
	if err := CheckName(d.id); err != nil {
		return d.conf.errorf("%v", err)
	}
	d.Name = d.id
	var err error
	if d.ports, err = vmwareStrings(d.conf.get("interfaces"), false); err != nil {
		return err
	}
	params, err := d.conf.get("parameters").object()
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
	d.BondMode = bondModes[0]
	for _, k := range params.keys() {
		p := params.get(k)
		if k == "mode" {
			if d.BondMode, err = bondMode(p); err != nil {
				return err
			}
			continue
		}
		if err := d.bondOption(netplanNames[k], p); err != nil {
			return err
		}
	}
	return nil
}

// netplanVLAN reads a VLAN's id and base; its name is its netplan id.
func netplanVLAN(d *vmwareDev) error {
	if err := CheckName(d.id); err != nil {
		return d.conf.errorf("%v", err)
	}
	d.Name = d.id
	vlanID := d.conf.get("id")
	id, ok, err := vlanID.number(false)
	if err != nil {
		return err
	}
	if !ok || id < 1 || id > 4094 {
		return vlanID.errorf("%s is not a VLAN id between 1 and 4094", vlanID.show())
	}
	d.VLANID = id
	if d.link, err = d.conf.get("link").text(); err != nil {
		return err
	}
	if d.link == "" {
		return d.conf.get("link").errorf("missing")
	}
	return nil
}

// netplanIP reads what every kind of device shares: DHCP, addresses,
// gateways, routes, name servers and MTU.
func netplanIP(m *Metadata, d *vmwareDev) error {
	c, l := d.conf, d.Link
	mark := func(key string) {
		if d.ipPath == "" {
			d.ipPath = c.get(key).path
		}
	}
	for _, k := range []string{"dhcp4", "dhcp6", "accept-ra"} {
		b, ok, err := vmwareBool(c.get(k))
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
	addrs, err := vmwareStrings(c.get("addresses"), false)
	if err != nil {
		return err
	}
	for i, s := range addrs {
		p, err := ParsePrefix(s)
		if err != nil {
			return c.get("addresses").at(i).errorf("%v", err)
		}
		if p.Addr().Is4() {
			l.IPv4.Addresses = append(l.IPv4.Addresses, p)
		} else {
			l.IPv6.Addresses = append(l.IPv6.Addresses, p)
		}
		mark("addresses")
	}
	for _, k := range []string{"gateway4", "gateway6"} {
		gw, err := c.get(k).addr(0)
		if err != nil {
			return err
		}
		if !gw.IsValid() {
			continue
		}
		if gw.Is4() != (k == "gateway4") {
			return c.get(k).errorf("%s is not of the family of %s", gw, k)
		}
		dst, _ := vmwareDest("default", node{}, gw)
		m.Routes = append(m.Routes, Route{Destination: dst, Via: gw, Link: l})
		mark(k)
	}
	routes, err := c.get("routes").list()
	if err != nil {
		return err
	}
	for _, n := range routes {
		r, err := netplanRoute(n)
		if err != nil {
			return err
		}
		r.Link = l
		m.Routes = append(m.Routes, r)
		mark("routes")
	}
	ns, err := c.get("nameservers").object()
	if err != nil {
		return err
	}
	if err := vmwareOnly(ns, "addresses", "search"); err != nil {
		return err
	}
	servers, err := vmwareAddrs(ns.get("addresses"), false)
	if err != nil {
		return err
	}
	search, err := vmwareSearch(ns.get("search"), false)
	if err != nil {
		return err
	}
	if len(servers)+len(search) > 0 {
		mark("nameservers")
	}
	vmwareDNS(m, servers, search)
	if err := vmwareMTU(l, c.get("mtu")); err != nil {
		return err
	}
	if _, _, err := vmwareBool(c.get("optional")); err != nil {
		return err
	}
	for _, k := range []string{"dhcp4-overrides", "dhcp6-overrides"} {
		o, err := c.get(k).object()
		if err != nil {
			return err
		}
		if k == "dhcp6-overrides" {
			if err := vmwareOnly(o); err != nil {
				return err
			}
			continue
		}
		if err := vmwareOnly(o, "route-metric"); err != nil {
			return err
		}
		metric, ok, err := o.get("route-metric").number(false)
		if err != nil {
			return err
		}
		if ok && metric <= 0 {
			return o.get("route-metric").errorf("%d is not a metric above 0", metric)
		}
		l.AutoRouteMetric = metric
	}
	return nil
}

// vmwareMTU reads an MTU.
func vmwareMTU(l *Link, n node) error {
	mtu, ok, err := n.number(true)
	if err != nil {
		return err
	}
	if ok && (mtu < 68 || mtu > 65535) {
		return n.errorf("%d is not between 68 and 65535", mtu)
	}
	l.MTU = mtu
	return nil
}

// netplanRoute reads {to, via, metric, table}; on-link, scope, type,
// from and the rest cannot be expressed.
func netplanRoute(n node) (Route, error) {
	o, err := n.object()
	if err != nil {
		return Route{}, err
	}
	if o.absent() {
		return Route{}, o.errorf("null is not a route")
	}
	if onLink, _, err := vmwareBool(o.get("on-link")); err != nil {
		return Route{}, err
	} else if onLink {
		return Route{}, o.get("on-link").errorf("not supported: imdsctl cannot express it in NMState")
	}
	if err := vmwareOnly(o, "to", "via", "metric", "table", "on-link"); err != nil {
		return Route{}, err
	}
	via, err := o.get("via").addr(0)
	if err != nil {
		return Route{}, err
	}
	to, err := o.get("to").text()
	if err != nil {
		return Route{}, err
	}
	if to == "" {
		return Route{}, o.get("to").errorf("missing")
	}
	r := Route{Via: via}
	if r.Destination, err = vmwareDest(to, o.get("to"), via); err != nil {
		return Route{}, err
	}
	if err := vmwareRoute(r, o.get("via")); err != nil {
		return Route{}, err
	}
	if err := vmwareMetric(&r, o.get("metric")); err != nil {
		return Route{}, err
	}
	table, ok, err := o.get("table").number(true)
	if err != nil {
		return Route{}, err
	}
	if ok && (table < 1 || table == 255) {
		return Route{}, o.get("table").errorf("%d is not a routing table", table)
	}
	r.Table = table
	return r, nil
}

// vmwareMetric reads a route's metric.
func vmwareMetric(r *Route, n node) error {
	metric, _, err := n.number(true)
	if err != nil {
		return err
	}
	if metric < 0 {
		return n.errorf("%d is negative", metric)
	}
	r.Metric = metric
	return nil
}

// cloud-init v1.

func vmwareV1(m *Metadata, net node) error {
	if err := vmwareOnly(net, "version", "config"); err != nil {
		return err
	}
	items, err := net.get("config").list()
	if err != nil {
		return err
	}
	var devs []*vmwareDev
	byName := map[string]*vmwareDev{}
	var routes []node
	for _, v := range items {
		o, err := v.object()
		if err != nil {
			return err
		}
		if o.absent() {
			return o.errorf("null is not an item")
		}
		typ, err := o.get("type").text()
		if err != nil {
			return err
		}
		switch typ {
		case "nameserver":
			if err := vmwareOnly(o, "type", "address", "search"); err != nil {
				return err
			}
			servers, err := vmwareAddrs(o.get("address"), true)
			if err != nil {
				return err
			}
			search, err := vmwareSearch(o.get("search"), true)
			if err != nil {
				return err
			}
			vmwareDNS(m, servers, search)
			continue
		case "route":
			routes = append(routes, o)
			continue
		case "physical", "bond", "vlan":
		case "":
			return o.get("type").errorf("missing")
		default:
			return o.get("type").errorf("%q is not supported: imdsctl emits physical, bond and vlan interfaces only", typ)
		}
		d := &vmwareDev{Link: &Link{Index: len(devs)}, conf: o}
		if d.id, err = o.get("name").text(); err != nil {
			return err
		}
		if err := CheckName(d.id); err != nil {
			return o.get("name").errorf("%v", err)
		}
		if other, ok := byName[d.id]; ok {
			return o.get("name").errorf("%q is the name of %s too", d.id, other.conf.path)
		}
		d.Name = d.id
		known := []string{"type", "name", "mtu", "subnets", "accept-ra"}
		switch typ {
		case "physical":
			d.Kind = Ethernet
			known = append(known, "mac_address")
			if d.MAC, err = o.get("mac_address").mac(); err != nil {
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
			vlanID := o.get("vlan_id")
			id, ok, err := vlanID.number(true)
			if err != nil {
				return err
			}
			if !ok || id < 1 || id > 4094 {
				return vlanID.errorf("%s is not a VLAN id between 1 and 4094", vlanID.show())
			}
			d.VLANID = id
			if d.link, err = o.get("vlan_link").text(); err != nil {
				return err
			}
			if d.link == "" {
				return o.get("vlan_link").errorf("missing")
			}
		}
		if err := vmwareOnly(o, known...); err != nil {
			return err
		}
		if err := vmwareMTU(d.Link, o.get("mtu")); err != nil {
			return err
		}
		if ra, ok, err := vmwareBool(o.get("accept-ra")); err != nil {
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
	for _, o := range routes {
		if err := vmwareV1GlobalRoute(m, o); err != nil {
			return err
		}
	}
	return nil
}

// vmwareV1Bond reads bond_interfaces and params (bond-mode, bond-miimon,
// bond_xmit_hash_policy, ...: the kernel's option names after "bond-").
func vmwareV1Bond(d *vmwareDev) error {
	var err error
	if d.ports, err = vmwareStrings(d.conf.get("bond_interfaces"), false); err != nil {
		return err
	}
	params, err := d.conf.get("params").object()
	if err != nil {
		return err
	}
	d.BondMode = bondModes[0]
	for _, k := range params.keys() {
		p := params.get(k)
		name := strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(k, "bond-"), "bond_"), "-", "_")
		if name == "mode" {
			if d.BondMode, err = bondMode(p); err != nil {
				return err
			}
			continue
		}
		if err := d.bondOption(name, p); err != nil {
			return err
		}
	}
	return nil
}

// vmwareV1Subnets reads an interface's subnets: dhcp/dhcp4, dhcp6,
// ipv6_slaac, ipv6_dhcpv6-stateful/-stateless, static/static6, manual.
func vmwareV1Subnets(m *Metadata, d *vmwareDev) error {
	subnets, err := d.conf.get("subnets").list()
	if err != nil {
		return err
	}
	l := d.Link
	for _, v := range subnets {
		o, err := v.object()
		if err != nil {
			return err
		}
		if o.absent() {
			return o.errorf("null is not a subnet")
		}
		typ, err := o.get("type").text()
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
			return o.get("type").errorf("missing")
		default:
			return o.get("type").errorf("%q is not a subnet type (dhcp, dhcp4, dhcp6, ipv6_slaac, ipv6_dhcpv6-stateful, ipv6_dhcpv6-stateless, static, static6, manual)", typ)
		}
		if err := vmwareOnly(o, known...); err != nil {
			return err
		}
		for _, k := range []string{"ipv4", "ipv6"} {
			if _, _, err := vmwareBool(o.get(k)); err != nil {
				return err
			}
		}
		if typ != "manual" && d.ipPath == "" {
			d.ipPath = o.path
		}
		if static {
			p, err := vmwareV1Address(o)
			if err != nil {
				return err
			}
			if typ == "static6" && p.Addr().Is4() {
				return o.get("address").errorf("%s is not an IPv6 address", p.Addr())
			}
			if p.Addr().Is4() {
				l.IPv4.Addresses = append(l.IPv4.Addresses, p)
			} else {
				l.IPv6.Addresses = append(l.IPv6.Addresses, p)
			}
			gw, err := o.get("gateway").addr(0)
			if err != nil {
				return err
			}
			if gw.IsValid() {
				if gw.Is4() != p.Addr().Is4() {
					return o.get("gateway").errorf("%s is not of the family of %s", gw, p.Addr())
				}
				dst, _ := vmwareDest("default", node{}, gw)
				m.Routes = append(m.Routes, Route{Destination: dst, Via: gw, Link: l})
			}
		}
		routes, err := o.get("routes").list()
		if err != nil {
			return err
		}
		for _, rv := range routes {
			ro, err := rv.object()
			if err != nil {
				return err
			}
			r, err := vmwareV1Route(ro)
			if err != nil {
				return err
			}
			r.Link = l
			m.Routes = append(m.Routes, r)
		}
		servers, err := vmwareAddrs(o.get("dns_nameservers"), true)
		if err != nil {
			return err
		}
		search, err := vmwareSearch(o.get("dns_search"), true)
		if err != nil {
			return err
		}
		vmwareDNS(m, servers, search)
	}
	return nil
}

// vmwareV1Address reads a static subnet's address: a CIDR, or an address
// with netmask or prefix.
func vmwareV1Address(o node) (netip.Prefix, error) {
	addrNode := o.get("address")
	s, err := addrNode.text()
	if err != nil {
		return netip.Prefix{}, err
	}
	if s == "" {
		return netip.Prefix{}, addrNode.errorf("missing on a static subnet")
	}
	maskNode := o.get("netmask")
	mask, err := maskNode.text()
	if err != nil {
		return netip.Prefix{}, err
	}
	if n, ok, err := o.get("prefix").number(true); err != nil {
		return netip.Prefix{}, err
	} else if ok {
		if mask != "" {
			return netip.Prefix{}, o.get("prefix").errorf("given with netmask")
		}
		mask, maskNode = strconv.Itoa(n), o.get("prefix")
	}
	if strings.Contains(s, "/") {
		p, err := ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, addrNode.errorf("%v", err)
		}
		if mask != "" {
			if n, err := PrefixLen(p.Addr(), mask); err != nil || n != p.Bits() {
				return netip.Prefix{}, maskNode.errorf("%q does not match the prefix length of %s", mask, s)
			}
		}
		return p, nil
	}
	a, err := ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, addrNode.errorf("%v", err)
	}
	if mask == "" {
		return netip.Prefix{}, o.get("netmask").errorf("missing, and address has no prefix length")
	}
	p, err := HostPrefix(a, mask)
	if err != nil {
		return netip.Prefix{}, maskNode.errorf("%v", err)
	}
	return p, nil
}

// vmwareV1Route reads {network or destination, netmask or prefix,
// gateway, metric}.
func vmwareV1Route(o node) (Route, error) {
	if o.absent() {
		return Route{}, o.errorf("null is not a route")
	}
	if err := vmwareOnly(o, "type", "network", "destination", "netmask", "prefix", "gateway", "metric"); err != nil {
		return Route{}, err
	}
	dstNode := o.get("network")
	if !o.get("destination").absent() {
		dstNode = o.get("destination")
	}
	dst, err := dstNode.text()
	if err != nil {
		return Route{}, err
	}
	if dst == "" {
		return Route{}, dstNode.errorf("missing")
	}
	via, err := o.get("gateway").addr(0)
	if err != nil {
		return Route{}, err
	}
	r := Route{Via: via}
	if !strings.Contains(dst, "/") && dst != "default" {
		maskNode := o.get("netmask")
		mask, err := maskNode.text()
		if err != nil {
			return Route{}, err
		}
		if n, ok, err := o.get("prefix").number(true); err != nil {
			return Route{}, err
		} else if ok {
			mask, maskNode = strconv.Itoa(n), o.get("prefix")
		}
		if mask != "" {
			a, err := ParseAddr(dst)
			if err != nil {
				return Route{}, dstNode.errorf("%v", err)
			}
			p, err := HostPrefix(a, mask)
			if err != nil {
				return Route{}, maskNode.errorf("%v", err)
			}
			dst = p.String()
		}
	}
	if r.Destination, err = vmwareDest(dst, dstNode, via); err != nil {
		return Route{}, err
	}
	r.Destination = r.Destination.Masked()
	if err := vmwareRoute(r, o.get("gateway")); err != nil {
		return Route{}, err
	}
	if err := vmwareMetric(&r, o.get("metric")); err != nil {
		return Route{}, err
	}
	return r, nil
}

// vmwareV1GlobalRoute places a top-level route item on the link whose
// static subnet holds its gateway.
func vmwareV1GlobalRoute(m *Metadata, o node) error {
	r, err := vmwareV1Route(o)
	if err != nil {
		return err
	}
	if !r.Via.IsValid() {
		return o.get("gateway").errorf("missing: a route of its own needs a gateway to find its interface")
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
	return o.get("gateway").errorf("%s is in no static subnet of an interface", r.Via)
}
