package ui

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestMetricsRoute(t *testing.T) {
	served := 0
	exposition := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served++
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		io.WriteString(w, "clp_requests_total 3\n")
	})
	tests := []struct {
		name     string
		metrics  http.Handler
		method   string
		host     string
		wantCode int
		wantBody string
		wantHits int
	}{
		{"served", exposition, "GET", "127.0.0.1:3300", 200, "clp_requests_total 3\n", 1},
		{"localhost", exposition, "GET", "localhost:3300", 200, "clp_requests_total 3\n", 1},
		{"foreign host refused before the handler", exposition, "GET", "evil.example:3300", 403, "", 0},
		{"not wired", nil, "GET", "127.0.0.1:3300", 501, "", 0},
		{"only GET", exposition, "POST", "127.0.0.1:3300", 405, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			served = 0
			h := New(&fakeBackend{metrics: tt.metrics}, slog.New(slog.DiscardHandler), Options{})
			req := httptest.NewRequest(tt.method, "/metrics", nil)
			req.Host = tt.host
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantCode {
				t.Fatalf("%s /metrics with Host %s = %d, want %d\n%s", tt.method, tt.host, rec.Code, tt.wantCode, rec.Body)
			}
			if tt.wantBody != "" && rec.Body.String() != tt.wantBody {
				t.Errorf("body = %q, want %q", rec.Body, tt.wantBody)
			}
			if served != tt.wantHits {
				t.Errorf("exposition handler ran %d times, want %d", served, tt.wantHits)
			}
		})
	}
}
