package capture

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/netplumb/netplumb/expr"
	"github.com/netplumb/netplumb/nmstate"
)

// Severity says whether a [Diagnostic] is an error or a warning.
type Severity uint8

// The severities.
const (
	SeverityError Severity = iota
	// SeverityWarning marks input the original silently ignores or reads
	// in a way its author probably did not mean.
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem lint found in a policy file.
type Diagnostic struct {
	Line, Col int // 1-based; Col counts characters
	Severity  Severity
	Msg       string
}

// Lint checks every document of a policy file without a current state:
// YAML syntax, the shape of the policy, every capture expression (syntax,
// references to unknown captures, cycles, right-hand paths that are not
// capture references, index steps where none are allowed), every template
// of the desired state, and the desired state's keys against the keys
// NMState knows (with a suggestion). As warnings, it reports what the
// original silently ignores: top-level keys other than capture and
// desiredState, a filter followed by a path (only the path counts), a
// second pipe, steps after the capture name of a pipe input, and a
// `capture.name` prefix that names no capture on a left-hand path.
//
// Documents that are not policies (no capture, no desiredState and no key
// close to them, as an NMState document beside the policies) are skipped.
// The diagnostics come sorted by line and column. Lint is safe for
// concurrent use.
func Lint(data []byte) []Diagnostic {
	var ds []Diagnostic
	docs, err := ParsePolicies(data)
	for _, d := range docs {
		if d.isPolicy() {
			ds = append(ds, d.lint()...)
		}
	}
	if err != nil {
		d := Diagnostic{Line: 1, Col: 1, Severity: SeverityError, Msg: err.Error()}
		var se *nmstate.SyntaxError
		if errors.As(err, &se) {
			d.Line, d.Col, d.Msg = max(se.Line, 1), max(se.Column, 1), se.Msg
		}
		// yaml.v3 may place a problem at the end of input past the last line.
		d.Line = min(d.Line, bytes.Count(data, []byte("\n"))+1)
		ds = append(ds, d)
	}
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	return ds
}

// isPolicy reports whether a document is meant as a policy: a manifest,
// or a map with capture or desiredState (or a key close to them), so that
// lint can run over directories that also hold states.
func (d *Document) isPolicy() bool {
	if d.Kind != "" || d.capture != nil || d.desired != nil {
		return true
	}
	for _, k := range d.topKeys {
		if suggest(k.Value, []string{"capture", "desiredState"}) != "" {
			return true
		}
	}
	return false
}

type linter struct {
	d     *Document
	diags []Diagnostic
}

func (d *Document) lint() []Diagnostic {
	l := &linter{d: d}
	for _, k := range d.topKeys {
		if d.Kind != "" {
			break // a manifest's spec has other keys: nodeSelector, maxUnavailable
		}
		msg := fmt.Sprintf("unknown key %q is ignored", k.Value)
		if s := suggest(k.Value, []string{"capture", "desiredState"}); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		l.add(k.Line, k.Column, SeverityWarning, msg)
	}
	l.captures()
	if d.desired != nil {
		l.desired(d.desired, nmstate.Schema(), nil)
	}
	return l.diags
}

func (l *linter) add(line, col int, sev Severity, msg string) {
	if n := len(l.d.lines); line > n {
		line, col = n, 1 // an empty node yaml.v3 places after the end
	}
	l.diags = append(l.diags, Diagnostic{Line: line, Col: col, Severity: sev, Msg: msg})
}

// addAt reports a problem at an offset inside a capture's expression.
func (l *linter) addAt(name string, pos int, sev Severity, format string, args ...any) {
	line, col := l.d.scalarPos(l.d.captureNode(name), pos)
	l.add(line, col, sev, fmt.Sprintf("capture %q: ", name)+fmt.Sprintf(format, args...))
}

func (l *linter) captures() {
	c := l.d.Policy.Capture
	exprs := map[string]*expr.Expr{}
	failed := map[string]error{}
	for _, name := range sortedNames(c) {
		e, err := expr.Parse(c[name])
		if err != nil {
			failed[name] = err
			var ee *expr.Error
			if errors.As(err, &ee) {
				l.addAt(name, ee.Pos, SeverityError, "%s", ee.Msg)
			}
			continue
		}
		exprs[name] = e
		l.expression(name, e)
	}
	// Cycles: let the resolver's ordering find them on a state-free run.
	r := &resolver{exprs: exprs, parse: failed, states: map[string]any{}, known: map[string]bool{}}
	for name := range c {
		r.known[name] = true
	}
	if _, err := r.order(); err != nil {
		var ce *Error
		var ee *expr.Error
		if errors.As(err, &ce) && errors.As(err, &ee) {
			l.addAt(ce.Capture, ee.Pos, SeverityError, "%s", ee.Msg)
		}
	}
}

// expression checks what can be checked without a state.
func (l *linter) expression(name string, e *expr.Expr) {
	known := func(n string) bool { _, ok := l.d.Policy.Capture[n]; return ok }
	for _, n := range e.Dropped {
		switch n := n.(type) {
		case *expr.Filter:
			l.addAt(name, n.Position(), SeverityWarning,
				"%s is ignored: a path follows it, and only that path is evaluated", n)
		case *expr.Path:
			l.addAt(name, n.Position(), SeverityWarning,
				"pipe input %s is ignored: a second pipe replaces it", n)
		case *expr.Literal:
			l.addAt(name, n.Position(), SeverityWarning, "%s is ignored: another value follows it", n)
		}
	}
	ref := func(p *expr.Path) {
		switch {
		case !p.IsCaptureRef():
			l.addAt(name, p.Position(), SeverityError,
				"%s is not a capture reference: right-hand paths must start with capture.NAME", p)
		case len(p.Steps) == 1:
			l.addAt(name, p.Position(), SeverityError, "capture reference is missing the capture entry name")
		case p.Steps[1].IsIndex:
			l.addAt(name, p.Steps[1].Pos, SeverityError, "%d is not a capture name", p.Steps[1].Index)
		case !known(p.Steps[1].Name):
			l.addAt(name, p.Position(), SeverityError, "capture entry %q not found", p.Steps[1].Name)
		}
	}
	leftPath := func(pipe, left *expr.Path) {
		steps := left.Steps
		if pipe == nil && left.IsCaptureRef() {
			switch {
			case len(steps) == 1:
				l.addAt(name, left.Position(), SeverityError, "capture reference is missing the capture entry name")
				return
			case len(steps) == 2:
				l.addAt(name, left.Position(), SeverityWarning,
					"%s is read as a path into the current state, not as the captured state", left)
			case !steps[1].IsIndex && !known(steps[1].Name):
				l.addAt(name, left.Position(), SeverityWarning,
					"capture.%s names no capture: the prefix is skipped and the rest of the path reads the current state", steps[1].Name)
				steps = steps[2:]
			default:
				steps = steps[2:]
			}
		}
		for _, s := range steps {
			if s.IsIndex {
				l.addAt(name, s.Pos, SeverityError, "index step %d: only capture references may use indexes", s.Index)
			}
		}
	}
	switch n := e.Root.(type) {
	case nil:
		l.addAt(name, 0, SeverityError, "empty expression")
	case *expr.Literal:
		l.addAt(name, n.Pos, SeverityError, "expression is a lone value (%s): it must be a path, a filter or a replace", n)
	case *expr.Path:
		leftPath(nil, n)
	case *expr.Filter:
		if n.Input != nil {
			if !n.Input.IsCaptureRef() {
				l.addAt(name, n.Input.Position(), SeverityError,
					"pipe input %s is not a capture reference", n.Input)
			} else {
				ref(n.Input)
				if len(n.Input.Steps) > 2 {
					l.addAt(name, n.Input.Steps[2].Pos, SeverityWarning,
						"steps after the capture name of a pipe input are ignored")
				}
			}
		}
		leftPath(n.Input, n.Left)
		if p, ok := n.Right.(*expr.Path); ok {
			ref(p)
		}
	}
}

// desired checks the desired state below n against the schema field f.
func (l *linter) desired(n *yaml.Node, f *nmstate.Field, path []any) {
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			var child *nmstate.Field
			if f != nil {
				var ok bool
				child, ok = f.Child(k.Value)
				if !ok {
					msg := fmt.Sprintf("%s: unknown key %q", FormatPath("desiredState", path), k.Value)
					if s := f.Suggest(k.Value); s != "" {
						msg += fmt.Sprintf(", did you mean %q?", s)
					}
					l.add(k.Line, k.Column, SeverityError, msg)
				}
			}
			l.desired(v, child, append(path, k.Value))
		}
	case yaml.SequenceNode:
		var elem *nmstate.Field
		if f != nil {
			elem = f.Elem()
		}
		for i, v := range n.Content {
			l.desired(v, elem, append(path, i))
		}
	case yaml.ScalarNode:
		if n.Tag == "!!str" {
			l.template(n, path)
		}
	}
}

