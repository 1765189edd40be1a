package capture

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
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
	// captureNodes are the value nodes of the capture expressions, aliases
	// resolved, and captureOrder their names in file order.
	captureNodes map[string]*yaml.Node
	captureOrder []string
}

// ParsePolicy reads a policy file holding one document: a plain NMPolicy
// (`capture:` and `desiredState:`) or a NodeNetworkConfigurationPolicy
// manifest. An empty file is an empty policy. Top-level keys are matched
// case-insensitively, as the original's JSON decoding does; others are
// ignored, as the original ignores them. It returns an
// [*nmstate.SyntaxError] with the line for YAML that does not parse, a
// capture expression that is not a string, a key defined twice, or a
// second document.
//
// ParsePolicy is safe for concurrent use.
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
// policy, skipping empty documents. On an error it returns the documents
// read before it, with the error.
//
// ParsePolicies is safe for concurrent use.
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
			return docs, syntaxError(err)
		}
		d, err := newDocument(&n, lines)
		if err != nil {
			return docs, err
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
		if k := duplicateKey(d.desired); k != nil {
			return nil, errorAt(k, "desiredState: mapping key %q defined twice", k.Value)
		}
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
	c := resolveAlias(d.capture)
	if c == nil || (c.Kind == yaml.ScalarNode && c.Tag == "!!null") {
		return nil
	}
	if c.Kind != yaml.MappingNode {
		return errorAt(c, "capture is %s, not a map of names to expressions", nodeKind(c))
	}
	d.captureNodes = map[string]*yaml.Node{}
	for _, kv := range mapEntries(c) {
		k, v := kv[0], resolveAlias(kv[1])
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
		d.captureNodes[k.Value] = v
		d.captureOrder = append(d.captureOrder, k.Value)
	}
	return nil
}

// mapEntries lists the key and value nodes of a mapping, with merge keys
// (<<: *anchor) expanded: merged entries come first and the mapping's own
// entries override them, as YAML defines.
func mapEntries(m *yaml.Node) [][2]*yaml.Node {
	var own, merged [][2]*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Tag == "!!merge" {
			v = resolveAlias(v)
			sources := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				sources = v.Content
			}
			for _, src := range sources {
				if src = resolveAlias(src); src.Kind == yaml.MappingNode {
					merged = append(merged, mapEntries(src)...)
				}
			}
			continue
		}
		own = append(own, [2]*yaml.Node{k, v})
	}
	if merged == nil {
		return own
	}
	seen := map[string]bool{}
	for _, kv := range own {
		seen[kv[0].Value] = true
	}
	var out [][2]*yaml.Node
	for _, kv := range merged {
		if !seen[kv[0].Value] {
			seen[kv[0].Value] = true
			out = append(out, kv)
		}
	}
	return append(out, own...)
}

// duplicateKey returns the second key node of the first mapping below n
// that defines a key twice, or nil.
func duplicateKey(n *yaml.Node) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Tag != "!!merge" && k.Kind == yaml.ScalarNode {
				if seen[k.Value] {
					return k
				}
				seen[k.Value] = true
			}
		}
	case yaml.AliasNode:
		return nil
	}
	for _, c := range n.Content {
		if k := duplicateKey(c); k != nil {
			return k
		}
	}
	return nil
}

