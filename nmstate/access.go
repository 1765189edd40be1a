package nmstate

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// PathError is a problem with a value of a decoded document, at its path
// ("interfaces[1].ipv4.address[0].ip").
type PathError struct {
	Path string
	Msg  string
}

func (e *PathError) Error() string { return e.Path + ": " + e.Msg }

// Errorf returns a [*PathError] at path.
func Errorf(path, format string, args ...any) error {
	return &PathError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// Join appends a key to a path.
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Index appends a list index to a path.
func Index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// KindOf names the YAML kind of a decoded value, with an article, for
// errors ("a list").
func KindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a map"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}

// AsMap returns v as a map; null is an empty map.
func AsMap(path string, v any) (map[string]any, error) {
	if v == nil {
		return map[string]any{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, Errorf(path, "%s, not a map", KindOf(v))
	}
	return m, nil
}

// AsList returns v as a list; null is an empty list.
func AsList(path string, v any) ([]any, error) {
	if v == nil {
		return nil, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, Errorf(path, "%s, not a list", KindOf(v))
	}
	return l, nil
}

// AsString returns v as a string.
func AsString(path string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", Errorf(path, "%s, not a string", KindOf(v))
	}
	return s, nil
}

// AsBool returns v as a boolean.
func AsBool(path string, v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, Errorf(path, "%s, not a boolean", KindOf(v))
	}
	return b, nil
}

// AsInt returns v as an integer between lo and hi; a string of decimal
// digits counts, as nmstate accepts "1500" for 1500.
func AsInt(path string, v any, lo, hi int64) (int, error) {
	var n int64
	switch t := v.(type) {
	case int64:
		n = t
	case uint64:
		n = hi + 1
	case float64:
		if t != float64(int64(t)) {
			return 0, Errorf(path, "%v is not an integer", t)
		}
		n = int64(t)
	case string:
		x, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return 0, Errorf(path, "%q is not an integer", t)
		}
		n = x
	default:
		return 0, Errorf(path, "%s, not an integer", KindOf(v))
	}
	if n < lo || n > hi {
		return 0, Errorf(path, "%d is not between %d and %d", n, lo, hi)
	}
	return int(n), nil
}

// CheckIfaceName checks an interface name as the kernel does, and
// refuses what would break out of a file or a command line.
func CheckIfaceName(name string) error {
	switch {
	case name == "" || len(name) > 15:
		return fmt.Errorf("interface name %q is not 1 to 15 bytes long", name)
	case name == "." || name == "..":
		return fmt.Errorf("interface name %q is not allowed", name)
	case name[0] == '.' || name[0] == '-':
		return fmt.Errorf("interface name %q starts with %q", name, name[0])
	}
	for _, r := range name {
		if r <= ' ' || r == '/' || r == ':' || r == '"' || r == '\'' || r == '\\' || r == '$' || r == '`' || r >= 0x7f {
			return fmt.Errorf("interface name %q holds %q", name, r)
		}
	}
	return nil
}

// ParseMAC checks a colon-separated 6-byte MAC and returns it in upper
// case, as nmstate prints MACs.
func ParseMAC(path, s string) (string, error) {
	if len(s) != 17 {
		return "", Errorf(path, "%q is not a MAC address", s)
	}
	for i := 0; i < 17; i++ {
		c := s[i]
		if i%3 == 2 {
			if c != ':' {
				return "", Errorf(path, "%q is not a MAC address", s)
			}
		} else if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return "", Errorf(path, "%q is not a MAC address", s)
		}
	}
	return strings.ToUpper(s), nil
}

// ParseAddr returns v as an IP address (no zone, no IPv4-in-IPv6).
func ParseAddr(path string, v any) (netip.Addr, error) {
	s, err := AsString(path, v)
	if err != nil {
		return netip.Addr{}, err
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" || a.Is4In6() {
		return netip.Addr{}, Errorf(path, "%q is not an IP address", s)
	}
	return a, nil
}

// ParsePrefix returns v as a network in CIDR form, masked; a bare address
// is a host network (/32, /128).
func ParsePrefix(path string, v any) (netip.Prefix, error) {
	s, err := AsString(path, v)
	if err != nil {
		return netip.Prefix{}, err
	}
	pf, err := netip.ParsePrefix(s)
	if err != nil || pf.Addr().Zone() != "" || pf.Addr().Is4In6() {
		if a, err2 := netip.ParseAddr(s); err2 == nil && a.Zone() == "" && !a.Is4In6() {
			return netip.PrefixFrom(a, a.BitLen()), nil
		}
		return netip.Prefix{}, Errorf(path, "%q is not a network in CIDR form", s)
	}
	return pf.Masked(), nil
}

// CheckHostname checks a host name or domain (RFC 1123 labels).
func CheckHostname(path, h string) error {
	name := strings.TrimSuffix(h, ".")
	if name == "" || len(name) > 253 {
		return Errorf(path, "host name %q is not 1 to 253 bytes long", h)
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return Errorf(path, "host name %q has an invalid label %q", h, label)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return Errorf(path, "host name %q holds %q", h, string(c))
			}
		}
	}
	return nil
}
