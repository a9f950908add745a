package proxy

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/protocol/anthropic"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/route"
)

// fakeUpstream is a RoundTripper answering every request with a canned
// response whose body arrives in the given chunks, one per Read.
type fakeUpstream struct {
	header http.Header
	chunks []string
	status int           // the answer's status; 0: 200
	body   io.ReadCloser // the answer's body; nil: chunks, one per Read
	length bool          // announce the body's length (Content-Length)
	keep   bool          // keep the request body in got
	got    []byte        // the last request body
}

var _ http.RoundTripper = (*fakeUpstream)(nil)

func (f *fakeUpstream) RoundTrip(req *http.Request) (*http.Response, error) {
	switch {
	case req.Body != nil && f.keep:
		f.got, _ = io.ReadAll(req.Body)
	case req.Body != nil:
		io.Copy(io.Discard, req.Body)
	}
	if req.Body != nil {
		req.Body.Close() // as http.RoundTripper must
	}
	n := int64(-1)
	if f.length {
		n = int64(len(strings.Join(f.chunks, "")))
	}
	status := cmp.Or(f.status, http.StatusOK)
	var body io.ReadCloser = &chunkReader{chunks: slices.Clone(f.chunks)}
	if f.body != nil {
		body = f.body
	}
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), Header: f.header.Clone(),
		Body: body, ContentLength: n, Request: req,
	}, nil
}

// chunkReader returns one chunk per Read, then io.EOF.
type chunkReader struct{ chunks []string }

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	if n == len(c.chunks[0]) {
		c.chunks = c.chunks[1:]
	} else {
		c.chunks[0] = c.chunks[0][n:]
	}
	return n, nil
}

func (c *chunkReader) Close() error { return nil }

// client is a ResponseWriter and Flusher that logs what the handler does,
// in order: "H" for WriteHeader, "W" for a Write, "F" for a Flush.
type client struct {
	header http.Header
	status int
	body   bytes.Buffer
	ops    []byte
}

func newClient() *client { return &client{header: http.Header{}} }

func (c *client) Header() http.Header { return c.header }
func (c *client) WriteHeader(code int) {
	c.status = code
	c.ops = append(c.ops, 'H')
}
func (c *client) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.WriteHeader(200)
	}
	c.ops = append(c.ops, 'W')
	return c.body.Write(p)
}
func (c *client) Flush() { c.ops = append(c.ops, 'F') }

// testHandler is a Claude handler with every feature on that the request
// path pays for: five filter rules, a rename rule, and a record sink.
func testHandler(tb testing.TB, up *fakeUpstream, records *[]*api.Record) *Handler {
	tb.Helper()
	rules, err := redact.ParseRules([]byte(`[
 {"source": "sk-ant-api03-[A-Za-z0-9_-]{20,}", "target": "[REDACTED-ANTHROPIC-KEY]", "op": "replace"},
 {"source": "AKIA[0-9A-Z]{16}", "target": "[REDACTED-AWS-KEY]", "op": "replace"},
 {"source": "(?i)password\\s*=\\s*\\S+", "target": "password=[REDACTED]", "op": "replace"},
 {"source": "-----BEGIN [A-Z ]*PRIVATE KEY-----", "target": "", "op": "remove"},
 {"source": "internal.corp.example", "target": "host.example", "op": "replace"}]`))
	if err != nil {
		tb.Fatal(err)
	}
	filter, err := redact.Compile(rules, redact.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	router, err := route.Parse([]byte(`{"mode": "model-mapping",
 "modelMappings": {"claude": [{"source": "claude-sonnet-*", "target": "claude-renamed", "source_type": "model"}]}}`))
	if err != nil {
		tb.Fatal(err)
	}
	u, _ := url.Parse("http://upstream.test")
	st := &State{
		Service: &config.Service{Name: "claude", Active: 0, Upstreams: []config.Upstream{
			{Name: "main", BaseURL: u.String(), URL: u, AuthToken: "tok-0123456789abcdef", Active: true},
		}},
		Router:  &router,
		Filter:  filter,
		BodyCap: 256 << 10,
	}
	return &Handler{
		Service:   "claude",
		Protocol:  anthropic.Protocol{},
		Transport: up,
		Current:   func() *State { return st },
		Record:    func(r *api.Record) { *records = append(*records, r) },
		Log:       slog.New(slog.DiscardHandler),
	}
}

func newRequest(body string) *http.Request {
	r, _ := http.NewRequest("POST", "http://127.0.0.1:3210/v1/messages?beta=true", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer client-token-0000")
	r.Header.Set("Anthropic-Version", "2023-06-01")
	r.Header.Set("Content-Type", "application/json")
	return r
}

const jsonAnswer = `{"id":"msg_1","type":"message","role":"assistant","model":"claude-renamed","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":12,"output_tokens":3}}`

var sseEvents = []string{
	"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-renamed\",\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n",
	"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n",
	"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":3}}\n\n",
	"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
}

