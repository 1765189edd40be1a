package nmstate

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/netplumb/netplumb/internal/testenv"
)

// unknownKeys walks document v along f and returns one line per key f does
// not know, in the form lint prints. Strings, such as "{{ ... }}" templates
// standing for any subtree, are never walked.
func unknownKeys(f *Field, path string, v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		if f.Open() {
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			c, ok := f.Child(k)
			if !ok {
				msg := fmt.Sprintf("%s: unknown key %q", p, k)
				if s := f.Suggest(k); s != "" {
					msg += fmt.Sprintf(", did you mean %q?", s)
				}
				out = append(out, msg)
				continue
			}
			out = append(out, unknownKeys(c, p, v[k])...)
		}
	case []any:
		e := f.Elem()
		if e == nil {
			return nil
		}
		for i, x := range v {
			out = append(out, unknownKeys(e, fmt.Sprintf("%s[%d]", path, i), x)...)
		}
	}
	return out
}

func decodeSchemaDoc(t *testing.T, text string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return v
}

// schemaLookup follows path from the root; "[]" steps into a list's element.
func schemaLookup(path ...string) (*Field, bool) {
	f := Schema()
	for _, step := range path {
		if step == "[]" {
			if f = f.Elem(); f == nil {
				return nil, false
			}
			continue
		}
		var ok bool
		if f, ok = f.Child(step); !ok {
			return nil, false
		}
	}
	return f, true
}

func schemaPath(steps ...string) []string { return steps }

