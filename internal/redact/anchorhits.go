package redact

import (
	"bytes"
	"io"
	"sort"
	"unicode/utf8"
)

// This file runs a rule of findAnchored (`password\s*=\s*\S+`) in a JSON
// string without decoding the whole string: Claude Code's strings are tool
// output and code of kilobytes to megabytes, and a word like "password" is
// in most of them. findAnchored needs every occurrence of the rule's
// literals in the decoded text; when the string's escapes cannot form or
// hide one (hitsCover), the occurrences the prefilter found in the raw
// string are exactly those. Then only a few bytes around each are decoded,
// and the anchored expression reads the decoded text from there on through
// a decReader, as far as it needs.

// litsRawSafe reports whether no literal of lits holds a byte that a JSON
// escape decodes to without hitsCover ruling it out ('"', '\\', '/', a
// control character): an occurrence of such a literal in decoded text is
// then an occurrence in the raw text, byte for byte.
func litsRawSafe(lits []lit) bool {
	for _, l := range lits {
		for i := range len(l.s) {
			if c := l.s[i]; c < 0x20 || c == '"' || c == '\\' || c == '/' {
				return false
			}
		}
	}
	return lits != nil
}

// hitsCover reports whether, in the raw content raw of a JSON string, the
// occurrences of m's literals in the raw bytes stand for all of their
// occurrences in the decoded text. (Those that start inside an escape, "n"
// in "\n", are not in it; at the escape's decoded text the expression finds
// nothing that a real occurrence would not find.) It needs literals free
// of escaped bytes (litsRawSafe) and no \u escape but those of control
// characters: every other escape then decodes to one byte no literal holds,
// or is kept as it is (an unknown escape). The Kelvin sign and the long s,
// which a folding literal matches for 'k' and 's', are found by the
// prefilter like any other spelling (see pairOffsets).
func (m *matcher) hitsCover(raw []byte) bool {
	return m.rawSafe && !hasOddU(raw)
}

// hasOddU reports whether raw holds a backslash followed by 'u' that does
// not start \u0000 to \u001f. After an escaped backslash that is text that
// only looks like an escape: reporting it too is merely cautious. From each
// backslash it searches 64 bytes at a time: bytes.Index runs its vectorized
// search on a text that short, and on a longer one first looks for
// backslashes one by one, which is slow in escape-dense text.
func hasOddU(raw []byte) bool {
	for i := 0; i+1 < len(raw); {
		k := bytes.IndexByte(raw[i:], '\\') // a long run without escapes at vector speed
		if k < 0 {
			return false
		}
		i += k
		end := min(len(raw), i+64)
		k = bytes.Index(raw[i:end], []byte(`\u`))
		if k < 0 {
			if end == len(raw) {
				return false
			}
			i = end - 1 // a pair may straddle the two searches
			continue
		}
		i += k
		if i+6 > len(raw) || raw[i+2] != '0' || raw[i+3] != '0' || raw[i+4] > '1' || raw[i+4] < '0' || !isHex(raw[i+5]) {
			return true
		}
		i += 2
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// anchoredViaHits appends to edits the matches of m, a rule that
// findAnchored runs, in raw, the content of a JSON string for which
// m.hitsCover holds, given hits, where the prefilter found m's literals in
// it (sorted by start): the same edits as findAnchored over the whole
// decoded string. Every match holds an occurrence, at most m.before bytes
// after its start; the starts are tried in the same order.
func (m *matcher) anchoredViaHits(raw []byte, hits []span, sc *scratch, edits []edit) []edit {
	next := 0 // raw offset of the previous match's end
	lead := maxEscape * (m.before + utf8.UTFMax)
	for _, h := range hits {
		if h.start < next {
			continue
		}
		// The decoded text from m.before (and a rune) ahead of the
		// occurrence to a rune past its start.
		ws := max(0, h.start-lead)
		v := sc.window(raw, true, ws, h.start-ws+maxEscape+utf8.UTFMax)
		hd := decPos(v.escs, h.start-v.base)
		lo := max(0, hd-m.before)
		if next > v.base {
			lo = max(lo, decPos(v.escs, next-v.base))
		}
		for p := lo; p <= hd; p++ {
			if !runeStart(v.text, p) {
				continue
			}
			rp := v.base + rawPos(v.escs, p)
			sc.rd.reset(raw[rp:])
			loc := m.anchoredRule.FindReaderIndex(&sc.rd)
			if loc == nil {
				continue
			}
			mv := sc.window(raw, true, rp, loc[1]+maxEscape)
			s := decPos(mv.escs, rp-mv.base)
			sc.locs = append(sc.locs[:0], s, s+loc[1])
			edits = m.editsIn(&mv, sc.locs, true, edits)
			next = mv.base + rawPos(mv.escs, s+loc[1])
			break
		}
	}
	return edits
}

// decPos maps the raw offset r to an offset of the decoded text, as
// decodedOffset does, except that an offset inside an escape kept as it is
// keeps its place in it.
func decPos(escs []esc, r int) int {
	i := sort.Search(len(escs), func(i int) bool { return escs[i].raw+escs[i].rawLen > r })
	if i < len(escs) && escs[i].raw < r && escs[i].rawLen == escs[i].decLen {
		return escs[i].dec + r - escs[i].raw
	}
	return decodedOffset(escs, r)
}

// rawPos maps the decoded offset d to a raw offset, as rawOffset does,
// except that an offset inside an escape kept as it is keeps its place in
// it.
func rawPos(escs []esc, d int) int {
	i := sort.Search(len(escs), func(i int) bool { return escs[i].dec+escs[i].decLen > d })
	if i < len(escs) && escs[i].dec < d && escs[i].rawLen == escs[i].decLen {
		return escs[i].raw + d - escs[i].dec
	}
	return rawOffset(escs, d, false)
}

// decReader reads the decoded text of (the rest of) a JSON string's raw
// content rune by rune, as the regexp package steps through decoded bytes:
// an invalid byte is utf8.RuneError of width 1.
type decReader struct {
	raw  []byte // raw content not yet decoded
	pend []byte // decoded bytes not yet read
	tail []byte // pend's storage
	dec  []byte // decodeString's buffer
	escs []esc
}

// decChunk is how many decoded bytes a decReader decodes at a time.
const decChunk = 64

func (d *decReader) reset(raw []byte) {
	d.raw, d.pend = raw, nil
}

// ReadRune implements io.RuneReader.
func (d *decReader) ReadRune() (rune, int, error) {
	if len(d.pend) < utf8.UTFMax && len(d.raw) > 0 {
		text, escs, n := decodeString(d.raw, d.dec, d.escs, decChunk)
		d.escs = escs
		if len(escs) > 0 {
			d.dec = text
		}
		d.tail = append(append(d.tail[:0], d.pend...), text...)
		d.pend, d.raw = d.tail, d.raw[n:]
	}
	if len(d.pend) == 0 {
		return 0, 0, io.EOF
	}
	if c := d.pend[0]; c < utf8.RuneSelf {
		d.pend = d.pend[1:]
		return rune(c), 1, nil
	}
	r, size := utf8.DecodeRune(d.pend)
	d.pend = d.pend[size:]
	return r, size, nil
}
