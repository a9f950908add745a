package openai

import (
	"bytes"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/jsonscan"
	"github.com/clp-proxy/clp/internal/protocol"
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
// Completions (prompt_tokens…). A shape is present when one of its two
// top-level counts is an integer.
type wireUsage struct {
	responses, chat                bool
	in, out, cached, reasoning     int64 // Responses
	pIn, pOut, pCached, pReasoning int64 // Chat Completions
}

// readUsage reads a usage object; ok is false when raw is not a well-formed
// object (null included).
func readUsage(raw []byte) (w wireUsage, ok bool) {
	ok = jsonscan.Members(raw, func(k, v []byte) bool {
		var n bool // an integer count
		switch string(k) {
		case "input_tokens":
			w.in, n = jsonscan.Int(v)
			w.responses = w.responses || n
		case "output_tokens":
			w.out, n = jsonscan.Int(v)
			w.responses = w.responses || n
		case "input_tokens_details":
			w.cached = detail(v, "cached_tokens")
		case "output_tokens_details":
			w.reasoning = detail(v, "reasoning_tokens")
		case "prompt_tokens":
			w.pIn, n = jsonscan.Int(v)
			w.chat = w.chat || n
		case "completion_tokens":
			w.pOut, n = jsonscan.Int(v)
			w.chat = w.chat || n
		case "prompt_tokens_details":
			w.pCached = detail(v, "cached_tokens")
		case "completion_tokens_details":
			w.pReasoning = detail(v, "reasoning_tokens")
		}
		return true
	})
	return w, ok
}

// detail reads the integer key of a *_details object, zero when absent.
func detail(raw []byte, key string) int64 {
	var n int64
	jsonscan.Members(raw, func(k, v []byte) bool {
		if string(k) == key {
			n, _ = jsonscan.Int(v)
		}
		return true
	})
	return n
}

// normalize maps a wire usage object to api.Usage (DESIGN §4); ok is false
// when it has neither shape's counts.
func (w *wireUsage) normalize() (u api.Usage, ok bool) {
	var in, cached, out, reasoning int64
	switch {
	case w.responses:
		in, out, cached, reasoning = w.in, w.out, w.cached, w.reasoning
	case w.chat:
		in, out, cached, reasoning = w.pIn, w.pOut, w.pCached, w.pReasoning
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
	jsonscan.Members(data, func(k, v []byte) bool {
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
	if t, ok := jsonscan.RawString(typ); ok {
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
	w, ok := readUsage(usage)
	if !ok {
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
	var inner []byte
	if !jsonscan.Members(data, func(k, v []byte) bool {
		if string(k) == "response" {
			inner = v
		}
		return true
	}) {
		return
	}
	x.take(inner)
}

// take reads the model and usage members of a Response or ChatCompletion
// object; ok is false when raw is not a well-formed object, and then nothing
// of it counts.
func (x *extractor) take(raw []byte) (ok bool) {
	var model string
	var w wireUsage
	var hasUsage bool
	if !jsonscan.Members(raw, func(k, v []byte) bool {
		switch string(k) {
		case "model":
			model = decodeString(v)
		case "usage":
			w, hasUsage = readUsage(v)
		}
		return true
	}) {
		return false
	}
	if model != "" {
		x.model = model
	}
	if hasUsage {
		if u, ok := w.normalize(); ok {
			x.usage, x.seen = u, true
		}
	}
	return true
}

// JSON implements protocol.Extractor for a non-streaming Response or
// ChatCompletion body (or an error body). Any well-formed JSON object counts
// as a complete response.
func (x *extractor) JSON(body []byte) {
	if x.take(body) {
		x.done = true
	}
}

// Usage implements protocol.Extractor.
func (x *extractor) Usage() (api.Usage, bool) { return x.usage, x.seen }

// Done implements protocol.Extractor.
func (x *extractor) Done() bool { return x.done }

// Model implements protocol.Extractor.
func (x *extractor) Model() string { return x.model }

// decodeString decodes a JSON string value; any other value reads as "".
func decodeString(raw []byte) string {
	s, _ := jsonscan.StringValue(raw)
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
