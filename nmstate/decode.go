package nmstate

// Decoding NMState documents.
//
// Decode reads one YAML or JSON document into the model tree described in
// the package comment. Input whose first non-blank byte is '{' or '[' is JSON
// and goes through decodeJSON (json.go). Everything else is YAML, and most
// YAML we see is the block style that nmstatectl, sigs.k8s.io/yaml and our
// own tools print, which a general YAML library decodes slowly:
// go.yaml.in/yaml/v3 takes over two seconds for a 13 MiB state with 100,000
// routes. So Decode first tries its own decoder for that subset:
//
//   - block mappings and block sequences, a sequence as a mapping value
//     indented or at the key's own column, compact nesting ("- key: value",
//     "- - item"), nodes on the indicator's line or on the following lines;
//   - single-line scalars: plain, single-quoted and double-quoted with every
//     YAML escape;
//   - flow collections that close on the line they open, as a node of their
//     own line or a mapping value ("- {name: eth0, type: ethernet}",
//     "port: [eth0, eth1]"), nested, with every entry "key: value";
//   - comments, blank lines, one leading "---";
//   - UTF-8 without a byte order mark, lines ending in LF.
//
// Plain scalars resolve as yaml.v3 resolves them into interface{} (see
// resolvePlain), except that timestamps stay strings.
//
// The fast decoder gives up on anything else and Decode then decodes the whole
// input again with go.yaml.in/yaml/v3, normalizing its result to the model:
// anchors and aliases, merge keys, tags, flow collections over several lines
// or with what YAML lets flow entries leave out (a value, a key, "key: value"
// as a sequence item, a trailing comma), a flow collection as a key,
// multi-line scalars (plain, quoted, literal or folded), complex keys ("?"),
// directives, "..." markers, tabs, carriage returns, control and other
// characters YAML forbids, keys longer than 1000 bytes, nesting deeper than
// 500 levels, and every input yaml.v3 rejects. The fast decoder reports two
// errors itself, because yaml.v3 reports them too and the fast decoder knows
// the column: a key defined twice in a mapping and a second document. Even
// then Decode runs yaml.v3 on the input, so that a mistake in the fast
// decoder can never turn a document yaml.v3 accepts into an error.
//
// Map keys are strings in the model. A plain key that resolves to another
// type is converted as sigs.k8s.io/yaml converts it (see keyString): 0x10
// becomes "16", 1.5 "1.5", true "true"; sigs.k8s.io/yaml rejects null and
// uint64 keys, which become "null" and decimal here. Two keys of one mapping
// that convert to the same string are an error unless yaml.v3 itself merges
// them (1 and 01 are both the integer 1: the later wins).

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// SyntaxError is the error Decode returns for input that is not a valid
// document: a YAML or JSON syntax error, a mapping key defined twice, a
// second document, or a number JSON cannot hold.
type SyntaxError struct {
	// Line is the 1-based line of the problem, or 0 if unknown.
	Line int
	// Column is the 1-based column, counted in characters, or 0 if unknown.
	Column int
	// Msg describes the problem.
	Msg string
}

