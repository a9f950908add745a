package proxy

import (
	"bytes"
	"io"
	"slices"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/bufpool"
	"github.com/clp-proxy/clp/internal/route"
)

// outBody is the body of one attempt: the redacted body with the routed
// model put in, kept as pieces (the filter's output is pieces of the
// client's body around its replacements, and the model's new value goes
// between two more) so that neither copies a body of many megabytes.
type outBody struct {
	parts [][]byte
	n     int
	one   [1][]byte // parts' storage for a joined body
}

// joinBelow is the size under which an edited body is joined into one
// slice: net/http sends the headers and a body it knows to be in memory (a
// bytes.Reader) in one write, but flushes the headers on their own before
// any other reader, which costs a system call and a packet per request.
// Above it the copy costs more than that flush.
const joinBelow = 64 << 10

// newOutBody is the concatenation of pieces with e applied to pieces[0]
// (ok false: as they are). e must lie within pieces[0].
func newOutBody(pieces [][]byte, e route.Edit, ok bool) *outBody {
	b := &outBody{parts: pieces}
	for _, p := range pieces {
		b.n += len(p)
	}
	if !ok && len(pieces) <= 1 {
		return b
	}
	var p0 []byte
	if ok {
		p0, pieces = pieces[0], pieces[1:]
		b.n += e.Delta()
	}
	if b.n < joinBelow {
		out := make([]byte, 0, b.n)
		if ok {
			out = append(append(append(out, p0[:e.Start]...), e.Value...), p0[e.End:]...)
		}
		for _, p := range pieces {
			out = append(out, p...)
		}
		b.one[0] = out
		b.parts = b.one[:]
		return b
	}
	if ok {
		b.parts = append([][]byte{p0[:e.Start], e.Value, p0[e.End:]}, pieces...)
	}
	return b
}

// reader returns a new reader of the whole body.
func (b *outBody) reader() io.Reader {
	switch len(b.parts) {
	case 0:
		return bytes.NewReader(nil)
	case 1:
		return bytes.NewReader(b.parts[0])
	}
	return &partsReader{parts: slices.Clone(b.parts)}
}

// partsReader reads the pieces of an outBody one after the other. Like
// bytes.Reader it is an io.WriterTo, so the transport writes the pieces
// straight to its buffer instead of copying them through a 32 KB one.
type partsReader struct {
	parts [][]byte
	i     int
}

func (r *partsReader) Read(p []byte) (int, error) {
	for r.i < len(r.parts) && len(r.parts[r.i]) == 0 {
		r.i++
	}
	if r.i == len(r.parts) {
		return 0, io.EOF
	}
	n := copy(p, r.parts[r.i])
	r.parts[r.i] = r.parts[r.i][n:]
	return n, nil
}

func (r *partsReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for ; r.i < len(r.parts); r.i++ {
		n, err := w.Write(r.parts[r.i])
		total += int64(n)
		r.parts[r.i] = r.parts[r.i][n:]
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// prefix returns the first limit bytes of the body (none when limit is
// zero or less, as State.BodyCap says), without copying when they lie in
// one piece unless fresh is set. A copy of bufpool.Min bytes or more is
// made in a pooled buffer (pooled true), for the record's Release to hand
// back: a fresh one per request of hundreds of KB was a tenth of the
// daemon's CPU in clpbench's scenario 1 (its pages faulting in as the
// body was copied).
func (b *outBody) prefix(limit int, fresh bool) (out []byte, pooled bool) {
	if limit <= 0 || b.n == 0 {
		return nil, false
	}
	limit = min(limit, b.n)
	if limit <= len(b.parts[0]) && !fresh {
		return b.parts[0][:limit], false
	}
	if out, pooled = bufpool.Get(limit); pooled {
		out = out[:0]
	} else {
		out = make([]byte, 0, limit)
	}
	for _, p := range b.parts {
		out = append(out, p[:min(len(p), limit-len(out))]...)
	}
	return out, pooled
}

// shiftSpans maps redaction spans found in body to the body with e applied:
// spans after the edit move by the change in length, spans inside the
// replaced value (a rule matched the model name, which routing then
// overwrote) are dropped.
func shiftSpans(spans []api.RedactionSpan, e route.Edit) []api.RedactionSpan {
	delta := e.Delta()
	out := spans[:0:0]
	for _, sp := range spans {
		switch {
		case sp.End <= e.Start:
		case sp.Start >= e.End:
			sp.Start += delta
			sp.End += delta
		default:
			continue
		}
		out = append(out, sp)
	}
	return out
}
