package redact

import (
	"bytes"
	"slices"
)

// This file keeps the filter as it was before the fourth round of issue 9
// (commit c0acf5a: every later rule searched a changed unit in full, and a
// rule with an unbounded reach ran over whole units) as the oracle of
// FuzzApplyOracle: applyOld must agree with Apply on every body.

// applyOld is Apply as it was.
func (f *Filter) applyOld(service string, body []byte) ([]byte, Report) {
	var rep Report
	if f == nil || len(f.matchers) == 0 || len(body) == 0 {
		return body, rep
	}
	sc := f.getScratch(len(body))
	defer f.putScratch(sc)
	want, pos := sc.reset(len(f.matchers))
	for i, m := range f.matchers {
		want[i] = m.appliesTo(service)
	}
	units, isJSON := scanStrings(body, sc.units[:0])
	if !isJSON {
		units = append(units[:0], span{start: 0, end: len(body)})
	}
	sc.units = units
	for i := range units {
		if u := &units[i]; u.kind == unitData {
			u.kind = unitText
			if isBase64Blob(body[u.start:u.end]) {
				u.kind = unitOpaque
			}
		}
	}
	want[f.escSlot()] = isJSON
	f.pre.scan(body, units, want, pos)
	work := f.plan(body, want, pos, sc)
	if len(work) == 0 {
		return body, rep
	}
	sc.work = work
	for len(work) > 0 {
		n := 1
		for n < len(work) && work[n].unit == work[0].unit {
			n++
		}
		f.unitOld(body, isJSON, work[:n], sc, &rep)
		work = work[n:]
	}
	if len(sc.changed) == 0 {
		return body, rep
	}
	return sc.assembleOld(body, &rep), rep
}

// unitOld is unit as it was: it runs on one unit the matchers of jobs (sorted), and after the first
// change also every later matcher that now finds its literal there.
func (f *Filter) unitOld(body []byte, isJSON bool, jobs []job, sc *scratch, rep *Report) {
	u := &sc.units[jobs[0].unit]
	if u.kind == unitOpaque {
		return
	}
	raw := body[u.start:u.end]
	var text []byte // the decoded unit, once it changed
	var escs []esc
	dirty, buf := false, 0
	s0 := len(rep.Spans)
	for i, k := jobs[0].m, 0; i < len(f.matchers); i++ {
		m := f.matchers[i]
		var job job
		listed := k < len(jobs) && jobs[k].m == i
		if listed {
			job = jobs[k]
			k++
		} else if !dirty {
			if k == len(jobs) {
				break
			}
			i = jobs[k].m - 1
			continue
		} else if !sc.want[i] || !m.mayMatch(text) {
			continue
		}
		edits := sc.edits[:0]
		switch {
		case dirty:
			v := view{text: text, escs: escs}
			edits = m.editsIn(&v, m.findOld(text, sc, sc.locs[:0]), isJSON, edits)
		case !m.prefiltered() || job.whole():
			v := sc.window(raw, isJSON, 0, len(raw))
			edits = m.editsIn(&v, m.findOld(v.text, sc, sc.locs[:0]), isJSON, edits)
		default:
			rel := sc.hitsRel[:0]
			for _, h := range sc.pos[i][job.lo:job.hi] {
				if u.start <= h.start && h.end <= u.end {
					rel = append(rel, span{start: h.start - u.start, end: h.end - u.start})
				}
			}
			sc.hitsRel = rel
			edits = m.viaHitsOld(raw, isJSON, rel, sc, edits)
		}
		sc.edits = edits
		if len(edits) == 0 {
			continue
		}
		next := sc.bufs[buf][:0]
		prev := 0
		for j := range edits {
			e := &edits[j]
			next = append(next, raw[prev:e.start]...)
			e.newStart = len(next)
			next = append(next, e.repl...)
			prev = e.end
		}
		next = append(next, raw[prev:]...)
		sc.bufs[buf], buf = next, 1-buf
		for j := s0; j < len(rep.Spans); j++ {
			sp := &rep.Spans[j]
			sp.Start, sp.End = newOffset(edits, sp.Start, false), newOffset(edits, sp.End, true)
		}
		if rep.Counts == nil {
			rep.Counts = make(map[string]int)
		}
		rep.Counts[m.label] += len(edits)
		for _, e := range edits {
			rep.Spans = append(rep.Spans, Span{Rule: m.label, Start: e.newStart, End: e.newStart + len(e.repl), Preview: e.preview})
		}
		raw, dirty = next, true
		v := sc.window(raw, isJSON, 0, len(raw))
		text, escs = v.text, v.escs
	}
	if !dirty {
		return
	}
	slices.SortStableFunc(rep.Spans[s0:], func(a, b Span) int { return a.Start - b.Start })
	start := len(sc.arena)
	sc.arena = append(sc.arena, raw...)
	sc.changed = append(sc.changed, changed{unit: jobs[0].unit, start: start, end: len(sc.arena), s0: s0, s1: len(rep.Spans)})
}

