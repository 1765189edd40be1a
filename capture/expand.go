package capture

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/netplumb/netplumb/expr"
)

// TemplateError is a failure to expand one `{{ capture.… }}` template of
// the desired state.
type TemplateError struct {
	// Path locates the string in the desired state: map keys (string) and
	// list indexes (int), from the top.
	Path []any
	// Offset is the byte offset of the template's expression within the
	// string, so that Err's positions can be mapped onto the string.
	Offset int
	// Err is an [*expr.Error] whose Source is the template's expression.
	Err error
}

// Error prints `desiredState.interfaces[0].name: line:col: message`.
func (e *TemplateError) Error() string {
	return fmt.Sprintf("%s: %v", FormatPath("desiredState", e.Path), e.Err)
}

// Unwrap returns the underlying error.
func (e *TemplateError) Unwrap() error { return e.Err }

// FormatPath prints a location in a document: `root.key[1].other`, with
// keys that are not made of letters, digits, '-', '_' and '.' quoted
// (`root["a key"]`), so that the result is one line.
//
// FormatPath is safe for concurrent use.
func FormatPath(root string, path []any) string {
	var b strings.Builder
	b.WriteString(root)
	for _, p := range path {
		switch p := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", p)
		case string:
			if plainKey(p) {
				b.WriteString("." + p)
			} else {
				fmt.Fprintf(&b, "[%q]", p)
			}
		default:
			fmt.Fprintf(&b, "[%v]", p)
		}
	}
	return b.String()
}

// Expand replaces the templates in a desired state with captured values
// and returns the expanded copy; desired is not modified.
//
// A string that is exactly `{{ capture.name.path }}` (one space inside each
// pair of braces, as the original requires) becomes the value the
// reference reaches, whatever its type. As an extension, a template inside
// a longer string (`{{ capture.base.interfaces.0.name }}.100`) is replaced
// in place when it yields a string, a number or a boolean; only templates
// starting with "capture." are considered there, and anything unbalanced
// stays as it is. Map keys are never expanded.
//
// It returns a [*TemplateError] for the first template, in document order
// (map keys sorted), that names an unknown capture, walks off the captured
// state or is not a capture reference.
//
// Expand is safe for concurrent use if nobody modifies its arguments.
func Expand(desired any, captures map[string]any) (any, error) {
	x := expander{captures: captures}
	return x.expand(desired)
}

type expander struct {
	captures map[string]any
	path     []any
}

func (x *expander) expand(v any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for _, k := range sortedKeys(t) {
			x.path = append(x.path, k)
			e, err := x.expand(t[k])
			x.path = x.path[:len(x.path)-1]
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, elem := range t {
			x.path = append(x.path, i)
			e, err := x.expand(elem)
			x.path = x.path[:len(x.path)-1]
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case string:
		return x.expandString(t)
	default:
		return v, nil
	}
}

// wholeTemplate returns the expression of a string that is exactly one
// template, as the original's `^{{ (.*) }}$` reads it.
func wholeTemplate(s string) (string, bool) {
	if len(s) < 6 || !strings.HasPrefix(s, "{{ ") || !strings.HasSuffix(s, " }}") {
		return "", false
	}
	inner := s[3 : len(s)-3]
	if strings.ContainsAny(inner, "\n\r") {
		return "", false
	}
	return inner, true
}

// splices reports whether what looks like one whole template is really
// several spliced together ("{{ capture.a.x }}-{{ capture.b.y }}"), which
// the original rejects and netplumb expands as templates inside a string.
// A template nested in another ("{{ {{ capture.a }} }}") stays an error.
func splices(inner string) bool {
	return strings.HasPrefix(inner, "capture.") && strings.Contains(inner, " }}")
}

func (x *expander) expandString(s string) (any, error) {
	if inner, ok := wholeTemplate(s); ok && !splices(inner) {
		return x.resolve(inner, 3)
	}
	if !strings.Contains(s, "{{ capture.") {
		return s, nil
	}
	var b strings.Builder
	rest, off := s, 0
	for {
		i := strings.Index(rest, "{{ capture.")
		if i < 0 {
			break
		}
		j := strings.Index(rest[i+3:], " }}")
		if j < 0 {
			break
		}
		inner := rest[i+3 : i+3+j]
		if strings.Contains(inner, "{{") || strings.ContainsAny(inner, "\n\r") {
			break
		}
		v, err := x.resolve(inner, off+i+3)
		if err != nil {
			return nil, err
		}
		text, err := scalarText(v)
		if err != nil {
			return nil, x.errorf(inner, off+i+3, 0, "%s", err)
		}
		b.WriteString(rest[:i])
		b.WriteString(text)
		end := i + 3 + j + 3
		rest, off = rest[end:], off+end
	}
	b.WriteString(rest)
	return b.String(), nil
}

// resolve evaluates a template's expression, found at offset in the string.
func (x *expander) resolve(src string, offset int) (any, error) {
	e, err := expr.Parse(src)
	if err != nil {
		return nil, x.wrap(err, offset)
	}
	p, ok := e.Root.(*expr.Path)
	if !ok {
		pos := 0
		if e.Root != nil {
			pos = e.Root.Position()
		}
		return nil, x.errorf(src, offset, pos, "a template holds a capture reference (capture.name.path), not %s", describeNode(e.Root))
	}
	v, err := reference(p, x.lookup)
	if err != nil {
		return nil, x.wrap(positioned(e, err), offset)
	}
	return v, nil
}

func (x *expander) lookup(name string) (any, bool) {
	st, ok := x.captures[name]
	return st, ok
}

func (x *expander) wrap(err error, offset int) error {
	var ee *expr.Error
	if !errors.As(err, &ee) {
		return err
	}
	return &TemplateError{Path: append([]any(nil), x.path...), Offset: offset, Err: ee}
}

func (x *expander) errorf(src string, offset, pos int, format string, args ...any) error {
	return x.wrap(&expr.Error{Source: src, Pos: pos, Msg: fmt.Sprintf(format, args...)}, offset)
}

func describeNode(n expr.Node) string {
	switch n := n.(type) {
	case nil:
		return "nothing"
	case *expr.Literal:
		return "a value"
	case *expr.Filter:
		return fmt.Sprintf("a %q expression", n.Op)
	}
	return "an expression"
}

// scalarText prints a value spliced into a longer string.
func scalarText(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case bool:
		return strconv.FormatBool(t), nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case uint64:
		return strconv.FormatUint(t, 10), nil
	case int:
		return strconv.Itoa(t), nil
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64), nil
	}
	return "", fmt.Errorf("a template inside a longer string must yield a string, a number or a boolean, not %s", describe(v))
}

// plainKey reports whether a key prints as is in a path.
func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}
