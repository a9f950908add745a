package redact

import (
	"bytes"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/clp-proxy/clp/internal/bufpool"
)

// Report says what Apply replaced. The zero Report means nothing was.
type Report struct {
	// Counts maps a rule's label (its name, or "rule N") or a detector's ID
	// to its number of replacements. It is nil when nothing matched. Labels
	// that are equal share one count.
	Counts map[string]int `json:"counts,omitempty"`
	// Spans lists every replacement by its place in the output, in order.
	Spans []Span `json:"spans,omitempty"`
}

// Span is one replacement as it lies in Apply's output.
type Span struct {
	// Rule is the label counted in Report.Counts.
	Rule string `json:"rule"`
	// Start and End delimit the replacement text in the output, in bytes
	// (End exclusive). A later rule that rewrote part of it widens it.
	Start int `json:"start"`
	End   int `json:"end"`
	// Preview is a masked description of what was replaced, such as
	// "sk-a…(40 chars)": at most a quarter of it, and never more than four
	// characters, is shown.
	Preview string `json:"preview"`
}

// Total is the number of replacements.
func (r Report) Total() int {
	n := 0
	for _, c := range r.Counts {
		n += c
	}
	return n
}

// Apply runs the filter for a request of the given service ("claude",
// "codex", ...) on body and returns the filtered body and what changed.
//
// When body is one JSON value, only the values of its strings (object keys
// included) are matched, each on its own and decoded, so a match never spans
// two strings, never touches the document's structure and sees "\n" as a
// newline; replacements are written back JSON-escaped and the bytes around
// them are kept as they were, so the output is valid JSON whenever the input
// is. ^ and $ mean the start and end of the string's value. The values of
// "signature" and "encrypted_content", and "data" values that are base64
// blobs of at least 256 bytes, are opaque (round-tripped blobs, images) and
// never matched. Any other body is matched as raw text.
//
// User rules run first, in file order, each on the output of the one before;
// then the detectors. Empty matches are ignored. When nothing is replaced,
// body itself is returned (not a copy) and the Report is zero, without any
// allocation; otherwise the output is a new slice and body is not modified.
// Apply's output is ApplyPieces' pieces joined.
func (f *Filter) Apply(service string, body []byte) ([]byte, Report) {
	if f == nil || len(f.matchers) == 0 || len(body) == 0 {
		return body, Report{}
	}
	sc := f.getScratch(len(body))
	defer f.putScratch(sc)
	rep := f.run(service, body, sc)
	if len(sc.changed) == 0 {
		return body, rep
	}
	parts := sc.pieces(body, &rep, sc.parts[:0])
	out := bytes.Join(parts, nil)
	clear(parts) // drop references to the body
	sc.parts = parts[:0]
	return out, rep
}

// ApplyPieces is Apply with the output appended to dst as pieces instead of
// one slice: the pieces concatenated are exactly what Apply returns, and the
// Report's spans are offsets into that concatenation. Unchanged runs of body
// are not copied: those pieces are subslices of body, and replacement texts
// may be shared with the Filter, so the caller must not modify any piece
// (nor body while it uses them). No piece is empty. When nothing is replaced
// the only piece appended is body itself (none when body is empty) and the
// Report is zero; then nothing is allocated when dst has room.
func (f *Filter) ApplyPieces(service string, body []byte, dst [][]byte) ([][]byte, Report) {
	if f == nil || len(f.matchers) == 0 || len(body) == 0 {
		return appendPiece(dst, body), Report{}
	}
	sc := f.getScratch(len(body))
	defer f.putScratch(sc)
	rep := f.run(service, body, sc)
	if len(sc.changed) == 0 {
		return append(dst, body), rep
	}
	return sc.pieces(body, &rep, dst), rep
}

// run filters body with sc, leaving the changed units in sc.changed, and
// returns the Report with spans relative to their units.
func (f *Filter) run(service string, body []byte, sc *scratch) Report {
	var rep Report
	units, isJSON := scanStrings(body, sc.units[:0])
	if !isJSON {
		units = append(units[:0], span{start: 0, end: len(body)})
	}
	sc.units = units
	f.filter(service, body, isJSON, nil, sc, &rep)
	return rep
}

