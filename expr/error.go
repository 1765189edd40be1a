package expr

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a problem at a position in an expression: a lexing or parsing
// error, or an evaluation error found by package capture.
type Error struct {
	Source string // the whole expression
	Pos    int    // byte offset into Source; len(Source) means its end
	Msg    string // what is wrong, lower case, no position
	// Err is an error the problem is an instance of, for errors.Is (such
	// as capture.ErrCycle), or nil. Msg already says what it says.
	Err error
}

// Error formats the error as "line:col: msg", with 1-based line and column,
// columns counted in characters.
func (e *Error) Error() string {
	line, col := e.LineCol()
	return fmt.Sprintf("%d:%d: %s", line, col, e.Msg)
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// LineCol returns the 1-based line and column (in characters) of the error
// inside the expression.
func (e *Error) LineCol() (line, col int) {
	return LineCol(e.Source, e.Pos)
}

// Snippet returns the expression line holding the error and the 0-based
// character column of the error within it, for drawing a caret.
func (e *Error) Snippet() (text string, col int) {
	pos := min(max(e.Pos, 0), len(e.Source))
	start := strings.LastIndexByte(e.Source[:pos], '\n') + 1
	end := strings.IndexByte(e.Source[pos:], '\n')
	if end < 0 {
		end = len(e.Source)
	} else {
		end += pos
	}
	return e.Source[start:end], utf8.RuneCountInString(e.Source[start:pos])
}

// LineCol converts a byte offset in src into a 1-based line and a 1-based
// column counted in characters. Offsets past the end count as the end.
func LineCol(src string, pos int) (line, col int) {
	pos = min(max(pos, 0), len(src))
	before := src[:pos]
	line = strings.Count(before, "\n") + 1
	lineStart := strings.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCountInString(before[lineStart:]) + 1
}
