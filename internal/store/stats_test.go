package store

import (
	"cmp"
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

// statsFixture stores records spread over three hours and two UTC days.
func statsFixture(t *testing.T) (*DB, []*api.Record) {
	t.Helper()
	db := openTest(t, Options{})
	times := []time.Time{
		t0.Add(5 * time.Minute),              // 2025-03-01 10:05 UTC
		t0.Add(65 * time.Minute),             // 11:05
		t0.Add(7*time.Hour + 30*time.Minute), // 17:30 UTC, 01:30 the next day at +08
		t0.Add(17 * time.Hour),               // 2025-03-02 03:00 UTC
	}
	var recs []*api.Record
	for i := range 24 {
		rec := fullRecord(i)
		rec.Time = times[i%len(times)].Add(time.Duration(i) * time.Second)
		rec.DurationMS = float64(100 * (i + 1))
		if i%6 == 5 {
			rec.CostUSD = nil
			rec.Status = 500
		}
		if i%8 == 7 {
			rec.Usage = nil
		}
		db.Add(rec)
		recs = append(recs, rec)
	}
	flush(t, db)
	return db, recs
}

// expectStats computes what Stats should say about recs, grouped by key.
func expectStats(recs []*api.Record, key func(*api.Record) StatsRow) []StatsRow {
	groups := map[StatsRow]*StatsRow{}
	var order []StatsRow
	for _, r := range recs {
		k := key(r)
		g := groups[k]
		if g == nil {
			g = &StatsRow{Bucket: k.Bucket, Service: k.Service, Config: k.Config, Model: k.Model}
			groups[k] = g
			order = append(order, k)
		}
		g.Requests++
		if r.Status < 200 || r.Status >= 400 || r.Error != "" {
			g.Errors++
		}
		if r.Usage != nil {
			addUsage(&g.Usage, r.Usage)
		}
		if r.CostUSD != nil {
			g.CostUSD += *r.CostUSD
		} else {
			g.UnknownCost++
		}
	}
	var out []StatsRow
	for _, k := range order {
		g := *groups[k]
		if in := g.Usage.InputTokens + g.Usage.CacheReadTokens + g.Usage.CacheWriteTokens; in > 0 {
			g.CacheHitRatio = float64(g.Usage.CacheReadTokens) / float64(in)
		}
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b StatsRow) int {
		return cmp.Or(a.Bucket.Compare(b.Bucket), cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Config, b.Config), cmp.Compare(a.Model, b.Model))
	})
	return out
}

