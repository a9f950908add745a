package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// newClient returns a keep-alive HTTP/1.1 client with a pool of conns idle
// connections per host; it never asks for compression, so bodies arrive as
// the upstream sent them.
func newClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns * 4,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
}

// newRequest builds the bench request for t.
func newRequest(ctx context.Context, t *target, body []byte, spec streamSpec) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL+apiPath(t.API), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if t.API != apiResponses {
		req.Header.Set("Anthropic-Version", "2023-06-01")
	}
	req.Header.Set("Authorization", "Bearer client-token")
	spec.set(req.Header)
	return req, nil
}

// doOnce sends one request and reads the whole response, returning its
// duration from send to last byte.
func doOnce(ctx context.Context, c *http.Client, t *target, body []byte, spec streamSpec) (time.Duration, error) {
	req, err := newRequest(ctx, t, body, spec)
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", t.Name, err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if err != nil {
		return 0, fmt.Errorf("%s: read: %w", t.Name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: status %d", t.Name, resp.StatusCode)
	}
	return d, nil
}

// sequential sends n requests one after another and returns their latencies.
func sequential(ctx context.Context, c *http.Client, t *target, body []byte, spec streamSpec, n int) ([]time.Duration, error) {
	out := make([]time.Duration, 0, n)
	for range n {
		d, err := doOnce(ctx, c, t, body, spec)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// loadResult is one closed-loop load run against a target.
type loadResult struct {
	Requests int64
	Elapsed  time.Duration
	CPU      time.Duration // proxy process CPU during the run
}

// closedLoop runs conc workers that each send requests back to back for d
// and counts completed requests; the proxy's CPU time is read around it.
func closedLoop(ctx context.Context, c *http.Client, t *target, body []byte, spec streamSpec, conc int, d time.Duration) (loadResult, error) {
	// Warm the connection pool so the run measures steady state.
	if err := burst(ctx, c, t, body, spec, conc); err != nil {
		return loadResult{}, err
	}
	cpu0, err := procCPU(t.PID)
	if err != nil {
		return loadResult{}, err
	}
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	t0 := time.Now()
	deadline := t0.Add(d)
	for range conc {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if _, err := doOnce(ctx, c, t, body, spec); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(t0)
	cpu1, err := procCPU(t.PID)
	if err != nil {
		return loadResult{}, err
	}
	if firstErr != nil {
		return loadResult{}, firstErr
	}
	return loadResult{Requests: n.Load(), Elapsed: elapsed, CPU: cpu1 - cpu0}, nil
}

// burst sends conc requests at once and waits for all of them.
func burst(ctx context.Context, c *http.Client, t *target, body []byte, spec streamSpec, conc int) error {
	errs := make(chan error, conc)
	for range conc {
		go func() {
			_, err := doOnce(ctx, c, t, body, spec)
			errs <- err
		}()
	}
	var first error
	for range conc {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// streamResult is what a client saw of one SSE response.
type streamResult struct {
	TTFE   time.Duration   // send to end of the first event
	Gaps   []time.Duration // between the ends of consecutive events
	Events int
	Sum    [32]byte // sha256 of the body
}

// eventClock timestamps the end of each SSE event ("\n\n") as bytes arrive.
type eventClock struct {
	prevNL bool
	ends   []time.Time
}

// feed scans p, which arrived at now.
func (e *eventClock) feed(p []byte, now time.Time) {
	for _, b := range p {
		if b == '\n' {
			if e.prevNL {
				e.ends = append(e.ends, now)
				e.prevNL = false
				continue
			}
			e.prevNL = true
			continue
		}
		e.prevNL = false
	}
}

// stream sends one streaming request and times every event.
func stream(ctx context.Context, c *http.Client, t *target, body []byte, spec streamSpec) (streamResult, error) {
	req, err := newRequest(ctx, t, body, spec)
	if err != nil {
		return streamResult{}, err
	}
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return streamResult{}, fmt.Errorf("%s: %w", t.Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return streamResult{}, fmt.Errorf("%s: status %d", t.Name, resp.StatusCode)
	}
	h := sha256.New()
	var clk eventClock
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			clk.feed(buf[:n], time.Now())
			h.Write(buf[:n])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return streamResult{}, fmt.Errorf("%s: read stream: %w", t.Name, err)
		}
	}
	var r streamResult
	h.Sum(r.Sum[:0])
	r.Events = len(clk.ends)
	if r.Events == 0 {
		return r, fmt.Errorf("%s: no events", t.Name)
	}
	r.TTFE = clk.ends[0].Sub(t0)
	for i := 1; i < len(clk.ends); i++ {
		r.Gaps = append(r.Gaps, clk.ends[i].Sub(clk.ends[i-1]))
	}
	return r, nil
}
