package redact

import (
	"bytes"
	"slices"
	"sort"
	"strings"
)

// This file finds one matcher's matches in one unit. Two ways lead there:
// from the literal occurrences the prefilter found in the body (the common
// case: only windows around them are decoded and searched), or over the
// whole decoded unit (after an earlier rule changed it, or when a rule's
// reach around its literal is unbounded).

// maxEscape is the most raw bytes one decoded byte can take (\u00XX).
const maxEscape = 6

// windowMin is the text length from which a rule runs only around its
// literals instead of over all the text.
const windowMin = 256

// jobs appends to work one job per unit that holds some of the literal
// occurrences hits (sorted, body offsets) of matcher m.
func jobs(m int, hits []span, units []span, work []job) []job {
	next := 0 // units before next cannot hold the remaining hits
	for k, h := range hits {
		if n := len(work); n > 0 && work[n-1].m == m && h.end <= units[work[n-1].unit].end {
			if h.start >= units[work[n-1].unit].start {
				work[n-1].hi = k + 1
			}
			continue
		}
		rest := units[next:]
		i := next + sort.Search(len(rest), func(j int) bool { return rest[j].end >= h.end })
		if i < len(units) && units[i].start <= h.start {
			work = append(work, job{unit: i, m: m, lo: k, hi: k + 1})
			next = i + 1
		}
	}
	return work
}

// view is decoded text of part of a unit: text[0] comes from raw offset base.
type view struct {
	text []byte
	escs []esc
	base int
}

// rawAt maps an offset of the view's text to a raw offset in the unit.
func (v *view) rawAt(d int, end bool) int { return v.base + rawOffset(v.escs, d, end) }

// window decodes raw from about rs on until limit decoded bytes are out,
// starting at an escape boundary at or before rs.
func (sc *scratch) window(raw []byte, isJSON bool, rs, limit int) view {
	if !isJSON {
		return view{text: raw[rs:min(len(raw), rs+limit)], base: rs}
	}
	rs = escapeStart(raw, rs)
	text, escs, _ := decodeString(raw[rs:], sc.dec, sc.escs, limit)
	sc.escs = escs
	if len(escs) > 0 {
		sc.dec = text
	}
	return view{text: text, escs: escs, base: rs}
}

// viaHits appends to edits the matches of m in the unit raw, found around
// the literal occurrences hits (unit offsets, sorted).
func (m *matcher) viaHits(raw []byte, isJSON bool, hits []span, sc *scratch, edits []edit) []edit {
	if !m.detector {
		if m.before >= unbounded || m.after >= unbounded {
			// A string without escapes is its own decoded text: the
			// whole of it costs nothing to decode, and searched in full
			// the expression runs on bytes, faster than on a reader.
			if isJSON && m.anchoredRule != nil && bytes.IndexByte(raw, '\\') >= 0 && m.hitsCover(raw) {
				return m.anchoredViaHits(raw, hits, sc, edits)
			}
			v := sc.window(raw, isJSON, 0, len(raw))
			return m.editsIn(&v, m.find(v.text, sc, sc.locs[:0]), isJSON, edits)
		}
		return m.ruleViaHits(raw, isJSON, hits, sc, edits)
	}
	done := 0 // raw offset up to which matches were taken
	lead := maxEscape * (m.back + 8)
	for _, h := range hits {
		if h.start < done {
			continue
		}
		if m.need != 0 && !m.needed(raw[h.end:min(len(raw), h.start+maxEscape*m.maxLen)]) {
			continue
		}
		rs := max(0, h.start-lead)
		limit := len(raw)
		if m.maxLen < unbounded {
			limit = (h.start - rs) + m.maxLen + 8
		}
		v := sc.window(raw, isJSON, rs, limit)
		sc.locs = m.anchoredAt(v.text, decodedOffset(v.escs, h.start-v.base), sc.locs[:0])
		if len(sc.locs) == 0 {
			continue
		}
		edits = m.editsIn(&v, sc.locs[:2], isJSON, edits)
		done = v.rawAt(sc.locs[3], true)
	}
	return edits
}

// needed reports whether m.need occurs in raw before any byte of m.stop.
func (m *matcher) needed(raw []byte) bool {
	for _, c := range raw {
		if c == m.need {
			return true
		}
		if strings.IndexByte(m.stop, c) >= 0 {
			return false
		}
	}
	return false
}

// ruleViaHits runs a user rule over windows around its literal occurrences,
// wide enough in raw bytes to hold its reach in decoded bytes.
func (m *matcher) ruleViaHits(raw []byte, isJSON bool, hits []span, sc *scratch, edits []edit) []edit {
	wins := sc.wins[:0]
	for _, h := range hits {
		w := span{
			start: max(0, h.start-maxEscape*m.before-8),
			end:   min(len(raw), h.end+maxEscape*m.after+8),
		}
		if isJSON { // whole escapes only
			w.start, w.end = escapeStart(raw, w.start), escapeEnd(raw, w.end)
		}
		wins = append(wins, w)
	}
	wins = mergeSpans(wins)
	sc.wins = wins
	for _, w := range wins {
		v := sc.window(raw[:w.end], isJSON, w.start, w.end)
		edits = m.editsIn(&v, m.find(v.text, sc, sc.locs[:0]), isJSON, edits)
	}
	return edits
}

