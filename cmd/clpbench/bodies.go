package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
)

// Request bodies. The default, filler, is one long JSON string of English
// words holding one key: the cheapest body for CLP's filter, which works on
// each string and finds no escapes here. conversation is shaped like what
// Claude Code sends on every turn: a growing list of messages whose tool
// results are source code full of escaped quotes, newlines and tabs, with
// one key in the first user message.
const (
	bodyFiller       = "filler"
	bodyConversation = "conversation"
)

// requestBody returns an Anthropic Messages request of about size bytes with a
// model the routing rule renames and one secret the filter redacts.
func requestBody(size int, stream bool) []byte {
	head := fmt.Sprintf(`{"model":"claude-sonnet-4-5","max_tokens":32000,"stream":%t,"metadata":{"user_id":"bench"},"system":[{"type":"text","text":"You are a coding agent."}],"messages":[{"role":"user","content":"the key is sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAA please keep it. `, stream)
	tail := `"}]}`
	return []byte(head + filler(max(size-len(head)-len(tail), 1)) + tail)
}

// The wire APIs the harness speaks (-api): Anthropic Messages, as Claude
// Code sends it to CLP's Claude port, or OpenAI Responses, as Codex sends it
// to CLP's Codex port.
const (
	apiMessages  = "messages"
	apiResponses = "responses"
)

// apiPath is api's endpoint, on the upstream and on every proxy.
func apiPath(api string) string {
	if api == apiResponses {
		return "/v1/responses"
	}
	return "/v1/messages"
}

// bodyOf returns a request body of api, of the given kind and at least size
// bytes: a filler body of about size bytes, or a conversation of whole
// turns, up to one turn (about 4 KB) longer.
func bodyOf(api, kind string, size int, stream bool) []byte {
	switch {
	case api == apiResponses && kind == bodyConversation:
		return responsesConversation(size, stream)
	case api == apiResponses:
		return responsesBody(size, stream)
	case kind == bodyConversation:
		return conversationBody(size, stream)
	}
	return requestBody(size, stream)
}

type convRequest struct {
	Model     string            `json:"model"`
	Messages  []convMessage     `json:"messages"`
	System    []convBlock       `json:"system"`
	Metadata  map[string]string `json:"metadata"`
	MaxTokens int               `json:"max_tokens"`
	Stream    bool              `json:"stream"`
}

type convMessage struct {
	Role    string      `json:"role"`
	Content []convBlock `json:"content"`
}

type convBlock struct {
	Type      string            `json:"type"`
	Text      string            `json:"text,omitempty"`
	ID        string            `json:"id,omitempty"`
	Name      string            `json:"name,omitempty"`
	Input     map[string]string `json:"input,omitempty"`
	ToolUseID string            `json:"tool_use_id,omitempty"`
	Content   string            `json:"content,omitempty"`
}

// sourceLines are what the conversation's tool results are made of: Go
// with tabs, quotes, backslashes and the characters an HTML-safe encoder
// would escape.
var sourceLines = []string{
	"func (s *Server) handle(w http.ResponseWriter, r *http.Request) {",
	"\tif r.Method != \"POST\" && r.Method != \"PUT\" {",
	"\t\thttp.Error(w, \"method not allowed\", http.StatusMethodNotAllowed)",
	"\t\treturn",
	"\t}",
	"\tbody, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))",
	"\tif err != nil {",
	"\t\tlog.Printf(\"read body: %v\\n\", err)",
	"\t}",
	"\tpath := strings.ReplaceAll(r.URL.Path, \"\\\\\", \"/\")",
	"\tfor i := 0; i < len(items); i++ { // <- items[i] > 0",
	"\t\tfmt.Fprintf(w, \"%d\\t%q\\n\", i, items[i])",
	"\t}",
	"}",
	"",
	"// parse reads a config line such as `name = \"value\"`.",
}

// conversationBody builds a Claude Code-shaped request of at least size
// bytes, the same for the same arguments.
func conversationBody(size int, stream bool) []byte {
	r := rand.New(rand.NewPCG(uint64(size), 9))
	req := convRequest{
		Model:     "claude-sonnet-4-5",
		System:    []convBlock{{Type: "text", Text: "You are Claude Code, a coding agent. " + filler(1500)}},
		Metadata:  map[string]string{"user_id": "bench"},
		MaxTokens: 32000,
		Stream:    stream,
	}
	req.Messages = append(req.Messages, convMessage{Role: "user", Content: []convBlock{{Type: "text", Text: "Fix the handler; the key is sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAA. " + filler(200)}}})
	// Each message adds its encoding and a comma to the body: count them
	// instead of encoding the whole body again per turn.
	n := len(encodeJSON(req))
	for turn := 0; n < size; turn++ {
		id := fmt.Sprintf("toolu_%02d%06x", turn, r.Uint32()&0xffffff)
		file := fmt.Sprintf("/src/server/handler_%d.go", turn)
		code := sourceFile(r)
		for _, m := range []convMessage{
			{Role: "assistant", Content: []convBlock{
				{Type: "text", Text: "Reading " + file + ". " + filler(100+r.IntN(200))},
				{Type: "tool_use", ID: id, Name: "Read", Input: map[string]string{"file_path": file}},
			}},
			{Role: "user", Content: []convBlock{{Type: "tool_result", ToolUseID: id, Content: code}}},
		} {
			req.Messages = append(req.Messages, m)
			n += len(encodeJSON(m)) + 1
		}
	}
	return encodeJSON(req)
}

// sourceFile is about 3 KB of Go source drawn from sourceLines: a file a
// tool read, for a conversation's tool results.
func sourceFile(r *rand.Rand) string {
	var code strings.Builder
	for code.Len() < 3000 {
		code.WriteString(sourceLines[r.IntN(len(sourceLines))])
		code.WriteByte('\n')
	}
	return code.String()
}

// encodeJSON encodes v as JavaScript's JSON.stringify does: no HTML
// escaping, no trailing newline.
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // the types above always encode
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
