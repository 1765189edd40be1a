// Package benchdata generates large, realistic NMState documents for
// benchmarks and tests: what nmstatectl show prints on a big router.
package benchdata

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"

	"github.com/netplumb/netplumb/nmstate"
)

// State returns a current state as nmstatectl show prints it, the same for
// the same arguments: ifaces interfaces (ethernets, every tenth a Linux
// bridge with the next ethernets as ports, eth0 first and the default
// gateway's NIC), routes running routes and configRoutes configured ones
// spread over the interfaces, with one default route 0.0.0.0/0 via eth0,
// rules route rules, and the DNS resolver. ifaces must be at least 1.
//
// The result is a model tree (see package nmstate); the caller owns it.
// State is safe for concurrent use.
func State(ifaces, routes, configRoutes, rules int) map[string]any {
	g := &gen{rnd: rand.New(rand.NewPCG(uint64(ifaces), uint64(routes)))}
	names := make([]string, ifaces)
	for i := range names {
		names[i] = fmt.Sprintf("eth%d", i)
		if i%10 == 9 {
			names[i] = fmt.Sprintf("br%d", i/10)
		}
	}
	g.names = names

	list := make([]any, ifaces)
	for i := range list {
		list[i] = g.iface(i)
	}
	running := make([]any, 0, routes)
	if routes > 0 {
		running = append(running, g.defaultRoute())
	}
	for i := 1; i < routes; i++ {
		running = append(running, g.route(i))
	}
	config := make([]any, 0, configRoutes)
	if configRoutes > 0 {
		config = append(config, g.defaultRoute())
	}
	for i := 1; i < configRoutes; i++ {
		config = append(config, g.route(i))
	}
	ruleList := make([]any, rules)
	for i := range ruleList {
		ruleList[i] = g.rule(i)
	}
	dns := map[string]any{
		"search": []any{"example.com", "lab.example.com"},
		"server": []any{"192.168.0.53", "2001:db8::53"},
	}
	return map[string]any{
		"dns-resolver": map[string]any{"config": dns, "running": clone(dns)},
		"hostname":     map[string]any{"config": "router-1", "running": "router-1"},
		"interfaces":   list,
		"route-rules":  map[string]any{"config": ruleList},
		"routes":       map[string]any{"config": config, "running": running},
	}
}

// YAML returns State printed as YAML, as nmstatectl and
// sigs.k8s.io/yaml print it. It is safe for concurrent use.
func YAML(ifaces, routes, configRoutes, rules int) []byte {
	b, err := nmstate.MarshalYAML(State(ifaces, routes, configRoutes, rules))
	if err != nil {
		panic(err) // the state holds only what MarshalYAML prints
	}
	return b
}

// JSON returns State printed as indented JSON. It is safe for concurrent
// use.
func JSON(ifaces, routes, configRoutes, rules int) []byte {
	b, err := nmstate.MarshalJSON(State(ifaces, routes, configRoutes, rules))
	if err != nil {
		panic(err) // the state holds only what MarshalJSON prints
	}
	return b
}

type gen struct {
	rnd   *rand.Rand
	names []string
}

func (g *gen) mac(i int) string {
	return fmt.Sprintf("52:54:00:%02X:%02X:%02X", i>>16&0xff, i>>8&0xff, i&0xff)
}

// v6 returns the IPv6 address whose first 32 bits are hi, next 16 bits sub
// and last 64 bits iid+lo, in canonical form.
func v6(hi uint32, sub uint16, iid, lo uint64) string {
	var a [16]byte
	binary.BigEndian.PutUint32(a[0:], hi)
	binary.BigEndian.PutUint16(a[4:], sub)
	binary.BigEndian.PutUint64(a[8:], iid+lo)
	return netip.AddrFrom16(a).String()
}

// v4 is the interface's IPv4 address, 10.x.y.1/24 with its own subnet.
func v4(i int) string { return fmt.Sprintf("10.%d.%d.1", i/256, i%256) }

