package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/netplumb/netplumb/expr"
	"github.com/netplumb/netplumb/nmstate"
)

// Policy is an NMPolicy: named capture expressions and a desired state
// whose strings may hold `{{ capture.… }}` templates.
type Policy struct {
	Capture      map[string]string
	DesiredState any // a decoded document; nil when the policy has none
}

// Document is one policy read from a YAML file, with what is needed to
// point at its parts: the position of every capture expression and of
// every value of the desired state.
type Document struct {
	Policy Policy

	// Kind is "NodeNetworkConfigurationPolicy" for a kubernetes-nmstate
	// manifest (whose spec holds the policy), "" for a plain policy.
	Kind string
	// Name is the manifest's metadata.name, if any.
	Name string

	lines   []string   // the file, for mapping offsets in multi-line scalars
	root    *yaml.Node // the policy mapping (the spec of a manifest); nil if empty
	capture *yaml.Node // the capture mapping
	desired *yaml.Node // the desiredState value
	// topKeys are the keys of the policy mapping other than capture and
	// desiredState, which the original ignores.
	topKeys []*yaml.Node
}

// ParsePolicy reads a policy file holding one document: a plain NMPolicy
// (`capture:` and `desiredState:`) or a NodeNetworkConfigurationPolicy
// manifest. An empty file is an empty policy. Top-level keys are matched
// case-insensitively, as the original's JSON decoding does; others are
// ignored, as the original ignores them. It returns an error with the
// line for YAML that does not parse, a capture expression that is not a
// string, or a second document.
func ParsePolicy(data []byte) (*Document, error) {
	docs, err := ParsePolicies(data)
	if err != nil {
		return nil, err
	}
	switch len(docs) {
	case 0:
		return &Document{Policy: Policy{Capture: map[string]string{}}}, nil
	case 1:
		return docs[0], nil
	}
	return nil, &nmstate.SyntaxError{Line: docs[1].line(), Column: 1,
		Msg: fmt.Sprintf("a policy file holds one document, this one holds %d", len(docs))}
}

// ParsePolicies reads every document of a multi-document YAML file as a
// policy, skipping empty documents.
func ParsePolicies(data []byte) ([]*Document, error) {
	lines := strings.Split(string(data), "\n")
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*Document
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, syntaxError(err)
		}
		d, err := newDocument(&n, lines)
		if err != nil {
			return nil, err
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
}

// syntaxError turns an error of yaml.v3 into an *nmstate.SyntaxError.
func syntaxError(err error) error {
	return nmstate.YAMLError(err)
}

// errorAt is a problem with the policy's structure at a node.
func errorAt(n *yaml.Node, format string, args ...any) error {
	return &nmstate.SyntaxError{Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
}

func newDocument(n *yaml.Node, lines []string) (*Document, error) {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil, nil
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, errorAt(n, "a policy is a map with capture and desiredState, not %s", nodeKind(n))
	}
	d := &Document{lines: lines, root: n, Policy: Policy{Capture: map[string]string{}}}
	if kind := mapValue(n, "kind"); kind != nil && kind.Value == "NodeNetworkConfigurationPolicy" {
		d.Kind = kind.Value
		if meta := mapValue(n, "metadata"); meta != nil {
			if name := mapValue(meta, "name"); name != nil {
				d.Name = name.Value
			}
		}
		spec := mapValue(n, "spec")
		if spec == nil || spec.Kind != yaml.MappingNode {
			return nil, errorAt(n, "NodeNetworkConfigurationPolicy without a spec map")
		}
		d.root = spec
	}
	for i := 0; i+1 < len(d.root.Content); i += 2 {
		k, v := d.root.Content[i], d.root.Content[i+1]
		switch {
		case d.capture == nil && jsonKey(d.root, k.Value, "capture"):
			d.capture = v
		case d.desired == nil && jsonKey(d.root, k.Value, "desiredState"):
			d.desired = v
		default:
			d.topKeys = append(d.topKeys, k)
		}
	}
	if err := d.readCaptures(); err != nil {
		return nil, err
	}
	if d.desired != nil {
		v, err := nodeValue(d.desired)
		if err != nil {
			return nil, errorAt(d.desired, "desiredState: %v", err)
		}
		d.Policy.DesiredState = v
	}
	return d, nil
}

// jsonKey reports whether key selects the field name in m as
// encoding/json would: an exact match, or a case-insensitive one when no
// key of m matches exactly.
func jsonKey(m *yaml.Node, key, name string) bool {
	if key == name {
		return true
	}
	if !strings.EqualFold(key, name) {
		return false
	}
	return mapValue(m, name) == nil
}

func (d *Document) readCaptures() error {
	c := d.capture
	if c == nil || (c.Kind == yaml.ScalarNode && c.Tag == "!!null") {
		return nil
	}
	if c.Kind != yaml.MappingNode {
		return errorAt(c, "capture is %s, not a map of names to expressions", nodeKind(c))
	}
	for i := 0; i+1 < len(c.Content); i += 2 {
		k, v := c.Content[i], c.Content[i+1]
		if _, dup := d.Policy.Capture[k.Value]; dup {
			return errorAt(k, "capture %q is defined twice", k.Value)
		}
		switch {
		case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
			d.Policy.Capture[k.Value] = ""
		case v.Kind == yaml.ScalarNode && v.Tag == "!!str":
			d.Policy.Capture[k.Value] = v.Value
		default:
			return errorAt(v, "capture %q: the expression is %s, not a string", k.Value, nodeKind(v))
		}
	}
	return nil
}

