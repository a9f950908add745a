package redact

import "bytes"

// This file serves the rules that run on a unit after an earlier one changed
// it. Each of them would search the whole decoded unit for its literals; one
// pass of the decoded-text prefilter finds them for all at once instead, and
// holds until the next change.

// changedText is the scratch state of the literal occurrences in the text of
// the unit being rewritten.
type changedText struct {
	textFresh bool     // textOcc describes the current text
	textSlow  bool     // the text holds runes that (?i) folds to from outside ASCII
	textWant  []bool   // per matcher: its occurrences were looked for
	textOcc   [][]span // per matcher: the occurrences of its plain literals
	textUnit  [1]span
}

// Characters that fold to ASCII letters under (?i) but are longer than one
// byte: literals containing them have no fixed length, and needle.find, which
// then may skip an occurrence overlapping one it returned, is the reference.
const (
	kelvin = "\u212a"
	longS  = "\u017f"
)

// occurrences returns the occurrences of matcher i's plain literals in text,
// the changed unit's decoded content, sorted by start, exactly as
// matcher.occurrences would list them (up to duplicates). It scans text once
// for matcher i and every later one, then answers from that until the text
// changes. known is false where that is not possible (see kelvin); the
// caller then searches as before.
func (f *Filter) occurrences(i int, text []byte, sc *scratch) (occ []span, known bool) {
	ct := &sc.changedText
	if !ct.textFresh {
		ct.textFresh = true
		n := len(f.matchers)
		if len(ct.textWant) != n {
			ct.textWant, ct.textOcc = make([]bool, n), make([][]span, n)
		}
		ct.textSlow = bytes.Contains(text, []byte(kelvin)) || bytes.Contains(text, []byte(longS))
		if ct.textSlow {
			return nil, false
		}
		for j := range n {
			ct.textOcc[j] = ct.textOcc[j][:0]
			ct.textWant[j] = j >= i && sc.want[j] && f.matchers[j].plain != nil
		}
		ct.textUnit[0] = span{start: 0, end: len(text)}
		f.textPre.scan(text, ct.textUnit[:], ct.textWant, ct.textOcc)
	}
	if ct.textSlow || !ct.textWant[i] {
		return nil, false
	}
	return ct.textOcc[i], true
}

// mayMatchAt is mayMatch given the occurrences of m's plain literals in text
// when known.
func (m *matcher) mayMatchAt(text []byte, occ []span, known bool) bool {
	if !known || m.plain == nil {
		return m.mayMatch(text)
	}
	return len(occ) > 0
}
