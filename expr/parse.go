package expr

import (
	"fmt"
	"strconv"
)

// Parse lexes and parses an expression. It returns an [*Error] with the
// position of the offending token when the expression is malformed.
//
// An empty expression parses to an Expr with a nil Root. Parse does not
// check what needs the state or the other captures (whether a capture
// exists, whether a right-hand path is a capture reference); package
// capture does.
//
// Parse is safe for concurrent use.
func Parse(src string) (*Expr, error) {
	tokens, err := Lex(src)
	if err != nil {
		return nil, err
	}
	p := parser{src: src, tokens: tokens, expr: &Expr{Source: src}}
	if err := p.parse(); err != nil {
		return nil, err
	}
	return p.expr, nil
}

type parser struct {
	src    string
	tokens []Token
	i      int // index of the current token
	expr   *Expr

	// last is the most recent complete node, as in the original parser,
	// which every later path, string or operator builds on or replaces.
	last Node
	// lastPiped is set when last has been taken as the pipe input, so that
	// replacing it drops nothing.
	lastPiped bool
	// piped is the pending pipe input, consumed by the next filter.
	piped *Path
}

func (p *parser) tok() Token { return p.tokens[p.i] }

// next moves to the next token, staying on EOF.
func (p *parser) next() {
	if p.i < len(p.tokens)-1 {
		p.i++
	}
}

func (p *parser) errorf(pos int, format string, args ...any) error {
	return &Error{Source: p.src, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// setLast makes n the last node, recording what it replaces.
func (p *parser) setLast(n Node) {
	if p.last != nil && !p.lastPiped {
		p.expr.Dropped = append(p.expr.Dropped, p.last)
	}
	p.last, p.lastPiped = n, false
}

func (p *parser) parse() error {
	for ; p.tok().Kind != EOF; p.next() {
		t := p.tok()
		switch t.Kind {
		case String:
			p.setLast(&Literal{Pos: t.Pos, Kind: StringLit, Str: t.Literal})
		case Identity:
			path, err := p.parsePath()
			if err != nil {
				return err
			}
			p.setLast(path)
		case EqFilter, NeFilter, Replace:
			if err := p.parseFilter(t); err != nil {
				return err
			}
		case Pipe:
			if err := p.parsePipe(t); err != nil {
				return err
			}
		default:
			return p.errorf(t.Pos, "invalid expression: unexpected token `%s`", t.Literal)
		}
	}
	if p.piped != nil {
		return p.errorf(p.tok().Pos, "invalid pipe: missing pipe out expression")
	}
	p.expr.Root = p.last
	return nil
}

// parsePath reads a path starting at the current identity and leaves the
// current token on its last step.
func (p *parser) parsePath() (*Path, error) {
	t := p.tok()
	path := &Path{Steps: []Step{{Pos: t.Pos, Name: t.Literal}}}
	for {
		if p.i+1 >= len(p.tokens) {
			return path, nil
		}
		after := p.tokens[p.i+1]
		switch {
		case after.Kind == Dot:
			p.next()
			p.next()
			step := p.tok()
			switch step.Kind {
			case Identity:
				path.Steps = append(path.Steps, Step{Pos: step.Pos, Name: step.Literal})
			case Number:
				n, err := strconv.Atoi(step.Literal)
				if err != nil {
					return nil, p.errorf(step.Pos, "invalid path: index %s out of range", step.Literal)
				}
				path.Steps = append(path.Steps, Step{Pos: step.Pos, Index: n, IsIndex: true})
			default:
				return nil, p.errorf(step.Pos, "invalid path: missing identity or number after dot")
			}
		case after.Kind == EOF || after.Kind.isOperator():
			return path, nil
		default:
			return nil, p.errorf(after.Pos, "invalid path: missing dot")
		}
	}
}

// parseFilter reads `last op value` with the current token on op.
func (p *parser) parseFilter(op Token) error {
	f := &Filter{Pos: op.Pos}
	switch op.Kind {
	case EqFilter:
		f.Op = OpEq
	case NeFilter:
		f.Op = OpNe
	default:
		f.Op = OpReplace
	}
	what := f.Op.description()
	if p.last == nil {
		return p.errorf(op.Pos, "invalid %s: missing left hand argument", what)
	}
	left, ok := p.last.(*Path)
	if !ok {
		return p.errorf(op.Pos, "invalid %s: left hand argument is not a path", what)
	}
	f.Left = left
	f.Input, p.piped = p.piped, nil

	p.next()
	t := p.tok()
	switch t.Kind {
	case String:
		f.Right = &Literal{Pos: t.Pos, Kind: StringLit, Str: t.Literal}
	case Boolean:
		f.Right = &Literal{Pos: t.Pos, Kind: BoolLit, Bool: t.Literal == "true"}
	case Number:
		if _, err := strconv.ParseUint(t.Literal, 10, 64); err != nil {
			return p.errorf(t.Pos, "invalid %s: number %s out of range", what, t.Literal)
		}
		f.Right = &Literal{Pos: t.Pos, Kind: NumberLit, Str: t.Literal}
	case Identity:
		path, err := p.parsePath()
		if err != nil {
			return err
		}
		if len(path.Steps) == 1 && path.Steps[0].Name == "null" {
			f.Right = &Literal{Pos: t.Pos, Kind: NullLit}
		} else {
			f.Right = path
		}
	case EOF:
		return p.errorf(t.Pos, "invalid %s: missing right hand argument", what)
	default:
		return p.errorf(t.Pos, "invalid %s: right hand argument is not a string, boolean, number or capture reference", what)
	}
	p.last, p.lastPiped = f, false
	return nil
}

func (p *parser) parsePipe(t Token) error {
	if p.last == nil {
		return p.errorf(t.Pos, "invalid pipe: missing pipe in expression")
	}
	path, ok := p.last.(*Path)
	if !ok {
		return p.errorf(t.Pos, "invalid pipe: only paths can be piped in")
	}
	if p.piped != nil {
		p.expr.Dropped = append(p.expr.Dropped, p.piped)
	}
	p.piped = path
	p.lastPiped = true
	return nil
}
