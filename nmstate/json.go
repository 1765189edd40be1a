package nmstate

// Decoding JSON.
//
// decodeJSON parses RFC 8259 JSON in one pass and builds the model directly.
// It accepts and rejects what encoding/json's Decoder accepts and rejects when
// it decodes one value into interface{} with UseNumber, plus the checks
// Decode adds: a key defined twice in an object, a number out of float64's
// range, and anything but white space after the value. Its errors are the
// ones encoding/json reports, at the same byte: the first syntax error in the
// input wins, "unexpected end of JSON input" sits at the end of the input,
// nesting deeper than encoding/json's 10,000 levels is "exceeded max depth",
// and only a syntactically valid document reports a duplicate key or an out
// of range number, the first of them in the input.
//
// Strings come out as encoding/json gives them: invalid UTF-8 becomes
// U+FFFD, byte by byte, and so does a \u escape of a lone surrogate. Numbers
// come out as Decode used to convert encoding/json's json.Number: an integer
// is an int64 if it fits, else a uint64 if it fits, else a float64, and a
// number with a fraction or an exponent is a float64 (so -0 is int64(0) and
// -0.0 is negative zero). json_test.go keeps that implementation as the
// reference the tests and FuzzDecodeJSON compare with.
//
// Strings without escapes or invalid UTF-8, keys included, are substrings of
// one copy of the input. Entries and items are gathered on stacks shared by
// all the open objects and arrays, so that each map and slice is made once
// at its final size; a long array with no other array open takes the stack
// itself.

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth is encoding/json's limit on nesting.
const maxJSONDepth = 10000

// jsonParser is the state of decodeJSON.
type jsonParser struct {
	src   string
	pos   int // the next byte to read
	depth int
	kvs   []jsonEntry // pending entries of all open objects
	items []any       // pending items of all open arrays
	buf   []byte      // scratch for strings that differ from their input

	// failed says the parser met a syntax error, at byte errOff; parsing
	// stops there.
	failed bool
	errOff int
	errMsg string

	// semOff and semMsg hold the first error in the input that only counts
	// if there is no syntax error: a duplicate key or a number out of range.
	// semOff is -1 without one.
	semOff int
	semMsg string
}

// jsonEntry is a parsed object member.
type jsonEntry struct {
	key string
	val any
	off int // of the key's opening quote
}

// jsonPlain tells the bytes a string may hold as they are: printable ASCII
// except '"' and '\\'. It is never written after initialization.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// decodeJSON decodes a JSON document whose first non-blank byte is '{' or
// '['.
func decodeJSON(data []byte) (any, error) {
	p := &jsonParser{src: string(data), semOff: -1}
	v := p.value()
	if !p.failed {
		if i := p.skipSpace(p.pos); i < len(p.src) {
			r, _ := utf8.DecodeRuneInString(p.src[i:])
			p.fail(i, fmt.Sprintf("invalid character %s after top-level value", quoteChar(r)))
		}
	}
	switch {
	case p.failed:
		return nil, jsonError(data, p.errOff, p.errMsg)
	case p.semOff >= 0:
		return nil, jsonError(data, p.semOff, p.semMsg)
	}
	return v, nil
}

// fail records a syntax error at byte off and stops the parser.
func (p *jsonParser) fail(off int, msg string) {
	p.failed = true
	p.errOff = off
	p.errMsg = msg
}

// invalid records encoding/json's error for the unexpected byte at off.
func (p *jsonParser) invalid(off int, context string) {
	p.fail(off, "invalid character "+quoteChar(rune(p.src[off]))+" "+context)
}

// eof records the error of input that ends inside the value.
func (p *jsonParser) eof() {
	p.fail(len(p.src), "unexpected end of JSON input")
}

// later records an error that counts only if the input has no syntax error.
// Of several, the one at the lowest offset wins.
func (p *jsonParser) later(off int, msg string) {
	if p.semOff < 0 || off < p.semOff {
		p.semOff = off
		p.semMsg = msg
	}
}

// skipSpace returns the offset of the first byte from i on that is not JSON
// white space.
func (p *jsonParser) skipSpace(i int) int {
	src := p.src
	for i < len(src) {
		if c := src[i]; c > ' ' || c != ' ' && c != '\n' && c != '\t' && c != '\r' {
			break
		}
		i++
	}
	return i
}

// value parses the value that starts at the first non-blank byte from p.pos.
func (p *jsonParser) value() any {
	src := p.src
	i := p.skipSpace(p.pos)
	if i >= len(src) {
		p.eof()
		return nil
	}
	p.pos = i
	switch c := src[i]; c {
	case '"':
		return p.str()
	case '{':
		return p.object()
	case '[':
		return p.array()
	case 't':
		return p.literal("true", true)
	case 'f':
		return p.literal("false", false)
	case 'n':
		return p.literal("null", nil)
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return p.number()
		}
	}
	p.invalid(i, "looking for beginning of value")
	return nil
}

