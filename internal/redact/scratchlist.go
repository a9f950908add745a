package redact

import (
	"sync"
	"time"
)

// scratchList keeps a Filter's large scratch spaces between calls, beside
// its sync.Pool. A process that filters bodies of megabytes collects
// garbage once or twice per body, which empties a sync.Pool, so the
// scratch for such a body was new each time and grew again from nothing:
// for 10 MB of Claude Code conversation its list of strings alone grows
// to over a megabyte, copied at each doubling and faulted in page by page
// (perf of the daemon under clpbench -only 5 -body conversation: over half
// of the filter's time). The list holds a few, and lets all go once none
// came back for scratchIdle, so an idle process gives the memory back.
type scratchList struct {
	idle time.Duration // scratchIdle when zero

	mu    sync.Mutex
	free  []*scratch
	timer *time.Timer
}

const (
	// maxLargeScratch is how many large scratch spaces a Filter keeps.
	maxLargeScratch = 2
	// scratchIdle is how long they are kept after the last call that
	// gave one back.
	scratchIdle = 30 * time.Second
	// largeBody is the body size from which a call looks for a large
	// scratch space first, and largeUnits the capacity of the list of
	// strings from which a scratch space counts as large.
	largeBody  = 256 << 10
	largeUnits = 4 << 10
)

// large reports whether sc grew on a large body.
func (sc *scratch) large() bool { return cap(sc.units) >= largeUnits }

func (l *scratchList) get() *scratch {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.free)
	if n == 0 {
		return nil
	}
	sc := l.free[n-1]
	l.free[n-1] = nil
	l.free = l.free[:n-1]
	return sc
}

// put keeps sc unless the list is full; it reports whether it did.
func (l *scratchList) put(sc *scratch) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.free) >= maxLargeScratch {
		return false
	}
	l.free = append(l.free, sc)
	idle := l.idle
	if idle == 0 {
		idle = scratchIdle
	}
	if l.timer == nil {
		l.timer = time.AfterFunc(idle, l.release)
	} else {
		l.timer.Reset(idle)
	}
	return true
}

func (l *scratchList) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.free)
	l.free = l.free[:0]
}
