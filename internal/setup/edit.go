package setup

import (
	"bytes"
	"slices"
)

// edit replaces src[start:end] with text; start == end inserts.
type edit struct {
	start int
	end   int
	text  string
}

// applyEdits returns src with every edit applied. Edits must not overlap;
// insertions at the same offset keep the order they were given in.
func applyEdits(src []byte, edits []edit) []byte {
	if len(edits) == 0 {
		return slices.Clone(src)
	}
	edits = slices.Clone(edits)
	slices.SortStableFunc(edits, func(a, b edit) int { return a.start - b.start })
	grow := 0
	for _, e := range edits {
		grow += len(e.text) - (e.end - e.start)
	}
	out := make([]byte, 0, len(src)+max(grow, 0))
	at := 0
	for _, e := range edits {
		out = append(out, src[at:e.start]...)
		out = append(out, e.text...)
		at = e.end
	}
	return append(out, src[at:]...)
}

// newline is the line ending a file already uses: CRLF when any line ends in
// one, else LF.
func newline(src []byte) string {
	if bytes.Contains(src, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

// lineIndent returns the spaces and tabs that start the line holding off.
func lineIndent(src []byte, off int) string {
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	end := start
	for end < len(src) && (src[end] == ' ' || src[end] == '\t') {
		end++
	}
	return string(src[start:end])
}

// onlyIndentBefore reports whether nothing but spaces and tabs precede off on
// its line.
func onlyIndentBefore(src []byte, off int) bool {
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	for _, c := range src[start:off] {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// trimSpaceBack moves end back over whitespace, stopping at floor.
func trimSpaceBack(src []byte, end, floor int) int {
	for end > floor {
		switch src[end-1] {
		case ' ', '\t', '\r', '\n':
			end--
		default:
			return end
		}
	}
	return end
}

// isEmptyObject reports whether src is "{}", perhaps with spaces inside and
// around: a file that is better rewritten whole, laid out on lines.
func isEmptyObject(src []byte) bool {
	s := bytes.TrimSpace(bytes.TrimPrefix(src, []byte(bom)))
	return len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' && len(bytes.TrimSpace(s[1:len(s)-1])) == 0
}

// isBlank reports whether src holds nothing but whitespace and a byte order mark.
func isBlank(src []byte) bool {
	return len(bytes.TrimSpace(bytes.TrimPrefix(src, []byte(bom)))) == 0
}
