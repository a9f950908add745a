package redact

import (
	"cmp"
	"fmt"
	"slices"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file plans which matchers run on which units, and finds the strings
// whose escapes hide a literal from the prefilter, which reads raw bytes:
// "\u0073k-ant-…" decodes to a key that a rule looking for "sk-ant-" must
// see. JSON.stringify and serde_json escape only control characters, quotes
// and backslashes; Go's encoding/json also <, > and &, Python's json.dumps
// every character outside ASCII, .NET's also + and '. The prefilter's own
// pass over the body finds these escapes (see escNeedles): no other pass
// is made.

// plan returns the jobs of a body, sorted by unit, then matcher, in
// sc.work's storage: for each wanted matcher the units where the prefilter
// found its literals (every unit long enough, for a matcher without
// literals), and the units holding a \u escape of a character that a
// matcher's literals (or run) can hold, where that matcher runs on all of
// the decoded text. pos is what the prefilter found, with the places of
// possible escapes last (see escSlot).
func (f *Filter) plan(body []byte, want []bool, pos [][]span, sc *scratch) []job {
	units := sc.units
	work := sc.work[:0]
	if escs := pos[f.escSlot()]; len(escs) > 0 {
		work = f.hiddenJobs(body, escs, units, want, work)
	}
	hidden := len(work) > 0
	if !hidden && !f.anyWork(want, pos) {
		return work
	}
	for i, m := range f.matchers {
		if !want[i] {
			continue
		}
		if !m.prefiltered() {
			for ui, u := range units {
				if u.end-u.start >= m.minLen {
					work = append(work, job{unit: ui, m: i})
				}
			}
			continue
		}
		work = jobs(i, pos[i], units, work)
	}
	slices.SortFunc(work, func(a, b job) int { return cmp.Or(a.unit-b.unit, a.m-b.m) })
	if !hidden {
		return work
	}
	// A unit and matcher listed twice: a job from hits and a whole one, or
	// whole ones for two escapes. One job, on the whole text, does for all.
	out := work[:0]
	for _, j := range work {
		if n := len(out); n > 0 && out[n-1].unit == j.unit && out[n-1].m == j.m {
			out[n-1] = wholeJob(j.unit, j.m)
			continue
		}
		out = append(out, j)
	}
	return out
}

// hiddenJobs appends to work a whole-text job for every unit holding a \u
// escape of a character of the prefilter's hiding set at the start of one
// of cands (sorted), for every wanted matcher whose alphabet holds that
// character (a matcher without literals or run has none).
func (f *Filter) hiddenJobs(body []byte, cands, units []span, want []bool, work []job) []job {
	ui := 0
	for _, c := range cands {
		r, ok := f.pre.hidingAt(body, c.start)
		if !ok {
			continue
		}
		for ui < len(units) && units[ui].end <= c.start {
			ui++
		}
		if ui == len(units) {
			break
		}
		if units[ui].start > c.start || units[ui].kind == unitOpaque {
			continue
		}
		for i, m := range f.matchers {
			if want[i] && m.alpha.has(r) {
				work = append(work, wholeJob(ui, i))
			}
		}
	}
	return work
}

// runeSet is a set of runes.
type runeSet struct {
	ascii [2]uint64
	more  []rune
}

func (s *runeSet) add(r rune) {
	switch {
	case r < utf8.RuneSelf:
		s.ascii[r>>6] |= 1 << (r & 63)
	case !slices.Contains(s.more, r):
		s.more = append(s.more, r)
	}
}

func (s *runeSet) has(r rune) bool {
	if r < utf8.RuneSelf {
		return s.ascii[r>>6]&(1<<(r&63)) != 0
	}
	return slices.Contains(s.more, r)
}

func (s *runeSet) addAll(t *runeSet) {
	s.ascii[0] |= t.ascii[0]
	s.ascii[1] |= t.ascii[1]
	for _, r := range t.more {
		s.add(r)
	}
}

func (s *runeSet) empty() bool { return s.ascii == [2]uint64{} && len(s.more) == 0 }

// alphabet returns the characters that can be part of an occurrence of one
// of lits (with their (?i) variants for a folding literal), of a run of
// run, or be need: those a \u escape can hide from a search of raw bytes.
func alphabet(lits []lit, run *classRun, need byte) runeSet {
	var s runeSet
	for _, l := range lits {
		for _, r := range l.s {
			s.add(r)
			if l.fold {
				for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
					s.add(f)
				}
			}
		}
	}
	if run != nil {
		for c, in := range run.set {
			if in {
				s.add(rune(c))
			}
		}
	}
	if need != 0 {
		s.add(rune(need))
	}
	return s
}