// filter runs the matchers that apply to service on the units sc.units of
// body, appending the changed ones to sc.changed and their spans, relative
// to them, to rep. Units are independent, so the units of a body may be
// filtered in batches, in order (Stream): then body ends after the last
// unit of the batch, and from holds, per single probe of the prefilter,
// where its search resumes (see prefilter.scanFrom); it is nil for a whole
// body.
func (f *Filter) filter(service string, body []byte, isJSON bool, from []int, sc *scratch, rep *Report) {
	want, pos := sc.reset(len(f.matchers))
	for i, m := range f.matchers {
		want[i] = m.appliesTo(service)
	}
	units := sc.units
	for i := range units {
		if u := &units[i]; u.kind == unitData {
			u.kind = unitText
			if isBase64Blob(body[u.start:u.end]) {
				u.kind = unitOpaque
			}
		}
	}
	want[f.escSlot()] = isJSON
	f.pre.scanFrom(body, units, want, pos, from)
	work := f.plan(body, want, pos, sc)
	sc.work = work
	for len(work) > 0 {
		n := 1
		for n < len(work) && work[n].unit == work[0].unit {
			n++
		}
		f.unit(body, isJSON, work[:n], sc, rep)
		work = work[n:]
	}
}

// anyWork reports whether some wanted matcher has literals in the body or
// none to look for.
func (f *Filter) anyWork(want []bool, pos [][]span) bool {
	for i, m := range f.matchers {
		if want[i] && (!m.prefiltered() || len(pos[i]) > 0) {
			return true
		}
	}
	return false
}

// job says that matcher m must run on unit, where the prefilter found its
// literals at pos[m][lo:hi] (none for a matcher without literals), or, when
// lo is negative (wholeJob), on all of the unit's decoded text. (Not a
// flag: four words sort faster, and plan sorts thousands of jobs.)
type job struct{ unit, m, lo, hi int }

// wholeJob returns the job that runs matcher m on all of unit's text.
func wholeJob(unit, m int) job { return job{unit: unit, m: m, lo: -1, hi: -1} }

// whole reports whether j runs on all of the unit's text.
func (j job) whole() bool { return j.lo < 0 }

// changed is a unit whose new raw content is the segments segs[g0:g1]; its
// spans are rep.Spans[s0:s1], with offsets relative to the unit. (The test
// oracle leaves the content in arena[start:end] instead.)
type changed struct {
	unit, s0, s1, g0, g1 int
	start, end           int
}

// scratch holds per-call buffers, pooled by the Filter.
type scratch struct {
	want    []bool   // per matcher: applies to the service
	pos     [][]span // per matcher: where the prefilter found its literals; last, \u escapes (see plan)
	units   []span   // the text units of the body, in order
	work    []job
	bufs    [2][]byte // a unit's raw content while rules rewrite it
	dec     []byte    // decoded text of a unit
	escs    []esc
	wins    []span
	wins2   []span
	locs    []int // secret ranges found in a unit, as start, end pairs
	locs2   []int
	hitsRel []span
	edits   []edit
	segs    []seg    // the new content of the changed units
	unitSeg [2][]seg // a unit's content while rules change it
	outSegs []seg    // the output, for pieces
	arena   []byte   // for the test oracle: new raw content of changed units
	changed []changed
	occ     []span // literal occurrences in a text, for find
	occLens []int  // per matcher: a length of changedText.textOcc
	parts   [][]byte
	rd      decReader // for anchoredViaHits
	changedText
}

// getScratch returns scratch space for a body of n bytes: for a large body,
// one that grew on an earlier large body if there is one.
func (f *Filter) getScratch(n int) *scratch {
	if n >= largeBody {
		if sc := f.large.get(); sc != nil {
			return sc
		}
	}
	if sc, ok := f.pool.Get().(*scratch); ok {
		return sc
	}
	return new(scratch)
}

