package ui

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/store"
)

const secret = "sk-ant-api03-SECRETSECRETSECRET-wxyz"

// wiredBackend answers every method with fixed, recognisable data.
func wiredBackend(calls *[]string) *fakeBackend {
	note := func(s string) { *calls = append(*calls, s) }
	return &fakeBackend{
		status: func() api.Status {
			return api.Status{PID: 7, Services: []api.ServiceStatus{{
				Name: "claude", Active: "main",
				Configs: []api.ConfigView{{Name: "main", AuthToken: secret, APIKey: "short"}, {Name: "b", APIKey: "sk-a…wxyz"}},
			}}}
		},
		setActive: func(service, name string) error {
			note("active " + service + " " + name)
			if name == "nope" {
				return config.ErrUnknownConfig
			}
			return nil
		},
		shutdown: func() { note("shutdown") },
		requests: func(_ context.Context, q store.Query) ([]api.Record, error) {
			note("requests " + q.Service + " " + q.Status + " " + q.Model)
			n := q.Limit
			if n == 0 {
				n = 3
			}
			out := make([]api.Record, n)
			for i := range out {
				out[i] = api.Record{ID: 100 - int64(i), Service: "claude"}
			}
			return out, nil
		},
		request: func(_ context.Context, id int64) (*api.Record, error) {
			if id != 42 {
				return nil, store.ErrNotFound
			}
			return &api.Record{ID: 42, RequestHeaders: map[string][]string{
				"Authorization": {"Bearer " + secret}, "X-Api-Key": {"…wxyz"}, "Accept": {"text/event-stream"},
			}}, nil
		},
		stats: func(_ context.Context, q store.StatsQuery) ([]api.StatsRow, error) {
			note("stats " + q.Bucket + " " + strings.Join(q.By, ","))
			return []api.StatsRow{{Model: "m", Requests: 5}}, nil
		},
		health: func(service string) ([]balance.Health, error) {
			return []balance.Health{{Name: "main", LastError: "429 rate limited"}}, nil
		},
		resetHealth: func(service, name string) error { note("reset " + service + " " + name); return nil },
		setEnabled: func(service, name string, on bool) error {
			note("enabled " + name + " " + map[bool]string{true: "on", false: "off"}[on])
			return nil
		},
		testConfig: func(_ context.Context, service, name string) (api.ConfigTestResult, error) {
			return api.ConfigTestResult{Config: name, OK: false, Status: 401, LatencyMS: 12, Error: "unauthorized"}, nil
		},
		routeTest: func(service, model string) (api.RouteTestResult, error) {
			return api.RouteTestResult{Service: service, Model: model, Config: "b", SentAs: "glm-4"}, nil
		},
		tryFilter: func(service string, text []byte) ([]byte, redact.Report, error) {
			return []byte(strings.ReplaceAll(string(text), "hunter2", "[PASSWORD]")),
				redact.Report{Counts: map[string]int{"password": 1}}, nil
		},
	}
}

