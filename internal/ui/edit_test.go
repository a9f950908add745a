package ui

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clp-proxy/clp/internal/config"
)

// editBackend adds ConfigEditor and RulesEditor to a fakeBackend, noting
// each call.
type editBackend struct {
	*fakeBackend
	calls []string
	err   error
	doc   string
}

var (
	_ ConfigEditor = (*editBackend)(nil)
	_ RulesEditor  = (*editBackend)(nil)
)

func str(p *string) string {
	if p == nil {
		return "-"
	}
	return *p
}

func describe(c config.EntryChange) string {
	w := "-"
	if c.Weight != nil {
		w = fmt.Sprint(*c.Weight)
	}
	d := fmt.Sprintf("url=%s tok=%s key=%s w=%s", str(c.BaseURL), str(c.AuthToken), str(c.APIKey), w)
	if c.Kind != "" {
		d += " kind=" + c.Kind
	}
	return d
}

func (e *editBackend) AddConfig(service, name string, c config.EntryChange) error {
	e.calls = append(e.calls, "add "+service+" "+name+" "+describe(c))
	return e.err
}

func (e *editBackend) EditConfig(service, name, newName string, c config.EntryChange) error {
	e.calls = append(e.calls, "edit "+service+" "+name+">"+newName+" "+describe(c))
	return e.err
}

func (e *editBackend) RemoveConfig(service, name string) error {
	e.calls = append(e.calls, "rm "+service+" "+name)
	return e.err
}

func (e *editBackend) Rules(kind string) (json.RawMessage, error) {
	e.calls = append(e.calls, "rules "+kind)
	return json.RawMessage(e.doc), e.err
}

func (e *editBackend) SetRules(kind string, doc []byte) error {
	e.calls = append(e.calls, "set "+kind+" "+string(doc))
	return e.err
}

func TestEditAPI(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		origin                   string
		err                      error
		doc                      string
		wantCode                 int
		wantCall                 string
		wantBody                 string
	}{
		{name: "add", method: "POST", path: "/api/v1/services/claude/configs/new", body: `{"base_url":"https://relay.example","auth_token":"sk-1","api_key":"","weight":3}`,
			wantCode: 201, wantCall: "add claude new url=https://relay.example tok=sk-1 key=- w=3"},
		{name: "add exists", method: "POST", path: "/api/v1/services/claude/configs/main", body: `{"base_url":"https://x","api_key":"k"}`,
			err: fmt.Errorf("%w: claude has main", config.ErrConfigExists), wantCode: 409, wantBody: "claude has main"},
		{name: "add invalid", method: "POST", path: "/api/v1/services/claude/configs/x", body: `{"base_url":"ftp://x"}`,
			err: Invalid(fmt.Errorf("base_url is not an http(s) URL")), wantCode: 400, wantBody: "not an http(s) URL"},
		{name: "add bad json", method: "POST", path: "/api/v1/services/claude/configs/x", body: `{"weight":"heavy"}`, wantCode: 400},
		{name: "add foreign origin", method: "POST", path: "/api/v1/services/claude/configs/x", body: `{}`, origin: "https://evil.example", wantCode: 403},
		{name: "edit keeps empty credential", method: "PATCH", path: "/api/v1/services/codex/configs/main", body: `{"base_url":"https://b","auth_token":"","weight":0}`,
			wantCode: 204, wantCall: "edit codex main> url=https://b tok=- key=- w=0"},
		{name: "edit rename", method: "PATCH", path: "/api/v1/services/claude/configs/main", body: `{"name":"prod","api_key":"sk-new"}`,
			wantCode: 204, wantCall: "edit claude main>prod url=- tok=- key=sk-new w=-"},
		{name: "edit credential kind", method: "PATCH", path: "/api/v1/services/claude/configs/main", body: `{"credential_kind":"api_key"}`,
			wantCode: 204, wantCall: "edit claude main> url=- tok=- key=- w=- kind=api_key"},
		{name: "edit unknown", method: "PATCH", path: "/api/v1/services/claude/configs/zz", body: `{}`, err: config.ErrUnknownConfig, wantCode: 404},
		{name: "delete", method: "DELETE", path: "/api/v1/services/claude/configs/b", wantCode: 204, wantCall: "rm claude b"},
		{name: "delete foreign origin", method: "DELETE", path: "/api/v1/services/claude/configs/b", origin: "http://localhost:1", wantCode: 403},
		{name: "rules", method: "GET", path: "/api/v1/rules/balance", doc: `{"mode":"weight-based","extra":1}`, wantCode: 200, wantCall: "rules balance", wantBody: `"extra":1`},
		{name: "rules broken file", method: "GET", path: "/api/v1/rules/routing", doc: `{"mode":`, wantCode: 409},
		{name: "rules unknown kind", method: "GET", path: "/api/v1/rules/x", err: Invalid(fmt.Errorf("unknown kind")), wantCode: 400},
		{name: "set rules", method: "PUT", path: "/api/v1/rules/filter", body: `[{"source":"a","target":"b"}]`, wantCode: 204, wantCall: `set filter [{"source":"a","target":"b"}]`},
		{name: "set rules invalid", method: "PUT", path: "/api/v1/rules/balance", body: `{"mode":"x"}`,
			err: fmt.Errorf("%w: mode: unknown", config.ErrInvalidRules), wantCode: 400, wantBody: "mode: unknown"},
		{name: "set rules not json", method: "PUT", path: "/api/v1/rules/balance", body: `{mode}`, wantCode: 400},
		{name: "set rules disk", method: "PUT", path: "/api/v1/rules/balance", body: `{}`, err: fmt.Errorf("write: disk full"), wantCode: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &editBackend{fakeBackend: &fakeBackend{}, err: tt.err, doc: tt.doc}
			h := New(b, slog.New(slog.DiscardHandler), Options{})
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			req.Host = "127.0.0.1:3300"
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantCode {
				t.Fatalf("%s %s = %d, want %d; body %s", tt.method, tt.path, rec.Code, tt.wantCode, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("body = %s, want it to contain %q", rec.Body, tt.wantBody)
			}
			if tt.wantCall != "" && (len(b.calls) == 0 || b.calls[len(b.calls)-1] != tt.wantCall) {
				t.Errorf("calls = %q, want last %q", b.calls, tt.wantCall)
			}
			if tt.wantCode == 403 && len(b.calls) > 0 {
				t.Errorf("a refused request reached the backend: %q", b.calls)
			}
		})
	}
}

func TestEditNotWired(t *testing.T) {
	h := New(&fakeBackend{}, slog.New(slog.DiscardHandler), Options{})
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/api/v1/services/claude/configs/x", `{}`},
		{"PATCH", "/api/v1/services/claude/configs/x", `{}`},
		{"DELETE", "/api/v1/services/claude/configs/x", ``},
		{"GET", "/api/v1/rules/balance", ``},
		{"PUT", "/api/v1/rules/balance", `{}`},
	} {
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
		req.Host = "localhost"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 501 {
			t.Errorf("%s %s without an editor = %d, want 501", r.method, r.path, rec.Code)
		}
	}
}
