package protocol

import (
	"net/url"
	"strings"
	"testing"
)

func TestJoinURL(t *testing.T) {
	tests := []struct{ base, path, query, want string }{
		{"https://api.anthropic.com", "/v1/messages", "beta=true", "https://api.anthropic.com/v1/messages?beta=true"},
		{"https://relay.example/v1", "/v1/messages", "", "https://relay.example/v1/messages"},
		{"https://relay.example/v1/", "/v1/messages/count_tokens", "", "https://relay.example/v1/messages/count_tokens"},
		{"https://relay.example/api", "/v1/messages", "", "https://relay.example/api/v1/messages"},
		{"https://api.openai.com/v1", "/responses", "", "https://api.openai.com/v1/responses"},
		{"https://api.openai.com/v1", "/v1/responses", "", "https://api.openai.com/v1/responses"},
		{"https://gw.example/openai/v1", "/responses/compact", "", "https://gw.example/openai/v1/responses/compact"},
		{"https://gw.example/openai/v1", "/models", "", "https://gw.example/openai/v1/models"},
		{"http://127.0.0.1:8080", "/v1", "", "http://127.0.0.1:8080/v1"},
		{"https://relay.example/v1beta", "/v1/messages", "", "https://relay.example/v1beta/v1/messages"},
		{"https://relay.example/v2", "/v2/x", "a=1", "https://relay.example/v2/x?a=1"},
	}
	for _, tt := range tests {
		base, _ := url.Parse(tt.base)
		if got := JoinURL(base, tt.path, tt.query).String(); got != tt.want {
			t.Errorf("JoinURL(%s, %s) = %s, want %s", tt.base, tt.path, got, tt.want)
		}
	}
}

func FuzzJoinURL(f *testing.F) {
	f.Add("https://relay.example/v1", "/v1/messages", "beta=true")
	f.Add("http://h", "", "")
	f.Fuzz(func(t *testing.T, base, path, query string) {
		u, err := url.Parse(base)
		if err != nil {
			return
		}
		got := JoinURL(u, path, query)
		if !strings.HasPrefix(got.Path, strings.TrimRight(u.Path, "/")) {
			t.Fatalf("JoinURL dropped the base path: %q + %q = %q", u.Path, path, got.Path)
		}
	})
}
