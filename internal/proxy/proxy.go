package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/bufpool"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/cost"
	"github.com/clp-proxy/clp/internal/jsonscan"
	"github.com/clp-proxy/clp/internal/protocol"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/route"
)

// State is what the handler needs from the current configuration. The daemon
// builds a new State on every reload and the handler reads it once per
// request, so a switch applies to the next request and never to one in flight.
type State struct {
	Service *config.Service
	// File is the service's config file, named in placeholder errors.
	File string
	// MaxBody bounds the request body; 0 means 64 MiB.
	MaxBody int64
	// Balance is the service's balancing mode and health thresholds.
	Balance balance.ServiceSettings
	// Router rewrites models and pins them to configs; nil routes nothing.
	Router *route.Config
	// Filter redacts the body before it leaves; nil redacts nothing.
	Filter *redact.Filter
	// Prices turns usage into cost; nil leaves cost unknown.
	Prices *cost.Table
	// BodyCap is how much of the request and of the response the record
	// keeps for the log; zero or less keeps none.
	BodyCap int
}

// Handler proxies one service. Its exported fields must be set before the
// first request and not changed after.
type Handler struct {
	Service   string
	Protocol  protocol.Protocol
	Transport http.RoundTripper
	// Current returns the state to use for a new request.
	Current func() *State
	// Pool tracks the health of the service's configs and orders them.
	Pool *balance.Pool
	// Observe, if set, is told when a request starts and ends (for the
	// live feed). It must not block.
	Observe func(ev Event, rec *api.Record)
	// Record receives one record per finished request. It must not block;
	// nil discards records.
	Record func(*api.Record)
	Log    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	requests atomic.Int64
	errors   atomic.Int64
	inFlight atomic.Int64
}

// Counters is a snapshot of a handler's request counters.
type Counters struct{ Requests, Errors, InFlight int64 }

// Counters returns the handler's counters since start.
func (h *Handler) Counters() Counters {
	return Counters{h.requests.Load(), h.errors.Load(), h.inFlight.Load()}
}

// bufPool holds the buffers a response body is copied through, and
// smallBufPool those an event stream starts with (see stream).
var (
	bufPool      = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
	smallBufPool = sync.Pool{New: func() any { b := make([]byte, 4<<10); return &b }}
)

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// ServeHTTP implements the request path of DESIGN §4.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.requests.Add(1)
	h.inFlight.Add(1)
	defer h.inFlight.Add(-1)
	ex := &exchange{h: h, w: w, r: r, start: h.now(), st: h.Current()}
	ex.rec = &api.Record{Time: ex.start, Service: h.Service, Method: r.Method, Path: r.URL.RequestURI()}
	defer ex.finish()
	ex.serve()
}

// exchange is one client request and everything learned while serving it.
type exchange struct {
	h     *Handler
	w     http.ResponseWriter
	r     *http.Request
	st    *State
	start time.Time
	rec   *api.Record
	body  []byte
	// buf, when not nil, is the pooled buffer under body; the exchange
	// holds one reference until finish.
	buf *bodyBuf
	// wrote is set once any byte went to the client: the request is committed.
	wrote   bool
	session string
	// repaired is set once the body was fixed after an upstream's 400, so
	// the fix is tried only once.
	repaired bool
	// redacted is body after the filter, as pieces whose concatenation is
	// the filtered body, with its replacement counts and spans; nil until
	// the first attempt (and after a repair).
	redacted [][]byte
	pieces   [5][]byte // redacted's storage: a body with up to two replacements
	counts   map[string]int
	spans    []api.RedactionSpan
	// sent is the body of the last attempt: redacted, with the routed model.
	sent *outBody
	// up, while not nil, is the body still arriving (see upload); body is
	// its head until settle.
	up *upload
	// piping is the pipelined attempt under way, if any.
	piping *piping
	// bodyErr is set when reading the client's body failed after the
	// exchange started on its head; the record says so and nothing more
	// is tried.
	bodyErr error
}