// object parses the object whose '{' is at p.pos.
func (p *jsonParser) object() any {
	src := p.src
	if p.depth++; p.depth > maxJSONDepth {
		p.invalid(p.pos, "exceeded max depth")
		return nil
	}
	i := p.skipSpace(p.pos + 1)
	if i >= len(src) {
		p.eof()
		return nil
	}
	if src[i] == '}' {
		p.pos = i + 1
		p.depth--
		return map[string]any{}
	}
	base := len(p.kvs)
	for {
		if src[i] != '"' {
			p.invalid(i, "looking for beginning of object key string")
			return nil
		}
		koff := i
		p.pos = i
		key := p.str()
		if p.failed {
			return nil
		}
		if i = p.skipSpace(p.pos); i >= len(src) {
			p.eof()
			return nil
		}
		if src[i] != ':' {
			p.invalid(i, "after object key")
			return nil
		}
		p.pos = i + 1
		val := p.value()
		if p.failed {
			return nil
		}
		p.kvs = append(p.kvs, jsonEntry{key: key, val: val, off: koff})
		if i = p.skipSpace(p.pos); i >= len(src) {
			p.eof()
			return nil
		}
		if c := src[i]; c == ',' {
			if i = p.skipSpace(i + 1); i >= len(src) {
				p.eof()
				return nil
			}
			continue
		} else if c != '}' {
			p.invalid(i, "after object key:value pair")
			return nil
		}
		p.pos = i + 1
		break
	}
	m := p.build(base)
	p.kvs = p.kvs[:base]
	p.depth--
	return m
}

// build makes the map of the entries p.kvs[base:], noting the first key
// defined twice.
func (p *jsonParser) build(base int) map[string]any {
	kvs := p.kvs[base:]
	m := make(map[string]any, len(kvs))
	for i := range kvs {
		e := &kvs[i]
		m[e.key] = e.val
		if len(m) == i { // the first duplicate
			first := 0
			for kvs[first].key != e.key {
				first++
			}
			line := 1 + strings.Count(p.src[:kvs[first].off], "\n")
			p.later(e.off, fmt.Sprintf("mapping key %q already defined at line %d", e.key, line))
			break
		}
	}
	return m
}

// array parses the array whose '[' is at p.pos.
func (p *jsonParser) array() any {
	src := p.src
	if p.depth++; p.depth > maxJSONDepth {
		p.invalid(p.pos, "exceeded max depth")
		return nil
	}
	i := p.skipSpace(p.pos + 1)
	if i >= len(src) {
		p.eof()
		return nil
	}
	if src[i] == ']' {
		p.pos = i + 1
		p.depth--
		return []any{}
	}
	base := len(p.items)
	for {
		p.pos = i
		v := p.value()
		if p.failed {
			return nil
		}
		if len(p.items) == cap(p.items) {
			// Double: append grows large slices by a quarter, which
			// allocates five times the final size for a long array.
			p.items = slices.Grow(p.items, len(p.items)+64)
		}
		p.items = append(p.items, v)
		if i = p.skipSpace(p.pos); i >= len(src) {
			p.eof()
			return nil
		}
		if c := src[i]; c == ',' {
			i++
			continue
		} else if c != ']' {
			p.invalid(i, "after array element")
			return nil
		}
		p.pos = i + 1
		break
	}
	p.depth--
	n := len(p.items) - base
	if base == 0 && n >= 1024 {
		// A long array and no other open: hand the stack over rather
		// than copy it. At most half of it is spare room.
		s := p.items[:n:n]
		p.items = nil
		return s
	}
	s := make([]any, n)
	copy(s, p.items[base:])
	p.items = p.items[:base]
	return s
}

// literal parses true, false or null at p.pos, whose first byte is word's.
func (p *jsonParser) literal(word string, v any) any {
	src := p.src
	i := p.pos
	if len(src)-i < len(word) || src[i:i+len(word)] != word {
		for k := 1; k < len(word); k++ {
			if i+k >= len(src) {
				p.eof()
				return nil
			}
			if src[i+k] != word[k] {
				p.invalid(i+k, "in literal "+word+" (expecting "+quoteChar(rune(word[k]))+")")
				return nil
			}
		}
	}
	p.pos = i + len(word)
	return v
}

