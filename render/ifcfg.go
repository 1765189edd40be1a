package render

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Ifcfg renders RHEL-family network-scripts (initscripts' sysconfig.txt,
// as RHEL 7 and 8 read them with network.service or NetworkManager's
// ifcfg-rh plugin): /etc/sysconfig/network-scripts/ifcfg-<name> for each
// interface, route-<name> and route6-<name> with one `ip route add`
// argument list a line, rule-<name> and rule6-<name> likewise for `ip
// rule add`, /etc/sysconfig/network with NETWORKING=yes (RHEL 7 and 8
// take the host name from /etc/hostname, not from HOSTNAME there), and
// /etc/modprobe.d/bonding.conf with an alias line per bond.
//
// In an ifcfg file: IPADDR0/PREFIX0, IPADDR1/PREFIX1, ... with no gap
// (initscripts stops at the first) and always a PREFIX (an IPADDR without
// one gets its classful mask). Static IPv4 addresses beside DHCP go into
// alias files instead, ifcfg-<name>:0, ifcfg-<name>:1, ..., each with
// DEVICE=<name>:<n>, IPADDR, PREFIX, ONPARENT=yes, NO_ALIASROUTING=yes
// (the parent's route file has the routes), ARPCHECK=no (the cloud
// assigned the address: no seconds-long duplicate probe at boot, which a
// cloud network answering ARP itself would fail) and IPV6INIT=no (which
// ifup-aliases would otherwise inherit): initscripts' ifup-eth skips
// IPADDRn when BOOTPROTO=dhcp but its ifup-post runs ifup-aliases after
// the lease, and NetworkManager's ifcfg-rh reads alias files into the
// parent's profile as labelled addresses. An alias label is a device
// name, at most 15 bytes. IPV6INIT, IPV6_AUTOCONF, DHCPV6C, IPV6ADDR
// and IPV6ADDR_SECONDARIES; HWADDR for a MAC match (initscripts and udev's
// rename_device name the device with that MAC), MACADDR for a cloned MAC;
// BONDING_OPTS on every bond (initscripts creates a bond only with it)
// and MASTER/SLAVE on its ports; VLAN=yes with PHYSDEV and VID; TYPE=Bridge
// with STP on a bridge (always written: nmstate's default is on, the
// kernel's off) and BRIDGE on its ports; METRIC for DHCP routes; the DNS
// servers as DNS1, DNS2, ... and the search list as DOMAIN on the first
// interface with IP configuration, with PEERDNS=no on DHCP interfaces
// when there are static servers. Values are double-quoted when they hold
// anything but letters, digits and ._:/@%+,=-.
//
// What the format cannot express is an [*UnsupportedError]: static IPv4
// addresses beside DHCP whose alias label would be over 15 bytes, IPv6
// route metrics from DHCPv6 or router advertisements, and descriptions.
type Ifcfg struct{}

// Name returns "ifcfg".
func (Ifcfg) Name() string { return "ifcfg" }

const ifcfgDir = "/etc/sysconfig/network-scripts/"

// ifcfgKV is an ordered list of KEY=value lines.
type ifcfgKV struct {
	b strings.Builder
}

func (kv *ifcfgKV) set(key, value string) {
	kv.b.WriteString(key + "=" + shellValue(value) + "\n")
}

// shellValue quotes a value for a file that bash sources, when it holds
// anything but characters safe bare. Parse has refused quotes,
// backslashes, '$' and backquotes, so double quotes suffice.
func shellValue(v string) string {
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._:/@%+,=-", c)) {
			return `"` + v + `"`
		}
	}
	return v
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Render returns the files listed on [Ifcfg]; ifcfg, route and rule files
// and /etc/sysconfig/network at 0644. It returns an [*UnsupportedError]
// for what the format cannot express.
//
// Render is safe for concurrent use.
func (r Ifcfg) Render(st *State) ([]File, error) {
	var files []File
	add := func(name, content string) {
		files = append(files, File{Path: path.Join(ifcfgDir, name), Mode: 0o644, Content: []byte(header + content)})
	}
	dnsOn := dnsInterface(st)
	var bonds []string
	for _, i := range st.Interfaces {
		unsupported := func(key string) error {
			return &UnsupportedError{Path: i.Path + "." + key, Renderer: r.Name()}
		}
		switch {
		case (i.IPv6.DHCP || i.IPv6.Autoconf) && i.IPv6.AutoRouteMetric != 0:
			return nil, unsupported("ipv6.auto-route-metric")
		case strings.TrimSpace(i.Description) != "":
			return nil, unsupported("description")
		}
		var kv ifcfgKV
		kv.set("DEVICE", i.Name)
		switch i.Kind {
		case Bond:
			kv.set("TYPE", "Bond")
			kv.set("BONDING_MASTER", "yes")
			opts := []string{"mode=" + i.Bond.Mode}
			for _, k := range sortedKeys(anyMap(i.Bond.Options)) {
				opts = append(opts, k+"="+i.Bond.Options[k])
			}
			kv.set("BONDING_OPTS", strings.Join(opts, " "))
			bonds = append(bonds, i.Name)
		case Bridge:
			kv.set("TYPE", "Bridge")
			kv.set("STP", yesNo(i.Bridge.STP == nil || *i.Bridge.STP))
		case VLAN:
			kv.set("TYPE", "Vlan")
			kv.set("VLAN", "yes")
			kv.set("PHYSDEV", i.VLAN.Base.Name)
			kv.set("VID", strconv.Itoa(i.VLAN.ID))
		default:
			kv.set("TYPE", "Ethernet")
		}
		kv.set("ONBOOT", yesNo(!i.Down))
		if c := i.Controller; c != nil {
			if c.Kind == Bond {
				kv.set("MASTER", c.Name)
				kv.set("SLAVE", "yes")
			} else {
				kv.set("BRIDGE", c.Name)
			}
		}
		if i.MatchMAC != "" {
			kv.set("HWADDR", i.MatchMAC)
		}
		if i.CloneMAC != "" {
			kv.set("MACADDR", i.CloneMAC)
		}
		if i.MTU != 0 {
			kv.set("MTU", strconv.Itoa(i.MTU))
		}
		if i.IPv4.DHCP {
			kv.set("BOOTPROTO", "dhcp")
			if i.IPv4.AutoRouteMetric != 0 {
				kv.set("METRIC", strconv.Itoa(i.IPv4.AutoRouteMetric))
			}
		} else {
			kv.set("BOOTPROTO", "none")
		}
		var aliases []ifcfgKV
		for k, a := range i.IPv4.Addresses {
			n := strconv.Itoa(k)
			if !i.IPv4.DHCP {
				kv.set("IPADDR"+n, a.Addr().String())
				kv.set("PREFIX"+n, strconv.Itoa(a.Bits()))
				continue
			}
			label := i.Name + ":" + n
			if len(label) > 15 {
				return nil, unsupported(fmt.Sprintf("ipv4.address[%d] beside dhcp (alias label %s over 15 bytes)", k, label))
			}
			var akv ifcfgKV
			akv.set("DEVICE", label)
			akv.set("IPADDR", a.Addr().String())
			akv.set("PREFIX", strconv.Itoa(a.Bits()))
			akv.set("ONPARENT", "yes")
			akv.set("NO_ALIASROUTING", "yes")
			akv.set("ARPCHECK", "no")
			akv.set("IPV6INIT", "no")
			aliases = append(aliases, akv)
		}
		v6 := i.IPv6
		kv.set("IPV6INIT", yesNo(v6.Enabled))
		if v6.Enabled {
			kv.set("IPV6_AUTOCONF", yesNo(v6.Autoconf))
			if v6.DHCP {
				kv.set("DHCPV6C", "yes")
			}
			if len(v6.Addresses) > 0 {
				kv.set("IPV6ADDR", v6.Addresses[0].String())
			}
			if len(v6.Addresses) > 1 {
				var rest []string
				for _, a := range v6.Addresses[1:] {
					rest = append(rest, a.String())
				}
				kv.set("IPV6ADDR_SECONDARIES", strings.Join(rest, " "))
			}
		}
		if i == dnsOn {
			for k, s := range st.DNS.Servers {
				kv.set("DNS"+strconv.Itoa(k+1), s.String())
			}
			if len(st.DNS.Search) > 0 {
				kv.set("DOMAIN", strings.Join(st.DNS.Search, " "))
			}
		}
		if i.IPv4.DHCP || i.IPv6.DHCP {
			if len(st.DNS.Servers) > 0 {
				kv.set("PEERDNS", "no")
			}
		}
		add("ifcfg-"+i.Name, kv.b.String())
		for k := range aliases {
			add("ifcfg-"+i.Name+":"+strconv.Itoa(k), aliases[k].b.String())
		}

		var route, route6, rule, rule6 strings.Builder
		for _, rt := range st.Routes {
			if rt.Interface != i {
				continue
			}
			w := &route
			if rt.Destination.Addr().Is6() {
				w = &route6
			}
			w.WriteString(routeArgs(rt, needsOnlink(rt)) + "\n")
		}
		for _, ru := range st.Rules {
			if ru.Interface != i {
				continue
			}
			w := &rule
			if ruleIs6(ru) {
				w = &rule6
			}
			w.WriteString(ruleArgs(ru) + "\n")
		}
		for _, f := range []struct {
			prefix string
			b      *strings.Builder
		}{{"route-", &route}, {"route6-", &route6}, {"rule-", &rule}, {"rule6-", &rule6}} {
			if f.b.Len() > 0 {
				add(f.prefix+i.Name, f.b.String())
			}
		}
	}
	files = append(files, File{Path: "/etc/sysconfig/network", Mode: 0o644, Content: []byte(header + "NETWORKING=yes\n")})
	if len(bonds) > 0 {
		var b strings.Builder
		b.WriteString(header)
		for _, n := range bonds {
			b.WriteString("alias " + n + " bonding\n")
		}
		files = append(files, File{Path: "/etc/modprobe.d/bonding.conf", Mode: 0o644, Content: []byte(b.String())})
	}
	return files, nil
}

// dnsInterface is the interface whose ifcfg file holds DNSn and DOMAIN:
// the first that is up with IP configuration, else the first with IP
// configuration, else nil.
func dnsInterface(st *State) *Interface {
	if len(st.DNS.Servers) == 0 && len(st.DNS.Search) == 0 {
		return nil
	}
	var fallback *Interface
	for _, i := range st.Interfaces {
		if i.IPv4.Enabled || i.IPv6.Enabled {
			if !i.Down {
				return i
			}
			if fallback == nil {
				fallback = i
			}
		}
	}
	return fallback
}
