package nmstate

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Field describes one key NMState knows and what may appear below it.
//
// A Field is one of four shapes: a map with known keys ([Field.Keys],
// [Field.Child]), a list ([Field.Elem]), an open map whose keys are not
// checked ([Field.Open]), or a leaf holding a scalar. Fields are immutable
// and safe for concurrent use.
type Field struct {
	children map[string]*Field
	keys     []string
	elem     *Field
	open     bool
}

// Schema returns the root of the table of keys NMState knows: interfaces,
// routes, route-rules, dns-resolver, hostname, ovs-db, ovn and dispatch.
//
// Since an interface's type may itself come from a template, the element of
// interfaces accepts the union of the keys valid for any interface type; the
// bridge section likewise merges linux-bridge and ovs-bridge keys. Aliases
// NMState accepts when reading (ports for port, slaves in older releases,
// valid-lft for valid-life-time, ...) are known keys too.
//
// The table is built once and shared; it is safe for concurrent use.
func Schema() *Field { return schema() }

var schema = sync.OnceValue(func() *Field {
	return buildField(nmstateKeys())
})

// Child returns the field of the named key of a map. It reports false when f
// is not a map or does not know the key. Below an open field every key is
// accepted and Child returns f itself.
func (f *Field) Child(key string) (*Field, bool) {
	if f == nil {
		return nil, false
	}
	if f.open {
		return f, true
	}
	c, ok := f.children[key]
	return c, ok
}

// Elem returns the field of a list's elements, or nil when f is not a list.
// For an open field it returns f itself, as nothing below it is checked.
func (f *Field) Elem() *Field {
	if f == nil {
		return nil
	}
	if f.open {
		return f
	}
	return f.elem
}

// Open reports whether f is a free-form map whose keys are not checked, such
// as ethtool feature names, ovs-db external_ids and other_config, dispatch
// variables or LLDP neighbors. Nothing below an open field is checked.
func (f *Field) Open() bool { return f != nil && f.open }

// Keys returns the sorted keys of a map field, aliases included, or nil when
// f is not a map or is open. The caller owns the returned slice.
func (f *Field) Keys() []string {
	if f == nil {
		return nil
	}
	return slices.Clone(f.keys)
}

// Suggest returns the known key of map field f closest to key, for a "did
// you mean" hint. Keys are compared case-insensitively with '_' and '-'
// treated alike, by the optimal string alignment (Damerau-Levenshtein)
// distance, which must not exceed a third of key's length (at least 1).
// Ties go to the key whose length is closest, then to the first in sorted
// order. Suggest returns "" when key is itself known, when f is not a map or
// is open, or when no key is close enough.
func (f *Field) Suggest(key string) string {
	if f == nil || f.open || f.children == nil {
		return ""
	}
	if _, ok := f.children[key]; ok {
		return ""
	}
	return Closest(key, f.keys)
}

// Closest returns the candidate closest to key, by the rules of
// [Field.Suggest], or "" when none is close enough. It is safe for
// concurrent use.
func Closest(key string, candidates []string) string {
	want := foldKey(key)
	limit := max(1, len(want)/3)
	best, bestDist, bestLenDiff := "", limit+1, 0
	for _, k := range candidates {
		cand := foldKey(k)
		d := osaDistance(want, cand, limit)
		lenDiff := absInt(len(cand) - len(want))
		if d < bestDist || d == bestDist && lenDiff < bestLenDiff {
			best, bestDist, bestLenDiff = k, d, lenDiff
		}
	}
	return best
}

// foldKey lower-cases s and maps '_' to '-', returning its runes.
func foldKey(s string) []rune {
	rs := make([]rune, 0, utf8.RuneCountInString(s))
	for _, r := range strings.ToLower(s) {
		if r == '_' {
			r = '-'
		}
		rs = append(rs, r)
	}
	return rs
}

