package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

// StatsQuery selects and groups statistics.
type StatsQuery struct {
	// Since and Until bound the rollup hours: an hour counts when its start
	// lies in [Since truncated to the hour, Until). Zero means unbounded.
	Since, Until time.Time
	// Bucket is "hour", "day" or "" (one bucket over the whole range).
	Bucket string
	// By lists the dimensions to group by, any of "service", "config",
	// "model"; the others are summed over. The model is the one sent
	// upstream, or the one requested when none was sent.
	By []string
	// Location cuts "day" buckets at its midnights (nil: UTC). Rollups are
	// hourly in UTC, so in a zone whose offset is not whole hours a day
	// starts with the first UTC hour that begins inside it.
	Location *time.Location
}

// StatsRow is one group of requests (api.StatsRow, the API's shape).
type StatsRow = api.StatsRow

// Stats sums the hourly rollups selected by q into rows ordered by bucket,
// service, config and model. Rollups are written in the same transaction as
// the requests they count and are never pruned.
func (db *DB) Stats(ctx context.Context, q StatsQuery) ([]StatsRow, error) {
	var byService, byConfig, byModel bool
	for _, d := range q.By {
		switch d {
		case "service":
			byService = true
		case "config":
			byConfig = true
		case "model":
			byModel = true
		default:
			return nil, fmt.Errorf("bad stats dimension %q: want service, config or model", d)
		}
	}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	var bucketOf func(hour int64) time.Time
	switch q.Bucket {
	case "":
		bucketOf = func(int64) time.Time { return time.Time{} }
	case "hour":
		bucketOf = func(h int64) time.Time { return time.Unix(h*3600, 0).In(loc) }
	case "day":
		bucketOf = func(h int64) time.Time {
			y, m, d := time.Unix(h*3600, 0).In(loc).Date()
			return time.Date(y, m, d, 0, 0, 0, 0, loc)
		}
	default:
		return nil, fmt.Errorf("bad stats bucket %q: want hour, day or empty", q.Bucket)
	}

	where, args := "", []any{}
	if !q.Since.IsZero() {
		where += " AND hour >= ?"
		args = append(args, hourOf(q.Since.UnixNano()))
	}
	if !q.Until.IsZero() {
		// Hours starting before Until: hour*3600 < until.
		where += " AND hour < ?"
		args = append(args, hourCeil(q.Until.UnixNano()))
	}
	rows, err := db.h.r.QueryContext(ctx, `SELECT hour, service, config, model, `+
		rollupCols+` FROM rollup WHERE 1=1`+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read stats: %w", err)
	}
	defer rows.Close()

	type groupKey struct {
		bucket                 int64
		service, config, model string
	}
	groups := map[groupKey]*rollupAgg{}
	buckets := map[int64]time.Time{}
	for rows.Next() {
		var k rollupKey
		a, err := scanRollup(rows, &k.hour, &k.service, &k.config, &k.model)
		if err != nil {
			return nil, fmt.Errorf("read stats: %w", err)
		}
		b := bucketOf(k.hour)
		bk := b.Unix()
		buckets[bk] = b
		g := groupKey{bucket: bk}
		if byService {
			g.service = k.service
		}
		if byConfig {
			g.config = k.config
		}
		if byModel {
			g.model = k.model
		}
		if cur := groups[g]; cur != nil {
			cur.merge(&a)
		} else {
			groups[g] = &a
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read stats: %w", err)
	}

	out := make([]StatsRow, 0, len(groups))
	for g, a := range groups {
		r := StatsRow{
			Bucket:       buckets[g.bucket],
			Service:      g.service,
			Config:       g.config,
			Model:        g.model,
			Requests:     a.requests,
			Errors:       a.errors,
			Usage:        a.usage,
			CostUSD:      a.cost,
			UnknownCost:  a.unknownCost,
			LatencyP50MS: a.latency.quantile(0.50),
			LatencyP95MS: a.latency.quantile(0.95),
			TTFBP50MS:    a.ttfb.quantile(0.50),
			TTFBP95MS:    a.ttfb.quantile(0.95),
		}
		if in := a.usage.InputTokens + a.usage.CacheReadTokens + a.usage.CacheWriteTokens; in > 0 {
			r.CacheHitRatio = float64(a.usage.CacheReadTokens) / float64(in)
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b StatsRow) int {
		return cmp.Or(a.Bucket.Compare(b.Bucket), cmp.Compare(a.Service, b.Service),
			cmp.Compare(a.Config, b.Config), cmp.Compare(a.Model, b.Model))
	})
	return out, nil
}

// hourCeil is the first rollup hour starting at or after a Unix-nanosecond time.
func hourCeil(ns int64) int64 {
	h := hourOf(ns)
	if h*int64(3600e9) < ns {
		h++
	}
	return h
}