// Error returns "line L, column C: msg", or "line L: msg" when the column is
// unknown, or msg alone when the line is unknown too.
func (e *SyntaxError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Decode decodes one YAML or JSON document into a tree of map[string]any,
// []any, string, bool, nil, int64, uint64 (integers above math.MaxInt64) and
// float64. Empty input, or input with only spaces, line breaks and comments,
// gives (nil, nil).
//
// Input whose first non-blank byte is '{' or '[' is decoded as JSON (RFC
// 8259) as encoding/json decodes it with UseNumber, numbers converted as
// above, and with encoding/json's error messages; invalid UTF-8 in strings
// becomes U+FFFD. A key defined twice, a number out of float64's range,
// nesting deeper than 10,000 levels and data after the value are errors.
//
// Other input is YAML, resolved as go.yaml.in/yaml/v3 resolves it (the YAML
// 1.2 core schema: yes and no are strings), with timestamps kept as strings;
// a second document and a key defined twice are errors. Keys that YAML
// resolves to something else than a string are converted as sigs.k8s.io/yaml
// converts them: 1 to "1", 0x10 to "16", 1.5 to "1.5", true to "true", and
// null to "null".
//
// Strings in the result may share memory with one copy of data that Decode
// makes.
//
// Every error Decode returns is a *SyntaxError. Decode is safe for concurrent
// use.
func Decode(data []byte) (any, error) {
	i := 0
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	if i < len(data) && (data[i] == '{' || data[i] == '[') {
		return decodeJSON(data)
	}
	v, res, err := decodeFast(data)
	if res == fastOK {
		return v, nil
	}
	rv, rerr := decodeYAMLv3(data)
	if res == fastError && rerr != nil {
		return nil, err
	}
	return rv, rerr
}

// fastResult tells how the fast decoder fared.
type fastResult int

const (
	fastOK    fastResult = iota // decoded
	fastError                   // the input has an error yaml.v3 reports too
	fastBail                    // not in the fast decoder's subset
)

// maxFastDepth bounds the fast decoder's nesting; deeper input goes to yaml.v3.
const maxFastDepth = 500

// maxFastKey bounds the length of keys the fast decoder takes: yaml.v3
// rejects simple keys longer than 1024 characters.
const maxFastKey = 1000

// decodeFast decodes data if it is in the block-style subset.
func decodeFast(data []byte) (any, fastResult, *SyntaxError) {
	if !fastChars(data) {
		return nil, fastBail, nil
	}
	p := &fastParser{src: string(data), le: -1}
	v := p.document()
	switch {
	case p.err != nil:
		return nil, fastError, p.err
	case p.bail:
		return nil, fastBail, nil
	}
	return v, fastOK, nil
}

// fastChars reports whether data is UTF-8 without a byte order mark and
// without tabs, carriage returns, line separators (U+0085, U+2028, U+2029) or
// characters YAML does not allow in a stream.
func fastChars(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c-0x20 < 0x5f || c == '\n' {
			i++
			continue
		}
		if c < 0x80 {
			return false
		}
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return false
		case r < 0xA0, r == 0x2028, r == 0x2029, r >= 0xD800 && r < 0xE000,
			r == 0xFEFF, r == 0xFFFE, r == 0xFFFF:
			return false
		}
		i += size
	}
	return true
}

// fastParser is the block-style decoder. It works line by line: the fields
// describe the current line, the first line with content that no node has
// consumed yet.
type fastParser struct {
	src    string
	ls     int  // offset of the line's first byte
	le     int  // offset of the line's '\n', or len(src)
	cs     int  // offset of the first content byte
	ind    int  // indentation; -1 at the end of input and at document markers
	line   int  // 1-based line number
	marker byte // '-' for a "---" line, '.' for a "..." line, else 0
	depth  int
	bail   bool
	err    *SyntaxError
	kvs    []entry // pending mapping entries of all open mappings
	items  []any   // pending items of all open sequences
}

// entry is a parsed mapping entry.
type entry struct {
	key   string // the model's key
	raw   string // the key's text as yaml.v3 compares keys (Node.Value)
	val   any
	line  int
	col   int
	typed bool // a plain key that resolved to something else than a string
}

// stopped reports whether parsing must unwind.
func (p *fastParser) stopped() bool { return p.bail || p.err != nil }

// giveUp makes the parser unwind and leave the input to yaml.v3.
func (p *fastParser) giveUp() {
	p.bail = true
	p.ind = -1
}

// next moves to the next line with content, skipping blank and comment-only
// lines.
func (p *fastParser) next() {
	pos := p.le + 1
	for pos < len(p.src) {
		p.line++
		le := strings.IndexByte(p.src[pos:], '\n')
		if le < 0 {
			le = len(p.src)
		} else {
			le += pos
		}
		cs := pos
		for cs < le && p.src[cs] == ' ' {
			cs++
		}
		if cs == le || p.src[cs] == '#' {
			pos = le + 1
			continue
		}
		p.ls, p.le, p.cs, p.ind, p.marker = pos, le, cs, cs-pos, 0
		if cs == pos && le-pos >= 3 {
			if m := p.src[pos : pos+3]; (m == "---" || m == "...") && (le-pos == 3 || p.src[pos+3] == ' ') {
				p.marker = m[0]
				p.ind = -1
			}
		}
		return
	}
	p.ls, p.le, p.cs, p.ind, p.marker = len(p.src), len(p.src), len(p.src), -1, 0
}

