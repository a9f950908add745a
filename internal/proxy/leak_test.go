package proxy_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/protocol/anthropic"
	"github.com/clp-proxy/clp/internal/proxy"
)

// rig is a proxy.Handler on an httptest server in front of one upstream,
// with its own transports so a test can close every connection it made.
type rig struct {
	proxy    *httptest.Server
	upstream *httptest.Server
	upT      *http.Transport // proxy -> upstream
	client   *http.Client    // test -> proxy
	records  chan *api.Record
}

func newRig(t *testing.T, upstream http.HandlerFunc) *rig {
	t.Helper()
	r := &rig{upstream: httptest.NewServer(upstream), records: make(chan *api.Record, 64)}
	u, err := url.Parse(r.upstream.URL)
	if err != nil {
		t.Fatal(err)
	}
	st := &proxy.State{Service: &config.Service{
		Name:      "claude",
		Upstreams: []config.Upstream{{Name: "up", BaseURL: r.upstream.URL, URL: u, AuthToken: "tok-upstream", Weight: 1, Active: true}},
	}}
	r.upT = &http.Transport{MaxResponseHeaderBytes: 1 << 20, DisableCompression: true}
	h := &proxy.Handler{
		Service: "claude", Protocol: anthropic.Protocol{}, Transport: r.upT,
		Current: func() *proxy.State { return st },
		Log:     slog.New(slog.DiscardHandler),
		Record:  func(rec *api.Record) { r.records <- rec },
	}
	r.proxy = httptest.NewServer(h)
	r.client = &http.Client{Transport: &http.Transport{DisableCompression: true}}
	return r
}

// close closes every server, connection and transport of the rig.
func (r *rig) close() {
	r.client.CloseIdleConnections()
	r.proxy.Close()
	r.upstream.Close()
	r.upT.CloseIdleConnections()
}

func (r *rig) record(t *testing.T) *api.Record {
	t.Helper()
	select {
	case rec := <-r.records:
		return rec
	case <-time.After(5 * time.Second):
		t.Fatal("no record within 5 s")
		return nil
	}
}

const firstEvent = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"

// openFDs counts this process's open file descriptors (Linux only: -1
// elsewhere).
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// eventually polls cond for up to 3 s.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestClientGoneMidStream: when the client goes away mid-stream, the
// upstream request is cancelled at once, the record says so, and no
// goroutine or file descriptor is left once the servers close.
func TestClientGoneMidStream(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	fds := openFDs()

	const streams = 8
	cancelled := make(chan time.Time, streams)
	r := newRig(t, func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, firstEvent)
		w.(http.Flusher).Flush()
		select {
		case <-req.Context().Done():
			cancelled <- time.Now()
		case <-time.After(10 * time.Second):
		}
	})

	gone := make([]time.Time, streams)
	for i := range streams {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "POST", r.proxy.URL+"/v1/messages", strings.NewReader(`{"model":"m","stream":true}`))
		resp, err := r.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(resp.Body).ReadString('\n')
		if err != nil || line != "event: message_start\n" {
			t.Fatalf("first line %q, %v", line, err)
		}
		gone[i] = time.Now()
		cancel()
		resp.Body.Close()
	}
	for i := range streams {
		select {
		case at := <-cancelled:
			if d := at.Sub(gone[i]); d > time.Second {
				t.Errorf("upstream request cancelled %v after the client left, want at once", d)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("upstream request %d was not cancelled within 3 s of the client leaving", i)
		}
	}
	for range streams {
		rec := r.record(t)
		if !strings.Contains(rec.Error, "client went away") || rec.Status != 200 {
			t.Errorf("record: status %d error %q, want 200 and client went away", rec.Status, rec.Error)
		}
	}
	r.close()
	if fds >= 0 && !eventually(func() bool { return openFDs() <= fds }) {
		t.Errorf("open fds: %d after, %d before", openFDs(), fds)
	}
}

