package redact

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

// needle is a literal prepared for searching: k is the index of its rarest
// byte, which is looked for first (with memchr speed) and checked around.
type needle struct {
	lit
	k int
}

func newNeedle(l lit) needle { return needle{lit: l, k: anchor(l.s, l.fold)} }

func needles(lits []lit) []needle {
	if lits == nil {
		return nil
	}
	out := make([]needle, len(lits))
	for i, l := range lits {
		out[i] = newNeedle(l)
	}
	return out
}

// find returns the first occurrence of n in b that starts at or after from:
// its start and end, or -1, -1.
func (n needle) find(b []byte, from int) (int, int) {
	if n.fold {
		return findFold(b, n.s, n.k, from)
	}
	c := n.s[n.k]
	fails := 0
	for pos := from + n.k; ; {
		p := indexByteFrom(b, c, pos)
		if p < 0 {
			return -1, -1
		}
		if start := p - n.k; start+len(n.s) <= len(b) && string(b[start:start+len(n.s)]) == n.s {
			return start, start + len(n.s)
		}
		pos = p + 1
		// When the anchor turns out common, let bytes.Index (vectorized
		// for short needles) take over.
		if fails++; fails > 8+(pos-from)>>5 {
			i := bytes.Index(b[pos-n.k:], []byte(n.s))
			if i < 0 {
				return -1, -1
			}
			return pos - n.k + i, pos - n.k + i + len(n.s)
		}
	}
}

// findFold finds s in b with letters compared case-insensitively, the way
// (?i) does: besides both ASCII cases, 'k' also matches the Kelvin sign and
// 's' the long s. It looks for the byte s[k] in either case and checks
// around it.
func findFold(b []byte, s string, k, from int) (int, int) {
	lo := s[k]
	up := lo
	if 'a' <= lo && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	nextLo, nextUp := -2, -2 // next position of each case; -2 unknown, -1 none
	for pos := from + k; ; {
		if nextLo != -1 && nextLo < pos {
			nextLo = indexByteFrom(b, lo, pos)
		}
		if up != lo && nextUp != -1 && nextUp < pos {
			nextUp = indexByteFrom(b, up, pos)
		}
		p := nextLo
		if up != lo && nextUp >= 0 && (p < 0 || nextUp < p) {
			p = nextUp
		}
		if p < 0 {
			return -1, -1
		}
		pos = p + 1
		if start, end, ok := foldAround(b, s, k, p, from); ok {
			return start, end
		}
	}
}

// foldAround checks, under (?i), that s occurs in b with its byte k at
// position p (which matched already) and starting no earlier than from.
func foldAround(b []byte, s string, k, p, from int) (int, int, bool) {
	end, ok := p+1, true
	for i := k + 1; ok && i < len(s); i++ {
		r, size := utf8.DecodeRune(b[end:])
		ok = size > 0 && foldEq(r, s[i])
		end += size
	}
	start := p
	for i := k - 1; ok && i >= 0; i-- {
		r, size := utf8.DecodeLastRune(b[from:start])
		ok = size > 0 && foldEq(r, s[i])
		start -= size
	}
	return start, end, ok
}

// foldEq reports whether r matches the lower-case ASCII byte c under (?i).
func foldEq(r rune, c byte) bool {
	switch {
	case r == rune(c):
		return true
	case 'a' <= c && c <= 'z' && r == rune(c-('a'-'A')):
		return true
	case c == 'k':
		return r == '\u212A' // Kelvin sign
	case c == 's':
		return r == '\u017F' // long s
	}
	return false
}

func indexByteFrom(b []byte, c byte, from int) int {
	if from >= len(b) {
		return -1
	}
	i := bytes.IndexByte(b[from:], c)
	if i < 0 {
		return -1
	}
	return from + i
}

// anchor picks the position of the byte of s least likely to occur in text.
// For a folding literal it leaves out 'k' and 's', whose case variants are
// not all ASCII, and returns -1 when nothing else is left.
func anchor(s string, fold bool) int {
	best, rank := -1, 1<<30
	for i := range len(s) {
		if fold && (s[i] == 'k' || s[i] == 's') {
			continue
		}
		if r := byteRank(s[i], fold); r < rank {
			best, rank = i, r
		}
	}
	return best
}