// eof reports whether all lines are consumed.
func (p *fastParser) eof() bool { return p.ind < 0 && p.marker == 0 }

// document parses the whole input.
func (p *fastParser) document() any {
	p.next()
	if p.eof() {
		return nil
	}
	if p.marker == '-' {
		if !p.lineDone(p.ls + 3) {
			p.giveUp()
			return nil
		}
		p.next()
		if p.eof() {
			return nil
		}
	}
	if p.marker != 0 || p.src[p.cs] == '%' {
		p.giveUp()
		return nil
	}
	v := p.node(p.cs)
	switch {
	case p.stopped() || p.eof():
	case p.marker == '-':
		p.err = &SyntaxError{Line: p.line, Column: 1, Msg: "unexpected second document"}
	default:
		p.giveUp()
	}
	return v
}

// node parses a node of any kind starting at offset pos of the current line.
func (p *fastParser) node(pos int) any {
	src := p.src
	switch c := src[pos]; c {
	case '-':
		if p.blankAt(pos + 1) {
			return p.sequence(pos)
		}
	case '"', '\'':
		s, end := p.quoted(pos)
		if p.stopped() {
			return nil
		}
		r := p.skipSpaces(end)
		if r < p.le && src[r] == ':' && p.blankAt(r+1) {
			return p.mapping(pos)
		}
		if !p.lineDone(end) {
			p.giveUp()
			return nil
		}
		p.next()
		return s
	case '{', '[':
		return p.flowLine(pos)
	}
	if !p.plainStart(pos) {
		p.giveUp()
		return nil
	}
	end, colon := p.plain(pos)
	if colon >= 0 {
		return p.mapping(pos)
	}
	return p.plainValue(pos, end)
}

// value parses the value of a mapping entry that starts at offset pos, after
// "key: " on the same line: a scalar or an empty flow collection.
func (p *fastParser) value(pos int) any {
	switch c := p.src[pos]; c {
	case '"', '\'':
		s, end := p.quoted(pos)
		if p.stopped() {
			return nil
		}
		if !p.lineDone(end) {
			p.giveUp()
			return nil
		}
		p.next()
		return s
	case '{', '[':
		return p.flowLine(pos)
	}
	if !p.plainStart(pos) {
		p.giveUp()
		return nil
	}
	end, colon := p.plain(pos)
	if colon >= 0 {
		p.giveUp()
		return nil
	}
	return p.plainValue(pos, end)
}

// plainValue resolves the plain scalar src[pos:end], which ends its line.
func (p *fastParser) plainValue(pos, end int) any {
	v := resolvePlain(p.src[pos:end])
	if _, ok := v.(mergeKey); ok {
		p.giveUp()
		return nil
	}
	p.next()
	return v
}

// flowLine parses the flow collection starting at offset pos, which must
// end its line.
func (p *fastParser) flowLine(pos int) any {
	v, end := p.flow(pos)
	if p.stopped() {
		return nil
	}
	if !p.lineDone(end) {
		p.giveUp() // a flow collection as a key, or more flow lines
		return nil
	}
	p.next()
	return v
}

// flow parses the flow collection starting at offset pos ('{' or '['),
// which must close on its line, and returns it and the offset after its
// closing bracket.
func (p *fastParser) flow(pos int) (any, int) {
	if p.depth++; p.depth > maxFastDepth {
		p.giveUp()
		return nil, 0
	}
	src := p.src
	mapping := src[pos] == '{'
	closing := byte(']')
	if mapping {
		closing = '}'
	}
	start := len(p.items)
	if mapping {
		start = len(p.kvs)
	}
	i := p.skipSpaces(pos + 1)
	if i < p.le && src[i] == closing {
		i++
	} else {
		for {
			var end int
			if mapping {
				end = p.flowEntry(i)
			} else {
				var item any
				item, end = p.flowNode(i)
				p.items = append(p.items, item)
			}
			if p.stopped() {
				return nil, 0
			}
			i = p.skipSpaces(end)
			if i >= p.le {
				p.giveUp()
				return nil, 0
			}
			if src[i] == closing {
				i++
				break
			}
			if src[i] != ',' {
				p.giveUp()
				return nil, 0
			}
			if i = p.skipSpaces(i + 1); i >= p.le || src[i] == closing {
				p.giveUp() // a trailing comma, or the line ends
				return nil, 0
			}
		}
	}
	p.depth--
	if mapping {
		return p.popMap(start, true), i
	}
	return p.popItems(start), i
}

