package render

import (
	"fmt"
	"strings"
)

// diffContext is how many unchanged lines surround a change in a hunk.
const diffContext = 3

// maxDiffCells bounds the table of the longest-common-subsequence search;
// a larger change is shown as the whole differing middle replaced.
const maxDiffCells = 4 << 20

type opKind byte

const (
	opEqual opKind = ' '
	opDel   opKind = '-'
	opIns   opKind = '+'
)

type diffOp struct {
	kind opKind
	line string
}

// unifiedDiff returns the unified diff of a and b, or "" when they are
// equal. A file without a final newline says so, as diff(1) does.
func unifiedDiff(from, to, a, b string) string {
	if a == b {
		return ""
	}
	x, y := splitLines(a), splitLines(b)
	ops := diffLines(x, y)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)
	// Hunks: runs of changes with up to diffContext equal lines around
	// them; runs closer than 2*diffContext merge.
	i := 0
	for i < len(ops) {
		for i < len(ops) && ops[i].kind == opEqual {
			i++
		}
		if i == len(ops) {
			break
		}
		start := max(i-diffContext, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != opEqual {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == opEqual {
				run++
			}
			if run == len(ops) || run-end > 2*diffContext {
				end = min(end+diffContext, len(ops))
				break
			}
			end = run
		}
		// Line numbers of the hunk in a and b.
		la, lb := 1, 1
		for _, op := range ops[:start] {
			if op.kind != opIns {
				la++
			}
			if op.kind != opDel {
				lb++
			}
		}
		na, nb := 0, 0
		for _, op := range ops[start:end] {
			if op.kind != opIns {
				na++
			}
			if op.kind != opDel {
				nb++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(la, na), hunkRange(lb, nb))
		for _, op := range ops[start:end] {
			out.WriteByte(byte(op.kind))
			out.WriteString(strings.TrimSuffix(op.line, "\n"))
			out.WriteByte('\n')
			if !strings.HasSuffix(op.line, "\n") {
				out.WriteString("\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return out.String()
}

func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start-1)
	}
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// splitLines splits text into lines that keep their newline.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// diffLines is an edit script from x to y: the common prefix and suffix
// are kept, and the middle is aligned by its longest common subsequence,
// or replaced whole when it is too large to align.
func diffLines(x, y []string) []diffOp {
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	var ops []diffOp
	for _, l := range x[:pre] {
		ops = append(ops, diffOp{opEqual, l})
	}
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	if (len(mx)+1)*(len(my)+1) > maxDiffCells {
		for _, l := range mx {
			ops = append(ops, diffOp{opDel, l})
		}
		for _, l := range my {
			ops = append(ops, diffOp{opIns, l})
		}
	} else {
		ops = append(ops, lcsOps(mx, my)...)
	}
	for _, l := range x[len(x)-suf:] {
		ops = append(ops, diffOp{opEqual, l})
	}
	return ops
}

// lcsOps aligns x and y by their longest common subsequence.
func lcsOps(x, y []string) []diffOp {
	n, m := len(x), len(y)
	w := m + 1
	t := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				t[i*w+j] = t[(i+1)*w+j+1] + 1
			} else {
				t[i*w+j] = max(t[(i+1)*w+j], t[i*w+j+1])
			}
		}
	}
	var ops []diffOp
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			ops = append(ops, diffOp{opEqual, x[i]})
			i++
			j++
		case t[(i+1)*w+j] >= t[i*w+j+1]:
			ops = append(ops, diffOp{opDel, x[i]})
			i++
		default:
			ops = append(ops, diffOp{opIns, y[j]})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, diffOp{opDel, x[i]})
	}
	for ; j < m; j++ {
		ops = append(ops, diffOp{opIns, y[j]})
	}
	return ops
}
