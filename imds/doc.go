// Package imds reads cloud and hypervisor instance metadata (AWS, Azure,
// GCP, Equinix Metal, OpenStack, VMware guestinfo, DigitalOcean, Oracle,
// Hetzner) and turns it into NMState and into normalized instance facts.
//
// Every provider works in two steps. Fetch reads the metadata from the
// provider's service through a [Client] (or, for VMware, through the RPC
// channel) and returns it as a saved document, the same document
// `imdsctl fetch --metadata-file` reads. Parse turns a saved document into
// [Metadata], the one model every provider fills: links (ethernet, bond,
// vlan) in provider order with their addresses, routes and DNS. From
// Metadata, [Metadata.NMState] builds the desired state, naming NICs by
// matching their MACs to local links ([Sysfs]), and [Metadata.Facts] the
// facts `imdsctl show` prints. The mapping rules are those of
// shared/docs/imds-providers.md, sections 12 and 13; README.md in this
// directory records netplumb's own choices.
//
// The package never reads flags, the environment or the clock itself, and
// never uses an HTTP proxy.
package imds