// keepBytes is how many bytes of buffers a pooled scratch keeps for the
// next call.
const keepBytes = 4 << 20

func (f *Filter) putScratch(sc *scratch) {
	if cap(sc.dec) > keepBytes || cap(sc.arena) > keepBytes || cap(sc.bufs[0])+cap(sc.bufs[1]) > keepBytes {
		bufpool.Put(sc.bufs[0])
		bufpool.Put(sc.bufs[1])
		sc.dec, sc.arena, sc.bufs = nil, nil, [2][]byte{}
	}
	clear(sc.edits) // drop references to previews
	clear(sc.segs)  // and replacements
	clear(sc.unitSeg[0])
	clear(sc.unitSeg[1])
	sc.changed, sc.segs = sc.changed[:0], sc.segs[:0]
	sc.arena = sc.arena[:0]
	sc.rd.raw, sc.rd.pend = nil, nil // the body, which a kept scratch must not hold
	if sc.large() && f.large.put(sc) {
		return
	}
	f.pool.Put(sc)
}

// reset readies sc for a filter of n matchers: want and pos have a slot
// per matcher and one more, for the prefilter's escapes.
func (sc *scratch) reset(n int) (want []bool, pos [][]span) {
	if len(sc.want) != n+1 {
		sc.want, sc.pos = make([]bool, n+1), make([][]span, n+1)
	}
	for i := range sc.pos {
		sc.pos[i] = sc.pos[i][:0]
	}
	return sc.want, sc.pos
}

// edit replaces the raw bytes [start, end) of a unit.
type edit struct {
	start, end int
	repl       []byte
	preview    string
	newStart   int // where repl lands in the rewritten unit
}

// unit runs on one unit the matchers of jobs (sorted), and after the first
// change also every later matcher that now finds its literal there.
func (f *Filter) unit(body []byte, isJSON bool, jobs []job, sc *scratch, rep *Report) {
	u := &sc.units[jobs[0].unit]
	if u.kind == unitOpaque {
		return
	}
	raw := body[u.start:u.end]
	var text []byte // the decoded unit, once it changed
	var escs []esc
	dirty, buf := false, 0
	s0 := len(rep.Spans)
	var segs []seg // the content as segments, once it changed
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
		} else if !sc.want[i] {
			continue
		}
		var occ []span
		if dirty {
			var known bool
			occ, known = f.occurrences(i, text, sc)
			if !listed && !m.mayMatchAt(text, occ, known) {
				continue
			}
			if !known && m.needsOcc(text) {
				occ = m.occurrences(text, sc)
			}
		}
		edits := sc.edits[:0]
		switch {
		case dirty:
			v := view{text: text, escs: escs}
			edits = m.editsIn(&v, m.findAt(text, occ, sc, sc.locs[:0]), isJSON, edits)
		case !m.prefiltered() || job.whole():
			v := sc.window(raw, isJSON, 0, len(raw))
			edits = m.editsIn(&v, m.find(v.text, sc, sc.locs[:0]), isJSON, edits)
		default:
			rel := sc.hitsRel[:0]
			for _, h := range sc.pos[i][job.lo:job.hi] {
				if u.start <= h.start && h.end <= u.end {
					rel = append(rel, span{start: h.start - u.start, end: h.end - u.start})
				}
			}
			sc.hitsRel = rel
			edits = m.viaHits(raw, isJSON, rel, sc, edits)
		}
		sc.edits = edits
		if len(edits) == 0 {
			continue
		}
		next := sc.rewrite(raw, edits, buf)
		sc.bufs[buf], buf = next, 1-buf
		if !dirty {
			segs = append(sc.unitSeg[0][:0], seg{lo: u.start, hi: u.end})
		}
		segs, sc.unitSeg[1] = splice(sc.unitSeg[1][:0], segs, edits), segs
		sc.unitSeg[0] = segs
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
		f.edited(i, *u, dirty, raw, next, edits, sc)
		raw, dirty = next, true
		if sc.textFresh && sc.textRaw {
			// edited found no escape in the unit nor in the
			// replacement: the text is the raw content.
			text, escs = raw, nil
			continue
		}
		v := sc.window(raw, isJSON, 0, len(raw))
		text, escs = v.text, v.escs
	}
	if !dirty {
		return
	}
	slices.SortStableFunc(rep.Spans[s0:], func(a, b Span) int { return a.Start - b.Start })
	g0 := len(sc.segs)
	sc.segs = append(sc.segs, segs...)
	sc.changed = append(sc.changed, changed{unit: jobs[0].unit, s0: s0, s1: len(rep.Spans), g0: g0, g1: len(sc.segs)})
}

