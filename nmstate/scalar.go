package nmstate

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// This file holds the two scalar resolvers the package needs:
//
//   - resolvePlain turns a plain (unquoted) YAML scalar into a model value
//     exactly as go.yaml.in/yaml/v3 does when decoding into interface{}
//     (the YAML 1.2 core schema plus yaml.v3's extensions), except that
//     timestamps stay strings.
//   - plainIsStringV2 reports whether go.yaml.in/yaml/v2, which
//     sigs.k8s.io/yaml prints with, reads a string back as a string when it is
//     written plain (YAML 1.1: yes/no/on/off are booleans, timestamps and
//     base 60 numbers are quoted).
//
// Both mirror the libraries' resolve functions branch by branch; the fast
// checks in front of them only decide early what the libraries would decide
// anyway, so that the common scalars (names, addresses, small integers) need
// no strconv call and no allocation.

// mergeKey is returned by resolvePlain for "<<", which yaml.v3 treats as a
// merge key; the fast decoder leaves documents containing it to yaml.v3.
type mergeKey struct{}

// resolvePlain returns the model value of the plain scalar s as yaml.v3
// resolves it: nil, bool, int64, uint64, float64 or string, or mergeKey{} for
// "<<". Timestamps are returned as the string s.
func resolvePlain(s string) any {
	if s == "" {
		return nil
	}
	switch c := s[0]; {
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '~' || c == '<':
		switch s {
		case "true", "True", "TRUE":
			return true
		case "false", "False", "FALSE":
			return false
		case "null", "Null", "NULL", "~":
			return nil
		case "<<":
			return mergeKey{}
		}
		return s
	case c == '.':
		switch s {
		case ".nan", ".NaN", ".NAN":
			return math.NaN()
		case ".inf", ".Inf", ".INF":
			return math.Inf(1)
		}
		if !onlyFloatChars(s) {
			return s
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
		return s
	case c >= '0' && c <= '9' || c == '-' || c == '+':
		return resolveNumber(s)
	}
	return s
}

// onlyFloatChars reports whether s has only bytes strconv.ParseFloat could
// accept in a string that does not start with a base prefix: digits with
// '_' between them as in Go (".0_5" is 0.05 to yaml.v3, which hands
// scalars starting with '.' to ParseFloat as they are), '.', exponents.
func onlyFloatChars(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == 'e', c == 'E', c == '+', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// resolveNumber resolves a plain scalar starting with a digit or a sign.
func resolveNumber(s string) any {
	switch s {
	case "+.inf", "+.Inf", "+.INF":
		return math.Inf(1)
	case "-.inf", "-.Inf", "-.INF":
		return math.Inf(-1)
	}
	// The common case: a decimal integer without leading zeros that fits.
	if v, ok := smallDecimal(s); ok {
		return v
	}
	// Anything with a byte none of the numeric forms below can contain is a
	// string; so is a YYYY- prefix (a timestamp, or nothing numeric).
	dots := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F',
			c == 'x', c == 'X', c == 'o', c == 'O', c == '_', c == '+', c == '-':
		case c == '.':
			dots++
		default:
			return s
		}
	}
	if dots > 1 || isTimestampPrefix(s) {
		return s
	}
	return resolveNumberSlow(s)
}

// smallDecimal parses s if it is -?[1-9][0-9]{0,17} or "0" or "-0".
func smallDecimal(s string) (int64, bool) {
	neg := false
	d := s
	if d[0] == '-' {
		neg = true
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 18 || (d[0] == '0' && len(d) > 1) {
		return 0, false
	}
	var v int64
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// isTimestampPrefix reports whether s starts with four digits and a dash,
// the quick check yaml's parseTimestamp starts with. Such a scalar is either
// a timestamp, which the model keeps as a string, or a string anyway: no
// integer or float syntax allows a dash there.
func isTimestampPrefix(s string) bool {
	if len(s) < 5 || s[4] != '-' {
		return false
	}
	for i := 0; i < 4; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// resolveNumberSlow is yaml.v3's resolve for the 'D' and 'S' hints, branch
// by branch (timestamps excluded, see isTimestampPrefix).
func resolveNumberSlow(in string) any {
	plain := strings.ReplaceAll(in, "_", "")
	if v, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return v
	}
	if v, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return v
	}
	if isYAMLFloat(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return f
		}
	}
	if strings.HasPrefix(plain, "0b") {
		if v, err := strconv.ParseInt(plain[2:], 2, 64); err == nil {
			return v
		}
		if v, err := strconv.ParseUint(plain[2:], 2, 64); err == nil {
			return v
		}
	} else if strings.HasPrefix(plain, "-0b") {
		if v, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
			return v
		}
	}
	if strings.HasPrefix(plain, "0o") {
		if v, err := strconv.ParseInt(plain[2:], 8, 64); err == nil {
			return v
		}
		if v, err := strconv.ParseUint(plain[2:], 8, 64); err == nil {
			return v
		}
	} else if strings.HasPrefix(plain, "-0o") {
		if v, err := strconv.ParseInt("-"+plain[3:], 8, 64); err == nil {
			return v
		}
	}
	return in
}

