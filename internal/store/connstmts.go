package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
)

// rowStmts is the per-row share of a batch, stmtRequest and stmtBody, plus
// stmtLastID, prepared on the writer's driver connection itself. A row's
// inserts run through them without database/sql: no per-call connection
// lookup, locking, argument conversion or Result (about a tenth of the
// writer's CPU per record, measured at 2 KiB bodies). The batch's
// transaction and its rollups stay on database/sql (once per batch); the
// inserts run inside that transaction, on the same connection.
//
// Only the writer goroutine uses a rowStmts, and Close after the writer has
// stopped. The zero value prepares on first use.
type rowStmts struct {
	conn  any // the driver connection s was prepared on; nil: not prepared
	s     [numRowStmts]driver.Stmt
	exec  [numRowStmts]driver.StmtExecContext
	args  [numRequestArgs]driver.NamedValue
	value []any // requestArgs' buffer
}

// numRowStmts: rowStmts holds the statements before it in stmtID order,
// stmtRequest, stmtBody and stmtLastID, indexed by their stmtID.
const numRowStmts = stmtLastID + 1

// on makes sure the statements are prepared on dc, the driver connection
// of the writer's pool. The pool keeps its one connection for good; should it
// ever replace it (a connection that went bad), the old statements are
// dropped without closing, since their connection is gone, and prepared anew.
func (rs *rowStmts) on(ctx context.Context, dc any) error {
	if rs.conn == dc {
		return nil
	}
	rs.conn = nil
	cp, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return fmt.Errorf("prepare statement: driver connection %T cannot prepare with a context", dc)
	}
	for id := range numRowStmts {
		s, err := cp.PrepareContext(ctx, id.text())
		if err != nil {
			rs.closeFirst(id)
			return fmt.Errorf("prepare statement: %w", err)
		}
		ex, ok := s.(driver.StmtExecContext)
		if !ok {
			s.Close()
			rs.closeFirst(id)
			return fmt.Errorf("prepare statement: driver statement %T cannot execute with a context", s)
		}
		rs.s[id], rs.exec[id] = s, ex
	}
	rs.conn = dc
	return nil
}

// closeFirst closes the first n statements and forgets all of them.
func (rs *rowStmts) closeFirst(n stmtID) error {
	var errs []error
	for i := range n {
		if rs.s[i] != nil {
			errs = append(errs, rs.s[i].Close())
		}
	}
	rs.s, rs.exec = [numRowStmts]driver.Stmt{}, [numRowStmts]driver.StmtExecContext{}
	return errors.Join(errs...)
}

// close closes the statements if they were prepared on dc.
func (rs *rowStmts) close(dc any) error {
	if rs.conn == nil || rs.conn != dc {
		return nil
	}
	rs.conn = nil
	return rs.closeFirst(numRowStmts)
}

// run executes statement id with vals as its arguments.
func (rs *rowStmts) run(ctx context.Context, id stmtID, vals []any) error {
	args := rs.args[:len(vals)]
	for j, v := range vals {
		args[j] = driver.NamedValue{Ordinal: j + 1, Value: v}
	}
	_, err := rs.exec[id].ExecContext(ctx, args)
	clear(args) // let the row's strings and blobs go
	return err
}

// insert writes rows into requests and bodies and advances meta's last id,
// on dc, inside the transaction open on it.
func (rs *rowStmts) insert(ctx context.Context, dc any, rows []row) error {
	if err := rs.on(ctx, dc); err != nil {
		return err
	}
	var err error
	rs.value, err = writeRows(rows, rs.value, func(id stmtID, args []any) error {
		return rs.run(ctx, id, args)
	})
	clear(rs.value) // let the rows' strings and blobs go
	return err
}