func (ex *exchange) serve() {
	h, st := ex.h, ex.st
	limit := st.MaxBody
	if limit <= 0 {
		limit = 64 << 20
	}
	var err error
	if r := ex.r; r.ContentLength >= pipeMin && r.ContentLength <= limit {
		err = ex.startUpload()
	} else {
		ex.body, ex.buf, err = readBody(ex.w, r, limit)
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			ex.fail(http.StatusRequestEntityTooLarge, "", fmt.Sprintf("clp: request body is larger than %d MiB; raise maxBodyMB in data/system.json if this is intended", limit>>20))
			return
		}
		ex.bodyFailed(err)
		return
	}

	// FirstString, not String: clients send "model" first, so this reads a
	// few bytes, not the whole body; route.SetModel replaces the same
	// occurrence (see jsonscan.FirstField for what a duplicate key means).
	ok := false
	ex.rec.ModelRequested, ok = jsonscan.FirstString(ex.body, "model")
	if !ok && ex.up != nil {
		// Not in the head: wait for the whole body.
		if ex.settle() != nil {
			return
		}
		ex.rec.ModelRequested, _ = jsonscan.FirstString(ex.body, "model")
	}
	ex.rec.ModelSent = ex.rec.ModelRequested
	cands := ex.candidates()
	if ex.bodyErr != nil {
		return
	}
	if len(cands) == 0 {
		ex.fail(http.StatusServiceUnavailable, "", placeholderMessage(h.Service, st))
		return
	}
	if h.Observe != nil {
		h.Observe(EventStarted, ex.rec)
	}
	var last *http.Response
	var lastUp *config.Upstream
	for i, up := range cands {
		resp, ok := ex.attempt(up, i < len(cands)-1)
		if ex.bodyErr != nil {
			if resp != nil {
				resp.Body.Close()
			}
			if last != nil {
				last.Body.Close()
			}
			return
		}
		if ok {
			if last != nil {
				last.Body.Close()
			}
			ex.stream(up, resp)
			return
		}
		if resp != nil {
			if last != nil {
				last.Body.Close()
			}
			last, lastUp = resp, up
		}
		if ex.r.Context().Err() != nil {
			ex.rec.Status = 499
			ex.rec.Error = "client went away"
			return
		}
	}
	if last != nil {
		// Every config failed; the client gets the last upstream's answer.
		ex.stream(lastUp, last)
		return
	}
	a := ex.rec.Attempts[len(ex.rec.Attempts)-1]
	if len(ex.rec.Attempts) == 1 {
		ex.fail(http.StatusBadGateway, "", fmt.Sprintf("clp: upstream %q is unreachable: %s", a.Config, a.Error))
		return
	}
	tried := make([]string, len(ex.rec.Attempts))
	for i, a := range ex.rec.Attempts {
		tried[i] = fmt.Sprintf("%s (%s)", a.Config, a.Error)
	}
	ex.fail(http.StatusServiceUnavailable, "overloaded_error", "clp: every config failed: "+strings.Join(tried, "; "))
}

// candidates lists the configs to try, in order: a config the model is
// pinned to first, then the balancing order.
func (ex *exchange) candidates() []*config.Upstream {
	st, svc := ex.st, ex.st.Service
	members := make([]balance.Member, 0, len(svc.Upstreams))
	for i := range svc.Upstreams {
		u := &svc.Upstreams[i]
		if u.Invalid != "" {
			continue
		}
		members = append(members, balance.Member{Name: u.Name, Weight: u.Weight, Active: i == svc.Active, Disabled: u.Disabled})
	}
	var names []string
	if ex.h.Pool != nil {
		if st.Balance.UsesSessions() && len(members) > 1 {
			// The key may sit late in the body (Claude Code's metadata):
			// read it only when it can change the order, and wait for the
			// whole of an upload only when no header gives it.
			ex.session = ex.h.Protocol.SessionKey(ex.r.Header, nil)
			if ex.session == "" && (ex.up == nil || ex.settle() == nil) {
				ex.session = ex.h.Protocol.SessionKey(ex.r.Header, ex.body)
			}
		}
		names = ex.h.Pool.Candidates(members, st.Balance, ex.session, make([]string, 0, len(members)))
	} else if up := svc.ActiveUpstream(); up != nil && up.Usable() {
		names = []string{up.Name}
	}
	if st.Router != nil && ex.rec.ModelRequested != "" {
		if pin, ok := st.Router.Pin(ex.h.Service, ex.rec.ModelRequested); ok {
			if u := svc.Lookup(pin); u != nil && u.Usable() {
				rest := names[:0:0]
				for _, n := range names {
					if n != pin {
						rest = append(rest, n)
					}
				}
				if !st.Balance.Failover {
					rest = nil
				}
				names = append([]string{pin}, rest...)
			}
		}
	}
	out := make([]*config.Upstream, 0, len(names))
	for _, n := range names {
		if u := svc.Lookup(n); u != nil && u.Usable() {
			out = append(out, u)
		}
	}
	return out
}