// number parses the number at p.pos.
func (p *jsonParser) number() any {
	src := p.src
	start := p.pos
	i := start
	neg := src[i] == '-'
	if neg {
		i++
	}
	if i >= len(src) {
		p.eof()
		return nil
	}
	var u uint64
	switch c := src[i]; {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		for ; i < len(src); i++ {
			c := src[i]
			if c < '0' || c > '9' {
				break
			}
			u = u*10 + uint64(c-'0')
		}
	default:
		p.invalid(i, "in numeric literal")
		return nil
	}
	if i < len(src) {
		if c := src[i]; c == '.' || c == 'e' || c == 'E' {
			return p.float(start, i)
		}
	}
	p.pos = i
	if i-start <= 18 {
		v := int64(u)
		if neg {
			v = -v
		}
		return v
	}
	s := src[start:i]
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v
	}
	if !neg {
		if v, err := strconv.ParseUint(s, 10, 64); err == nil {
			return v
		}
	}
	return p.parseFloat(start, i)
}

// float parses the rest of the number at start from its fraction or
// exponent at offset i.
func (p *jsonParser) float(start, i int) any {
	src := p.src
	if src[i] == '.' {
		i++
		if i >= len(src) {
			p.eof()
			return nil
		}
		if c := src[i]; c < '0' || c > '9' {
			p.invalid(i, "after decimal point in numeric literal")
			return nil
		}
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if i >= len(src) {
			p.eof()
			return nil
		}
		if c := src[i]; c < '0' || c > '9' {
			p.invalid(i, "in exponent of numeric literal")
			return nil
		}
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	}
	p.pos = i
	return p.parseFloat(start, i)
}

// parseFloat converts the number src[start:end] to a float64, noting it if
// it is out of range.
func (p *jsonParser) parseFloat(start, end int) any {
	s := p.src[start:end]
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		p.later(start, fmt.Sprintf("number %s out of range", s))
		return nil
	}
	return f
}

// str parses the string whose opening quote is at p.pos.
func (p *jsonParser) str() string {
	src := p.src
	start := p.pos + 1
	i := start
	for i < len(src) {
		c := src[i]
		if jsonPlain[c] {
			i++
			continue
		}
		if c == '"' {
			p.pos = i + 1
			return src[start:i]
		}
		if c >= utf8.RuneSelf {
			if r, n := utf8.DecodeRuneInString(src[i:]); r != utf8.RuneError || n > 1 {
				i += n
				continue
			}
		}
		return p.strSlow(start, i)
	}
	p.eof()
	return ""
}

// strSlow finishes the string that starts at offset start and has an escape,
// a control character or invalid UTF-8 at offset i.
func (p *jsonParser) strSlow(start, i int) string {
	src := p.src
	b := append(p.buf[:0], src[start:i]...)
	for i < len(src) {
		c := src[i]
		switch {
		case c == '"':
			p.pos = i + 1
			p.buf = b
			return string(b)
		case c == '\\':
			if i+1 >= len(src) {
				p.eof()
				return ""
			}
			switch e := src[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := p.hex4(i + 2)
				if !ok {
					return ""
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// As encoding/json: a pair if the next escape completes
					// it, else U+FFFD and the next escape on its own.
					if r2, ok := p.peekHex4(i); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							b = utf8.AppendRune(b, d)
							i += 6
							continue
						}
					}
					r = utf8.RuneError
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				p.invalid(i+1, "in string escape code")
				return ""
			}
			i += 2
		case c < 0x20:
			p.invalid(i, "in string literal")
			return ""
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRuneInString(src[i:])
			if r == utf8.RuneError && n == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, src[i:i+n]...)
			}
			i += n
		}
	}
	p.eof()
	return ""
}

// hex4 parses the four hexadecimal digits of a \u escape at offset i.
func (p *jsonParser) hex4(i int) (rune, bool) {
	var r rune
	for k := i; k < i+4; k++ {
		if k >= len(p.src) {
			p.eof()
			return 0, false
		}
		d := hexDigit(p.src[k])
		if d < 0 {
			p.invalid(k, `in \u hexadecimal character escape`)
			return 0, false
		}
		r = r<<4 | d
	}
	return r, true
}

// peekHex4 returns the character of the \u escape at offset i, if there is
// a valid one.
func (p *jsonParser) peekHex4(i int) (rune, bool) {
	src := p.src
	if len(src)-i < 6 || src[i] != '\\' || src[i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range []byte(src[i+2 : i+6]) {
		d := hexDigit(c)
		if d < 0 {
			return 0, false
		}
		r = r<<4 | d
	}
	return r, true
}

// hexDigit returns the value of the hexadecimal digit c, or -1.
func hexDigit(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// quoteChar formats r as encoding/json does in its errors.
func quoteChar(r rune) string {
	switch r {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(r))
	return "'" + s[1:len(s)-1] + "'"
}

// jsonError makes a *SyntaxError for the byte offset off of data.
func jsonError(data []byte, off int, msg string) *SyntaxError {
	off = min(max(off, 0), len(data))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	ls := bytes.LastIndexByte(data[:off], '\n') + 1
	return &SyntaxError{Line: line, Column: utf8.RuneCount(data[ls:off]) + 1, Msg: msg}
}