// viaHitsOld, as viaHits was, appends to edits the matches of m in the unit raw, found around
// the literal occurrences hits (unit offsets, sorted).
func (m *matcher) viaHitsOld(raw []byte, isJSON bool, hits []span, sc *scratch, edits []edit) []edit {
	if !m.detector {
		if m.before >= unbounded || m.after >= unbounded {
			v := sc.window(raw, isJSON, 0, len(raw))
			return m.editsIn(&v, m.findOld(v.text, sc, sc.locs[:0]), isJSON, edits)
		}
		return m.ruleViaHitsOld(raw, isJSON, hits, sc, edits)
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

// ruleViaHitsOld, as ruleViaHits was, runs a user rule over windows around its literal occurrences,
// wide enough in raw bytes to hold its reach in decoded bytes.
func (m *matcher) ruleViaHitsOld(raw []byte, isJSON bool, hits []span, sc *scratch, edits []edit) []edit {
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
		edits = m.editsIn(&v, m.findOld(v.text, sc, sc.locs[:0]), isJSON, edits)
	}
	return edits
}

// findOld, as find was, appends to locs the secret ranges of m's matches in text, a whole
// decoded unit (or a window of one wider than any match near its literals).
func (m *matcher) findOld(text []byte, sc *scratch, locs []int) []int {
	if m.detector {
		var hits []int
		for _, n := range m.plain {
			for from := 0; ; {
				s, _ := n.find(text, from)
				if s < 0 {
					break
				}
				hits = append(hits, s)
				from = s + 1
			}
		}
		slices.Sort(hits)
		end := 0
		for _, h := range hits {
			if h < end {
				continue // inside the previous match
			}
			found := m.anchoredAt(text, h, sc.locs2[:0])
			sc.locs2 = found
			if len(found) > 0 {
				locs = append(locs, found[0], found[1])
				end = found[3]
			}
		}
		return locs
	}
	wins := sc.wins2[:0]
	if m.plain != nil && len(text) > windowMin && m.before < unbounded && m.after < unbounded {
		for _, n := range m.plain {
			for from := 0; ; {
				s, e := n.find(text, from)
				if s < 0 {
					break
				}
				from = s + 1
				wins = append(wins, span{start: max(0, s-m.before), end: min(len(text), e+m.after)})
			}
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

// assembleOld is assemble as it was: it joins body with the changed units'
// new content (all in the arena or owned, as unitOld leaves them) and moves
// their spans to output offsets.
func (sc *scratch) assembleOld(body []byte, rep *Report) []byte {
	parts := sc.parts[:0]
	prev, off := 0, 0
	for i := range sc.changed {
		c := &sc.changed[i]
		u := sc.units[c.unit]
		content := sc.arena[c.start:c.end]
		parts = append(parts, body[prev:u.start], content)
		off += u.start - prev
		for j := c.s0; j < c.s1; j++ {
			rep.Spans[j].Start += off
			rep.Spans[j].End += off
		}
		off += len(content)
		prev = u.end
	}
	parts = append(parts, body[prev:])
	out := bytes.Join(parts, nil)
	clear(parts)
	sc.parts = parts[:0]
	return out
}
