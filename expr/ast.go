package expr

import (
	"strconv"
	"strings"
)

// Expr is a parsed capture expression.
type Expr struct {
	Source string // the text that was parsed
	Root   Node   // *Path, *Literal or *Filter; nil for an empty expression

	// Dropped lists what the parser read and then threw away, in order:
	// a filter or replace followed by a path (only the path counts), an
	// earlier pipe input replaced by a later one, a string followed by
	// another string. The original nmpolicy drops these silently; a linter
	// warns about them.
	Dropped []Node
}

// String prints the expression in canonical form; parsing the result gives
// the same Root.
func (e *Expr) String() string {
	if e.Root == nil {
		return ""
	}
	return e.Root.String()
}

// Node is a node of the syntax tree: a [*Path], a [*Literal] or a [*Filter].
type Node interface {
	// Position returns the byte offset where the node starts in the source.
	Position() int
	// String prints the node as expression text.
	String() string
}

// Step is one step of a path: a map key (Name) or a list index (Index, when
// IsIndex is set).
type Step struct {
	Pos     int
	Name    string
	Index   int
	IsIndex bool
}

// String prints the step as it is written.
func (s Step) String() string {
	if s.IsIndex {
		return strconv.Itoa(s.Index)
	}
	return s.Name
}

// Path is a dotted path such as routes.running.0.destination. It has at
// least one step, and the first is always a name.
type Path struct {
	Steps []Step
}

// Position returns the offset of the first step.
func (p *Path) Position() int { return p.Steps[0].Pos }

// String prints the path with dots between the steps.
func (p *Path) String() string {
	var b strings.Builder
	for i, s := range p.Steps {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.String())
	}
	return b.String()
}

// IsCaptureRef reports whether the path starts with the identity "capture".
func (p *Path) IsCaptureRef() bool {
	return !p.Steps[0].IsIndex && p.Steps[0].Name == "capture"
}

// LiteralKind says which kind of value a [Literal] holds.
type LiteralKind uint8

// The kinds of literals.
const (
	StringLit LiteralKind = iota
	BoolLit
	NumberLit // an extension: the original accepts no numbers as values
	NullLit   // an extension: `null` on the right-hand side
)

// Literal is a constant value.
type Literal struct {
	Pos  int
	Kind LiteralKind
	Str  string // StringLit: the string; NumberLit: the digits
	Bool bool   // BoolLit
}

// Position returns the offset of the literal.
func (l *Literal) Position() int { return l.Pos }

// String prints the literal as it would be written.
func (l *Literal) String() string {
	switch l.Kind {
	case StringLit:
		if strings.ContainsRune(l.Str, '"') {
			return "'" + l.Str + "'"
		}
		return `"` + l.Str + `"`
	case BoolLit:
		return strconv.FormatBool(l.Bool)
	case NumberLit:
		return l.Str
	default:
		return "null"
	}
}

// Value returns the literal as a document value: a string, a bool, nil, or
// for numbers an int64, or a uint64 when the digits exceed math.MaxInt64.
func (l *Literal) Value() any {
	switch l.Kind {
	case StringLit:
		return l.Str
	case BoolLit:
		return l.Bool
	case NumberLit:
		if n, err := strconv.ParseInt(l.Str, 10, 64); err == nil {
			return n
		}
		n, _ := strconv.ParseUint(l.Str, 10, 64) // range checked by the parser
		return n
	default:
		return nil
	}
}

// Op is the operator of a [Filter].
type Op uint8

// The operators.
const (
	OpEq      Op = iota // ==
	OpNe                // !=
	OpReplace           // :=
)

// String returns the operator's symbol.
func (o Op) String() string {
	switch o {
	case OpEq:
		return "=="
	case OpNe:
		return "!="
	default:
		return ":="
	}
}

func (o Op) description() string {
	switch o {
	case OpEq:
		return "equality filter"
	case OpNe:
		return "inequality filter"
	default:
		return "replace"
	}
}

// Filter is `[Input |] Left op Right`: keep the parts of the input where
// Left equals (OpEq) or differs from (OpNe) Right, or set Left to Right
// everywhere (OpReplace).
type Filter struct {
	Pos   int   // offset of the operator
	Op    Op    // what to do
	Input *Path // the piped-in capture reference; nil means the current state
	Left  *Path
	Right Node // *Literal or *Path (a capture reference)
}

// Position returns the offset where the filter's text starts.
func (f *Filter) Position() int {
	if f.Input != nil {
		return min(f.Input.Position(), f.Left.Position())
	}
	return f.Left.Position()
}

// String prints the filter.
func (f *Filter) String() string {
	var b strings.Builder
	if f.Input != nil {
		b.WriteString(f.Input.String())
		b.WriteString(" | ")
	}
	b.WriteString(f.Left.String())
	b.WriteByte(' ')
	b.WriteString(f.Op.String())
	b.WriteByte(' ')
	b.WriteString(f.Right.String())
	return b.String()
}
