package main

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
)

// The OpenAI Responses API, as Codex CLI speaks it to CLP's Codex port: the
// request bodies the harness sends with -api responses and the answers the
// fake upstream gives them.

// responsesBody returns a Responses request of about size bytes, shaped and
// ordered like Codex's (model first, "stream" after the input), with a
// model the routing rule renames and one secret the filter redacts.
func responsesBody(size int, stream bool) []byte {
	head := `{"model":"gpt-5-codex","instructions":"You are a coding agent.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"the key is sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAA please keep it. `
	tail := fmt.Sprintf(`"}]}],"tools":[],"tool_choice":"auto","parallel_tool_calls":false,"reasoning":{"effort":"medium","summary":"auto"},"store":false,"stream":%t,"include":["reasoning.encrypted_content"],"prompt_cache_key":"bench"}`, stream)
	return []byte(head + filler(max(size-len(head)-len(tail), 1)) + tail)
}

type respRequest struct {
	Model        string      `json:"model"`
	Instructions string      `json:"instructions"`
	Input        []respItem  `json:"input"`
	Tools        []any       `json:"tools"`
	ToolChoice   string      `json:"tool_choice"`
	Parallel     bool        `json:"parallel_tool_calls"`
	Reasoning    respEffort  `json:"reasoning"`
	Store        bool        `json:"store"`
	Stream       bool        `json:"stream"`
	Include      []string    `json:"include"`
	CacheKey     string      `json:"prompt_cache_key"`
	Text         *respFormat `json:"text,omitempty"`
}

type respEffort struct {
	Effort  string `json:"effort"`
	Summary string `json:"summary"`
}

type respFormat struct {
	Verbosity string `json:"verbosity"`
}

// respItem is one input item: a message, a reasoning item (its
// encrypted_content is an opaque blob the client sends back every turn), a
// function call or a function call's output.
type respItem struct {
	Type             string        `json:"type"`
	Role             string        `json:"role,omitempty"`
	Content          []respContent `json:"content,omitempty"`
	Summary          []respContent `json:"summary,omitempty"`
	EncryptedContent string        `json:"encrypted_content,omitempty"`
	Name             string        `json:"name,omitempty"`
	Arguments        string        `json:"arguments,omitempty"`
	CallID           string        `json:"call_id,omitempty"`
	Output           string        `json:"output,omitempty"`
}

type respContent struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// responsesConversation builds a Codex-shaped request of at least size
// bytes: turns of reasoning (an encrypted blob), a shell call and its output
// (source code full of escapes), the key in the first user message; the
// same for the same arguments.
func responsesConversation(size int, stream bool) []byte {
	r := rand.New(rand.NewPCG(uint64(size), 11))
	req := respRequest{
		Model:        "gpt-5-codex",
		Instructions: "You are Codex, a coding agent. " + filler(1500),
		Input: []respItem{{Type: "message", Role: "user", Content: []respContent{
			{Type: "input_text", Text: "Fix the handler; the key is sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAA. " + filler(200)}}}},
		Tools:      []any{},
		ToolChoice: "auto",
		Reasoning:  respEffort{Effort: "medium", Summary: "auto"},
		Stream:     stream,
		Include:    []string{"reasoning.encrypted_content"},
		CacheKey:   "bench",
		Text:       &respFormat{Verbosity: "medium"},
	}
	n := len(encodeJSON(req))
	for turn := 0; n < size; turn++ {
		blob := make([]byte, 900)
		for i := range blob {
			blob[i] = byte(r.Uint32())
		}
		call := fmt.Sprintf("call_%02d%06x", turn, r.Uint32()&0xffffff)
		file := fmt.Sprintf("/src/server/handler_%d.go", turn)
		code := sourceFile(r)
		for _, it := range []respItem{
			{Type: "reasoning", Summary: []respContent{{Type: "summary_text", Text: "**Reading the handler** " + filler(80+r.IntN(120))}},
				EncryptedContent: "gAAAAA" + base64.StdEncoding.EncodeToString(blob)},
			{Type: "function_call", Name: "shell", CallID: call,
				Arguments: fmt.Sprintf(`{"command":["bash","-lc","cat %s"],"workdir":"/src"}`, file)},
			{Type: "function_call_output", CallID: call, Output: code},
		} {
			req.Input = append(req.Input, it)
			n += len(encodeJSON(it)) + 1
		}
	}
	return encodeJSON(req)
}

// responsesEvents renders the SSE events of one Responses stream of
// s.Events events (at least 3): response.created, the output_text deltas and
// response.completed with usage, reasoning tokens included; from 8 events
// on, also the item and content part events around the deltas, as the API
// sends them. The bytes depend only on s.
func responsesEvents(s streamSpec) [][]byte {
	n := max(s.Events, 3)
	framed := n >= 8
	deltas := n - 2
	if framed {
		deltas = n - 8
	}
	out := make([][]byte, 0, n)
	seq := 0
	add := func(typ, data string) {
		out = append(out, fmt.Appendf(nil, "event: %s\ndata: {\"type\":%q,\"sequence_number\":%d,%s}\n\n", typ, typ, seq, data))
		seq++
	}
	const resp = `"id":"resp_bench","object":"response","created_at":1764115200,"model":"gpt-bench","parallel_tool_calls":false,"reasoning":{"effort":"medium","summary":"auto"},"store":false,"tool_choice":"auto","tools":[]`
	const item = `"item_id":"msg_bench","output_index":0,"content_index":0`
	add("response.created", `"response":{`+resp+`,"status":"in_progress","output":[],"usage":null}`)
	if framed {
		add("response.in_progress", `"response":{`+resp+`,"status":"in_progress","output":[],"usage":null}`)
		add("response.output_item.added", `"output_index":0,"item":{"id":"msg_bench","type":"message","status":"in_progress","role":"assistant","content":[]}`)
		add("response.content_part.added", item+`,"part":{"type":"output_text","text":"","annotations":[]}`)
	}
	text := filler(max(s.EventSize-140, 1))
	var all strings.Builder
	for i := 1; i <= deltas; i++ {
		d := fmt.Sprintf("%d %s", i, text)
		all.WriteString(d)
		add("response.output_text.delta", item+`,"delta":"`+d+`","logprobs":[]`)
	}
	msg := `{"id":"msg_bench","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"` + all.String() + `","annotations":[]}]}`
	if framed {
		add("response.output_text.done", item+`,"text":"`+all.String()+`","logprobs":[]`)
		add("response.content_part.done", item+`,"part":{"type":"output_text","text":"`+all.String()+`","annotations":[]}`)
		add("response.output_item.done", `"output_index":0,"item":`+msg)
	}
	add("response.completed", fmt.Sprintf(`"response":{%s,"status":"completed","output":[%s],"usage":{"input_tokens":1200,"input_tokens_details":{"cached_tokens":800},"output_tokens":%d,"output_tokens_details":{"reasoning_tokens":%d},"total_tokens":%d}}`,
		resp, msg, n*8, n*2, 1200+n*8))
	return out
}

// responsesJSON renders a non-streaming Responses answer of about size bytes.
func responsesJSON(size int) []byte {
	return fmt.Appendf(nil, `{"id":"resp_bench","object":"response","created_at":1764115200,"status":"completed","model":"gpt-bench","output":[{"id":"msg_bench","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"%s","annotations":[]}]}],"usage":{"input_tokens":1200,"input_tokens_details":{"cached_tokens":800},"output_tokens":64,"output_tokens_details":{"reasoning_tokens":16},"total_tokens":1264}}`, filler(max(size-400, 1)))
}
