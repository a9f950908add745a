// Package bufpool keeps large byte buffers between uses. A fresh buffer of
// megabytes is zeroed by the allocator and then faults its pages in as it
// is filled; a buffer taken from here was mapped and filled before. Sizes
// go up in quarter steps between powers of two (so at most a quarter of a
// buffer is unused), from Min to Max.
//
// The buffers are kept in free lists, not in sync.Pools: the garbage
// collector empties a sync.Pool, and a process that handles bodies of
// megabytes collects once or twice per body, so the buffers were fresh
// again on every request (perf of the daemon under clpbench's scenario 5:
// a fifth of its time in page faults while filling them). What the lists
// hold is bounded (Keep bytes in all), and all of it is let go, and its
// memory returned to the system, once no buffer came back for Idle.
package bufpool

import (
	"math/bits"
	"runtime/debug"
	"sync"
	"time"
)

const (
	// Min and Max bound the sizes that are pooled.
	Min = 64 << 10
	Max = 256 << 20

	// Keep is the most bytes of free buffers kept; a buffer put back
	// beyond it is left to the garbage collector.
	Keep = 128 << 20
	// Idle is how long the free buffers are kept after the last Put.
	Idle = 30 * time.Second

	minExp  = 15 // Min is 2^15 plus four quarters of 2^15
	maxExp  = 27 // Max is 2^27 plus four quarters of 2^27
	classes = (maxExp-minExp)*4 + 4
)

// pool is a set of free lists, one per class.
type pool struct {
	keep int
	idle time.Duration

	mu    sync.Mutex
	free  [classes][][]byte
	bytes int         // capacity of the buffers in free
	timer *time.Timer // lets go of free after idle without a put
}

var std = &pool{keep: Keep, idle: Idle}

// class returns the class of the buffers that hold n bytes and their size,
// or -1 when n is outside [Min, Max]. For 2^e < n <= 2^(e+1) the size is
// 2^e plus one to four quarters of 2^e.
func class(n int) (c, size int) {
	if n < Min || n > Max {
		return -1, 0
	}
	e := bits.Len(uint(n-1)) - 1
	quarter := 1 << (e - 2)
	q := (n - 1<<e + quarter - 1) / quarter // 1 to 4
	return (e-minExp)*4 + q - 1, 1<<e + q*quarter
}

// Get returns a slice of length n whose contents are left over from an
// earlier use: the caller overwrites what it reads. ok is false, and the
// slice nil, when n is outside [Min, Max].
func Get(n int) (b []byte, ok bool) { return std.get(n) }

// Put hands b, no longer used by anyone, to a later Get. A slice whose
// capacity is not one of the pool's sizes is left to the garbage collector.
func Put(b []byte) { std.put(b) }

func (p *pool) get(n int) ([]byte, bool) {
	c, size := class(n)
	if c < 0 {
		return nil, false
	}
	p.mu.Lock()
	if l := p.free[c]; len(l) > 0 {
		b := l[len(l)-1]
		l[len(l)-1] = nil
		p.free[c] = l[:len(l)-1]
		p.bytes -= cap(b)
		p.mu.Unlock()
		return b[:n], true
	}
	p.mu.Unlock()
	return make([]byte, n, size), true
}

func (p *pool) put(b []byte) {
	c, size := class(cap(b))
	if c < 0 || size != cap(b) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bytes+size > p.keep {
		return
	}
	p.free[c] = append(p.free[c], b[:0])
	p.bytes += size
	if p.timer == nil {
		p.timer = time.AfterFunc(p.idle, p.release)
	} else {
		p.timer.Reset(p.idle)
	}
}

// release lets go of every free buffer. When that was megabytes, it also
// has the runtime collect them and return their memory to the system at
// once: on its own, an idle process collects every two minutes and the
// runtime returns freed memory a little at a time after that, so a daemon
// kept tens of megabytes for minutes after a burst of large bodies.
func (p *pool) release() {
	p.mu.Lock()
	n := p.bytes
	for c := range p.free {
		clear(p.free[c])
		p.free[c] = nil
	}
	p.bytes = 0
	p.mu.Unlock()
	if n >= freeOSAbove {
		debug.FreeOSMemory()
	}
}

// freeOSAbove is how many bytes of buffers let go make release return
// memory to the system.
const freeOSAbove = 8 << 20