// flowEntry parses the "key: value" entry of a flow mapping starting at
// offset pos, appends it to p.kvs and returns the offset after it.
func (p *fastParser) flowEntry(pos int) int {
	src := p.src
	if pos >= p.le {
		p.giveUp()
		return 0
	}
	e := entry{line: p.line}
	var colon int
	switch c := src[pos]; {
	case c == '"' || c == '\'':
		s, end := p.quoted(pos)
		if p.stopped() {
			return 0
		}
		colon = p.skipSpaces(end)
		e.key, e.raw = s, s
	case p.flowPlainStart(pos):
		end, stop := p.flowPlain(pos)
		if p.stopped() {
			return 0
		}
		colon = stop
		if !p.plainKey(src[pos:end], &e) {
			return 0
		}
	default:
		p.giveUp()
		return 0
	}
	if colon >= p.le || src[colon] != ':' || !p.blankAt(colon+1) || colon-pos > maxFastKey {
		p.giveUp() // a key without a value, a JSON-like "key":value
		return 0
	}
	v, end := p.flowNode(p.skipSpaces(colon + 1))
	if p.stopped() {
		return 0
	}
	e.val = v
	p.kvs = append(p.kvs, e)
	return end
}

// flowNode parses a scalar or flow collection inside a flow collection at
// offset pos and returns it and the offset after it.
func (p *fastParser) flowNode(pos int) (any, int) {
	src := p.src
	if pos >= p.le {
		p.giveUp()
		return nil, 0
	}
	switch c := src[pos]; {
	case c == '"' || c == '\'':
		s, end := p.quoted(pos)
		return s, end
	case c == '{' || c == '[':
		return p.flow(pos)
	case !p.flowPlainStart(pos):
		p.giveUp() // an empty entry, a property, an alias, ...
		return nil, 0
	}
	end, stop := p.flowPlain(pos)
	if p.stopped() {
		return nil, 0
	}
	if src[stop] == ':' {
		p.giveUp() // "key: value" as a sequence item
		return nil, 0
	}
	v := resolvePlain(src[pos:end])
	if _, ok := v.(mergeKey); ok {
		p.giveUp()
		return nil, 0
	}
	return v, end
}

// flowPlainStart reports whether a plain scalar may start at offset i
// inside a flow collection.
func (p *fastParser) flowPlainStart(i int) bool {
	switch p.src[i] {
	case '?', ':':
		return false // indicators wherever they start a token in flow
	case '-':
		return i+1 < p.le && p.src[i+1] != ' ' && !isFlowIndicator(p.src[i+1])
	}
	return p.plainStart(i)
}

// flowPlain scans the plain scalar inside a flow collection starting at
// offset pos. It returns the end of its text, without trailing spaces, and
// the offset of what ended it: ',', ']' or '}', or the ':' of "key: ". It
// gives up on a scalar that does not end on its line, and where yaml.v3
// would read an indicator ('?', '[' or '{' inside the scalar, a ':' before
// a flow indicator) or a comment.
func (p *fastParser) flowPlain(pos int) (end, stop int) {
	src := p.src
	for i := pos; i < p.le; i++ {
		switch src[i] {
		case ',', ']', '}':
			return p.trimSpaces(pos, i), i
		case '[', '{', '?':
			p.giveUp()
			return 0, 0
		case ':':
			if i+1 >= p.le || isFlowIndicator(src[i+1]) {
				p.giveUp()
				return 0, 0
			}
			if src[i+1] == ' ' {
				return p.trimSpaces(pos, i), i
			}
		case ' ':
			if i+1 < p.le && src[i+1] == '#' {
				p.giveUp()
				return 0, 0
			}
		}
	}
	p.giveUp()
	return 0, 0
}

