package protocol_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"go.uber.org/goleak"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/protocol"
	"github.com/clp-proxy/clp/internal/protocol/anthropic"
	"github.com/clp-proxy/clp/internal/protocol/openai"
	"github.com/clp-proxy/clp/internal/sse"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type golden struct {
	Usage *api.Usage `json:"usage"`
	Done  bool       `json:"done"`
	Model string     `json:"model"`
}

type transcript struct {
	name  string // adapter/file
	proto protocol.Protocol
	body  []byte
	sse   bool
	want  golden
}

// transcripts loads every golden transcript of both adapters.
func transcripts(t testing.TB) []transcript {
	t.Helper()
	var all []transcript
	for dir, p := range map[string]protocol.Protocol{"anthropic": anthropic.Protocol{}, "openai": openai.Protocol{}} {
		b, err := os.ReadFile(filepath.Join(dir, "testdata", "usage.golden.json"))
		if err != nil {
			t.Fatal(err)
		}
		var g map[string]golden
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatal(err)
		}
		for file, want := range g {
			body, err := os.ReadFile(filepath.Join(dir, "testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, transcript{dir + "/" + file, p, body, strings.HasSuffix(file, ".sse"), want})
		}
	}
	if len(all) < 20 {
		t.Fatalf("found only %d transcripts", len(all))
	}
	return all
}

// countEvents counts the events of an SSE body independently of the Tap.
func countEvents(body []byte) int {
	var p sse.Parser
	n := 0
	p.Feed(body, func(_, _ []byte) { n++ })
	p.Flush(func(_, _ []byte) { n++ })
	return n
}

type encoder struct {
	name string
	enc  func(t testing.TB, b []byte) []byte
}

func compress(t testing.TB, b []byte, newWriter func(io.Writer) (io.WriteCloser, error)) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := newWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var encoders = []encoder{
	{"", func(_ testing.TB, b []byte) []byte { return b }},
	{"gzip", func(t testing.TB, b []byte) []byte {
		return compress(t, b, func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriter(w), nil })
	}},
	{"deflate", func(t testing.TB, b []byte) []byte {
		return compress(t, b, func(w io.Writer) (io.WriteCloser, error) { return zlib.NewWriter(w), nil })
	}},
	{"deflate-raw", func(t testing.TB, b []byte) []byte {
		return compress(t, b, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.DefaultCompression) })
	}},
	{"br", func(t testing.TB, b []byte) []byte {
		return compress(t, b, func(w io.Writer) (io.WriteCloser, error) { return brotli.NewWriter(w), nil })
	}},
	{"zstd", func(t testing.TB, b []byte) []byte {
		return compress(t, b, func(w io.Writer) (io.WriteCloser, error) { return zstd.NewWriter(w) })
	}},
}

// header is the Content-Encoding value for an encoder name.
func header(enc string) string { return strings.TrimSuffix(enc, "-raw") }

