package redact

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file derives, from a pattern's syntax tree, literals that every match
// must contain and how far a match can reach around them. The filter searches
// for the literals (fast) and runs the regular expression only near them.

// lit is a literal that a pattern's matches contain. fold means ASCII letters
// compare case-insensitively, as under (?i); s is then lower case.
type lit struct {
	s    string
	fold bool
}

const (
	maxLits   = 16      // largest literal set worth searching for
	maxLitLen = 64      // longest literal built by concatenation
	maxClass  = 8       // largest character class expanded into literals
	unbounded = 1 << 20 // a length at least this big counts as unbounded
)

// shape is what the filter needs to know of a pattern to run it cheaply.
type shape struct {
	// lits holds literals one of which every match contains; nil when none
	// is known.
	lits []lit
	// before and after bound how many bytes of a match can precede and
	// follow the literal it contains (unbounded when they cannot be bounded).
	before, after int
	// run, when lits is nil, is a run of bytes that every match holds, with
	// before and after as for a literal; nil when there is none either.
	run *classRun
	// minLen is the byte length of the shortest match.
	minLen int
}

// classRun stands for min or more bytes in a row, all in set. Its bytes are
// ASCII that JSON never escapes, so a run looks the same raw and decoded.
type classRun struct {
	set [256]bool
	min int
}

// minRun is the shortest run worth scanning for.
const minRun = 3

func analyze(re *syntax.Regexp) shape {
	inf := litInfo(re)
	sh := shape{minLen: minLen(re)}
	if inf.exact != nil && score(inf.exact) > 0 {
		sh.lits = inf.exact
	} else if score(inf.req) > 0 {
		sh.lits, sh.before, sh.after = inf.req, inf.before, inf.after
	}
	var slack int
	sh.lits, slack = minimize(sh.lits)
	sh.before, sh.after = sat(sh.before+slack), sat(sh.after+slack)
	if score(sh.lits) <= 1 { // no literal, or one byte: likely everywhere
		if run, before, after := findRun(re); run != nil {
			sh.lits, sh.run, sh.before, sh.after = nil, run, before, after
		}
	}
	return sh
}

// findRun picks, among the parts of re's top-level concatenation, the
// longest required run of one character class, and how far a match can reach
// before and after it.
func findRun(re *syntax.Regexp) (best *classRun, before, after int) {
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	suf := make([]int, len(subs)+1)
	for i := len(subs) - 1; i >= 0; i-- {
		suf[i] = sat(suf[i+1] + maxLen(subs[i]))
	}
	pre := 0
	for i, sub := range subs {
		if r := runOf(sub); r != nil && (best == nil || r.min > best.min) {
			best, before, after = r, pre, suf[i+1]
		}
		pre = sat(pre + maxLen(sub))
	}
	return best, before, after
}

// runOf returns the run that re stands for: a character class repeated at
// least minRun times, of bytes JSON does not escape.
func runOf(re *syntax.Regexp) *classRun {
	if re.Op != syntax.OpRepeat || re.Min < minRun {
		return nil
	}
	class := re.Sub[0]
	var ranges []rune
	switch {
	case class.Op == syntax.OpCharClass:
		ranges = class.Rune
	case class.Op == syntax.OpLiteral && len(class.Rune) == 1 && class.Flags&syntax.FoldCase == 0:
		ranges = []rune{class.Rune[0], class.Rune[0]}
	default:
		return nil
	}
	r := &classRun{min: re.Min}
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i+1] >= utf8.RuneSelf {
			return nil
		}
		for c := ranges[i]; c <= ranges[i+1]; c++ {
			if c < 0x20 || c == '"' || c == '\\' {
				return nil
			}
			r.set[c] = true
		}
	}
	return r
}

// find appends to out the maximal runs of r in b[start:end].
func (r *classRun) find(b []byte, start, end int, out []span) []span {
	n := 0
	for i := start; i < end; i++ {
		if r.set[b[i]] {
			n++
			continue
		}
		if n >= r.min {
			out = append(out, span{start: i - n, end: i})
		}
		n = 0
	}
	if n >= r.min {
		out = append(out, span{start: end - n, end: end})
	}
	return out
}

// info is the literal knowledge of one syntax node: exact lists every string
// it matches (nil when unknown or too many); req lists strings one of which
// every match contains (nil when none is known), with at most before bytes
// of the match ahead of it and after bytes behind it.
type info struct {
	exact, req    []lit
	before, after int
}