// pairRank estimates how common the byte pair a, b is (higher is more
// common): its bytes' ranks, raised for two lower-case letters or a space
// (English text) and for pairs that code and JSON are full of.
func pairRank(a, b byte, fold bool) int {
	r := byteRank(a, fold) + byteRank(b, fold)
	if 'a' <= a && a <= 'z' && 'a' <= b && b <= 'z' || a == ' ' || b == ' ' {
		r += 30
	}
	const english = "th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur"
	if strings.Contains(english, strings.ToLower(string([]byte{a, b}))) {
		r += 25
	}
	switch string([]byte{a, b}) {
	case "//", "/*", "*/", "==", "!=", "->", "=>", ":=", "()", "{}", "[]", ");", ", ", ": ", ". ",
		"= ", " =", "  ", "--", "__", "./", "..", `\n`, `\t`, `\"`, `\\`, `":`, `",`, `"}`:
		r += 60
	}
	return r
}

// byteRank estimates how common a byte is in request bodies: English, code
// and JSON escapes (higher is more common). Only the order matters. For a
// folding literal both cases count.
func byteRank(c byte, fold bool) int {
	const common = "\"\\ etaoinsrlhdcump.f_g,ybw/:v()=-k0x12T{}S;EAI3CR59684N7LOPDMj>F<B'qU[]zH*G+WV#|&%KY$@X!?JQZ~^`"
	if c >= utf8.RuneSelf {
		return 30 // text in other scripts
	}
	i := strings.IndexByte(common, c)
	if fold && 'a' <= c && c <= 'z' {
		if j := strings.IndexByte(common, c-('a'-'A')); j >= 0 && (i < 0 || j < i) {
			i = j
		}
	}
	if i < 0 {
		return 0
	}
	return len(common) - i
}

// prefilter answers, in one pass over a body, which matchers have one of
// their literals in it, and where. It looks at every other position for a
// byte pair (bigram): a literal of three bytes or more covers a pair
// starting at an even position wherever it lies, so each literal registers
// its rarest pair of each parity, and only positions holding a registered
// pair are checked. Shorter literals, and folding ones without a usable
// pair, are searched one by one.
//
// For raw bodies it also looks, like for a literal, for the start of a \u
// escape of a character that some matcher's literals or run can hold
// (hiding), which hides them from a search of raw bytes (see escProbes),
// and appends where it found one to the last slot of pos, after the
// matchers', when want is set there. plan keeps those that are escapes of
// such a character.
type prefilter struct {
	tab     [1 << 16]uint8  // where bigram x = b[i]<<8|b[i+1] is registered, the afterClass bits its probes accept after it; else 0
	bits    [1 << 10]uint64 // bit x: bigram x is registered
	rank    [1 << 10]uint16 // set bits in the words before each word
	buckets [][]probe       // the probes of each registered bigram, by bigram
	single  []probe
	runs    []runProbe
	hiding  runeSet
}

// runProbe is the class run of matcher m.
type runProbe struct {
	m   int
	run *classRun
}

// probe is a literal of matcher m whose pair sits at offset off.
type probe struct {
	m   int
	n   needle
	off int
	// The bytes of the literal just before and after its pair, checked
	// before the whole literal is (most pairs that prose is full of are not
	// in the literal's context): want, or'ed with fold first, for the
	// byte at rel from the pair; rel 0 means nothing to check.
	ctx [2]struct {
		rel        int
		want, fold byte
	}
}

// newProbe prepares the probe of n's pair at off.
func newProbe(m int, n needle, off int) probe {
	pr := probe{m: m, n: n, off: off}
	for k, rel := range [2]int{-1, 2} {
		j := off + rel
		if j < 0 || j >= len(n.s) {
			continue
		}
		c := n.s[j]
		switch {
		case !n.fold:
		case c >= utf8.RuneSelf || c == 'k' || c == 's':
			continue // (?i) variants outside ASCII
		case 'a' <= c && c <= 'z':
			pr.ctx[k].fold = 0x20
		}
		pr.ctx[k].rel, pr.ctx[k].want = rel, c
	}
	return pr
}