// TestStreamFlushing checks when the response is flushed: an event stream's
// headers with its first event when that comes at once (see
// TestStreamHeadersAlone), then after every read; a body of unknown length after
// every read, its headers leaving with the first chunk; a body of known
// length once, after its last byte, before the record is made. Bytes and
// usage are unchanged either way, whatever the buffer a stream reads into.
func TestStreamFlushing(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		chunks      []string
		length      bool
		wantOps     string
		wantAccel   string
	}{
		{"sse flushed per read", "text/event-stream; charset=utf-8", sseEvents, false, "HWFWFWFWF", "no"},
		{"sse with a length still flushed", "text/event-stream", sseEvents, true, "HWFWFWFWF", "no"},
		// A stream starts in a 4 KiB buffer and moves to a 32 KiB one once a
		// read fills it: a 10 KB burst is two reads, not three.
		{"sse burst", "text/event-stream", []string{sseEvents[0], strings.Repeat(sseEvents[1], 10<<10/len(sseEvents[1])), sseEvents[2], sseEvents[3]},
			false, "HWFWFWFWFWF", "no"},
		{"json of known length written whole, flushed at its end", "application/json", []string{jsonAnswer[:40], jsonAnswer[40:]}, true, "HWWF", ""},
		{"json one read", "application/json", []string{jsonAnswer}, true, "HWF", ""},
		{"json of unknown length flushed per read", "application/json", []string{"\n", jsonAnswer}, false, "HWFWF", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := &fakeUpstream{header: http.Header{"Content-Type": {tt.contentType}}, chunks: tt.chunks, length: tt.length, keep: true}
			var recs []*api.Record
			h := testHandler(t, up, &recs)
			c := newClient()
			h.ServeHTTP(c, newRequest(`{"model":"claude-sonnet-4-5","stream":true,"messages":[]}`))
			if got := string(c.ops); got != tt.wantOps {
				t.Errorf("writer calls = %q, want %q", got, tt.wantOps)
			}
			if got, want := c.body.String(), strings.Join(tt.chunks, ""); got != want {
				t.Errorf("body = %q, want %q", got, want)
			}
			if got := c.header.Get("X-Accel-Buffering"); got != tt.wantAccel {
				t.Errorf("X-Accel-Buffering = %q, want %q", got, tt.wantAccel)
			}
			if got, want := string(up.got), `{"model":"claude-renamed","stream":true,"messages":[]}`; got != want {
				t.Errorf("upstream body = %s, want %s", got, want)
			}
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			r := recs[0]
			if r.Usage == nil || r.Usage.InputTokens != 12 || r.Usage.OutputTokens != 3 {
				t.Errorf("usage = %+v, want 12 in, 3 out", r.Usage)
			}
			if r.Status != 200 || r.Incomplete || r.Error != "" || r.ModelSent != "claude-renamed" {
				t.Errorf("record status %d incomplete %v error %q model %q", r.Status, r.Incomplete, r.Error, r.ModelSent)
			}
			if got := r.ResponseHeaders["Content-Type"]; len(got) != 1 || got[0] != tt.contentType {
				t.Errorf("logged Content-Type = %q, want %q", got, tt.contentType)
			}
			if got := r.ResponseHeaders["X-Accel-Buffering"]; tt.wantAccel != "" && (len(got) != 1 || got[0] != tt.wantAccel) {
				t.Errorf("logged X-Accel-Buffering = %q, want %q", got, tt.wantAccel)
			}
			if got := r.RequestHeaders["Authorization"]; len(got) != 1 || got[0] != "Bearer …cdef" {
				t.Errorf("logged Authorization = %q, want it masked", got)
			}
		})
	}
}

