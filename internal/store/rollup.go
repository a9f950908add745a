package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/clp-proxy/clp/internal/api"
)

// rollupKey is the primary key of a rollup row: one UTC hour of one
// service, config and model.
type rollupKey struct {
	hour                   int64 // Unix seconds / 3600
	service, config, model string
}

// rollupAgg is what a rollup row sums up.
type rollupAgg struct {
	requests, errors int64
	usage            api.Usage
	cost             float64
	unknownCost      int64
	latency, ttfb    hist
}

func (a *rollupAgg) merge(o *rollupAgg) {
	a.requests += o.requests
	a.errors += o.errors
	addUsage(&a.usage, &o.usage)
	a.cost += o.cost
	a.unknownCost += o.unknownCost
	a.latency.merge(&o.latency)
	a.ttfb.merge(&o.ttfb)
}

func addUsage(u, o *api.Usage) {
	u.InputTokens += o.InputTokens
	u.CacheReadTokens += o.CacheReadTokens
	u.CacheWriteTokens += o.CacheWriteTokens
	u.CacheWrite5mTokens += o.CacheWrite5mTokens
	u.CacheWrite1hTokens += o.CacheWrite1hTokens
	u.OutputTokens += o.OutputTokens
	u.ReasoningTokens += o.ReasoningTokens
}

// hourOf is the rollup hour of a Unix-nanosecond time, rounding down also
// before 1970.
func hourOf(ns int64) int64 {
	const h = int64(3600e9)
	q := ns / h
	if ns%h < 0 {
		q--
	}
	return q
}

// rollups accumulates rollup rows in memory before they are written.
type rollups map[rollupKey]*rollupAgg

func (m rollups) get(k rollupKey) *rollupAgg {
	a := m[k]
	if a == nil {
		a = new(rollupAgg)
		m[k] = a
	}
	return a
}

// addRow counts one request.
func (m rollups) addRow(r *row) {
	a := m.get(rollupKey{hourOf(r.ts), r.service, r.config, r.rollupModel()})
	a.requests++
	if r.isError {
		a.errors++
	}
	addUsage(&a.usage, &r.usage)
	if r.cost.Valid {
		a.cost += r.cost.Float64
	} else {
		a.unknownCost++
	}
	a.latency.add(r.durationMS)
	if r.ttfbMS > 0 { // 0: no byte reached the client
		a.ttfb.add(r.ttfbMS)
	}
}

// write merges m into the rollup table in tx with the statements of st
// (nil: prepared in tx): rows are read, added to and replaced, since
// histograms cannot be summed in SQL.
func (m rollups) write(ctx context.Context, tx *sql.Tx, st *writeStmts) error {
	if len(m) == 0 {
		return nil
	}
	sel, err := st.in(ctx, tx, stmtRollupGet)
	if err != nil {
		return err
	}
	put, err := st.in(ctx, tx, stmtRollupPut)
	if err != nil {
		return err
	}
	for k, a := range m {
		old, err := scanRollup(sel.QueryRowContext(ctx, k.hour, k.service, k.config, k.model))
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("read rollup: %w", err)
		default:
			a.merge(&old)
		}
		u := &a.usage
		_, err = put.ExecContext(ctx, k.hour, k.service, k.config, k.model,
			a.requests, a.errors, u.InputTokens, u.CacheReadTokens,
			u.CacheWriteTokens, u.CacheWrite5mTokens, u.CacheWrite1hTokens,
			u.OutputTokens, u.ReasoningTokens, a.cost, a.unknownCost,
			a.latency.encode(), a.ttfb.encode())
		if err != nil {
			return fmt.Errorf("write rollup: %w", err)
		}
	}
	return nil
}

// rollupCols are the summed columns of the rollup table, in scanRollup order.
const rollupCols = `requests, errors, input_tokens, cache_read_tokens,
	cache_write_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
	output_tokens, reasoning_tokens, cost_usd, unknown_cost, latency, ttfb`

type scanner interface {
	Scan(dest ...any) error
}

// scanRollup reads the columns named by rollupCols.
func scanRollup(s scanner, extra ...any) (rollupAgg, error) {
	var a rollupAgg
	var lat, ttfb []byte
	u := &a.usage
	dest := append(extra, &a.requests, &a.errors, &u.InputTokens,
		&u.CacheReadTokens, &u.CacheWriteTokens, &u.CacheWrite5mTokens,
		&u.CacheWrite1hTokens, &u.OutputTokens, &u.ReasoningTokens, &a.cost,
		&a.unknownCost, &lat, &ttfb)
	if err := s.Scan(dest...); err != nil {
		return a, err
	}
	var err error
	if a.latency, err = decodeHist(lat); err != nil {
		return a, fmt.Errorf("latency histogram: %w", err)
	}
	if a.ttfb, err = decodeHist(ttfb); err != nil {
		return a, fmt.Errorf("ttfb histogram: %w", err)
	}
	return a, nil
}
