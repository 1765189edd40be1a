package imds

import (
	"bytes"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/netplumb/netplumb/nmstate"
)

// Reading decoded documents. Every provider walks its saved document, as
// nmstate.Decode gives it (maps, lists, strings, booleans, nil, int64,
// uint64 and float64), through nodes: each reader checks the value's type
// and returns a *FieldError naming its path in the document, such as
// network.interface[0].macAddress.

// node is a value of a decoded document with its path there.
type node struct {
	v    any
	path string
	// max bounds the strings text reads, which it also trims and checks
	// for control characters; rawText reads them as they are. The members
	// and elements of a node inherit it.
	max int
}

// How text reads strings (node.max), by provider.
const (
	rawText   = 0    // AWS, Equinix, DigitalOcean, Hetzner, VMware's guestinfo keys
	shortText = 255  // OpenStack, VMware's metadata
	longText  = 1024 // Azure, GCP, Oracle
)

// decodeTree decodes a saved document that must be a map; what names the
// map in the error for anything else.
func decodeTree(data []byte, what string, max int) (node, error) {
	v, err := nmstate.Decode(data)
	if err != nil {
		return node{}, err
	}
	if _, ok := v.(map[string]any); !ok {
		return node{}, fmt.Errorf("the document is %s, not %s", describeValue(v), what)
	}
	return node{v: v, max: max}, nil
}

// decodeAnswer decodes the body of an answer that must be a JSON object
// (open is '{') or list ('['); what names it in the error.
func decodeAnswer(body []byte, open byte, what string) (any, error) {
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) == 0 || t[0] != open {
		return nil, fmt.Errorf("the answer is not %s", what)
	}
	v, err := nmstate.Decode(body)
	if err != nil {
		return nil, err
	}
	switch v.(type) {
	case map[string]any:
		if open == '{' {
			return v, nil
		}
	case []any:
		if open == '[' {
			return v, nil
		}
	}
	return nil, fmt.Errorf("the answer is not %s", what)
}

// decodeObject decodes the body of an answer that must be a JSON object.
func decodeObject(body []byte) (map[string]any, error) {
	v, err := decodeAnswer(body, '{', "a JSON object")
	m, _ := v.(map[string]any)
	return m, err
}

// decodeList decodes the body of an answer that must be a JSON list.
func decodeList(body []byte) ([]any, error) {
	v, err := decodeAnswer(body, '[', "a JSON list")
	l, _ := v.([]any)
	return l, err
}

// describeValue names a decoded value's type for messages.
func describeValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("a string (%q)", t)
	case bool:
		return "a boolean"
	case map[string]any:
		return "a map"
	case []any:
		return "a list"
	default:
		return "a number"
	}
}

// errorf returns a *FieldError for n.
func (n node) errorf(format string, args ...any) error {
	return fieldErrorf(n.path, format, args...)
}

// absent reports whether n is null or not in the document.
func (n node) absent() bool { return n.v == nil }

// get returns a member of a map, null when n is not a map or has no such
// key (check n with object first). The member's path is n's with .key, or
// with ["key"] for a key that is not a plain word; members of the root are
// named by their key alone.
func (n node) get(key string) node {
	m, _ := n.v.(map[string]any)
	path := key
	if n.path != "" {
		plain := key != "" && !strings.ContainsFunc(key, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
		})
		if plain {
			path = n.path + "." + key
		} else {
			path = n.path + "[" + strconv.Quote(key) + "]"
		}
	}
	return node{v: m[key], path: path, max: n.max}
}

// at returns element i of a list, null when n is not a list or too short.
func (n node) at(i int) node {
	l, _ := n.v.([]any)
	var v any
	if i < len(l) {
		v = l[i]
	}
	return node{v: v, path: fmt.Sprintf("%s[%d]", n.path, i), max: n.max}
}

// keys returns the keys of a map, sorted.
func (n node) keys() []string {
	m, _ := n.v.(map[string]any)
	return slices.Sorted(maps.Keys(m))
}

