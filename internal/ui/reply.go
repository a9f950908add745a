package ui

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/clp-proxy/clp/internal/sse"
)

// Reply is a model's answer reassembled from a response body as the proxy
// stored it: a stream of server-sent events (Anthropic Messages, OpenAI
// Responses or Chat Completions) or one JSON message of those APIs. Blocks
// are in the order the model started them.
type Reply struct {
	Model      string  `json:"model,omitempty"`
	StopReason string  `json:"stop_reason,omitempty"` // stop_reason, finish_reason or the response status
	Error      string  `json:"error,omitempty"`       // an error the stream or body carried
	Events     int     `json:"events"`                // SSE events in the body; 0 for a JSON body
	Blocks     []Block `json:"blocks"`
}

// Block kinds.
const (
	BlockText     = "text"
	BlockThinking = "thinking"
	BlockToolCall = "tool_call"
)

// Block is one part of a Reply: text, thinking (or a reasoning summary), or
// a tool call whose Text is its arguments as JSON.
type Block struct {
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"` // the tool's name
	ID   string `json:"id,omitempty"`   // the tool call's id
	Text string `json:"text"`
}

// Reassemble rebuilds the reply in body. ok is false when body is neither
// an event stream nor a JSON message of a known shape (then Reply is
// empty); a stream cut short gives what arrived.
func Reassemble(body []byte) (r Reply, ok bool) {
	a := assembler{keys: map[string]int{}}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if !a.message(trimmed) {
			return Reply{}, false
		}
	} else {
		var p sse.Parser
		fn := func(_, data []byte) {
			a.reply.Events++
			if !bytes.Equal(bytes.TrimSpace(data), []byte("[DONE]")) {
				a.event(data)
			}
		}
		p.Feed(body, fn)
		p.Feed([]byte("\n"), fn) // ends a last line cut short, so Flush sees it
		p.Flush(fn)
		if a.reply.Events == 0 {
			return Reply{}, false
		}
	}
	if a.reply.Blocks == nil {
		a.reply.Blocks = []Block{}
	}
	return a.reply, true
}

// assembler collects blocks by a key that names them in their protocol
// (Anthropic's index, the Responses API's output_index, a chat choice part).
type assembler struct {
	reply Reply
	keys  map[string]int
}

func (a *assembler) block(key, kind string) *Block {
	if i, ok := a.keys[key]; ok {
		return &a.reply.Blocks[i]
	}
	a.keys[key] = len(a.reply.Blocks)
	a.reply.Blocks = append(a.reply.Blocks, Block{Kind: kind})
	return &a.reply.Blocks[len(a.reply.Blocks)-1]
}

// wire holds the fields of every event and message shape Reassemble knows;
// each event sets only a few.
type wire struct {
	Type         string          `json:"type"`
	Index        *int            `json:"index"`
	OutputIndex  *int            `json:"output_index"`
	Delta        json.RawMessage `json:"delta"` // an object (Anthropic) or a string (Responses)
	Model        string          `json:"model"`
	StopReason   string          `json:"stop_reason"`
	Status       string          `json:"status"`
	Message      *wire           `json:"message"`
	Response     *wire           `json:"response"`
	ContentBlock *part           `json:"content_block"`
	Item         *part           `json:"item"`
	Content      []part          `json:"content"`
	Output       []part          `json:"output"`
	Error        *errorBody      `json:"error"`
	Choices      []choice        `json:"choices"`
}

// part is a content block (Anthropic) or an output item (Responses).
type part struct {
	Type      string          `json:"type"`
	ID        string          `json:"id"`
	CallID    string          `json:"call_id"`
	Name      string          `json:"name"`
	Text      string          `json:"text"`
	Thinking  string          `json:"thinking"`
	Input     json.RawMessage `json:"input"`
	Arguments string          `json:"arguments"`
	Content   []part          `json:"content"`
	Summary   []part          `json:"summary"`
}

type errorBody struct {
	Message string `json:"message"`
}

type choice struct {
	Delta        *chatMessage `json:"delta"`
	Message      *chatMessage `json:"message"`
	FinishReason string       `json:"finish_reason"`
}

type chatMessage struct {
	Content          *string `json:"content"`
	ReasoningContent *string `json:"reasoning_content"`
	ToolCalls        []struct {
		Index    int    `json:"index"`
		ID       string `json:"id"`
		Function struct {
			Name      string `json:"name"`
			Arguments string `json:"arguments"`
		} `json:"function"`
	} `json:"tool_calls"`
}

// delta is Anthropic's content_block_delta and message_delta payload.
type delta struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	Thinking    string `json:"thinking"`
	PartialJSON string `json:"partial_json"`
	StopReason  string `json:"stop_reason"`
}

func index(p *int) string {
	if p == nil {
		return "0"
	}
	return strconv.Itoa(*p)
}

// kindOf maps a content block or output item type to a Block kind; "" for
// parts that carry nothing to show.
func kindOf(typ string) string {
	switch typ {
	case "text", "message", "output_text":
		return BlockText
	case "thinking", "redacted_thinking", "reasoning":
		return BlockThinking
	case "tool_use", "server_tool_use", "function_call", "custom_tool_call":
		return BlockToolCall
	}
	return ""
}