// trimSpaces returns end moved back over the spaces that precede it, but
// not before pos.
func (p *fastParser) trimSpaces(pos, end int) int {
	for end > pos && p.src[end-1] == ' ' {
		end--
	}
	return end
}

// isFlowIndicator reports whether c is one of YAML's flow indicators.
func isFlowIndicator(c byte) bool {
	return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'
}

// indented parses the node that follows an indicator ending its line ("key:"
// or "-") at column col: a node indented further, or for a mapping value a
// sequence at col, or else null.
func (p *fastParser) indented(col int, mappingValue bool) any {
	p.next()
	switch {
	case p.ind > col:
		return p.node(p.cs)
	case mappingValue && p.ind == col && p.src[p.cs] == '-' && p.blankAt(p.cs+1):
		return p.sequence(p.cs)
	}
	return nil
}

// sequence parses a block sequence whose first "-" is at offset pos.
func (p *fastParser) sequence(pos int) any {
	col := pos - p.ls
	if p.depth++; p.depth > maxFastDepth {
		p.giveUp()
		return nil
	}
	start := len(p.items)
	for {
		var item any
		if q := p.skipSpaces(pos + 1); q >= p.le || p.src[q] == '#' {
			item = p.indented(col, false)
		} else {
			item = p.node(q)
		}
		if p.stopped() {
			return nil
		}
		p.items = append(p.items, item)
		if p.ind != col {
			if p.ind > col {
				p.giveUp()
				return nil
			}
			break
		}
		if pos = p.cs; p.src[pos] != '-' || !p.blankAt(pos+1) {
			break
		}
	}
	p.depth--
	return p.popItems(start)
}

// popItems returns the pending sequence items p.items[start:] as a new
// slice and drops them from the stack.
func (p *fastParser) popItems(start int) []any {
	s := make([]any, len(p.items)-start)
	copy(s, p.items[start:])
	clear(p.items[start:])
	p.items = p.items[:start]
	return s
}

// mapping parses a block mapping whose first key starts at offset pos.
func (p *fastParser) mapping(pos int) any {
	col := pos - p.ls
	if p.depth++; p.depth > maxFastDepth {
		p.giveUp()
		return nil
	}
	start := len(p.kvs)
	for {
		e := entry{line: p.line, col: col + 1}
		vpos := p.key(pos, &e)
		if p.stopped() {
			return nil
		}
		if q := p.skipSpaces(vpos); q >= p.le || p.src[q] == '#' {
			e.val = p.indented(col, true)
		} else {
			e.val = p.value(q)
		}
		if p.stopped() {
			return nil
		}
		p.kvs = append(p.kvs, e)
		if p.ind != col {
			if p.ind > col {
				p.giveUp()
				return nil
			}
			break
		}
		pos = p.cs
		if p.src[pos] == '-' && p.blankAt(pos+1) {
			p.giveUp()
			return nil
		}
	}
	p.depth--
	return p.popMap(start, false)
}

// popMap returns the map of the pending entries p.kvs[start:] (see build)
// and drops them from the stack.
func (p *fastParser) popMap(start int, flow bool) map[string]any {
	m := p.build(start, flow)
	clear(p.kvs[start:])
	p.kvs = p.kvs[:start]
	return m
}

