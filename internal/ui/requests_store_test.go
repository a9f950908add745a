package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/store"
)

var storeT0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// filledStore opens a request log in a temporary folder with n records:
// services alternate, configs cycle through three, models through four,
// and every tenth request failed with 529.
func filledStore(tb testing.TB, n int) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "clp.db"), store.Options{QueueSize: 1 << 17, BatchSize: 4096, PruneInterval: -1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	cost := 0.01
	for i := range n {
		rec := &api.Record{
			Time: storeT0.Add(time.Duration(i) * time.Second), Service: []string{"claude", "codex"}[i%2],
			Config: fmt.Sprintf("cfg%d", i%3), ModelRequested: "claude-sonnet-4-5", ModelSent: fmt.Sprintf("model-%d", i%4),
			Method: "POST", Path: "/v1/messages", Status: 200, Stream: true, DurationMS: 900, TTFBMS: 150,
			Usage:   &api.Usage{InputTokens: 10, CacheReadTokens: 1000, OutputTokens: 50},
			CostUSD: &cost,
		}
		if i%10 == 0 {
			rec.Status, rec.Error = 529, "overloaded"
		}
		for !db.Add(rec) {
			time.Sleep(time.Millisecond)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := db.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

// storeUI is the API over a real request log.
func storeUI(db *store.DB) http.Handler {
	return New(&fakeBackend{requests: db.List, request: db.Get}, slog.New(slog.DiscardHandler), Options{})
}

func getPage(tb testing.TB, h http.Handler, query string) api.RequestPage {
	tb.Helper()
	req := httptest.NewRequest("GET", "/api/v1/requests?"+query, nil)
	req.Host = "localhost"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		tb.Fatalf("GET /api/v1/requests?%s = %d %s", query, rec.Code, rec.Body)
	}
	var p api.RequestPage
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestRequestsPagingStore walks every page of filtered lists over a real
// store: each record comes once, newest first, and matches the filter.
func TestRequestsPagingStore(t *testing.T) {
	const n = 1000
	h := storeUI(filledStore(t, n))
	tests := []struct {
		query string
		want  int
		match func(api.Record) bool
	}{
		{"limit=70", n, func(api.Record) bool { return true }},
		{"limit=33&service=codex", n / 2, func(r api.Record) bool { return r.Service == "codex" }},
		{"limit=20&status=error", n / 10, func(r api.Record) bool { return r.Status == 529 }},
		{"limit=50&config=cfg1&model=model-2", 83, // i ≡ 10 (mod 12) below 1000
			func(r api.Record) bool { return r.Config == "cfg1" && r.ModelSent == "model-2" }},
		{"since=" + storeT0.Add(100*time.Second).Format(time.RFC3339) + "&until=" + storeT0.Add(200*time.Second).Format(time.RFC3339), 100,
			func(r api.Record) bool {
				return !r.Time.Before(storeT0.Add(100*time.Second)) && r.Time.Before(storeT0.Add(200*time.Second))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			seen := map[int64]bool{}
			last := int64(1 << 62)
			q := tt.query
			for pages := 0; ; pages++ {
				if pages > n {
					t.Fatal("paging does not end")
				}
				p := getPage(t, h, q)
				for _, r := range p.Records {
					if r.ID >= last || seen[r.ID] {
						t.Fatalf("id %d after %d: not newest first, or seen twice", r.ID, last)
					}
					if !tt.match(r) {
						t.Fatalf("record %+v does not match %s", r, tt.query)
					}
					seen[r.ID], last = true, r.ID
				}
				if p.NextBefore == 0 {
					break
				}
				q = tt.query + "&before=" + strconv.FormatInt(p.NextBefore, 10)
			}
			if len(seen) != tt.want {
				t.Errorf("%d records over all pages, want %d", len(seen), tt.want)
			}
		})
	}
}

// BenchmarkRequestsAPI100k is GET /api/v1/requests, JSON included, over a
// real store of 100 000 records, with the filters and pages the UI asks for.
// The target is under 50 ms (50 000 000 ns/op) a page.
func BenchmarkRequestsAPI100k(b *testing.B) {
	const n = 100_000
	h := storeUI(filledStore(b, n))
	for _, q := range []struct{ name, query string }{
		{"newest", "limit=50"},
		{"deep-page", "limit=50&before=" + strconv.Itoa(n/2)},
		{"service", "limit=50&service=codex"},
		{"errors", "limit=50&status=error"},
		{"errors-deep", "limit=50&status=error&before=" + strconv.Itoa(n/5)},
		{"config+model", "limit=50&config=cfg1&model=model-2"},
		{"time-range", "limit=50&since=" + storeT0.Add(40_000*time.Second).Format(time.RFC3339) + "&until=" + storeT0.Add(41_000*time.Second).Format(time.RFC3339)},
		{"page-of-1000", "limit=1000"},
	} {
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if p := getPage(b, h, q.query); len(p.Records) == 0 {
					b.Fatal("empty page")
				}
			}
		})
	}
}
