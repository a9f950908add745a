package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

// Query selects request records. Zero fields do not filter.
type Query struct {
	Service string
	Config  string
	// Model matches the model requested or the model sent.
	Model string
	// Status is "ok", "error" (see below) or an exact HTTP status such as
	// "429". A request is an error when its status is outside 200–399 (0 when
	// no response arrived) or it carries an error message, such as a stream
	// the upstream broke after a 200.
	Status string
	// Since and Until bound the arrival time: Since ≤ time < Until.
	Since, Until time.Time
	// BeforeID pages backwards: only ids below it (0: from the newest).
	BeforeID int64
	// Limit is the page size for List (default 50, at most 1000).
	Limit int
}

const (
	defaultLimit = 50
	maxLimit     = 1000
)

// where returns the SQL condition and arguments of q.
func (q Query) where() (string, []any, error) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if q.Service != "" {
		add("service = ?", q.Service)
	}
	if q.Config != "" {
		add("config = ?", q.Config)
	}
	if q.Model != "" {
		add("(model_sent = ? OR model_requested = ?)", q.Model, q.Model)
	}
	switch q.Status {
	case "":
	case "ok":
		add("is_error = 0")
	case "error":
		add("is_error = 1")
	default:
		code, err := strconv.Atoi(q.Status)
		if err != nil || code < 0 || code > 999 {
			return "", nil, fmt.Errorf("bad status filter %q: want ok, error or an HTTP status", q.Status)
		}
		if isErrorRecord(code, "") {
			// Implied by the status; lets SQLite walk the partial index.
			add("is_error = 1")
		}
		add("status = ?", code)
	}
	if !q.Since.IsZero() {
		add("ts >= ?", q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		add("ts < ?", q.Until.UnixNano())
	}
	if q.BeforeID > 0 {
		add("id < ?", q.BeforeID)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// requestCols are the columns of a request row, in scanRequest order.
const requestCols = `id, ts, service, config, model_requested, model_sent,
	method, path, status, stream, incomplete, duration_ms, ttfb_ms, has_usage,
	input_tokens, cache_read_tokens, cache_write_tokens,
	cache_write_5m_tokens, cache_write_1h_tokens, output_tokens,
	reasoning_tokens, cost_usd, error, attempts, redactions`

// scanRequest reads the columns named by requestCols, then extra.
func scanRequest(s scanner, extra ...any) (api.Record, error) {
	var (
		rec                  api.Record
		ts                   int64
		hasUsage             bool
		u                    api.Usage
		cost                 sql.NullFloat64
		attempts, redactions sql.NullString
	)
	dest := []any{&rec.ID, &ts, &rec.Service, &rec.Config,
		&rec.ModelRequested, &rec.ModelSent, &rec.Method, &rec.Path,
		&rec.Status, &rec.Stream, &rec.Incomplete, &rec.DurationMS,
		&rec.TTFBMS, &hasUsage, &u.InputTokens, &u.CacheReadTokens,
		&u.CacheWriteTokens, &u.CacheWrite5mTokens, &u.CacheWrite1hTokens,
		&u.OutputTokens, &u.ReasoningTokens, &cost, &rec.Error, &attempts,
		&redactions}
	if err := s.Scan(append(dest, extra...)...); err != nil {
		return rec, err
	}
	rec.Time = time.Unix(0, ts).UTC()
	if hasUsage {
		rec.Usage = &u
	}
	if cost.Valid {
		rec.CostUSD = &cost.Float64
	}
	if attempts.Valid {
		if err := json.Unmarshal([]byte(attempts.String), &rec.Attempts); err != nil {
			return rec, fmt.Errorf("request %d attempts: %w", rec.ID, err)
		}
	}
	if redactions.Valid {
		if err := decodeRedactions([]byte(redactions.String), &rec); err != nil {
			return rec, fmt.Errorf("request %d redactions: %w", rec.ID, err)
		}
	}
	return rec, nil
}

// listSQL selects a page of requests matching where, newest first, limit
// the last argument. The page's ids are chosen first, in indexes that cover
// the filters (see migration v3), and only the page's rows are read whole.
func listSQL(where string) string {
	return "SELECT " + requestCols + " FROM requests WHERE id IN (SELECT id FROM requests" +
		where + " ORDER BY id DESC LIMIT ?) ORDER BY id DESC"
}

// List returns the records matching q, newest (highest id) first, without
// headers or bodies. Ids grow in the order records were added, so the next
// page is Query{..., BeforeID: the last id of this page}.
func (db *DB) List(ctx context.Context, q Query) ([]api.Record, error) {
	where, args, err := q.where()
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	rows, err := db.h.r.QueryContext(ctx, listSQL(where), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	defer rows.Close()
	out := make([]api.Record, 0, min(limit, 64))
	for rows.Next() {
		rec, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("list requests: %w", err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	return out, nil
}

// Count returns how many records match q; BeforeID applies, Limit does not.
func (db *DB) Count(ctx context.Context, q Query) (int, error) {
	where, args, err := q.where()
	if err != nil {
		return 0, err
	}
	var n int
	if err := db.h.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM requests"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count requests: %w", err)
	}
	return n, nil
}

// Get returns one record in full: headers and bodies decompressed (as capped
// when written; nil once pruned). It returns ErrNotFound for an unknown id.
// A record just added is visible once its batch is committed (see Flush).
func (db *DB) Get(ctx context.Context, id int64) (*api.Record, error) {
	var detail []byte
	var reqSize, respSize sql.NullInt64
	rec, err := scanRequest(db.h.r.QueryRowContext(ctx, "SELECT "+requestCols+`, detail, request_size, response_size
		FROM (SELECT * FROM requests WHERE id = ?)
		LEFT JOIN (SELECT id AS body_id, detail, request_size, response_size FROM bodies WHERE id = ?)
		ON body_id = id`, id, id), &detail, &reqSize, &respSize)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get request %d: %w", id, err)
	}
	rec.RequestHeaders, rec.ResponseHeaders, rec.RequestBody, rec.ResponseBody, err = db.codec.unpackDetail(detail)
	if err != nil {
		return nil, fmt.Errorf("get request %d: %w", id, err)
	}
	rec.RequestSize, rec.ResponseSize = reqSize.Int64, respSize.Int64
	return &rec, nil
}