// build makes the map of the entries p.kvs[start:], checking for duplicate
// keys as yaml.v3 does. A duplicate key in a flow mapping, whose column the
// entries do not keep, is left to yaml.v3 to report.
func (p *fastParser) build(start int, flow bool) map[string]any {
	kvs := p.kvs[start:]
	m := make(map[string]any, len(kvs))
	typed := false
	for i := range kvs {
		e := &kvs[i]
		if _, dup := m[e.key]; dup {
			for j := range i {
				if kvs[j].key != e.key {
					continue
				}
				if kvs[j].raw != e.raw || flow {
					// Say 1 and 0x1: yaml.v3 may keep one or both.
					p.giveUp()
					return nil
				}
				p.duplicate(e, &kvs[j])
				return nil
			}
		}
		m[e.key] = e.val
		typed = typed || e.typed
	}
	if typed {
		// yaml.v3 compares keys by their text: "~" and ~ are the same key
		// to it, though one is the string "~" and the other null.
		seen := make(map[string]int, len(kvs))
		for i := range kvs {
			if j, ok := seen[kvs[i].raw]; ok {
				if flow {
					p.giveUp()
					return nil
				}
				p.duplicate(&kvs[i], &kvs[j])
				return nil
			}
			seen[kvs[i].raw] = i
		}
	}
	return m
}

// duplicate records the error of key e defined before as first.
func (p *fastParser) duplicate(e, first *entry) {
	p.err = &SyntaxError{
		Line:   e.line,
		Column: e.col,
		Msg:    fmt.Sprintf("mapping key %q already defined at line %d", e.raw, first.line),
	}
	p.ind = -1
}

// key parses a mapping key and its ':' at offset pos into e and returns the
// offset after the ':'.
func (p *fastParser) key(pos int, e *entry) int {
	src := p.src
	if c := src[pos]; c == '"' || c == '\'' {
		s, end := p.quoted(pos)
		if p.stopped() {
			return 0
		}
		r := p.skipSpaces(end)
		if r >= p.le || src[r] != ':' || !p.blankAt(r+1) || r-pos > maxFastKey {
			p.giveUp()
			return 0
		}
		e.key, e.raw = s, s
		return r + 1
	}
	if !p.plainStart(pos) {
		p.giveUp()
		return 0
	}
	end, colon := p.plain(pos)
	if colon < 0 || colon-pos > maxFastKey {
		p.giveUp()
		return 0
	}
	if !p.plainKey(src[pos:end], e) {
		return 0
	}
	return colon + 1
}

// plainKey sets e's key from the plain scalar text, or gives up on a merge
// key and reports false.
func (p *fastParser) plainKey(text string, e *entry) bool {
	e.raw = text
	switch v := resolvePlain(text).(type) {
	case string:
		e.key = v
	case mergeKey:
		p.giveUp()
		return false
	default:
		e.key = keyString(v)
		e.typed = true
	}
	return true
}

// blankAt reports whether offset i is the end of the line or a space.
func (p *fastParser) blankAt(i int) bool {
	return i >= p.le || p.src[i] == ' '
}

// skipSpaces returns the first offset from i on that is not a space.
func (p *fastParser) skipSpaces(i int) int {
	for i < p.le && p.src[i] == ' ' {
		i++
	}
	return i
}

// lineDone reports whether only spaces and a comment follow offset i.
func (p *fastParser) lineDone(i int) bool {
	j := p.skipSpaces(i)
	return j >= p.le || p.src[j] == '#' && j > i
}