// Documents written for these tests, in the shape nmstatectl shows and
// applies.
var (
	linuxBridgeDoc = `
interfaces:
- name: br0
  type: linux-bridge
  state: up
  mtu: 1500
  mac-address: 9A:91:53:6C:67:DA
  wait-ip: any
  description: lab bridge
  ipv4:
    enabled: true
    dhcp: false
    address:
    - ip: 192.0.2.10
      prefix-length: 24
  ipv6:
    enabled: true
    dhcp: true
    autoconf: true
    auto-dns: false
    auto-route-metric: 50
    addr-gen-mode: stable-privacy
  bridge:
    options:
      group-forward-mask: 0
      mac-ageing-time: 300
      multicast-snooping: true
      multicast-router: auto
      vlan-protocol: 802.1q
      stp:
        enabled: true
        forward-delay: 15
        hello-time: 2
        max-age: 20
        priority: 32768
    port:
    - name: eth1
      stp-hairpin-mode: false
      stp-path-cost: 100
      stp-priority: 32
      vlan:
        mode: trunk
        enable-native: true
        tag: 100
        trunk-tags:
        - id: 101
        - id-range:
            min: 500
            max: 599
    - name: eth2
`
	bondDoc = `
interfaces:
- name: bond99
  type: bond
  state: up
  copy-mac-from: eth1
  link-aggregation:
    mode: 802.3ad
    options:
      miimon: 100
      lacp_rate: fast
      xmit_hash_policy: layer3+4
      ad_actor_system: 02:00:00:00:00:01
      all_slaves_active: dropped
      arp_ip_target: 192.0.2.1
      arp_interval: 0
      updelay: 0
      use_carrier: true
    port:
    - eth1
    - eth2
    ports-config:
    - name: eth1
      priority: 10
      queue-id: 1
- name: eth1
  type: ethernet
  state: up
  controller: bond99
`
	vlanDoc = `
interfaces:
- name: eth1.101
  type: vlan
  state: up
  vlan:
    base-iface: eth1
    id: 101
    protocol: 802.1q
    reorder-headers: true
  ipv4:
    enabled: true
    dhcp: true
    auto-route-table-id: 100
    dhcp-client-id: ll
    dhcp-send-hostname: true
    dhcp-custom-hostname: host1
- name: vxlan102
  type: vxlan
  state: up
  vxlan:
    base-iface: eth1
    id: 102
    remote: 192.0.2.251
    destination-port: 4789
- name: mac0
  type: mac-vlan
  state: up
  mac-vlan:
    base-iface: eth1
    mode: passthru
    promiscuous: true
`
	routesDoc = `
routes:
  running:
  - destination: 0.0.0.0/0
    next-hop-interface: eth1
    next-hop-address: 192.0.2.1
    metric: 100
    table-id: 254
  config:
  - destination: 198.51.100.0/24
    next-hop-interface: eth1
    next-hop-address: 192.0.2.1
    metric: 150
    table-id: 200
    weight: 10
    cwnd: 20
    initcwnd: 10
    initrwnd: 10
    mtu: 1400
    advmss: 1360
    quickack: true
    lock-mtu: false
    source: 192.0.2.10
  - destination: 203.0.113.0/24
    route-type: blackhole
  - next-hop-interface: eth2
    state: absent
`
	rulesDoc = `
route-rules:
  config:
  - ip-from: 192.0.2.0/24
    ip-to: 198.51.100.0/24
    priority: 1000
    route-table: 200
    fwmark: 0x10
    fwmask: 0xff
    iif: eth1
    family: ipv4
  - family: ipv6
    priority: 2000
    action: blackhole
    suppress-prefix-length: 0
  - ip-from: 192.0.2.2/32
    state: absent
`
	dnsDoc = `
hostname:
  running: host1.example.org
  config: host1.example.org
dns-resolver:
  running:
    server:
    - 192.0.2.53
    search:
    - example.org
  config:
    server:
    - 2001:db8::53
    - 192.0.2.53
    search:
    - example.org
    - example.net
    options:
    - rotate
    - ndots:2
`
	ovsBridgeDoc = `
interfaces:
- name: br1
  type: ovs-bridge
  state: up
  bridge:
    allow-extra-patch-ports: true
    options:
      stp:
        enabled: false
      rstp: false
      mcast-snooping-enable: false
      fail-mode: secure
      datapath: netdev
    port:
    - name: br1-iface
    - name: patch0
    - name: ovs-dpdk0
    - name: bond1
      vlan:
        mode: access
        tag: 100
      link-aggregation:
        mode: balance-slb
        bond-downdelay: 100
        bond-updelay: 100
        ovs-db:
          other_config:
            bond-miimon-interval: 100
        port:
        - name: eth3
        - name: eth4
  ovs-db:
    external_ids:
      owner: lab
- name: br1-iface
  type: ovs-interface
  state: up
  ipv4:
    enabled: true
    dhcp: true
- name: patch0
  type: ovs-interface
  state: up
  patch:
    peer: patch1
- name: ovs-dpdk0
  type: ovs-interface
  state: up
  dpdk:
    devargs: 0000:af:00.1
    rx-queue: 2
    n_rxq_desc: 1024
ovs-db:
  external_ids:
    hostname: host1
  other_config:
    dpdk-init: "true"
ovn:
  bridge-mappings:
  - localnet: tenantblue
    bridge: br1
    state: present
`
	// ethernetShowDoc is a complete state as nmstatectl show prints it.
	ethernetShowDoc = `
dns-resolver:
  config: {}
  running: {}
route-rules:
  config: []
routes:
  config: []
  running:
  - destination: fe80::/64
    next-hop-interface: eth0
    next-hop-address: ''
    metric: 1024
    table-id: 254
interfaces:
- name: eth0
  type: ethernet
  state: up
  profile-name: wired0
  driver: virtio_net
  mac-address: 52:54:00:12:34:56
  permanent-mac-address: 52:54:00:12:34:56
  mtu: 1500
  min-mtu: 68
  max-mtu: 65535
  wait-ip: any
  accept-all-mac-addresses: false
  identifier: name
  ipv4:
    enabled: true
    dhcp: true
    auto-dns: true
    auto-gateway: true
    auto-routes: true
    auto-route-table-id: 0
    allow-extra-address: true
    address:
    - ip: 192.0.2.20
      prefix-length: 24
      valid-life-time: 3598sec
      preferred-life-time: 3598sec
      mptcp-flags:
      - signal
  ipv6:
    enabled: true
    dhcp: false
    autoconf: false
    dhcp-duid: ll
    token: ::1
    address:
    - ip: fe80::5054:ff:fe12:3456
      prefix-length: 64
  mptcp:
    address-flags:
    - signal
  lldp:
    enabled: true
    neighbors:
    - - type: 1
        _description: MAC address
        chassis-id: 00:11:22:33:44:55
        chassis-id-type: 4
      - type: 5
        system-name: switch1
  ethtool:
    pause:
      autoneg: true
      rx: true
      tx: true
    feature:
      rx-gro: true
      tx-generic-segmentation: true
      rx-udp_tunnel-port-offload: true
    coalesce:
      adaptive-rx: false
      rx-usecs: 0
      tx-frames-irq: 0
    ring:
      rx: 256
      rx-max: 4096
      tx: 256
      tx-max: 4096
  ethernet:
    auto-negotiation: false
    speed: 10000
    duplex: full
    sr-iov:
      total-vfs: 2
      vfs:
      - id: 0
        mac-address: 00:11:22:33:00:FF
        spoof-check: true
        trust: false
        min-tx-rate: 0
        max-tx-rate: 0
        vlan-id: 0
        qos: 0
  802.1x:
    identity: client.example.org
    eap-methods:
    - tls
    ca-cert: /etc/pki/ca.crt
    client-cert: /etc/pki/client.crt
    private-key: /etc/pki/client.key
    private-key-password: <_password_hid_by_nmstate>
  dispatch:
    post-activation: echo up
    post-deactivation: echo down
  alt-names:
  - name: wan0
  - name: old0
    state: absent
`
	// virtualIfacesDoc covers the remaining interface types.
	virtualIfacesDoc = `
dispatch:
  interfaces:
  - type: vxcan
    activation: ip link add $name type vxcan peer $peer
    deactivation: ip link del $name
    kernel-index-getter: cat /sys/class/net/$name/ifindex
    allowed-variable-names:
    - peer
interfaces:
- name: vxcan0
  type: dispatch
  state: up
  dispatch:
    type: vxcan
    variables:
      peer: vxcan0-ep
- name: vrf0
  type: vrf
  state: up
  vrf:
    port:
    - eth5
    route-table-id: 100
    ports-config:
    - identifier: mac-address
      mac-address: 52:54:00:00:00:05
- name: ib0.8001
  type: infiniband
  state: up
  infiniband:
    pkey: "0x8001"
    mode: connected
    base-iface: ib0
- name: macsec0
  type: macsec
  state: up
  macsec:
    encrypt: true
    base-iface: eth1
    mka-cak: 50b71a8ef0bd5751ea76de6d6c98c03a
    mka-ckn: f2b4297d39da7330910a74abc0449feb45b5c0b9fc23df1430e1898fcf1c4550
    port: 0
    validation: strict
    send-sci: true
- name: hosta_conn
  type: ipsec
  ipv4:
    enabled: true
    dhcp: true
  libreswan:
    right: 192.0.2.252
    rightid: '@hostb.example.org'
    left: 192.0.2.251
    leftid: '%fromcert'
    leftcert: hosta.example.org
    ikev2: insist
    ipsec-interface: "10"
    type: transport
- name: hsr0
  type: hsr
  state: up
  hsr:
    port1: eth1
    port2: eth2
    multicast-spec: 40
    protocol: prp
- name: ipvlan0
  type: ipvlan
  state: up
  ipvlan:
    base-iface: eth1
    mode: l3
    private: true
- name: veth1
  type: veth
  state: up
  veth:
    peer: veth1peer
- name: mac1
  type: mac-vtap
  state: up
  mac-vtap:
    base-iface: eth1
    mode: bridge
- name: ipip0
  type: ip-tunnel
  state: up
  ip-tunnel:
    mode: ipip
    local: 192.0.2.1
    remote: 192.0.2.2
    ttl: 255
- name: lo
  type: loopback
  state: up
  ipv4:
    enabled: true
    address:
    - ip: 127.0.0.1
      prefix-length: 8
- name: dummy0
  type: dummy
  state: absent
`
)

