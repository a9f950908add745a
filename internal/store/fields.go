package store

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/clp-proxy/clp/internal/api"
)

// Lenient readers of loosely typed JSON (the original CLP's files): a field
// of an unexpected type reads as its zero value instead of failing the line.

func object(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

func str(m map[string]json.RawMessage, key string) string {
	var s string
	if json.Unmarshal(m[key], &s) == nil {
		return s
	}
	return ""
}

// num reads a number, or a string holding one.
func num(m map[string]json.RawMessage, key string) float64 {
	var f float64
	if json.Unmarshal(m[key], &f) == nil {
		return f
	}
	if f, err := strconv.ParseFloat(strings.TrimSpace(str(m, key)), 64); err == nil {
		return f
	}
	return 0
}

// count reads a non-negative token count.
func count(m map[string]json.RawMessage, key string) int64 {
	n := num(m, key)
	if !(n > 0) || n > 1e15 {
		return 0
	}
	return int64(n)
}

func boolean(m map[string]json.RawMessage, key string) bool {
	var b bool
	if json.Unmarshal(m[key], &b) == nil {
		return b
	}
	b, _ = strconv.ParseBool(str(m, key))
	return b
}

func base64Field(m map[string]json.RawMessage, key string) []byte {
	s := str(m, key)
	if s == "" {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil
	}
	return b
}

// maskedHeaders converts a logged header object (values a string or a list)
// and masks credentials, which the original stored in clear.
func maskedHeaders(m map[string]json.RawMessage) map[string][]string {
	if len(m) == 0 {
		return nil
	}
	h := make(map[string][]string, len(m))
	for name, raw := range m {
		var vals []string
		var one string
		switch {
		case json.Unmarshal(raw, &one) == nil:
			vals = []string{one}
		case json.Unmarshal(raw, &vals) == nil:
		default:
			vals = []string{string(raw)}
		}
		if isCredentialHeader(name) {
			for i, v := range vals {
				vals[i] = maskCredential(v)
			}
		}
		h[name] = vals
	}
	return h
}

// isCredentialHeader reports whether a header carries a secret.
func isCredentialHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie", "set-cookie":
		return true
	}
	return strings.Contains(n, "api-key") || strings.Contains(n, "apikey") ||
		strings.Contains(n, "token") || strings.Contains(n, "secret")
}

// maskCredential keeps an auth scheme and the last four characters of a
// long secret, enough to tell keys apart and useless to an attacker.
func maskCredential(v string) string {
	scheme := ""
	if i := strings.IndexByte(v, ' '); i > 0 && i < 16 {
		scheme, v = v[:i+1], v[i+1:]
	}
	if len(v) >= 16 {
		return scheme + "****" + v[len(v)-4:]
	}
	return scheme + "****"
}

// usageFromMetrics converts the original's normalized metrics. raw, the
// upstream's own usage object, is read only for the 5 m / 1 h cache split.
func usageFromMetrics(service string, metrics, raw map[string]json.RawMessage) *api.Usage {
	u := api.Usage{
		InputTokens:      count(metrics, "input"),
		CacheReadTokens:  count(metrics, "cached_read"),
		CacheWriteTokens: count(metrics, "cached_create"),
		OutputTokens:     count(metrics, "output"),
		ReasoningTokens:  count(metrics, "reasoning"),
	}
	if service != "claude" {
		// OpenAI's input_tokens include the cached ones.
		u.InputTokens = max(0, u.InputTokens-u.CacheReadTokens)
	}
	if split := object(raw["cache_creation"]); split != nil {
		u.CacheWrite5mTokens = count(split, "ephemeral_5m_input_tokens")
		u.CacheWrite1hTokens = count(split, "ephemeral_1h_input_tokens")
	}
	if u == (api.Usage{}) {
		return nil
	}
	return &u
}

// usageFromRaw converts an upstream usage object that the original logged
// without normalizing it (its oldest versions).
func usageFromRaw(service string, raw map[string]json.RawMessage) *api.Usage {
	m := map[string]json.RawMessage{
		"input":         raw["input_tokens"],
		"cached_read":   raw["cache_read_input_tokens"],
		"cached_create": raw["cache_creation_input_tokens"],
		"output":        raw["output_tokens"],
	}
	if d := object(raw["input_tokens_details"]); d != nil {
		m["cached_read"] = d["cached_tokens"]
	}
	if d := object(raw["output_tokens_details"]); d != nil {
		m["reasoning"] = d["reasoning_tokens"]
	}
	return usageFromMetrics(service, m, raw)
}