// show prints a scalar for a message: a string quoted, a map or list by
// its type.
func (n node) show() string {
	switch t := n.v.(type) {
	case string:
		return strconv.Quote(t)
	case nil:
		return "null"
	case map[string]any, []any:
		return describeValue(t)
	}
	return fmt.Sprint(n.v)
}

// object checks that n is a map, or null or absent (an empty map).
func (n node) object() (node, error) {
	switch n.v.(type) {
	case nil, map[string]any:
		return n, nil
	}
	return n, n.errorf("%s is not a map", describeValue(n.v))
}

// list returns a list's elements; null or absent is an empty list.
func (n node) list() ([]node, error) {
	switch t := n.v.(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]node, len(t))
		for i := range t {
			out[i] = n.at(i)
		}
		return out, nil
	}
	return nil, n.errorf("%s is not a list", describeValue(n.v))
}

// objects returns the elements of a list of maps, checking them all first
// (null is not a map here); null or absent is an empty list.
func (n node) objects() ([]node, error) {
	l, err := n.list()
	if err != nil {
		return nil, err
	}
	for _, e := range l {
		if _, ok := e.v.(map[string]any); !ok {
			return nil, e.errorf("%s is not a map", describeValue(e.v))
		}
	}
	return l, nil
}

// str reads a string as it is; null or absent is "".
func (n node) str() (string, error) {
	switch t := n.v.(type) {
	case nil:
		return "", nil
	case string:
		return t, nil
	}
	return "", n.errorf("%s is not a string", describeValue(n.v))
}

// text reads a string: as it is with rawText, else one of at most n.max
// bytes without C0 control characters or DEL, trimmed. Null or absent is
// "".
func (n node) text() (string, error) {
	s, err := n.str()
	if err != nil || n.max == rawText {
		return s, err
	}
	if len(s) > n.max {
		return "", n.errorf("%q... is longer than %d bytes", s[:32], n.max)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", n.errorf("%q holds a control character", s)
	}
	return strings.TrimSpace(s), nil
}

// printable reads a string that is printed as it is (an id, a region),
// refusing what would break a line of output or what YAML cannot print:
// invalid UTF-8, control characters (C0 and C1), line and paragraph
// separators, U+FFFE and U+FFFF; and strings longer than 255 bytes. Null
// or absent is "".
func (n node) printable() (string, error) {
	s, err := n.str()
	switch {
	case err != nil:
		return "", err
	case len(s) > 255:
		return "", n.errorf("%q is longer than 255 bytes", s[:32]+"...")
	case !utf8.ValidString(s):
		return "", n.errorf("%q is not valid UTF-8", s)
	case strings.ContainsFunc(s, func(r rune) bool {
		return r < 0x20 || r >= 0x7f && r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfffe || r == 0xffff
	}):
		return "", n.errorf("%q holds a control character", s)
	}
	return s, nil
}

