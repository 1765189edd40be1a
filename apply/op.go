package apply

import "context"

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
	OpNoteDHCP OpKind = "dhcp-note" // not an operation: a note that no DHCP client runs
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

	Address  *Address // address-add, address-del
	Route    *Route   // route-add, route-del
	Rule     *Rule    // rule-add, rule-del
	DNS      *DNS     // dns-write
	Hostname string   // hostname-set
}

// LinkSet is the attributes a link-set operation changes.
type LinkSet struct {
	MTU        *int
	MAC        *string
	Up         *bool
	Controller *string // "" detaches from the controller
	STP        *bool   // bridges
}

// Kernel is what the transaction reads and changes: the netlink
// implementation on a namespace's handle, or a fake in tests.
type Kernel interface {
	// Read returns the current state.
	Read(ctx context.Context) (*State, error)
	// Apply carries out one operation.
	Apply(ctx context.Context, op Op) error
}
