package nmstate

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ordered is a mapping that [MarshalYAML] and [MarshalJSON] print in its
// own order instead of sorting its keys, for documents laid out as
// nmstatectl prints them (name and type first). Its keys should be
// distinct: every entry is printed as given. Decode never returns one, and
// code that walks documents expects map[string]any, so Ordered is for
// output only.
type Ordered []KV

// KV is one entry of an [Ordered] mapping.
type KV struct {
	Key   string
	Value any
}

// MarshalError reports a value that MarshalYAML or MarshalJSON cannot print.
type MarshalError struct {
	// Path locates the value, like "interfaces[2].mtu"; it is empty for the
	// document itself.
	Path string
	// Msg describes the problem.
	Msg string

	pathless bool // a path would be too long to be of use
}

// Error returns "path: msg", or msg alone for the document itself.
func (e *MarshalError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// atKey prefixes e's path with a map key.
func (e *MarshalError) atKey(k string) *MarshalError {
	switch {
	case e.pathless:
	case e.Path == "":
		e.Path = k
	case e.Path[0] == '[':
		e.Path = k + e.Path
	default:
		e.Path = k + "." + e.Path
	}
	return e
}

// atIndex prefixes e's path with a sequence index.
func (e *MarshalError) atIndex(i int) *MarshalError {
	if e.pathless {
		return e
	}
	p := "[" + strconv.Itoa(i) + "]"
	switch {
	case e.Path == "" || e.Path[0] == '[':
		e.Path = p + e.Path
	default:
		e.Path = p + "." + e.Path
	}
	return e
}

// maxDepth is how deeply collections may nest: sigs.k8s.io/yaml's parser
// stops there, and it catches cycles.
const maxDepth = 10000

// errTooDeep reports collections nested too deeply.
func errTooDeep() *MarshalError {
	return &MarshalError{Msg: "exceeded max depth of " + strconv.Itoa(maxDepth), pathless: true}
}

// MarshalYAML prints the model tree v as YAML, byte for byte as
// sigs.k8s.io/yaml.Marshal(v) does, which is what the original nmpolicyctl
// prints: map keys in yaml.v2's order, sequences not indented under their
// key, strings quoted where YAML 1.1 would read them as something else
// ("yes", "1", "2022-01-05"), long strings folded at 80 columns, multi-line
// strings as literal blocks, numbers as encoding/json writes them and then
// yaml.v2 reads and prints them (1.0 as 1, 1e20 as 1e+20). A nil v prints as
// "null\n".
//
// v may hold map[string]any, [Ordered], []any, string, bool, nil, int64, int,
// uint64 and float64; an Ordered mapping prints in its own order. MarshalYAML returns a *MarshalError for other types, for NaN and
// infinite floats, for collections nested deeper than 10,000 levels, and for
// what sigs.k8s.io/yaml fails on: strings with U+007F to U+009F (but U+0085),
// U+FFFE or U+FFFF, map keys longer than 1024 characters once escaped as
// JSON or with U+0085 in them, and a U+0085 followed by "--- " or "... ".
// Invalid UTF-8 is printed as U+FFFD, as encoding/json does.
//
// MarshalYAML is safe for concurrent use if nothing modifies v meanwhile.
func MarshalYAML(v any) ([]byte, error) {
	e := &yamlEmitter{
		buf:        make([]byte, 0, 4096),
		indent:     -1,
		whitespace: true,
		indention:  true,
	}
	if err := e.node(v, ctxRoot, 0); err != nil {
		return nil, err
	}
	e.writeIndent() // the document's end
	return e.out.bytes(e.buf), nil
}

// chunkSize is the size of the pieces the encoders write their output in:
// growing one buffer to 13 MiB would copy it over and over.
const chunkSize = 256 << 10

// chunks holds the full pieces of an encoder's output.
type chunks struct {
	full [][]byte
	size int
}

// spill moves buf to the full pieces once it is nearly full and returns the
// buffer to write on.
func (c *chunks) spill(buf []byte) []byte {
	if len(buf) < chunkSize-4096 {
		return buf
	}
	c.full = append(c.full, buf)
	c.size += len(buf)
	return make([]byte, 0, chunkSize)
}

// bytes returns the output, the full pieces followed by last.
func (c *chunks) bytes(last []byte) []byte {
	if len(c.full) == 0 {
		return last
	}
	out := make([]byte, 0, c.size+len(last))
	for _, b := range c.full {
		out = append(out, b...)
	}
	return append(out, last...)
}

// Node contexts, as yaml.v2's emitter tracks them.
const (
	ctxRoot      = 1 << iota // the document's node
	ctxSequence              // a sequence item
	ctxMapping               // a mapping key or value
	ctxSimpleKey             // a mapping key printed without "?"
)

// Scalar styles.
const (
	stylePlain = iota
	styleSingle
	styleDouble
	styleLiteral
)

// bestWidth is where yaml.v2 folds long scalars.
const bestWidth = 80

// yamlEmitter is the part of yaml.v2's emitter (emitterc.go) that
// sigs.k8s.io/yaml reaches, driven by recursion instead of events. Its
// methods follow the yaml.v2 functions of the same names (writeIndent is
// yaml_emitter_write_indent), so the two can be compared side by side.
type yamlEmitter struct {
	buf        []byte
	out        chunks
	column     int // in characters
	indent     int
	indents    []int
	whitespace bool // the last character written was a space
	indention  bool // only indentation is on the line so far
	keys       [][]sortKey
	sorter     sortKeys
}

// node emits the model value v.
func (e *yamlEmitter) node(v any, ctx, depth int) *MarshalError {
	e.buf = e.out.spill(e.buf)
	switch v := v.(type) {
	case nil:
		e.writeWord("null")
	case string:
		s, err := yamlString(v)
		if err != nil {
			return err
		}
		e.scalar(s, stringStyle(s), ctx)
	case bool:
		if v {
			e.writeWord("true")
		} else {
			e.writeWord("false")
		}
	case int64:
		e.writeSpace()
		n := len(e.buf)
		e.buf = strconv.AppendInt(e.buf, v, 10)
		e.wroteWord(len(e.buf) - n)
	case int:
		e.writeSpace()
		n := len(e.buf)
		e.buf = strconv.AppendInt(e.buf, int64(v), 10)
		e.wroteWord(len(e.buf) - n)
	case uint64:
		e.writeSpace()
		n := len(e.buf)
		e.buf = strconv.AppendUint(e.buf, v, 10)
		e.wroteWord(len(e.buf) - n)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &MarshalError{Msg: "unsupported value: " + strconv.FormatFloat(v, 'g', -1, 64)}
		}
		e.scalar(yamlFloat(v), stylePlain, ctx)
	case map[string]any:
		if v == nil {
			e.writeWord("null")
			return nil
		}
		if depth++; depth > maxDepth {
			return errTooDeep()
		}
		if len(v) == 0 {
			e.emptyFlow("{", "}")
			return nil
		}
		return e.mapping(v, depth)
	case Ordered:
		if v == nil {
			e.writeWord("null")
			return nil
		}
		if depth++; depth > maxDepth {
			return errTooDeep()
		}
		if len(v) == 0 {
			e.emptyFlow("{", "}")
			return nil
		}
		return e.ordered(v, depth)
	case []any:
		if v == nil {
			e.writeWord("null")
			return nil
		}
		if depth++; depth > maxDepth {
			return errTooDeep()
		}
		if len(v) == 0 {
			e.emptyFlow("[", "]")
			return nil
		}
		return e.sequence(v, ctx, depth)
	default:
		return &MarshalError{Msg: "unsupported type " + typeName(v)}
	}
	return nil
}