func TestSchemaRootKeys(t *testing.T) {
	t.Parallel()
	want := []string{
		"dispatch", "dns-resolver", "hostname", "interfaces", "ovn",
		"ovs-db", "route-rules", "routes",
	}
	if diff := cmp.Diff(want, Schema().Keys()); diff != "" {
		t.Errorf("root keys (-want +got):\n%s", diff)
	}
}

func TestSchemaLookup(t *testing.T) {
	t.Parallel()
	type shape struct {
		Found, List, Open bool
		Keys              int
	}
	tests := []struct {
		name string
		path []string
		want shape
	}{
		{"interfaces is a list", schemaPath("interfaces"), shape{Found: true, List: true}},
		{"interface name is a leaf", schemaPath("interfaces", "[]", "name"), shape{Found: true}},
		{"ipv4 address list", schemaPath("interfaces", "[]", "ipv4", "address"), shape{Found: true, List: true}},
		{"ipv4 prefix length", schemaPath("interfaces", "[]", "ipv4", "address", "[]", "prefix-length"), shape{Found: true}},
		{"ipv6 autoconf", schemaPath("interfaces", "[]", "ipv6", "autoconf"), shape{Found: true}},
		{"ipv4 has no autoconf", schemaPath("interfaces", "[]", "ipv4", "autoconf"), shape{}},
		{"ipv6 has no client id", schemaPath("interfaces", "[]", "ipv6", "dhcp-client-id"), shape{}},
		{"bridge stp", schemaPath("interfaces", "[]", "bridge", "options", "stp", "enabled"), shape{Found: true}},
		{"bridge port vlan range", schemaPath("interfaces", "[]", "bridge", "port", "[]", "vlan", "trunk-tags", "[]", "id-range", "max"), shape{Found: true}},
		{"bridge ports alias", schemaPath("interfaces", "[]", "bridge", "ports", "[]", "stp-priority"), shape{Found: true}},
		{"ovs bridge option", schemaPath("interfaces", "[]", "bridge", "options", "mcast-snooping-enable"), shape{Found: true}},
		{"ovs bond port", schemaPath("interfaces", "[]", "bridge", "port", "[]", "link-aggregation", "port", "[]", "name"), shape{Found: true}},
		{"ovs bond slaves", schemaPath("interfaces", "[]", "bridge", "port", "[]", "link-aggregation", "slaves", "[]", "name"), shape{Found: true}},
		{"ovs bond other_config", schemaPath("interfaces", "[]", "bridge", "port", "[]", "link-aggregation", "ovs-db", "other_config", "bond-miimon-interval"), shape{Found: true, Open: true}},
		{"bond options", schemaPath("interfaces", "[]", "link-aggregation", "options"), shape{Found: true, Keys: 33}},
		{"bond miimon", schemaPath("interfaces", "[]", "link-aggregation", "options", "miimon"), shape{Found: true}},
		{"bond balance-slb alias", schemaPath("interfaces", "[]", "link-aggregation", "options", "balance-slb"), shape{Found: true}},
		{"bond port is a list of names", schemaPath("interfaces", "[]", "link-aggregation", "port"), shape{Found: true, List: true}},
		{"bond port name is a leaf", schemaPath("interfaces", "[]", "link-aggregation", "port", "[]"), shape{Found: true}},
		{"bond slaves alias", schemaPath("interfaces", "[]", "link-aggregation", "slaves"), shape{Found: true, List: true}},
		{"bond ports config", schemaPath("interfaces", "[]", "link-aggregation", "ports-config", "[]", "queue-id"), shape{Found: true}},
		{"vlan base", schemaPath("interfaces", "[]", "vlan", "base-iface"), shape{Found: true}},
		{"vlan section", schemaPath("interfaces", "[]", "vlan"), shape{Found: true, Keys: 6}},
		{"802.1x key", schemaPath("interfaces", "[]", "802.1x", "eap-methods"), shape{Found: true, List: true}},
		{"ethtool feature is open", schemaPath("interfaces", "[]", "ethtool", "feature"), shape{Found: true, Open: true}},
		{"below open anything goes", schemaPath("interfaces", "[]", "ethtool", "feature", "rx-gro"), shape{Found: true, Open: true}},
		{"lldp neighbors open", schemaPath("interfaces", "[]", "lldp", "neighbors", "[]", "[]", "chassis-id"), shape{Found: true, Open: true}},
		{"routes config", schemaPath("routes", "config", "[]", "next-hop-interface"), shape{Found: true}},
		{"routes running", schemaPath("routes", "running", "[]", "table-id"), shape{Found: true}},
		{"routes unknown", schemaPath("routes", "candidate"), shape{}},
		{"rules config", schemaPath("route-rules", "config", "[]", "route-table"), shape{Found: true}},
		{"rules have no running", schemaPath("route-rules", "running"), shape{}},
		{"dns config", schemaPath("dns-resolver", "config", "server"), shape{Found: true, List: true}},
		{"dns options", schemaPath("dns-resolver", "running", "options", "[]"), shape{Found: true}},
		{"hostname", schemaPath("hostname", "config"), shape{Found: true}},
		{"ovs-db external ids", schemaPath("ovs-db", "external_ids"), shape{Found: true, Open: true}},
		{"ovn", schemaPath("ovn", "bridge-mappings", "[]", "localnet"), shape{Found: true}},
		{"unknown root", schemaPath("interface"), shape{}},
		{"leaf has no children", schemaPath("interfaces", "[]", "mtu", "value"), shape{}},
		{"leaf is not a list", schemaPath("interfaces", "[]", "mtu", "[]"), shape{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, ok := schemaLookup(tt.path...)
			got := shape{Found: ok}
			if ok {
				got.List = f.Elem() != nil && !f.Open()
				got.Open = f.Open()
				got.Keys = len(f.Keys())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("schemaLookup(%q) (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}

func TestSchemaDocuments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want []string
	}{
		{"linux bridge", linuxBridgeDoc, nil},
		{"bond with options", bondDoc, nil},
		{"vlan vxlan mac-vlan", vlanDoc, nil},
		{"routes", routesDoc, nil},
		{"route rules", rulesDoc, nil},
		{"dns and hostname", dnsDoc, nil},
		{"ovs bridge", ovsBridgeDoc, nil},
		{"ethernet as shown", ethernetShowDoc, nil},
		{"virtual interfaces", virtualIfacesDoc, nil},
		{"typos", `
interfaces:
- name: eth1
  type: ethernet
  mtuu: 1500
  ipv4:
    enabled: true
    adress:
    - ip: 192.0.2.1
      prefix_length: 24
  bridge:
    options:
      STP:
        enabled: false
  link-aggregation:
    options:
      xmit-hash-policy: layer2
routes:
  config:
  - destination: 0.0.0.0/0
    next-hop-iface: eth1
route-rules:
  config:
  - ip-from: 192.0.2.0/24
    route-tabel: 100
dns_resolver: {}
zzzz: 1
`, []string{
			`dns_resolver: unknown key "dns_resolver", did you mean "dns-resolver"?`,
			`interfaces[0].bridge.options.STP: unknown key "STP", did you mean "stp"?`,
			`interfaces[0].ipv4.adress: unknown key "adress", did you mean "address"?`,
			`interfaces[0].link-aggregation.options.xmit-hash-policy: unknown key "xmit-hash-policy", did you mean "xmit_hash_policy"?`,
			`interfaces[0].mtuu: unknown key "mtuu", did you mean "mtu"?`,
			`route-rules.config[0].route-tabel: unknown key "route-tabel", did you mean "route-table"?`,
			`routes.config[0].next-hop-iface: unknown key "next-hop-iface", did you mean "next-hop-interface"?`,
			`zzzz: unknown key "zzzz"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := unknownKeys(Schema(), "", decodeSchemaDoc(t, tt.doc))
			slices.Sort(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("unknown keys (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSchemaSuggest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path []string
		key  string
		want string
	}{
		{"missing letter", schemaPath("interfaces", "[]", "ipv4"), "adress", "address"},
		{"underscore for dash", schemaPath("interfaces", "[]", "ipv4", "address", "[]"), "prefix_length", "prefix-length"},
		{"abbreviation", schemaPath("routes", "config", "[]"), "next-hop-iface", "next-hop-interface"},
		{"valid key needs none", schemaPath("interfaces", "[]", "bridge", "options"), "stp", ""},
		{"nothing close", schemaPath(), "zzzz", ""},
		{"case", schemaPath(), "Interfaces", "interfaces"},
		{"transposition", schemaPath("interfaces", "[]"), "nmae", "name"},
		{"dash for underscore", schemaPath("interfaces", "[]", "link-aggregation", "options"), "lacp-rate", "lacp_rate"},
		{"extra letter", schemaPath("dns-resolver", "config"), "servers", "server"},
		{"too far", schemaPath("interfaces", "[]", "ipv4"), "dhcp-timeout", ""},
		{"open map suggests nothing", schemaPath("interfaces", "[]", "ethtool", "feature"), "rx-gr", ""},
		{"leaf suggests nothing", schemaPath("interfaces", "[]", "mtu"), "mtu", ""},
		{"list suggests nothing", schemaPath("interfaces"), "name", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, ok := schemaLookup(tt.path...)
			if !ok {
				t.Fatalf("schemaLookup(%q) failed", tt.path)
			}
			if got := f.Suggest(tt.key); got != tt.want {
				t.Errorf("Suggest(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

// TestSchemaShape checks every map of the table: sorted keys, each one
// reachable with Child, and no field both a map and a list.
func TestSchemaShape(t *testing.T) {
	t.Parallel()
	var entries, mapCount int
	names := map[string]bool{}
	var walk func(path string, f *Field)
	walk = func(path string, f *Field) {
		if f.Open() {
			return
		}
		keys := f.Keys()
		if !slices.IsSorted(keys) {
			t.Errorf("%s: keys not sorted: %q", path, keys)
		}
		if len(keys) > 0 {
			mapCount++
			if f.Elem() != nil {
				t.Errorf("%s: both a map and a list", path)
			}
		}
		for _, k := range keys {
			c, ok := f.Child(k)
			if !ok || c == nil {
				t.Errorf("%s: Child(%q) = %v, %v", path, k, c, ok)
				continue
			}
			entries++
			names[k] = true
			walk(path+"."+k, c)
		}
		if e := f.Elem(); e != nil {
			walk(path+"[]", e)
		}
	}
	root := Schema()
	walk("", root)
	if Schema() != root {
		t.Error("Schema() built the table twice")
	}
	t.Logf("%d maps, %d key entries, %d distinct key names", mapCount, entries, len(names))
}

// conformanceUnknown lists the unknown keys the conformance cases really
// have. The nmpolicy documentation examples for a bridge on the default
// gateway put the port list under bridge.options; the nmstate copies of the
// same examples (rs-ex-bridge-on-default-gw-*) put it under bridge, where
// NMState reads it.
var conformanceUnknown = map[string][]string{
	"np-doc-bridge-on-default-gw-dhcp/policy": {
		`policy.yaml: desiredState.interfaces[0].bridge.options.port: unknown key "port"`,
	},
	"np-doc-bridge-on-default-gw-no-dhcp/policy": {
		`policy.yaml: desiredState.interfaces[0].bridge.options.port: unknown key "port"`,
	},
}

// TestSchemaConformance checks that the desiredState of every nmpolicy
// conformance policy and every current state is made of keys NMState knows,
// apart from the mistakes listed in conformanceUnknown.
func TestSchemaConformance(t *testing.T) {
	t.Parallel()
	conformanceCases := filepath.Join(testenv.SharedDir(t, "NETPLUMB_CONFORMANCE_DIR", "conformance/nmpolicy"), "cases")
	dirs, err := os.ReadDir(conformanceCases)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := filepath.Join(conformanceCases, d.Name())
		t.Run(d.Name()+"/policy", func(t *testing.T) {
			t.Parallel()
			var policy struct {
				DesiredState any `yaml:"desiredState"`
			}
			if err := yaml.Unmarshal(readCaseFile(t, dir, "policy.yaml"), &policy); err != nil {
				t.Fatalf("policy.yaml: %v", err)
			}
			if isPlaceholder(policy.DesiredState) {
				t.Logf("desiredState %v is a placeholder, not an NMState document: nothing to check", policy.DesiredState)
				return
			}
			var got []string
			for _, line := range unknownKeys(Schema(), "", policy.DesiredState) {
				got = append(got, "policy.yaml: desiredState."+line)
			}
			want := conformanceUnknown[d.Name()+"/policy"]
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("unknown keys (-want +got):\n%s", diff)
			}
		})
		t.Run(d.Name()+"/current", func(t *testing.T) {
			t.Parallel()
			var current any
			if err := yaml.Unmarshal(readCaseFile(t, dir, "current.yaml"), &current); err != nil {
				t.Fatalf("current.yaml: %v", err)
			}
			var got []string
			for _, line := range unknownKeys(Schema(), "", current) {
				got = append(got, "current.yaml: "+line)
			}
			want := conformanceUnknown[d.Name()+"/current"]
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("unknown keys (-want +got):\n%s", diff)
			}
		})
	}
}

func readCaseFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// isPlaceholder reports whether a desiredState is absent or a stand-in the
// nmpolicy unit cases use (such as {x: fixed}): a map none of whose keys is
// a top-level NMState key.
func isPlaceholder(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return v == nil
	}
	for k := range m {
		if _, ok := Schema().Child(k); ok {
			return false
		}
	}
	return true
}

func ExampleField_Suggest() {
	ifaces, _ := Schema().Child("interfaces")
	ipv4, _ := ifaces.Elem().Child("ipv4")
	if _, ok := ipv4.Child("adress"); !ok {
		fmt.Printf("ipv4.adress: unknown key, did you mean %q?\n", ipv4.Suggest("adress"))
	}
	fmt.Println(strings.Join(ipv4.Keys()[:3], " "))
	// Output:
	// ipv4.adress: unknown key, did you mean "address"?
	// address allow-extra-address auto-dns
}
