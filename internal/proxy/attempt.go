package proxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/protocol"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/route"
	"github.com/clp-proxy/clp/internal/sse"
)

// peekLimit bounds how much of a stream is held back to look at its first
// event before committing to a config.
const peekLimit = 64 << 10

// attempt sends the request to up. ok means the response is to be streamed
// to the client. Otherwise the attempt failed in a way worth failing over
// from (only judged so when more is true); resp, when not nil, is kept open
// so it can still be the last answer the client gets.
func (ex *exchange) attempt(up *config.Upstream, more bool) (resp *http.Response, ok bool) {
	h, st := ex.h, ex.st
	t0 := h.now()
	a := api.Attempt{Config: up.Name}
	ex.rec.Config = up.Name
	model := ex.rec.ModelRequested
	if p := ex.pipelined(up, model); p != nil {
		ex.rec.ModelSent = p.model
		ex.piping = p
		return ex.send(up, more, t0, a, p.reader(), p.n, func() (io.ReadCloser, error) { return p.reader(), nil })
	}
	if ex.settle() != nil {
		return nil, false
	}
	if ex.redacted == nil {
		ex.redact()
	}
	var edit route.Edit
	edited := false
	if st.Router != nil && model != "" {
		if m := st.Router.ModelFor(h.Service, up.Name, model); m != model {
			edit, edited = ex.modelEdit(m)
			model = m
		}
	}
	ex.rec.ModelSent = model
	ex.rec.Redactions, ex.rec.RedactionSpans = ex.counts, ex.spans
	var body *outBody
	switch {
	case !edited:
		body = newOutBody(ex.redacted, edit, false)
	case st.Filter != nil && ex.filterChanges(edit.Value):
		// A rule rewrites the routed model name itself: filter the routed
		// body as a whole, so the filter still sees what is sent.
		routed, _ := route.SetModel(ex.body, model)
		filtered, rep := st.Filter.Apply(h.Service, routed)
		ex.rec.Redactions, ex.rec.RedactionSpans = rep.Counts, spansOf(rep)
		body = newOutBody([][]byte{filtered}, route.Edit{}, false)
	default:
		ex.rec.RedactionSpans = shiftSpans(ex.spans, edit)
		body = newOutBody(ex.redacted, edit, true)
	}
	ex.sent = body
	var rd io.ReadCloser = http.NoBody
	if body.n > 0 {
		rd = ex.reader(body)
	}
	var getBody func() (io.ReadCloser, error)
	if body.n > 0 {
		getBody = func() (io.ReadCloser, error) { return ex.reader(body), nil }
	}
	return ex.send(up, more, t0, a, rd, int64(body.n), getBody)
}

// send makes the request of an attempt with its body and handles the
// answer (see attempt).
func (ex *exchange) send(up *config.Upstream, more bool, t0 time.Time, a api.Attempt, rd io.ReadCloser, n int64, getBody func() (io.ReadCloser, error)) (resp *http.Response, ok bool) {
	h := ex.h
	u := protocol.JoinURL(up.URL, ex.r.URL.Path, ex.r.URL.RawQuery)
	req, err := http.NewRequestWithContext(ex.r.Context(), ex.r.Method, u.String(), rd)
	if err != nil {
		rd.Close()
		return ex.failed(up, a, t0, nil, err.Error(), 0), false
	}
	req.ContentLength = n
	req.GetBody = getBody
	req.Header = outboundHeader(ex.r.Header)
	h.Protocol.SetCredential(req.Header, up.AuthToken, up.APIKey)
	ex.rec.RequestHeaders = maskedHeader(req.Header)
	resp, err = h.Transport.RoundTrip(req)
	if p := ex.piping; p != nil {
		ex.piping = nil
		if redo, ok := ex.endPipelined(p); !ok || redo {
			if resp != nil {
				resp.Body.Close()
			}
			if !ok {
				return nil, false
			}
			return ex.attempt(up, more)
		}
	}
	if err != nil {
		return ex.failed(up, a, t0, nil, describeDialError(err), 0), false
	}
	a.Status = resp.StatusCode
	if resp.StatusCode == http.StatusBadRequest && !ex.repaired {
		if fixed, ok := ex.repair(resp); ok {
			resp.Body.Close()
			ex.repaired = true
			a.DurationMS = ms(h.now().Sub(t0))
			a.Error = "rejected thinking blocks signed by another upstream; retried without them"
			ex.rec.Attempts = append(ex.rec.Attempts, a)
			ex.body, ex.redacted = fixed, nil
			return ex.attempt(up, more)
		}
	}
	if retryable(resp.StatusCode) {
		reason := resp.Status
		return ex.failed(up, a, t0, resp, reason, retryAfter(resp.Header, h.now())), !more
	}
	if more && isSSE(resp.Header) && resp.Header.Get("Content-Encoding") == "" {
		if name, data, err := peekFirstEvent(resp); err != nil {
			resp.Body.Close()
			return ex.failed(up, a, t0, nil, "stream broke before its first event: "+err.Error(), 0), false
		} else if h.Protocol.IsErrorEvent(name, data) {
			return ex.failed(up, a, t0, resp, "stream began with an error event: "+clip(data, 200), 0), false
		}
	}
	a.DurationMS = ms(h.now().Sub(t0))
	ex.rec.Attempts = append(ex.rec.Attempts, a)
	ex.report(up, balance.Outcome{OK: true})
	return resp, true
}

