package daemon

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

// feed is the in-process live event feed: every subscriber gets every event,
// and a subscriber that does not keep up misses events rather than slowing
// the proxy.
type feed struct {
	mu   sync.Mutex
	subs map[chan api.Event]struct{}
	// n is len(subs), read without the lock so that a request with no one
	// watching builds no event.
	n atomic.Int32
}

// watched reports whether anyone is subscribed. A subscriber that arrives
// just after it returned false misses that one event, as it would have
// had it subscribed a moment later.
func (f *feed) watched() bool { return f.n.Load() > 0 }

func (f *feed) subscribe() (<-chan api.Event, func()) {
	ch := make(chan api.Event, 256)
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[chan api.Event]struct{}{}
	}
	f.subs[ch] = struct{}{}
	f.n.Store(int32(len(f.subs)))
	f.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			f.mu.Lock()
			delete(f.subs, ch)
			f.n.Store(int32(len(f.subs)))
			f.mu.Unlock()
			close(ch)
		})
	}
}

func (f *feed) publish(ev api.Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}

// headOf copies a record without bodies and headers, for the feed.
func headOf(rec *api.Record) *api.Record {
	h := *rec
	h.RequestHeaders, h.ResponseHeaders, h.RequestBody, h.ResponseBody = nil, nil, nil, nil
	h.Attempts = append([]api.Attempt(nil), rec.Attempts...)
	return &h
}