// template checks the templates of one string of the desired state.
func (l *linter) template(n *yaml.Node, path []any) {
	s := n.Value
	at := FormatPath("desiredState", path)
	report := func(offset int, format string, args ...any) {
		line, col := l.d.scalarPos(n, offset)
		l.add(line, col, SeverityError, at+": "+fmt.Sprintf(format, args...))
	}
	check := func(src string, offset int) {
		e, err := expr.Parse(src)
		if err != nil {
			var ee *expr.Error
			if errors.As(err, &ee) {
				report(offset+ee.Pos, "%s", ee.Msg)
			}
			return
		}
		p, ok := e.Root.(*expr.Path)
		if !ok {
			report(offset, "a template holds a capture reference (capture.name.path), not %s", describeNode(e.Root))
			return
		}
		switch {
		case !p.IsCaptureRef():
			report(offset+p.Position(), "%s is not a capture reference: templates read capture.NAME.path", p)
		case len(p.Steps) == 1 || p.Steps[1].IsIndex:
			report(offset+p.Position(), "capture reference is missing the capture entry name")
		default:
			if _, ok := l.d.Policy.Capture[p.Steps[1].Name]; !ok {
				report(offset+p.Position(), "capture entry %q not found", p.Steps[1].Name)
			}
		}
	}
	if inner, ok := wholeTemplate(s); ok && !splices(inner) {
		check(inner, 3)
		return
	}
	if !strings.Contains(s, "{{") && !strings.Contains(s, "}}") {
		return
	}
	// Templates inside a longer string, and malformed ones.
	rest, off := s, 0
	for {
		i := strings.Index(rest, "{{")
		j := strings.Index(rest, "}}")
		if i < 0 && j < 0 {
			return
		}
		if i < 0 || (j >= 0 && j < i) {
			if strings.Contains(s, "capture.") {
				report(off+j, "malformed template: %q without a matching %q", "}}", "{{")
			}
			return
		}
		end := strings.Index(rest[i:], "}}")
		if end < 0 {
			if strings.Contains(rest[i:], "capture.") {
				report(off+i, "malformed template: %q without a matching %q", "{{", "}}")
			}
			return
		}
		body := rest[i+2 : i+end]
		switch {
		case strings.HasPrefix(body, " capture.") && strings.HasSuffix(body, " ") && !strings.Contains(body, "{{"):
			check(body[1:len(body)-1], off+i+3)
		case strings.Contains(body, "capture."):
			report(off+i, "malformed template %q: write {{ capture.NAME.path }}, with one space inside each pair of braces",
				rest[i:i+end+2])
		}
		rest, off = rest[i+end+2:], off+i+end+2
	}
}

// suggest returns the top-level policy key closest to key: "desired…"
// always means desiredState.
func suggest(key string, candidates []string) string {
	if strings.HasPrefix(strings.ToLower(key), "desired") {
		return "desiredState"
	}
	return nmstate.Closest(key, candidates)
}
