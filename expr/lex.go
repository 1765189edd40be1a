package expr

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Kind is the kind of a [Token].
type Kind uint8

// The kinds of tokens.
const (
	EOF      Kind = iota // end of the expression
	Identity             // a path step or a capture name: letters, digits and '-'
	Number               // digits only
	String               // a quoted string, quotes removed
	Boolean              // true or false
	Dot                  // .
	Pipe                 // |
	Replace              // :=
	EqFilter             // ==
	NeFilter             // !=
)

var kindNames = [...]string{
	EOF:      "end of expression",
	Identity: "identity",
	Number:   "number",
	String:   "string",
	Boolean:  "boolean",
	Dot:      "'.'",
	Pipe:     "'|'",
	Replace:  "':='",
	EqFilter: "'=='",
	NeFilter: "'!='",
}

// String returns a short description of the kind, as used in messages.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// isOperator reports whether k ends a path: a filter, a replace or a pipe.
func (k Kind) isOperator() bool {
	return k == Pipe || k == Replace || k == EqFilter || k == NeFilter
}

// Token is one lexical element of an expression.
type Token struct {
	Pos     int    // byte offset of the token's first character
	Kind    Kind   // what the token is
	Literal string // the text, without quotes for strings
}

// Lex splits an expression into tokens. The last token is always [EOF],
// positioned at len(src). It returns an [*Error] for an illegal character,
// an unterminated string, a number followed by a letter, an identity with a
// character it may not hold, or a ':', '=' or '!' not followed by '='.
//
// Lex is safe for concurrent use.
func Lex(src string) ([]Token, error) {
	l := lexer{src: src}
	return l.run()
}

type lexer struct {
	src    string
	pos    int // offset of the current rune
	tokens []Token
}

func (l *lexer) errorf(pos int, format string, args ...any) error {
	return &Error{Source: l.src, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// peek returns the rune at offset i and its width; at the end it returns
// (utf8.RuneError, 0).
func (l *lexer) peek(i int) (rune, int) {
	if i >= len(l.src) {
		return utf8.RuneError, 0
	}
	r := rune(l.src[i])
	if r < utf8.RuneSelf {
		return r, 1
	}
	return utf8.DecodeRuneInString(l.src[i:])
}

func (l *lexer) run() ([]Token, error) {
	for {
		r, w := l.peek(l.pos)
		start := l.pos
		switch {
		case w == 0:
			l.tokens = append(l.tokens, Token{Pos: len(l.src), Kind: EOF})
			return l.tokens, nil
		case unicode.IsSpace(r):
			l.pos += w
		case isDigit(r):
			if err := l.lexNumber(); err != nil {
				return nil, err
			}
		case r == '"' || r == '\'':
			if err := l.lexString(r); err != nil {
				return nil, err
			}
		case unicode.IsLetter(r):
			if err := l.lexIdentity(); err != nil {
				return nil, err
			}
		case r == '.':
			l.emit(start, l.pos+1, Dot)
		case r == '|':
			l.emit(start, l.pos+1, Pipe)
		case r == ':':
			if err := l.lexEqualAs(Replace); err != nil {
				return nil, err
			}
		case r == '=':
			if err := l.lexEqualAs(EqFilter); err != nil {
				return nil, err
			}
		case r == '!':
			if err := l.lexEqualAs(NeFilter); err != nil {
				return nil, err
			}
		default:
			return nil, l.errorf(start, "illegal rune %s", quoteRune(r))
		}
	}
}

func (l *lexer) emit(start, end int, kind Kind) {
	l.tokens = append(l.tokens, Token{Pos: start, Kind: kind, Literal: l.src[start:end]})
	l.pos = end
}

// lexNumber reads digits. As in the original, a number ends only at a
// space, a dot, a pipe or the end of the expression.
func (l *lexer) lexNumber() error {
	start := l.pos
	i := l.pos
	for {
		r, w := l.peek(i)
		switch {
		case isDigit(r):
			i += w
			continue
		case w == 0 || unicode.IsSpace(r) || r == '.' || r == '|':
			l.emit(start, i, Number)
			return nil
		default:
			return l.errorf(i, "invalid number format (%s is not a digit)", quoteRune(r))
		}
	}
}

// lexString reads a string quoted with q. There are no escapes: the string
// ends at the next q.
func (l *lexer) lexString(q rune) error {
	start := l.pos
	for i := l.pos + 1; ; {
		r, w := l.peek(i)
		switch {
		case w == 0:
			return l.errorf(len(l.src), "invalid string format (missing %c terminator)", q)
		case r == q:
			l.tokens = append(l.tokens, Token{Pos: start, Kind: String, Literal: l.src[start+1 : i]})
			l.pos = i + 1
			return nil
		}
		i += w
	}
}

func (l *lexer) lexIdentity() error {
	start := l.pos
	i := l.pos
	for {
		r, w := l.peek(i)
		switch {
		case w != 0 && (unicode.IsLetter(r) || isDigit(r) || r == '-'):
			i += w
			continue
		case w == 0 || isDelimiter(r):
			kind := Identity
			if lit := l.src[start:i]; lit == "true" || lit == "false" {
				kind = Boolean
			}
			l.emit(start, i, kind)
			return nil
		default:
			return l.errorf(i, "invalid identity format (%s is not a digit, letter or -)", quoteRune(r))
		}
	}
}

// lexEqualAs reads a two-character operator whose second character is '='.
func (l *lexer) lexEqualAs(kind Kind) error {
	start := l.pos
	r, w := l.peek(start + 1)
	if w == 0 || r != '=' {
		return l.errorf(start+1, "invalid %s operator (%s is not '=')", kind, quoteRuneOrEnd(r, w))
	}
	l.emit(start, start+2, kind)
	return nil
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// isDelimiter reports whether r ends an identity.
func isDelimiter(r rune) bool {
	switch r {
	case '.', '|', '=', ':', '!':
		return true
	}
	return unicode.IsSpace(r)
}

func quoteRune(r rune) string {
	return fmt.Sprintf("%q", r)
}

func quoteRuneOrEnd(r rune, w int) string {
	if w == 0 {
		return "end of expression"
	}
	return quoteRune(r)
}
