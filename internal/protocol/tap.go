package protocol

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/sse"
)

// Limits of a Tap. They bound the memory and work one response can cost the
// proxy; a response past one of them gets unknown usage, never a wrong one.
const (
	// MaxJSONBody is the largest non-streaming body a Tap buffers to read
	// its usage.
	MaxJSONBody = 16 << 20
	// MaxQueued is how many compressed bytes may wait for the decoder; past
	// it the Tap gives up rather than hold back the proxy.
	MaxQueued = 4 << 20
	// MaxDecoded is how many bytes a Tap decompresses for one response.
	MaxDecoded = 256 << 20

	decodeBufSize = 32 << 10
)

// TapResult is what a Tap learned about one response.
type TapResult struct {
	// Usage is nil when unknown: no usage was seen, the encoding is not
	// supported, or the Tap gave up (see the limits).
	Usage *api.Usage
	// Done reports that the response's final event, or a whole JSON body,
	// was seen. A stream cut short keeps the usage counted so far and is not
	// done.
	Done bool
	// Model is the model the upstream reported, if any.
	Model string
	// Body is the decoded response (for a stream, its raw event text), at
	// most bodyCap bytes.
	Body []byte
	// Truncated reports that Body is not the whole decoded response.
	Truncated bool
	// Size is the length of the decoded response, as far as it was read
	// (0 when its encoding is not supported).
	Size int64
	// Events is the number of SSE events seen.
	Events int
	// Fault is the panic (value and stack) that a parser, extractor or
	// OnEvent hook met, if one did: the Tap stopped watching there, with
	// usage unknown, and the response went on untouched.
	Fault string
}

// Tap watches one upstream response as the proxy forwards it, and reads its
// usage on the side. The proxy calls Write with every chunk right after it
// was written and flushed to the client, then Close once the body ended (or
// broke). Write never blocks on I/O: identity bodies are parsed in place,
// compressed ones are copied to a bounded buffer and decoded by a goroutine
// of the Tap's own, which Close waits for.
//
// A Tap is used by one goroutine: Write, OnEvent and Close must not be called
// concurrently.
type Tap struct {
	sink     sink
	encoding string // "" for identity

	// The decoder goroutine and the compressed bytes waiting for it, started
	// by the first Write of a compressed body. Write appends to pending; the
	// decoder swaps pending with a spare buffer of its own, so the two
	// buffers take turns and a steady stream does not allocate.
	started bool
	mu      sync.Mutex
	pending []byte
	eof     bool          // Close was called: pending gets no more bytes
	stopped bool          // the decoder returned early: drop further bytes
	broken  bool          // the decoder met corrupt data (read after done)
	wake    chan struct{} // holds a token when pending changed or eof was set
	quit    chan struct{} // closed when the Tap gives up
	done    chan struct{} // closed when the decoder goroutine returned
	gaveUp  atomic.Bool   // set by Write (MaxQueued) or the decoder (MaxDecoded)

	unsupported bool
	dropped     bool   // bytes arrived that were never decoded
	fault       string // see TapResult.Fault; set by the goroutine that met it
	closed      bool
	result      TapResult
}

// NewTap returns a Tap for a response of protocol p (nil: keep the body
// only) with the given Content-Type and Content-Encoding headers. A
// text/event-stream body is parsed as SSE, a JSON one is buffered up to
// MaxJSONBody and read at Close; any other type is sniffed from its first
// byte ("{" or "[" means JSON). Encodings gzip, deflate (zlib or raw), br
// and zstd are decoded; another encoding leaves usage unknown and no body.
// bodyCap bounds TapResult.Body; zero or less keeps no body.
func NewTap(p Protocol, contentType, contentEncoding string, bodyCap int) *Tap {
	t := new(Tap)
	t.sink.init(p, mediaMode(contentType), bodyCap)
	switch enc := strings.ToLower(strings.TrimSpace(contentEncoding)); enc {
	case "", "identity":
	case "gzip", "x-gzip", "deflate", "br", "zstd":
		t.encoding = enc
	default:
		t.unsupported = true
	}
	return t
}

