package redact

// This file keeps the new content of a changed unit as segments, runs of
// the body and of replacement texts, so that the output can be handed out
// as pieces (ApplyPieces) without copying what the rules left unchanged.
// Every rule that changes the unit splices its edits into the segments.

// seg is a run of a unit's new content: body[lo:hi] when repl is nil, else
// repl[lo:hi] (a replacement text, owned by the Filter).
type seg struct {
	repl   []byte
	lo, hi int
}

// appendSeg appends s to segs, merged into the last segment when it
// continues it, and leaves out an empty s.
func appendSeg(segs []seg, s seg) []seg {
	if s.hi == s.lo {
		return segs
	}
	if n := len(segs); n > 0 {
		if last := &segs[n-1]; s.repl == nil && last.repl == nil && last.hi == s.lo {
			last.hi = s.hi
			return segs
		}
	}
	return append(segs, s)
}

// splice appends to out the segments of the content segs once edits
// (sorted, in offsets of that content) are applied.
func splice(out, segs []seg, edits []edit) []seg {
	c := segCursor{segs: segs}
	prev := 0
	for _, e := range edits {
		out = c.take(out, prev, e.start)
		out = appendSeg(out, seg{repl: e.repl, lo: 0, hi: len(e.repl)})
		prev = e.end
	}
	return c.take(out, prev, c.total())
}

// segCursor reads a content made of segments by ranges in increasing order.
type segCursor struct {
	segs []seg
	i    int // the segment that holds the next range's start
	off  int // the content offset where segs[i] starts
}

func (c *segCursor) total() int {
	n := 0
	for _, s := range c.segs {
		n += s.hi - s.lo
	}
	return n
}

// take appends to out the segments of the content range [from, to), which
// must not start before the previous range's end.
func (c *segCursor) take(out []seg, from, to int) []seg {
	for from < to {
		for c.off+c.segs[c.i].hi-c.segs[c.i].lo <= from {
			c.off += c.segs[c.i].hi - c.segs[c.i].lo
			c.i++
		}
		s := c.segs[c.i]
		lo := s.lo + from - c.off
		hi := s.lo + min(to-c.off, s.hi-s.lo)
		out = appendSeg(out, seg{repl: s.repl, lo: lo, hi: hi})
		from += hi - lo
	}
	return out
}

// pieces appends to dst the output as pieces: the runs of body and the
// replacement texts that make it, none empty. It moves the changed units'
// spans to output offsets.
func (sc *scratch) pieces(body []byte, rep *Report, dst [][]byte) [][]byte {
	dst, _ = sc.piecesOf(body, 0, len(body), 0, rep, dst)
	return dst
}

// piecesOf is pieces for the output of body[from:to], where the changed
// units sc.changed lie, and delta is the output's offset of body[from]
// less from. It returns that of body[to].
func (sc *scratch) piecesOf(body []byte, from, to, delta int, rep *Report, dst [][]byte) ([][]byte, int) {
	out := sc.outSegs[:0]
	prev := from // the end of the last changed unit
	for i := range sc.changed {
		c := &sc.changed[i]
		u := sc.units[c.unit]
		for j := c.s0; j < c.s1; j++ {
			rep.Spans[j].Start += u.start + delta
			rep.Spans[j].End += u.start + delta
		}
		out = appendSeg(out, seg{lo: prev, hi: u.start})
		n := 0
		for _, s := range sc.segs[c.g0:c.g1] {
			out = appendSeg(out, s)
			n += s.hi - s.lo
		}
		delta += n - (u.end - u.start)
		prev = u.end
	}
	out = appendSeg(out, seg{lo: prev, hi: to})
	for _, s := range out {
		if s.repl == nil {
			dst = append(dst, body[s.lo:s.hi])
		} else {
			dst = append(dst, s.repl[s.lo:s.hi])
		}
	}
	clear(out) // drop references to replacements
	sc.outSegs = out[:0]
	return dst, delta
}

// appendPiece appends p to dst unless it is empty.
func appendPiece(dst [][]byte, p []byte) [][]byte {
	if len(p) == 0 {
		return dst
	}
	return append(dst, p)
}