// sortKey is a map key sorted in yaml.v2's order.
type sortKey struct {
	key   string // as printed
	orig  string // as in the map
	runes []rune // key's runes, unless key is ASCII
	val   any
}

// sortKeys sorts keys as yaml.v2's keyList does.
type sortKeys struct{ s []sortKey }

func (l *sortKeys) Len() int      { return len(l.s) }
func (l *sortKeys) Swap(i, j int) { l.s[i], l.s[j] = l.s[j], l.s[i] }
func (l *sortKeys) Less(i, j int) bool {
	a, b := &l.s[i], &l.s[j]
	if a.runes == nil && b.runes == nil {
		return naturalLessASCII(a.key, b.key)
	}
	ar, br := a.runes, b.runes
	if ar == nil {
		ar = []rune(a.key)
	}
	if br == nil {
		br = []rune(b.key)
	}
	return naturalLess(ar, br)
}

// mapping emits a non-empty block mapping.
func (e *yamlEmitter) mapping(m map[string]any, depth int) *MarshalError {
	for len(e.keys) < depth {
		e.keys = append(e.keys, nil)
	}
	keys := e.keys[depth-1][:0]
	coerced := false
	for k, v := range m {
		sk := sortKey{key: k, orig: k, val: v}
		ascii, valid, err := checkYAMLKey(k)
		if !valid {
			sk.key = validUTF8(k)
			coerced = true
		}
		if err != nil {
			return err.atKey(sk.key)
		}
		if !ascii {
			sk.runes = []rune(sk.key)
		}
		keys = append(keys, sk)
	}
	if coerced {
		keys = dedupCoerced(keys)
	}
	e.sorter.s = keys
	sort.Sort(&e.sorter)
	e.sorter.s = nil
	e.keys[depth-1] = keys
	return e.entries(keys, depth)
}