// event applies one SSE event's data.
func (a *assembler) event(data []byte) {
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		// The Responses API's error event has a string "message"; any
		// other mismatch leaves the event without what we look for.
		var e errorBody
		if json.Unmarshal(data, &e) == nil && e.Message != "" && bytes.Contains(data, []byte(`"type":"error"`)) {
			a.reply.Error = e.Message
		}
		return
	}
	if w.Error != nil && w.Error.Message != "" {
		a.reply.Error = w.Error.Message
	}
	if len(w.Choices) > 0 || w.Type == "" && w.Model != "" {
		a.chat(w, "chat:")
		return
	}
	switch w.Type {
	case "message_start":
		if w.Message != nil {
			a.reply.Model = w.Message.Model
		}
	case "content_block_start":
		if b := w.ContentBlock; b != nil && kindOf(b.Type) != "" {
			blk := a.block("a:"+index(w.Index), kindOf(b.Type))
			blk.Name, blk.ID = b.Name, b.ID
			blk.Text += b.Text + b.Thinking
		}
	case "content_block_delta":
		var d delta
		if json.Unmarshal(w.Delta, &d) != nil {
			return
		}
		key := "a:" + index(w.Index)
		switch d.Type {
		case "text_delta":
			a.block(key, BlockText).Text += d.Text
		case "thinking_delta":
			a.block(key, BlockThinking).Text += d.Thinking
		case "input_json_delta":
			a.block(key, BlockToolCall).Text += d.PartialJSON
		}
	case "message_delta":
		var d delta
		if json.Unmarshal(w.Delta, &d) == nil && d.StopReason != "" {
			a.reply.StopReason = d.StopReason
		}
	case "response.output_item.added":
		if it := w.Item; it != nil && kindOf(it.Type) != "" {
			blk := a.block("r:"+index(w.OutputIndex), kindOf(it.Type))
			blk.Name, blk.ID = it.Name, it.CallID
		}
	case "response.output_text.delta", "response.refusal.delta":
		a.block("r:"+index(w.OutputIndex), BlockText).Text += jsonString(w.Delta)
	case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
		a.block("r:"+index(w.OutputIndex), BlockThinking).Text += jsonString(w.Delta)
	case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta":
		a.block("r:"+index(w.OutputIndex), BlockToolCall).Text += jsonString(w.Delta)
	case "response.created", "response.completed", "response.incomplete", "response.failed":
		if r := w.Response; r != nil {
			if r.Model != "" {
				a.reply.Model = r.Model
			}
			if w.Type != "response.created" {
				a.reply.StopReason = r.Status
			}
			if r.Error != nil && r.Error.Message != "" {
				a.reply.Error = r.Error.Message
			}
		}
	}
}

// jsonString decodes a JSON string, or "" for anything else.
func jsonString(raw json.RawMessage) string {
	var s string
	json.Unmarshal(raw, &s)
	return s
}

// chat applies a Chat Completions chunk (delta) or message.
func (a *assembler) chat(w wire, prefix string) {
	if w.Model != "" {
		a.reply.Model = w.Model
	}
	for _, c := range w.Choices {
		m := c.Delta
		if m == nil {
			m = c.Message
		}
		if c.FinishReason != "" {
			a.reply.StopReason = c.FinishReason
		}
		if m == nil {
			continue
		}
		if m.ReasoningContent != nil && *m.ReasoningContent != "" {
			a.block(prefix+"think", BlockThinking).Text += *m.ReasoningContent
		}
		if m.Content != nil && *m.Content != "" {
			a.block(prefix+"text", BlockText).Text += *m.Content
		}
		for i, tc := range m.ToolCalls {
			if c.Delta != nil {
				i = tc.Index
			}
			b := a.block(prefix+"tool:"+strconv.Itoa(i), BlockToolCall)
			if tc.ID != "" {
				b.ID = tc.ID
			}
			if tc.Function.Name != "" {
				b.Name = tc.Function.Name
			}
			b.Text += tc.Function.Arguments
		}
	}
}

// message reads a whole (non-streamed) answer; false for an unknown shape.
func (a *assembler) message(body []byte) bool {
	var w wire
	if json.Unmarshal(body, &w) != nil {
		return false
	}
	if w.Error != nil && w.Error.Message != "" {
		a.reply.Error = w.Error.Message
		return true
	}
	switch {
	case w.Type == "message":
		a.reply.Model, a.reply.StopReason = w.Model, w.StopReason
		for i, p := range w.Content {
			if k := kindOf(p.Type); k != "" {
				b := a.block("a:"+strconv.Itoa(i), k)
				b.Name, b.ID, b.Text = p.Name, p.ID, p.Text+p.Thinking
				if k == BlockToolCall {
					b.Text = string(p.Input)
				}
			}
		}
	case w.Output != nil || w.Status != "" && w.Model != "" && w.Choices == nil:
		a.reply.Model, a.reply.StopReason = w.Model, w.Status
		for i, it := range w.Output {
			k := kindOf(it.Type)
			if k == "" {
				continue
			}
			b := a.block("r:"+strconv.Itoa(i), k)
			b.Name, b.ID, b.Text = it.Name, it.CallID, it.Arguments
			for _, c := range append(it.Content, it.Summary...) {
				b.Text += c.Text
			}
		}
	case w.Choices != nil:
		a.chat(w, "chat:")
	default:
		return false
	}
	return true
}