// slowBody is an event stream whose first read waits until the client was
// flushed (the headers, alone) or a while has passed.
type slowBody struct {
	chunkReader
	flushed <-chan struct{}
	waited  bool
}

func (b *slowBody) Read(p []byte) (int, error) {
	if !b.waited {
		b.waited = true
		select {
		case <-b.flushed:
		case <-time.After(5 * time.Second):
			return 0, errors.New("the headers were not flushed while the first event was awaited")
		}
	}
	return b.chunkReader.Read(p)
}

// flushClient is a client that tells when it is first flushed.
type flushClient struct {
	*client
	once    sync.Once
	flushed chan struct{}
}

func (c *flushClient) Flush() {
	c.client.Flush()
	c.once.Do(func() { close(c.flushed) })
}

// TestStreamHeadersAlone: an event stream's headers do not wait for a first
// event that is long in coming; they are flushed on their own, and the
// events follow as usual.
func TestStreamHeadersAlone(t *testing.T) {
	c := &flushClient{client: newClient(), flushed: make(chan struct{})}
	up := &fakeUpstream{header: http.Header{"Content-Type": {"text/event-stream"}}}
	up.body = &slowBody{chunkReader: chunkReader{chunks: slices.Clone(sseEvents)}, flushed: c.flushed}
	var recs []*api.Record
	h := testHandler(t, up, &recs)
	h.ServeHTTP(c, newRequest(`{"model":"claude-sonnet-4-5","stream":true,"messages":[]}`))
	if got, want := string(c.ops), "HFWFWFWFWF"; got != want {
		t.Errorf("writer calls = %q, want %q", got, want)
	}
	if got, want := c.body.String(), strings.Join(sseEvents, ""); got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	if len(recs) != 1 || recs[0].Error != "" || recs[0].Usage == nil || recs[0].Usage.OutputTokens != 3 {
		t.Fatalf("records = %+v", recs)
	}
}

// TestRecordStream: a record is a stream when the answer was an event
// stream, or when it failed and the request asked for one (an error
// answered in JSON); a whole answer that succeeded is no stream.
func TestRecordStream(t *testing.T) {
	const tooMany = http.StatusTooManyRequests
	for _, tt := range []struct {
		name, contentType, body string
		status                  int
		chunks                  []string
		want                    bool
	}{
		{"event stream", "text/event-stream", `{"model":"m","messages":[],"stream":true}`, 0, sseEvents, true},
		{"event stream not asked for", "text/event-stream", `{"model":"m","messages":[]}`, 0, sseEvents, true},
		{"asked, failed in JSON", "application/json", `{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true}`, tooMany, []string{jsonAnswer}, true},
		{"asked, answered whole", "application/json", `{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true}`, 0, []string{jsonAnswer}, false},
		{"stream false", "application/json", `{"model":"m","messages":[],"stream":false}`, tooMany, []string{jsonAnswer}, false},
		{"no stream field", "application/json", `{"model":"m","messages":[]}`, tooMany, []string{jsonAnswer}, false},
		{"stream first", "application/json", `{"stream":true,"model":"m","messages":[]}`, tooMany, []string{jsonAnswer}, true},
		{"stream after the input", "application/json", `{"model":"m","input":[{"role":"user","content":"x"}],"stream":true,"store":false}`, tooMany, []string{jsonAnswer}, true},
		{"stream nested last", "application/json", `{"model":"m","messages":[],"metadata":{"stream":true}}`, tooMany, []string{jsonAnswer}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var recs []*api.Record
			h := testHandler(t, &fakeUpstream{header: http.Header{"Content-Type": {tt.contentType}}, status: tt.status, chunks: tt.chunks}, &recs)
			h.ServeHTTP(newClient(), newRequest(tt.body))
			if len(recs) != 1 || recs[0].Stream != tt.want {
				t.Fatalf("records %d, Stream = %v, want %v", len(recs), len(recs) == 1 && recs[0].Stream, tt.want)
			}
		})
	}
}