// TestUpstreamSilentAfterHeaders: an upstream that sends its headers and
// then nothing keeps the stream open (no idle timeout by default); the
// events that finally come reach the client.
func TestUpstreamSilentAfterHeaders(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	release := make(chan struct{})
	r := newRig(t, func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-req.Context().Done():
			return
		}
		io.WriteString(w, firstEvent+"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	})
	defer r.close()

	// The status and headers may wait for the first body bytes (they
	// leave with the first chunk), so the whole exchange runs aside.
	got := make(chan []byte, 1)
	go func() {
		resp, err := r.client.Post(r.proxy.URL+"/v1/messages", "application/json", strings.NewReader(`{"model":"m","stream":true}`))
		if err != nil {
			got <- []byte("request error: " + err.Error())
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			b = append(b, "\nread error: "+err.Error()...)
		}
		if resp.StatusCode != 200 || resp.Header.Get("X-Accel-Buffering") != "no" {
			b = append(b, fmt.Sprintf("\nstatus %d, X-Accel-Buffering %q", resp.StatusCode, resp.Header.Get("X-Accel-Buffering"))...)
		}
		got <- b
	}()
	const quiet = 1500 * time.Millisecond // stands in for minutes of silence
	select {
	case b := <-got:
		t.Fatalf("the quiet stream ended after less than %v: %q", quiet, b)
	case <-time.After(quiet):
	}
	close(release)
	b := <-got
	if want := firstEvent + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"; string(b) != want {
		t.Errorf("body after the silence:\n got %q\nwant %q", b, want)
	}
	if rec := r.record(t); rec.Incomplete || rec.Error != "" || rec.Usage == nil {
		t.Errorf("record: incomplete %v, error %q, usage %v; want a complete stream with usage", rec.Incomplete, rec.Error, rec.Usage)
	}
}

// TestMalformedUpstreamPassesThrough: malformed SSE and invalid JSON reach
// the client byte for byte; the record has no usage and nothing panics.
func TestMalformedUpstreamPassesThrough(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body string
	}{
		{"sse with broken json", "text/event-stream", "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":\n\nevent: message_delta\ndata: [1,2\n\n"},
		{"sse with binary junk", "text/event-stream", "\x00\xff\xfe data:\r\r\n\n::::\nevent:\ndata: {\"usage\": 7}\n\n\xc3\x28"},
		{"sse without a blank line", "text/event-stream", "data: " + strings.Repeat("x", 100<<10)},
		{"json that is not json", "application/json", `{"usage": {"input_tokens": "lots"`},
		{"json of the wrong type", "application/json", `[{"usage": null}, 3, "x"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, func(w http.ResponseWriter, req *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				io.WriteString(w, tc.body)
			})
			defer r.close()
			resp, err := r.client.Post(r.proxy.URL+"/v1/messages", "application/json", strings.NewReader(`{"model":"m","stream":true}`))
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || !bytes.Equal(b, []byte(tc.body)) {
				t.Errorf("client got %q (%v), want the upstream's bytes unchanged", b, err)
			}
			rec := r.record(t)
			if rec.Usage != nil {
				t.Errorf("usage %+v from a malformed response, want unknown (nil)", *rec.Usage)
			}
			if rec.Status != 200 {
				t.Errorf("record status %d, want 200", rec.Status)
			}
		})
	}
}

// TestUpstreamDiesMidStream: an upstream that drops the connection after
// its first event leaves the client with a well-formed error event, the
// record marked incomplete with the usage counted so far, and nothing leaked.
func TestUpstreamDiesMidStream(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	r := newRig(t, func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, firstEvent+"event: content_block_delta\ndata: {\"type\":\"content_blo")
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	defer r.close()
	resp, err := r.client.Post(r.proxy.URL+"/v1/messages", "application/json", strings.NewReader(`{"model":"m","stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("client read: %v (want a clean end with an error event)", err)
	}
	if !bytes.HasPrefix(b, []byte(firstEvent)) {
		t.Errorf("body does not start with the upstream's first event: %q", b)
	}
	tail := b[bytes.LastIndex(b, []byte("\n\nevent: error\n"))+2:]
	if !bytes.HasPrefix(tail, []byte("event: error\ndata: {\"type\":\"error\"")) || !bytes.HasSuffix(tail, []byte("\n\n")) {
		t.Errorf("body does not end with a whole error event after a blank line: %q", b)
	}
	rec := r.record(t)
	if !rec.Incomplete || !strings.Contains(rec.Error, "broke off") {
		t.Errorf("record: incomplete %v, error %q; want incomplete, broke off", rec.Incomplete, rec.Error)
	}
	if rec.Usage == nil || rec.Usage.InputTokens != 3 {
		t.Errorf("record usage %+v, want the input tokens counted before the break", rec.Usage)
	}
}