// osaDistance returns the optimal string alignment distance between a and b
// (insertions, deletions, substitutions and transpositions of adjacent
// runes), capped at limit+1.
func osaDistance(a, b []rune, limit int) int {
	if absInt(len(a)-len(b)) > limit {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// The table is written as nested key specs turned into Fields by buildField:
// a keySpec is a map, listOf a list, openMap a free-form map and nil a leaf.
type (
	keySpec map[string]any
	listOf  struct{ elem any }
	openMap struct{}
)

// leafKeys returns a keySpec of leaf keys given as one space-separated string.
func leafKeys(keys string) keySpec {
	s := keySpec{}
	for _, k := range strings.Fields(keys) {
		s[k] = nil
	}
	return s
}

// mergeSpecs returns the union of specs; a later one wins on a shared key.
func mergeSpecs(parts ...keySpec) keySpec {
	s := keySpec{}
	for _, p := range parts {
		for k, v := range p {
			s[k] = v
		}
	}
	return s
}

func buildField(v any) *Field {
	switch v := v.(type) {
	case nil:
		return &Field{}
	case openMap:
		return &Field{open: true}
	case listOf:
		return &Field{elem: buildField(v.elem)}
	case keySpec:
		f := &Field{children: make(map[string]*Field, len(v))}
		for k, c := range v {
			f.children[k] = buildField(c)
			f.keys = append(f.keys, k)
		}
		slices.Sort(f.keys)
		return f
	default:
		panic("nmstate: bad key spec")
	}
}

// nmstateKeys writes down the keys of NMState's YAML API. The facts come
// from the serde structs of the nmstate Rust crate (rust/src/lib) with their
// kebab-case renames, explicit renames and aliases, from the Python
// libnmstate schema for keys older releases accepted, and from the nmstate
// YAML API document.
func nmstateKeys() keySpec {
	ovsDB := keySpec{"external_ids": openMap{}, "other_config": openMap{}}

	addr := mergeSpecs(
		leafKeys("ip prefix-length valid-life-time valid-left valid-lft "+
			"preferred-life-time preferred-left preferred-lft"),
		keySpec{"mptcp-flags": listOf{}},
	)
	ipCommon := mergeSpecs(
		leafKeys("enabled dhcp auto-dns auto-gateway auto-routes "+
			"auto-route-table-id auto-route-metric allow-extra-address "+
			"dhcp-send-hostname dhcp-custom-hostname"),
		keySpec{"address": listOf{addr}},
	)
	// NMState rejects autoconf in ipv4; the DUID, address generation mode
	// and token are IPv6 only, the DHCP client ID IPv4 only.
	ipv4 := mergeSpecs(ipCommon, leafKeys("dhcp-client-id"))
	ipv6 := mergeSpecs(ipCommon, leafKeys("autoconf dhcp-duid addr-gen-mode token"))

	// Keys locating a port by MAC address instead of by name.
	portRef := leafKeys("name identifier iface-type mac-address profile-name")

	portVlan := mergeSpecs(
		leafKeys("enable-native mode tag"),
		keySpec{"trunk-tags": listOf{mergeSpecs(
			leafKeys("id"),
			keySpec{"id-range": leafKeys("min max")},
		)}},
	)
	ovsBondPort := portRef
	ovsBond := mergeSpecs(
		leafKeys("mode bond-downdelay bond-updelay"),
		keySpec{
			"port":   listOf{ovsBondPort},
			"ports":  listOf{ovsBondPort},
			"slaves": listOf{ovsBondPort},
			"ovs-db": ovsDB,
		},
	)
	// linux-bridge and ovs-bridge share the bridge section.
	bridgePort := mergeSpecs(
		leafKeys("stp-hairpin-mode stp-path-cost stp-priority"),
		portRef,
		keySpec{"vlan": portVlan, "link-aggregation": ovsBond},
	)
	bridgeOptions := mergeSpecs(
		// linux-bridge
		leafKeys("gc-timer group-addr group-forward-mask group-fwd-mask "+
			"hash-max hello-timer mac-ageing-time "+
			"multicast-last-member-count multicast-last-member-interval "+
			"multicast-membership-interval multicast-querier "+
			"multicast-querier-interval multicast-query-interval "+
			"multicast-query-response-interval multicast-query-use-ifaddr "+
			"multicast-router multicast-snooping "+
			"multicast-startup-query-count multicast-startup-query-interval "+
			"vlan-protocol"),
		// ovs-bridge
		leafKeys("rstp mcast-snooping-enable fail-mode datapath"),
		// stp is a map for linux-bridge, a boolean or a map for ovs-bridge.
		keySpec{"stp": leafKeys("enabled forward-delay hello-time max-age " +
			"priority")},
	)
	bridge := mergeSpecs(
		leafKeys("allow-extra-patch-ports"),
		keySpec{
			"options": bridgeOptions,
			"port":    listOf{bridgePort},
			"ports":   listOf{bridgePort},
		},
	)

	// Bond options keep the kernel's snake_case names.
	bondOptions := leafKeys("ad_actor_sys_prio ad_actor_system ad_select " +
		"ad_user_port_key all_slaves_active all_ports_active arp_all_targets " +
		"arp_interval arp_ip_target arp_missed_max arp_validate balance_slb " +
		"balance-slb downdelay fail_over_mac lacp_active lacp_rate " +
		"lp_interval miimon min_links ns_ip6_target num_grat_arp " +
		"num_unsol_na packets_per_port packets_per_slave peer_notif_delay " +
		"primary primary_reselect resend_igmp tlb_dynamic_lb updelay " +
		"use_carrier xmit_hash_policy")
	bond := keySpec{
		"mode":         nil,
		"options":      bondOptions,
		"port":         listOf{},
		"ports":        listOf{},
		"slaves":       listOf{},
		"ports-config": listOf{leafKeys("name priority queue-id")},
	}

	ethernet := mergeSpecs(
		leafKeys("auto-negotiation speed duplex"),
		keySpec{
			"sr-iov": mergeSpecs(
				leafKeys("total-vfs"),
				keySpec{"vfs": listOf{leafKeys("id mac-address spoof-check " +
					"trust min-tx-rate max-tx-rate vlan-id qos")}},
			),
			"qeth": keySpec{"vnicc": leafKeys("flooding mcast-flooding " +
				"rx-bcast learning learning-timeout takeover-learning " +
				"takeover-setvmac bridge-invisible")},
		},
	)
	ethtool := keySpec{
		"pause":   leafKeys("rx tx autoneg"),
		"feature": openMap{},
		"coalesce": leafKeys("adaptive-rx adaptive-tx pkt-rate-high " +
			"pkt-rate-low rx-frames rx-frames-high rx-frames-irq " +
			"rx-frames-low rx-usecs rx-usecs-high rx-usecs-irq rx-usecs-low " +
			"sample-interval stats-block-usecs tx-frames tx-frames-high " +
			"tx-frames-irq tx-frames-low tx-usecs tx-usecs-high tx-usecs-irq " +
			"tx-usecs-low"),
		"ring": leafKeys("rx rx-max rx-jumbo rx-jumbo-max rx-mini rx-mini-max " +
			"tx tx-max"),
	}

	iface := mergeSpecs(
		// Keys of every interface.
		leafKeys("name profile-name description type driver state identifier "+
			"mac-address permanent-mac-address mtu min-mtu max-mtu wait-ip "+
			"controller accept-all-mac-addresses copy-mac-from"),
		keySpec{
			"ipv4":   ipv4,
			"ipv6":   ipv6,
			"mptcp":  keySpec{"address-flags": listOf{}},
			"ovs-db": ovsDB,
			"802.1x": mergeSpecs(
				leafKeys("identity private-key client-cert ca-cert "+
					"private-key-password"),
				keySpec{"eap-methods": listOf{}},
			),
			"lldp":      keySpec{"enabled": nil, "neighbors": openMap{}},
			"ethtool":   ethtool,
			"alt-names": listOf{leafKeys("name state")},
			// post-activation scripts for every interface; type and
			// variables for interfaces of type dispatch.
			"dispatch": mergeSpecs(
				leafKeys("post-activation post-deactivation type"),
				keySpec{"variables": openMap{}},
			),
		},
		// One section per interface type.
		keySpec{
			"ethernet":         ethernet,
			"veth":             leafKeys("peer"),
			"bridge":           bridge,
			"link-aggregation": bond,
			"vlan": leafKeys("base-iface id protocol registration-protocol " +
				"reorder-headers loose-binding"),
			"vxlan":    leafKeys("base-iface id remote destination-port"),
			"mac-vlan": leafKeys("base-iface mode promiscuous accept-all-mac"),
			"mac-vtap": leafKeys("base-iface mode promiscuous"),
			"macsec": leafKeys("encrypt base-iface mka-cak mka-ckn port " +
				"validation send-sci offload"),
			"libreswan": leafKeys("right rightid rightrsasigkey rightcert left " +
				"leftid leftrsasigkey leftcert ikev2 psk ikelifetime " +
				"salifetime ike esp dpddelay dpdtimeout dpdaction " +
				"ipsec-interface authby rightsubnet leftsubnet " +
				"leftmodecfgclient type hostaddrfamily clientaddrfamily"),
			"vrf": keySpec{
				"port":           listOf{},
				"ports":          listOf{},
				"route-table-id": nil,
				"ports-config":   listOf{portRef},
			},
			"infiniband": leafKeys("mode base-iface pkey"),
			"hsr": leafKeys("port1 port2 supervision-address multicast-spec " +
				"protocol"),
			"ipvlan": leafKeys("base-iface mode private vepa"),
			"ip-tunnel": mergeSpecs(
				leafKeys("mode base-iface local remote ttl tos flow-label "+
					"pmtu-disc encap-limit fwmark"),
				keySpec{"ip6tun-flags": listOf{}},
			),
			// ovs-interface
			"patch": leafKeys("peer"),
			"dpdk":  leafKeys("devargs rx-queue n_rxq n_rxq_desc n_txq_desc"),
			// team, only in the Python releases, handed its runner and
			// port settings to teamd unchecked.
			"team": keySpec{"ports": listOf{openMap{}}, "runner": openMap{}},
		},
	)

	route := leafKeys("state destination next-hop-interface next-hop-address " +
		"metric table-id weight route-type cwnd source initcwnd initrwnd " +
		"mtu quickack advmss lock-mtu vrf-name")
	rule := leafKeys("family state ip-from ip-to priority route-table fwmark " +
		"fwmask action iif suppress-prefix-length suppress_prefixlength")
	dnsClient := keySpec{
		"server":  listOf{},
		"search":  listOf{},
		"options": listOf{},
	}

	return keySpec{
		"interfaces":   listOf{iface},
		"routes":       keySpec{"running": listOf{route}, "config": listOf{route}},
		"route-rules":  keySpec{"config": listOf{rule}},
		"dns-resolver": keySpec{"running": dnsClient, "config": dnsClient},
		"hostname":     leafKeys("running config"),
		"ovs-db":       ovsDB,
		"ovn": keySpec{"bridge-mappings": listOf{
			leafKeys("localnet state bridge"),
		}},
		"dispatch": keySpec{"interfaces": listOf{mergeSpecs(
			leafKeys("type activation deactivation kernel-index-getter state"),
			keySpec{"allowed-variable-names": listOf{}},
		)}},
	}
}
