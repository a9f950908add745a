package proxy

import (
	"bytes"
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
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/protocol"
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
}

// Handler proxies one service. Its exported fields must be set before the
// first request and not changed after.
type Handler struct {
	Service   string
	Protocol  protocol.Protocol
	Transport http.RoundTripper
	// Current returns the state to use for a new request.
	Current func() *State
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

var bufPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

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
	// wrote is set once any byte went to the client: the request is committed.
	wrote bool
}

func (ex *exchange) serve() {
	h, st := ex.h, ex.st
	limit := st.MaxBody
	if limit <= 0 {
		limit = 64 << 20
	}
	body, err := readBody(ex.w, ex.r, limit)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			ex.fail(http.StatusRequestEntityTooLarge, "", fmt.Sprintf("clp: request body is larger than %d MiB; raise maxBodyMB in data/system.json if this is intended", limit>>20))
			return
		}
		ex.rec.Error = "read request body: " + err.Error()
		ex.rec.Status = 499
		return
	}
	ex.body = body
	ex.rec.Stream = isStreamRequest(body)

	cands := candidates(st.Service)
	if len(cands) == 0 {
		ex.fail(http.StatusServiceUnavailable, "", placeholderMessage(h.Service, st))
		return
	}
	var last *http.Response
	for i, up := range cands {
		more := i < len(cands)-1 && false // failover arrives with the balancing modes
		resp, ok := ex.attempt(up, more)
		if ok {
			ex.stream(up, resp)
			return
		}
		if resp != nil {
			last = resp
		}
		if ex.r.Context().Err() != nil {
			ex.rec.Status = 499
			ex.rec.Error = "client went away"
			return
		}
	}
	if last != nil {
		ex.stream(cands[len(cands)-1], last)
		return
	}
	a := ex.rec.Attempts[len(ex.rec.Attempts)-1]
	ex.fail(http.StatusBadGateway, "", fmt.Sprintf("clp: upstream %q is unreachable: %s", a.Config, a.Error))
}

// candidates lists the configs to try, in order.
func candidates(s *config.Service) []*config.Upstream {
	if up := s.ActiveUpstream(); up != nil && up.Usable() {
		return []*config.Upstream{up}
	}
	return nil
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

// readBody reads the whole request body, bounded by limit.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	rd := http.MaxBytesReader(w, r.Body, limit)
	if r.ContentLength > 0 {
		buf := bytes.NewBuffer(make([]byte, 0, r.ContentLength+1))
		_, err := buf.ReadFrom(rd)
		return buf.Bytes(), err
	}
	return io.ReadAll(rd)
}

// attempt sends the request to up. ok means the response is to be streamed
// to the client; otherwise resp (possibly nil) is a failure worth failing
// over from when more is true. A response returned with ok false is kept
// open so that it can still be returned as the last answer.
func (ex *exchange) attempt(up *config.Upstream, more bool) (resp *http.Response, ok bool) {
	h := ex.h
	t0 := h.now()
	a := api.Attempt{Config: up.Name}
	ex.rec.Config = up.Name
	u := protocol.JoinURL(up.URL, ex.r.URL.Path, ex.r.URL.RawQuery)
	req, err := http.NewRequestWithContext(ex.r.Context(), ex.r.Method, u.String(), bytes.NewReader(ex.body))
	if err != nil {
		a.Error = err.Error()
		ex.rec.Attempts = append(ex.rec.Attempts, a)
		return nil, false
	}
	body := ex.body
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if len(body) == 0 && ex.r.Method == http.MethodGet {
		req.Body, req.GetBody = http.NoBody, nil
	}
	req.Header = outboundHeader(ex.r.Header)
	h.Protocol.SetCredential(req.Header, up.AuthToken, up.APIKey)
	if ex.rec.RequestHeaders == nil {
		ex.rec.RequestHeaders = maskedHeader(req.Header)
	}
	resp, err = h.Transport.RoundTrip(req)
	a.DurationMS = ms(h.now().Sub(t0))
	if err != nil {
		a.Error = describeDialError(err)
		ex.rec.Attempts = append(ex.rec.Attempts, a)
		return nil, false
	}
	a.Status = resp.StatusCode
	if more && retryable(resp.StatusCode) {
		a.Error = resp.Status
		ex.rec.Attempts = append(ex.rec.Attempts, a)
		return resp, false
	}
	ex.rec.Attempts = append(ex.rec.Attempts, a)
	return resp, true
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

func isStreamRequest(body []byte) bool {
	// A cheap look for "stream": true without decoding the body; the
	// response's Content-Type is what the stream loop actually trusts.
	i := bytes.Index(body, []byte(`"stream"`))
	if i < 0 {
		return false
	}
	rest := bytes.TrimLeft(body[i+len(`"stream"`):], " \t\r\n:")
	return bytes.HasPrefix(rest, []byte("true"))
}

// fail answers with a protocol-shaped error CLP produced itself.
func (ex *exchange) fail(status int, kind, msg string) {
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
	ex.rec.DurationMS = ms(ex.h.now().Sub(ex.start))
	if ex.rec.Status >= 400 || ex.rec.Error != "" {
		ex.h.errors.Add(1)
	}
	if ex.h.Record != nil {
		ex.rec.RequestBody = ex.body
		ex.h.Record(ex.rec)
	}
}

// isSSE reports whether a response is an event stream.
func isSSE(h http.Header) bool {
	return strings.HasPrefix(strings.ToLower(h.Get("Content-Type")), "text/event-stream")
}