var emptyLit = []lit{{}}

func litInfo(re *syntax.Regexp) info {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase == 0 {
			return exactInfo([]lit{{s: string(re.Rune)}})
		}
		for _, r := range re.Rune {
			if r >= utf8.RuneSelf {
				return info{} // only ASCII folding is searched for
			}
		}
		l := lit{s: asciiLower(string(re.Rune)), fold: true}
		if anchor(l.s, true) < 0 {
			return info{}
		}
		return exactInfo([]lit{l})
	case syntax.OpCharClass:
		var out []lit
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(out) == maxClass {
					return info{}
				}
				out = append(out, lit{s: string(r)})
			}
		}
		return exactInfo(out)
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return info{exact: emptyLit}
	case syntax.OpCapture:
		return litInfo(re.Sub[0])
	case syntax.OpQuest:
		sub := litInfo(re.Sub[0])
		if sub.exact == nil || len(sub.exact) >= maxLits {
			return info{}
		}
		return info{exact: union(emptyLit, sub.exact)}
	case syntax.OpPlus:
		return repeatInfo(re.Sub[0], 1, -1)
	case syntax.OpRepeat:
		if re.Min == 0 {
			return info{}
		}
		if re.Min == 1 && re.Max == 1 {
			return litInfo(re.Sub[0])
		}
		return repeatInfo(re.Sub[0], re.Min, re.Max)
	case syntax.OpConcat:
		return concatInfo(re.Sub)
	case syntax.OpAlternate:
		var exact, req []lit
		exactOK, reqOK := true, true
		before, after := 0, 0
		for _, sub := range re.Sub {
			si := litInfo(sub)
			if exactOK && si.exact != nil {
				exact = union(exact, si.exact)
			} else {
				exactOK = false
			}
			if r, b, a := reqOf(si); reqOK && r != nil {
				req = union(req, r)
				before, after = max(before, b), max(after, a)
			} else {
				reqOK = false
			}
		}
		if exactOK && len(exact) <= maxLits {
			return info{exact: exact}
		}
		if reqOK && len(req) <= maxLits {
			return info{req: req, before: before, after: after}
		}
	}
	return info{}
}

// repeatInfo is the info of sub repeated between lo (at least 1) and hi
// times (hi < 0: no limit): a literal of one copy, with the other copies
// possibly on either side.
func repeatInfo(sub *syntax.Regexp, lo, hi int) info {
	r, b, a := reqOf(litInfo(sub))
	if r == nil {
		return info{}
	}
	others := unbounded
	if hi > 0 {
		others = sat((hi - 1) * min(maxLen(sub), unbounded))
	}
	return info{req: r, before: sat(b + others), after: sat(a + others)}
}

func exactInfo(l []lit) info {
	if len(l) > maxLits {
		return info{}
	}
	return info{exact: l}
}

// reqOf is the literal set an info guarantees, with its distances, or nil.
func reqOf(i info) ([]lit, int, int) {
	if i.exact != nil && score(i.exact) > 0 {
		return i.exact, 0, 0
	}
	if score(i.req) > 0 {
		return i.req, i.before, i.after
	}
	return nil, 0, 0
}

// concatInfo joins runs of exact children into longer literals and keeps the
// most selective literal set found, with its distances to the ends.
func concatInfo(subs []*syntax.Regexp) info {
	lens := make([]int, len(subs)+1) // lens[i]: max bytes of subs[:i]
	suf := make([]int, len(subs)+1)  // suf[i]: max bytes of subs[i:]
	for i, sub := range subs {
		lens[i+1] = sat(lens[i] + maxLen(sub))
	}
	for i := len(subs) - 1; i >= 0; i-- {
		suf[i] = sat(suf[i+1] + maxLen(subs[i]))
	}
	var best info
	consider := func(l []lit, before, after int) {
		if better(l, before+after, best.req, best.before+best.after) {
			best = info{req: l, before: before, after: after}
		}
	}
	run, runStart := emptyLit, 0
	allExact := true
	for i, sub := range subs {
		si := litInfo(sub)
		if si.exact != nil {
			if p := product(run, si.exact); p != nil {
				run = p
				continue
			}
			allExact = false
			consider(run, lens[runStart], suf[i])
			run, runStart = si.exact, i
			continue
		}
		allExact = false
		consider(run, lens[runStart], suf[i])
		if r, b, a := reqOf(si); r != nil {
			consider(r, sat(lens[i]+b), sat(a+suf[i+1]))
		}
		run, runStart = emptyLit, i+1
	}
	if allExact {
		return info{exact: run}
	}
	consider(run, lens[runStart], 0)
	return best
}

