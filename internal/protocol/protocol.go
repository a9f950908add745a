// Package protocol describes what differs between the model APIs CLP proxies:
// credentials, error shapes, stream errors, session keys and usage extraction.
// The request path in internal/proxy is one piece of code parameterized by a
// Protocol; adding a CLI means adding an adapter, not a copy of the proxy.
package protocol

import (
	"net/http"

	"github.com/clp-proxy/clp/internal/api"
)

// Protocol is one wire protocol (Anthropic Messages, OpenAI Responses/Chat).
type Protocol interface {
	// Name is a short identifier: "anthropic" or "openai".
	Name() string
	// SetCredential removes every credential header the client sent and sets
	// the upstream config's own (authToken and apiKey as in claude.json/codex.json).
	SetCredential(h http.Header, authToken, apiKey string)
	// ClientKey returns the credential the client itself presented, if any.
	ClientKey(h http.Header) string
	// ErrorBody is a JSON error body in the protocol's own shape, so the client
	// shows message. kind is the error type (e.g. "api_error", "overloaded_error").
	ErrorBody(status int, kind, message string) []byte
	// StreamError is one complete SSE event that reports message as an error,
	// used to end a stream that the upstream broke after bytes were sent.
	StreamError(message string) []byte
	// IsErrorEvent reports whether an SSE event (its event name and data) is
	// an error, for failing over on a stream whose first event is one.
	IsErrorEvent(event, data []byte) bool
	// SessionKey identifies the conversation a request belongs to, for
	// session affinity; "" when the request carries none.
	SessionKey(h http.Header, body []byte) string
	// Repair looks at an upstream's error answer (status and up to 64 KiB of
	// its body) and, when the request can be fixed by changing its body,
	// returns the fixed body. The proxy retries once with it, on the same
	// config.
	Repair(status int, respBody, reqBody []byte) ([]byte, bool)
	// NewExtractor returns a fresh usage extractor for one response.
	NewExtractor() Extractor
}

// Extractor reads usage out of one response, fed either SSE events one by one
// or a whole JSON body. It never sees compressed bytes.
type Extractor interface {
	// Event handles one SSE event: its "event:" name (may be empty) and data.
	// The slices are only valid during the call.
	Event(name, data []byte)
	// JSON handles a complete non-streaming JSON body.
	JSON(body []byte)
	// Usage returns the usage counted so far; ok is false when none was seen.
	Usage() (u api.Usage, ok bool)
	// Done reports whether the response's final event (or a whole JSON body)
	// was seen; a stream cut short is not done.
	Done() bool
	// Model is the model the upstream reported, if any.
	Model() string
}