// ordered emits a non-empty Ordered mapping in its own order.
func (e *yamlEmitter) ordered(o Ordered, depth int) *MarshalError {
	for len(e.keys) < depth {
		e.keys = append(e.keys, nil)
	}
	keys := e.keys[depth-1][:0]
	for _, kv := range o {
		sk := sortKey{key: kv.Key, val: kv.Value}
		_, valid, err := checkYAMLKey(kv.Key)
		if !valid {
			sk.key = validUTF8(kv.Key)
		}
		if err != nil {
			return err.atKey(sk.key)
		}
		keys = append(keys, sk)
	}
	e.keys[depth-1] = keys
	return e.entries(keys, depth)
}

// entries emits the entries of a block mapping, in the order of keys.
func (e *yamlEmitter) entries(keys []sortKey, depth int) *MarshalError {
	e.increaseIndent(false, false)
	for i := range keys {
		k := keys[i].key
		e.writeIndent()
		style := stringStyle(k)
		if a := analyzeScalar(k); !a.multiline && len(k) <= 128 {
			e.scalarAnalyzed(k, style, ctxMapping|ctxSimpleKey, a)
			e.writeIndicator(":", false, false, false)
		} else {
			e.writeIndicator("?", true, false, true)
			e.scalarAnalyzed(k, style, ctxMapping, a)
			e.writeIndent()
			e.writeIndicator(":", true, false, true)
		}
		if err := e.node(keys[i].val, ctxMapping, depth); err != nil {
			return err.atKey(k)
		}
	}
	e.popIndent()
	clear(keys)
	return nil
}

// dedupCoerced keeps, of keys that print the same after UTF-8 coercion, the
// one yaml.v2 keeps: encoding/json writes keys sorted by their original bytes
// and yaml.v2 lets the last one win.
func dedupCoerced(keys []sortKey) []sortKey {
	best := make(map[string]int, len(keys))
	out := keys[:0]
	for _, k := range keys {
		if i, ok := best[k.key]; ok {
			if k.orig > out[i].orig {
				out[i] = k
			}
			continue
		}
		best[k.key] = len(out)
		out = append(out, k)
	}
	return out
}

// sequence emits a non-empty block sequence.
func (e *yamlEmitter) sequence(s []any, ctx, depth int) *MarshalError {
	e.increaseIndent(false, ctx&ctxMapping != 0 && !e.indention)
	for i, item := range s {
		e.writeIndent()
		e.writeIndicator("-", true, false, true)
		if err := e.node(item, ctxSequence, depth); err != nil {
			return err.atIndex(i)
		}
	}
	e.popIndent()
	return nil
}

// emptyFlow emits "{}" or "[]".
func (e *yamlEmitter) emptyFlow(open, close string) {
	e.writeIndicator(open, true, true, false)
	e.writeIndicator(close, false, false, false)
}

// scalar emits a scalar.
func (e *yamlEmitter) scalar(value string, style, ctx int) {
	e.scalarAnalyzed(value, style, ctx, analyzeScalar(value))
}

// scalarAnalyzed is yaml_emitter_emit_scalar with the style selection of
// yaml_emitter_select_scalar_style, outside flow collections.
func (e *yamlEmitter) scalarAnalyzed(value string, style, ctx int, a scalarAnalysis) {
	simpleKey := ctx&ctxSimpleKey != 0
	if simpleKey && a.multiline {
		style = styleDouble
	}
	if style == stylePlain {
		if !a.blockPlainAllowed || len(value) == 0 && simpleKey {
			style = styleSingle
		}
	}
	if style == styleSingle && !a.singleQuotedAllowed {
		style = styleDouble
	}
	if style == styleLiteral && (!a.blockAllowed || simpleKey) {
		style = styleDouble
	}
	e.increaseIndent(true, false)
	switch style {
	case stylePlain:
		e.writePlain(value, !simpleKey)
	case styleSingle:
		e.writeSingleQuoted(value, !simpleKey)
	case styleDouble:
		e.writeDoubleQuoted(value, !simpleKey)
	case styleLiteral:
		e.writeLiteral(value)
	}
	e.popIndent()
}

// stringStyle is the style yaml.v2's encoder asks for a string.
func stringStyle(s string) int {
	switch {
	case strings.IndexByte(s, '\n') >= 0:
		return styleLiteral
	case plainIsStringV2(s):
		return stylePlain
	}
	return styleDouble
}