func TestAPI(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		host, origin             string
		wantCode                 int
		wantBody                 string // substring of the answer
		wantCall                 string // last backend call noted, if any
	}{
		{name: "status", method: "GET", path: "/api/v1/status", wantCode: 200, wantBody: `"pid": 7`},
		{name: "configs", method: "GET", path: "/api/v1/services/claude/configs", wantCode: 200, wantBody: `"name": "main"`},
		{name: "configs unknown", method: "GET", path: "/api/v1/services/gemini/configs", wantCode: 404, wantBody: "unknown service gemini"},
		{name: "switch", method: "PUT", path: "/api/v1/services/claude/active", body: `{"name":"b"}`, wantCode: 204, wantCall: "active claude b"},
		{name: "switch same origin", method: "PUT", path: "/api/v1/services/claude/active", body: `{"name":"b"}`, origin: "http://127.0.0.1:3300", wantCode: 204},
		{name: "switch unknown", method: "PUT", path: "/api/v1/services/claude/active", body: `{"name":"nope"}`, wantCode: 404},
		{name: "switch bad body", method: "PUT", path: "/api/v1/services/claude/active", body: `{}`, wantCode: 400},
		{name: "enable", method: "PUT", path: "/api/v1/services/claude/configs/b/enabled", body: `{"enabled":false}`, wantCode: 204, wantCall: "enabled b off"},
		{name: "enable bad body", method: "PUT", path: "/api/v1/services/claude/configs/b/enabled", body: `no`, wantCode: 400},
		{name: "test config", method: "POST", path: "/api/v1/services/claude/configs/b/test", wantCode: 200, wantBody: `"error": "unauthorized"`},
		{name: "health", method: "GET", path: "/api/v1/services/claude/health", wantCode: 200, wantBody: "429 rate limited"},
		{name: "reset one", method: "POST", path: "/api/v1/services/claude/health/reset?config=main", wantCode: 204, wantCall: "reset claude main"},
		{name: "reset all", method: "POST", path: "/api/v1/services/claude/health/reset", wantCode: 204, wantCall: "reset claude "},
		{name: "route", method: "GET", path: "/api/v1/services/claude/route?model=opus", wantCode: 200, wantBody: `"model_sent": "glm-4"`},
		{name: "route no model", method: "GET", path: "/api/v1/services/claude/route", wantCode: 400},
		{name: "filter try", method: "POST", path: "/api/v1/services/claude/filter/try", body: `{"text":"pw hunter2"}`, wantCode: 200, wantBody: `"text": "pw [PASSWORD]"`},
		{name: "filter bad body", method: "POST", path: "/api/v1/services/claude/filter/try", body: `[`, wantCode: 400},
		{name: "requests", method: "GET", path: "/api/v1/requests?service=claude&status=error&model=opus", wantCode: 200, wantBody: `"id": 100`, wantCall: "requests claude error opus"},
		{name: "requests full page", method: "GET", path: "/api/v1/requests?limit=2", wantCode: 200, wantBody: `"next_before": 99`},
		{name: "requests bad limit", method: "GET", path: "/api/v1/requests?limit=0", wantCode: 400},
		{name: "requests bad since", method: "GET", path: "/api/v1/requests?since=yesterday", wantCode: 400},
		{name: "requests bad before", method: "GET", path: "/api/v1/requests?before=x", wantCode: 400},
		{name: "request", method: "GET", path: "/api/v1/requests/42", wantCode: 200, wantBody: `"id": 42`},
		{name: "request unknown", method: "GET", path: "/api/v1/requests/41", wantCode: 404},
		{name: "request bad id", method: "GET", path: "/api/v1/requests/x", wantCode: 400},
		{name: "stats", method: "GET", path: "/api/v1/stats?bucket=day&by=model,config&tz=UTC", wantCode: 200, wantBody: `"requests": 5`, wantCall: "stats day model,config"},
		{name: "stats bad bucket", method: "GET", path: "/api/v1/stats?bucket=week", wantCode: 400},
		{name: "stats bad by", method: "GET", path: "/api/v1/stats?by=user", wantCode: 400},
		{name: "stats bad tz", method: "GET", path: "/api/v1/stats?tz=Mars/Base", wantCode: 400},
		{name: "shutdown", method: "POST", path: "/api/v1/shutdown", wantCode: 202, wantCall: "shutdown"},
		{name: "unknown api", method: "GET", path: "/api/v1/nope", wantCode: 404, wantBody: "no such endpoint"},
		{name: "wrong method", method: "DELETE", path: "/api/v1/status", wantCode: 404},

		{name: "foreign host", method: "GET", path: "/api/v1/status", host: "evil.example:3300", wantCode: 403, wantBody: "not allowed"},
		{name: "foreign host page", method: "GET", path: "/", host: "rebind.example", wantCode: 403},
		{name: "localhost host", method: "GET", path: "/api/v1/status", host: "localhost:3300", wantCode: 200},
		{name: "ipv6 loopback host", method: "GET", path: "/api/v1/status", host: "[::1]:3300", wantCode: 200},
		{name: "foreign origin put", method: "PUT", path: "/api/v1/services/claude/active", body: `{"name":"b"}`, origin: "https://evil.example", wantCode: 403, wantBody: "cross-origin"},
		{name: "foreign origin post", method: "POST", path: "/api/v1/shutdown", origin: "https://evil.example", wantCode: 403},
		{name: "foreign origin delete unknown path", method: "DELETE", path: "/whatever", origin: "http://127.0.0.1:9999", wantCode: 403},
		{name: "foreign origin patch", method: "PATCH", path: "/api/v1/services/claude/configs/b/enabled", origin: "null", wantCode: 403},
		{name: "foreign origin get allowed", method: "GET", path: "/api/v1/status", origin: "https://evil.example", wantCode: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []string
			h := New(wiredBackend(&calls), slog.New(slog.DiscardHandler), Options{})
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			req.Host = "127.0.0.1:3300"
			if tt.host != "" {
				req.Host = tt.host
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := rec.Code; got != tt.wantCode {
				t.Fatalf("%s %s: status = %d, want %d; body %s", tt.method, tt.path, got, tt.wantCode, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("body = %s, want it to contain %q", rec.Body, tt.wantBody)
			}
			if tt.wantCall != "" && (len(calls) == 0 || calls[len(calls)-1] != tt.wantCall) {
				t.Errorf("backend calls = %q, want last %q", calls, tt.wantCall)
			}
			if tt.wantCode == 403 && len(calls) > 0 {
				t.Errorf("refused request reached the backend: %q", calls)
			}
		})
	}
}