// Names returns the names of the policy's captures in the order the file
// lists them.
func (d *Document) Names() []string {
	var names []string
	if d.capture != nil && d.capture.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(d.capture.Content); i += 2 {
			names = append(names, d.capture.Content[i].Value)
		}
	}
	return names
}

func (d *Document) line() int {
	if d.root == nil {
		return 1
	}
	return d.root.Line
}

// Locate returns the 1-based line and column, in the file, of the position
// an error from [Resolve], [Expand] or [Generate] points at: inside a
// capture expression or inside a template string of the desired state.
// ok is false when the error has no such position.
func (d *Document) Locate(err error) (line, col int, ok bool) {
	var ee *expr.Error
	if !errors.As(err, &ee) {
		return 0, 0, false
	}
	var ce *Error
	if errors.As(err, &ce) {
		n := d.captureNode(ce.Capture)
		if n == nil {
			return 0, 0, false
		}
		line, col = d.scalarPos(n, ee.Pos)
		return line, col, true
	}
	var te *TemplateError
	if errors.As(err, &te) {
		n := d.desiredNode(te.Path)
		if n == nil {
			return 0, 0, false
		}
		line, col = d.scalarPos(n, te.Offset+ee.Pos)
		return line, col, true
	}
	return 0, 0, false
}

// captureNode returns the value node of a capture's expression.
func (d *Document) captureNode(name string) *yaml.Node {
	if d.capture == nil {
		return nil
	}
	return mapValue(d.capture, name)
}

// desiredNode follows a path of keys and indexes from the desired state.
func (d *Document) desiredNode(path []any) *yaml.Node {
	n := d.desired
	for _, p := range path {
		if n == nil {
			return nil
		}
		n = resolveAlias(n)
		switch p := p.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return nil
			}
			n = mapValue(n, p)
		case int:
			if n.Kind != yaml.SequenceNode || p >= len(n.Content) {
				return nil
			}
			n = n.Content[p]
		}
	}
	return n
}

// scalarPos maps a byte offset in a scalar's value to a file position. It
// is exact for single-line scalars without escapes, and follows the lines
// of multi-line scalars (plain, quoted, literal and folded) closely enough
// to land on the right line.
func (d *Document) scalarPos(n *yaml.Node, offset int) (line, col int) {
	value := n.Value
	offset = min(max(offset, 0), len(value))
	start := n.Column
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		start++
	}
	block := n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
	if !block && !strings.Contains(value, "\n") && n.Line-1 < len(d.lines) &&
		!strings.ContainsAny(value[:offset], `\'`) && onOneLine(d.lines[n.Line-1], start, value) {
		return n.Line, start + utf8.RuneCountInString(value[:offset])
	}
	// Multi-line: walk the source lines, each contributing its text and one
	// character (the newline or the space it folds into) to the value.
	type segment struct {
		line, col int
		text      string
	}
	var segs []segment
	if block {
		indent := -1
		for i := n.Line; i < len(d.lines); i++ {
			text := d.lines[i]
			trimmed := strings.TrimLeft(text, " ")
			if trimmed == "" {
				segs = append(segs, segment{i + 1, 1, ""})
				continue
			}
			ind := len(text) - len(trimmed)
			if indent < 0 {
				indent = ind
			}
			if ind < indent {
				break
			}
			segs = append(segs, segment{i + 1, indent + 1, text[indent:]})
		}
	} else if n.Line-1 < len(d.lines) {
		first := d.lines[n.Line-1]
		from := min(byteOffset(first, start-1), len(first))
		segs = append(segs, segment{n.Line, start, strings.TrimRight(first[from:], " ")})
		for i := n.Line; i < len(d.lines); i++ {
			text := d.lines[i]
			trimmed := strings.TrimLeft(text, " ")
			segs = append(segs, segment{i + 1, len(text) - len(trimmed) + 1, strings.TrimRight(trimmed, " ")})
		}
	}
	rest := offset
	for _, s := range segs {
		if rest <= len(s.text) {
			return s.line, s.col + utf8.RuneCountInString(s.text[:rest])
		}
		rest -= len(s.text) + 1
	}
	return n.Line, n.Column
}

// onOneLine reports whether value is written on line from column col.
func onOneLine(line string, col int, value string) bool {
	from := byteOffset(line, col-1)
	return from <= len(line) && strings.HasPrefix(line[from:], value)
}

// byteOffset returns the byte offset of the n-th character of s.
func byteOffset(s string, n int) int {
	i := 0
	for ; n > 0 && i < len(s); n-- {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return i + n
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	m = resolveAlias(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// nodeValue decodes a node into a document the way [nmstate.Decode] does.
func nodeValue(n *yaml.Node) (any, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return nmstate.Decode(buf.Bytes())
}

func nodeKind(n *yaml.Node) string {
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!null":
		return "null"
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	}
	return "a " + strings.TrimPrefix(n.Tag, "!!")
}

// sortedNames is the capture names of a policy in sorted order.
func sortedNames(c map[string]string) []string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