// editsIn turns secret ranges of a view (start, end pairs) into edits of the
// unit's raw content, appended to edits.
func (m *matcher) editsIn(v *view, locs []int, isJSON bool, edits []edit) []edit {
	repl := m.replBytes
	if isJSON {
		repl = m.replJSON
	}
	for i := 0; i+1 < len(locs); i += 2 {
		s, e := locs[i], locs[i+1]
		rs, re := v.rawAt(s, false), v.rawAt(e, true)
		if n := len(edits); n > 0 && rs < edits[n-1].end {
			continue // only possible around a malformed escape
		}
		edits = append(edits, edit{start: rs, end: re, repl: repl, preview: preview(v.text[s:e])})
	}
	return edits
}

// find appends to locs the secret ranges of m's matches in text, a whole
// decoded unit (or a window of one wider than any match near its literals).
func (m *matcher) find(text []byte, sc *scratch, locs []int) []int {
	var occ []span
	if m.needsOcc(text) {
		occ = m.occurrences(text, sc)
	}
	return m.findAt(text, occ, sc, locs)
}

// occurrences lists, sorted by start, where m's plain literals occur in
// text, each found by needle.find from one past the previous one.
func (m *matcher) occurrences(text []byte, sc *scratch) []span {
	occ := sc.occ[:0]
	for _, n := range m.plain {
		for from := 0; ; {
			s, e := n.find(text, from)
			if s < 0 {
				break
			}
			occ = append(occ, span{start: s, end: e})
			from = s + 1
		}
	}
	slices.SortFunc(occ, func(a, b span) int { return a.start - b.start })
	sc.occ = occ
	return occ
}

// needsOcc reports whether findAt looks at the occurrences of m's literals
// in text.
func (m *matcher) needsOcc(text []byte) bool {
	return m.detector || m.anchoredRule != nil ||
		m.plain != nil && len(text) > windowMin && m.before < unbounded && m.after < unbounded
}

// findAt is find given occ, every occurrence of m's plain literals in text
// sorted by start (duplicates allowed), or anything when needsOcc is false.
func (m *matcher) findAt(text []byte, occ []span, sc *scratch, locs []int) []int {
	if m.detector {
		end := 0
		for _, h := range occ {
			if h.start < end {
				continue // inside the previous match
			}
			found := m.anchoredAt(text, h.start, sc.locs2[:0])
			sc.locs2 = found
			if len(found) > 0 {
				locs = append(locs, found[0], found[1])
				end = found[3]
			}
		}
		return locs
	}
	if m.anchoredRule != nil {
		return m.findAnchored(text, occ, locs)
	}
	wins := sc.wins2[:0]
	if m.needsOcc(text) {
		for _, h := range occ {
			wins = append(wins, span{start: max(0, h.start-m.before), end: min(len(text), h.end+m.after)})
		}
		wins = mergeSpans(wins)
	} else {
		wins = append(wins, span{start: 0, end: len(text)})
	}
	sc.wins2 = wins
	for _, w := range wins {
		// One byte on each side lets \b, (?m)^ and $ see their context. No
		// match can start or end in it: every match holds a literal and
		// lies within reach of it, inside the window (FuzzWindows checks).
		cs, ce := max(0, w.start-1), min(len(text), w.end+1)
		for _, loc := range m.re.FindAllIndex(text[cs:ce], -1) {
			if loc[1] > loc[0] {
				locs = append(locs, cs+loc[0], cs+loc[1])
			}
		}
	}
	return locs
}

// anchoredAt runs detector m anchored at offset h of text. On a match that
// passes the boundary checks it appends the secret's range and the whole
// match's range to locs.
func (m *matcher) anchoredAt(text []byte, h int, locs []int) []int {
	loc := m.anchoredRegexp().FindSubmatchIndex(text[h:min(len(text), h+m.maxLen)])
	if loc == nil || loc[1] == 0 {
		return locs
	}
	s, e := h, h+loc[1]
	for s > 0 && h-s < m.back && isNameByte(text[s-1]) {
		s--
	}
	if m.left && !leftOK(text, s) || m.right && !rightOK(text, e) {
		return locs
	}
	ss, se := s, e
	for g := 2; g+1 < len(loc); g += 2 {
		if loc[g] >= 0 {
			ss, se = h+loc[g], h+loc[g+1]
			break
		}
	}
	if se == ss {
		return locs
	}
	return append(locs, ss, se, s, e)
}

// mergeSpans merges spans that overlap or lie within two bytes of each
// other, in place, sorting them first.
func mergeSpans(s []span) []span {
	slices.SortFunc(s, func(a, b span) int { return a.start - b.start })
	out := s[:0]
	for _, x := range s {
		if n := len(out); n > 0 && x.start <= out[n-1].end+2 {
			out[n-1].end = max(out[n-1].end, x.end)
			continue
		}
		out = append(out, x)
	}
	return out
}
