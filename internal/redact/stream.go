package redact

import (
	"maps"
	"slices"
)

// Stream filters one body that arrives in parts, so that the output for
// its start can be sent on while the rest is still arriving: each call to
// Next passes a longer prefix of the body and gets the output as far as it
// is final. The output is exactly Apply's (as pieces, as ApplyPieces
// gives them), and each part of the body is scanned once: a string's
// content is filtered when its closing quote arrives, as Apply would
// filter it. A Stream is not safe for concurrent use.
type Stream struct {
	f       *Filter
	service string
	sc      *scratch // taken at the first call to Next
	scan    scanner
	stack   []byte // the open containers, in stackBuf while it fits
	from    []int  // per single probe of the prefilter: see prefilter.scanFrom
	prev    int    // the end of the body whose output was handed out
	delta   int    // the length of the output handed out, less prev
	rep     Report
	pass    bool // no matcher applies: the body is its own output
	over    bool // the final call was made, or the body is not JSON
	// stackBuf holds the scanner's stack up to 64 levels of nesting.
	stackBuf [64]byte
}

// NewStream starts filtering a body for service, as Apply(service, body)
// would. A nil Filter, or one of which no matcher applies to service,
// hands the body on unchanged as it arrives, JSON or not.
func (f *Filter) NewStream(service string) *Stream {
	s := &Stream{f: f, service: service, pass: true}
	if f != nil {
		for _, m := range f.matchers {
			if m.appliesTo(service) {
				s.pass = false
				break
			}
		}
	}
	if !s.pass {
		s.stack = s.stackBuf[:0]
		s.from = make([]int, len(f.pre.single))
	}
	return s
}

// Next is called with body = the first len(body) bytes of the whole body;
// every call passes the same bytes again plus more (a longer prefix of the
// same buffer, or the same), with final set on the last call, when body is
// the whole body. It appends to dst, as pieces (subslices of body and the
// Filter's replacement texts, none empty, none to be modified, as
// ApplyPieces hands them out), the output for body[prev:n], where prev is
// the previous call's n (0 at first) and n is as far as the output is now
// known: everything before the token (string, number, literal, or an
// opening bracket) that the end of body may cut. With final, n == len(body).
//
// ok is false when the body turns out not to be one JSON value, which Apply
// would filter as raw text: the caller then discards all it had from the
// Stream and filters the whole body with ApplyPieces. After that, or after
// the final call, Next must not be called again (it returns ok false).
func (s *Stream) Next(body []byte, final bool, dst [][]byte) (pieces [][]byte, n int, ok bool) {
	if s.over {
		return dst, s.prev, false
	}
	if len(body) < s.prev {
		panic("redact: Stream.Next with a shorter body than before")
	}
	if s.pass {
		dst = appendPiece(dst, body[s.prev:])
		s.prev, s.over = len(body), final
		return dst, len(body), true
	}
	if s.sc == nil {
		s.sc = s.f.getScratch(len(body))
	}
	sc := s.sc
	units, stack, st := s.scan.scan(body, sc.units[:0], s.stack, final)
	sc.units, s.stack = units, stack
	if st == scanFail {
		s.over = true
		s.release()
		return dst, s.prev, false
	}
	n = s.scan.i
	if len(units) > 0 {
		s.f.filter(s.service, body[:n], true, s.from, sc, &s.rep)
	}
	dst, s.delta = sc.piecesOf(body, s.prev, n, s.delta, &s.rep, dst)
	sc.changed, sc.segs = sc.changed[:0], sc.segs[:0]
	s.prev = n
	if final {
		s.over = true
		s.release()
	}
	return dst, n, true
}

// Report returns the replacements made so far, as Apply reports them; the
// spans are offsets into the concatenation of all the pieces handed out.
// After the final call it is Apply's Report. It shares nothing with the
// Stream.
func (s *Stream) Report() Report {
	rep := Report{Spans: slices.Clone(s.rep.Spans)}
	if s.rep.Counts != nil {
		rep.Counts = maps.Clone(s.rep.Counts)
	}
	return rep
}

// Close releases the Stream's scratch space; the pieces handed out stay
// valid (they share only body and the Filter's replacement texts), and so
// does Report. The final call to Next, or one that returned ok false,
// closes the Stream too. Closing again does nothing.
func (s *Stream) Close() {
	s.over = true
	s.release()
}

func (s *Stream) release() {
	if s.sc != nil {
		s.f.putScratch(s.sc)
		s.sc = nil
	}
}
