package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// upstreams are the fake model APIs of the soak: one good, one failing.
type upstreams struct {
	good, failing       *http.Server
	goodURL, failingURL string
	goodHits            atomic.Int64
	failingHits         atomic.Int64
}

// startUpstreams serves a good Anthropic-style upstream and one that fails
// as o.Fail says ("dead": an address nothing listens on).
func startUpstreams(o options) (*upstreams, error) {
	u := &upstreams{}
	events := anthropicStream(o.Events)
	good := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.goodHits.Add(1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		f := w.(http.Flusher)
		for i, ev := range events {
			if i > 0 && o.EventGap > 0 {
				time.Sleep(o.EventGap)
			}
			if _, err := io.WriteString(w, ev); err != nil {
				return
			}
			f.Flush()
		}
	})
	failing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.failingHits.Add(1)
		io.Copy(io.Discard, r.Body)
		switch o.Fail {
		case "429":
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(429)
			io.WriteString(w, `{"type":"error","error":{"type":"rate_limit_error","message":"soak: slow down"}}`)
		case "error-event":
			w.Header().Set("Content-Type", "text/event-stream")
			io.WriteString(w, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"soak: busy\"}}\n\n")
		default:
			w.WriteHeader(500)
			io.WriteString(w, `{"type":"error","error":{"type":"api_error","message":"soak: internal error"}}`)
		}
	})
	var err error
	if u.good, u.goodURL, err = serve(good); err != nil {
		return nil, err
	}
	if o.Fail == "dead" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			u.close()
			return nil, err
		}
		u.failingURL = "http://" + l.Addr().String()
		l.Close() // nothing listens there now
		return u, nil
	}
	if u.failing, u.failingURL, err = serve(failing); err != nil {
		u.close()
		return nil, err
	}
	return u, nil
}

func serve(h http.Handler) (*http.Server, string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("listen for a fake upstream: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	return srv, "http://" + l.Addr().String(), nil
}

func (u *upstreams) close() {
	for _, s := range []*http.Server{u.good, u.failing} {
		if s != nil {
			s.Close()
		}
	}
}

// anthropicStream is a Messages stream of n events in all (n >= 4), each
// event a whole "event: …\ndata: …\n\n" block.
func anthropicStream(n int) []string {
	ev := func(name, data string) string { return "event: " + name + "\ndata: " + data + "\n\n" }
	out := []string{ev("message_start", `{"type":"message_start","message":{"id":"msg_soak","type":"message","role":"assistant","model":"claude-soak","content":[],"usage":{"input_tokens":120,"cache_read_input_tokens":800,"output_tokens":1}}}`)}
	for i := 0; i < n-3; i++ {
		out = append(out, ev("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"word %d %s"}}`, i, strings.Repeat("x", 40))))
	}
	return append(out,
		ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":42}}`),
		ev("message_stop", `{"type":"message_stop"}`))
}
