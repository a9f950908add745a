package anthropic

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/protocol/protocoltest"
	"github.com/clp-proxy/clp/internal/sse"
)

func TestGolden(t *testing.T) { protocoltest.Golden(t, Protocol{}, "testdata") }

func TestMerge(t *testing.T) {
	start := func(usage string) [2]string {
		return [2]string{"message_start", `{"type":"message_start","message":{"model":"m","usage":` + usage + `}}`}
	}
	delta := func(usage string) [2]string {
		return [2]string{"message_delta", `{"type":"message_delta","delta":{},"usage":` + usage + `}`}
	}
	tests := []struct {
		name   string
		events [][2]string
		want   api.Usage
		ok     bool
	}{
		{"nothing", nil, api.Usage{}, false},
		{"start only", [][2]string{start(`{"input_tokens":5,"output_tokens":1}`)},
			api.Usage{InputTokens: 5, OutputTokens: 1}, true},
		{"delta output replaces start output",
			[][2]string{start(`{"input_tokens":5,"output_tokens":1}`), delta(`{"output_tokens":40}`)},
			api.Usage{InputTokens: 5, OutputTokens: 40}, true},
		{"zero in delta never erases",
			[][2]string{start(`{"input_tokens":5,"cache_read_input_tokens":9,"output_tokens":1}`), delta(`{"input_tokens":0,"cache_read_input_tokens":0,"output_tokens":3}`)},
			api.Usage{InputTokens: 5, CacheReadTokens: 9, OutputTokens: 3}, true},
		{"null fields never erase",
			[][2]string{start(`{"input_tokens":5,"output_tokens":1}`), delta(`{"input_tokens":null,"output_tokens":2}`)},
			api.Usage{InputTokens: 5, OutputTokens: 2}, true},
		{"later delta wins",
			[][2]string{start(`{"input_tokens":5}`), delta(`{"output_tokens":10}`), delta(`{"output_tokens":12}`)},
			api.Usage{InputTokens: 5, OutputTokens: 12}, true},
		{"delta reports input when start did not",
			[][2]string{start(`{"output_tokens":1}`), delta(`{"input_tokens":70,"output_tokens":8}`)},
			api.Usage{InputTokens: 70, OutputTokens: 8}, true},
		{"split without total",
			[][2]string{start(`{"input_tokens":1,"cache_creation":{"ephemeral_5m_input_tokens":30,"ephemeral_1h_input_tokens":12}}`)},
			api.Usage{InputTokens: 1, CacheWriteTokens: 42, CacheWrite5mTokens: 30, CacheWrite1hTokens: 12}, true},
		{"total without split",
			[][2]string{start(`{"input_tokens":1,"cache_creation_input_tokens":64}`)},
			api.Usage{InputTokens: 1, CacheWriteTokens: 64}, true},
		{"negative counts ignored",
			[][2]string{start(`{"input_tokens":-4,"output_tokens":2}`)},
			api.Usage{OutputTokens: 2}, true},
		{"malformed event ignored",
			[][2]string{start(`{"input_tokens":3}`), {"message_delta", `{"usage":{"output_tokens":"many"}}`}},
			api.Usage{InputTokens: 3}, true},
		{"generic event names fall back to the payload type",
			[][2]string{{"message", `{"type":"message_start","message":{"usage":{"input_tokens":4}}}`}, {"message", `{"type":"message_delta","usage":{"output_tokens":6}}`}},
			api.Usage{InputTokens: 4, OutputTokens: 6}, true},
		{"usage outside message_start/delta ignored",
			[][2]string{{"content_block_delta", `{"type":"content_block_delta","usage":{"input_tokens":99}}`}},
			api.Usage{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := Protocol{}.NewExtractor()
			for _, e := range tt.events {
				x.Event([]byte(e[0]), []byte(e[1]))
			}
			got, ok := x.Usage()
			if got != tt.want || ok != tt.ok {
				t.Errorf("Usage() = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
			if x.Done() {
				t.Error("Done() = true without message_stop")
			}
		})
	}
}

func TestEventSkipsContentCheaply(t *testing.T) {
	x := Protocol{}.NewExtractor()
	named := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`)
	unnamed := []byte(`{"delta":{"type":"text_delta","text":"Hello"},"index":0,"type":"content_block_delta"}`)
	deltaName, pingName, ping := []byte("content_block_delta"), []byte("ping"), []byte(`{"type":"ping"}`)
	if n := testing.AllocsPerRun(200, func() {
		x.Event(deltaName, named)
		x.Event(nil, unnamed)
		x.Event(pingName, ping)
	}); n != 0 {
		t.Fatalf("content events allocated %v times, want 0", n)
	}
}

func FuzzExtractor(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.sse"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("data: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":1e400}}\n\n"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		x := Protocol{}.NewExtractor()
		var p sse.Parser
		p.Feed(stream, x.Event)
		x.JSON(stream)
		u, _ := x.Usage()
		if u.InputTokens < 0 || u.CacheReadTokens < 0 || u.CacheWriteTokens < 0 || u.OutputTokens < 0 ||
			u.CacheWrite5mTokens < 0 || u.CacheWrite1hTokens < 0 {
			t.Fatalf("negative count in %+v", u)
		}
		if u.CacheWriteTokens < u.CacheWrite5mTokens+u.CacheWrite1hTokens {
			t.Fatalf("cache write total %d below its split %+v", u.CacheWriteTokens, u)
		}
	})
}

func BenchmarkEventDelta(b *testing.B) {
	x := Protocol{}.NewExtractor()
	name := []byte("content_block_delta")
	data := []byte(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello, world"}}`)
	b.ReportAllocs()
	for b.Loop() {
		x.Event(name, data)
	}
}

// TestMalformed: a body or event that is not a well-formed JSON object counts
// nothing; counts that are not integers are ignored, not guessed.
func TestMalformed(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		ok, done   bool
		want       api.Usage
	}{
		{"cut short", `{"model":"m","usage":{"input_tokens":5,"output_tokens":`, false, false, api.Usage{}},
		{"garbage after", `{"model":"m","usage":{"input_tokens":5}} trailing`, false, false, api.Usage{}},
		{"missing comma", `{"model":"m" "usage":{"input_tokens":5}}`, false, false, api.Usage{}},
		{"null usage", `{"model":"m","usage":null}`, false, true, api.Usage{}},
		{"odd counts", `{"usage":{"input_tokens":"5","output_tokens":2.5,"cache_read_input_tokens":7}}`, true, true, api.Usage{CacheReadTokens: 7}},
		{"escaped model", `{"model":"claude-\u00e9","usage":{"input_tokens":1}}`, true, true, api.Usage{InputTokens: 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := Protocol{}.NewExtractor()
			x.JSON([]byte(tt.body))
			got, ok := x.Usage()
			if ok != tt.ok || got != tt.want || x.Done() != tt.done {
				t.Errorf("Usage() = %+v, %v, Done %v; want %+v, %v, %v", got, ok, x.Done(), tt.want, tt.ok, tt.done)
			}
			if tt.name == "escaped model" && x.Model() != "claude-é" {
				t.Errorf("Model() = %q", x.Model())
			}
			x = Protocol{}.NewExtractor()
			x.Event([]byte("message_start"), []byte(`{"type":"message_start","message":`+tt.body+`}`))
			if got, ok := x.Usage(); ok != tt.ok || got != tt.want {
				t.Errorf("message_start: Usage() = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
