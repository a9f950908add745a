package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

// benchRecord is a typical record of traffic at 1 000 requests a second:
// headers, two JSON bodies of bodySize bytes each (text that compresses
// like real requests do), arriving a millisecond apart.
func benchRecord(i, bodySize int) *api.Record {
	rec := fullRecord(i)
	rec.Time = t0.Add(time.Duration(i) * time.Millisecond)
	body := make([]byte, 0, bodySize)
	for len(body) < bodySize {
		body = fmt.Appendf(body, `{"role":"user","content":[{"type":"text","text":"line %d of the conversation"}]},`, len(body))
	}
	rec.RequestBody = body[:bodySize]
	rec.ResponseBody = body[:bodySize]
	return rec
}

// BenchmarkWrite measures Add plus the writer's commit of each record: the
// whole cost of logging a request. cpu-ns/op is the process's CPU time per
// record (user + system, all goroutines); 1 000 records/s fit in a tenth of
// a core while it stays under 100 000.
func BenchmarkWrite(b *testing.B) {
	for _, size := range []int{0, 2 << 10, 32 << 10} {
		b.Run(fmt.Sprintf("body=%dKiB", size>>10), func(b *testing.B) {
			db := openTest(b, Options{QueueSize: 1 << 16})
			recs := make([]*api.Record, 256)
			for i := range recs {
				recs[i] = benchRecord(i, size)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := processCPU()
			for i := 0; i < b.N; i++ {
				rec := *recs[i%len(recs)]
				for !db.Add(&rec) {
					time.Sleep(time.Millisecond) // let the writer catch up
				}
			}
			flush(b, db)
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkAdd is the proxy's side alone: the enqueue. The writer is held
// off (its connection taken) so that the queue never fills, and the queued
// records are thrown away afterwards.
func BenchmarkAdd(b *testing.B) {
	db := openTest(b, Options{QueueSize: 1 << 22})
	conn, err := db.h.w.Conn(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	rec := benchRecord(0, 2<<10)
	recs := make([]api.Record, min(b.N, 1<<22))
	for i := range recs {
		recs[i] = *rec
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range recs {
		if !db.Add(&recs[i]) {
			b.Fatal("Add refused")
		}
	}
	b.StopTimer()
	for len(db.queue) > 0 {
		<-db.queue
	}
	conn.Close()
}

// BenchmarkList100k pages through 100 000 rows with the filters the UI uses.
func BenchmarkList100k(b *testing.B) {
	db := openTest(b, Options{QueueSize: 1 << 17, BatchSize: 2048})
	const n = 100_000
	for i := range n {
		rec := fullRecord(i)
		rec.RequestHeaders, rec.ResponseHeaders, rec.RequestBody, rec.ResponseBody = nil, nil, nil, nil
		if i%10 == 0 {
			rec.Status = 529
		}
		if i == n/10 { // one old record of each rare kind: the worst case of a filter
			rec.Service, rec.Config, rec.ModelSent, rec.Status = "rare", "rare", "rare", 404
		}
		for !db.Add(rec) {
			time.Sleep(time.Millisecond)
		}
	}
	flush(b, db)
	ctx := context.Background()
	queries := []struct {
		name string
		q    Query
	}{
		{"newest", Query{}},
		{"deep-page", Query{BeforeID: n / 2}},
		{"service", Query{Service: "codex"}},
		{"config+model", Query{Config: "cfg1", Model: "model-2"}},
		{"errors", Query{Status: "error"}},
		{"status", Query{Status: "529", BeforeID: n / 3}},
		{"time-range", Query{Since: t0.Add(40_000 * time.Minute), Until: t0.Add(41_000 * time.Minute)}},
		{"rare-service", Query{Service: "rare"}},
		{"rare-config", Query{Config: "rare"}},
		{"rare-model", Query{Model: "rare"}},
		{"rare-status", Query{Status: "404"}},
		{"ok", Query{Status: "ok", BeforeID: n / 2}},
	}
	for _, tc := range queries {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				recs, err := db.List(ctx, tc.q)
				if err != nil || len(recs) == 0 {
					b.Fatalf("List = %d, %v", len(recs), err)
				}
			}
		})
	}
	b.Run("count-errors", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.Count(ctx, Query{Status: "error"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stats-by-day-model", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.Stats(ctx, StatsQuery{Bucket: "day", By: []string{"model"}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
