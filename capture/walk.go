package capture

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/netplumb/netplumb/expr"
)

// The operations below never modify the states they read: whatever they
// change, they copy, so captured states can share subtrees with the
// current state and with each other.

// stepError is an evaluation error at a step of a path; the resolver turns
// it into an [*expr.Error] of the expression being evaluated.
type stepError struct {
	pos int
	msg string
}

func (e *stepError) Error() string { return e.msg }

func stepErrorf(s expr.Step, format string, args ...any) error {
	return &stepError{pos: s.Pos, msg: fmt.Sprintf(format, args...)}
}

// walk follows a capture reference's steps (keys and indexes) from v and
// returns the value it reaches.
func walk(v any, steps []expr.Step) (any, error) {
	for _, s := range steps {
		switch t := v.(type) {
		case map[string]any:
			if s.IsIndex {
				return nil, stepErrorf(s, "invalid path: index %d used on a map (keys: %s)", s.Index, keyList(t))
			}
			next, ok := t[s.Name]
			if !ok {
				return nil, stepErrorf(s, "invalid path: step %q not found at a map (keys: %s)", s.Name, keyList(t))
			}
			v = next
		case []any:
			if !s.IsIndex {
				return nil, stepErrorf(s, "invalid path: step %q used on a list: a list takes an index", s.Name)
			}
			if s.Index >= len(t) {
				return nil, stepErrorf(s, "invalid path: index %d out of range at a list of %d", s.Index, len(t))
			}
			v = t[s.Index]
		default:
			return nil, stepErrorf(s, "invalid path: step %q used on %s", s.String(), describe(v))
		}
	}
	return v, nil
}

// selectPath is a path expression (no operator): maps above the first list
// keep only the path's key, lists keep the elements that have the path,
// and the map holding the last step is reduced to that one key. Elements
// of lists keep their other keys. ok is false when nothing has the path.
func selectPath(v any, steps []expr.Step, inList bool) (out any, ok bool, err error) {
	s := steps[0]
	switch t := v.(type) {
	case map[string]any:
		child, found := t[s.Name]
		if !found {
			return nil, false, nil
		}
		if len(steps) == 1 {
			return map[string]any{s.Name: child}, true, nil
		}
		r, ok, err := selectPath(child, steps[1:], inList)
		if !ok || err != nil {
			return nil, false, err
		}
		if !inList {
			return map[string]any{s.Name: r}, true, nil
		}
		return with(t, s.Name, r), true, nil
	case []any:
		var kept []any
		for _, e := range t {
			r, ok, err := selectPath(e, steps, true)
			if err != nil {
				return nil, false, err
			}
			if ok {
				kept = append(kept, r)
			}
		}
		return kept, kept != nil, nil
	default:
		return nil, false, stepErrorf(s, "invalid path: step %q used on %s", s.Name, describe(v))
	}
}

// filterPath keeps what matches `path op want` (op is == or !=). Maps above
// the first list keep only the path's key; the first list keeps the
// elements that match, whole; below it, a list is kept whole when any of
// its elements matches. Comparing values of different types is an error,
// wherever it happens. An element without the path never matches, for
// either operator.
func filterPath(v any, steps []expr.Step, op expr.Op, want any, inList bool) (out any, ok bool, err error) {
	s := steps[0]
	switch t := v.(type) {
	case map[string]any:
		child, found := t[s.Name]
		if !found {
			return nil, false, nil
		}
		if len(steps) == 1 {
			match, err := matches(child, op, want, s)
			if !match || err != nil {
				return nil, false, err
			}
			return t, true, nil
		}
		r, ok, err := filterPath(child, steps[1:], op, want, inList)
		if !ok || err != nil {
			return nil, false, err
		}
		if !inList {
			return map[string]any{s.Name: r}, true, nil
		}
		return t, true, nil
	case []any:
		var kept []any
		for _, e := range t {
			// Every element is visited, even after a match, so that a type
			// mismatch anywhere is reported as the original reports it.
			_, ok, err := filterPath(e, steps, op, want, true)
			if err != nil {
				return nil, false, err
			}
			if ok {
				kept = append(kept, e)
			}
		}
		if kept == nil {
			return nil, false, nil
		}
		if inList {
			return t, true, nil
		}
		return kept, true, nil
	default:
		return nil, false, stepErrorf(s, "invalid path: step %q used on %s", s.Name, describe(v))
	}
}

