package setup

import (
	"bytes"
	"fmt"
	"strings"
)

// diffContext is how many unchanged lines surround each change.
const diffContext = 3

// maxDiffCells bounds the LCS table. Past it (two large, wholly different
// files) the diff shows every middle line removed and added, which is still a
// correct diff, only not a minimal one.
const maxDiffCells = 1 << 22

// diffOp is one line of an edit script: ' ' kept, '-' removed, '+' added.
type diffOp struct {
	kind byte
	line string
}

// unifiedDiff returns a unified diff turning a into b with headers from and
// to, or "" when they are equal. Lines keep their endings (CRLF shows as
// such); a last line without one is marked "\ No newline at end of file".
func unifiedDiff(from, to string, a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	ops := diffLines(splitLines(a), splitLines(b))
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)
	// aAt and bAt count the lines of a and b before ops[i].
	aAt := make([]int, len(ops)+1)
	bAt := make([]int, len(ops)+1)
	for i, op := range ops {
		aAt[i+1], bAt[i+1] = aAt[i], bAt[i]
		if op.kind != '+' {
			aAt[i+1]++
		}
		if op.kind != '-' {
			bAt[i+1]++
		}
	}
	for i := 0; i < len(ops); {
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i == len(ops) {
			break
		}
		start := max(i-diffContext, 0)
		end := i
		for {
			for end < len(ops) && ops[end].kind != ' ' {
				end++
			}
			next := end
			for next < len(ops) && ops[next].kind == ' ' {
				next++
			}
			if next == len(ops) || next-end > 2*diffContext {
				end = min(end+diffContext, next)
				break
			}
			end = next
		}
		out.WriteString("@@ -" + hunkRange(aAt[start], aAt[end]) + " +" + hunkRange(bAt[start], bAt[end]) + " @@\n")
		for _, op := range ops[start:end] {
			out.WriteByte(op.kind)
			out.WriteString(op.line)
			if !strings.HasSuffix(op.line, "\n") {
				out.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return out.String()
}

// hunkRange formats lines [from, to) of a file as a hunk header does: the
// first line (1-based) and the count, the count left out when it is 1, and
// the line before the hunk when it is empty.
func hunkRange(from, to int) string {
	switch n := to - from; n {
	case 0:
		return fmt.Sprintf("%d,0", from)
	case 1:
		return fmt.Sprintf("%d", from+1)
	default:
		return fmt.Sprintf("%d,%d", from+1, n)
	}
}

// splitLines splits s after each '\n'; the last line may lack one.
func splitLines(s []byte) []string {
	var lines []string
	for len(s) > 0 {
		i := bytes.IndexByte(s, '\n') + 1
		if i == 0 {
			i = len(s)
		}
		lines = append(lines, string(s[:i]))
		s = s[i:]
	}
	return lines
}

// diffLines returns an edit script from x to y built on a longest common
// subsequence of lines, after setting aside the common head and tail.
func diffLines(x, y []string) []diffOp {
	head := 0
	for head < len(x) && head < len(y) && x[head] == y[head] {
		head++
	}
	tail := 0
	for tail < len(x)-head && tail < len(y)-head && x[len(x)-1-tail] == y[len(y)-1-tail] {
		tail++
	}
	ops := make([]diffOp, 0, len(x)+len(y)-head-tail)
	for _, l := range x[:head] {
		ops = append(ops, diffOp{' ', l})
	}
	xm, ym := x[head:len(x)-tail], y[head:len(y)-tail]
	ops = append(ops, diffMiddle(xm, ym)...)
	for _, l := range x[len(x)-tail:] {
		ops = append(ops, diffOp{' ', l})
	}
	return ops
}

// diffMiddle is the LCS edit script of x and y, deletions before insertions
// within each changed run.
func diffMiddle(x, y []string) []diffOp {
	n, m := len(x), len(y)
	var ops []diffOp
	if n*m > maxDiffCells {
		for _, l := range x {
			ops = append(ops, diffOp{'-', l})
		}
		for _, l := range y {
			ops = append(ops, diffOp{'+', l})
		}
		return ops
	}
	// lcs[i*(m+1)+j] is the LCS length of x[i:] and y[j:].
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			ops = append(ops, diffOp{' ', x[i]})
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			ops = append(ops, diffOp{'-', x[i]})
			i++
		default:
			ops = append(ops, diffOp{'+', y[j]})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, diffOp{'-', x[i]})
	}
	for ; j < m; j++ {
		ops = append(ops, diffOp{'+', y[j]})
	}
	return ops
}
