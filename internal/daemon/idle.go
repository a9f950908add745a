package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// idleTransport bounds how long an upstream response body may go without a
// byte (data/system.json streamIdleSeconds). When the limit passes, the
// upstream request is cancelled and the pending read fails with an error
// that names the setting, which the proxy turns into the protocol's error
// event and an incomplete record. The limit is read per request, so a
// reload applies to the next one; a limit of zero or less (the default)
// adds nothing to the request at all.
//
// The wait for the response headers is not bounded here: only silence
// after them.
type idleTransport struct {
	rt    http.RoundTripper
	limit func() time.Duration
}

func (t *idleTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	d := t.limit()
	if d <= 0 {
		return t.rt.RoundTrip(req)
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	resp, err := t.rt.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel(nil)
		return nil, err
	}
	b := &idleBody{rc: resp.Body, cancel: cancel, limit: d}
	b.timer = time.AfterFunc(d, b.expire)
	resp.Body = b
	return resp, nil
}

var errStreamIdle = errors.New("stream idle limit reached")

// idleBody is a response body whose reads reset a timer; when the timer
// fires, the request is cancelled.
type idleBody struct {
	rc      io.ReadCloser
	cancel  context.CancelCauseFunc
	limit   time.Duration
	timer   *time.Timer
	expired atomic.Bool
}

func (b *idleBody) expire() {
	b.expired.Store(true)
	b.cancel(errStreamIdle)
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 && !b.expired.Load() {
		b.timer.Reset(b.limit)
	}
	if err != nil && err != io.EOF && b.expired.Load() {
		err = fmt.Errorf("no data from the upstream for %v (streamIdleSeconds in data/system.json)", b.limit)
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}

// streamIdleLimit is the current configuration's idle limit.
func (d *Daemon) streamIdleLimit() time.Duration {
	return time.Duration(d.snap.Load().System.StreamIdleSeconds) * time.Second
}