// near reports whether the bytes around the pair at b[i:i+2] can be those
// of pr's literal: a quick test before needle.at.
func (pr *probe) near(b []byte, i int) bool {
	for _, c := range pr.ctx {
		if c.rel == 0 {
			continue
		}
		j := i + c.rel
		if j < 0 || j >= len(b) || b[j]|c.fold != c.want {
			return false
		}
	}
	return true
}

// afterClass sorts bytes into eight classes by their low three bits, a
// letter with its other case: a registered pair's entry in prefilter.tab
// holds the classes of the bytes its literals can have right after it, so
// that most pairs of prose that are also pairs of a literal (the "or" of
// "password") are passed over for the byte that follows them, without
// looking up their probes.
var afterClass = func() (t [256]uint8) {
	for c := range t {
		t[c] = 1 << ((c | 0x20) & 7)
	}
	return t
}()

// after returns the afterClass bits of the bytes pr accepts right after its
// pair (see near): all classes when it checks none there.
func (pr *probe) after() uint8 {
	for _, c := range pr.ctx {
		if c.rel == 2 {
			var m uint8
			for b := range 256 {
				if byte(b)|c.fold == c.want {
					m |= afterClass[b]
				}
			}
			return m
		}
	}
	return 0xff
}

// maxPairs bounds the bigrams registered; literals beyond are searched alone.
const maxPairs = 4096

// newPrefilter builds the prefilter of ms for raw bodies (their raw literals
// and runs) or, when decoded is set, for decoded text (their plain literals
// only).
func newPrefilter(ms []*matcher, decoded bool) *prefilter {
	p := &prefilter{}
	index := map[uint16][]probe{}
	for i, m := range ms {
		ns := m.raw
		if decoded {
			ns = m.plain
		} else if m.run != nil {
			p.runs = append(p.runs, runProbe{m: i, run: m.run})
		}
		for _, n := range ns {
			offs, ok := pairOffsets(n)
			if !ok || len(index) > maxPairs {
				p.single = append(p.single, probe{m: i, n: n})
				continue
			}
			for _, off := range offs {
				for _, x := range pairVariants(n.s[off], n.s[off+1], n.fold) {
					index[x] = append(index[x], newProbe(i, n, off))
				}
			}
		}
	}
	if !decoded {
		for _, m := range ms {
			p.hiding.addAll(&m.alpha)
		}
		if !p.hiding.empty() {
			for x, prs := range escProbes(&p.hiding, len(ms)) {
				index[x] = append(index[x], prs...)
			}
		}
	}
	pairs := slices.Sorted(maps.Keys(index))
	for _, x := range pairs {
		var after uint8
		for k := range index[x] {
			after |= index[x][k].after()
		}
		p.tab[x] = max(after, 1) // never 0: registered
		p.bits[x>>6] |= 1 << (x & 63)
		p.buckets = append(p.buckets, index[x])
	}
	n := 0
	for w := range p.bits {
		p.rank[w] = uint16(n)
		n += bits.OnesCount64(p.bits[w])
	}
	return p
}

// has reports whether bigram x is registered.
func (p *prefilter) has(x uint16) bool { return p.tab[x] != 0 }

// probes returns the probes registered for bigram x, which must be.
func (p *prefilter) probes(x uint16) []probe {
	w := p.bits[x>>6] & (1<<(x&63) - 1)
	return p.buckets[int(p.rank[x>>6])+bits.OnesCount64(w)]
}

