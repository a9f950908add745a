package proxy

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/clp-proxy/clp/internal/bufpool"
)

// Request bodies of bufpool.Min bytes and more are read into pooled
// buffers (package bufpool): a fresh buffer of megabytes is zeroed by the
// allocator and then faults its pages in as the body is copied into it,
// which cost the daemon about a fifth of its CPU time on bodies of 1–10 MB.

// bodyBuf is a pooled buffer shared by the exchange and the readers the
// transport got for its attempts. It goes back to its pool when the last of
// them let it go, and never while one may still read it.
type bodyBuf struct {
	b    []byte
	refs atomic.Int32
}

// getBodyBuf returns a buffer of n bytes with one reference, or nil when n
// is outside the pool's sizes. Its contents are a previous body's: the
// caller must overwrite them.
func getBodyBuf(n int64) *bodyBuf {
	if n > bufpool.Max {
		return nil
	}
	b, ok := bufpool.Get(int(n))
	if !ok {
		return nil
	}
	bb := &bodyBuf{b: b}
	bb.refs.Store(1)
	return bb
}

// bodyRoom returns n bytes to read a body into: a pooled buffer with its
// one reference, or (bb nil) a fresh slice when n is outside the pool's
// sizes.
func bodyRoom(n int64) (buf []byte, bb *bodyBuf) {
	if bb = getBodyBuf(n); bb != nil {
		return bb.b, bb
	}
	return make([]byte, n), nil
}

// retain adds a reference.
func (bb *bodyBuf) retain() { bb.refs.Add(1) }

// release drops a reference; the last one returns the buffer to its pool.
func (bb *bodyBuf) release() {
	switch n := bb.refs.Add(-1); {
	case n == 0:
		bufpool.Put(bb.b)
	case n < 0:
		panic("proxy: body buffer released more often than retained")
	}
}

var errBodyClosed = errors.New("proxy: request body read after Close")

// pooledReader is a request body handed to the transport that holds a
// reference to the pooled buffer under it. RoundTrip closes its request
// body once it is done with it, possibly from another goroutine while a
// read is under way: Close waits for that read, and reads after Close
// fail, so the buffer is never read once it may hold another request.
type pooledReader struct {
	mu     sync.Mutex
	r      io.Reader
	bb     *bodyBuf
	closed bool
}

func newPooledReader(r io.Reader, bb *bodyBuf) *pooledReader {
	bb.retain()
	return &pooledReader{r: r, bb: bb}
}

func (p *pooledReader) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, errBodyClosed
	}
	return p.r.Read(b)
}

func (p *pooledReader) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		p.r = nil
		p.bb.release()
	}
	return nil
}
