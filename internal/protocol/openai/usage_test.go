package openai

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/protocol/protocoltest"
	"github.com/clp-proxy/clp/internal/sse"
)

func TestGolden(t *testing.T) { protocoltest.Golden(t, Protocol{}, "testdata") }

func TestNormalize(t *testing.T) {
	tests := []struct {
		name  string
		usage string
		want  api.Usage
		ok    bool
	}{
		{"responses", `{"input_tokens":100,"input_tokens_details":{"cached_tokens":40},"output_tokens":9,"output_tokens_details":{"reasoning_tokens":5}}`,
			api.Usage{InputTokens: 60, CacheReadTokens: 40, OutputTokens: 9, ReasoningTokens: 5}, true},
		{"responses without details", `{"input_tokens":100,"output_tokens":9}`,
			api.Usage{InputTokens: 100, OutputTokens: 9}, true},
		{"chat", `{"prompt_tokens":100,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":3}}`,
			api.Usage{InputTokens: 36, CacheReadTokens: 64, OutputTokens: 9, ReasoningTokens: 3}, true},
		{"cached above input is capped", `{"input_tokens":10,"input_tokens_details":{"cached_tokens":50},"output_tokens":1}`,
			api.Usage{CacheReadTokens: 10, OutputTokens: 1}, true},
		{"reasoning above output is capped", `{"input_tokens":1,"output_tokens":4,"output_tokens_details":{"reasoning_tokens":9}}`,
			api.Usage{InputTokens: 1, OutputTokens: 4, ReasoningTokens: 4}, true},
		{"negative counts dropped", `{"input_tokens":-5,"output_tokens":4}`,
			api.Usage{OutputTokens: 4}, true},
		{"neither shape", `{"total_tokens":12}`, api.Usage{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := Protocol{}.NewExtractor()
			x.JSON([]byte(`{"usage":` + tt.usage + `}`))
			got, ok := x.Usage()
			if got != tt.want || ok != tt.ok {
				t.Errorf("JSON: Usage() = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
			x = Protocol{}.NewExtractor()
			x.Event([]byte("response.completed"), []byte(`{"type":"response.completed","response":{"usage":`+tt.usage+`}}`))
			got, ok = x.Usage()
			if got != tt.want || ok != tt.ok {
				t.Errorf("event: Usage() = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestChatChunks(t *testing.T) {
	usage := `{"prompt_tokens":10,"completion_tokens":2}`
	tests := []struct {
		name   string
		chunks []string
		want   api.Usage
		ok     bool
		done   bool
	}{
		{"usage then DONE", []string{`{"choices":[{"delta":{}}],"usage":null}`, `{"choices":[],"usage":` + usage + `}`, `[DONE]`},
			api.Usage{InputTokens: 10, OutputTokens: 2}, true, true},
		{"usage chunk with empty choices ends the stream", []string{`{"choices":[ ],"usage":` + usage + `}`},
			api.Usage{InputTokens: 10, OutputTokens: 2}, true, true},
		{"usage chunk with null choices ends the stream", []string{`{"choices":null,"usage":` + usage + `}`},
			api.Usage{InputTokens: 10, OutputTokens: 2}, true, true},
		{"usage on every chunk: last wins, stream not over", []string{
			`{"choices":[{"delta":{"content":"a"}}],"usage":{"prompt_tokens":10,"completion_tokens":1}}`,
			`{"choices":[{"delta":{"content":"b"}}],"usage":{"prompt_tokens":10,"completion_tokens":2}}`},
			api.Usage{InputTokens: 10, OutputTokens: 2}, true, false},
		{"error chunk", []string{`{"error":{"message":"boom","type":"server_error"}}`}, api.Usage{}, false, false},
		{"done with spaces", []string{` [DONE] `}, api.Usage{}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := Protocol{}.NewExtractor()
			for _, c := range tt.chunks {
				x.Event(nil, []byte(c))
			}
			got, ok := x.Usage()
			if got != tt.want || ok != tt.ok || x.Done() != tt.done {
				t.Errorf("got %+v, %v, done %v; want %+v, %v, done %v", got, ok, x.Done(), tt.want, tt.ok, tt.done)
			}
		})
	}
}

func TestEventSkipsDeltasCheaply(t *testing.T) {
	x := Protocol{}.NewExtractor()
	x.Event(nil, []byte(`{"object":"chat.completion.chunk","model":"gpt-4o","choices":[]}`)) // model read once
	named := []byte(`{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"}`)
	chat := []byte(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}`)
	deltaName := []byte("response.output_text.delta")
	if n := testing.AllocsPerRun(200, func() {
		x.Event(deltaName, named)
		x.Event(nil, named)
		x.Event(nil, chat)
	}); n != 0 {
		t.Fatalf("delta events allocated %v times, want 0", n)
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
	f.Add([]byte("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1e400}}\n\n"))
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
		if u.CacheWriteTokens != 0 || u.ReasoningTokens > u.OutputTokens || u.ReasoningTokens < 0 {
			t.Fatalf("impossible usage %+v", u)
		}
	})
}

func BenchmarkEventDelta(b *testing.B) {
	named := []byte(`{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hello, world"}`)
	chat := []byte(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hello, world"},"finish_reason":null}],"usage":null}`)
	for _, bc := range []struct {
		name       string
		event, msg []byte
	}{
		{"responses-named", []byte("response.output_text.delta"), named},
		{"responses-unnamed", nil, named},
		{"chat", nil, chat},
	} {
		b.Run(bc.name, func(b *testing.B) {
			x := Protocol{}.NewExtractor()
			b.ReportAllocs()
			for b.Loop() {
				x.Event(bc.event, bc.msg)
			}
		})
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
		{"garbage after", `{"model":"m","usage":{"input_tokens":5,"output_tokens":1}} trailing`, false, false, api.Usage{}},
		{"null usage", `{"model":"m","usage":null}`, false, true, api.Usage{}},
		{"odd counts", `{"usage":{"input_tokens":"5","output_tokens":2}}`, true, true, api.Usage{OutputTokens: 2}},
		{"no integer count", `{"usage":{"input_tokens":"5","output_tokens":2.5}}`, false, true, api.Usage{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := Protocol{}.NewExtractor()
			x.JSON([]byte(tt.body))
			got, ok := x.Usage()
			if ok != tt.ok || got != tt.want || x.Done() != tt.done {
				t.Errorf("Usage() = %+v, %v, Done %v; want %+v, %v, %v", got, ok, x.Done(), tt.want, tt.ok, tt.done)
			}
			x = Protocol{}.NewExtractor()
			x.Event([]byte("response.completed"), []byte(`{"type":"response.completed","response":`+tt.body+`}`))
			if got, ok := x.Usage(); ok != tt.ok || got != tt.want {
				t.Errorf("response.completed: Usage() = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
