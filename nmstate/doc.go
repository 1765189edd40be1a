// Package nmstate is the NMState document model every netplumb command shares:
// decoding YAML and JSON documents into plain Go trees, printing them in the
// canonical form the original tools print (map keys sorted), and the table of
// keys NMState knows, used by lint to point at typos.
//
// A document is a tree of map[string]any, []any, string, bool, nil, int64,
// uint64 (integers above math.MaxInt64) and float64.
package nmstate