func (e *yamlEmitter) increaseIndent(flow, indentless bool) {
	e.indents = append(e.indents, e.indent)
	switch {
	case e.indent < 0 && flow:
		e.indent = 2
	case e.indent < 0:
		e.indent = 0
	case !indentless:
		e.indent += 2
	}
}

func (e *yamlEmitter) popIndent() {
	e.indent = e.indents[len(e.indents)-1]
	e.indents = e.indents[:len(e.indents)-1]
}

func (e *yamlEmitter) put(c byte) {
	e.buf = append(e.buf, c)
	e.column++
}

func (e *yamlEmitter) putBreak() {
	e.buf = append(e.buf, '\n')
	e.column = 0
}

// write copies the character at s[*i].
func (e *yamlEmitter) write(s string, i *int) {
	w := width(s[*i])
	e.buf = append(e.buf, s[*i:*i+w]...)
	e.column++
	*i += w
}

// writeBreak copies the line break at s[*i].
func (e *yamlEmitter) writeBreak(s string, i *int) {
	if s[*i] == '\n' {
		e.putBreak()
		*i++
		return
	}
	e.write(s, i)
	e.column = 0
}

func (e *yamlEmitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || e.column == indent && !e.whitespace {
		e.putBreak()
	}
	for e.column < indent {
		e.put(' ')
	}
	e.whitespace = true
	e.indention = true
}

func (e *yamlEmitter) writeIndicator(indicator string, needWhitespace, isWhitespace, isIndention bool) {
	if needWhitespace && !e.whitespace {
		e.put(' ')
	}
	e.buf = append(e.buf, indicator...)
	e.column += utf8.RuneCountInString(indicator)
	e.whitespace = isWhitespace
	e.indention = e.indention && isIndention
}

// writeSpace starts a plain scalar: a space unless one was just written.
func (e *yamlEmitter) writeSpace() {
	if !e.whitespace {
		e.put(' ')
	}
}

// wroteWord ends a plain scalar of n ASCII characters without spaces.
func (e *yamlEmitter) wroteWord(n int) {
	e.column += n
	e.whitespace = false
	e.indention = false
}

// writeWord emits a plain scalar of ASCII characters without spaces that
// analyzeScalar finds nothing special about: null, true, false.
func (e *yamlEmitter) writeWord(w string) {
	e.writeSpace()
	e.buf = append(e.buf, w...)
	e.wroteWord(len(w))
}

func (e *yamlEmitter) writePlain(value string, allowBreaks bool) {
	if !e.whitespace {
		e.put(' ')
	}
	if !allowBreaks || e.column+len(value) <= bestWidth || strings.IndexByte(value, ' ') < 0 {
		// Nothing to fold: plain scalars have no line breaks.
		e.buf = append(e.buf, value...)
		if isASCII(value) {
			e.column += len(value)
		} else {
			e.column += utf8.RuneCountInString(value)
		}
		e.whitespace = false
		e.indention = false
		return
	}
	spaces, breaks := false, false
	for i := 0; i < len(value); {
		switch {
		case value[i] == ' ':
			if allowBreaks && !spaces && e.column > bestWidth && !isSpaceAt(value, i+1) {
				e.writeIndent()
				i++
			} else {
				e.write(value, &i)
			}
			spaces = true
		case isBreak(value, i):
			if !breaks && value[i] == '\n' {
				e.putBreak()
			}
			e.writeBreak(value, &i)
			e.indention = true
			breaks = true
		default:
			if breaks {
				e.writeIndent()
			}
			e.write(value, &i)
			e.indention = false
			spaces, breaks = false, false
		}
	}
	e.whitespace = false
	e.indention = false
}

func (e *yamlEmitter) writeSingleQuoted(value string, allowBreaks bool) {
	e.writeIndicator("'", true, false, false)
	spaces, breaks := false, false
	for i := 0; i < len(value); {
		switch {
		case value[i] == ' ':
			if allowBreaks && !spaces && e.column > bestWidth && i > 0 && i < len(value)-1 && !isSpaceAt(value, i+1) {
				e.writeIndent()
				i++
			} else {
				e.write(value, &i)
			}
			spaces = true
		case isBreak(value, i):
			if !breaks && value[i] == '\n' {
				e.putBreak()
			}
			e.writeBreak(value, &i)
			e.indention = true
			breaks = true
		default:
			if breaks {
				e.writeIndent()
			}
			if value[i] == '\'' {
				e.put('\'')
			}
			e.write(value, &i)
			e.indention = false
			spaces, breaks = false, false
		}
	}
	e.writeIndicator("'", false, false, false)
	e.whitespace = false
	e.indention = false
}