// pairOffsets picks, for each parity, the offset of n's rarest byte pair.
// The scan looks at the pairs at every other offset of a unit, so of two
// pairs at offsets of both parities, one is on its grid wherever the
// literal lies. Under (?i) 'k' and 's' also match the Kelvin sign and the
// long s, three and two bytes in UTF-8: one of them between the two pairs
// would move them apart by a byte and could put both off the grid (a
// secret written with one went unnoticed). So a folding literal's two
// pairs are taken from one run of it without 'k' or 's'; a literal with
// no such run of three bytes is not searched by pairs.
func pairOffsets(n needle) ([2]int, bool) {
	lo, hi := 0, len(n.s)
	if n.fold {
		best := -1
		for start := 0; start < len(n.s); {
			end := start
			for end < len(n.s) && n.s[end] != 'k' && n.s[end] != 's' {
				end++
			}
			if _, rank, ok := rarestPairs(n, start, end); ok && (best < 0 || rank < best) {
				best, lo, hi = rank, start, end
			}
			start = end + 1
		}
		if best < 0 {
			return [2]int{}, false
		}
	}
	offs, _, ok := rarestPairs(n, lo, hi)
	return offs, ok
}

// rarestPairs picks, for each parity, the offset of the rarest byte pair of
// n.s[lo:hi] (offs[p] has parity p), and reports the sum of their ranks.
func rarestPairs(n needle, lo, hi int) ([2]int, int, bool) {
	var offs [2]int
	total := 0
	for par := range 2 {
		best, rank := -1, 1<<30
		for o := lo + par; o+1 < hi; o += 2 {
			if r := pairRank(n.s[o], n.s[o+1], n.fold); r < rank {
				best, rank = o, r
			}
		}
		if best < 0 {
			return offs, 0, false
		}
		offs[best%2], total = best, total+rank
	}
	return offs, total, true
}

// pairVariants lists the bigrams that the pair a, b stands for.
func pairVariants(a, b byte, fold bool) []uint16 {
	as, bs := []byte{a}, []byte{b}
	if fold {
		as, bs = caseVariants(a), caseVariants(b)
	}
	var out []uint16
	for _, x := range as {
		for _, y := range bs {
			out = append(out, uint16(x)<<8|uint16(y))
		}
	}
	return out
}

func caseVariants(c byte) []byte {
	if 'a' <= c && c <= 'z' {
		return []byte{c, c - ('a' - 'A')}
	}
	return []byte{c}
}

// scan appends to pos[m], for every matcher m with want[m] set, where its
// literals occur in the units of b that are not opaque, sorted by start
// (then end); for a raw prefilter likewise the escapes it may find, in the
// last slot.
func (p *prefilter) scan(b []byte, units []span, want []bool, pos [][]span) {
	p.scanFrom(b, units, want, pos, nil)
}

// scanFrom is scan over a body whose units are scanned in batches, in
// order (see Filter.filter): b ends after the batch's last unit, and
// from[k] is where the search for single probe k resumes, which it
// advances. Single probes are searched for in the whole body, each search
// starting one past the previous occurrence, which may lie across units
// and, for a folding literal, make the next search skip an occurrence:
// resuming where the previous batch stopped keeps each batch's
// occurrences exactly those of one search over the whole body. With from
// nil, b is the whole body.
func (p *prefilter) scanFrom(b []byte, units []span, want []bool, pos [][]span, from []int) {
	for k, pr := range p.single {
		switch {
		case !want[pr.m]:
		case from == nil:
			pos[pr.m] = pr.n.findAll(b, pos[pr.m])
		default:
			pos[pr.m], from[k] = pr.n.findAllCut(b, from[k], pos[pr.m])
		}
	}
	for _, u := range units {
		if u.kind != unitOpaque {
			p.scanUnit(b, u.start, u.end, want, pos)
		}
	}
	for _, r := range p.runs {
		if want[r.m] {
			for _, u := range units {
				if u.kind != unitOpaque {
					pos[r.m] = r.run.find(b, u.start, u.end, pos[r.m])
				}
			}
		}
	}
	for _, ps := range pos {
		if len(ps) > 1 {
			// By end too, so that the order does not depend on the order
			// they were found in, which batches change.
			slices.SortFunc(ps, func(a, b span) int { return cmp.Or(a.start-b.start, a.end-b.end) })
		}
	}
}

