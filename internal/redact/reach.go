package redact

import (
	"regexp"
	"regexp/syntax"
	"unicode/utf8"
)

// This file runs a rule whose matches can run on without bound after its
// literal (such as `password\s*=\s*\S+`) without scanning the whole unit
// with the regular expression: a match can only start a few bytes before an
// occurrence of the literal, so the expression, anchored, is tried at those
// starts alone.

// maxAnchoredBefore is the largest reach before the literal for which the
// starts are tried one by one.
const maxAnchoredBefore = 32

// compileAnchored returns re anchored at the start of its input when the
// anchored form finds the same matches as re, tried at every start where a
// match of re can begin: re has literals, reaches a bounded distance before
// them and an unbounded one after, cannot match empty text, and has no
// assertion that looks back (^, \A, \b, \B), so a match at a start depends
// only on the text from there on. Otherwise it returns nil.
func compileAnchored(re *regexp.Regexp, tree *syntax.Regexp, sh shape) *regexp.Regexp {
	if sh.lits == nil || sh.after < unbounded || sh.before > maxAnchoredBefore || sh.minLen == 0 || looksBack(tree) {
		return nil
	}
	a, err := regexp.Compile(`\A(?:` + re.String() + `)`)
	if err != nil {
		return nil
	}
	return a
}

// looksBack reports whether re holds an assertion about the text before the
// position where it is checked.
func looksBack(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	}
	for _, sub := range re.Sub {
		if looksBack(sub) {
			return true
		}
	}
	return false
}

// findAnchored appends to locs the matches of m in text, which holds the
// occurrences occ (sorted by start) of m's literals: the same as
// m.re.FindAllIndex over all of text. Every match starts at most m.before
// bytes ahead of an occurrence it holds; the leftmost start at or after the
// previous match's end where the anchored expression matches is the next
// match, with the same end, as no start before it can match.
func (m *matcher) findAnchored(text []byte, occ []span, locs []int) []int {
	next := 0 // the previous match's end: starts before it are taken
	for _, h := range occ {
		for p := max(next, h.start-m.before); p <= h.start; p++ {
			if !runeStart(text, p) {
				continue
			}
			if loc := m.anchoredRule.FindIndex(text[p:]); loc != nil {
				locs = append(locs, p, p+loc[1])
				next = p + loc[1]
				break
			}
		}
	}
	return locs
}

// runeStart reports whether p is where a rune starts when text is decoded
// from its start, as the regexp package steps through it: anywhere but
// inside a valid multi-byte sequence.
func runeStart(text []byte, p int) bool {
	for q := p - 1; q >= max(0, p-utf8.UTFMax+1); q-- {
		if !utf8.RuneStart(text[q]) {
			continue
		}
		_, size := utf8.DecodeRune(text[q:])
		return size <= p-q
	}
	return true
}
