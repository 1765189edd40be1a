package capture

import (
	"container/heap"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/netplumb/netplumb/expr"
)

// Error is a failure to resolve one capture: a syntax error in its
// expression, a reference to a capture that does not exist, a type
// mismatch, a cycle. Err is an [*expr.Error] holding the position in the
// expression.
type Error struct {
	Capture string // the name of the capture that failed
	Err     error
}

// Error prints `capture "name": line:col: message`.
func (e *Error) Error() string {
	return fmt.Sprintf("capture %q: %v", e.Capture, e.Err)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ErrCycle is wrapped by the error returned when captures reference each
// other in a cycle.
var ErrCycle = errors.New("capture cycle")

// Resolve computes every capture of captures (name → expression) against
// the current state. Captures found in cached are taken from there as they
// are and their expressions are not even parsed, as the original does; the
// others are evaluated in dependency order, ties broken by name, so the
// error returned is always the same for the same input: an [*Error] for
// the first capture in that order that fails, or one wrapping [ErrCycle]
// naming the cycle.
//
// current is a decoded NMState document (nil counts as an empty one). The
// result maps every name in captures to its state (a map, or nil when
// nothing matched); it shares subtrees with current and cached, which are
// never modified.
//
// Resolve is safe for concurrent use if nobody modifies its arguments.
func Resolve(captures map[string]string, current any, cached map[string]any) (map[string]any, error) {
	r := &resolver{
		current: current,
		exprs:   make(map[string]*expr.Expr, len(captures)),
		parse:   make(map[string]error),
		states:  make(map[string]any, len(captures)),
		known:   make(map[string]bool, len(captures)),
	}
	for name := range captures {
		r.known[name] = true
	}
	for name, src := range captures {
		if st, ok := cached[name]; ok {
			r.states[name] = st
			continue
		}
		e, err := expr.Parse(src)
		if err != nil {
			r.parse[name] = err
			continue
		}
		r.exprs[name] = e
	}
	order, cycle := r.order()
	for _, name := range order {
		if err := r.parse[name]; err != nil {
			return nil, &Error{Capture: name, Err: err}
		}
		st, err := r.eval(r.exprs[name])
		if err != nil {
			return nil, &Error{Capture: name, Err: err}
		}
		r.states[name] = st
	}
	if cycle != nil {
		return nil, cycle
	}
	return r.states, nil
}

type resolver struct {
	current any
	exprs   map[string]*expr.Expr // parsed, to evaluate
	parse   map[string]error      // expressions that did not parse
	states  map[string]any        // resolved or cached
	known   map[string]bool       // every declared capture
}

// deps lists the captures an expression reads, with the position of the
// reference, in the order they appear.
func (r *resolver) deps(e *expr.Expr) []ref {
	var refs []ref
	add := func(p *expr.Path, minSteps int) {
		if p == nil || !p.IsCaptureRef() || len(p.Steps) < minSteps || p.Steps[1].IsIndex {
			return
		}
		if name := p.Steps[1].Name; r.known[name] {
			refs = append(refs, ref{name: name, pos: p.Position()})
		}
	}
	switch n := e.Root.(type) {
	case *expr.Path:
		add(n, 3)
	case *expr.Filter:
		if n.Input != nil {
			add(n.Input, 2)
		} else {
			add(n.Left, 3)
		}
		if p, ok := n.Right.(*expr.Path); ok {
			add(p, 2)
		}
	}
	return refs
}

type ref struct {
	name string
	pos  int
}

// order sorts the captures to evaluate topologically, ties broken by name
// (Kahn's algorithm over a name-ordered heap). Captures on or behind a
// cycle are left out, and the cycle is returned as an error.
func (r *resolver) order() ([]string, error) {
	indeg := make(map[string]int)
	users := make(map[string][]string) // dependency → captures that read it
	todo := make([]string, 0, len(r.exprs)+len(r.parse))
	for name := range r.parse {
		todo = append(todo, name)
	}
	for name, e := range r.exprs {
		todo = append(todo, name)
		seen := map[string]bool{}
		for _, d := range r.deps(e) {
			_, cached := r.states[d.name]
			_, parsed := r.exprs[d.name]
			_, failed := r.parse[d.name]
			if cached || seen[d.name] || (!parsed && !failed) {
				continue // nothing to wait for
			}
			seen[d.name] = true
			indeg[name]++
			users[d.name] = append(users[d.name], name)
		}
	}
	ready := &nameHeap{}
	for _, name := range todo {
		if indeg[name] == 0 {
			heap.Push(ready, name)
		}
	}
	order := make([]string, 0, len(todo))
	for ready.Len() > 0 {
		name := heap.Pop(ready).(string)
		order = append(order, name)
		for _, u := range users[name] {
			if indeg[u]--; indeg[u] == 0 {
				heap.Push(ready, u)
			}
		}
	}
	if len(order) == len(todo) {
		return order, nil
	}
	return order, r.cycleError(indeg)
}

// cycleError finds the cycle among the captures left with unmet
// dependencies: from the first by name, follow the first dependency that
// is still waiting until a capture repeats.
func (r *resolver) cycleError(indeg map[string]int) error {
	var waiting []string
	for name, n := range indeg {
		if n > 0 {
			waiting = append(waiting, name)
		}
	}
	slices.Sort(waiting)
	name := waiting[0]
	var path []string
	var refs []ref
	at := map[string]int{}
	for {
		if i, ok := at[name]; ok {
			path = append(path[i:], name)
			first := path[0]
			e := r.exprs[first]
			return &Error{Capture: first, Err: &expr.Error{
				Source: e.Source,
				Pos:    refs[i].pos,
				Msg:    fmt.Sprintf("%v: %s", ErrCycle, strings.Join(path, " -> ")),
				Err:    ErrCycle,
			}}
		}
		at[name] = len(path)
		path = append(path, name)
		next, found := ref{}, false
		if e := r.exprs[name]; e != nil {
			for _, d := range r.deps(e) {
				if indeg[d.name] > 0 {
					next, found = d, true
					break
				}
			}
		}
		if !found {
			// Cannot happen: a capture waits only on captures that wait.
			return fmt.Errorf("%w among %s", ErrCycle, strings.Join(waiting, ", "))
		}
		refs = append(refs, next)
		name = next.name
	}
}

type nameHeap []string

func (h nameHeap) Len() int           { return len(h) }
func (h nameHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h nameHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nameHeap) Push(x any)        { *h = append(*h, x.(string)) }
func (h *nameHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// eval evaluates a parsed expression; errors are [*expr.Error]s.
func (r *resolver) eval(e *expr.Expr) (any, error) {
	st, err := evalRoot(e, r.current, r.lookup)
	return st, positioned(e, err)
}

// lookup returns a declared capture's state.
func (r *resolver) lookup(name string) (any, bool) {
	if !r.known[name] {
		return nil, false
	}
	st, ok := r.states[name]
	return st, ok
}

// positioned turns a stepError into an *expr.Error of e.
func positioned(e *expr.Expr, err error) error {
	var se *stepError
	if errors.As(err, &se) {
		return &expr.Error{Source: e.Source, Pos: se.pos, Msg: se.msg}
	}
	return err
}

// lookupFunc returns the state of a capture, and whether it exists.
type lookupFunc func(name string) (any, bool)

// evalRoot evaluates an expression against the current state, reading
// captures through lookup.
func evalRoot(e *expr.Expr, current any, lookup lookupFunc) (any, error) {
	switch n := e.Root.(type) {
	case nil:
		return nil, &stepError{pos: 0, msg: "empty expression"}
	case *expr.Literal:
		return nil, &stepError{pos: n.Pos, msg: fmt.Sprintf(
			"expression is a lone value (%s): it must be a path, a filter or a replace", n)}
	case *expr.Path:
		input, steps, err := source(nil, n, current, lookup)
		if err != nil {
			return nil, err
		}
		if err := noIndex(steps); err != nil {
			return nil, err
		}
		out, ok, err := selectPath(input, steps, false)
		if !ok {
			return nil, err
		}
		return out, nil
	case *expr.Filter:
		input, steps, err := source(n.Input, n.Left, current, lookup)
		if err != nil {
			return nil, err
		}
		if err := noIndex(steps); err != nil {
			return nil, err
		}
		value, err := rightValue(n.Right, lookup)
		if err != nil {
			return nil, err
		}
		if n.Op == expr.OpReplace {
			return replacePath(input, steps, value)
		}
		if k := kindOf(value); k == kindMap || k == kindList {
			return nil, &stepError{pos: n.Right.Position(), msg: fmt.Sprintf(
				"cannot filter by %s: %s compares strings, booleans, numbers and null", describe(value), n.Op)}
		}
		out, ok, err := filterPath(input, steps, n.Op, value, false)
		if !ok {
			return nil, err
		}
		return out, nil
	default:
		return nil, fmt.Errorf("unexpected node %T", n)
	}
}

// source picks the state an expression reads and the path to apply to it:
// the piped-in capture, or for `capture.name.steps...` without a pipe the
// capture's state, or the current state. As in the original, a
// `capture.name` prefix naming no capture is skipped and the rest of the
// path applies to the current state, and `capture.name` with no further
// step is a literal path into the current state.
func source(pipe, left *expr.Path, current any, lookup lookupFunc) (any, []expr.Step, error) {
	if pipe != nil {
		if !pipe.IsCaptureRef() {
			return nil, nil, &stepError{pos: pipe.Position(), msg: fmt.Sprintf(
				"invalid path input source (%s), only capture reference is supported", pipe)}
		}
		st, err := captureState(pipe, lookup)
		if err != nil {
			return nil, nil, err
		}
		return st, left.Steps, nil
	}
	if !left.IsCaptureRef() {
		return asMap(current), left.Steps, nil
	}
	switch {
	case len(left.Steps) == 1:
		return nil, nil, missingName(left)
	case len(left.Steps) == 2 || left.Steps[1].IsIndex:
		return asMap(current), left.Steps, nil
	}
	if st, ok := lookup(left.Steps[1].Name); ok {
		return asMap(st), left.Steps[2:], nil
	}
	return asMap(current), left.Steps[2:], nil
}

// captureState returns the state of the capture a reference names.
func captureState(p *expr.Path, lookup lookupFunc) (any, error) {
	if len(p.Steps) == 1 {
		return nil, missingName(p)
	}
	s := p.Steps[1]
	if s.IsIndex {
		return nil, &stepError{pos: s.Pos, msg: fmt.Sprintf("invalid capture reference: %d is not a capture name", s.Index)}
	}
	st, ok := lookup(s.Name)
	if !ok {
		return nil, &stepError{pos: p.Position(), msg: fmt.Sprintf("capture entry %q not found", s.Name)}
	}
	return asMap(st), nil
}

func missingName(p *expr.Path) error {
	return &stepError{pos: p.Position(), msg: "capture reference is missing the capture entry name"}
}

// asMap gives an absent state (nil) the empty map the original sees.
func asMap(st any) any {
	if st == nil {
		return map[string]any{}
	}
	return st
}

// rightValue evaluates the right-hand side of a filter or replace.
func rightValue(n expr.Node, lookup lookupFunc) (any, error) {
	switch v := n.(type) {
	case *expr.Literal:
		return v.Value(), nil
	case *expr.Path:
		return reference(v, lookup)
	}
	return nil, fmt.Errorf("unexpected node %T", n)
}

// reference evaluates a capture reference: the captured state walked
// along the steps after the name, or the whole state when there are none.
func reference(p *expr.Path, lookup lookupFunc) (any, error) {
	if !p.IsCaptureRef() {
		return nil, &stepError{pos: p.Position(), msg: fmt.Sprintf(
			"not supported filtered value path %s: only paths with a capture entry reference are supported", p)}
	}
	st, err := captureState(p, lookup)
	if err != nil {
		return nil, err
	}
	raw, _ := lookup(p.Steps[1].Name)
	if len(p.Steps) == 2 {
		// An extension: the whole captured state, null included.
		return raw, nil
	}
	if raw == nil {
		return nil, &stepError{pos: p.Steps[2].Pos, msg: fmt.Sprintf(
			"invalid path: capture %q matched nothing (its state is null), so it has no %q", p.Steps[1].Name, p.Steps[2].String())}
	}
	return walk(st, p.Steps[2:])
}

// noIndex rejects index steps in a path that filters or rewrites a state.
func noIndex(steps []expr.Step) error {
	if len(steps) == 0 {
		return errors.New("empty path")
	}
	for _, s := range steps {
		if s.IsIndex {
			return &stepError{pos: s.Pos, msg: fmt.Sprintf(
				"invalid path: index step %d: only capture references may use indexes", s.Index)}
		}
	}
	return nil
}