// matches compares the value found at the end of a filter's path with the
// value to filter by.
func matches(got any, op expr.Op, want any, s expr.Step) (bool, error) {
	var eq bool
	if want == nil {
		// The null literal is an extension: it equals null and differs
		// from everything else, without a type check.
		eq = got == nil
	} else {
		if kindOf(got) != kindOf(want) {
			return false, stepErrorf(s, "type mismatch: the value at the path is %s, the value to filter by is %s",
				describe(got), describe(want))
		}
		eq = equal(got, want)
	}
	if op == expr.OpNe {
		return !eq, nil
	}
	return eq, nil
}

// replacePath returns v with the leaf of the path set to value in every
// element the path reaches. Missing keys on the way are created as maps.
func replacePath(v any, steps []expr.Step, value any) (any, error) {
	s := steps[0]
	switch t := v.(type) {
	case map[string]any:
		if len(steps) == 1 {
			return with(t, s.Name, value), nil
		}
		child, found := t[s.Name]
		if !found {
			child = map[string]any{}
		}
		r, err := replacePath(child, steps[1:], value)
		if err != nil {
			return nil, err
		}
		return with(t, s.Name, r), nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			r, err := replacePath(e, steps, value)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	default:
		return nil, stepErrorf(s, "invalid path: step %q used on %s", s.Name, describe(v))
	}
}

// with returns a copy of m with key set to v.
func with(m map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, e := range m {
		out[k] = e
	}
	out[key] = v
	return out
}

type kind uint8

const (
	kindNull kind = iota
	kindString
	kindBool
	kindNumber
	kindMap
	kindList
	kindOther
)

func kindOf(v any) kind {
	switch v.(type) {
	case nil:
		return kindNull
	case string:
		return kindString
	case bool:
		return kindBool
	case int64, uint64, float64, int:
		return kindNumber
	case map[string]any:
		return kindMap
	case []any:
		return kindList
	default:
		return kindOther
	}
}

// equal compares two scalars of the same kind; numbers compare by value
// whatever their Go type.
func equal(a, b any) bool {
	if kindOf(a) == kindNumber {
		return numEqual(a, b)
	}
	return a == b
}

func numEqual(a, b any) bool {
	switch x := a.(type) {
	case int:
		return numEqual(int64(x), b)
	case int64:
		switch y := b.(type) {
		case int:
			return x == int64(y)
		case int64:
			return x == y
		case uint64:
			return x >= 0 && uint64(x) == y
		case float64:
			return float64(x) == y && y >= math.MinInt64 && y < math.MaxInt64 && int64(y) == x
		}
	case uint64:
		switch y := b.(type) {
		case int, int64:
			return numEqual(b, a)
		case uint64:
			return x == y
		case float64:
			return float64(x) == y && y < math.MaxUint64 && uint64(y) == x
		}
	case float64:
		if y, ok := b.(float64); ok {
			return x == y
		}
		return numEqual(b, a)
	}
	return false
}

// describe names a value's type for messages, with the value when it is a
// scalar: `a string ("eth1")`, `a list`, `null`.
func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("a string (%q)", t)
	case bool:
		return fmt.Sprintf("a boolean (%t)", t)
	case int, int64, uint64, float64:
		return fmt.Sprintf("a number (%v)", t)
	case map[string]any:
		return "a map"
	case []any:
		return "a list"
	default:
		return fmt.Sprintf("a %T", v)
	}
}

// sortedKeys returns a map's keys in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// keyList lists a map's keys for messages, sorted, at most ten.
func keyList(m map[string]any) string {
	if len(m) == 0 {
		return "none"
	}
	keys := sortedKeys(m)
	for i, k := range keys {
		if !plainKey(k) {
			keys[i] = strconv.Quote(k)
		}
	}
	if len(keys) > 10 {
		return strings.Join(keys[:10], ", ") + fmt.Sprintf(", and %d more", len(keys)-10)
	}
	return strings.Join(keys, ", ")
}