func placeholderMessage(service string, st *State) string {
	s := st.Service
	if up := s.ActiveUpstream(); up != nil {
		if up.Disabled {
			return fmt.Sprintf("clp: the active %s config %q is disabled; enable it or switch with `clp active %s NAME`", service, up.Name, service)
		}
		return fmt.Sprintf("clp: the active %s config %q in %s is invalid: %s", service, up.Name, st.File, up.Invalid)
	}
	return fmt.Sprintf("clp: no %s config yet: add one with `clp config add %s NAME --base-url URL`, or edit %s", service, service, st.File)
}

// readBody reads the whole request body, bounded by limit. A body of known
// length is read straight into a slice of exactly that size: the server
// never yields more than Content-Length bytes, and a bytes.Buffer would grow
// (and copy the body) on its last read to keep bytes.MinRead bytes free.
// A large one is read into a pooled buffer (see bodyBuf), returned with its
// one reference.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *bodyBuf, error) {
	if r.ContentLength > limit {
		return nil, nil, &http.MaxBytesError{Limit: limit}
	}
	if r.ContentLength > 0 {
		buf, bb := bodyRoom(r.ContentLength)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			if bb != nil {
				bb.release()
			}
			return nil, nil, err
		}
		return buf, bb, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	return body, nil, err
}

// retryable reports whether a status means "try the next config": rate
// limits and server-side failures (529 is Anthropic's "overloaded").
func retryable(code int) bool { return code == 429 || code >= 500 }

func describeDialError(err error) string {
	s := err.Error()
	if errors.Is(err, context.Canceled) {
		return "cancelled: client went away"
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// isStreamRequest reports whether the body asks for a stream; it is only
// recorded: the response's Content-Type is what the stream loop trusts.
// Claude Code sends "stream" last, which LastLiteral reads without walking
// the body; other bodies are scanned up to their first "stream".
func isStreamRequest(body []byte) bool {
	if v, ok := jsonscan.LastLiteral(body, "stream"); ok {
		return string(v) == "true"
	}
	s, e, ok := jsonscan.FirstField(body, "stream")
	return ok && string(body[s:e]) == "true"
}

// fail answers with a protocol-shaped error CLP produced itself, once the
// body is in: a response may end the server's reading of it.
func (ex *exchange) fail(status int, kind, msg string) {
	if ex.settle() != nil {
		return
	}
	ex.rec.Status = status
	ex.rec.Error = msg
	b := ex.h.Protocol.ErrorBody(status, kind, msg)
	hd := ex.w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("X-Clp-Error", "1")
	ex.w.WriteHeader(status)
	ex.w.Write(b)
	ex.wrote = true
	ex.rec.TTFBMS = ms(ex.h.now().Sub(ex.start))
}

func (ex *exchange) finish() {
	if ex.buf != nil {
		defer ex.buf.release() // after the record took its copy
	}
	ex.settle()
	ex.rec.DurationMS = ms(ex.h.now().Sub(ex.start))
	failed := ex.rec.Status >= 400 || ex.rec.Error != ""
	if !ex.rec.Stream && failed {
		// An event stream set it already, and a whole answer that
		// succeeded was no stream, whatever was asked. Of a failure (a
		// 429 to a streaming request, say) the log tells whether the
		// client asked for a stream: read here, after the answer, since
		// finding "stream" may walk the whole body (Codex sends it after
		// its input), and doing so for every answer in JSON would hold
		// the connection's next request back by about a millisecond per
		// megabyte.
		ex.rec.Stream = isStreamRequest(ex.body)
	}
	if failed {
		ex.h.errors.Add(1)
	}
	if ex.h.Observe != nil {
		ex.h.Observe(EventDone, ex.rec)
	}
	if ex.h.Record != nil {
		if ex.sent == nil {
			// No attempt was made; the log still never sees an
			// unredacted body.
			ex.redact()
			ex.sent = newOutBody(ex.redacted, route.Edit{}, false)
		}
		// The log keeps at most BodyCap bytes of it; copy no more, and
		// copy them when they lie in a pooled buffer.
		body, pooled := ex.sent.prefix(ex.st.BodyCap, ex.buf != nil)
		ex.rec.RequestBody = body
		ex.rec.RequestSize = int64(ex.sent.n)
		if pooled {
			ex.rec.Release = func() { bufpool.Put(body) }
		}
		ex.h.Record(ex.rec)
	}
}

// isSSE reports whether a response is an event stream.
func isSSE(h http.Header) bool {
	return strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "text/event-stream")
}
