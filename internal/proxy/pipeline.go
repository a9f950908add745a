package proxy

import (
	"bytes"
	"io"

	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/route"
)

// This file ties an upload (upload.go) into the exchange: the first
// attempt sends the body as it arrives; anything else (a later attempt,
// the repair, the record) waits for the whole body, settle.

// startUpload starts reading a body of Content-Length bytes (at least
// pipeMin, at most the limit) as an upload; ex.body is its head.
func (ex *exchange) startUpload() error {
	buf, bb := bodyRoom(ex.r.ContentLength)
	// A nil filter streams too: it hands the body on as it arrives.
	u, err := startUpload(ex.r.Body, buf, ex.st.Filter.NewStream(ex.h.Service))
	if err != nil {
		if bb != nil {
			bb.release()
		}
		return err
	}
	ex.up, ex.buf = u, bb
	ex.body = buf[:u.head]
	if u.finished() {
		return ex.settle()
	}
	return nil
}

// settle waits for the upload, if any, to end, and takes its results:
// the whole body and, when the filter could stream it, the filtered body.
// It returns (and records) the error of reading the body.
func (ex *exchange) settle() error {
	u := ex.up
	if u == nil {
		return ex.bodyErr
	}
	ex.up = nil
	u.wait()
	ex.body = u.buf[:u.read]
	if u.fault != "" {
		ex.h.Log.Error("the request filter failed on a body as it arrived; filtering it whole", "service", ex.h.Service, "panic", u.fault)
	}
	if u.err != nil {
		ex.bodyFailed(u.err)
		return u.err
	}
	ex.redacted = nil // ex.redact makes it
	if u.whole && !u.gaveUp {
		ex.redacted = u.parts
		ex.counts, ex.spans = u.rep.Counts, spansOf(u.rep)
		ex.rec.Redactions, ex.rec.RedactionSpans = ex.counts, ex.spans
	}
	return nil
}

// bodyFailed records that the client's body could not be read.
func (ex *exchange) bodyFailed(err error) {
	ex.bodyErr = err
	ex.rec.Error = "read request body: " + err.Error()
	if !ex.wrote {
		ex.rec.Status = 499
	}
}

// piping is a pipelined attempt: the Content-Length it promises, the
// routed model and its edit of the first part.
type piping struct {
	u      *upload
	bb     *bodyBuf
	n      int64
	model  string
	edit   route.Edit
	edited bool
}

// pipelined returns the pipelined attempt at up, or nil when the attempt
// must wait for the whole body: the upload ended already, nothing is
// filtered yet, the model is not in the first part, or a filter rule
// would change the routed model's name.
func (ex *exchange) pipelined(up *config.Upstream, model string) *piping {
	u := ex.up
	if u == nil || u.finished() {
		return nil
	}
	p0 := u.firstPart()
	if p0 == nil {
		return nil
	}
	p := &piping{u: u, bb: ex.buf, n: ex.r.ContentLength, model: model}
	st := ex.st
	if st.Router != nil && model != "" {
		if m := st.Router.ModelFor(ex.h.Service, up.Name, model); m != model {
			if p.edit, p.edited = route.ModelEdit(p0, m); !p.edited {
				return nil
			}
			if st.Filter != nil && ex.filterChanges(p.edit.Value) {
				return nil
			}
			p.model = m
			p.n += int64(p.edit.Delta())
		}
	}
	return p
}

// reader returns a new reader of the pipelined body; over a pooled buffer
// it holds a reference until closed.
func (p *piping) reader() io.ReadCloser {
	r := newUploadReader(p.u, int(p.n), p.edit, p.edited)
	if p.bb != nil {
		p.bb.retain()
		r.release = p.bb.release
	}
	return r
}

// endPipelined is called once the pipelined attempt's request is over:
// it waits for the whole body and says whether the attempt stands (ok
// false: the body could not be read, which settle recorded) or must be
// made again with the whole body (redo: the filter could not stream it,
// or its replacements made it longer, and the reader failed the
// request before the upstream had all of it).
func (ex *exchange) endPipelined(p *piping) (redo, ok bool) {
	if ex.settle() != nil {
		return false, false
	}
	if ex.redacted == nil {
		return true, true
	}
	b := newOutBody(ex.redacted, p.edit, p.edited)
	if int64(b.n) > p.n {
		return true, true
	}
	if pad := int(p.n) - b.n; pad > 0 {
		b.parts = append(b.parts[:len(b.parts):len(b.parts)], bytes.Repeat([]byte{' '}, pad))
		b.n += pad
	}
	ex.sent = b
	if p.edited {
		ex.rec.RedactionSpans = shiftSpans(ex.spans, p.edit)
	}
	return false, true
}