// chunks splits b into pieces whose sizes cycle through sizes.
func chunks(b []byte, sizes ...int) [][]byte {
	var out [][]byte
	for i := 0; len(b) > 0; i++ {
		n := min(sizes[i%len(sizes)], len(b))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

func tap(p protocol.Protocol, ctype, enc string, bodyCap int, pieces [][]byte) protocol.TapResult {
	tp := protocol.NewTap(p, ctype, enc, bodyCap)
	for _, c := range pieces {
		tp.Write(c)
	}
	return tp.Close()
}

func checkResult(t *testing.T, got protocol.TapResult, tr transcript) {
	t.Helper()
	switch {
	case tr.want.Usage == nil && got.Usage != nil:
		t.Errorf("usage = %+v, want unknown", *got.Usage)
	case tr.want.Usage != nil && got.Usage == nil:
		t.Errorf("usage unknown, want %+v", *tr.want.Usage)
	case tr.want.Usage != nil && *got.Usage != *tr.want.Usage:
		t.Errorf("usage = %+v, want %+v", *got.Usage, *tr.want.Usage)
	}
	if got.Done != tr.want.Done {
		t.Errorf("Done = %v, want %v", got.Done, tr.want.Done)
	}
	if got.Model != tr.want.Model {
		t.Errorf("Model = %q, want %q", got.Model, tr.want.Model)
	}
}

func TestTapGolden(t *testing.T) {
	for _, tr := range transcripts(t) {
		ctype := "application/json"
		if tr.sse {
			ctype = "text/event-stream; charset=utf-8"
		}
		wantEvents := 0
		if tr.sse {
			wantEvents = countEvents(tr.body)
		}
		for _, e := range encoders {
			wire := e.enc(t, tr.body)
			for _, sizes := range [][]int{{len(wire)}, {1}, {7, 300, 2}} {
				for _, ct := range []string{ctype, ""} { // "" makes the Tap sniff
					name := fmt.Sprintf("%s/enc=%s/chunks=%v/ctype=%q", tr.name, e.name, sizes, ct)
					t.Run(name, func(t *testing.T) {
						got := tap(tr.proto, ct, header(e.name), 1<<20, chunks(wire, sizes...))
						checkResult(t, got, tr)
						if !bytes.Equal(got.Body, tr.body) || got.Truncated {
							t.Errorf("Body = %d bytes (truncated %v), want the %d decoded bytes", len(got.Body), got.Truncated, len(tr.body))
						}
						if got.Events != wantEvents {
							t.Errorf("Events = %d, want %d", got.Events, wantEvents)
						}
					})
				}
			}
		}
	}
}

func TestTapBody(t *testing.T) {
	sseBody := []byte("event: ping\ndata: {\"type\":\"ping\"}\n\n")
	jsonBody := []byte(`  {"type":"message","model":"m","usage":{"input_tokens":3,"output_tokens":4}}`)
	tests := []struct {
		name      string
		ctype     string
		body      []byte
		cap       int
		wantBody  []byte
		truncated bool
	}{
		{"sse under cap", "text/event-stream", sseBody, 100, sseBody, false},
		{"sse over cap", "text/event-stream", sseBody, 10, sseBody[:10], true},
		{"sse no body kept", "text/event-stream", sseBody, 0, nil, true},
		{"json under cap", "application/json", jsonBody, 100, jsonBody, false},
		{"json over cap", "application/json", jsonBody, 12, jsonBody[:12], true},
		{"sniffed json keeps leading space", "", jsonBody, 100, jsonBody, false},
		{"sniffed json over cap", "", jsonBody, 5, jsonBody[:5], true},
		{"other type", "text/html", []byte("<html>bad gateway</html>"), 100, []byte("<html>bad gateway</html>"), false},
		{"empty", "application/json", nil, 100, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, sizes := range [][]int{{1}, {3, 50}, {1000}} {
				got := tap(anthropic.Protocol{}, tt.ctype, "", tt.cap, chunks(tt.body, sizes...))
				if !bytes.Equal(got.Body, tt.wantBody) || got.Truncated != tt.truncated {
					t.Errorf("chunks %v: Body %q truncated %v, want %q truncated %v", sizes, got.Body, got.Truncated, tt.wantBody, tt.truncated)
				}
			}
		})
	}
}

func TestTapJSONUsage(t *testing.T) {
	body := []byte(`{"type":"message","model":"claude-x","usage":{"input_tokens":3,"output_tokens":4}}`)
	got := tap(anthropic.Protocol{}, "application/json", "", 8, chunks(body, 5))
	if got.Usage == nil || *got.Usage != (api.Usage{InputTokens: 3, OutputTokens: 4}) || !got.Done || got.Model != "claude-x" {
		t.Fatalf("got %+v, want usage 3/4, done, model claude-x (a small body cap must not hide usage)", got)
	}
	// A JSON body cut short is not done and has no usage.
	got = tap(anthropic.Protocol{}, "application/json", "", 8, [][]byte{body[:len(body)-10]})
	if got.Usage != nil || got.Done {
		t.Fatalf("cut JSON: got usage %v done %v, want unknown, not done", got.Usage, got.Done)
	}
}

func TestTapJSONTooLarge(t *testing.T) {
	tp := protocol.NewTap(openai.Protocol{}, "application/json", "", 64)
	head := []byte(`{"model":"gpt-5","output":"`)
	tp.Write(head)
	filler := bytes.Repeat([]byte("a"), 1<<20)
	for range protocol.MaxJSONBody / len(filler) {
		tp.Write(filler)
	}
	tp.Write([]byte(`","usage":{"input_tokens":1,"output_tokens":1}}`))
	got := tp.Close()
	if got.Usage != nil || got.Done {
		t.Errorf("over MaxJSONBody: usage %v done %v, want unknown, not done", got.Usage, got.Done)
	}
	if want := append(head, filler[:64-len(head)]...); !bytes.Equal(got.Body, want) || !got.Truncated {
		t.Errorf("Body = %q (truncated %v), want the first 64 bytes, truncated", got.Body, got.Truncated)
	}
}

func TestTapUnsupportedEncoding(t *testing.T) {
	for _, enc := range []string{"compress", "gzip, br", "snappy"} {
		got := tap(anthropic.Protocol{}, "text/event-stream", enc, 100, [][]byte{[]byte("data: x\n\n")})
		if got.Usage != nil || got.Body != nil || !got.Truncated || got.Events != 0 {
			t.Errorf("%q: got %+v, want unknown usage, no body, truncated", enc, got)
		}
	}
}

func TestTapCompressedCutShort(t *testing.T) {
	// Long enough that every encoder has emitted whole blocks before the cut.
	var body []byte
	for _, c := range longStream(4000) {
		body = append(body, c...)
	}
	for _, e := range encoders[1:] {
		t.Run(e.name, func(t *testing.T) {
			wire := e.enc(t, body)
			got := tap(anthropic.Protocol{}, "text/event-stream", header(e.name), 1<<20, chunks(wire[:len(wire)*2/3], 512))
			if got.Done {
				t.Error("Done = true for a stream cut short")
			}
			if got.Usage == nil || got.Usage.InputTokens != 25 || got.Usage.OutputTokens != 1 {
				t.Errorf("usage = %v, want the 25 input and 1 output tokens counted before the cut", got.Usage)
			}
			if got.Events == 0 || got.Events >= 4000 {
				t.Errorf("Events = %d, want some but not all", got.Events)
			}
			if !bytes.HasPrefix(body, got.Body) || len(got.Body) == 0 {
				t.Errorf("Body (%d bytes) is not a prefix of the stream", len(got.Body))
			}
		})
	}
}

func TestTapCorruptCompressed(t *testing.T) {
	garbage := bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 5000)
	for _, e := range encoders[1:] {
		t.Run(e.name, func(t *testing.T) {
			got := tap(anthropic.Protocol{}, "text/event-stream", header(e.name), 100, chunks(garbage, 999))
			if got.Usage != nil || got.Done || !got.Truncated {
				t.Errorf("garbage decoded to usage %v done %v truncated %v, want unknown, not done, truncated", got.Usage, got.Done, got.Truncated)
			}
		})
	}
}

