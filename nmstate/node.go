package nmstate

import (
	"errors"

	"go.yaml.in/yaml/v3"
)

// YAMLError converts an error of go.yaml.in/yaml/v3's decoder, for callers
// that parse YAML with it themselves (policy files, for positions), into a
// *SyntaxError with the line yaml.v3 means: it counts the lines of the
// problems its parser finds from 0 and leaves out line 1.
func YAMLError(err error) error {
	return parseError(err)
}

// DecodeNode converts a node parsed by go.yaml.in/yaml/v3 into the model,
// as Decode would decode its text: timestamps stay strings, keys become
// strings, integers int64 or uint64. Plain timestamp scalars in n are
// retagged as strings. It returns a *SyntaxError for what Decode rejects
// (two keys converting to the same string).
//
// DecodeNode is not safe for concurrent use on the same node.
func DecodeNode(n *yaml.Node) (any, error) {
	untagTimestamps(n)
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, yamlError(err, n)
	}
	v, err := normalize(v)
	if err != nil {
		if kerr := (*keyCollisionError)(nil); errors.As(err, &kerr) {
			return nil, collisionError(n, kerr.key)
		}
		return nil, &SyntaxError{Msg: err.Error()}
	}
	return v, nil
}
