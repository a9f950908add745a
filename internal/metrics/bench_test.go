package metrics

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/clp-proxy/clp/internal/api"
)

// BenchmarkObserve is the cost added to every proxied request.
func BenchmarkObserve(b *testing.B) {
	m := New(Options{})
	rec := &api.Record{Service: "claude", Config: "prod", ModelSent: "claude-sonnet-4-5", Status: 200,
		DurationMS: 2300, TTFBMS: 410, Usage: usage(25, 100, 7, 15, 0)}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Observe(rec)
		}
	})
}

// BenchmarkScrape is one scrape of a daemon with a few configs and models.
func BenchmarkScrape(b *testing.B) {
	m := New(Options{
		ActiveStreams: func() []ServiceCount { return []ServiceCount{{"claude", 3}, {"codex", 1}} },
		Health: func() []ConfigHealth {
			return []ConfigHealth{{"claude", "a", true, 0}, {"claude", "b", false, 3}, {"codex", "x", true, 0}}
		},
		DroppedRecords: func() int64 { return 0 },
	})
	for _, svc := range []string{"claude", "codex"} {
		for _, cfg := range []string{"a", "b", "c"} {
			for _, model := range []string{"m1", "m2", "m3", "m4"} {
				m.Observe(&api.Record{Service: svc, Config: cfg, ModelSent: model, Status: 200, DurationMS: 900, TTFBMS: 200, Usage: usage(1, 2, 3, 4, 5)})
			}
		}
	}
	h := m.Handler()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}
