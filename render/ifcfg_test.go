package render

import (
	"errors"
	"strings"
	"testing"
)

func TestIfcfgUnsupported(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"alias label over 15 bytes", `
interfaces:
- {name: enp0s20f0u1u2x, ipv4: {enabled: true, dhcp: true, address: [{ip: 10.0.0.2, prefix-length: 24}]}}`,
			"interfaces[0].ipv4.address[0] beside dhcp (alias label enp0s20f0u1u2x:0 over 15 bytes): not supported by ifcfg"},
		{"RA route metric", `
interfaces:
- {name: eth0, ipv6: {enabled: true, autoconf: true, auto-route-metric: 50}}`,
			"interfaces[0].ipv6.auto-route-metric: not supported by ifcfg"},
		{"description", `
interfaces:
- {name: eth0, description: uplink}`,
			"interfaces[0].description: not supported by ifcfg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := renderYAML(t, Ifcfg{}, tt.doc)
			var ue *UnsupportedError
			if !errors.As(err, &ue) || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestIfcfgAliases checks that static IPv4 addresses beside DHCP go into
// alias files, which initscripts reads after the lease and
// NetworkManager merges into the parent's profile, and not into IPADDRn,
// which initscripts ignores with BOOTPROTO=dhcp.
func TestIfcfgAliases(t *testing.T) {
	t.Parallel()
	files, err := renderYAML(t, Ifcfg{}, `
interfaces:
- name: enp0s20f0u1u2
  ipv4:
    enabled: true
    dhcp: true
    address: [{ip: 10.0.0.2, prefix-length: 24}, {ip: 10.0.1.2, prefix-length: 32}]`)
	if err != nil {
		t.Fatal(err)
	}
	dir := "/etc/sysconfig/network-scripts/"
	parent := fileContent(t, files, dir+"ifcfg-enp0s20f0u1u2")
	if !strings.Contains(parent, "BOOTPROTO=dhcp\n") || strings.Contains(parent, "IPADDR") {
		t.Errorf("parent:\n%s", parent)
	}
	for path, want := range map[string]string{
		dir + "ifcfg-enp0s20f0u1u2:0": "# Written by netrender.\nDEVICE=enp0s20f0u1u2:0\nIPADDR=10.0.0.2\nPREFIX=24\nONPARENT=yes\nNO_ALIASROUTING=yes\nARPCHECK=no\nIPV6INIT=no\n",
		dir + "ifcfg-enp0s20f0u1u2:1": "# Written by netrender.\nDEVICE=enp0s20f0u1u2:1\nIPADDR=10.0.1.2\nPREFIX=32\nONPARENT=yes\nNO_ALIASROUTING=yes\nARPCHECK=no\nIPV6INIT=no\n",
	} {
		if got := fileContent(t, files, path); got != want {
			t.Errorf("%s:\n%s\nwant:\n%s", path, got, want)
		}
	}
}

// TestIfcfgTraps covers the traps seen in peers: IPADDRn without a gap
// and always with PREFIXn, BONDING_OPTS on every bond (initscripts
// creates a bond only with it), an IPv6 default route as ::/0, routes and
// rules in ip's argument format, and no HOSTNAME in /etc/sysconfig/network.
func TestIfcfgTraps(t *testing.T) {
	t.Parallel()
	doc := strings.Replace(debianStatic, "routes:\n", `- name: bond0
  type: bond
  link-aggregation: {mode: balance-rr, port: [eth2, eth3]}
routes:
`, 1) + `route-rules:
  config:
  - {ip-from: 192.0.2.10/32, route-table: 7, priority: 100}
  - {ip-to: "2001:db8:1::/64", route-table: 7}
hostname:
  config: host.example.com
`
	files, err := renderYAML(t, Ifcfg{}, doc)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/etc/sysconfig/network-scripts/ifcfg-eth0": "IPADDR0=192.0.2.10\nPREFIX0=24\nIPADDR1=198.51.100.10\nPREFIX1=24\nIPADDR2=203.0.113.10\nPREFIX2=24\n" +
			"IPV6INIT=yes\nIPV6_AUTOCONF=no\nIPV6ADDR=2001:db8:1::10/64\nIPV6ADDR_SECONDARIES=2001:db8:2::10/64\n",
		"/etc/sysconfig/network-scripts/ifcfg-eth1":  "ONBOOT=no\n",
		"/etc/sysconfig/network-scripts/ifcfg-bond0": "TYPE=Bond\nBONDING_MASTER=yes\nBONDING_OPTS=mode=balance-rr\n",
		"/etc/sysconfig/network-scripts/ifcfg-eth2":  "MASTER=bond0\nSLAVE=yes\n",
		"/etc/sysconfig/network-scripts/route-eth0":  "0.0.0.0/0 via 203.0.113.1 dev eth0\n10.0.0.0/8 via 198.51.100.1 dev eth0 metric 5\n",
		"/etc/sysconfig/network-scripts/route6-eth0": "::/0 via 2001:db8:2::1 dev eth0\n",
		"/etc/sysconfig/network-scripts/route-eth1":  "10.1.0.0/16 via 10.9.0.1 dev eth1 onlink\n",
		"/etc/sysconfig/network-scripts/rule-eth0":   "from 192.0.2.10/32 priority 100 table 7\n",
		"/etc/sysconfig/network-scripts/rule6-eth0":  "to 2001:db8:1::/64 table 7\n",
		"/etc/sysconfig/network":                     "# Written by netrender.\nNETWORKING=yes\n",
		"/etc/modprobe.d/bonding.conf":               "alias bond0 bonding\n",
	} {
		if got := fileContent(t, files, path); !strings.Contains(got, want) {
			t.Errorf("%s lacks %q:\n%s", path, want, got)
		}
	}
	for _, f := range files {
		if strings.HasPrefix(f.Path, ifcfgDir+"ifcfg-") {
			if _, err := parseIfcfg(string(f.Content)); err != nil {
				t.Errorf("%s: %v", f.Path, err)
			}
		}
	}
}

func TestIfcfgQuoting(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"eth0":                    "eth0",
		"2001:db8::1/64":          "2001:db8::1/64",
		"mode=802.3ad miimon=100": `"mode=802.3ad miimon=100"`,
		"layer3+4":                "layer3+4",
		"a.example.com b.example": `"a.example.com b.example"`,
		"":                        "",
		"x;rm":                    `"x;rm"`,
	} {
		if got := shellValue(in); got != want {
			t.Errorf("shellValue(%q) = %s, want %s", in, got, want)
		}
	}
}

func BenchmarkIfcfg(b *testing.B) {
	st := bigState(b, "ifcfg")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Ifcfg{}).Render(st); err != nil {
			b.Fatal(err)
		}
	}
}