// scanRange appends to pos[m], for every matcher m with want[m] set, where
// its literals occur in b at or after from (unsorted; for a literal
// registered by a pair, possibly also some that start before from).
func (p *prefilter) scanRange(b []byte, from int, want []bool, pos [][]span) {
	for _, pr := range p.single {
		if want[pr.m] {
			pos[pr.m] = pr.n.findAllFrom(b, from, pos[pr.m])
		}
	}
	p.scanUnit(b, from, len(b), want, pos)
}

func (p *prefilter) scanUnit(b []byte, i, end int, want []bool, pos [][]span) {
	tab := &p.tab // a byte per bigram: no shifts, and the pairs of text are few
	for ; i+8 <= end; i += 8 {
		// Four pairs at a time; nearly always none is registered.
		w := binary.BigEndian.Uint64(b[i:])
		if tab[uint16(w>>48)]|tab[uint16(w>>32)]|tab[uint16(w>>16)]|tab[uint16(w)] != 0 {
			p.checkWord(b, i, w, want, pos)
		}
	}
	for ; i+1 < end; i += 2 {
		if x := uint16(b[i])<<8 | uint16(b[i+1]); tab[x] != 0 {
			p.check(b, i, x, want, pos)
		}
	}
}

// checkWord checks the four pairs of w, the 8 bytes at b[i:], that are
// registered and followed by a byte of a class their literals accept there
// (or by nothing: check decides).
func (p *prefilter) checkWord(b []byte, i int, w uint64, want []bool, pos [][]span) {
	for j := range 4 {
		x := uint16(w >> (48 - 16*j))
		t := p.tab[x]
		if t == 0 {
			continue
		}
		if k := i + 2*j + 2; k < len(b) && t&afterClass[b[k]] == 0 {
			continue
		}
		p.check(b, i+2*j, x, want, pos)
	}
}

// check records the literals whose registered pair x sits at b[i:i+2].
func (p *prefilter) check(b []byte, i int, x uint16, want []bool, pos [][]span) {
	ps := p.probes(x)
	for k := range ps {
		pr := &ps[k]
		if !pr.near(b, i) || !want[pr.m] {
			continue
		}
		if s, e, ok := pr.n.at(b, i, pr.off); ok {
			pos[pr.m] = append(pos[pr.m], span{start: s, end: e})
		}
	}
}

// findAll appends every occurrence of n in b to out.
func (n needle) findAll(b []byte, out []span) []span { return n.findAllFrom(b, 0, out) }

// findAllFrom appends every occurrence of n in b that starts at or after
// from to out.
func (n needle) findAllFrom(b []byte, from int, out []span) []span {
	for {
		s, e := n.find(b, from)
		if s < 0 {
			return out
		}
		out = append(out, span{start: s, end: e})
		from = s + 1
	}
}

// findAllCut is findAllFrom on b, a prefix of a longer text, for a search
// that goes on in longer prefixes: it returns where that must resume to
// find, after what it found here, exactly what findAll finds in the whole
// text. That is one past the last occurrence's start or, when later, the
// first place where an occurrence cut by b's end can start (len(b) less
// the longest an occurrence can be, plus one; under (?i), three bytes per
// byte of n: the Kelvin sign), so that a long text is searched once.
func (n needle) findAllCut(b []byte, from int, out []span) ([]span, int) {
	for {
		s, e := n.find(b, from)
		if s < 0 {
			longest := len(n.s)
			if n.fold {
				longest *= 3
			}
			return out, max(from, len(b)-longest+1)
		}
		out = append(out, span{start: s, end: e})
		from = s + 1
	}
}

// at reports whether n occurs in b with its byte off at position i, and
// where.
func (n needle) at(b []byte, i, off int) (int, int, bool) {
	if !n.fold {
		s := i - off
		return s, s + len(n.s), s >= 0 && s+len(n.s) <= len(b) && string(b[s:s+len(n.s)]) == n.s
	}
	return foldAround(b, n.s, off, i, 0)
}
