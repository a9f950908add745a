package openai

import (
	"bytes"
	"encoding/json"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/protocol"
	"github.com/clp-proxy/clp/internal/sse"
)

var _ protocol.Protocol = Protocol{}

// NewExtractor implements protocol.Protocol. One extractor serves both OpenAI
// shapes, told apart per event:
//
//   - Responses: events whose payload has a top-level "type" ("response.*",
//     "error"). Usage comes from the terminal response.completed,
//     response.incomplete or response.failed event, which also ends the
//     response (Done).
//   - Chat Completions: chunks without a "type". Usage comes from the chunk
//     that carries a non-null "usage" (the last one, with
//     stream_options.include_usage); the stream ends with "data: [DONE]" or
//     with that usage chunk when its choices are empty.
//
// Cached input is reported apart: input_tokens is the prompt minus its
// cached part, cache_read_tokens the cached part. Reasoning tokens are
// copied as reported; they are already part of output_tokens.
func (Protocol) NewExtractor() protocol.Extractor { return new(extractor) }

// wireUsage holds both usage shapes: Responses (input_tokens…) and Chat
// Completions (prompt_tokens…).
type wireUsage struct {
	InputTokens        *int64 `json:"input_tokens"`
	OutputTokens       *int64 `json:"output_tokens"`
	InputTokensDetails *struct {
		CachedTokens int64 `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokensDetails *struct {
		ReasoningTokens int64 `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`

	PromptTokens        *int64 `json:"prompt_tokens"`
	CompletionTokens    *int64 `json:"completion_tokens"`
	PromptTokensDetails *struct {
		CachedTokens int64 `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails *struct {
		ReasoningTokens int64 `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

// normalize maps a wire usage object to api.Usage (DESIGN §4); ok is false
// when it has neither shape's counts.
func (w *wireUsage) normalize() (u api.Usage, ok bool) {
	var in, cached, out, reasoning int64
	switch {
	case w.InputTokens != nil || w.OutputTokens != nil:
		in, out = deref(w.InputTokens), deref(w.OutputTokens)
		if d := w.InputTokensDetails; d != nil {
			cached = d.CachedTokens
		}
		if d := w.OutputTokensDetails; d != nil {
			reasoning = d.ReasoningTokens
		}
	case w.PromptTokens != nil || w.CompletionTokens != nil:
		in, out = deref(w.PromptTokens), deref(w.CompletionTokens)
		if d := w.PromptTokensDetails; d != nil {
			cached = d.CachedTokens
		}
		if d := w.CompletionTokensDetails; d != nil {
			reasoning = d.ReasoningTokens
		}
	default:
		return api.Usage{}, false
	}
	in, cached, out, reasoning = clamp(in), clamp(cached), clamp(out), clamp(reasoning)
	cached = min(cached, in)
	return api.Usage{
		InputTokens:     in - cached,
		CacheReadTokens: cached,
		OutputTokens:    out,
		ReasoningTokens: min(reasoning, out),
	}, true
}

// maxCount bounds a believable token count.
const maxCount = 1 << 50

func clamp(v int64) int64 {
	if v < 0 || v > maxCount {
		return 0
	}
	return v
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// extractor implements protocol.Extractor for Responses and Chat Completions.
type extractor struct {
	usage api.Usage
	seen  bool
	done  bool
	model string
}

var doneSentinel = []byte("[DONE]")

// Event implements protocol.Extractor. Only the few events that can carry
// the model or usage are decoded; deltas cost one scan of the payload's
// top-level keys, or a string compare when the event is named.
func (x *extractor) Event(name, data []byte) {
	if len(name) > 0 {
		if x.named(name, data) {
			return
		}
	}
	if bytes.Equal(bytes.TrimSpace(data), doneSentinel) {
		x.done = true
		return
	}
	var typ, usage, choices, model []byte
	sse.Members(data, func(k, v []byte) bool {
		switch string(k) {
		case "type":
			typ = v
		case "usage":
			usage = v
		case "choices":
			choices = v
		case "model":
			model = v
		}
		return true
	})
	if t, ok := sse.StringValue(typ); ok {
		x.named(t, data)
		return
	}
	if typ != nil {
		return
	}
	// A Chat Completions chunk.
	if x.model == "" && model != nil {
		x.model = decodeString(model)
	}
	if len(usage) == 0 || usage[0] != '{' {
		return
	}
	var w wireUsage
	if json.Unmarshal(usage, &w) != nil {
		return
	}
	if u, ok := w.normalize(); ok {
		x.usage, x.seen = u, true
		if isEmptyArray(choices) {
			x.done = true
		}
	}
}

// named handles a Responses event by its type and reports whether the type
// was one of the Responses API's.
func (x *extractor) named(typ, data []byte) bool {
	switch string(typ) {
	case "response.completed", "response.incomplete", "response.failed":
		x.response(data)
		x.done = true
	case "response.created", "response.in_progress":
		if x.model == "" {
			x.response(data)
		}
	case "error":
	default:
		return bytes.HasPrefix(typ, []byte("response."))
	}
	return true
}

// response reads the model and usage of the "response" object in a
// Responses event.
func (x *extractor) response(data []byte) {
	var ev struct {
		Response struct {
			Model string     `json:"model"`
			Usage *wireUsage `json:"usage"`
		} `json:"response"`
	}
	if json.Unmarshal(data, &ev) != nil {
		return
	}
	if ev.Response.Model != "" {
		x.model = ev.Response.Model
	}
	if ev.Response.Usage != nil {
		if u, ok := ev.Response.Usage.normalize(); ok {
			x.usage, x.seen = u, true
		}
	}
}

// JSON implements protocol.Extractor for a non-streaming Response or
// ChatCompletion body (or an error body). Any well-formed JSON object counts
// as a complete response.
func (x *extractor) JSON(body []byte) {
	var resp struct {
		Model string     `json:"model"`
		Usage *wireUsage `json:"usage"`
	}
	if json.Unmarshal(body, &resp) != nil {
		return
	}
	if resp.Model != "" {
		x.model = resp.Model
	}
	if resp.Usage != nil {
		if u, ok := resp.Usage.normalize(); ok {
			x.usage, x.seen = u, true
		}
	}
	x.done = true
}

// Usage implements protocol.Extractor.
func (x *extractor) Usage() (api.Usage, bool) { return x.usage, x.seen }

// Done implements protocol.Extractor.
func (x *extractor) Done() bool { return x.done }

// Model implements protocol.Extractor.
func (x *extractor) Model() string { return x.model }

func decodeString(raw []byte) string {
	if s, ok := sse.StringValue(raw); ok {
		return string(s)
	}
	var s string
	_ = json.Unmarshal(raw, &s) // a non-string model is left empty
	return s
}

func isEmptyArray(raw []byte) bool {
	if raw == nil {
		return true // some servers omit choices, or send null, on the usage chunk
	}
	t := bytes.TrimSpace(raw)
	if bytes.Equal(t, []byte("null")) {
		return true
	}
	return len(t) >= 2 && t[0] == '[' && len(bytes.TrimSpace(t[1:len(t)-1])) == 0
}
