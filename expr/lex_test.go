package expr

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLex(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []Token
	}{
		{"empty", "", []Token{{0, EOF, ""}}},
		{"spaces only", " \t\n", []Token{{3, EOF, ""}}},
		{"path", "routes.running", []Token{
			{0, Identity, "routes"}, {6, Dot, "."}, {7, Identity, "running"}, {14, EOF, ""},
		}},
		{"dashes and digits in identities", "next-hop-interface2", []Token{
			{0, Identity, "next-hop-interface2"}, {19, EOF, ""},
		}},
		{"index step", "foo1.3|foo2", []Token{
			{0, Identity, "foo1"}, {4, Dot, "."}, {5, Number, "3"}, {6, Pipe, "|"}, {7, Identity, "foo2"}, {11, EOF, ""},
		}},
		{"operators", "a==b!=c:=d", []Token{
			{0, Identity, "a"}, {1, EqFilter, "=="}, {3, Identity, "b"}, {4, NeFilter, "!="},
			{6, Identity, "c"}, {7, Replace, ":="}, {9, Identity, "d"}, {10, EOF, ""},
		}},
		{"double-quoted string", `a=="0.0.0.0/0"`, []Token{
			{0, Identity, "a"}, {1, EqFilter, "=="}, {3, String, "0.0.0.0/0"}, {14, EOF, ""},
		}},
		{"single-quoted string keeps double quotes", `'say "hi"'`, []Token{
			{0, String, `say "hi"`}, {10, EOF, ""},
		}},
		{"no escapes in strings", `"a\"`, []Token{{0, String, `a\`}, {4, EOF, ""}}},
		{"booleans", "true false truex", []Token{
			{0, Boolean, "true"}, {5, Boolean, "false"}, {11, Identity, "truex"}, {16, EOF, ""},
		}},
		{"null is an identity", "null", []Token{{0, Identity, "null"}, {4, EOF, ""}}},
		{"number at end", "mtu==1280", []Token{
			{0, Identity, "mtu"}, {3, EqFilter, "=="}, {5, Number, "1280"}, {9, EOF, ""},
		}},
		{"newlines are spaces", "a ==\n  'b'\n", []Token{
			{0, Identity, "a"}, {2, EqFilter, "=="}, {7, String, "b"}, {11, EOF, ""},
		}},
		{"unicode letters", "ïf.ñame", []Token{
			{0, Identity, "ïf"}, {3, Dot, "."}, {4, Identity, "ñame"}, {9, EOF, ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Lex(tt.src)
			if err != nil {
				t.Fatalf("Lex(%q): %v", tt.src, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Lex(%q) (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

func TestLexErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"illegal rune", " foo -foo ", "1:6: illegal rune '-'"},
		{"illegal rune after operator", `routes.running.destination==-"0.0.0.0/0"`, "1:29: illegal rune '-'"},
		{"number then letter", " foo 1foo ", "1:7: invalid number format ('f' is not a digit)"},
		{"hex number", "455 0xEA", "1:6: invalid number format ('x' is not a digit)"},
		{"number then operator", "1==2", "1:2: invalid number format ('=' is not a digit)"},
		{"unterminated double", ` "bar1" "foo dar`, "1:17: invalid string format (missing \" terminator)"},
		{"unterminated single", ` "bar1" 'foo dar`, "1:17: invalid string format (missing ' terminator)"},
		{"single equal", "foo=bar", "1:5: invalid '==' operator ('b' is not '=')"},
		{"equal then bang", `a=!"br1"`, "1:3: invalid '==' operator ('!' is not '=')"},
		{"colon colon", `a::"br1"`, "1:3: invalid ':=' operator (':' is not '=')"},
		{"colon at end", "a:", "1:3: invalid ':=' operator (end of expression is not '=')"},
		{"bang at end", "a!", "1:3: invalid '!=' operator (end of expression is not '=')"},
		{"underscore", "foo_bar", "1:4: invalid identity format ('_' is not a digit, letter or -)"},
		{"brace", "{{ capture.a }}", "1:1: illegal rune '{'"},
		{"plus", "a + b", "1:3: illegal rune '+'"},
		{"column counts characters", "ñ.ñ -", "1:5: illegal rune '-'"},
		{"second line", "a ==\n -b", "2:2: illegal rune '-'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Lex(tt.src)
			if err == nil {
				t.Fatalf("Lex(%q) succeeded, want %q", tt.src, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Lex(%q) error = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestErrorSnippet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src      string
		pos      int
		wantText string
		wantCol  int
	}{
		{"abc", 1, "abc", 1},
		{"abc", 3, "abc", 3},
		{"a ==\n  'ñb' -", 13, "  'ñb' -", 7},
		{"a\nb\n", 4, "", 0},
	}
	for _, tt := range tests {
		e := &Error{Source: tt.src, Pos: tt.pos}
		text, col := e.Snippet()
		if text != tt.wantText || col != tt.wantCol {
			t.Errorf("Snippet(%q, %d) = %q, %d; want %q, %d", tt.src, tt.pos, text, col, tt.wantText, tt.wantCol)
		}
	}
}