// redact runs the filter on the body once for all attempts, before the
// routed model is put in (which moves the spans, see shiftSpans), so a
// failover does not filter a body of many megabytes again. The result is
// what filtering the routed body gives, because the filter works on each
// JSON string on its own: only the model's own value could differ, and
// attempt checks that one (filterChanges).
func (ex *exchange) redact() {
	ex.pieces[0] = ex.body
	ex.redacted, ex.counts, ex.spans = ex.pieces[:1], nil, nil
	if ex.st.Filter == nil {
		return
	}
	pieces, rep := ex.st.Filter.ApplyPieces(ex.h.Service, ex.body, ex.pieces[:0])
	if len(pieces) > 0 { // none for an empty body
		ex.redacted = pieces
	}
	ex.counts, ex.spans = rep.Counts, spansOf(rep)
	ex.rec.Redactions, ex.rec.RedactionSpans = ex.counts, ex.spans
}

// reader returns a new reader of body for the transport. Over a pooled
// buffer it holds a reference until the transport closes it.
func (ex *exchange) reader(body *outBody) io.ReadCloser {
	if ex.buf != nil {
		return newPooledReader(body.reader(), ex.buf)
	}
	return io.NopCloser(body.reader())
}

// modelEdit finds where the routed model goes in the redacted body. The
// model comes first in clients' bodies, so it is looked for in the first
// piece (a first member found in a prefix of the body is the body's first
// member too); only when it is not there are the pieces joined.
func (ex *exchange) modelEdit(model string) (route.Edit, bool) {
	if e, ok := route.ModelEdit(ex.redacted[0], model); ok || len(ex.redacted) == 1 {
		return e, ok
	}
	ex.redacted = [][]byte{bytes.Join(ex.redacted, nil)}
	return route.ModelEdit(ex.redacted[0], model)
}

// filterChanges reports whether the filter changes value, a JSON string.
func (ex *exchange) filterChanges(value []byte) bool {
	out, _ := ex.st.Filter.Apply(ex.h.Service, value)
	return !bytes.Equal(out, value)
}

func spansOf(rep redact.Report) []api.RedactionSpan {
	var out []api.RedactionSpan
	for _, sp := range rep.Spans {
		out = append(out, api.RedactionSpan{Rule: sp.Rule, Start: sp.Start, End: sp.End, Preview: sp.Preview})
	}
	return out
}

// failed records a failed attempt, counts it against up's health and
// returns resp (to keep as the last answer) or nil.
func (ex *exchange) failed(up *config.Upstream, a api.Attempt, t0 time.Time, resp *http.Response, reason string, retry time.Duration) *http.Response {
	a.DurationMS = ms(ex.h.now().Sub(t0))
	a.Error = reason
	ex.rec.Attempts = append(ex.rec.Attempts, a)
	ex.report(up, balance.Outcome{Reason: reason, RetryAfter: retry})
	return resp
}

func (ex *exchange) report(up *config.Upstream, o balance.Outcome) {
	if ex.h.Pool != nil {
		ex.h.Pool.Report(up.Name, ex.session, o)
	}
}

// retryAfter reads a Retry-After header (seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

var errNoEvent = errors.New("no complete event")

// peekFirstEvent reads the stream up to the end of its first event and puts
// the bytes back in front of resp.Body, so nothing is lost or reordered.
func peekFirstEvent(resp *http.Response) (name, data []byte, err error) {
	var buf []byte
	var p sse.Parser
	found := false
	chunk := make([]byte, 4096)
	for !found && len(buf) < peekLimit {
		n, rerr := resp.Body.Read(chunk)
		if n > 0 {
			buf = append(buf, chunk[:n]...)
			p.Feed(chunk[:n], func(ev, d []byte) {
				if !found {
					found = true
					name, data = append([]byte(nil), ev...), append([]byte(nil), d...)
				}
			})
		}
		if rerr != nil {
			if !found && rerr != io.EOF {
				return nil, nil, rerr
			}
			break
		}
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(buf), resp.Body), resp.Body}
	if !found {
		return nil, nil, nil
	}
	return name, data, nil
}

func clip(b []byte, n int) string {
	if len(b) > n {
		return fmt.Sprintf("%s…", b[:n])
	}
	return string(b)
}

// repair reads the start of an error answer and asks the protocol whether a
// changed body would fix the request. The bytes read are put back.
func (ex *exchange) repair(resp *http.Response) ([]byte, bool) {
	head, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	if err != nil || resp.Header.Get("Content-Encoding") != "" {
		return nil, false
	}
	return ex.h.Protocol.Repair(resp.StatusCode, head, ex.body)
}