// OnEvent sets a hook called with every SSE event after the usage extractor
// saw it; event and data are only valid during the call. Set it before the
// first Write. For a compressed body it runs on the Tap's decoder goroutine,
// one event at a time and never after Close returns. Keep it cheap: it runs
// on the proxy's path for identity bodies.
func (t *Tap) OnEvent(fn func(event, data []byte)) { t.sink.hook = fn }

// Write feeds the Tap one chunk of the response body exactly as it was
// forwarded. It keeps no reference to chunk. Writes after Close are ignored.
func (t *Tap) Write(chunk []byte) {
	if t.closed || len(chunk) == 0 {
		return
	}
	if t.unsupported {
		t.dropped = true
		return
	}
	if t.encoding == "" {
		if t.fault == "" {
			t.sinkWrite(chunk)
		}
		return
	}
	if t.gaveUp.Load() {
		return
	}
	if !t.started {
		t.start()
	}
	t.mu.Lock()
	switch {
	case t.stopped:
		t.dropped = true
	case len(t.pending)+len(chunk) > MaxQueued:
		t.mu.Unlock()
		t.giveUp()
		return
	default:
		t.pending = append(t.pending, chunk...)
	}
	t.mu.Unlock()
	t.signal()
}

// sinkWrite feeds the sink, stopping the Tap at a panic.
func (t *Tap) sinkWrite(b []byte) {
	defer t.recoverFault()
	t.sink.write(b)
}

// recoverFault, deferred, turns a panic (a bug in a parser or extractor,
// met on some upstream's bytes) into the Tap's Fault. A Tap only watches: it
// must never break the response it watches, nor, from its decoder
// goroutine, the process.
func (t *Tap) recoverFault() {
	if p := recover(); p != nil {
		t.fault = fmt.Sprintf("%v\n%s", p, debug.Stack())
	}
}

// signal wakes the decoder without ever waiting for it.
func (t *Tap) signal() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// Close ends the response, waits for the decoder goroutine if there is one,
// and returns what the Tap learned. Calling it again returns the same result.
func (t *Tap) Close() TapResult {
	if t.closed {
		return t.result
	}
	t.closed = true
	if t.started {
		t.mu.Lock()
		t.eof = true
		t.mu.Unlock()
		t.signal()
		<-t.done
	}
	if t.unsupported {
		t.result.Truncated = t.dropped
		return t.result
	}
	var r TapResult
	if t.fault == "" {
		r = t.finish()
	}
	if t.fault != "" { // no more parsing after a fault: keep what was kept
		r = TapResult{Body: t.sink.body, Truncated: true, Size: t.sink.total, Events: t.sink.events, Fault: t.fault}
	}
	if t.gaveUp.Load() {
		r.Usage, r.Done = nil, false
		r.Truncated = true
	}
	if t.dropped || t.broken {
		r.Truncated = true
	}
	t.result = r
	return r
}

// finish is the sink's result, or the zero result when finishing panics.
func (t *Tap) finish() (r TapResult) {
	defer t.recoverFault()
	return t.sink.finish()
}

func (t *Tap) giveUp() {
	if t.gaveUp.CompareAndSwap(false, true) {
		close(t.quit)
	}
}

func (t *Tap) start() {
	t.started = true
	t.wake = make(chan struct{}, 1)
	t.quit = make(chan struct{})
	t.done = make(chan struct{})
	go t.decode()
}

var errGaveUp = errors.New("tap gave up")

// decode runs on the Tap's goroutine: it decompresses the queued chunks into
// the sink until the queue is closed, the data is corrupt or cut short, or
// the Tap gives up.
func (t *Tap) decode() {
	defer close(t.done)
	defer func() {
		t.mu.Lock()
		t.stopped, t.pending = true, nil
		t.mu.Unlock()
	}()
	defer t.recoverFault()
	r := &queueReader{t: t}
	dec, closeDec, err := newDecoder(t.encoding, r)
	if err != nil {
		t.broken = isCorrupt(err)
		return
	}
	defer closeDec()
	buf := make([]byte, decodeBufSize)
	var total int64
	for {
		n, err := dec.Read(buf)
		if n > 0 {
			total += int64(n)
			if total > MaxDecoded {
				t.giveUp()
				return
			}
			t.sink.write(buf[:n])
		}
		if err != nil {
			// io.EOF is the normal end; any other error (a body cut short,
			// corrupt data) keeps what was read so far.
			t.broken = isCorrupt(err)
			return
		}
	}
}

