// Package expr is the NMPolicy capture-expression language: its lexer, its
// parser and its syntax tree, with errors that carry the position of the
// offending token.
//
// An expression selects or rewrites part of an NMState document:
//
//	routes.running                                   a path
//	routes.running.destination == "0.0.0.0/0"        keep what matches
//	interfaces.type != "loopback"                    keep what does not match
//	capture.gw | routes.running.next-hop-interface := "br1"   rewrite a leaf
//	interfaces.name == capture.gw.routes.running.0.next-hop-interface
//
// The grammar and its quirks are those of nmstate's nmpolicy v0.6.0, so that a
// policy means the same thing to both. Tokens are identities (a letter, then
// letters, digits or '-'), numbers (digits, ending only at a space, '.', '|'
// or the end), strings in double or single quotes without escapes, true and
// false, '.', '|', ":=", "==" and "!=". Everything else is an illegal rune.
//
// The parser reads tokens left to right the way the original does: a later
// path, string or operator replaces what came before, so
// `interfaces.name == "eth1" interfaces.type` means `interfaces.type`. Such
// inputs parse as the original parses them; [Expr.Dropped] records what was
// thrown away so that a linter can warn about it.
//
// Deliberate extensions, all of which the original rejects: a non-negative
// integer on the right-hand side (`route-table == 500`), the literal `null`
// on the right-hand side (`lldp.enabled := null`), and `capture.name` with no
// further steps meaning the whole captured state.
package expr
