package redact

import (
	"math/bits"
	"sync"
)

// Rewrite buffers larger than keepBytes are not kept by a pooled scratch
// (a scratch would then hold megabytes for every later small body); they go
// to bigBufs instead, by power-of-two size class from bigMin up, and the
// next large body takes one from there. A string of megabytes that a rule
// changed used to get a fresh buffer per call, which the allocator had to
// clear of its previous contents' pages: in the daemon, page faults and
// the garbage collection it caused cost about a third of the CPU of
// clpbench's scenario 5. sync.Pool lets the GC drop buffers no body needs.
const (
	bigMinShift = 23 // 8 MiB, the smallest class: twice keepBytes
	bigClasses  = 6  // up to 256 MiB
)

var bigBufs [bigClasses]sync.Pool

// bigClass returns the class of a buffer for n bytes, or -1 past the
// largest class.
func bigClass(n int) int {
	c := max(bits.Len(uint(n-1))-bigMinShift, 0)
	if c >= bigClasses {
		return -1
	}
	return c
}

// getBig returns an empty slice with room for n bytes.
func getBig(n int) []byte {
	c := bigClass(n)
	if c < 0 {
		return make([]byte, 0, n)
	}
	if p, ok := bigBufs[c].Get().(*[]byte); ok {
		return (*p)[:0]
	}
	return make([]byte, 0, 1<<(bigMinShift+c))
}

// putBig hands b, no longer used, to the next getBig of its class.
func putBig(b []byte) {
	if cap(b) < 1<<bigMinShift {
		return
	}
	c := bigClass(cap(b))
	if c < 0 || cap(b) != 1<<(bigMinShift+c) {
		return // not one of ours
	}
	b = b[:0]
	bigBufs[c].Put(&b)
}
