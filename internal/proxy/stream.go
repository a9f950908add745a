package proxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/protocol"
)

// stream writes resp to the client: the status, the headers less hop-by-hop
// ones, then the body exactly as received. Compressed bodies pass through
// compressed.
//
// An event stream, and any body whose length the upstream did not announce,
// is flushed after every read, so each SSE event (or a relay's keep-alive
// bytes) reaches the client the moment it arrives; the status and headers
// leave with the first chunk, in the same write. A body with a
// Content-Length (a JSON message, a models list) is a whole document the
// client reads at its end, so it is not flushed per read: it leaves when
// the server's write buffer fills and when the handler returns, which for a
// small answer is one write for headers and body instead of three. This is
// httputil.ReverseProxy's policy with FlushInterval 0. Once its last byte
// was written, though, the body is flushed at once, so the client has the
// whole answer while the proxy still reads usage and makes the record,
// not after. The record's time to first byte is when the first chunk was
// handed to the server.
//
// An event stream's headers, though, do not wait for the first event for
// long: an upstream may send them and then think for minutes, and clients
// time out waiting for headers but not between events. They leave with an
// event that comes within headerWait, in one write and one wake-up of the
// client; otherwise they are flushed then, on their own (see readFirst).
func (ex *exchange) stream(up *config.Upstream, resp *http.Response) {
	defer resp.Body.Close()
	h := ex.h
	ex.rec.Status = resp.StatusCode
	ex.rec.Config = up.Name
	sse := isSSE(resp.Header)
	ex.rec.Stream = ex.rec.Stream || sse
	flushEach := sse || resp.ContentLength < 0
	out := ex.w.Header()
	for k, vs := range resp.Header {
		out[k] = vs
	}
	removeHop(out)
	if sse {
		out.Set("X-Accel-Buffering", "no")
	}
	ex.w.WriteHeader(resp.StatusCode)
	rc := http.NewResponseController(ex.w)
	ex.wrote = true
	defer func() {
		if ex.rec.TTFBMS == 0 {
			ex.rec.TTFBMS = ms(h.now().Sub(ex.start))
		}
		// The log's masked copy is made once the body went out, off the
		// path to the client's first byte; nothing reads it before.
		ex.rec.ResponseHeaders = maskedHeader(out)
	}()

	tap := protocol.NewTap(h.Protocol, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"), ex.st.BodyCap)
	defer ex.closeTap(tap)

	// A stream reads into a small buffer, which an open stream holds
	// for as long as it lasts (a thousand open streams, a thousand
	// buffers); a read that fills it moves the rest of the answer to a
	// large one, as a whole body reads from the start.
	pool := &bufPool
	if flushEach {
		pool = &smallBufPool
	}
	bp := pool.Get().(*[]byte)
	defer func() { pool.Put(bp) }()
	buf := *bp
	var tail [2]byte // the last two bytes sent, to end a broken event cleanly
	var written int64
	first := sse // an event stream's headers have not been flushed yet
	for {
		var n int
		var rerr error
		if first {
			n, rerr = readFirst(resp.Body, buf, func() { rc.Flush() })
			first = n == 0 && rerr == nil
		} else {
			n, rerr = resp.Body.Read(buf)
		}
		if n > 0 {
			if _, werr := ex.w.Write(buf[:n]); werr != nil {
				ex.rec.Error = "client went away"
				return
			}
			written += int64(n)
			if flushEach || written == resp.ContentLength {
				if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
					ex.rec.Error = "client went away"
					return
				}
			}
			if ex.rec.TTFBMS == 0 {
				ex.rec.TTFBMS = ms(h.now().Sub(ex.start))
				if h.Observe != nil {
					h.Observe(EventFirstByte, ex.rec)
				}
			}
			keepTail(&tail, buf[:n])
			tap.Write(buf[:n])
			if n == len(buf) && pool == &smallBufPool {
				pool.Put(bp)
				pool = &bufPool
				bp = pool.Get().(*[]byte)
				buf = *bp
			}
		}
		if rerr == io.EOF {
			return
		}
		if rerr != nil {
			if ex.r.Context().Err() != nil {
				ex.rec.Error = "client went away"
				return
			}
			ex.rec.Error = "upstream broke off the response: " + rerr.Error()
			ex.rec.Incomplete = true
			ex.report(up, balance.Outcome{Reason: "broke off mid-stream: " + rerr.Error()})
			h.Log.Warn("upstream broke off a response", "service", h.Service, "config", up.Name, "err", rerr)
			if sse {
				// End a half-written event first so the client's parser
				// sees our error as an event of its own.
				if !bytes.Equal(tail[:], []byte("\n\n")) {
					ex.w.Write([]byte("\n\n"))
				}
				ex.w.Write(h.Protocol.StreamError("clp: upstream " + up.Name + " broke off the stream: " + rerr.Error()))
				rc.Flush()
				return
			}
			// A JSON body cut short cannot be repaired; abort the
			// connection so the client sees a failure, not a short answer.
			panic(http.ErrAbortHandler)
		}
	}
}

func keepTail(tail *[2]byte, p []byte) {
	if len(p) >= 2 {
		tail[0], tail[1] = p[len(p)-2], p[len(p)-1]
		return
	}
	tail[0], tail[1] = tail[1], p[0]
}

// closeTap moves what the tap learned into the record: usage, cost, the
// model the upstream reported, and the (capped, decoded) response body.
func (ex *exchange) closeTap(tap *protocol.Tap) {
	res := tap.Close()
	rec := ex.rec
	if res.Fault != "" {
		ex.h.Log.Error("the usage tap failed on a response; it went on untouched, its usage is unknown",
			"service", ex.h.Service, "config", rec.Config, "panic", res.Fault)
	}
	rec.Usage = res.Usage
	rec.ResponseBody = res.Body
	rec.ResponseSize = res.Size
	if !res.Done && rec.Status < 400 {
		rec.Incomplete = true
	}
	model := rec.ModelSent
	if res.Model != "" {
		model = res.Model
	}
	if res.Usage != nil && ex.st.Prices != nil {
		if usd, ok := ex.st.Prices.Cost(model, *res.Usage); ok {
			rec.CostUSD = &usd
		}
	}
}

// headerWait is how long an event stream's headers wait for its first
// event before they are flushed on their own.
const headerWait = 10 * time.Millisecond

// readFirst is an event stream's first read into buf. When it takes longer
// than headerWait, flush (the headers) runs meanwhile, from a timer; a read
// that is back sooner, as when the event came with the headers, costs no
// other goroutine's wake-up. The lock keeps flush and the caller's use of
// the ResponseWriter after the read from ever overlapping.
func readFirst(body io.Reader, buf []byte, flush func()) (int, error) {
	var mu sync.Mutex
	read := false
	t := time.AfterFunc(headerWait, func() {
		mu.Lock()
		defer mu.Unlock()
		if !read {
			flush()
		}
	})
	n, err := body.Read(buf)
	t.Stop()
	mu.Lock()
	read = true
	mu.Unlock()
	return n, err
}
