package apply

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/netplumb/netplumb/nmstate"
)

// OpKind is what an operation does.
type OpKind string

// The operations, in the order a plan runs them: links are created
// (controllers and bases before their ports and children), their
// attributes set, then addresses, routes and rules added; removals come
// in the reverse order.
const (
	OpLinkAdd  OpKind = "link-add"
	OpLinkSet  OpKind = "link-set"
	OpLinkDel  OpKind = "link-del"
	OpAddrAdd  OpKind = "address-add"
	OpAddrDel  OpKind = "address-del"
	OpRouteAdd OpKind = "route-add"
	OpRouteDel OpKind = "route-del"
	OpRuleAdd  OpKind = "rule-add"
	OpRuleDel  OpKind = "rule-del"
	OpDNS      OpKind = "dns-write"
	OpHostname OpKind = "hostname-set"
)

// Op is one step of a plan. Which fields are set depends on Kind.
type Op struct {
	Kind OpKind
	// Name is the link the operation is about (link, address and, for
	// route-add/del, the route's interface).
	Name string

	// Link is the link to create (link-add: Type and its section, MTU,
	// MAC, Controller, Up), or, for link-del, the link as it was, so that
	// the plan can be printed and undone.
	Link *Interface
	// Set holds the attributes link-set changes; nil fields stay.
	Set *LinkSet

	Address *Address // address-add, address-del
	Route   *Route   // route-add, route-del
	Rule    *Rule    // rule-add, rule-del
	DNS     *DNS     // dns-write
	// Revert (dns-write in a rollback) writes resolv.conf back as it was
	// before this process first wrote it, byte for byte.
	Revert   bool
	Hostname string // hostname-set
}

// LinkSet is the attributes a link-set operation changes.
type LinkSet struct {
	MTU        *int
	MAC        *string
	Up         *bool
	Controller *string // "" detaches from the controller
	STP        *bool   // bridges
	// BondOptions are bond options to set (miimon, …), by sysfs name.
	BondOptions map[string]string
}

// Kernel is what the transaction reads and changes: the netlink
// implementation on a namespace's handle, or a fake in tests.
type Kernel interface {
	// Read returns the current state.
	Read(ctx context.Context) (*State, error)
	// Apply carries out one operation.
	Apply(ctx context.Context, op Op) error
}

// String is the operation as the ip command that would do the same
// ("ip route add 10.0.0.0/8 via 192.0.2.1 dev eth0 table 100"), for
// errors and logs.
func (op Op) String() string {
	var b strings.Builder
	w := func(parts ...string) {
		for _, p := range parts {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(p)
		}
	}
	switch op.Kind {
	case OpLinkAdd:
		w("ip link add", op.Name)
		if l := op.Link; l != nil {
			if l.MTU > 0 {
				w("mtu", strconv.Itoa(l.MTU))
			}
			if l.MAC != "" {
				w("address", strings.ToLower(l.MAC))
			}
			if b := base(l); b != "" && l.VXLAN == nil {
				w("link", b)
			}
			w("type", ipKind(l.Type))
			switch {
			case l.Veth != nil:
				w("peer name", l.Veth.Peer)
			case l.VLAN != nil:
				w("id", strconv.Itoa(l.VLAN.ID))
			case l.MacVlan != nil:
				w("mode", l.MacVlan.Mode)
			case l.VXLAN != nil:
				w("id", strconv.Itoa(l.VXLAN.ID))
				if l.VXLAN.Remote.IsValid() {
					w("remote", l.VXLAN.Remote.String())
				}
				if l.VXLAN.Local.IsValid() {
					w("local", l.VXLAN.Local.String())
				}
				if l.VXLAN.Base != "" {
					w("dev", l.VXLAN.Base)
				}
				w("dstport", strconv.Itoa(l.VXLAN.Port))
			case l.Bond != nil:
				w("mode", l.Bond.Mode)
			case l.Bridge != nil:
				w("stp_state", strconv.Itoa(boolInt(l.Bridge.STP)))
			}
		}
	case OpLinkDel:
		w("ip link del", op.Name)
	case OpLinkSet:
		w("ip link set", op.Name)
		if s := op.Set; s != nil {
			if s.MTU != nil {
				w("mtu", strconv.Itoa(*s.MTU))
			}
			if s.MAC != nil {
				w("address", strings.ToLower(*s.MAC))
			}
			if s.STP != nil {
				w("type bridge stp_state", strconv.Itoa(boolInt(*s.STP)))
			}
			for _, k := range sortedKeys(s.BondOptions) {
				w("type bond", k, s.BondOptions[k])
			}
			if s.Controller != nil {
				if *s.Controller == "" {
					w("nomaster")
				} else {
					w("master", *s.Controller)
				}
			}
			if s.Up != nil {
				w(map[bool]string{true: "up", false: "down"}[*s.Up])
			}
		}
	case OpAddrAdd, OpAddrDel:
		w("ip address", verb(op.Kind), op.Address.Prefix.String(), "dev", op.Name)
	case OpRouteAdd, OpRouteDel:
		r := op.Route
		w("ip route", verb(op.Kind))
		if r.Type != "" && r.Type != "unicast" {
			w(r.Type)
		}
		w(r.Destination.String())
		if r.Gateway.IsValid() {
			w("via", r.Gateway.String())
		}
		if r.Interface != "" {
			w("dev", r.Interface)
		}
		if r.Protocol != "" && r.Protocol != "static" {
			w("proto", r.Protocol)
		}
		w("metric", strconv.Itoa(r.Metric))
		if r.Table != 254 && r.Table != 0 {
			w("table", strconv.Itoa(r.Table))
		}
	case OpRuleAdd, OpRuleDel:
		r := op.Rule
		w("ip -"+strconv.Itoa(r.Family), "rule", verb(op.Kind))
		if r.From.IsValid() {
			w("from", r.From.String())
		}
		if r.To.IsValid() {
			w("to", r.To.String())
		}
		if r.Fwmark != 0 || r.Fwmask != 0 {
			w("fwmark", fmt.Sprintf("0x%x/0x%x", r.Fwmark, r.Fwmask))
		}
		if r.Iif != "" {
			w("iif", r.Iif)
		}
		w("priority", strconv.Itoa(r.Priority))
		if r.Action != "" {
			w(r.Action)
		} else {
			w("table", strconv.Itoa(r.Table))
		}
	case OpDNS:
		w("write resolv.conf")
		if op.Revert {
			w("(as it was)")
		} else if d := op.DNS; d != nil {
			for _, s := range d.Servers {
				w("nameserver", s.String())
			}
			if len(d.Search) > 0 {
				w("search", strings.Join(d.Search, " "))
			}
		}
	case OpHostname:
		w("hostname", op.Hostname)
	default:
		w(string(op.Kind))
	}
	return b.String()
}