// plainStart reports whether a plain scalar may start at offset i.
func (p *fastParser) plainStart(i int) bool {
	switch p.src[i] {
	case '-', '?', ':':
		return !p.blankAt(i + 1)
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	return true
}

// plain scans the plain scalar starting at offset pos. It returns the end of
// its text, without trailing spaces, and the offset of the ':' that makes it
// a key, or -1.
func (p *fastParser) plain(pos int) (end, colon int) {
	src := p.src
	le := p.le
	i := pos
	for ; i < le; i++ {
		switch src[i] {
		case ':':
			if i+1 == le || src[i+1] == ' ' {
				colon = i
				for i > pos && src[i-1] == ' ' {
					i--
				}
				return i, colon
			}
		case ' ':
			if i+1 < le && src[i+1] == '#' {
				for i > pos && src[i-1] == ' ' {
					i--
				}
				return i, -1
			}
		}
	}
	for i > pos && src[i-1] == ' ' {
		i--
	}
	return i, -1
}

// quoted parses the single- or double-quoted scalar starting at offset pos
// and returns it and the offset after its closing quote. A scalar that does
// not end on its line makes the parser give up.
func (p *fastParser) quoted(pos int) (string, int) {
	src := p.src
	q := src[pos]
	var b []byte // the value, once it differs from the input
	seg := pos + 1
	for i := pos + 1; i < p.le; {
		c := src[i]
		switch {
		case c == q && q == '\'' && i+1 < p.le && src[i+1] == '\'':
			b = append(b, src[seg:i+1]...)
			i += 2
			seg = i
		case c == q:
			if b == nil {
				return src[seg:i], i + 1
			}
			b = append(b, src[seg:i]...)
			return string(b), i + 1
		case c == '\\' && q == '"':
			b = append(b, src[seg:i]...)
			n, ok := p.escape(&b, i)
			if !ok {
				p.giveUp()
				return "", 0
			}
			i += n
			seg = i
		default:
			i++
		}
	}
	p.giveUp()
	return "", 0
}

// escape appends the character of the escape sequence at offset i to b and
// returns the sequence's length, as yaml.v3 reads double-quoted scalars.
func (p *fastParser) escape(b *[]byte, i int) (int, bool) {
	src := p.src
	if i+1 >= p.le {
		return 0, false // an escaped line break
	}
	var r rune
	n := 0
	switch src[i+1] {
	case '0':
		r = 0
	case 'a':
		r = '\a'
	case 'b':
		r = '\b'
	case 't':
		r = '\t'
	case 'n':
		r = '\n'
	case 'v':
		r = '\v'
	case 'f':
		r = '\f'
	case 'r':
		r = '\r'
	case 'e':
		r = 0x1b
	case ' ':
		r = ' '
	case '"':
		r = '"'
	case '\'':
		r = '\''
	case '\\':
		r = '\\'
	case 'N':
		r = 0x85
	case '_':
		r = 0xa0
	case 'L':
		r = 0x2028
	case 'P':
		r = 0x2029
	case 'x':
		n = 2
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return 0, false
	}
	if n > 0 {
		if i+2+n > p.le {
			return 0, false
		}
		v := 0
		for _, c := range []byte(src[i+2 : i+2+n]) {
			switch {
			case c >= '0' && c <= '9':
				v = v<<4 | int(c-'0')
			case c >= 'a' && c <= 'f':
				v = v<<4 | int(c-'a'+10)
			case c >= 'A' && c <= 'F':
				v = v<<4 | int(c-'A'+10)
			default:
				return 0, false
			}
		}
		if v >= 0xD800 && v <= 0xDFFF || v > 0x10FFFF {
			return 0, false
		}
		r = rune(v)
	}
	*b = utf8.AppendRune(*b, r)
	return 2 + n, true
}

// decodeYAMLv3 decodes data with go.yaml.in/yaml/v3 and normalizes the result
// to the model. It is the fast decoder's fallback and its reference.
func decodeYAMLv3(data []byte) (any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, parseError(err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == io.EOF:
	case err != nil:
		return nil, parseError(err)
	default:
		return nil, &SyntaxError{Line: extra.Line, Column: extra.Column, Msg: "unexpected second document"}
	}
	untagTimestamps(&doc)
	var v any
	if err := doc.Decode(&v); err != nil {
		return nil, yamlError(err, &doc)
	}
	v, err := normalize(v)
	if err != nil {
		if kerr := (*keyCollisionError)(nil); errors.As(err, &kerr) {
			return nil, collisionError(&doc, kerr.key)
		}
		return nil, &SyntaxError{Msg: err.Error()}
	}
	return v, nil
}

// untagTimestamps makes yaml.v3 decode plain scalars it would resolve to
// time.Time as strings.
func untagTimestamps(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!timestamp" && n.Style&yaml.TaggedStyle == 0 {
		n.Tag = "!!str"
	}
	for _, c := range n.Content {
		untagTimestamps(c)
	}
}

// keyCollisionError reports two keys of a mapping decoded by yaml.v3 that
// convert to the same string.
type keyCollisionError struct{ key string }

func (e *keyCollisionError) Error() string {
	return fmt.Sprintf("mapping key %q defined twice", e.key)
}