// texts reads a list of strings, each as text does; null or absent is
// none.
func (n node) texts() ([]string, error) {
	l, err := n.list()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(l))
	for _, e := range l {
		if _, ok := e.v.(string); !ok {
			return nil, e.errorf("%s is not a string", describeValue(e.v))
		}
		s, err := e.text()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// id reads an instance id given as a printable string or as a
// non-negative integer; null or absent is "".
func (n node) id() (string, error) {
	switch t := n.v.(type) {
	case nil:
		return "", nil
	case int64:
		if t >= 0 {
			return strconv.FormatInt(t, 10), nil
		}
	case uint64:
		return strconv.FormatUint(t, 10), nil
	case string:
		return n.printable()
	}
	return "", n.errorf("%s is not an id", describeValue(n.v))
}

// boolean reads a boolean; def when null or absent.
func (n node) boolean(def bool) (bool, error) {
	switch t := n.v.(type) {
	case nil:
		return def, nil
	case bool:
		return t, nil
	}
	return false, n.errorf("%s is not a boolean", describeValue(n.v))
}

// integer reads an integer of the document exactly; ok is false when null
// or absent.
func (n node) integer() (i int64, ok bool, err error) {
	switch t := n.v.(type) {
	case nil:
		return 0, false, nil
	case int64:
		return t, true, nil
	case uint64:
		return 0, false, n.errorf("%d is too large", t)
	}
	return 0, false, n.errorf("%s is not an integer", describeValue(n.v))
}

// number reads a number between -2^31 and 2^31: a JSON or YAML number
// with no fraction or, when digits is set, a string of decimal digits. ok
// is false when null or absent.
func (n node) number(digits bool) (i int, ok bool, err error) {
	const limit = 1 << 31
	switch t := n.v.(type) {
	case nil:
		return 0, false, nil
	case int64:
		if t > -limit && t < limit {
			return int(t), true, nil
		}
	case float64:
		if t == float64(int64(t)) && t > -limit && t < limit {
			return int(t), true, nil
		}
	case string:
		if digits {
			if i, err := strconv.Atoi(strings.TrimSpace(t)); err == nil && i > -limit && i < limit {
				return i, true, nil
			}
		}
		return 0, false, n.errorf("%s is not a number", describeValue(n.v))
	case uint64:
	default:
		return 0, false, n.errorf("%s is not a number", describeValue(n.v))
	}
	return 0, false, n.errorf("%s is not a number below 2^31", n.show())
}

// addr reads an IP address of a family (4, 6, or 0 for either); null,
// absent or "" is the zero Addr.
func (n node) addr(family int) (netip.Addr, error) {
	s, err := n.text()
	if err != nil || s == "" {
		return netip.Addr{}, err
	}
	a, err := ParseAddr(s)
	switch {
	case err != nil:
		return netip.Addr{}, n.errorf("%v", err)
	case family == 4 && !a.Is4():
		return netip.Addr{}, n.errorf("%q is not an IPv4 address", s)
	case family == 6 && !a.Is6():
		return netip.Addr{}, n.errorf("%q is not an IPv6 address", s)
	}
	return a, nil
}

// gateway reads a gateway's address: like addr, but the unspecified
// address (0.0.0.0, ::) means there is none.
func (n node) gateway() (netip.Addr, error) {
	a, err := n.addr(0)
	if err != nil || a.IsUnspecified() {
		return netip.Addr{}, err
	}
	return a, nil
}

// addrs reads a list of IP addresses (see texts).
func (n node) addrs() ([]netip.Addr, error) {
	ss, err := n.texts()
	if err != nil {
		return nil, err
	}
	return n.parseAddrs(ss)
}

// parseAddrs parses the strings read from n's elements as IP addresses,
// an error naming the element that is not one.
func (n node) parseAddrs(ss []string) ([]netip.Addr, error) {
	out := make([]netip.Addr, 0, len(ss))
	for i, s := range ss {
		a, err := ParseAddr(s)
		if err != nil {
			return nil, n.at(i).errorf("%v", err)
		}
		out = append(out, a)
	}
	return out, nil
}

// network reads a network in CIDR form of a family (4, 6, or 0 for
// either), masked; null, absent or "" is the zero Prefix.
func (n node) network(family int) (netip.Prefix, error) {
	s, err := n.text()
	if err != nil || s == "" {
		return netip.Prefix{}, err
	}
	p, err := ParseNetwork(s)
	switch {
	case err != nil:
		return netip.Prefix{}, n.errorf("%v", err)
	case family == 4 && !p.Addr().Is4():
		return netip.Prefix{}, n.errorf("%q is not an IPv4 network", s)
	case family == 6 && !p.Addr().Is6():
		return netip.Prefix{}, n.errorf("%q is not an IPv6 network", s)
	}
	return p, nil
}

// mac reads a MAC address (see [ParseMAC]); null, absent or "" is "".
func (n node) mac() (string, error) {
	s, err := n.text()
	if err != nil || s == "" {
		return "", err
	}
	mac, err := ParseMAC(s)
	if err != nil {
		return "", n.errorf("%v", err)
	}
	return mac, nil
}

// requiredMAC reads a MAC address that must be there.
func (n node) requiredMAC() (string, error) {
	mac, err := n.mac()
	if err == nil && mac == "" {
		err = n.errorf("missing")
	}
	return mac, err
}