// sat saturates a length at unbounded (totals of unbounded parts overflow
// their meaning, not int).
func sat(n int) int { return min(n, unbounded) }

// product is every concatenation of one of a with one of b, or nil when that
// would be too many or too long.
func product(a, b []lit) []lit {
	if len(a)*len(b) > maxLits {
		return nil
	}
	out := make([]lit, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			if len(x.s)+len(y.s) > maxLitLen {
				return nil
			}
			l := lit{s: x.s + y.s, fold: x.fold || y.fold}
			if l.fold {
				l.s = asciiLower(l.s)
				if anchor(l.s, true) < 0 {
					return nil
				}
			}
			out = appendLit(out, l)
		}
	}
	return out
}

func union(a, b []lit) []lit {
	out := slices.Clip(a)
	for _, l := range b {
		out = appendLit(out, l)
	}
	return out
}

func appendLit(out []lit, l lit) []lit {
	if slices.Contains(out, l) {
		return out
	}
	return append(out, l)
}

// score rates a literal set by its shortest member; 0 means useless.
func score(l []lit) int {
	if len(l) == 0 {
		return 0
	}
	m := len(l[0].s)
	for _, x := range l[1:] {
		m = min(m, len(x.s))
	}
	return m
}

// better prefers longer literals, then fewer, then a smaller reach.
func better(a []lit, reachA int, b []lit, reachB int) bool {
	sa, sb := score(a), score(b)
	switch {
	case sa == 0:
		return false
	case sa != sb:
		return sa > sb
	case len(a) != len(b):
		return len(a) < len(b)
	}
	return reachA < reachB
}

// minimize drops literals that contain another one of the set: searching
// for the shorter finds them too. A match may then reach further around the
// literal found: by at most slack bytes.
func minimize(lits []lit) (out []lit, slack int) {
	for i, l := range lits {
		redundant := false
		for j, m := range lits {
			if i != j && covers(m, l) && (!covers(l, m) || j < i) {
				extra := len(l.s) - len(m.s)
				if l.fold {
					extra *= utf8.UTFMax // the rest may be Kelvin signs and long s
				}
				slack = max(slack, extra)
				redundant = true
				break
			}
		}
		if !redundant {
			out = append(out, l)
		}
	}
	return out, slack
}

// covers reports whether every occurrence of l contains an occurrence of m.
func covers(m, l lit) bool {
	if m.fold {
		return strings.Contains(asciiLower(l.s), m.s)
	}
	return !l.fold && strings.Contains(l.s, m.s)
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// maxLen is the byte length of the longest text re can match, saturated at
// unbounded.
func maxLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				n += maxFoldLen(r)
			} else {
				n += runeLen(r)
			}
		}
		return sat(n)
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return 0
		}
		return runeLen(re.Rune[len(re.Rune)-1])
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax
	case syntax.OpCapture, syntax.OpQuest:
		return maxLen(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		return unbounded
	case syntax.OpRepeat:
		if re.Max < 0 {
			return unbounded
		}
		return sat(re.Max * maxLen(re.Sub[0]))
	case syntax.OpConcat:
		n := 0
		for _, sub := range re.Sub {
			n = sat(n + maxLen(sub))
		}
		return n
	case syntax.OpAlternate:
		n := 0
		for _, sub := range re.Sub {
			n = max(n, maxLen(sub))
		}
		return n
	}
	return 0
}

// minLen is the byte length of the shortest text re can match.
func minLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) // every rune takes at least one byte
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minLen(re.Sub[0])
	case syntax.OpRepeat:
		return sat(re.Min * minLen(re.Sub[0]))
	case syntax.OpConcat:
		n := 0
		for _, sub := range re.Sub {
			n = sat(n + minLen(sub))
		}
		return n
	case syntax.OpAlternate:
		n := unbounded
		for _, sub := range re.Sub {
			n = min(n, minLen(sub))
		}
		return n
	}
	return 0
}

func runeLen(r rune) int {
	if n := utf8.RuneLen(r); n > 0 {
		return n
	}
	return utf8.UTFMax
}

// maxFoldLen is the longest UTF-8 encoding among r and the runes it folds to.
func maxFoldLen(r rune) int {
	n := runeLen(r)
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		n = max(n, runeLen(f))
	}
	return n
}
