package proxy

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"

	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/route"
)

// A large request body is sent upstream while it still arrives (DESIGN
// §4): an upload reads it from the client into its buffer, filters what
// has arrived as far as the filter can tell what it becomes, and hands
// that to the first attempt's transport at once, so the body crosses
// loopback once in parallel instead of twice in series. The whole body is
// still kept: failover, the 400 repair and the log read it once it is in.
//
// The attempt promises the upstream a Content-Length before the filter
// has seen the body: the client's length, moved by the routed model's
// change. A body the filter leaves as long as it was (nearly all: secrets
// are rare) goes out byte for byte. What replacements take away is made up
// with spaces after the JSON document, which every JSON parser reads past.
// A body that replacements make longer, or that turns out not to be JSON
// (which only the whole-body filter handles), fails the reader before the
// upstream has the promised length; the transport drops the connection,
// and the attempt is made again with the whole body and its true length.

// pipeMin is the body size from which uploads are pipelined: below it there
// is little to overlap (at 200 KB the gain is within the noise, at 1 MB a
// fifth of CLP's added time; BENCH.md, eighth round), and the goroutine and
// the filter's steps cost CPU.
const pipeMin = 128 << 10

// uploadHead is how much of the body the handler reads itself before the
// upload goes on in the background: enough for the members clients send
// first ("model"), which routing needs before the attempt can start.
const uploadHead = 16 << 10

// uploadStep is how much more of the body arrives before the filter runs
// again over what is new.
const uploadStep = 64 << 10

var (
	errBodyGrew      = errors.New("proxy: filtered body is longer than the promised length")
	errNotStreamable = errors.New("proxy: body must be filtered whole")
	errUploadClosed  = errors.New("proxy: upload reader used after Close")
)

// streamFilter is what an upload needs of the request filter
// (redact.Stream): see redact.Stream.Next for the contract.
type streamFilter interface {
	Next(body []byte, final bool, dst [][]byte) ([][]byte, int, bool)
	Report() redact.Report
	Close()
}

// upload is a request body being read, filtered and published.
type upload struct {
	src  io.Reader // the client's body
	buf  []byte    // the whole body's room: Content-Length bytes
	f    streamFilter
	done chan struct{} // closed when the feeder stopped

	mu   sync.Mutex
	cond sync.Cond
	// parts is the filtered body so far: the output for buf[:in].
	parts [][]byte
	out   int // bytes in parts
	in    int
	read  int  // bytes read into buf: the feeder's, until done
	head  int  // bytes read before the feeder started
	whole bool // parts is the whole filtered body
	// gaveUp is set when the filter cannot stream this body: it must be
	// filtered whole, and no attempt may send what was published.
	gaveUp bool
	fault  string // the filter panicked (value and stack): it gave up
	err    error  // reading the client's body failed
	rep    redact.Report
}

// startUpload reads the head of a body of n bytes from src into buf
// (len(buf) == n) and filters it, then goes on in the background.
func startUpload(src io.Reader, buf []byte, f streamFilter) (*upload, error) {
	u := &upload{src: src, buf: buf, f: f, done: make(chan struct{})}
	u.cond.L = &u.mu
	head := min(len(buf), uploadHead)
	n, err := io.ReadFull(src, buf[:head])
	if err != nil {
		f.Close()
		return nil, err
	}
	u.read, u.head = n, n
	u.filter(n == len(buf))
	if u.whole {
		close(u.done)
		u.closeFilter()
		return u, nil
	}
	go u.feed()
	return u, nil
}

// feed reads the rest of the body, filtering every uploadStep bytes. Once
// the filter gave up, it only reads: the whole-body filter needs it all.
func (u *upload) feed() {
	defer close(u.done)
	defer u.closeFilter()
	last := u.read
	for u.read < len(u.buf) {
		var n int
		var err error
		if u.gaveUp { // only the feeder sets it: no lock needed to read it
			n, err = io.ReadFull(u.src, u.buf[u.read:])
		} else {
			n, err = u.src.Read(u.buf[u.read:])
		}
		u.read += n
		if err != nil && u.read < len(u.buf) {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			u.mu.Lock()
			u.err = err
			u.cond.Broadcast()
			u.mu.Unlock()
			return
		}
		if !u.gaveUp && (u.read-last >= uploadStep || u.read == len(u.buf)) {
			last = u.read
			u.filter(u.read == len(u.buf))
		}
	}
}

// filter runs the filter over what was read and publishes its output.
func (u *upload) filter(final bool) {
	pieces, n, ok := u.next(final)
	u.mu.Lock()
	defer u.mu.Unlock()
	defer u.cond.Broadcast()
	if !ok {
		u.gaveUp = true
		return
	}
	for _, p := range pieces {
		u.out += len(p)
	}
	u.parts = append(u.parts, pieces...)
	u.in = n
	if final {
		u.whole = true
		u.rep = u.f.Report()
	}
}

