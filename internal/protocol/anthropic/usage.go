package anthropic

import (
	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/jsonscan"
	"github.com/clp-proxy/clp/internal/protocol"
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

// wireUsage is the usage object of the Messages API, as read by readUsage:
// a count that is absent or not an integer reads as zero, which merge
// ignores.
type wireUsage struct {
	in, cacheWrite, cacheRead, out, write5m, write1h int64
}

// readUsage reads a usage object; ok is false when raw is not a well-formed
// object (null included).
func readUsage(raw []byte) (u wireUsage, ok bool) {
	ok = jsonscan.Members(raw, func(k, v []byte) bool {
		switch string(k) {
		case "input_tokens":
			u.in = count(v)
		case "cache_creation_input_tokens":
			u.cacheWrite = count(v)
		case "cache_read_input_tokens":
			u.cacheRead = count(v)
		case "output_tokens":
			u.out = count(v)
		case "cache_creation":
			jsonscan.Members(v, func(k, v []byte) bool {
				switch string(k) {
				case "ephemeral_5m_input_tokens":
					u.write5m = count(v)
				case "ephemeral_1h_input_tokens":
					u.write1h = count(v)
				}
				return true
			})
		}
		return true
	})
	return u, ok
}

func count(v []byte) int64 {
	n, _ := jsonscan.Int(v)
	return n
}

// message is what the extractor reads of a Message object (a whole
// response, or message_start's "message") or of a message_delta event.
type message struct {
	model    string
	usage    wireUsage
	hasUsage bool
}

// readMessage reads the model and usage members of the object in raw. ok is
// false when raw is not a well-formed object, and then nothing of it counts.
func readMessage(raw []byte) (m message, ok bool) {
	ok = jsonscan.Members(raw, func(k, v []byte) bool {
		switch string(k) {
		case "model":
			m.model, _ = jsonscan.StringValue(v)
		case "usage":
			m.usage, m.hasUsage = readUsage(v)
		}
		return true
	})
	return m, ok
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
// read, so the content deltas that make up most of a stream cost a string
// compare.
func (x *extractor) Event(name, data []byte) {
	switch string(name) {
	case "content_block_delta", "content_block_start", "content_block_stop", "ping", "error":
		return
	case "message_start", "message_delta", "message_stop":
	default:
		s, e, _ := jsonscan.FirstField(data, "type")
		name, _ = jsonscan.RawString(data[s:e])
	}
	switch string(name) {
	case "message_start":
		var inner []byte
		if !jsonscan.Members(data, func(k, v []byte) bool {
			if string(k) == "message" {
				inner = v
			}
			return true
		}) {
			return
		}
		if m, ok := readMessage(inner); ok {
			x.take(m)
		}
	case "message_delta":
		if m, ok := readMessage(data); ok {
			m.model = "" // a delta's model, if any, is not the message's
			x.take(m)
		}
	case "message_stop":
		x.done = true
	}
}

// JSON implements protocol.Extractor for a non-streaming Message (or error)
// body. Any well-formed JSON object counts as a complete response.
func (x *extractor) JSON(body []byte) {
	m, ok := readMessage(body)
	if !ok {
		return
	}
	x.take(m)
	x.done = true
}

func (x *extractor) take(m message) {
	if m.model != "" {
		x.model = m.model
	}
	if m.hasUsage {
		x.merge(m.usage)
	}
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

func (x *extractor) merge(u wireUsage) {
	x.seen = true
	keep(&x.in, u.in)
	keep(&x.cacheRead, u.cacheRead)
	keep(&x.cacheWrite, u.cacheWrite)
	keep(&x.out, u.out)
	keep(&x.write5m, u.write5m)
	keep(&x.write1h, u.write1h)
}

// maxCount bounds a believable token count; larger values are garbage and
// would overflow sums.
const maxCount = 1 << 50

// keep sets *dst to a reported count that is positive; absent (read as
// zero), zero, negative or absurd counts leave *dst as it was.
func keep(dst *int64, v int64) {
	if v > 0 && v <= maxCount {
		*dst = v
	}
}