func (e *yamlEmitter) writeDoubleQuoted(value string, allowBreaks bool) {
	const hex = "0123456789ABCDEF"
	spaces := false
	e.writeIndicator(`"`, true, false, false)
	bom := strings.HasPrefix(value, "\uFEFF")
	for i := 0; i < len(value); {
		switch {
		case !isPrintable(value, i) || bom || isBreak(value, i) || value[i] == '"' || value[i] == '\\':
			r, w := utf8.DecodeRuneInString(value[i:])
			i += w
			e.put('\\')
			switch r {
			case 0x00:
				e.put('0')
			case 0x07:
				e.put('a')
			case 0x08:
				e.put('b')
			case 0x09:
				e.put('t')
			case 0x0A:
				e.put('n')
			case 0x0b:
				e.put('v')
			case 0x0c:
				e.put('f')
			case 0x0d:
				e.put('r')
			case 0x1b:
				e.put('e')
			case 0x22:
				e.put('"')
			case 0x5c:
				e.put('\\')
			case 0x85:
				e.put('N')
			case 0xA0:
				e.put('_')
			case 0x2028:
				e.put('L')
			case 0x2029:
				e.put('P')
			default:
				n := 8
				switch {
				case r <= 0xFF:
					e.put('x')
					n = 2
				case r <= 0xFFFF:
					e.put('u')
					n = 4
				default:
					e.put('U')
				}
				for k := (n - 1) * 4; k >= 0; k -= 4 {
					e.put(hex[(r>>uint(k))&0x0F])
				}
			}
			spaces = false
		case value[i] == ' ':
			if allowBreaks && !spaces && e.column > bestWidth && i > 0 && i < len(value)-1 {
				e.writeIndent()
				if isSpaceAt(value, i+1) {
					e.put('\\')
				}
				i++
			} else {
				e.write(value, &i)
			}
			spaces = true
		default:
			e.write(value, &i)
			spaces = false
		}
	}
	e.writeIndicator(`"`, false, false, false)
	e.whitespace = false
	e.indention = false
}

func (e *yamlEmitter) writeLiteral(value string) {
	e.writeIndicator("|", true, false, false)
	e.writeBlockScalarHints(value)
	e.putBreak()
	e.indention = true
	e.whitespace = true
	breaks := true
	for i := 0; i < len(value); {
		if isBreak(value, i) {
			e.writeBreak(value, &i)
			e.indention = true
			breaks = true
			continue
		}
		if breaks {
			e.writeIndent()
		}
		e.write(value, &i)
		e.indention = false
		breaks = false
	}
}

func (e *yamlEmitter) writeBlockScalarHints(value string) {
	if isSpaceAt(value, 0) || isBreak(value, 0) {
		e.writeIndicator("2", false, false, false)
	}
	chomp := ""
	if len(value) == 0 {
		chomp = "-"
	} else {
		i := len(value) - 1
		for value[i]&0xC0 == 0x80 {
			i--
		}
		switch {
		case !isBreak(value, i):
			chomp = "-"
		case i == 0:
			chomp = "+"
		default:
			i--
			for value[i]&0xC0 == 0x80 {
				i--
			}
			if isBreak(value, i) {
				chomp = "+"
			}
		}
	}
	if chomp != "" {
		e.writeIndicator(chomp, false, false, false)
	}
}

// scalarAnalysis is what yaml_emitter_analyze_scalar finds out about a
// scalar, less what only flow collections need.
type scalarAnalysis struct {
	multiline           bool
	blockPlainAllowed   bool
	singleQuotedAllowed bool
	blockAllowed        bool
}