// normalize converts what yaml.v3 decodes into interface{} to the model, in
// place where it can.
func normalize(v any) (any, error) {
	switch v := v.(type) {
	case nil, string, bool, int64, uint64, float64:
		return v, nil
	case int:
		return int64(v), nil
	case time.Time:
		return v.Format(time.RFC3339Nano), nil
	case []any:
		for i, e := range v {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			v[i] = n
		}
		return v, nil
	case map[string]any:
		for k, e := range v {
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			v[k] = n
		}
		return v, nil
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			k, err := normalize(k)
			if err != nil {
				return nil, err
			}
			switch k.(type) {
			case []any, map[string]any:
				return nil, fmt.Errorf("invalid map key of type %T", k)
			}
			ks := keyString(k)
			if _, dup := m[ks]; dup {
				return nil, &keyCollisionError{ks}
			}
			n, err := normalize(e)
			if err != nil {
				return nil, err
			}
			m[ks] = n
		}
		return m, nil
	}
	return nil, fmt.Errorf("unexpected value of type %T", v)
}

// collisionError locates the second of two keys converting to key in doc.
func collisionError(doc *yaml.Node, key string) *SyntaxError {
	if n := findCollision(doc, key, map[*yaml.Node]bool{}); n != nil {
		return &SyntaxError{Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("mapping key %q defined twice", key)}
	}
	return &SyntaxError{Msg: fmt.Sprintf("mapping key %q defined twice", key)}
}

func findCollision(n *yaml.Node, key string, seen map[*yaml.Node]bool) *yaml.Node {
	if seen[n] {
		return nil
	}
	seen[n] = true
	if n.Kind == yaml.MappingNode {
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			var k any
			if n.Content[i].Decode(&k) != nil {
				continue
			}
			k, err := normalize(k)
			if err != nil {
				continue
			}
			switch k.(type) {
			case []any, map[string]any:
				continue
			}
			if keyString(k) == key {
				if found {
					return n.Content[i]
				}
				found = true
			}
		}
	}
	for _, c := range n.Content {
		if f := findCollision(c, key, seen); f != nil {
			return f
		}
	}
	return nil
}

// parseError converts an error of yaml.v3's parser to a *SyntaxError.
// yaml.v3 counts the lines of the problems its scanner finds from 1, of
// those its parser finds from 0, and leaves out line 0.
func parseError(err error) error {
	se := yamlError(err, nil)
	switch {
	case se.Line == 0 && !strings.HasPrefix(se.Msg, "unknown anchor") && !strings.HasPrefix(se.Msg, "attempted to go past"):
		se.Line = 1
	case se.Line > 0 && (strings.HasPrefix(se.Msg, "did not find expected ") || strings.HasPrefix(se.Msg, "found duplicate %") ||
		se.Msg == "found incompatible YAML document" || se.Msg == "found undefined tag handle"):
		se.Line++
	}
	return se
}

// yamlError converts an error of yaml.v3 to a *SyntaxError, taking the line
// from its text and, for a duplicate key, the column from doc.
func yamlError(err error, doc *yaml.Node) *SyntaxError {
	var msg string
	if te := (*yaml.TypeError)(nil); errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	} else {
		msg = strings.TrimPrefix(err.Error(), "yaml: ")
	}
	se := &SyntaxError{Msg: msg}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, m, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(num); err == nil {
				se.Line, se.Msg = line, m
			}
		}
	}
	if doc != nil && se.Line > 0 {
		if rest, ok := strings.CutPrefix(se.Msg, "mapping key "); ok {
			if i := strings.LastIndex(rest, " already defined at line "); i >= 0 {
				if key, err := strconv.Unquote(rest[:i]); err == nil {
					if n := findKey(doc, se.Line, key, map[*yaml.Node]bool{}); n != nil {
						se.Column = n.Column
					}
				}
			}
		}
	}
	return se
}

// findKey finds a mapping key node on the given line with the given text.
func findKey(n *yaml.Node, line int, key string, seen map[*yaml.Node]bool) *yaml.Node {
	if seen[n] {
		return nil
	}
	seen[n] = true
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Line == line && k.Value == key {
				return k
			}
		}
	}
	for _, c := range n.Content {
		if f := findKey(c, line, key, seen); f != nil {
			return f
		}
	}
	return nil
}
