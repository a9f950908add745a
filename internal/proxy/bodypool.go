package proxy

import (
	"errors"
	"io"
	"math/bits"
	"sync"
	"sync/atomic"
)

// Request bodies of poolMin bytes and more are read into pooled buffers:
// a fresh buffer of megabytes is zeroed by the allocator and then faults
// its pages in as the body is copied into it, which cost the daemon about
// a fifth of its CPU time on bodies of 1–10 MB. Buffer sizes go up in
// quarter steps between powers of two (so at most a quarter is unused) up
// to poolMax, 64 MiB, the largest maxBodyMB default; a larger body gets a
// buffer of its own.
const (
	poolMin     = 64 << 10
	poolMax     = 64 << 20
	poolClasses = 44 // classes 3 (64 KiB) to 43 (64 MiB), see poolClass
)

// bodyBufs holds the free buffers of each class. sync.Pool lets the GC
// drop buffers that are not used, so an idle daemon gives the memory back.
var bodyBufs [poolClasses]sync.Pool

// bodyBuf is a pooled buffer shared by the exchange and the readers the
// transport got for its attempts. It goes back to its pool when the last of
// them let it go, and never while one may still read it.
type bodyBuf struct {
	b     []byte
	class int
	refs  atomic.Int32
}

// poolClass returns the class of the buffers that hold n bytes and their
// size, or -1 when n is outside [poolMin, poolMax]. For 2^e < n <= 2^(e+1)
// the size is 2^e plus one to four quarters of 2^e.
func poolClass(n int64) (class int, size int64) {
	if n < poolMin || n > poolMax {
		return -1, 0
	}
	e := bits.Len64(uint64(n-1)) - 1
	quarter := int64(1) << (e - 2)
	q := (n - 1<<e + quarter - 1) / quarter // 1 to 4
	return (e-15)*4 + int(q) - 1, 1<<e + q*quarter
}

// getBodyBuf returns a buffer of at least n bytes with one reference, or
// nil when n is outside the pool's classes. Its contents are a previous
// body's: the caller must overwrite the n bytes it uses.
func getBodyBuf(n int64) *bodyBuf {
	c, size := poolClass(n)
	if c < 0 {
		return nil
	}
	bb, _ := bodyBufs[c].Get().(*bodyBuf)
	if bb == nil {
		bb = &bodyBuf{b: make([]byte, size), class: c}
	}
	bb.refs.Store(1)
	return bb
}

// retain adds a reference.
func (bb *bodyBuf) retain() { bb.refs.Add(1) }

// release drops a reference; the last one returns the buffer to its pool.
func (bb *bodyBuf) release() {
	switch n := bb.refs.Add(-1); {
	case n == 0:
		bodyBufs[bb.class].Put(bb)
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