func TestStatsGrouping(t *testing.T) {
	db, recs := statsFixture(t)
	plus8 := time.FixedZone("+08", 8*3600)
	utcHour := func(r *api.Record) time.Time { return r.Time.Truncate(time.Hour).UTC() }
	tests := []struct {
		name string
		q    StatsQuery
		key  func(*api.Record) StatsRow
	}{
		{"total", StatsQuery{}, func(*api.Record) StatsRow { return StatsRow{} }},
		{"by service", StatsQuery{By: []string{"service"}},
			func(r *api.Record) StatsRow { return StatsRow{Service: r.Service} }},
		{"by config and model", StatsQuery{By: []string{"config", "model"}},
			func(r *api.Record) StatsRow { return StatsRow{Config: r.Config, Model: r.ModelSent} }},
		{"hourly by everything", StatsQuery{Bucket: "hour", By: []string{"model", "service", "config"}},
			func(r *api.Record) StatsRow {
				return StatsRow{Bucket: utcHour(r), Service: r.Service, Config: r.Config, Model: r.ModelSent}
			}},
		{"daily UTC", StatsQuery{Bucket: "day"}, func(r *api.Record) StatsRow {
			y, m, d := r.Time.UTC().Date()
			return StatsRow{Bucket: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
		}},
		{"daily at +08", StatsQuery{Bucket: "day", Location: plus8}, func(r *api.Record) StatsRow {
			y, m, d := r.Time.In(plus8).Date()
			return StatsRow{Bucket: time.Date(y, m, d, 0, 0, 0, 0, plus8)}
		}},
		{"since and until", StatsQuery{Since: t0.Add(30 * time.Minute), Until: t0.Add(8 * time.Hour), By: []string{"service"}},
			func(r *api.Record) StatsRow { return StatsRow{Service: r.Service} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in []*api.Record
			for _, r := range recs {
				// Hours count when they start in [Since truncated, Until).
				h := r.Time.Truncate(time.Hour)
				if (tt.q.Since.IsZero() || !h.Before(tt.q.Since.Truncate(time.Hour))) &&
					(tt.q.Until.IsZero() || h.Before(tt.q.Until)) {
					in = append(in, r)
				}
			}
			want := expectStats(in, tt.key)
			got := mustStats(t, db, tt.q)
			if len(got) != len(want) {
				t.Fatalf("got %d rows, want %d:\n got %+v\nwant %+v", len(got), len(want), got, want)
			}
			for i := range got {
				g, w := got[i], want[i]
				if !g.Bucket.Equal(w.Bucket) || g.Bucket.Location().String() != w.Bucket.Location().String() ||
					g.Service != w.Service || g.Config != w.Config || g.Model != w.Model ||
					g.Requests != w.Requests || g.Errors != w.Errors || g.Usage != w.Usage ||
					g.UnknownCost != w.UnknownCost || math.Abs(g.CostUSD-w.CostUSD) > 1e-9 ||
					math.Abs(g.CacheHitRatio-w.CacheHitRatio) > 1e-12 {
					t.Errorf("row %d:\n got %+v\nwant %+v", i, g, w)
				}
				if g.CostKnown() != (w.UnknownCost == 0) {
					t.Errorf("row %d: CostKnown() = %v with %d unknown", i, g.CostKnown(), g.UnknownCost)
				}
			}
		})
	}
	// The +08 days must differ from the UTC ones, or that case proves nothing.
	utc := mustStats(t, db, StatsQuery{Bucket: "day"})
	local := mustStats(t, db, StatsQuery{Bucket: "day", Location: plus8})
	if len(utc) != 2 || len(local) != 2 || utc[0].Requests == local[0].Requests {
		t.Errorf("day buckets: UTC %+v, +08 %+v", utc, local)
	}
}

func TestStatsPercentiles(t *testing.T) {
	db := openTest(t, Options{})
	// 200 requests in one hour: durations 10, 20, … 2000 ms; TTFB a tenth of
	// that, except 20 requests that never got a first byte.
	var durations, ttfbs []float64
	for i := range 200 {
		rec := fullRecord(i)
		rec.Time = t0.Add(time.Duration(i) * time.Second)
		rec.DurationMS = float64(10 * (i + 1))
		rec.TTFBMS = rec.DurationMS / 10
		if i%10 == 0 {
			rec.TTFBMS = 0
		} else {
			ttfbs = append(ttfbs, rec.TTFBMS)
		}
		durations = append(durations, rec.DurationMS)
		db.Add(rec)
	}
	flush(t, db)
	rows := mustStats(t, db, StatsQuery{})
	if len(rows) != 1 {
		t.Fatalf("rows = %+v", rows)
	}
	r := rows[0]
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"latency p50", r.LatencyP50MS, exactQuantile(durations, 0.50)},
		{"latency p95", r.LatencyP95MS, exactQuantile(durations, 0.95)},
		{"ttfb p50", r.TTFBP50MS, exactQuantile(ttfbs, 0.50)},
		{"ttfb p95", r.TTFBP95MS, exactQuantile(ttfbs, 0.95)},
	} {
		if rel := math.Abs(c.got-c.want) / c.want; rel > 0.10 {
			t.Errorf("%s = %.1f, want %.1f ± 10%%", c.name, c.got, c.want)
		}
	}
}

// exactQuantile is the nearest-rank quantile of vs.
func exactQuantile(vs []float64, q float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	rank := int(math.Ceil(q * float64(len(s))))
	return s[max(rank, 1)-1]
}

func TestStatsBadQuery(t *testing.T) {
	db := openTest(t, Options{})
	for _, q := range []StatsQuery{{Bucket: "week"}, {By: []string{"user"}}} {
		if _, err := db.Stats(context.Background(), q); err == nil {
			t.Errorf("Stats(%+v) succeeded, want an error", q)
		}
	}
}

func TestStatsModelFallsBackToRequested(t *testing.T) {
	db := openTest(t, Options{})
	rec := fullRecord(0)
	rec.ModelSent = "" // failed before anything was sent
	db.Add(rec)
	flush(t, db)
	rows := mustStats(t, db, StatsQuery{By: []string{"model"}})
	if len(rows) != 1 || rows[0].Model != rec.ModelRequested {
		t.Errorf("rows = %+v, want model %q", rows, rec.ModelRequested)
	}
}