// Names returns the names of the policy's captures in the order the file
// lists them.
func (d *Document) Names() []string {
	return slices.Clone(d.captureOrder)
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
//
// Locate is safe for concurrent use.
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
	return d.captureNodes[name]
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

// scalarPos maps a byte offset in a scalar's value to a file position,
// following the scalar's lines: escapes and ” in quoted scalars, line
// folding (a line break is a space, a blank line a newline) in plain,
// quoted and folded scalars, and indentation in block scalars.
func (d *Document) scalarPos(n *yaml.Node, offset int) (line, col int) {
	if n.Line < 1 || n.Line > len(d.lines) {
		return n.Line, n.Column
	}
	offset = min(max(offset, 0), len(n.Value))
	quote := byte(0)
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		quote = '"'
	case n.Style&yaml.SingleQuotedStyle != 0:
		quote = '\''
	}
	literal := n.Style&yaml.LiteralStyle != 0
	block := literal || n.Style&yaml.FoldedStyle != 0

	// The source lines of the scalar: each with its line number, the
	// column (1-based, in characters) where its text starts, and the text.
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
	} else {
		first := d.lines[n.Line-1]
		start := n.Column
		if quote != 0 {
			start++
		}
		from := min(byteOffset(first, start-1), len(first))
		segs = append(segs, segment{n.Line, start, first[from:]})
		for i := n.Line; i < len(d.lines); i++ {
			text := d.lines[i]
			trimmed := strings.TrimLeft(text, " \t")
			segs = append(segs, segment{i + 1, utf8.RuneCountInString(text[:len(text)-len(trimmed)]) + 1, trimmed})
		}
	}
	pos := 0
	for i := 0; i < len(segs); i++ {
		s := segs[i]
		text := s.text
		if !literal {
			text = strings.TrimRight(text, " \t")
		}
		if text == "" && !literal && i > 0 {
			continue // counted with the line break before it
		}
		if c, ok := rawColumn(text, quote, offset-pos); ok {
			return s.line, s.col + c
		}
		pos += decodedLen(text, quote)
		if literal {
			pos++
			continue
		}
		blanks := 0
		for i+1+blanks < len(segs) && strings.TrimSpace(segs[i+1+blanks].text) == "" {
			blanks++
		}
		pos += max(blanks, 1)
	}
	return n.Line, n.Column
}

// rawColumn returns the character column, within a line of a scalar's
// source, of the byte at offset want of the line's decoded text; ok is
// false when the line's text is shorter.
func rawColumn(raw string, quote byte, want int) (col int, ok bool) {
	got := 0
	for i := 0; i <= len(raw); {
		if got >= want {
			return utf8.RuneCountInString(raw[:i]), true
		}
		if i == len(raw) || (quote != 0 && raw[i] == quote && !(quote == '\'' && i+1 < len(raw) && raw[i+1] == '\'')) {
			return 0, false
		}
		w, n := unit(raw[i:], quote)
		got += n
		i += w
	}
	return 0, false
}

// decodedLen is the length of a line of a scalar's source once decoded.
func decodedLen(raw string, quote byte) int {
	n := 0
	for i := 0; i < len(raw); {
		if quote != 0 && raw[i] == quote && !(quote == '\'' && i+1 < len(raw) && raw[i+1] == '\'') {
			break
		}
		w, m := unit(raw[i:], quote)
		n += m
		i += w
	}
	return n
}

// unit reads one unit of a scalar's source (a character, ” in a
// single-quoted scalar, an escape in a double-quoted one) and returns its
// width in the source and in the decoded value.
func unit(raw string, quote byte) (width, decoded int) {
	switch {
	case quote == '\'' && strings.HasPrefix(raw, "''"):
		return 2, 1
	case quote == '"' && raw[0] == '\\' && len(raw) > 1:
		digits := map[byte]int{'x': 2, 'u': 4, 'U': 8}[raw[1]]
		if digits > 0 && len(raw) >= 2+digits {
			r, err := strconv.ParseUint(raw[2:2+digits], 16, 32)
			if err != nil {
				return 2, 1
			}
			return 2 + digits, utf8.RuneLen(rune(r))
		}
		switch raw[1] {
		case 'N', '_':
			return 2, 2 // U+0085, U+00A0
		case 'L', 'P':
			return 2, 3 // U+2028, U+2029
		}
		return 2, 1
	}
	_, w := utf8.DecodeRuneInString(raw)
	return w, w
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

// nodeValue decodes a node the way [nmstate.Decode] decodes text.
func nodeValue(n *yaml.Node) (any, error) {
	return nmstate.DecodeNode(n)
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
	case "!!str":
		return "a string"
	case "!!timestamp":
		return "a timestamp"
	case "!!binary":
		return "binary data"
	}
	return fmt.Sprintf("a value tagged %q", n.Tag)
}

// sortedNames returns the keys of a map in sorted order.
func sortedNames[V any](c map[string]V) []string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
