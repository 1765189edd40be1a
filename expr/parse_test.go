package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		src     string
		want    string // the canonical print of Root
		dropped []string
	}{
		{"empty", "  ", "", nil},
		{"path", "routes.running", "routes.running", nil},
		{"index steps", "capture.a.routes.running.0.next-hop-interface", "capture.a.routes.running.0.next-hop-interface", nil},
		{"eq string", `routes.running.destination=="0.0.0.0/0"`, `routes.running.destination == "0.0.0.0/0"`, nil},
		{"ne single-quoted", `interfaces.type != 'loopback'`, `interfaces.type != "loopback"`, nil},
		{"eq boolean", "interfaces.ipv4.enabled==true", "interfaces.ipv4.enabled == true", nil},
		{"eq number", "route-rules.config.route-table==500", "route-rules.config.route-table == 500", nil},
		{"replace null", "interfaces.ethernet := null", "interfaces.ethernet := null", nil},
		{"eq capture ref", "interfaces.name==capture.gw.routes.running.0.next-hop-interface",
			"interfaces.name == capture.gw.routes.running.0.next-hop-interface", nil},
		{"pipe replace", `capture.base | routes.running.next-hop-interface:="br1"`,
			`capture.base | routes.running.next-hop-interface := "br1"`, nil},
		{"string with double quotes", `a.b == 'say "hi"'`, `a.b == 'say "hi"'`, nil},
		{"lone string", `"quoted string"`, `"quoted string"`, nil},
		{"trailing path after filter", `interfaces.name == "eth1" interfaces.type`, "interfaces.type",
			[]string{`interfaces.name == "eth1"`}},
		{"trailing path after replace", `interfaces.name := "eth1" interfaces.type`, "interfaces.type",
			[]string{`interfaces.name := "eth1"`}},
		{"two pipes", `capture.a | capture.b | interfaces.name == "x"`, `capture.b | interfaces.name == "x"`,
			[]string{"capture.a"}},
		{"two strings", `"a" "b"`, `"b"`, []string{`"a"`}},
		{"pipe then operator reuses the piped path", `capture.a | == "x"`, `capture.a | capture.a == "x"`, nil},
		{"folded block", "routes.running.destination==\n  capture.gw.routes.running.0.destination\n",
			"routes.running.destination == capture.gw.routes.running.0.destination", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.src, err)
			}
			if got := e.String(); got != tt.want {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.src, got, tt.want)
			}
			var dropped []string
			for _, n := range e.Dropped {
				dropped = append(dropped, n.String())
			}
			if diff := cmp.Diff(tt.dropped, dropped); diff != "" {
				t.Errorf("Parse(%q).Dropped (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

func TestParseTree(t *testing.T) {
	t.Parallel()
	e, err := Parse(`capture.gw | routes.running.next-hop-interface := capture.br.interfaces.0.name`)
	if err != nil {
		t.Fatal(err)
	}
	want := &Filter{
		Pos:   47,
		Op:    OpReplace,
		Input: &Path{Steps: []Step{{Pos: 0, Name: "capture"}, {Pos: 8, Name: "gw"}}},
		Left: &Path{Steps: []Step{
			{Pos: 13, Name: "routes"}, {Pos: 20, Name: "running"}, {Pos: 28, Name: "next-hop-interface"},
		}},
		Right: &Path{Steps: []Step{
			{Pos: 50, Name: "capture"}, {Pos: 58, Name: "br"}, {Pos: 61, Name: "interfaces"},
			{Pos: 72, Index: 0, IsIndex: true}, {Pos: 74, Name: "name"},
		}},
	}
	if diff := cmp.Diff(Node(want), e.Root); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	if got := e.Root.Position(); got != 0 {
		t.Errorf("Position() = %d, want 0", got)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"lexer error", `routes.running.destination==-"0.0.0.0/0"`, "1:29: illegal rune '-'"},
		{"leading dot", ".", "1:1: invalid expression: unexpected token `.`"},
		{"lone number", "455", "1:1: invalid expression: unexpected token `455`"},
		{"lone boolean", "true", "1:1: invalid expression: unexpected token `true`"},
		{"double dot", "routes..destination", "1:8: invalid path: missing identity or number after dot"},
		{"trailing dot", "routes.", "1:8: invalid path: missing identity or number after dot"},
		{"dot then boolean", "a.true", "1:3: invalid path: missing identity or number after dot"},
		{"missing dot", "override me with the cache", "1:10: invalid path: missing dot"},
		{"missing dot before string", `a.b "x"`, "1:5: invalid path: missing dot"},
		{"index out of range", "a.99999999999999999999", "1:3: invalid path: index 99999999999999999999 out of range"},
		{"eq missing lhs", `=="0.0.0.0/0"`, "1:1: invalid equality filter: missing left hand argument"},
		{"eq lhs string", `"foo"=="0.0.0.0/0"`, "1:6: invalid equality filter: left hand argument is not a path"},
		{"eq missing rhs", "routes.running.destination==", "1:29: invalid equality filter: missing right hand argument"},
		{"eq rhs operator", "routes.running.destination====",
			"1:29: invalid equality filter: right hand argument is not a string, boolean, number or capture reference"},
		{"eq rhs number out of range", "a==99999999999999999999", "1:4: invalid equality filter: number 99999999999999999999 out of range"},
		{"ne missing lhs", `!="0.0.0.0/0"`, "1:1: invalid inequality filter: missing left hand argument"},
		{"ne missing rhs", "routes.running.destination!=", "1:29: invalid inequality filter: missing right hand argument"},
		{"ne rhs operator", "routes.running.destination!=!=",
			"1:29: invalid inequality filter: right hand argument is not a string, boolean, number or capture reference"},
		{"replace missing lhs", `:="0.0.0.0/0"`, "1:1: invalid replace: missing left hand argument"},
		{"replace lhs string", `"foo":="0.0.0.0/0"`, "1:6: invalid replace: left hand argument is not a path"},
		{"replace missing rhs", "interface.name :=", "1:18: invalid replace: missing right hand argument"},
		{"replace rhs operator", "routes.running.destination:=:=",
			"1:29: invalid replace: right hand argument is not a string, boolean, number or capture reference"},
		{"two equals", `capture.abc | capture.abc == interface.name == "eth1"`,
			"1:45: invalid equality filter: left hand argument is not a path"},
		{"two replaces", `capture.abc | capture.abc := interface.name := "eth1"`,
			"1:45: invalid replace: left hand argument is not a path"},
		{"pipe missing in", `|routes.running.next-hop-interface:="br1"`, "1:1: invalid pipe: missing pipe in expression"},
		{"pipe string in", `"foo"|routes.running.next-hop-interface:="br1"`, "1:6: invalid pipe: only paths can be piped in"},
		{"pipe filter in", `routes.running.destination=="0.0.0.0/0" |`, "1:41: invalid pipe: only paths can be piped in"},
		{"pipe missing out", "capture.default-gw|", "1:20: invalid pipe: missing pipe out expression"},
		{"pipe at end", "capture.abc |", "1:14: invalid pipe: missing pipe out expression"},
		{"value after pipe", `capture.abc | "eth1"`, "1:21: invalid pipe: missing pipe out expression"},
		{"path after pipe", `capture.abc | interfaces`, "1:25: invalid pipe: missing pipe out expression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tt.src)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want %q", tt.src, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse(%q) error = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

// TestRoundTrip checks that printing a parsed expression and parsing the
// print gives the same tree (positions aside).
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, src := range roundTripSeeds {
		e1, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		printed := e1.String()
		e2, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) of the print of %q: %v", printed, src, err)
		}
		if again := e2.String(); again != printed {
			t.Errorf("print of %q: %q, then %q", src, printed, again)
		}
	}
}

var roundTripSeeds = []string{
	"",
	"routes.running",
	`routes.running.destination=="0.0.0.0/0"`,
	`interfaces.name==capture.default-gw.routes.running.0.next-hop-interface`,
	`capture.base-iface-routes | routes.running.next-hop-interface:="br1"`,
	`capture.ethernets-up | interfaces.lldp.enabled:=true`,
	`interfaces.description != 'primary "nic"'`,
	`route-rules.config.route-table==500`,
	`capture.e | interfaces.ethernet := null`,
	`interfaces.name == "eth1" interfaces.type`,
	`capture.a | capture.b | x.y != false`,
	`"just a string"`,
	`capture.a | == "x"`,
}

func FuzzParse(f *testing.F) {
	for _, s := range roundTripSeeds {
		f.Add(s)
	}
	for _, s := range []string{"a.0.b", "a==", "|", "x :=\n 'y'", "ñ.é == 'ü'", "a.b==1.2", "{{ capture.a }}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse(%q) error %v is not an *Error", src, err)
			}
			if perr.Pos < 0 || perr.Pos > len(src) {
				t.Fatalf("Parse(%q) error position %d out of range", src, perr.Pos)
			}
			if strings.Contains(perr.Msg, "\n") {
				t.Fatalf("Parse(%q) error message has a newline: %q", src, perr.Msg)
			}
			return
		}
		printed := e.String()
		e2, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) of the print of %q: %v", printed, src, err)
		}
		if again := e2.String(); again != printed {
			t.Fatalf("print of %q: %q, then %q", src, printed, again)
		}
	})
}