// TestTapDecoderReuse: decoders are kept between responses; one left in the
// middle of a corrupt or cut-short body must not leak anything into the next
// response, sequentially or with responses decoded side by side.
func TestTapDecoderReuse(t *testing.T) {
	var body []byte
	for _, c := range longStream(500) {
		body = append(body, c...)
	}
	garbage := bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 500)
	for _, e := range encoders[1:] {
		t.Run(e.name, func(t *testing.T) {
			wire := e.enc(t, body)
			var wg sync.WaitGroup
			for g := range 4 {
				wg.Go(func() {
					for i := range 6 {
						var pieces [][]byte
						switch (g + i) % 3 {
						case 0:
							pieces = chunks(garbage, 333)
						case 1:
							pieces = chunks(wire[:len(wire)/2], 777)
						default:
							got := tap(anthropic.Protocol{}, "text/event-stream", header(e.name), 1<<20, chunks(wire, 1000))
							if !bytes.Equal(got.Body, body) || !got.Done || got.Truncated || got.Events != 500 {
								t.Errorf("after reuse: body equal %v, done %v, truncated %v, events %d", bytes.Equal(got.Body, body), got.Done, got.Truncated, got.Events)
							}
							continue
						}
						tap(anthropic.Protocol{}, "text/event-stream", header(e.name), 1<<20, pieces)
					}
				})
			}
			wg.Wait()
		})
	}
}

func TestTapGarbageAfterCompressedBody(t *testing.T) {
	// The decoder stops at the garbage; what it read stands, the rest is
	// dropped and the body is marked truncated.
	body := []byte("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":9}}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	wire := encoders[1].enc(t, body) // gzip
	tp := protocol.NewTap(anthropic.Protocol{}, "text/event-stream", "gzip", 1<<10)
	tp.Write(wire)
	tp.Write([]byte("not gzip at all"))
	for range 50 {
		tp.Write([]byte("more garbage after the decoder stopped"))
	}
	got := tp.Close()
	if got.Usage == nil || got.Usage.InputTokens != 9 || !got.Done {
		t.Errorf("usage %v done %v, want 9 input tokens, done", got.Usage, got.Done)
	}
	if !bytes.Equal(got.Body, body) || !got.Truncated {
		t.Errorf("Body %q truncated %v, want the decoded stream, truncated", got.Body, got.Truncated)
	}
}

func TestTapGivesUpWhenQueueIsFull(t *testing.T) {
	tp := protocol.NewTap(anthropic.Protocol{}, "text/event-stream", "gzip", 100)
	var events int
	tp.OnEvent(func(_, _ []byte) { events++ })
	tp.Write(make([]byte, protocol.MaxQueued+1)) // more than may wait: give up, do not block
	tp.Write([]byte("more"))
	got := tp.Close()
	if got.Usage != nil || got.Done || !got.Truncated {
		t.Fatalf("got %+v, want unknown usage, not done, truncated", got)
	}
}