func TestNotWired(t *testing.T) {
	h := New(&fakeBackend{}, slog.New(slog.DiscardHandler), Options{})
	for _, p := range []string{"/api/v1/requests", "/api/v1/requests/1", "/api/v1/stats", "/api/v1/services/claude/health"} {
		req := httptest.NewRequest("GET", p, nil)
		req.Host = "localhost"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotImplemented {
			t.Errorf("GET %s = %d, want 501", p, rec.Code)
		}
	}
}

func TestCredentialsMasked(t *testing.T) {
	var calls []string
	srv := httptest.NewServer(New(wiredBackend(&calls), slog.New(slog.DiscardHandler), Options{}))
	defer srv.Close()
	for _, p := range []string{"/api/v1/status", "/api/v1/services/claude/configs", "/api/v1/requests/42"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s = %d", p, resp.StatusCode)
		}
		if strings.Contains(string(body), "SECRET") || strings.Contains(string(body), `"short"`) {
			t.Errorf("GET %s leaks a credential: %s", p, body)
		}
	}
	resp, err := http.Get(srv.URL + "/api/v1/requests/42")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rec api.Record
	if err := json.NewDecoder(resp.Body).Decode(&rec); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.RequestHeaders["Authorization"][0], "Bearer …wxyz"; got != want {
		t.Errorf("Authorization = %q, want %q", got, want)
	}
	if got, want := rec.RequestHeaders["Accept"][0], "text/event-stream"; got != want {
		t.Errorf("Accept = %q, want %q (not a credential)", got, want)
	}
	var st api.Status
	r2, _ := http.Get(srv.URL + "/api/v1/status")
	json.NewDecoder(r2.Body).Decode(&st)
	r2.Body.Close()
	cs := st.Services[0].Configs
	if got, want := cs[0].AuthToken, "sk-a…wxyz"; got != want {
		t.Errorf("auth_token = %q, want %q", got, want)
	}
	if got, want := cs[1].APIKey, "sk-a…wxyz"; got != want {
		t.Errorf("already masked api_key = %q, want %q unchanged", got, want)
	}
}

func TestErrorStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{config.ErrUnknownService, 404},
		{store.ErrNotFound, 404},
		{api.ErrNotWired, 501},
		{badRequest{"x"}, 400},
		{errors.New("disk full"), 500},
	}
	for _, tt := range tests {
		if got := statusOf(tt.err); got != tt.want {
			t.Errorf("statusOf(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	q, err := parseQuery(map[string][]string{"since": {"2026-01-02T03:04:05Z"}, "before": {"77"}, "limit": {"20"}, "config": {"b"}})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Query{Config: "b", Since: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), BeforeID: 77, Limit: 20}
	if !q.Since.Equal(want.Since) || q.BeforeID != want.BeforeID || q.Limit != want.Limit || q.Config != want.Config {
		t.Errorf("parseQuery = %+v, want %+v", q, want)
	}
}
