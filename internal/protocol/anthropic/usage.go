package anthropic

import (
	"encoding/json"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/protocol"
	"github.com/clp-proxy/clp/internal/sse"
)

var _ protocol.Protocol = Protocol{}

// NewExtractor implements protocol.Protocol. The extractor reads a Messages
// stream (message_start, message_delta, message_stop, error) or a whole
// Message JSON body.
//
// Usage from message_start and every message_delta is merged field by field:
// a count that a later object reports as non-zero replaces the earlier one,
// and a count it omits or reports as zero never erases an earlier one (newer
// upstreams repeat the input counts in message_delta; some relays send them
// as zero). Cache writes keep the 5 m / 1 h split of usage.cache_creation
// when it is given.
func (Protocol) NewExtractor() protocol.Extractor { return new(extractor) }

// wireUsage is the usage object of the Messages API. Pointers tell a count
// that is absent from one that is zero.
type wireUsage struct {
	InputTokens              *int64 `json:"input_tokens"`
	CacheCreationInputTokens *int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int64 `json:"cache_read_input_tokens"`
	OutputTokens             *int64 `json:"output_tokens"`
	CacheCreation            *struct {
		Ephemeral5m *int64 `json:"ephemeral_5m_input_tokens"`
		Ephemeral1h *int64 `json:"ephemeral_1h_input_tokens"`
	} `json:"cache_creation"`
}

// extractor implements protocol.Extractor for the Messages API.
type extractor struct {
	in, cacheRead, cacheWrite, write5m, write1h, out int64

	seen  bool // a usage object was merged
	done  bool // message_stop, or a whole JSON body, was seen
	model string
}

// Event implements protocol.Extractor. Events are told apart by their
// "event:" name, or by the payload's top-level "type" when a relay drops or
// renames the names; only message_start, message_delta and message_stop are
// decoded, so the content deltas that make up most of a stream cost a
// string compare.
func (x *extractor) Event(name, data []byte) {
	switch string(name) {
	case "content_block_delta", "content_block_start", "content_block_stop", "ping", "error":
		return
	case "message_start", "message_delta", "message_stop":
	default:
		raw, _ := sse.Member(data, "type")
		name, _ = sse.StringValue(raw)
	}
	switch string(name) {
	case "message_start":
		var ev struct {
			Message struct {
				Model string     `json:"model"`
				Usage *wireUsage `json:"usage"`
			} `json:"message"`
		}
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		x.setModel(ev.Message.Model)
		x.merge(ev.Message.Usage)
	case "message_delta":
		var ev struct {
			Usage *wireUsage `json:"usage"`
		}
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		x.merge(ev.Usage)
	case "message_stop":
		x.done = true
	}
}

// JSON implements protocol.Extractor for a non-streaming Message (or error)
// body. Any well-formed JSON object counts as a complete response.
func (x *extractor) JSON(body []byte) {
	var msg struct {
		Model string     `json:"model"`
		Usage *wireUsage `json:"usage"`
	}
	if json.Unmarshal(body, &msg) != nil {
		return
	}
	x.setModel(msg.Model)
	x.merge(msg.Usage)
	x.done = true
}

// Usage implements protocol.Extractor.
func (x *extractor) Usage() (api.Usage, bool) {
	if !x.seen {
		return api.Usage{}, false
	}
	return api.Usage{
		InputTokens:        x.in,
		CacheReadTokens:    x.cacheRead,
		CacheWriteTokens:   max(x.cacheWrite, x.write5m+x.write1h),
		CacheWrite5mTokens: x.write5m,
		CacheWrite1hTokens: x.write1h,
		OutputTokens:       x.out,
	}, true
}

// Done implements protocol.Extractor.
func (x *extractor) Done() bool { return x.done }

// Model implements protocol.Extractor.
func (x *extractor) Model() string { return x.model }

func (x *extractor) setModel(m string) {
	if m != "" {
		x.model = m
	}
}

func (x *extractor) merge(u *wireUsage) {
	if u == nil {
		return
	}
	x.seen = true
	keep(&x.in, u.InputTokens)
	keep(&x.cacheRead, u.CacheReadInputTokens)
	keep(&x.cacheWrite, u.CacheCreationInputTokens)
	keep(&x.out, u.OutputTokens)
	if c := u.CacheCreation; c != nil {
		keep(&x.write5m, c.Ephemeral5m)
		keep(&x.write1h, c.Ephemeral1h)
	}
}

// maxCount bounds a believable token count; larger values are garbage and
// would overflow sums.
const maxCount = 1 << 50

// keep sets *dst to a reported count that is positive; absent, zero,
// negative or absurd counts leave *dst as it was.
func keep(dst *int64, v *int64) {
	if v != nil && *v > 0 && *v <= maxCount {
		*dst = *v
	}
}
