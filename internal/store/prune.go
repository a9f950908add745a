package store

import (
	"context"
	"database/sql"
	"fmt"
)

// pruneChunk is the most rows deleted per transaction, so that the writer
// can commit new records between chunks.
const pruneChunk = 1000

// PruneResult says what a Prune removed.
type PruneResult struct {
	Bodies int64 `json:"bodies"` // bodies (with their headers) removed
	Rows   int64 `json:"rows"`   // request rows removed
	// BytesBefore and BytesAfter are the database's used size.
	BytesBefore int64 `json:"bytes_before"`
	BytesAfter  int64 `json:"bytes_after"`
}

// Prune applies the retention options now: bodies older than RetentionDays,
// rows older than RowRetentionDays, then the oldest bodies and, if that is
// not enough, the oldest rows until the used size is within MaxBytes.
// Rollups are never touched, so statistics keep every request. The writer
// also prunes every PruneInterval; Prune runs on the writer, between batches.
func (db *DB) Prune(ctx context.Context) (PruneResult, error) {
	call := pruneCall{ctx: ctx, reply: make(chan pruneReply, 1)}
	select {
	case db.pruneReq <- call:
	case <-db.done:
		return PruneResult{}, ErrClosed
	case <-ctx.Done():
		return PruneResult{}, ctx.Err()
	}
	select {
	case r := <-call.reply:
		return r.res, r.err
	case <-ctx.Done():
		return PruneResult{}, ctx.Err()
	}
}

// prune does the work of Prune on the writer goroutine; between is called
// after each chunk.
func (db *DB) prune(ctx context.Context, between func()) (PruneResult, error) {
	var res PruneResult
	var err error
	if res.BytesBefore, err = db.usedBytes(ctx); err != nil {
		return res, err
	}
	now := db.opt.Now()
	var bodyCut, rowCut int64 // Unix ns; 0: no age limit
	if db.opt.RetentionDays > 0 {
		bodyCut = now.AddDate(0, 0, -db.opt.RetentionDays).UnixNano()
	}
	if db.opt.RowRetentionDays > 0 {
		rowCut = now.AddDate(0, 0, -db.opt.RowRetentionDays).UnixNano()
		bodyCut = max(bodyCut, rowCut) // a row's body never outlives it
	}
	if bodyCut != 0 {
		n, err := db.deleteChunks(ctx, between,
			`DELETE FROM bodies WHERE id IN (SELECT id FROM bodies WHERE ts < ? LIMIT ?)`, bodyCut)
		res.Bodies += n
		if err != nil {
			return res, err
		}
	}
	if rowCut != 0 {
		n, err := db.deleteChunks(ctx, between,
			`DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE ts < ? LIMIT ?)`, rowCut)
		res.Rows += n
		if err != nil {
			return res, err
		}
	}
	if db.opt.MaxBytes > 0 {
		if err := db.pruneToSize(ctx, between, &res); err != nil {
			return res, err
		}
	}
	if _, err := db.h.w.ExecContext(ctx, "PRAGMA incremental_vacuum"); err != nil {
		return res, fmt.Errorf("prune: vacuum: %w", err)
	}
	res.BytesAfter, err = db.usedBytes(ctx)
	return res, err
}

// pruneToSize deletes the oldest bodies, then the oldest rows, until the
// used size is within MaxBytes.
func (db *DB) pruneToSize(ctx context.Context, between func(), res *PruneResult) error {
	for range 4 { // stored sizes are estimates of pages: a few rounds
		used, err := db.usedBytes(ctx)
		if err != nil || used <= db.opt.MaxBytes {
			return err
		}
		cut, err := db.bodyCutoff(ctx, used-db.opt.MaxBytes)
		if err != nil {
			return err
		}
		if cut == 0 {
			break // no bodies left
		}
		n, err := db.deleteChunks(ctx, between,
			`DELETE FROM bodies WHERE id IN (SELECT id FROM bodies WHERE id <= ? ORDER BY id LIMIT ?)`, cut)
		res.Bodies += n
		if err != nil {
			return err
		}
	}
	for {
		used, err := db.usedBytes(ctx)
		if err != nil || used <= db.opt.MaxBytes {
			return err
		}
		var rows int64
		if err := db.h.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM requests`).Scan(&rows); err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		if rows == 0 {
			return nil // nothing left to give: the rest is rollups and schema
		}
		// As many of the oldest rows as the excess is worth at the average
		// row size, a chunk at most; the loop measures again.
		n := min(pruneChunk, 1+(used-db.opt.MaxBytes)*rows/used)
		// Bodies first, while the same oldest ids are still in requests.
		if _, err := db.h.w.ExecContext(ctx, `DELETE FROM bodies WHERE id IN
			(SELECT id FROM requests ORDER BY id LIMIT ?)`, n); err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		r, err := db.h.w.ExecContext(ctx, `DELETE FROM requests WHERE id IN
			(SELECT id FROM requests ORDER BY id LIMIT ?)`, n)
		if err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		deleted, err := r.RowsAffected()
		if err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		res.Rows += deleted
		between()
	}
}

// bodyCutoff returns the id up to which the oldest bodies add up to excess
// stored bytes (plus a tenth for page overhead), 0 when there are no bodies.
func (db *DB) bodyCutoff(ctx context.Context, excess int64) (int64, error) {
	rows, err := db.h.w.QueryContext(ctx, `SELECT id, length(detail) FROM bodies ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	defer rows.Close()
	want := excess + excess/10
	var id, sum int64
	for rows.Next() {
		var stored int64
		if err := rows.Scan(&id, &stored); err != nil {
			return 0, fmt.Errorf("prune: %w", err)
		}
		sum += stored + 64 // row overhead
		if sum >= want {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	return id, nil
}

// deleteChunks runs a DELETE taking (arg, limit) until it deletes fewer
// than a chunk, calling between after each.
func (db *DB) deleteChunks(ctx context.Context, between func(), query string, arg int64) (int64, error) {
	var total int64
	for {
		r, err := db.h.w.ExecContext(ctx, query, arg, pruneChunk)
		if err != nil {
			return total, fmt.Errorf("prune: %w", err)
		}
		n, err := r.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("prune: %w", err)
		}
		total += n
		if n < pruneChunk {
			return total, nil
		}
		between()
	}
}

// usedBytes is the size of the database's pages in use.
func (db *DB) usedBytes(ctx context.Context) (int64, error) {
	return usedBytes(ctx, db.h.w)
}

func usedBytes(ctx context.Context, q *sql.DB) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT (p.page_count - f.freelist_count) * s.page_size
		FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return n, nil
}

// Size is the used size of the database in bytes (what MaxBytes caps).
func (db *DB) Size(ctx context.Context) (int64, error) {
	return usedBytes(ctx, db.h.r)
}