// mayMatch reports whether m's literals occur in text (always true for a
// matcher without literals, when text is long enough).
func (m *matcher) mayMatch(text []byte) bool {
	if m.plain == nil {
		return len(text) >= m.minLen
	}
	for _, n := range m.plain {
		if s, _ := n.find(text, 0); s >= 0 {
			return true
		}
	}
	return false
}

// rewrite returns raw with edits applied, in sc.bufs[buf] when it fits, and
// sets the edits' newStart. A new buffer is allocated by bytes.Join, which
// does not zero what it then fills (for a body of megabytes, the zeroing
// costs as much as the copy), or past keepBytes taken from package bufpool:
// a string of megabytes that a rule changed (clpbench's scenario 5 body)
// made the daemon fault in and garbage-collect a new buffer every request.
// copyChunk is the most rewrite copies in one memmove.
const copyChunk = 256 << 10

func (sc *scratch) rewrite(raw []byte, edits []edit, buf int) []byte {
	parts := sc.parts[:0]
	prev, off := 0, 0
	for j := range edits {
		e := &edits[j]
		parts = append(parts, raw[prev:e.start], e.repl)
		off += e.start - prev
		e.newStart = off
		off += len(e.repl)
		prev = e.end
	}
	parts = append(parts, raw[prev:])
	next := sc.bufs[buf][:0]
	switch n := off + len(raw) - prev; {
	case cap(next) >= n:
	case n > keepBytes:
		bufpool.Put(next) // its slot gets the new buffer
		if b, ok := bufpool.Get(n); ok {
			next = b[:0]
		} else {
			next = make([]byte, 0, n)
		}
	default:
		next = bytes.Join(parts, nil)
		clear(parts)
		sc.parts = parts[:0]
		return next
	}
	for _, p := range parts {
		// In slices of copyChunk: a memmove cannot be preempted, and the
		// garbage collector would spin signalling a goroutine that copies
		// megabytes in one go.
		for len(p) > copyChunk {
			next = append(next, p[:copyChunk]...)
			p = p[copyChunk:]
		}
		next = append(next, p...)
	}
	clear(parts)
	sc.parts = parts[:0]
	return next
}

// newOffset maps offset p of a unit before edits to the unit after. An
// offset inside a replaced range moves to the replacement's start, or its
// end when end is true.
func newOffset(edits []edit, p int, end bool) int {
	k := sort.Search(len(edits), func(k int) bool { return edits[k].end > p })
	if k < len(edits) && edits[k].start < p {
		if end {
			return edits[k].newStart + len(edits[k].repl)
		}
		return edits[k].newStart
	}
	if k == 0 {
		return p
	}
	e := edits[k-1]
	return p + e.newStart + len(e.repl) - e.end
}

// preview describes a replaced text without giving it away: up to a quarter
// of its characters (at most four), then its length.
func preview(secret []byte) string {
	n := utf8.RuneCount(secret)
	var b strings.Builder
	for i, shown := 0, 0; shown < min(4, n/4); shown++ {
		r, size := utf8.DecodeRune(secret[i:])
		i += size
		if r < 0x20 || r == 0x7f {
			r = '·'
		}
		b.WriteRune(r)
	}
	b.WriteString("…(")
	b.WriteString(strconv.Itoa(n))
	b.WriteString(" chars)")
	return b.String()
}
