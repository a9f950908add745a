// Package openai is the protocol adapter for the OpenAI Responses API (spoken by
// Codex CLI) and Chat Completions, which share credentials and error shapes.
package openai

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/clp-proxy/clp/internal/jsonscan"
)

// Protocol is the OpenAI adapter. The zero value is ready to use.
type Protocol struct{}

// Name implements protocol.Protocol.
func (Protocol) Name() string { return "openai" }

// SetCredential implements protocol.Protocol: OpenAI-style upstreams take one
// "Authorization: Bearer" credential, from api_key or else auth_token.
func (Protocol) SetCredential(h http.Header, authToken, apiKey string) {
	h.Del("Authorization")
	h.Del("X-Api-Key")
	key := apiKey
	if key == "" {
		key = authToken
	}
	if key != "" {
		h.Set("Authorization", "Bearer "+key)
	}
}

// ClientKey implements protocol.Protocol.
func (Protocol) ClientKey(h http.Header) string {
	v := h.Get("Authorization")
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return h.Get("X-Api-Key")
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    string  `json:"code"`
}

// ErrorBody implements protocol.Protocol:
// {"error":{"message":message,"type":kind,"param":null,"code":...}}.
func (Protocol) ErrorBody(status int, kind, message string) []byte {
	code := codeFor(status)
	if kind == "" {
		kind = code
	}
	b, _ := json.Marshal(errorBody{Error: errorDetail{Message: message, Type: kind, Code: code}})
	return b
}

func codeFor(status int) string {
	switch status {
	case 401:
		return "invalid_api_key"
	case 413:
		return "request_too_large"
	case 429:
		return "rate_limit_exceeded"
	case 503:
		return "service_unavailable"
	case 502:
		return "bad_gateway"
	default:
		if status >= 400 && status < 500 {
			return "invalid_request_error"
		}
		return "server_error"
	}
}

// StreamError implements protocol.Protocol with a Responses "error" event,
// which Codex reports and stops on.
func (Protocol) StreamError(message string) []byte {
	ev := struct {
		Type    string  `json:"type"`
		Code    string  `json:"code"`
		Message string  `json:"message"`
		Param   *string `json:"param"`
	}{"error", "server_error", message, nil}
	data, _ := json.Marshal(ev)
	var b bytes.Buffer
	b.WriteString("event: error\ndata: ")
	b.Write(data)
	b.WriteString("\n\n")
	return b.Bytes()
}

// IsErrorEvent implements protocol.Protocol: "error" and "response.failed"
// events, and chat chunks that carry only an error object.
func (Protocol) IsErrorEvent(event, data []byte) bool {
	switch string(event) {
	case "error", "response.failed":
		return true
	}
	d := bytes.TrimSpace(data)
	return bytes.HasPrefix(d, []byte(`{"type":"error"`)) ||
		bytes.HasPrefix(d, []byte(`{"type":"response.failed"`)) ||
		bytes.HasPrefix(d, []byte(`{"error"`))
}

// SessionKey implements protocol.Protocol: Codex's session-id header, else
// the body's prompt_cache_key.
func (Protocol) SessionKey(h http.Header, body []byte) string {
	if s := h.Get("Session-Id"); s != "" {
		return s
	}
	s, _ := jsonscan.FirstString(body, "prompt_cache_key")
	return s
}

// Repair implements protocol.Protocol: nothing to repair for OpenAI APIs.
func (Protocol) Repair(status int, respBody, reqBody []byte) ([]byte, bool) { return nil, false }
