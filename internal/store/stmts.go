package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// stmtID names one of the statements that write records and rollups.
type stmtID int

const (
	stmtRequest stmtID = iota
	stmtBody
	stmtLastID
	stmtRollupGet
	stmtRollupPut
	numStmts
)

// text is the SQL of the statement.
func (id stmtID) text() string {
	switch id {
	case stmtRequest:
		return `INSERT INTO requests (id, ts, service, config,
	model_requested, model_sent, method, path, status, is_error, stream,
	incomplete, duration_ms, ttfb_ms, has_usage, input_tokens,
	cache_read_tokens, cache_write_tokens, cache_write_5m_tokens,
	cache_write_1h_tokens, output_tokens, reasoning_tokens, cost_usd, error,
	attempts, redactions)
	VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`
	case stmtBody:
		return `INSERT INTO bodies (id, ts, detail, request_size,
	response_size) VALUES (?,?,?,?,?)`
	case stmtLastID:
		return `INSERT INTO meta (key, value) VALUES ('last_id', ?)
	ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)`
	case stmtRollupGet:
		return `SELECT ` + rollupCols + ` FROM rollup
	WHERE hour = ? AND service = ? AND config = ? AND model = ?`
	case stmtRollupPut:
		return `INSERT OR REPLACE INTO rollup (hour, service, config, model, ` +
			rollupCols + `) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`
	}
	panic(fmt.Sprintf("store: unknown statement %d", id))
}

// writeStmts are the write statements prepared once on the writer's pool, so
// that a batch does not pay for preparing them (as much as a small batch's
// inserts). database/sql prepares them again on a new connection should the
// pool replace its one. A nil *writeStmts prepares them in each transaction,
// for one-off writers such as the importer.
type writeStmts struct {
	s [numStmts]*sql.Stmt
}

// prepareWrite prepares the write statements on db.
func prepareWrite(ctx context.Context, db *sql.DB) (*writeStmts, error) {
	w := new(writeStmts)
	for id := range numStmts {
		s, err := db.PrepareContext(ctx, id.text())
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare statement: %w", err)
		}
		w.s[id] = s
	}
	return w, nil
}

// close releases the statements; it is safe on a nil or partly prepared w.
func (w *writeStmts) close() error {
	if w == nil {
		return nil
	}
	var errs []error
	for _, s := range w.s {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}

// in returns statement id for use in tx; it is closed with tx.
func (w *writeStmts) in(ctx context.Context, tx *sql.Tx, id stmtID) (*sql.Stmt, error) {
	if w == nil {
		s, err := tx.PrepareContext(ctx, id.text())
		if err != nil {
			return nil, fmt.Errorf("prepare statement: %w", err)
		}
		return s, nil
	}
	return tx.StmtContext(ctx, w.s[id]), nil
}