// escRune decodes the \u escape at the start of b as decodeString does: a
// surrogate pair to its rune, any other surrogate to utf8.RuneError (the
// second half of a pair too: a cautious answer). It returns the escape's
// length, or false when b does not start with one.
func escRune(b []byte) (rune, int, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, 0, false
	}
	r, ok := hex4(b[2:])
	if !ok {
		return 0, 0, false
	}
	if !utf16.IsSurrogate(r) {
		return r, 6, true
	}
	if r < 0xDC00 && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
		if r2, ok := hex4(b[8:]); ok {
			if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
				return pair, 12, true
			}
		}
	}
	return utf8.RuneError, 6, true
}

// escProbes returns, by pair, the probes by which the prefilter finds the \u
// escapes of the characters of set, for the slot m. Each is a literal with
// its hex letters in either case: for a character below U+0100, the first
// five bytes of its escape ("\u007" for 's', written \u0073); for another,
// all of its escape, or of its high surrogate's for one outside the BMP (and
// for utf8.RuneError, which a lone surrogate decodes to, "\ud"). A probe
// looks for a pair of its literal at an even offset and one at an odd
// offset, so that one of the two is on the prefilter's grid wherever the
// literal lies: those of its last three bytes ("00" and "07"; "17" and "7f"
// for \u017f), or, in an escape that starts with "\u" and a digit other than
// 0, that 'u' and digit and its last two ("u2" and "2a" for \u212a). Text
// holds those only among digits (numbers cost a few per cent of the claude
// benchmark body), or after "\u". For "00", which starts
// the escape of every character of ASCII and of every control character
// ("\u001b", colours in tool output), two probes stand for all of ASCII:
// "\u00" with the next byte one of 2-3, or of 4-7 (probe.near's mask), so
// that an escape of a control character fails at once. plan then keeps the
// escapes of a character of set.
func escProbes(set *runeSet, m int) map[uint16][]probe {
	var lits []string
	add := func(s string) {
		for _, v := range hexCases(s) {
			if !slices.Contains(lits, v) {
				lits = append(lits, v)
			}
		}
	}
	esc := func(r rune) string { return fmt.Sprintf(`\u%04x`, r) }
	for c := range rune(utf8.RuneSelf) {
		if set.has(c) {
			add(esc(c)[:5])
		}
	}
	for _, r := range set.more {
		switch {
		case r < 0x100:
			add(esc(r)[:5])
		case r >= 0x10000:
			hi, _ := utf16.EncodeRune(r)
			add(esc(hi))
		case r == utf8.RuneError:
			add(esc(r))
			add(`\ud`)
		default:
			add(esc(r))
		}
	}
	out := map[uint16][]probe{}
	var ascii [2]bool // some literal "\u002" or "\u003"; "\u004" to "\u007"
	for _, l := range lits {
		n := newNeedle(lit{s: l})
		offs := [2]int{len(l) - 3, len(l) - 2}
		if len(l) == 6 && l[2] != '0' {
			offs = [2]int{1, 4} // "u2" and "2a" for \u212a: not digits both
		}
		for _, off := range offs {
			if len(l) == 5 && off == 2 && '2' <= l[4] && l[4] <= '7' {
				ascii[(l[4]-'0')/4] = true
				continue
			}
			x := uint16(l[off])<<8 | uint16(l[off+1])
			out[x] = append(out[x], newProbe(m, n, off))
		}
	}
	for k, in := range ascii {
		if in {
			pr := probe{m: m, n: newNeedle(lit{s: `\u00`}), off: 2}
			pr.ctx[0].rel, pr.ctx[0].want, pr.ctx[0].fold = 2, "37"[k], [2]byte{1, 3}[k]
			pr.ctx[1].rel, pr.ctx[1].want = -1, 'u'
			out['0'<<8|'0'] = append(out['0'<<8|'0'], pr)
		}
	}
	return out
}

// hexCases returns s, a \u escape or its start, with its hex letters in
// every combination of cases.
func hexCases(s string) []string {
	out := []string{s}
	for i := 2; i < len(s); i++ {
		if c := s[i]; 'a' <= c && c <= 'f' {
			for _, v := range out {
				out = append(out, v[:i]+string(c-('a'-'A'))+v[i+1:])
			}
		}
	}
	return out
}

// escSlot is the index in want and pos of the places where the prefilter
// found what may be a \u escape: the last, after the matchers'.
func (f *Filter) escSlot() int { return len(f.matchers) }

// hidingAt reports whether a \u escape of a character of p.hiding starts
// at b[s], and not text after an escaped backslash ("\\u0041" is not an
// escape), and returns the character.
func (p *prefilter) hidingAt(b []byte, s int) (rune, bool) {
	r, _, ok := escRune(b[s:])
	if !ok || !p.hiding.has(r) {
		return 0, false
	}
	k := s
	for k > 0 && b[k-1] == '\\' {
		k--
	}
	return r, (s-k)%2 == 0
}