func (g *gen) iface(i int) map[string]any {
	name := g.names[i]
	m := map[string]any{
		"name":                     name,
		"state":                    "up",
		"mtu":                      int64(1500),
		"mac-address":              g.mac(i),
		"accept-all-mac-addresses": false,
		"ipv4": map[string]any{
			"enabled": true,
			"dhcp":    false,
			"address": []any{map[string]any{"ip": v4(i), "prefix-length": int64(24)}},
		},
		"ipv6": map[string]any{
			"enabled":  true,
			"dhcp":     false,
			"autoconf": false,
			"address": []any{
				map[string]any{"ip": v6(0x20010db8, uint16(i), 0, 1), "prefix-length": int64(64)},
				map[string]any{"ip": v6(0xfe800000, 0, 0x5054_00ff_fe00_0000|uint64(i&0xffffff), 0), "prefix-length": int64(64)},
			},
		},
		"lldp": map[string]any{"enabled": false},
	}
	if i%10 == 9 {
		m["type"] = "linux-bridge"
		ports := []any{}
		for p := i - 9; p < i; p += 3 {
			ports = append(ports, map[string]any{
				"name":             g.names[p],
				"stp-hairpin-mode": false,
				"stp-path-cost":    int64(100),
				"stp-priority":     int64(32),
			})
		}
		m["bridge"] = map[string]any{
			"options": map[string]any{
				"group-forward-mask": int64(0),
				"mac-ageing-time":    int64(300),
				"multicast-snooping": true,
				"stp": map[string]any{
					"enabled":       false,
					"forward-delay": int64(15),
					"hello-time":    int64(2),
					"max-age":       int64(20),
					"priority":      int64(32768),
				},
			},
			"port": ports,
		}
		return m
	}
	m["type"] = "ethernet"
	m["ethernet"] = map[string]any{"auto-negotiation": true, "duplex": "full", "speed": int64(10000)}
	m["ethtool"] = map[string]any{
		"feature": map[string]any{
			"rx-checksum":             true,
			"rx-gro":                  true,
			"tx-checksum-ip-generic":  true,
			"tx-generic-segmentation": true,
			"tx-tcp-segmentation":     g.rnd.IntN(2) == 0,
		},
		"ring": map[string]any{"rx": int64(256), "tx": int64(256)},
	}
	if i%4 == 0 {
		m["description"] = fmt.Sprintf("uplink %d to rack %d", i, i/40)
	}
	return m
}

func (g *gen) defaultRoute() map[string]any {
	return map[string]any{
		"destination":        "0.0.0.0/0",
		"metric":             int64(100),
		"next-hop-address":   "10.0.0.254",
		"next-hop-interface": "eth0",
		"table-id":           int64(254),
	}
}

// route is the i-th route: mostly IPv4 prefixes via a gateway on the
// interface's subnet, some on-link, some IPv6.
func (g *gen) route(i int) map[string]any {
	n := g.rnd.IntN(len(g.names))
	r := map[string]any{
		"next-hop-interface": g.names[n],
		"metric":             int64(100 + 100*g.rnd.IntN(4)),
		"table-id":           int64(254),
	}
	switch k := i % 10; {
	case k < 6:
		r["destination"] = fmt.Sprintf("172.%d.%d.0/24", 16+i/65536%16, i/256%256)
		r["next-hop-address"] = fmt.Sprintf("10.%d.%d.%d", n/256, n%256, 2+g.rnd.IntN(250))
	case k < 9:
		r["destination"] = fmt.Sprintf("10.%d.%d.0/24", n/256, n%256)
		r["table-id"] = int64(100 + g.rnd.IntN(4))
	default:
		r["destination"] = v6(0x20010db8, uint16(0x8000+i/65536), uint64(i%65536)<<48, 0) + "/64"
		r["next-hop-address"] = v6(0x20010db8, uint16(n), 0, uint64(2+g.rnd.IntN(250)))
		r["metric"] = int64(1024)
	}
	return r
}

func (g *gen) rule(i int) map[string]any {
	r := map[string]any{
		"priority":    int64(1000 + i),
		"route-table": int64(100 + i%4),
	}
	if i%2 == 0 {
		r["ip-from"] = fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)
	} else {
		r["ip-to"] = fmt.Sprintf("172.%d.%d.0/24", 16+i/65536%16, i/256%256)
	}
	return r
}

// clone copies a tree of maps and slices.
func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = clone(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = clone(e)
		}
		return s
	}
	return v
}
