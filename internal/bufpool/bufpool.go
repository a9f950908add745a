// Package bufpool keeps large byte buffers between uses. A fresh buffer of
// megabytes is zeroed by the allocator and then faults its pages in as it
// is filled; a buffer taken from here was mapped and filled before. Sizes
// go up in quarter steps between powers of two (so at most a quarter of a
// buffer is unused), from Min to Max. The pools are sync.Pools, which the
// garbage collector empties, so an idle process gives the memory back.
package bufpool

import (
	"math/bits"
	"sync"
)

const (
	// Min and Max bound the sizes that are pooled.
	Min = 64 << 10
	Max = 256 << 20

	minExp  = 15 // Min is 2^15 plus four quarters of 2^15
	maxExp  = 27 // Max is 2^27 plus four quarters of 2^27
	classes = (maxExp-minExp)*4 + 4
)

var pools [classes]sync.Pool

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
func Get(n int) (b []byte, ok bool) {
	c, size := class(n)
	if c < 0 {
		return nil, false
	}
	if p, _ := pools[c].Get().(*[]byte); p != nil {
		return (*p)[:n], true
	}
	return make([]byte, n, size), true
}

// Put hands b, no longer used by anyone, to a later Get. A slice whose
// capacity is not one of the pool's sizes is left to the garbage collector.
func Put(b []byte) {
	c, size := class(cap(b))
	if c < 0 || size != cap(b) {
		return
	}
	b = b[:0]
	pools[c].Put(&b)
}