// isYAMLFloat matches ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$,
// the float syntax of both yaml.v2 and yaml.v3.
func isYAMLFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// keyString converts a resolved plain map key to the string the model uses,
// following sigs.k8s.io/yaml's conversion of non-string keys: integers in
// decimal, floats with strconv.FormatFloat(f, 'g', -1, 32) and .inf, -.inf
// and .nan, booleans as true and false. sigs.k8s.io/yaml rejects null and
// uint64 keys; here null becomes "null" and uint64 is printed in decimal.
func keyString(v any) string {
	switch k := v.(type) {
	case string:
		return k
	case nil:
		return "null"
	case bool:
		if k {
			return "true"
		}
		return "false"
	case int64:
		return strconv.FormatInt(k, 10)
	case uint64:
		return strconv.FormatUint(k, 10)
	case float64:
		switch {
		case math.IsInf(k, 1):
			return ".inf"
		case math.IsInf(k, -1):
			return "-.inf"
		case math.IsNaN(k):
			return ".nan"
		}
		return strconv.FormatFloat(k, 'g', -1, 32)
	}
	panic("nmstate: keyString of unexpected type")
}

// plainIsStringV2 reports whether yaml.v2 resolves the plain scalar s to a
// string and does not take it for a base 60 float, that is whether
// yaml.v2's encoder may print the string s without quotes.
func plainIsStringV2(s string) bool {
	if s == "" {
		return false
	}
	switch c := s[0]; {
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '~':
		if len(s) > 5 {
			return true
		}
		switch s {
		case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
			"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
			"null", "Null", "NULL", "~":
			return false
		}
		return true
	case c == '.':
		switch s {
		case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF":
			return false
		}
		if !onlyFloatChars(s) {
			return true
		}
		_, err := strconv.ParseFloat(s, 64)
		return err != nil
	case c >= '0' && c <= '9' || c == '-' || c == '+':
		switch s {
		case "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
			return false
		}
		if _, ok := smallDecimal(s); ok {
			return false
		}
		if isBase60Float(s) {
			return false
		}
		if isTimestampPrefix(s) {
			return !isTimestamp(s)
		}
		dots := 0
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F',
				c == 'x', c == 'X', c == 'o', c == 'O', c == '_', c == '+', c == '-':
			case c == '.':
				dots++
			default:
				return true
			}
		}
		return dots > 1 || numberIsStringV2(s)
	}
	return true
}

// numberIsStringV2 is the numeric part of yaml.v2's resolve.
func numberIsStringV2(in string) bool {
	plain := strings.ReplaceAll(in, "_", "")
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return false
	}
	if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return false
	}
	if isYAMLFloat(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return false
		}
	}
	if strings.HasPrefix(plain, "0b") {
		if _, err := strconv.ParseInt(plain[2:], 2, 64); err == nil {
			return false
		}
		if _, err := strconv.ParseUint(plain[2:], 2, 64); err == nil {
			return false
		}
	} else if strings.HasPrefix(plain, "-0b") {
		if _, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
			return false
		}
	}
	return true
}

// timestampFormats are the layouts yaml.v2 and yaml.v3 try for timestamps.
var timestampFormats = [...]string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp reports whether yaml resolves s to a timestamp.
func isTimestamp(s string) bool {
	if !isTimestampPrefix(s) {
		return false
	}
	for _, f := range timestampFormats {
		if _, err := time.Parse(f, s); err == nil {
			return true
		}
	}
	return false
}

// isBase60Float matches yaml.v2's ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$.
func isBase60Float(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	if i >= len(s) || s[i] < '0' || s[i] > '9' {
		return false
	}
	i++
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '_') {
		i++
	}
	groups := 0
	for i < len(s) && s[i] == ':' {
		i++
		// [0-5]?[0-9]
		switch {
		case i+1 < len(s) && s[i] >= '0' && s[i] <= '5' && s[i+1] >= '0' && s[i+1] <= '9':
			i += 2
		case i < len(s) && s[i] >= '0' && s[i] <= '9':
			i++
		default:
			return false
		}
		groups++
	}
	if groups == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '_') {
			i++
		}
	}
	return i == len(s)
}