// analyzeScalar is yaml_emitter_analyze_scalar.
func analyzeScalar(value string) scalarAnalysis {
	if len(value) == 0 {
		return scalarAnalysis{blockPlainAllowed: true, singleQuotedAllowed: true}
	}
	if simpleScalar(value) {
		return scalarAnalysis{blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true}
	}
	var (
		blockIndicators   bool
		lineBreaks        bool
		specialCharacters bool
		leadingSpace      bool
		leadingBreak      bool
		trailingSpace     bool
		trailingBreak     bool
		breakSpace        bool
		spaceBreak        bool
		previousSpace     bool
		previousBreak     bool
	)
	if strings.HasPrefix(value, "---") || strings.HasPrefix(value, "...") {
		blockIndicators = true
	}
	precededByWhitespace := true
	for i, w := 0, 0; i < len(value); i += w {
		w = width(value[i])
		followedByWhitespace := i+w >= len(value) || value[i+w] == ' ' || value[i+w] == '\t'
		if i == 0 {
			switch value[i] {
			case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
				blockIndicators = true
			case '?', ':':
				if followedByWhitespace {
					blockIndicators = true
				}
			case '-':
				if followedByWhitespace {
					blockIndicators = true
				}
			}
		} else {
			switch value[i] {
			case ':':
				if followedByWhitespace {
					blockIndicators = true
				}
			case '#':
				if precededByWhitespace {
					blockIndicators = true
				}
			}
		}
		if !isPrintable(value, i) {
			specialCharacters = true
		}
		switch {
		case value[i] == ' ':
			if i == 0 {
				leadingSpace = true
			}
			if i+w == len(value) {
				trailingSpace = true
			}
			if previousBreak {
				breakSpace = true
			}
			previousSpace = true
			previousBreak = false
		case isBreak(value, i):
			lineBreaks = true
			if i == 0 {
				leadingBreak = true
			}
			if i+w == len(value) {
				trailingBreak = true
			}
			if previousSpace {
				spaceBreak = true
			}
			previousSpace = false
			previousBreak = true
		default:
			previousSpace = false
			previousBreak = false
		}
		precededByWhitespace = isBlankz(value, i)
	}
	a := scalarAnalysis{
		multiline:           lineBreaks,
		blockPlainAllowed:   true,
		singleQuotedAllowed: true,
		blockAllowed:        true,
	}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
		a.blockPlainAllowed = false
	}
	if trailingSpace {
		a.blockAllowed = false
	}
	if breakSpace {
		a.blockPlainAllowed = false
		a.singleQuotedAllowed = false
	}
	if spaceBreak || specialCharacters {
		a.blockPlainAllowed = false
		a.singleQuotedAllowed = false
		a.blockAllowed = false
	}
	if lineBreaks {
		a.blockPlainAllowed = false
	}
	if blockIndicators {
		a.blockPlainAllowed = false
	}
	return a
}

// simpleScalar reports whether value is letters, digits and a few
// punctuation characters that analyzeScalar finds nothing special about.
func simpleScalar(value string) bool {
	switch value[0] {
	case '-', '.', ':', '/':
		return false
	}
	for i := 0; i < len(value); i++ {
		switch c := value[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '.', c == '_', c == '/', c == ':' && i+1 < len(value) && value[i+1] != ' ':
		default:
			return false
		}
	}
	return true
}

// width is the length of the UTF-8 sequence that starts with b.
func width(b byte) int {
	switch {
	case b&0x80 == 0x00:
		return 1
	case b&0xE0 == 0xC0:
		return 2
	case b&0xF0 == 0xE0:
		return 3
	case b&0xF8 == 0xF0:
		return 4
	}
	return 0
}

// isPrintable is yaml.v2's is_printable for valid UTF-8.
func isPrintable(b string, i int) bool {
	c := b[i]
	switch {
	case c == 0x0A, c >= 0x20 && c <= 0x7E:
		return true
	case c == 0xC2:
		return b[i+1] >= 0xA0
	case c > 0xC2 && c < 0xED, c == 0xEE:
		return true
	case c == 0xED:
		return b[i+1] < 0xA0
	case c == 0xEF:
		return !(b[i+1] == 0xBB && b[i+2] == 0xBF) && !(b[i+1] == 0xBF && (b[i+2] == 0xBE || b[i+2] == 0xBF))
	}
	return false
}

// isBreak reports whether a line break (CR, LF, NEL, LS or PS) is at b[i].
func isBreak(b string, i int) bool {
	if i >= len(b) {
		return false
	}
	switch b[i] {
	case '\r', '\n':
		return true
	case 0xC2:
		return b[i+1] == 0x85
	case 0xE2:
		return b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9)
	}
	return false
}

// isBlankz reports whether b[i] is a space, a tab, a line break or NUL.
func isBlankz(b string, i int) bool {
	return b[i] == ' ' || b[i] == '\t' || b[i] == 0 || isBreak(b, i)
}

