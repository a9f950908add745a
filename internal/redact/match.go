package redact

import (
	"slices"
	"sort"
)

// windowMin is the unit length from which a rule runs only around its
// literals instead of over the whole unit.
const windowMin = 256

// candidates appends to cand the indices of the units that hold one of the
// literal occurrences hits (sorted).
func (m *matcher) candidates(hits []span, units []span, cand []int) []int {
	next := 0 // units before next cannot hold the remaining hits
	for _, h := range hits {
		if n := len(cand); n > 0 && h.end <= units[cand[n-1]].end {
			continue // in the unit found last
		}
		rest := units[next:]
		i := next + sort.Search(len(rest), func(k int) bool { return rest[k].end >= h.end })
		if i < len(units) && units[i].start <= h.start {
			cand = append(cand, i)
			next = i + 1
		}
	}
	return cand
}

// find appends to locs the secret ranges of m's matches in text.
func (m *matcher) find(text []byte, sc *scratch, locs []int) []int {
	if m.detector {
		return m.findDetector(text, sc, locs)
	}
	wins := sc.wins[:0]
	if m.plain != nil && len(text) > windowMin {
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
		slices.SortFunc(wins, func(a, b span) int { return a.start - b.start })
		wins = mergeSpans(wins)
	} else {
		wins = append(wins, span{start: 0, end: len(text)})
	}
	sc.wins = wins
	for _, w := range wins {
		// One byte on each side lets \b, (?m)^ and $ see their context;
		// no match can start or end in it (see windowing in the tests).
		cs, ce := max(0, w.start-1), min(len(text), w.end+1)
		for _, loc := range m.re.FindAllIndex(text[cs:ce], -1) {
			if loc[1] > loc[0] {
				locs = append(locs, cs+loc[0], cs+loc[1])
			}
		}
	}
	return locs
}

// findDetector runs a detector anchored at each occurrence of its literals,
// checking its boundaries and keeping the secret's group.
func (m *matcher) findDetector(text []byte, sc *scratch, locs []int) []int {
	hits := sc.hits[:0]
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
	sc.hits = hits
	pos := 0
	for _, h := range hits {
		if h < pos {
			continue // inside the previous match (or a repeat)
		}
		loc := m.anchored.FindSubmatchIndex(text[h:min(len(text), h+m.maxLen)])
		if loc == nil || loc[1] == 0 {
			continue
		}
		s, e := h, h+loc[1]
		for s > 0 && h-s < m.back && isNameByte(text[s-1]) {
			s--
		}
		if m.left && !leftOK(text, s) || m.right && !rightOK(text, e) {
			continue
		}
		ss, se := s, e
		for g := 2; g+1 < len(loc); g += 2 {
			if loc[g] >= 0 {
				ss, se = h+loc[g], h+loc[g+1]
				break
			}
		}
		if se > ss {
			locs = append(locs, ss, se)
		}
		pos = e
	}
	return locs
}

// mergeSpans merges sorted spans that overlap or lie within two bytes of
// each other, in place.
func mergeSpans(s []span) []span {
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