func TestTapOnEvent(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("openai", "testdata", "responses_text.sse"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range encoders {
		t.Run(e.name, func(t *testing.T) {
			tp := protocol.NewTap(openai.Protocol{}, "text/event-stream", header(e.name), 0)
			var names []string
			tp.OnEvent(func(event, _ []byte) { names = append(names, string(event)) })
			for _, c := range chunks(e.enc(t, body), 64) {
				tp.Write(c)
			}
			got := tp.Close()
			if len(names) != got.Events || len(names) != 10 {
				t.Fatalf("hook saw %d events, Events = %d, want 10", len(names), got.Events)
			}
			if names[0] != "response.created" || names[9] != "response.completed" {
				t.Errorf("hook saw %q first and %q last", names[0], names[9])
			}
		})
	}
}

func TestTapCloseTwiceAndWriteAfterClose(t *testing.T) {
	body := []byte("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
	for _, e := range encoders {
		tp := protocol.NewTap(anthropic.Protocol{}, "text/event-stream", header(e.name), 1000)
		tp.Write(e.enc(t, body))
		first := tp.Close()
		tp.Write([]byte("event: x\ndata: y\n\n"))
		second := tp.Close()
		if first.Events != 1 || second.Events != 1 || !second.Done || !bytes.Equal(first.Body, second.Body) {
			t.Errorf("%s: first %+v, second %+v", e.name, first, second)
		}
	}
	// Close without any Write starts no goroutine and reports nothing.
	got := protocol.NewTap(anthropic.Protocol{}, "text/event-stream", "br", 10).Close()
	if got.Usage != nil || got.Body != nil || got.Events != 0 || got.Truncated {
		t.Errorf("empty compressed response: got %+v", got)
	}
}

func TestTapNilProtocol(t *testing.T) {
	body := []byte("data: {\"type\":\"message_stop\"}\n\n")
	got := tap(nil, "text/event-stream", "", 100, [][]byte{body})
	if got.Usage != nil || got.Done || got.Model != "" || got.Events != 1 || !bytes.Equal(got.Body, body) {
		t.Errorf("got %+v, want body and event count only", got)
	}
}

// longStream is an Anthropic stream of n events, one chunk per event as
// an upstream flushes them.
func longStream(n int) [][]byte {
	out := [][]byte{[]byte("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n")}
	for i := range n - 3 {
		out = append(out, fmt.Appendf(nil, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word %d \"}}\n\n", i))
	}
	return append(out, []byte("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":1998}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
}

func TestTapDoesNotAllocatePerEvent(t *testing.T) {
	stream := longStream(2000)
	allocs := testing.AllocsPerRun(5, func() {
		r := tap(anthropic.Protocol{}, "text/event-stream", "", 64<<10, stream)
		if r.Events != 2000 || r.Usage == nil || r.Usage.OutputTokens != 1998 {
			t.Fatalf("got %d events, usage %v", r.Events, r.Usage)
		}
	})
	// A fixed number for the Tap, its buffers and the two decoded events;
	// nothing that grows with the 2000 events.
	if allocs > 60 {
		t.Fatalf("a 2000-event stream cost %v allocations", allocs)
	}
}

func FuzzTap(f *testing.F) {
	f.Add([]byte("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"), uint8(0), uint8(3))
	f.Add([]byte(`{"usage":{"input_tokens":1}}`), uint8(1), uint8(1))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, uint8(2), uint8(9))
	f.Add([]byte{0x78, 0x9c, 0x03, 0x00}, uint8(3), uint8(2))
	f.Fuzz(func(t *testing.T, body []byte, mode, step uint8) {
		encs := []string{"", "gzip", "deflate", "br", "zstd"}
		ctypes := []string{"text/event-stream", "application/json", ""}
		protos := []protocol.Protocol{anthropic.Protocol{}, openai.Protocol{}}
		tp := protocol.NewTap(protos[int(mode)%2], ctypes[int(mode/2)%3], encs[int(mode/6)%5], 32)
		for _, c := range chunks(body, int(step%17)+1) {
			tp.Write(c)
		}
		got := tp.Close()
		if len(got.Body) > 32 {
			t.Fatalf("Body of %d bytes over a 32-byte cap", len(got.Body))
		}
		if u := got.Usage; u != nil && (u.InputTokens < 0 || u.OutputTokens < 0 || u.CacheReadTokens < 0 || u.CacheWriteTokens < 0) {
			t.Fatalf("negative usage %+v", *u)
		}
	})
}

func BenchmarkTap(b *testing.B) {
	stream := longStream(2000)
	var raw []byte
	for _, c := range stream {
		raw = append(raw, c...)
	}
	for _, e := range encoders {
		wire := e.enc(b, raw)
		// Keep the compressed pieces about as large as the plain events.
		pieces := stream
		if e.name != "" {
			pieces = chunks(wire, max(len(wire)/2000, 16))
		}
		name := e.name
		if name == "" {
			name = "identity"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				tp := protocol.NewTap(anthropic.Protocol{}, "text/event-stream", header(e.name), 64<<10)
				for _, c := range pieces {
					tp.Write(c)
				}
				if r := tp.Close(); r.Events != 2000 {
					b.Fatalf("Events = %d", r.Events)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2000, "ns/event")
		})
	}
}

func TestChunksHelper(t *testing.T) {
	got := chunks([]byte("abcdefg"), 2, 3)
	want := []string{"ab", "cde", "fg"}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range got {
		if string(got[i]) != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}

// BenchmarkTapJSON is the tap on a small non-streaming answer, the common
// case under load (scenario 2 of cmd/clpbench): a 1 KB Message body.
func BenchmarkTapJSON(b *testing.B) {
	body := []byte(`{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"` +
		strings.Repeat("word ", 160) + `"}],"usage":{"input_tokens":12,"output_tokens":3}}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		tp := protocol.NewTap(anthropic.Protocol{}, "application/json", "", 256<<10)
		tp.Write(body)
		if r := tp.Close(); r.Usage == nil || len(r.Body) != len(body) {
			b.Fatal("no usage or body")
		}
	}
}

// panicky is a protocol whose usage extractor panics, as a bug would on
// some upstream's bytes.
type panicky struct{ anthropic.Protocol }

func (panicky) NewExtractor() protocol.Extractor { return panicExtractor{} }

type panicExtractor struct{}

func (panicExtractor) Event(_, _ []byte)        { panic("extractor bug") }
func (panicExtractor) JSON([]byte)              { panic("extractor bug") }
func (panicExtractor) Usage() (api.Usage, bool) { return api.Usage{}, false }
func (panicExtractor) Done() bool               { return false }
func (panicExtractor) Model() string            { return "" }

// TestTapSurvivesPanics: a panic in an extractor or an OnEvent hook, on
// the proxy's goroutine (identity bodies) or the decoder's (compressed
// ones), stops the Tap with the panic in Fault and usage unknown; Write and
// Close return normally, so the response goes on untouched.
func TestTapSurvivesPanics(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("openai", "testdata", "responses_text.sse"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range encoders {
		t.Run("hook/"+e.name, func(t *testing.T) {
			tp := protocol.NewTap(openai.Protocol{}, "text/event-stream", header(e.name), 1<<20)
			n := 0
			tp.OnEvent(func(_, _ []byte) {
				if n++; n == 3 {
					panic("hook bug")
				}
			})
			for _, c := range chunks(e.enc(t, body), 64) {
				tp.Write(c)
			}
			got := tp.Close()
			if !strings.Contains(got.Fault, "hook bug") || !strings.Contains(got.Fault, "goroutine") {
				t.Errorf("Fault = %q, want the panic and its stack", got.Fault)
			}
			if got.Usage != nil || got.Done || !got.Truncated || n != 3 {
				t.Errorf("usage %v done %v truncated %v after %d events; want unknown, not done, truncated, 3", got.Usage, got.Done, got.Truncated, n)
			}
		})
		t.Run("extractor/"+e.name, func(t *testing.T) {
			got := tap(panicky{}, "application/json", header(e.name), 100, chunks(e.enc(t, []byte(`{"usage":{"input_tokens":1}}`)), 7))
			if !strings.Contains(got.Fault, "extractor bug") || got.Usage != nil {
				t.Errorf("JSON: Fault %q usage %v", got.Fault, got.Usage)
			}
			got = tap(panicky{}, "text/event-stream", header(e.name), 100, chunks(e.enc(t, body), 64))
			if !strings.Contains(got.Fault, "extractor bug") || got.Usage != nil {
				t.Errorf("SSE: Fault %q usage %v", got.Fault, got.Usage)
			}
		})
	}
	if got := tap(anthropic.Protocol{}, "text/event-stream", "", 100, chunks(body, 64)); got.Fault != "" {
		t.Errorf("a healthy Tap has Fault %q", got.Fault)
	}
}