func isSpaceAt(b string, i int) bool { return i < len(b) && b[i] == ' ' }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// naturalLessASCII is naturalLess for ASCII strings.
func naturalLessASCII(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		al := isLetterASCII(a[i])
		bl := isLetterASCII(b[i])
		if al && bl {
			return a[i] < b[i]
		}
		if al || bl {
			return bl
		}
		var an, bn int64
		if a[i] == '0' || b[i] == '0' {
			for j := i - 1; j >= 0 && isDigitASCII(a[j]); j-- {
				if a[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		ai, bi := i, i
		for ; ai < len(a) && isDigitASCII(a[ai]); ai++ {
			an = an*10 + int64(a[ai]-'0')
		}
		for ; bi < len(b) && isDigitASCII(b[bi]); bi++ {
			bn = bn*10 + int64(b[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return a[i] < b[i]
	}
	return len(a) < len(b)
}

func isLetterASCII(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigitASCII(c byte) bool  { return c >= '0' && c <= '9' }

// naturalLess is yaml.v2's keyList.Less for two strings.
func naturalLess(ar, br []rune) bool {
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al := unicode.IsLetter(ar[i])
		bl := unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an = 1
					bn = 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

// yamlFloat prints f as sigs.k8s.io/yaml does: encoding/json writes it,
// yaml.v2 reads that back as an int, a uint or a float and prints it.
func yamlFloat(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		t := strconv.FormatFloat(f, 'f', -1, 64)
		if i, err := strconv.ParseInt(t, 10, 64); err == nil {
			return strconv.FormatInt(i, 10)
		}
		if _, err := strconv.ParseUint(t, 10, 64); err == nil {
			return t
		}
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// yamlString returns the string yaml.v2 decodes from encoding/json's
// encoding of s, the one sigs.k8s.io/yaml prints, or the error it fails
// with.
func yamlString(s string) (string, *MarshalError) {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7F {
			plain = false
			break
		}
	}
	if plain {
		return s, nil
	}
	s = validUTF8(s)
	if err := checkYAMLChars(s); err != nil {
		return "", err
	}
	if strings.Contains(s, "\u0085") {
		return foldNEL(s)
	}
	return s, nil
}

// checkYAMLChars rejects the characters that encoding/json leaves alone and
// yaml.v2's reader does not allow.
func checkYAMLChars(s string) *MarshalError {
	for _, r := range s {
		if r == 0x7F || r >= 0x80 && r <= 0x9F && r != 0x85 || r == 0xFFFE || r == 0xFFFF {
			return &MarshalError{Msg: "control characters are not allowed: " + strconv.QuoteRune(r)}
		}
	}
	return nil
}

// checkYAMLKey rejects the keys sigs.k8s.io/yaml fails on and reports
// whether k is ASCII and whether it is valid UTF-8.
func checkYAMLKey(k string) (ascii, valid bool, err *MarshalError) {
	ascii = true
	simple := len(k) <= 170 // even escaped to \u00XX the key is short enough
	for i := 0; i < len(k); i++ {
		if c := k[i]; c >= 0x7F {
			simple = false
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
	}
	if simple {
		return true, true, nil
	}
	valid = true
	n := 2 // the length of k in encoding/json's output, in characters
	for i := 0; i < len(k); {
		r, w := utf8.DecodeRuneInString(k[i:])
		i += w
		switch {
		case r == utf8.RuneError && w == 1:
			valid = false
			n += 6
		case r == 0x85:
			err = &MarshalError{Msg: "key with U+0085 cannot be printed"}
		case r == 0x7F || r >= 0x80 && r <= 0x9F || r == 0xFFFE || r == 0xFFFF:
			err = &MarshalError{Msg: "control characters are not allowed: " + strconv.QuoteRune(r)}
		case r == '"' || r == '\\' || r == '\b' || r == '\f' || r == '\n' || r == '\r' || r == '\t':
			n += 2
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == 0x2028 || r == 0x2029:
			n += 6
		default:
			n++
		}
		if err != nil {
			return ascii, valid, err
		}
	}
	if n > 1024 {
		return ascii, valid, &MarshalError{Msg: "key longer than 1024 characters cannot be printed"}
	}
	return ascii, valid, nil
}

// foldNEL folds the raw U+0085 line breaks of s as yaml.v2 does reading the
// double-quoted string encoding/json wrote: spaces around them vanish, one
// becomes a space and n of them n-1 newlines. At the start of the next line
// "--- " and "... " are document markers yaml.v2 fails on.
func foldNEL(s string) (string, *MarshalError) {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if !strings.HasPrefix(s[j:], "\u0085") {
			b.WriteString(s[i:j])
			if j < len(s) {
				_, w := utf8.DecodeRuneInString(s[j:])
				b.WriteString(s[j : j+w])
				j += w
			}
			i = j
			continue
		}
		nel := 0
		last := j
		for j < len(s) {
			switch {
			case s[j] == ' ':
				j++
			case strings.HasPrefix(s[j:], "\u0085"):
				nel++
				j += 2
				last = j
			default:
				goto done
			}
		}
	done:
		if last == j {
			rest := s[j:]
			if (strings.HasPrefix(rest, "---") || strings.HasPrefix(rest, "...")) &&
				(len(rest) > 3 && (rest[3] == ' ' || strings.HasPrefix(rest[3:], "\u0085"))) {
				return "", &MarshalError{Msg: "document marker after U+0085 cannot be printed"}
			}
		}
		if nel == 1 {
			b.WriteByte(' ')
		} else {
			b.WriteString(strings.Repeat("\n", nel-1))
		}
		i = j
	}
	return b.String(), nil
}

// typeName names the type of v for errors.
func typeName(v any) string { return fmt.Sprintf("%T", v) }

// validUTF8 replaces each byte of s that is not part of a valid UTF-8
// sequence with U+FFFD, as encoding/json does.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

// MarshalJSON prints the model tree v as JSON indented by two spaces, with
// map keys sorted ([Ordered] mappings in their own order) and a final newline, byte for byte as an encoding/json
// Encoder does with SetIndent("", "  ") and SetEscapeHTML(false): <, > and &
// are not escaped. A nil v prints as "null\n".
//
// v may hold the types MarshalYAML takes. MarshalJSON returns a
// *MarshalError for other types, for NaN and infinite floats and for
// collections nested deeper than 10,000 levels. Invalid UTF-8 is printed as
// U+FFFD.
//
// MarshalJSON is safe for concurrent use if nothing modifies v meanwhile.
func MarshalJSON(v any) ([]byte, error) {
	e := &jsonEncoder{buf: make([]byte, 0, 4096)}
	if err := e.value(v, 0); err != nil {
		return nil, err
	}
	return e.out.bytes(append(e.buf, '\n')), nil
}

// jsonEncoder writes indented JSON.
type jsonEncoder struct {
	buf  []byte
	out  chunks
	keys [][]jsonMember
}

// jsonMember is a map entry sorted by key.
type jsonMember struct {
	key string
	val any
}

func (e *jsonEncoder) value(v any, depth int) *MarshalError {
	e.buf = e.out.spill(e.buf)
	switch v := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case string:
		e.buf = appendJSONString(e.buf, v)
	case bool:
		e.buf = strconv.AppendBool(e.buf, v)
	case int64:
		e.buf = strconv.AppendInt(e.buf, v, 10)
	case int:
		e.buf = strconv.AppendInt(e.buf, int64(v), 10)
	case uint64:
		e.buf = strconv.AppendUint(e.buf, v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &MarshalError{Msg: "unsupported value: " + strconv.FormatFloat(v, 'g', -1, 64)}
		}
		e.buf = appendJSONFloat(e.buf, v)
	case map[string]any:
		if v == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.members(depth, len(v), func(keys []jsonMember) []jsonMember {
			for k, x := range v {
				keys = append(keys, jsonMember{k, x})
			}
			slices.SortFunc(keys, func(a, b jsonMember) int { return strings.Compare(a.key, b.key) })
			return keys
		})
	case Ordered:
		if v == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.members(depth, len(v), func(keys []jsonMember) []jsonMember {
			for _, kv := range v {
				keys = append(keys, jsonMember{kv.Key, kv.Value})
			}
			return keys
		})
	case []any:
		if v == nil {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if depth++; depth > maxDepth {
			return errTooDeep()
		}
		if len(v) == 0 {
			e.buf = append(e.buf, "[]"...)
			return nil
		}
		e.buf = append(e.buf, '[')
		for i, item := range v {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.newline(depth)
			if err := e.value(item, depth); err != nil {
				return err.atIndex(i)
			}
		}
		e.newline(depth - 1)
		e.buf = append(e.buf, ']')
	default:
		return &MarshalError{Msg: "unsupported type " + typeName(v)}
	}
	return nil
}

// members writes an object of n members, which fill appends to a slice
// reused per depth (in the order they are to be written).
func (e *jsonEncoder) members(depth, n int, fill func([]jsonMember) []jsonMember) *MarshalError {
	if depth++; depth > maxDepth {
		return errTooDeep()
	}
	if n == 0 {
		e.buf = append(e.buf, "{}"...)
		return nil
	}
	for len(e.keys) < depth {
		e.keys = append(e.keys, nil)
	}
	keys := fill(e.keys[depth-1][:0])
	e.keys[depth-1] = keys
	return e.object(keys, depth)
}

// object writes a non-empty object with the members of keys, in order.
func (e *jsonEncoder) object(keys []jsonMember, depth int) *MarshalError {
	e.buf = append(e.buf, '{')
	for i, m := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(depth)
		e.buf = appendJSONString(e.buf, m.key)
		e.buf = append(e.buf, ": "...)
		if err := e.value(m.val, depth); err != nil {
			return err.atKey(m.key)
		}
	}
	clear(keys)
	e.newline(depth - 1)
	e.buf = append(e.buf, '}')
	return nil
}

// newline starts a line indented for depth.
func (e *jsonEncoder) newline(depth int) {
	e.buf = append(e.buf, '\n')
	for range depth {
		e.buf = append(e.buf, ' ', ' ')
	}
}

// appendJSONString is encoding/json's appendString without HTML escaping.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONFloat is encoding/json's float64 encoding.
func appendJSONFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
