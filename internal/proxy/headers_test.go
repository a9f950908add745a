package proxy

import (
	"net/http"
	"reflect"
	"testing"
)

func TestMaskedHeader(t *testing.T) {
	in := http.Header{
		"Authorization":     {"Bearer sk-ant-api03-0123456789abcdef"},
		"X-Api-Key":         {"short"},
		"x-goog-api-key":    {"AIzaSyA-0123456789"}, // not canonical: still masked
		"Anthropic-Version": {"2023-06-01"},
		"Anthropic-Beta":    {"a", "b"},
		"Empty":             {},
	}
	want := map[string][]string{
		"Authorization":     {"Bearer …cdef"},
		"X-Api-Key":         {"…"},
		"x-goog-api-key":    {"…6789"},
		"Anthropic-Version": {"2023-06-01"},
		"Anthropic-Beta":    {"a", "b"},
		"Empty":             nil,
	}
	got := maskedHeader(in)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("maskedHeader = %q, want %q", got, want)
	}
	// The copy is the log's own: changing or growing it leaves the header
	// alone, and growing one key does not touch another.
	in["Anthropic-Beta"][0] = "changed"
	if got["Anthropic-Beta"][0] != "a" {
		t.Errorf("copy aliases the header: %q", got["Anthropic-Beta"])
	}
	for k := range got {
		got[k] = append(got[k], "extra")
	}
	if !reflect.DeepEqual(got["Anthropic-Version"], []string{"2023-06-01", "extra"}) || got["Authorization"][0] != "Bearer …cdef" {
		t.Errorf("appending to one key changed another: %q", got)
	}
}

func TestMaskValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Bearer sk-ant-api03-0123456789abcdef", "Bearer …cdef"},
		{"sk-ant-api03-0123456789abcdef", "…cdef"},
		{"Bearer short", "Bearer …"},
		{"", "…"},
		{"VeryLongSchemeName abcdefghijklmnop", "…mnop"},
	}
	for _, tt := range tests {
		if got := maskValue(tt.in); got != tt.want {
			t.Errorf("maskValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// BenchmarkMaskedHeader copies a Claude Code request's headers for the log.
func BenchmarkMaskedHeader(b *testing.B) {
	h := http.Header{
		"Authorization":               {"Bearer sk-ant-api03-0123456789abcdef"},
		"Anthropic-Version":           {"2023-06-01"},
		"Anthropic-Beta":              {"claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27"},
		"Content-Type":                {"application/json"},
		"Accept":                      {"application/json"},
		"Accept-Encoding":             {"gzip, deflate, br, zstd"},
		"User-Agent":                  {"claude-cli/2.1.0 (external, cli)"},
		"X-App":                       {"cli"},
		"X-Claude-Code-Session-Id":    {"0b3c9c1e-5d7e-4a39-9a43-1f4f0b6f7a11"},
		"X-Stainless-Arch":            {"x64"},
		"X-Stainless-Lang":            {"js"},
		"X-Stainless-Os":              {"Linux"},
		"X-Stainless-Package-Version": {"0.60.0"},
		"X-Stainless-Retry-Count":     {"0"},
		"X-Stainless-Runtime":         {"node"},
		"X-Stainless-Timeout":         {"600"},
	}
	b.ReportAllocs()
	for b.Loop() {
		maskedHeader(h)
	}
}

func TestOutboundHeader(t *testing.T) {
	in := http.Header{
		"Authorization":     {"Bearer client"},
		"X-Api-Key":         {"client-key"},
		"Host":              {"127.0.0.1:3210"},
		"Content-Length":    {"42"},
		"Connection":        {"keep-alive, X-Hop-Named"},
		"X-Hop-Named":       {"dropped"},
		"Keep-Alive":        {"timeout=5"},
		"Te":                {"trailers"},
		"Transfer-Encoding": {"chunked"},
		"Anthropic-Beta":    {"a", "b"},
		"Anthropic-Version": {"2023-06-01"},
		"Accept-Encoding":   {"gzip, br"},
		"X-Nil":             nil,
		"x-api-key":         {"non-canonical key: Header.Del never matched it"},
	}
	want := http.Header{
		"Anthropic-Beta":    {"a", "b"},
		"Anthropic-Version": {"2023-06-01"},
		"Accept-Encoding":   {"gzip, br"},
		"X-Nil":             nil,
		"x-api-key":         {"non-canonical key: Header.Del never matched it"},
	}
	got := outboundHeader(in)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("outboundHeader = %q, want %q", got, want)
	}
	got["Anthropic-Beta"][0] = "changed"
	got["Anthropic-Version"] = append(got["Anthropic-Version"], "x")
	if in["Anthropic-Beta"][0] != "a" || len(in["Anthropic-Version"]) != 1 {
		t.Errorf("the copy aliases the client's header: %q", in)
	}
}

func BenchmarkOutboundHeader(b *testing.B) {
	h := http.Header{
		"Authorization": {"Bearer client"}, "Anthropic-Version": {"2023-06-01"},
		"Anthropic-Beta": {"claude-code-20250219,interleaved-thinking-2025-05-14"},
		"Content-Type":   {"application/json"}, "Content-Length": {"75000"}, "Connection": {"keep-alive"},
		"Accept-Encoding": {"gzip, deflate, br, zstd"}, "User-Agent": {"claude-cli/2.1.0 (external, cli)"},
		"X-Claude-Code-Session-Id": {"0b3c9c1e-5d7e-4a39-9a43-1f4f0b6f7a11"},
		"X-Stainless-Arch":         {"x64"}, "X-Stainless-Lang": {"js"}, "X-Stainless-Os": {"Linux"},
		"X-Stainless-Retry-Count": {"0"}, "X-Stainless-Runtime": {"node"}, "X-Stainless-Timeout": {"600"},
	}
	b.ReportAllocs()
	for b.Loop() {
		outboundHeader(h)
	}
}