// isCorrupt tells a decoding error caused by bad data from the ends of a
// body, whole or cut short, where every byte received was used.
func isCorrupt(err error) bool {
	return !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, errGaveUp)
}

// newDecoder returns a reader that decompresses r, and a function releasing
// it.
func newDecoder(encoding string, r io.Reader) (io.Reader, func(), error) {
	nop := func() {}
	switch encoding {
	case "gzip", "x-gzip":
		zr, _ := gzipReaders.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(r)
		} else {
			err = zr.Reset(r)
		}
		if err != nil {
			return nil, nil, err
		}
		return zr, func() { gzipReaders.Put(zr) }, nil
	case "deflate":
		// RFC 9110 deflate is zlib-wrapped; some servers send raw deflate.
		br := bufio.NewReader(r)
		if h, err := br.Peek(2); err == nil && isZlibHeader(h) {
			zr, err := zlib.NewReader(br)
			if err != nil {
				return nil, nil, err
			}
			return zr, nop, nil
		}
		fr := flate.NewReader(br)
		return fr, func() { _ = fr.Close() }, nil
	case "br":
		return brotli.NewReader(r), nop, nil
	case "zstd":
		zr, _ := zstdDecoders.Get().(*zstd.Decoder)
		if zr == nil {
			var err error
			zr, err = zstd.NewReader(nil,
				zstd.WithDecoderConcurrency(1),
				zstd.WithDecoderLowmem(true),
				zstd.WithDecoderMaxWindow(64<<20))
			if err != nil {
				return nil, nil, err
			}
		}
		if err := zr.Reset(r); err != nil {
			zstdDecoders.Put(zr)
			return nil, nil, err
		}
		return zr, func() {
			// Drop the reference to r; keep the decoder and its window.
			if zr.Reset(nil) == nil {
				zstdDecoders.Put(zr)
			}
		}, nil
	}
	return nil, nil, errors.New("unsupported content encoding " + encoding)
}

// zstdDecoders keeps zstd decoders between responses: a new one allocates
// and clears its history window (8 MB for a frame from zstd's default
// encoder) before the first byte, a reused one keeps it.
var zstdDecoders sync.Pool

// gzipReaders keeps gzip readers (about 40 KB of inflate state each) between
// responses.
var gzipReaders sync.Pool

// isZlibHeader reports whether h starts a zlib stream (RFC 1950): deflate
// method, and a header checksum that divides by 31.
func isZlibHeader(h []byte) bool {
	return h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0
}

// queueReader reads the compressed bytes that Tap.Write left in pending.
type queueReader struct {
	t     *Tap
	spare []byte // the buffer being read, handed back to pending when done
	cur   []byte // its unread part
}

