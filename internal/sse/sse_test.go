package sse

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

type ev struct{ Event, Data string }

// collect feeds chunks in order and returns the events produced.
func collect(p *Parser, chunks ...[]byte) []ev {
	var got []ev
	for _, c := range chunks {
		p.Feed(c, func(event, data []byte) {
			got = append(got, ev{string(event), string(data)})
		})
	}
	return got
}

// reference parses a whole stream the slow, obvious way, straight from the
// WHATWG event-stream rules, for comparing against the incremental parser.
func reference(stream string) []ev {
	stream = strings.TrimPrefix(stream, "\xEF\xBB\xBF")
	stream = strings.ReplaceAll(stream, "\r\n", "\n")
	stream = strings.ReplaceAll(stream, "\r", "\n")
	lines := strings.Split(stream, "\n")
	lines = lines[:len(lines)-1] // the text after the last line end is not a line
	var out []ev
	var event string
	var data []string
	for _, line := range lines {
		if line == "" {
			if data != nil {
				out = append(out, ev{event, strings.Join(data, "\n")})
			}
			event, data = "", nil
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		name, value, found := strings.Cut(line, ":")
		if found {
			value = strings.TrimPrefix(value, " ")
		}
		switch name {
		case "data":
			data = append(data, value)
		case "event":
			event = value
		}
	}
	return out
}

func TestFeed(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []ev
	}{
		{"one event", "event: ping\ndata: {}\n\n", []ev{{"ping", "{}"}}},
		{"no space after colon", "event:ping\ndata:{}\n\n", []ev{{"ping", "{}"}}},
		{"only one space is dropped", "data:  two\n\n", []ev{{"", " two"}}},
		{"crlf", "event: a\r\ndata: 1\r\n\r\n", []ev{{"a", "1"}}},
		{"bare cr", "event: a\rdata: 1\r\r", []ev{{"a", "1"}}},
		{"multi-line data", "data: a\ndata: b\ndata:\n\n", []ev{{"", "a\nb\n"}}},
		{"comments", ": keep-alive\n\n:x\ndata: y\n\n", []ev{{"", "y"}}},
		{"no data, no event", "event: lonely\n\n", nil},
		{"empty data line dispatches", "data\n\n", []ev{{"", ""}}},
		{"event name resets", "event: a\ndata: 1\n\ndata: 2\n\n", []ev{{"a", "1"}, {"", "2"}}},
		{"unfinished event is dropped", "data: 1\n\ndata: 2\n", []ev{{"", "1"}}},
		{"id and retry ignored", "id: 7\nretry: 10\ndata: x\n\n", []ev{{"", "x"}}},
		{"unknown field", "foo: bar\ndata: x\n\n", []ev{{"", "x"}}},
		{"bom", "\xEF\xBB\xBFdata: x\n\n", []ev{{"", "x"}}},
		{"bom only at start", "data: x\n\n\xEF\xBB\xBFdata: y\n\n", []ev{{"", "x"}}},
		{"done sentinel", "data: [DONE]\n\n", []ev{{"", "[DONE]"}}},
		{"colon in value", "data: {\"a\":1}\n\n", []ev{{"", `{"a":1}`}}},
		{"blank lines between", "\n\n\ndata: x\n\n\n", []ev{{"", "x"}}},
		{"mixed line ends", "data: a\r\ndata: b\rdata: c\n\r\n", []ev{{"", "a\nb\nc"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ref := reference(tt.stream); !equal(ref, tt.want) {
				t.Fatalf("reference(%q) = %v, want %v (test table is wrong)", tt.stream, ref, tt.want)
			}
			var p Parser
			if got := collect(&p, []byte(tt.stream)); !equal(got, tt.want) {
				t.Errorf("whole: got %v, want %v", got, tt.want)
			}
			// Every split point, and byte by byte.
			for i := 0; i <= len(tt.stream); i++ {
				var p Parser
				got := collect(&p, []byte(tt.stream[:i]), []byte(tt.stream[i:]))
				if !equal(got, tt.want) {
					t.Errorf("split at %d: got %v, want %v", i, got, tt.want)
				}
			}
			var pb Parser
			var chunks [][]byte
			for i := range len(tt.stream) {
				chunks = append(chunks, []byte{tt.stream[i]})
			}
			if got := collect(&pb, chunks...); !equal(got, tt.want) {
				t.Errorf("byte by byte: got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCRLFSplitAcrossChunks(t *testing.T) {
	// "\r" ends one chunk, "\n" starts the next: one line end, not two,
	// so the event is not dispatched early with only its first data line.
	var p Parser
	got := collect(&p, []byte("data: a\r"), []byte("\ndata: b\r"), []byte("\n\r"), []byte("\n"))
	want := []ev{{"", "a\nb"}}
	if !equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestFlush(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []ev
	}{
		{"complete lines without blank line", "data: a\n\nevent: x\ndata: b\n", []ev{{"", "a"}, {"x", "b"}}},
		{"unfinished line dropped", "data: a\n\ndata: {\"cut", []ev{{"", "a"}}},
		{"unfinished line dropped, earlier lines kept", "data: 1\ndata: 2", []ev{{"", "1"}}},
		{"nothing pending", "data: a\n\n", []ev{{"", "a"}}},
		{"oversized pending event stays dropped", "data: " + strings.Repeat("x", 100) + "\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Parser{MaxEvent: 50}
			var got []ev
			fn := func(e, d []byte) { got = append(got, ev{string(e), string(d)}) }
			p.Feed([]byte(tt.stream), fn)
			p.Flush(fn)
			if !equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			got = nil
			p.Feed([]byte("data: next\n\n"), fn)
			if want := []ev{{"", "next"}}; !equal(got, want) {
				t.Errorf("after Flush: got %v, want %v", got, want)
			}
		})
	}
}

func TestMaxEvent(t *testing.T) {
	big := strings.Repeat("x", 100)
	tests := []struct {
		name      string
		stream    string
		max       int
		want      []ev
		oversized int
	}{
		{"fits exactly", "data: " + big + "\n\n", 100, []ev{{"", big}}, 0},
		{"one line too long", "data: " + big + "\n\ndata: ok\n\n", 99, []ev{{"", "ok"}}, 1},
		{"many lines add up", strings.Repeat("data: "+big[:40]+"\n", 3) + "\ndata: ok\n\n", 100, []ev{{"", "ok"}}, 1},
		{"two oversized events", "data: " + big + "\n\ndata: " + big + "\n\n", 50, nil, 2},
		{"long comment line skips its event", ": " + big + "\ndata: lost\n\ndata: ok\n\n", 30, []ev{{"", "ok"}}, 1},
		{"comment within slack", ": " + big + "\ndata: kept\n\n", 50, []ev{{"", "kept"}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, size := range []int{1, 7, len(tt.stream)} {
				p := Parser{MaxEvent: tt.max}
				var chunks [][]byte
				for s := tt.stream; len(s) > 0; {
					n := min(size, len(s))
					chunks = append(chunks, []byte(s[:n]))
					s = s[n:]
				}
				got := collect(&p, chunks...)
				if !equal(got, tt.want) {
					t.Errorf("chunk size %d: got %v, want %v", size, got, tt.want)
				}
				if p.Oversized() != tt.oversized {
					t.Errorf("chunk size %d: Oversized() = %d, want %d", size, p.Oversized(), tt.oversized)
				}
			}
		})
	}
}

func TestMaxEventBoundsMemory(t *testing.T) {
	// An endless line and an endless event must not grow the buffers past
	// the bound, however they are chunked.
	const limit = 1 << 10
	p := Parser{MaxEvent: limit}
	chunk := bytes.Repeat([]byte("y"), 300)
	p.Feed([]byte("data: "), func(_, _ []byte) {})
	for range 100 {
		p.Feed(chunk, func(_, _ []byte) { t.Fatal("unexpected event") })
		if cap(p.line) > 2*limit || cap(p.data) > 2*limit {
			t.Fatalf("buffers grew: line cap %d, data cap %d", cap(p.line), cap(p.data))
		}
	}
	line := []byte("data: " + strings.Repeat("z", 200) + "\n")
	for range 100 {
		p.Feed(line, func(_, _ []byte) { t.Fatal("unexpected event") })
		if cap(p.line) > 2*limit || cap(p.data) > 2*limit {
			t.Fatalf("buffers grew: line cap %d, data cap %d", cap(p.line), cap(p.data))
		}
	}
	var got []ev
	p.Feed([]byte("\n\ndata: after\n\n"), func(e, d []byte) { got = append(got, ev{string(e), string(d)}) })
	if want := []ev{{"", "after"}}; !equal(got, want) {
		t.Fatalf("after oversize: got %v, want %v", got, want)
	}
	if p.Oversized() != 1 {
		t.Fatalf("Oversized() = %d, want 1 (one event, however many lines)", p.Oversized())
	}
}

func TestFeedDoesNotAllocate(t *testing.T) {
	stream := []byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n")
	var p Parser
	n := 0
	fn := func(_, _ []byte) { n++ }
	p.Feed(stream, fn) // warm the buffers
	allocs := testing.AllocsPerRun(100, func() {
		p.Feed(stream[:20], fn)
		p.Feed(stream[20:], fn)
	})
	if allocs != 0 {
		t.Fatalf("Feed allocated %v times per event, want 0", allocs)
	}
	if n != 102 { // one warm-up Feed plus AllocsPerRun's own warm-up run and 100 runs
		t.Fatalf("got %d events, want 102", n)
	}
}

func FuzzFeed(f *testing.F) {
	seeds := []string{
		"event: ping\ndata: {}\n\n",
		"data: a\r\ndata: b\r\n\r\n",
		"data: a\rdata: b\r\r",
		": c\n\ndata\n\n",
		"\xEF\xBB\xBFdata: x\n\n",
		"event:x\ndata:y\nid:1\n\n\n",
		"data: [DONE]\n\n",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i*3))
	}
	f.Fuzz(func(t *testing.T, stream []byte, seed uint8) {
		want := reference(string(stream))
		// Split into chunks whose sizes come from the seed.
		var p Parser
		var got []ev
		fn := func(e, d []byte) { got = append(got, ev{string(e), string(d)}) }
		step := int(seed%13) + 1
		for s := stream; len(s) > 0; {
			n := min(step, len(s))
			p.Feed(s[:n], fn)
			s = s[n:]
			step = step*7%13 + 1
		}
		if !equal(got, want) {
			t.Fatalf("stream %q: got %v, want %v", stream, got, want)
		}
		// A small bound never lets the buffers grow past it.
		small := Parser{MaxEvent: 16}
		small.Feed(stream, func(_, d []byte) {
			if len(d) > 16 {
				t.Fatalf("event of %d bytes passed a 16-byte bound", len(d))
			}
		})
		if len(small.line) > 16+LineSlack || len(small.data) > 16 {
			t.Fatalf("buffers over bound: line %d, data %d", len(small.line), len(small.data))
		}
	})
}

func BenchmarkFeed(b *testing.B) {
	// One chunk per event, as an upstream flushes them.
	var events [][]byte
	for i := range 2000 {
		events = append(events, fmt.Appendf(nil, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"token %d \"}}\n\n", i))
	}
	size := 0
	for _, e := range events {
		size += len(e)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	n := 0
	fn := func(_, _ []byte) { n++ }
	for b.Loop() {
		var p Parser
		for _, e := range events {
			p.Feed(e, fn)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
}

func equal(a, b []ev) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
