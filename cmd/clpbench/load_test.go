package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestEventClock(t *testing.T) {
	t0 := time.Unix(0, 0)
	var c eventClock
	// Boundaries split across reads must still count once each.
	chunks := []string{"event: a\ndata: 1\n", "\nevent: b\ndata: 2\n\n", "event: c\n", "data: 3\n\nrest"}
	for i, ch := range chunks {
		c.feed([]byte(ch), t0.Add(time.Duration(i)*time.Second))
	}
	want := []time.Duration{1 * time.Second, 1 * time.Second, 3 * time.Second}
	if len(c.ends) != len(want) {
		t.Fatalf("got %d events, want %d", len(c.ends), len(want))
	}
	for i, w := range want {
		if got := c.ends[i].Sub(t0); got != w {
			t.Errorf("event %d ended at %v, want %v", i, got, w)
		}
	}
}

func FuzzEventClock(f *testing.F) {
	f.Add([]byte("a\n\nb\n\n"), 3)
	f.Add([]byte("\n\n\n\n\n"), 1)
	f.Fuzz(func(t *testing.T, data []byte, split int) {
		var whole eventClock
		whole.feed(data, time.Time{})
		var parts eventClock
		if split < 0 || split > len(data) {
			split = len(data) / 2
		}
		parts.feed(data[:split], time.Time{})
		parts.feed(data[split:], time.Time{})
		if len(whole.ends) != len(parts.ends) {
			t.Errorf("%d events whole, %d split at %d", len(whole.ends), len(parts.ends), split)
		}
		if n := strings.Count(string(data), "\n\n"); len(whole.ends) > n {
			t.Errorf("%d events from %d blank-line pairs", len(whole.ends), n)
		}
	})
}

func TestRequestBodyIsJSON(t *testing.T) {
	for _, size := range []int{1, 2 << 10, 200 << 10} {
		b := requestBody(size, true)
		var v struct {
			Model  string `json:"model"`
			Stream bool   `json:"stream"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if v.Model != "claude-sonnet-4-5" || !v.Stream {
			t.Errorf("size %d: model %q stream %v", size, v.Model, v.Stream)
		}
		if size > 1000 && (len(b) < size || len(b) > size+10) {
			t.Errorf("size %d: body is %d bytes", size, len(b))
		}
	}
	if err := json.Unmarshal(anthropicJSON(1<<10), new(map[string]any)); err != nil {
		t.Errorf("anthropicJSON: %v", err)
	}
}

func TestSpecRoundTrip(t *testing.T) {
	s := streamSpec{Events: 64, Delay: 20 * time.Millisecond, EventSize: 200, RespSize: 1024}
	req := httptest.NewRequest("POST", "/v1/messages", nil)
	s.set(req.Header)
	if got := parseSpec(req.Header); got != s {
		t.Errorf("parseSpec = %+v, want %+v", got, s)
	}
	if got := parseSpec(httptest.NewRequest("POST", "/", nil).Header); got != (streamSpec{}) {
		t.Errorf("parseSpec(empty) = %+v, want zero", got)
	}
}

// TestUpstreamStream runs the fake upstream and the stream client against
// each other: every event arrives, each event is valid SSE with JSON data,
// the gaps honour the delay and the bytes are the same twice.
func TestUpstreamStream(t *testing.T) {
	srv := httptest.NewServer(upstream())
	defer srv.Close()
	c := newClient(2)
	tg := &target{Name: "direct", URL: srv.URL}
	spec := streamSpec{Events: 6, Delay: 5 * time.Millisecond, EventSize: 300}
	ctx := context.Background()
	r1, err := stream(ctx, c, tg, requestBody(2<<10, true), spec)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Events != 6 || len(r1.Gaps) != 5 {
		t.Errorf("events %d gaps %d, want 6 and 5", r1.Events, len(r1.Gaps))
	}
	for i, g := range r1.Gaps {
		if g < 4*time.Millisecond {
			t.Errorf("gap %d = %v, want ≥ ~5ms", i, g)
		}
	}
	r2, err := stream(ctx, c, tg, requestBody(2<<10, true), spec)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Sum != r2.Sum {
		t.Errorf("two identical requests gave different bytes")
	}
	for i, ev := range anthropicEvents(spec) {
		_, data, ok := strings.Cut(string(ev), "\ndata: ")
		if !ok || !json.Valid([]byte(strings.TrimSpace(data))) {
			t.Errorf("event %d is not SSE with JSON data: %q", i, ev)
		}
	}
	d, err := doOnce(ctx, c, tg, requestBody(1<<10, false), streamSpec{RespSize: 1 << 10})
	if err != nil || d <= 0 {
		t.Errorf("doOnce = %v, %v", d, err)
	}
}

func jsonValid(s string) bool { return json.Valid([]byte(s)) }