func verb(k OpKind) string {
	if strings.HasSuffix(string(k), "-del") {
		return "del"
	}
	return "add"
}

// ipKind is the kind ip and the kernel give a type.
func ipKind(t string) string {
	switch t {
	case TypeBridge:
		return "bridge"
	case TypeMacVlan:
		return "macvlan"
	}
	return t
}

// Doc is the operation as diff and apply print it: a map with op first
// ({op: link-add, name: br0, kind: bridge}) and NMState's key names.
func (op Op) Doc() nmstate.Ordered {
	o := nmstate.Ordered{{Key: "op", Value: string(op.Kind)}}
	kv := func(k string, v any) { o = append(o, nmstate.KV{Key: k, Value: v}) }
	switch op.Kind {
	case OpLinkAdd, OpLinkDel:
		kv("name", op.Name)
		l := op.Link
		if l == nil {
			break
		}
		kv("kind", ipKind(l.Type))
		if op.Kind == OpLinkDel {
			break
		}
		if l.MTU > 0 {
			kv("mtu", l.MTU)
		}
		if l.MAC != "" {
			kv("mac-address", l.MAC)
		}
		switch {
		case l.Veth != nil:
			kv("peer", l.Veth.Peer)
		case l.VLAN != nil:
			kv("base-iface", l.VLAN.Base)
			kv("id", l.VLAN.ID)
		case l.MacVlan != nil:
			kv("base-iface", l.MacVlan.Base)
			kv("mode", l.MacVlan.Mode)
		case l.VXLAN != nil:
			if l.VXLAN.Base != "" {
				kv("base-iface", l.VXLAN.Base)
			}
			kv("id", l.VXLAN.ID)
			if l.VXLAN.Remote.IsValid() {
				kv("remote", l.VXLAN.Remote.String())
			}
			if l.VXLAN.Local.IsValid() {
				kv("local", l.VXLAN.Local.String())
			}
			kv("destination-port", l.VXLAN.Port)
		case l.Bond != nil:
			kv("mode", l.Bond.Mode)
			if len(l.Bond.Options) > 0 {
				kv("options", stringMap(l.Bond.Options))
			}
		case l.Bridge != nil:
			kv("stp", l.Bridge.STP)
		}
	case OpLinkSet:
		kv("name", op.Name)
		s := op.Set
		if s.MTU != nil {
			kv("mtu", *s.MTU)
		}
		if s.MAC != nil {
			kv("mac-address", *s.MAC)
		}
		if s.STP != nil {
			kv("stp", *s.STP)
		}
		if len(s.BondOptions) > 0 {
			kv("options", stringMap(s.BondOptions))
		}
		if s.Controller != nil {
			kv("controller", *s.Controller)
		}
		if s.Up != nil {
			kv("state", map[bool]string{true: StateUp, false: StateDown}[*s.Up])
		}
	case OpAddrAdd, OpAddrDel:
		kv("name", op.Name)
		kv("ip", op.Address.Prefix.Addr().String())
		kv("prefix-length", op.Address.Prefix.Bits())
	case OpRouteAdd, OpRouteDel:
		r := op.Route
		kv("destination", r.Destination.String())
		if r.Gateway.IsValid() {
			kv("next-hop-address", r.Gateway.String())
		}
		if r.Interface != "" {
			kv("next-hop-interface", r.Interface)
		}
		kv("metric", r.Metric)
		kv("table-id", r.Table)
		if r.Type != "" && r.Type != "unicast" {
			kv("route-type", r.Type)
		}
	case OpRuleAdd, OpRuleDel:
		r := op.Rule
		o = append(o, showRule(*r)...)
	case OpDNS:
		if op.Revert {
			kv("revert", true)
		}
		if d := op.DNS; d != nil {
			servers := make([]any, len(d.Servers))
			for n, s := range d.Servers {
				servers[n] = s.String()
			}
			search := make([]any, len(d.Search))
			for n, s := range d.Search {
				search[n] = s
			}
			kv("search", search)
			kv("server", servers)
		}
	case OpHostname:
		kv("hostname", op.Hostname)
	}
	return o
}

func stringMap(m map[string]string) nmstate.Ordered {
	o := make(nmstate.Ordered, 0, len(m))
	for _, k := range sortedKeys(m) {
		o = append(o, nmstate.KV{Key: k, Value: m[k]})
	}
	return o
}

// PlanDoc is a plan as diff and apply print it: a list of operations.
func PlanDoc(ops []Op) []any {
	doc := make([]any, len(ops))
	for n, op := range ops {
		doc[n] = op.Doc()
	}
	return doc
}
