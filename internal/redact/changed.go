package redact

import (
	"bytes"
	"cmp"
	"slices"
)

// This file serves the rules that run on a unit after an earlier one changed
// it. Each of them would search the whole decoded unit for its literals; one
// pass of the decoded-text prefilter finds them for all at once instead, and
// holds until the next change. In a unit without escapes, whose text is its
// raw content, the body's prefilter pass already found them: they move with
// the edits, and only the text around each edit is searched again.

// changedText is the scratch state of the literal occurrences in the text of
// the unit being rewritten.
type changedText struct {
	textFresh bool     // textOcc describes the current text
	textSlow  bool     // the text holds runes that (?i) folds to from outside ASCII
	textRaw   bool     // the text is the unit's raw content (edited keeps textOcc)
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
		ct.textFresh, ct.textRaw = true, false
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

// edited updates the occurrences of the literals of the matchers after i
// when matcher i's edits turned the unit u's raw content raw into next. It
// keeps them only while the text is the raw content (no escapes, in the
// unit or in the replacement) and holds no character of kelvin; otherwise
// occurrences scans the new text when asked.
func (f *Filter) edited(i int, u span, dirty bool, raw, next []byte, edits []edit, sc *scratch) {
	ct := &sc.changedText
	repl := edits[0].repl
	if dirty && !(ct.textFresh && ct.textRaw) || !f.matchers[i].plainRepl ||
		!dirty && !f.fromBody(i, u, raw, sc) {
		ct.textFresh, ct.textRaw = false, false
		return
	}
	pad := 0 // the longest literal searched for, less one byte
	for j := i + 1; j < len(f.matchers); j++ {
		if !ct.textWant[j] {
			continue
		}
		for _, n := range f.matchers[j].plain {
			pad = max(pad, len(n.s)-1)
		}
		occ := ct.textOcc[j][:0]
		k, delta := 0, 0 // edits before the occurrence; how far they moved it
		for _, h := range ct.textOcc[j] {
			for k < len(edits) && edits[k].end <= h.start {
				delta += len(repl) - (edits[k].end - edits[k].start)
				k++
			}
			if k < len(edits) && edits[k].start < h.end {
				continue // the edit took part of it
			}
			occ = append(occ, span{start: h.start + delta, end: h.end + delta})
		}
		ct.textOcc[j] = occ
	}
	n0 := sc.occLens[:0] // per matcher: its occurrences before the edit's
	for j := range ct.textOcc {
		n0 = append(n0, len(ct.textOcc[j]))
	}
	sc.occLens = n0
	for _, e := range edits {
		a, b := e.newStart, e.newStart+len(repl)
		ws, we := max(0, a-pad), min(len(next), b+pad)
		for j := i + 1; j < len(f.matchers); j++ {
			n0[j] = len(ct.textOcc[j])
		}
		// One pass finds every literal within the window; those that
		// touch the replacement are new.
		f.textPre.scanRange(next[:we], ws, ct.textWant, ct.textOcc)
		for j := i + 1; j < len(f.matchers); j++ {
			if !ct.textWant[j] {
				continue
			}
			occ := ct.textOcc[j]
			kept := occ[:n0[j]]
			for _, h := range occ[n0[j]:] {
				if h.start >= ws && (h.start < b && h.end > a || h.start < a && h.end > a) {
					kept = append(kept, h)
				}
			}
			ct.textOcc[j] = kept
		}
	}
	for j := i + 1; j < len(f.matchers); j++ {
		if occ := ct.textOcc[j]; ct.textWant[j] && len(occ) > 1 {
			slices.SortFunc(occ, func(a, b span) int { return cmp.Or(a.start-b.start, a.end-b.end) })
			ct.textOcc[j] = slices.Compact(occ)
		}
	}
	ct.textFresh = true
}

// fromBody sets the occurrences of the literals of the matchers after i in
// the unit u, whose raw content raw has no escapes, from what the body's
// prefilter found. It reports false when raw has escapes or a character of
// kelvin.
func (f *Filter) fromBody(i int, u span, raw []byte, sc *scratch) bool {
	if bytes.IndexByte(raw, '\\') >= 0 || bytes.Contains(raw, []byte(kelvin)) || bytes.Contains(raw, []byte(longS)) {
		return false
	}
	ct := &sc.changedText
	n := len(f.matchers)
	if len(ct.textWant) != n {
		ct.textWant, ct.textOcc = make([]bool, n), make([][]span, n)
	}
	ct.textSlow, ct.textRaw = false, true
	for j := range n {
		ct.textWant[j] = j > i && sc.want[j] && f.matchers[j].plain != nil
		occ := ct.textOcc[j][:0]
		if ct.textWant[j] {
			pos := sc.pos[j]
			k, _ := slices.BinarySearchFunc(pos, u.start, func(h span, t int) int { return h.start - t })
			for ; k < len(pos) && pos[k].start < u.end; k++ {
				if pos[k].end <= u.end {
					occ = append(occ, span{start: pos[k].start - u.start, end: pos[k].end - u.start})
				}
			}
		}
		ct.textOcc[j] = occ
	}
	return true
}