// benchBody is a Claude-Code-like request of about size bytes with one
// secret for the filter to find.
func benchBody(size int) string {
	var b strings.Builder
	b.WriteString(`{"model":"claude-sonnet-4-5","max_tokens":32000,"messages":[`)
	text := strings.Repeat(`Some code: if (a[i] == \"}\") { return x; } // naive `, 8)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"role":"user","content":[{"type":"text","text":"` + text + `"}]}`)
	}
	b.WriteString(`,{"role":"user","content":"key AKIAABCDEFGHIJKLMNOP"}],"stream":false}`)
	return b.String()
}

// BenchmarkServeHTTP is the whole request path of scenario 2 (a 2 KB
// request, a 1 KB JSON answer) and of larger bodies, against an in-memory
// upstream: routing, filter, attempt, streaming, the usage tap and the
// record, without sockets.
func BenchmarkServeHTTP(b *testing.B) {
	for _, size := range []int{2 << 10, 100 << 10, 1 << 20} {
		body := benchBody(size)
		b.Run(fmt.Sprintf("json/%dKB", size>>10), func(b *testing.B) {
			up := &fakeUpstream{header: http.Header{"Content-Type": {"application/json"}}, length: true, chunks: []string{strings.Repeat(" ", 1024-len(jsonAnswer)) + jsonAnswer}}
			var recs []*api.Record
			h := testHandler(b, up, &recs)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				up.chunks = up.chunks[:1:1]
				recs = recs[:0]
				h.ServeHTTP(newClient(), newRequest(body))
			}
		})
	}
	b.Run("sse/2KB", func(b *testing.B) {
		body := benchBody(2 << 10)
		up := &fakeUpstream{header: http.Header{"Content-Type": {"text/event-stream"}}}
		var recs []*api.Record
		h := testHandler(b, up, &recs)
		b.ReportAllocs()
		for b.Loop() {
			up.chunks = append(up.chunks[:0], sseEvents...)
			recs = recs[:0]
			h.ServeHTTP(newClient(), newRequest(body))
		}
	})
}

// TestRecordSizes: the record keeps the whole bodies' sizes (the request
// as sent: renamed and filtered) while its copies stop at BodyCap.
func TestRecordSizes(t *testing.T) {
	var recs []*api.Record
	answer := strings.Repeat(" ", 3000) + jsonAnswer
	h := testHandler(t, &fakeUpstream{header: http.Header{"Content-Type": {"application/json"}}, chunks: []string{answer[:1000], answer[1000:]}}, &recs)
	st := *h.Current()
	st.BodyCap = 1000
	h.Current = func() *State { return &st }
	body := `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"AKIAABCDEFGHIJKLMNOP ` + strings.Repeat("x", 5000) + `"}]}`
	h.ServeHTTP(newClient(), newRequest(body))
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	sent := strings.Replace(strings.Replace(body, "claude-sonnet-4-5", "claude-renamed", 1), "AKIAABCDEFGHIJKLMNOP", "[REDACTED-AWS-KEY]", 1)
	r := recs[0]
	if r.RequestSize != int64(len(sent)) || len(r.RequestBody) != 1000 {
		t.Errorf("request: size %d, %d bytes kept; want %d, 1000", r.RequestSize, len(r.RequestBody), len(sent))
	}
	if r.ResponseSize != int64(len(answer)) || len(r.ResponseBody) != 1000 {
		t.Errorf("response: size %d, %d bytes kept; want %d, 1000", r.ResponseSize, len(r.ResponseBody), len(answer))
	}
}
