package store

import (
	"context"
	"fmt"
)

// RenameConfig carries a config's new name through the request log and the
// statistics, so that history stays with the config after `clp config
// rename`. Rollup rows of the old name are merged into any rows the new name
// already has. It runs in one transaction on the writer's connection.
func (db *DB) RenameConfig(ctx context.Context, service, old, new string) (n int64, err error) {
	if old == new {
		return 0, nil
	}
	tx, err := db.h.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("rename %s in the request log: %w", old, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	rows, err := tx.QueryContext(ctx, `SELECT hour, model, `+rollupCols+` FROM rollup WHERE service = ? AND config = ?`, service, old)
	if err != nil {
		return 0, fmt.Errorf("rename %s: read rollups: %w", old, err)
	}
	moved := make(rollups)
	for rows.Next() {
		var k rollupKey
		a, err := scanRollup(rows, &k.hour, &k.model)
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("rename %s: read rollups: %w", old, err)
		}
		k.service, k.config = service, new
		moved.get(k).merge(&a)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM rollup WHERE service = ? AND config = ?`, service, old); err != nil {
		return 0, fmt.Errorf("rename %s: %w", old, err)
	}
	if err := moved.write(ctx, tx, db.stmts); err != nil {
		return 0, fmt.Errorf("rename %s: %w", old, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE requests SET config = ? WHERE service = ? AND config = ?`, new, service, old)
	if err != nil {
		return 0, fmt.Errorf("rename %s: %w", old, err)
	}
	n, _ = res.RowsAffected()
	return n, tx.Commit()
}