// next runs the filter over what was read. A panic in it (a bug) counts
// as giving up, so the whole-body filter has its turn: in the feeder's
// goroutine it would otherwise end the daemon, since net/http recovers
// only the handler's panics.
func (u *upload) next(final bool) (pieces [][]byte, n int, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			u.fault = fmt.Sprintf("%v\n%s", p, debug.Stack())
			pieces, n, ok = nil, 0, false
		}
	}()
	return u.f.Next(u.buf[:u.read], final, nil)
}

// closeFilter lets the filter go: Close hands its scratch space back for
// other requests, unless it panicked, which may have left that space
// inconsistent.
func (u *upload) closeFilter() {
	if u.fault == "" {
		u.f.Close()
	}
}

// wait blocks until the feeder stopped. Then err says whether the body
// was read; gaveUp whether parts hold the filtered body.
func (u *upload) wait() { <-u.done }

// finished reports whether the feeder stopped.
func (u *upload) finished() bool {
	select {
	case <-u.done:
		return true
	default:
		return false
	}
}

// firstPart returns the first part published, nil when there is none yet
// or the filter gave up.
func (u *upload) firstPart() []byte {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.gaveUp || len(u.parts) == 0 {
		return nil
	}
	return u.parts[0]
}

// uploadReader reads the body of a pipelined attempt: the published parts
// with the routed model's edit applied to the first, then the padding up
// to length bytes, blocking for parts not yet published. It never yields
// the last byte before the body is whole and known to fit length, so an
// upstream never gets a complete request that is not the filtered body.
type uploadReader struct {
	u       *upload
	length  int
	release func() // called once, by Close
	// head, when the routed model is edited in, is the first part as sent,
	// in three pieces, and grow how much longer it is than the first part:
	// the reader reads head, then the parts after the first. Without an
	// edit it reads the parts.
	head [][]byte
	grow int

	// The reader's position: segment i, off bytes into it, pos bytes into
	// the whole.
	i, off, pos int
	closed      bool
}

// newUploadReader returns a reader of u's parts promising length bytes,
// with e applied to the first part when edited (which must then be
// published).
func newUploadReader(u *upload, length int, e route.Edit, edited bool) *uploadReader {
	r := &uploadReader{u: u, length: length}
	if edited {
		p0 := u.firstPart()
		r.head, r.grow = [][]byte{p0[:e.Start], e.Value, p0[e.End:]}, e.Delta()
	}
	return r
}

// seg returns segment i, false when it is not published yet; u.mu held.
func (r *uploadReader) seg(i int) ([]byte, bool) {
	if len(r.head) > 0 {
		if i < len(r.head) {
			return r.head[i], true
		}
		i -= len(r.head) - 1
	}
	if i < len(r.u.parts) {
		return r.u.parts[i], true
	}
	return nil, false
}

func (r *uploadReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	u := r.u
	u.mu.Lock()
	defer u.mu.Unlock()
	for {
		switch {
		case r.closed:
			return 0, errUploadClosed
		case u.err != nil:
			return 0, u.err
		case u.gaveUp:
			return 0, errNotStreamable
		}
		if r.pos == r.length {
			return 0, io.EOF
		}
		sent := u.out + r.grow // the published parts as sent
		if sent > r.length || (!u.whole && sent >= r.length) {
			return 0, errBodyGrew
		}
		limit := sent // bytes of the whole available now
		if u.whole {
			limit = r.length // the padding follows the parts
		} else {
			limit = min(limit, r.length-1)
		}
		if r.pos < limit {
			return r.copy(p[:min(len(p), limit-r.pos)]), nil
		}
		u.cond.Wait()
	}
}

// copy fills p from the position on; u.mu held, and len(p) bytes are
// available.
func (r *uploadReader) copy(p []byte) int {
	n := 0
	for n < len(p) {
		s, ok := r.seg(r.i)
		if !ok {
			// The padding: spaces after the document.
			for k := n; k < len(p); k++ {
				p[k] = ' '
			}
			r.pos += len(p) - n
			return len(p)
		}
		c := copy(p[n:], s[r.off:])
		n += c
		r.off += c
		r.pos += c
		if r.off == len(s) {
			r.i, r.off = r.i+1, 0
		}
	}
	return n
}

// Close stops the reader, waking a Read waiting for parts; the transport
// calls it, possibly while a Read is under way in another goroutine.
func (r *uploadReader) Close() error {
	r.u.mu.Lock()
	if r.closed {
		r.u.mu.Unlock()
		return nil
	}
	r.closed = true
	r.u.cond.Broadcast()
	r.u.mu.Unlock()
	if r.release != nil {
		r.release()
	}
	return nil
}
