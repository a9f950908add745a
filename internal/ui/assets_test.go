package ui

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

func TestAssets(t *testing.T) {
	files := fstest.MapFS{
		"index.html":           {Data: []byte("<html>index</html>")},
		"favicon.svg":          {Data: []byte("<svg/>")},
		"assets/app-abc123.js": {Data: []byte("console.log(1)")},
	}
	tests := []struct {
		method, path string
		wantCode     int
		wantBody     string
		wantCache    string
	}{
		{"GET", "/", 200, "index", "no-cache"},
		{"GET", "/requests/42", 200, "index", "no-cache"},
		{"GET", "/usage", 200, "index", "no-cache"},
		{"GET", "/assets/app-abc123.js", 200, "console.log", "public, max-age=31536000, immutable"},
		{"GET", "/favicon.svg", 200, "<svg/>", "no-cache"},
		{"GET", "/assets/gone-999.js", 404, "not found", ""},
		{"POST", "/", 405, "method not allowed", ""},
	}
	h := assets(files)
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.wantCode {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, rec.Code, tt.wantCode)
		}
		if !strings.Contains(rec.Body.String(), tt.wantBody) {
			t.Errorf("%s %s body = %q, want %q", tt.method, tt.path, rec.Body, tt.wantBody)
		}
		if got := rec.Header().Get("Cache-Control"); got != tt.wantCache {
			t.Errorf("%s %s Cache-Control = %q, want %q", tt.method, tt.path, got, tt.wantCache)
		}
	}
}

func TestEmbeddedIndex(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/settings", nil)
	req.Host = "127.0.0.1"
	New(&fakeBackend{}, slog.New(slog.DiscardHandler), Options{}).ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `id="app"`) {
		t.Errorf("GET /settings = %d %q, want the embedded index.html", rec.Code, rec.Body)
	}
}

func TestEventsFeed(t *testing.T) {
	ch := make(chan api.Event, 1)
	cancelled := make(chan struct{})
	var subscribed atomic.Bool
	b := &fakeBackend{subscribe: func() (<-chan api.Event, func()) {
		subscribed.Store(true)
		return ch, func() { close(cancelled) }
	}}
	srv := httptest.NewServer(New(b, slog.New(slog.DiscardHandler), Options{}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/api/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The subscription exists once the handshake is done, so no event
	// published after a client connected is missed.
	if !subscribed.Load() {
		t.Fatal("connected before the feed subscription was made")
	}
	want := api.Event{Type: api.EventRequestDone, Service: "claude", Record: &api.Record{ID: 9, Status: 200}}
	ch <- want
	var got api.Event
	if err := wsjson.Read(ctx, c, &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != want.Type || got.Service != want.Service || got.Record == nil || got.Record.ID != 9 {
		t.Errorf("event = %+v, want %+v", got, want)
	}
	c.Close(websocket.StatusNormalClosure, "")
	select {
	case <-cancelled:
	case <-ctx.Done():
		t.Fatal("subscription not cancelled after the client left")
	}
}

func TestEventsForeignOrigin(t *testing.T) {
	srv := httptest.NewServer(New(&fakeBackend{}, slog.New(slog.DiscardHandler), Options{}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/api/v1/events",
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	if err == nil {
		t.Fatal("dial from a foreign origin succeeded, want refused")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin handshake response = %v, want 403", resp)
	}
}