func (r *queueReader) Read(p []byte) (int, error) {
	t := r.t
	for len(r.cur) == 0 {
		t.mu.Lock()
		if len(t.pending) > 0 {
			r.spare, t.pending = t.pending, r.spare[:0]
			r.cur = r.spare
			t.mu.Unlock()
			break
		}
		eof := t.eof
		t.mu.Unlock()
		if eof {
			return 0, io.EOF
		}
		select {
		case <-t.wake:
		case <-t.quit:
			return 0, errGaveUp
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// Body modes of a sink.
const (
	modeSniff = iota
	modeSSE
	modeJSON
)

// mediaMode tells the body mode from a Content-Type header.
func mediaMode(contentType string) int {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch {
	case mt == "text/event-stream":
		return modeSSE
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return modeJSON
	}
	return modeSniff
}

// sink receives the decoded body: it parses events into the extractor,
// buffers a JSON body, and keeps the capped copy for the request log.
type sink struct {
	ex      Extractor
	mode    int
	parser  sse.Parser
	hook    func(event, data []byte)
	onEvent func(event, data []byte) // s.event, bound once so Feed does not allocate
	events  int

	bodyCap int
	body    []byte
	total   int64 // decoded bytes seen

	json     []byte
	jsonOver bool
}

func (s *sink) init(p Protocol, mode, bodyCap int) {
	if p != nil {
		s.ex = p.NewExtractor()
	}
	s.mode = mode
	s.bodyCap = bodyCap
	s.onEvent = s.event
}

func (s *sink) event(name, data []byte) {
	s.events++
	if s.ex != nil {
		s.ex.Event(name, data)
	}
	if s.hook != nil {
		s.hook(name, data)
	}
}

func (s *sink) write(b []byte) {
	s.total += int64(len(b))
	if s.mode == modeSniff {
		t := bytes.TrimLeft(b, " \t\r\n\xEF\xBB\xBF")
		if len(t) == 0 {
			s.keep(b) // only whitespace so far: decide on later bytes
			return
		}
		s.mode = modeSSE
		if t[0] == '{' || t[0] == '[' {
			s.mode = modeJSON
		}
	}
	switch s.mode {
	case modeSSE:
		s.keep(b)
		s.parser.Feed(b, s.onEvent)
	case modeJSON:
		switch {
		case s.jsonOver:
			s.keep(b)
		case len(s.json)+len(b) > MaxJSONBody:
			// Too large to read: keep only the capped copy from here on.
			s.jsonOver = true
			s.body = append(s.body[:0], s.json[:min(len(s.json), max(s.bodyCap, 0))]...)
			s.json = nil
			s.keep(b)
		default:
			s.json = appendGrow(s.json, b, MaxJSONBody)
		}
	}
}

// keep appends b to the capped body copy.
func (s *sink) keep(b []byte) {
	if room := s.bodyCap - len(s.body); room > 0 {
		s.body = appendGrow(s.body, b[:min(room, len(b))], s.bodyCap)
	}
}

// minGrow is the least capacity appendGrow gives a buffer. Its first chunk
// sets the size otherwise: a JSON answer of known length usually arrives
// in one read, so a 1 KB answer takes 1 KB, where a fixed 4 KiB start cost
// more in allocation and zeroing than the whole usage read (BenchmarkTapJSON).
const minGrow = 512

// appendGrow appends b to buf, growing it by doubling from minGrow and never
// past limit, so that a buffer built from many small chunks is copied at
// most about once over in all.
func appendGrow(buf, b []byte, limit int) []byte {
	if need := len(buf) + len(b); need > cap(buf) {
		n := min(max(2*cap(buf), minGrow, need), max(limit, need))
		grown := make([]byte, len(buf), n)
		copy(grown, buf)
		buf = grown
	}
	return append(buf, b...)
}

func (s *sink) finish() TapResult {
	r := TapResult{Size: s.total}
	switch s.mode {
	case modeSSE:
		s.parser.Flush(s.onEvent)
		r.Body = s.body
	case modeJSON:
		if s.jsonOver {
			r.Body = s.body
			break
		}
		if s.ex != nil {
			s.ex.JSON(s.json)
		}
		// The body copy is the JSON buffer, cut to the cap (after any
		// whitespace that came before the sniffed first byte).
		whole := s.json
		if len(s.body) > 0 {
			whole = append(s.body, s.json...)
		}
		r.Body = whole[:min(len(whole), max(s.bodyCap, 0))]
		if len(r.Body) < len(whole) {
			r.Body = bytes.Clone(r.Body)
		}
	default:
		r.Body = s.body
	}
	if len(r.Body) == 0 {
		r.Body = nil
	}
	r.Truncated = s.total > int64(len(r.Body))
	r.Events = s.events
	if s.ex != nil {
		if u, ok := s.ex.Usage(); ok {
			r.Usage = &u
		}
		r.Done = s.ex.Done()
		r.Model = s.ex.Model()
	}
	return r
}
