// Package anthropic is the protocol adapter for the Anthropic Messages API,
// spoken by Claude Code.
package anthropic

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/clp-proxy/clp/internal/jsonscan"
)

// Protocol is the Anthropic Messages adapter. The zero value is ready to use.
type Protocol struct{}

// Name implements protocol.Protocol.
func (Protocol) Name() string { return "anthropic" }

// SetCredential implements protocol.Protocol: auth_token is sent as
// "Authorization: Bearer", api_key as "x-api-key"; both when both are set.
func (Protocol) SetCredential(h http.Header, authToken, apiKey string) {
	h.Del("Authorization")
	h.Del("X-Api-Key")
	if authToken != "" {
		h.Set("Authorization", "Bearer "+authToken)
	}
	if apiKey != "" {
		h.Set("X-Api-Key", apiKey)
	}
}

// ClientKey implements protocol.Protocol.
func (Protocol) ClientKey(h http.Header) string {
	if k := h.Get("X-Api-Key"); k != "" {
		return k
	}
	return bearer(h.Get("Authorization"))
}

func bearer(v string) string {
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}

type errorBody struct {
	Type  string      `json:"type"`
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// ErrorBody implements protocol.Protocol:
// {"type":"error","error":{"type":kind,"message":message}}.
func (Protocol) ErrorBody(status int, kind, message string) []byte {
	if kind == "" {
		kind = kindFor(status)
	}
	b, _ := json.Marshal(errorBody{Type: "error", Error: errorDetail{Type: kind, Message: message}})
	return b
}

// kindFor maps a status to the error type Anthropic itself uses for it.
func kindFor(status int) string {
	switch status {
	case 400, 413:
		if status == 413 {
			return "request_too_large"
		}
		return "invalid_request_error"
	case 401:
		return "authentication_error"
	case 403:
		return "permission_error"
	case 404:
		return "not_found_error"
	case 429:
		return "rate_limit_error"
	case 503, 529:
		return "overloaded_error"
	default:
		return "api_error"
	}
}

// StreamError implements protocol.Protocol with an "event: error" SSE event.
func (p Protocol) StreamError(message string) []byte {
	var b bytes.Buffer
	b.WriteString("event: error\ndata: ")
	b.Write(p.ErrorBody(0, "api_error", message))
	b.WriteString("\n\n")
	return b.Bytes()
}

// IsErrorEvent implements protocol.Protocol.
func (Protocol) IsErrorEvent(event, data []byte) bool {
	if string(event) == "error" {
		return true
	}
	return len(event) == 0 && bytes.Contains(data, []byte(`"type":"error"`)) && bytes.HasPrefix(bytes.TrimSpace(data), []byte(`{"type":"error"`))
}

// SessionKey implements protocol.Protocol: Claude Code's
// X-Claude-Code-Session-Id header, else the body's metadata.user_id (which
// embeds the session id).
func (Protocol) SessionKey(h http.Header, body []byte) string {
	if s := h.Get("X-Claude-Code-Session-Id"); s != "" {
		return s
	}
	start, end, ok := jsonscan.FirstField(body, "metadata")
	if !ok {
		return ""
	}
	s, _ := jsonscan.String(body[start:end], "user_id")
	return s
}
