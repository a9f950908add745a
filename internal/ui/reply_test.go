package ui

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clp-proxy/clp/internal/api"
)

// transcript reads a recorded response of the protocol adapters' tests.
func transcript(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "protocol", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReassembleTranscripts(t *testing.T) {
	tests := []struct {
		file string
		want Reply
	}{
		{"anthropic/testdata/tool_use.sse", Reply{Model: "claude-haiku-4-5-20251001", StopReason: "tool_use", Events: 11, Blocks: []Block{
			{Kind: BlockText, Text: "I'll check the weather."},
			{Kind: BlockToolCall, Name: "get_weather", ID: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", Text: `{"location": "San Francisco, CA", "unit": "fahrenheit"}`},
		}}},
		{"anthropic/testdata/thinking.sse", Reply{Model: "claude-opus-4-1-20250805", StopReason: "end_turn", Events: 11, Blocks: []Block{
			{Kind: BlockThinking, Text: "Let me work out 27 * 453 step by step.\n27 * 400 = 10800, 27 * 53 = 1431, total 12231."},
			{Kind: BlockText, Text: "27 * 453 = 12231"},
		}}},
		{"anthropic/testdata/error_mid_stream.sse", Reply{Model: "claude-sonnet-4-20250514", Error: "Overloaded", Events: 4, Blocks: []Block{
			{Kind: BlockText, Text: "Here is the start of"},
		}}},
		{"anthropic/testdata/message.json", Reply{Model: "claude-sonnet-4-5-20250929", StopReason: "end_turn", Blocks: []Block{{Kind: BlockText, Text: "Hello!"}}}},
		{"anthropic/testdata/error.json", Reply{Error: "max_tokens: Field required", Blocks: []Block{}}},
		{"openai/testdata/responses_reasoning_tool.sse", Reply{Model: "gpt-5-codex", StopReason: "completed", Events: 14, Blocks: []Block{
			{Kind: BlockThinking, Text: "**Listing the files** I should run ls first."},
			{Kind: BlockToolCall, Name: "shell", ID: "call_Kq2v", Text: `{"command":["ls","-la"]}`},
		}}},
		{"openai/testdata/responses_error_event.sse", Reply{Model: "gpt-5-mini", Error: "An error occurred while processing your request.", Events: 3, Blocks: []Block{
			{Kind: BlockText, Text: "Partial"},
		}}},
		{"openai/testdata/responses_failed.sse", Reply{Model: "gpt-5", StopReason: "failed", Error: "The model failed to generate a response.", Events: 3, Blocks: []Block{}}},
		{"openai/testdata/response.json", Reply{Model: "gpt-5-2025-08-07", StopReason: "completed", Blocks: []Block{{Kind: BlockText, Text: "In a peaceful grove beneath a silver moon..."}}}},
		{"openai/testdata/chat_reasoning_tools.sse", Reply{Model: "o4-mini-2025-04-16", StopReason: "tool_calls", Events: 5, Blocks: []Block{
			{Kind: BlockToolCall, Name: "read_file", ID: "call_abc", Text: `{"path":"go.mod"}`},
		}}},
		{"openai/testdata/chat_completion.json", Reply{Model: "gpt-4.1-2025-04-14", StopReason: "stop", Blocks: []Block{{Kind: BlockText, Text: "Hello! How can I assist you today?"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, ok := Reassemble(transcript(t, tt.file))
			if !ok {
				t.Fatal("Reassemble: not recognised")
			}
			if !reflect.DeepEqual(got, tt.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(tt.want)
				t.Errorf("Reassemble =\n %s\nwant\n %s", g, w)
			}
		})
	}
}

func TestReassembleShapes(t *testing.T) {
	tests := []struct {
		name, body string
		ok         bool
		wantText   string // the blocks' texts joined by "|"
	}{
		{"empty", "", false, ""},
		{"not a stream", "hello world", false, ""},
		{"json of another shape", `{"hello":"world"}`, false, ""},
		{"broken json", `{"type":"message",`, false, ""},
		{"crlf and split data lines", "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"index\":0,\r\ndata: \"delta\":{\"type\":\"text_delta\",\"text\":\"a\\nb\"}}\r\n\r\n", true, "a\nb"},
		{"two anthropic blocks interleaved by index", `data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"B"}}

data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"A"}}

data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"C"}}

`, true, "BC|A"},
		{"responses text by output index", `data: {"type":"response.output_text.delta","output_index":0,"delta":"x"}

data: {"type":"response.output_text.delta","output_index":0,"delta":"y"}

data: [DONE]

`, true, "xy"},
		{"bad event skipped", "data: {nope\n\ndata: {\"type\":\"response.output_text.delta\",\"output_index\":2,\"delta\":\"ok\"}\n\n", true, "ok"},
		{"last event without blank line", "data: {\"type\":\"response.output_text.delta\",\"delta\":\"tail\"}", true, "tail"},
		{"chat deltas", `data: {"model":"m","choices":[{"delta":{"reasoning_content":"r"}}]}

data: {"model":"m","choices":[{"delta":{"content":"t"}}]}

`, true, "r|t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Reassemble([]byte(tt.body))
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.ok, got)
			}
			var texts []string
			for _, b := range got.Blocks {
				texts = append(texts, b.Text)
			}
			if s := strings.Join(texts, "|"); s != tt.wantText {
				t.Errorf("blocks = %q, want %q", s, tt.wantText)
			}
		})
	}
}

// FuzzReassemble checks that no body makes Reassemble panic, and that a
// text split into deltas anywhere comes back whole.
func FuzzReassemble(f *testing.F) {
	for _, rel := range []string{"anthropic/testdata/tool_use.sse", "anthropic/testdata/thinking.sse", "openai/testdata/responses_reasoning_tool.sse", "openai/testdata/chat_reasoning_tools.sse", "anthropic/testdata/message.json"} {
		f.Add(transcript(f, rel), "Hello, world", uint8(3))
	}
	f.Add([]byte("data: [DONE]\n\n"), "", uint8(0))
	f.Add([]byte("\r\r\n:comment\ndata:\n\n"), "日本語\n\"quoted\"", uint8(200))
	f.Fuzz(func(t *testing.T, body []byte, text string, cut uint8) {
		Reassemble(body)
		i := 0
		if len(text) > 0 {
			i = int(cut) % (len(text) + 1)
		}
		ev := func(s string) string {
			b, _ := json.Marshal(map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]string{"type": "text_delta", "text": s}})
			return "event: content_block_delta\ndata: " + string(b) + "\n\n"
		}
		got, ok := Reassemble([]byte(ev(text[:i]) + ev(text[i:])))
		if !ok || len(got.Blocks) != 1 {
			t.Fatalf("two deltas: ok=%v blocks=%d", ok, len(got.Blocks))
		}
		// JSON carries invalid UTF-8 as U+FFFD per bad byte, as the stream would.
		asSent := func(s string) string {
			b, _ := json.Marshal(s)
			var out string
			json.Unmarshal(b, &out)
			return out
		}
		want := asSent(text[:i]) + asSent(text[i:])
		if got.Blocks[0].Text != want {
			t.Errorf("text = %q, want %q", got.Blocks[0].Text, want)
		}
	})
}

