package setup

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestUnifiedDiff(t *testing.T) {
	lines := func(from, to int) string {
		var b strings.Builder
		for i := from; i <= to; i++ {
			fmt.Fprintf(&b, "%d\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name string
		a, b string
		want string
	}{
		{"equal", "x\n", "x\n", ""},
		{"new file", "", "a\nb\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"emptied", "a\n", "", "--- a\n+++ b\n@@ -1 +0,0 @@\n-a\n"},
		{"one change in the middle", lines(1, 9), strings.Replace(lines(1, 9), "5\n", "five\n", 1),
			"--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"},
		{"insert at start", "b\nc\n", "a\nb\nc\n", "--- a\n+++ b\n@@ -1,2 +1,3 @@\n+a\n b\n c\n"},
		{"two hunks", lines(1, 20), strings.Replace(strings.Replace(lines(1, 20), "2\n", "two\n", 1), "19\n", "nineteen\n", 1),
			"--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n"},
		{"close changes share a hunk", lines(1, 10), strings.Replace(strings.Replace(lines(1, 10), "2\n", "two\n", 1), "8\n", "eight\n", 1),
			"--- a\n+++ b\n@@ -1,10 +1,10 @@\n 1\n-2\n+two\n 3\n 4\n 5\n 6\n 7\n-8\n+eight\n 9\n 10\n"},
		{"missing final newline", "a\nb", "a\nb\n", "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
		{"crlf kept", "a\r\nb\r\n", "a\r\nc\r\n", "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unifiedDiff("a", "b", []byte(tt.a), []byte(tt.b)); got != tt.want {
				t.Errorf("unifiedDiff\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

func TestDiffLinesIsMinimal(t *testing.T) {
	x := strings.Split("a b c a b b a", " ")
	y := strings.Split("c b a b a c", " ")
	kept := 0
	for _, op := range diffLines(x, y) {
		if op.kind == ' ' {
			kept++
		}
	}
	if kept != 4 { // the longest common subsequence, e.g. "b a b a"
		t.Errorf("kept %d lines, want the LCS length 4", kept)
	}
}

// patch applies a unified diff made by unifiedDiff to a, checking that every
// context and removed line matches.
func patch(a []byte, diff string) ([]byte, error) {
	if diff == "" {
		return a, nil
	}
	old := splitLines(a)
	body := strings.SplitAfter(diff, "\n")
	if len(body) < 2 || !strings.HasPrefix(body[0], "--- ") || !strings.HasPrefix(body[1], "+++ ") {
		return nil, fmt.Errorf("bad header in %q", diff)
	}
	var out []string
	at := 0 // next line of old to copy
	for i := 2; i < len(body) && body[i] != ""; {
		h := body[i]
		var from int
		if _, err := fmt.Sscanf(h, "@@ -%d", &from); err != nil {
			return nil, fmt.Errorf("bad hunk header %q", h)
		}
		start := from - 1
		if strings.HasPrefix(h, "@@ -"+strconv.Itoa(from)+",0 ") {
			start = from
		}
		if start < at || start > len(old) {
			return nil, fmt.Errorf("hunk %q out of order", h)
		}
		out = append(out, old[at:start]...)
		at = start
		for i++; i < len(body) && body[i] != "" && !strings.HasPrefix(body[i], "@@"); i++ {
			kind, line := body[i][0], body[i][1:]
			if i+1 < len(body) && body[i+1] == "\\ No newline at end of file\n" {
				line = strings.TrimSuffix(line, "\n")
				i++
			}
			switch kind {
			case ' ', '-':
				if at >= len(old) || old[at] != line {
					return nil, fmt.Errorf("line %d of the old text differs from %q", at+1, line)
				}
				if kind == ' ' {
					out = append(out, line)
				}
				at++
			case '+':
				out = append(out, line)
			default:
				return nil, fmt.Errorf("bad line %q", body[i])
			}
		}
	}
	out = append(out, old[at:]...)
	return []byte(strings.Join(out, "")), nil
}

// FuzzUnifiedDiff checks that the diff, applied to the old text, gives the
// new one.
func FuzzUnifiedDiff(f *testing.F) {
	f.Add([]byte("a\nb\nc\n"), []byte("a\nc\nd"))
	f.Add([]byte(""), []byte("x\r\n"))
	f.Add([]byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n"), []byte("1\n2\n3\n4\nx\n6\n7\n8\n9\ny\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		d := unifiedDiff("a", "b", a, b)
		got, err := patch(a, d)
		if err != nil {
			t.Fatalf("patch %q with\n%s: %v", a, d, err)
		}
		if !bytes.Equal(got, b) {
			t.Fatalf("patch %q with\n%s gave %q, want %q", a, d, got, b)
		}
	})
}

// TestUnifiedDiffLarge crosses maxDiffCells: the diff stops being minimal but
// must still turn one text into the other.
func TestUnifiedDiffLarge(t *testing.T) {
	var a, b strings.Builder
	for i := range 2100 {
		fmt.Fprintf(&a, "a%d\n", i)
		fmt.Fprintf(&b, "b%d\n", i)
	}
	d := unifiedDiff("a", "b", []byte(a.String()), []byte(b.String()))
	got, err := patch([]byte(a.String()), d)
	if err != nil || string(got) != b.String() {
		t.Fatalf("patch of the large diff: err %v, equal %v", err, string(got) == b.String())
	}
	if n := strings.Count(d, "\n-"); n != 2100 {
		t.Errorf("large diff removes %d lines, want 2100", n)
	}
}
