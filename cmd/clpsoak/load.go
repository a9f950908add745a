package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// load is an open-loop client: it starts requests at a fixed rate whether or
// not earlier ones finished (up to a cap on those in flight), as many
// independent coding agents would, and checks every answer as a client would.
type load struct {
	url    string
	rate   int
	client *http.Client
	sem    chan struct{}
	body   string
	wg     sync.WaitGroup

	started, done, late atomic.Int64

	mu      sync.Mutex
	lat     []time.Duration // since the last take
	errs    map[string]int  // client-visible error -> count
	errN    int64
	example map[string]string // one full example per error kind
}

// wantEnd is how every good answer ends.
const wantEnd = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"

func newLoad(url string, o options) *load {
	return &load{
		url: url, rate: o.Rate,
		client: &http.Client{Transport: &http.Transport{
			MaxIdleConns: o.Concurrency, MaxIdleConnsPerHost: o.Concurrency, IdleConnTimeout: time.Minute,
		}},
		sem:     make(chan struct{}, o.Concurrency),
		body:    requestBody(),
		errs:    map[string]int{},
		example: map[string]string{},
	}
}

// requestBody is a small Messages request: a system prompt, a few turns, a
// tool, stream on.
func requestBody() string {
	return `{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,` +
		`"system":[{"type":"text","text":"You are a coding agent. ` + strings.Repeat("Follow the repository's conventions. ", 30) + `"}],` +
		`"tools":[{"name":"read_file","description":"Read a file","input_schema":{"type":"object","properties":{"path":{"type":"string"}}}}],` +
		`"messages":[{"role":"user","content":"list the files"},{"role":"assistant","content":"I will read them."},{"role":"user","content":"go on"}]}`
}

// run starts requests until ctx ends.
func (l *load) run(ctx context.Context) {
	t0 := time.Now()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			due := int64(now.Sub(t0).Seconds()*float64(l.rate)) - l.started.Load() - l.late.Load()
			for range due {
				select {
				case l.sem <- struct{}{}:
					l.started.Add(1)
					l.wg.Add(1)
					go l.one()
				default:
					l.late.Add(1) // the cap on requests in flight is reached
				}
			}
		}
	}
}

// wait waits for the requests in flight.
func (l *load) wait() {
	l.wg.Wait()
	l.client.CloseIdleConnections()
}

func (l *load) one() {
	defer l.wg.Done()
	defer func() { <-l.sem }()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t0 := time.Now()
	req, _ := http.NewRequestWithContext(ctx, "POST", l.url, strings.NewReader(l.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Anthropic-Version", "2023-06-01")
	req.Header.Set("Authorization", "Bearer soak-client")
	resp, err := l.client.Do(req)
	if err != nil {
		l.fail("transport error", err.Error())
		return
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		l.fail("read error", err.Error())
	case resp.StatusCode != 200:
		l.fail(fmt.Sprintf("status %d", resp.StatusCode), string(b))
	case !strings.HasSuffix(string(b), wantEnd):
		l.fail("stream did not end with message_stop", string(b))
	default:
		l.done.Add(1)
		l.mu.Lock()
		l.lat = append(l.lat, time.Since(t0))
		l.mu.Unlock()
	}
}

func (l *load) fail(kind, detail string) {
	l.done.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errN++
	l.errs[kind]++
	if _, ok := l.example[kind]; !ok {
		if len(detail) > 300 {
			detail = detail[:300] + "…"
		}
		l.example[kind] = detail
	}
}

// take returns the latencies since the last take, sorted, and the number
// of client-visible errors so far.
func (l *load) take() ([]time.Duration, int64) {
	l.mu.Lock()
	lat := l.lat
	l.lat = nil
	n := l.errN
	l.mu.Unlock()
	slices.Sort(lat)
	return lat, n
}

func (l *load) errors() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.errN
}

// percentile returns the p-th percentile (0-100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(sorted)-1))
	return sorted[i]
}
