package imds

import (
	"fmt"
	"net/netip"
	"strings"
)

// Facts returns what `imdsctl show` prints: the instance (provider, id,
// host name, region, zone, size, image, account; null when unknown) and
// every link with its MAC (lower case), local name (null when no local
// link has its MAC), provider index, whether it is the primary, its
// private and public IPv4 addresses, IPv6 addresses, IPv4 subnet and
// gateway. The instance id is always a string.
//
// Facts is safe for concurrent use.
func (m *Metadata) Facts(local []LocalLink) map[string]any {
	names, matched := m.names(local)
	ifaces := []any{}
	for _, l := range m.Links {
		e := map[string]any{
			"mac":          orNull(l.MAC),
			"name":         nil,
			"index":        int64(l.Index),
			"primary":      l.Primary,
			"private-ipv4": addrList(l.PrivateIPv4),
			"public-ipv4":  addrList(l.PublicIPv4),
			"ipv6":         addrList(l.AllIPv6),
			"subnet-ipv4":  nil,
			"gateway-ipv4": nil,
		}
		if _, ok := matched[l]; ok || l.Kind != Ethernet {
			e["name"] = names[l]
		}
		if l.SubnetIPv4.IsValid() {
			e["subnet-ipv4"] = l.SubnetIPv4.String()
		}
		if l.GatewayIPv4.IsValid() {
			e["gateway-ipv4"] = l.GatewayIPv4.String()
		}
		ifaces = append(ifaces, e)
	}
	return map[string]any{
		"provider":    m.Provider,
		"instance-id": orNull(m.InstanceID),
		"hostname":    orNull(m.Hostname),
		"region":      orNull(m.Region),
		"zone":        orNull(m.Zone),
		"size":        orNull(m.Size),
		"image":       orNull(m.Image),
		"account":     orNull(m.Account),
		"interfaces":  ifaces,
	}
}

func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func addrList(as []netip.Addr) []any {
	out := []any{}
	for _, a := range as {
		out = append(out, a.String())
	}
	return out
}

// FactsTable prints facts as `cnctl status` does: aligned "Key: value"
// blocks, the instance first, then one block per interface. part is
// "system", "network" or "" for both.
func FactsTable(facts map[string]any, part string) string {
	var b strings.Builder
	block := func(rows [][2]string) {
		w := 0
		for _, r := range rows {
			w = max(w, len(r[0]))
		}
		for _, r := range rows {
			fmt.Fprintf(&b, "%-*s %s\n", w+1, r[0]+":", r[1])
		}
	}
	if part != "network" {
		var rows [][2]string
		for _, k := range []struct{ key, label string }{
			{"provider", "Provider"}, {"instance-id", "Instance ID"}, {"hostname", "Hostname"},
			{"region", "Region"}, {"zone", "Zone"}, {"size", "Size"}, {"image", "Image"}, {"account", "Account"},
		} {
			rows = append(rows, [2]string{k.label, text(facts[k.key])})
		}
		block(rows)
	}
	if part != "system" {
		ifaces, _ := facts["interfaces"].([]any)
		for i, x := range ifaces {
			if i > 0 || part != "network" {
				b.WriteByte('\n')
			}
			e := x.(map[string]any)
			block([][2]string{
				{"Interface", text(e["name"])},
				{"MAC", text(e["mac"])},
				{"Index", text(e["index"])},
				{"Primary", text(e["primary"])},
				{"Private IPv4", text(e["private-ipv4"])},
				{"Public IPv4", text(e["public-ipv4"])},
				{"IPv6", text(e["ipv6"])},
				{"Subnet IPv4", text(e["subnet-ipv4"])},
				{"Gateway IPv4", text(e["gateway-ipv4"])},
			})
		}
	}
	return b.String()
}

func text(v any) string {
	switch t := v.(type) {
	case nil:
		return "-"
	case []any:
		if len(t) == 0 {
			return "-"
		}
		parts := make([]string, len(t))
		for i, e := range t {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ", ")
	case bool:
		if t {
			return "yes"
		}
		return "no"
	}
	return fmt.Sprint(v)
}