func BenchmarkReassemble(b *testing.B) {
	body := transcript(b, "openai/testdata/responses_reasoning_tool.sse")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Reassemble(body)
	}
}

func TestRequestDetailReply(t *testing.T) {
	body := transcript(t, "anthropic/testdata/tool_use.sse")
	b := &fakeBackend{request: func(_ context.Context, id int64) (*api.Record, error) {
		if id == 2 {
			return &api.Record{ID: 2, ResponseBody: []byte("not a stream")}, nil
		}
		return &api.Record{ID: 1, ResponseBody: body}, nil
	}}
	h := New(b, slog.New(slog.DiscardHandler), Options{})
	get := func(path string) []byte {
		req := httptest.NewRequest("GET", path, nil)
		req.Host = "localhost"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("GET %s = %d %s", path, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	var got struct {
		api.Record
		Reply *Reply `json:"reply"`
	}
	if err := json.Unmarshal(get("/api/v1/requests/1"), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != 1 || string(got.ResponseBody) != string(body) {
		t.Errorf("record = id %d, %d body bytes; want id 1 and the raw events", got.ID, len(got.ResponseBody))
	}
	if got.Reply == nil || len(got.Reply.Blocks) != 2 || got.Reply.Blocks[1].Name != "get_weather" {
		t.Errorf("reply = %+v, want the text and the get_weather call", got.Reply)
	}
	if raw := get("/api/v1/requests/2"); strings.Contains(string(raw), `"reply"`) {
		t.Errorf("a body that is not a reply got one: %s", raw)
	}
}
