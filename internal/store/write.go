package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

// maxBackoff bounds the wait between retries of a failing write.
const maxBackoff = 5 * time.Second

// row is one record encoded for storage: the column values of its requests
// row and its bodies row. Encoding happens once, so a retried batch is not
// compressed twice.
type row struct {
	id, ts                    int64
	service, config           string
	modelRequested, modelSent string
	method, path, errText     string
	status                    int
	isError, stream           bool
	incomplete, hasUsage      bool
	durationMS, ttfbMS        float64
	usage                     api.Usage
	cost                      sql.NullFloat64
	attempts, redactions      sql.NullString
	detail                    []byte // packed headers and bodies
	reqSize, respSize         int64  // the whole bodies' lengths
}

// isErrorRecord is the definition of an error everywhere in the store: a
// status outside 2xx–3xx (0 when no response arrived) or an error message,
// such as a stream the upstream broke after a 200.
func isErrorRecord(status int, errText string) bool {
	return status < 200 || status >= 400 || errText != ""
}

// rollupModel is the model a record is counted under: the one sent upstream
// (what is billed), or the one requested when nothing was sent.
func (r *row) rollupModel() string {
	if r.modelSent != "" {
		return r.modelSent
	}
	return r.modelRequested
}

// encode turns a record into a row, capping and compressing its bodies.
func (db *DB) encode(rec *api.Record) (row, error) {
	at := rec.Time
	if at.IsZero() {
		at = db.opt.Now()
	}
	r := row{
		id:             rec.ID,
		ts:             at.UnixNano(),
		service:        rec.Service,
		config:         rec.Config,
		modelRequested: rec.ModelRequested,
		modelSent:      rec.ModelSent,
		method:         rec.Method,
		path:           rec.Path,
		errText:        rec.Error,
		status:         rec.Status,
		isError:        isErrorRecord(rec.Status, rec.Error),
		stream:         rec.Stream,
		incomplete:     rec.Incomplete,
		durationMS:     rec.DurationMS,
		ttfbMS:         rec.TTFBMS,
		reqSize:        max(rec.RequestSize, int64(len(rec.RequestBody))),
		respSize:       max(rec.ResponseSize, int64(len(rec.ResponseBody))),
	}
	if rec.Usage != nil {
		r.hasUsage = true
		r.usage = *rec.Usage
	}
	if rec.CostUSD != nil {
		r.cost = sql.NullFloat64{Float64: *rec.CostUSD, Valid: true}
	}
	if len(rec.Attempts) > 0 {
		b, err := encodeAttempts(rec.Attempts)
		if err != nil {
			return row{}, fmt.Errorf("encode attempts: %w", err)
		}
		r.attempts = sql.NullString{String: string(b), Valid: true}
	}
	if len(rec.Redactions) > 0 {
		b, err := encodeRedactions(rec)
		if err != nil {
			return row{}, fmt.Errorf("encode redactions: %w", err)
		}
		r.redactions = sql.NullString{String: string(b), Valid: true}
	}
	reqB, respB := rec.RequestBody, rec.ResponseBody
	if db.opt.BodyCap < 0 {
		reqB, respB = nil, nil
	} else {
		reqB, respB = capBytes(reqB, db.opt.BodyCap), capBytes(respB, db.opt.BodyCap)
	}
	var err error
	r.detail, err = db.codec.packDetail(rec.RequestHeaders, rec.ResponseHeaders, reqB, respB)
	if err != nil {
		return row{}, err
	}
	return r, nil
}

func capBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// numRequestArgs is the number of arguments of stmtRequest.
const numRequestArgs = 26

// requestArgs appends the arguments of stmtRequest for r to dst, as driver
// values (int64, float64, string, nil), so that neither database/sql nor
// the driver has to convert them.
func (r *row) requestArgs(dst []any) []any {
	u := &r.usage
	var cost, attempts, redactions any
	if r.cost.Valid {
		cost = r.cost.Float64
	}
	if r.attempts.Valid {
		attempts = r.attempts.String
	}
	if r.redactions.Valid {
		redactions = r.redactions.String
	}
	return append(dst, r.id, r.ts, r.service, r.config,
		r.modelRequested, r.modelSent, r.method, r.path, int64(r.status),
		boolInt(r.isError), boolInt(r.stream), boolInt(r.incomplete),
		r.durationMS, r.ttfbMS, boolInt(r.hasUsage), u.InputTokens,
		u.CacheReadTokens, u.CacheWriteTokens, u.CacheWrite5mTokens,
		u.CacheWrite1hTokens, u.OutputTokens, u.ReasoningTokens, cost,
		r.errText, attempts, redactions)
}

// bodyArgs appends the arguments of stmtBody for r to dst.
func (r *row) bodyArgs(dst []any) []any {
	return append(dst, r.id, r.ts, r.detail, r.reqSize, r.respSize)
}

// boolInt is b as SQLite stores it.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// insertRows writes rows, their bodies and their rollups in tx with the
// statements of st (nil: prepared in tx). The writer goes through
// rowStmts.insert instead; this is for one-off writers such as the importer.
func insertRows(ctx context.Context, tx *sql.Tx, st *writeStmts, rows []row) error {
	var stmts [numRowStmts]*sql.Stmt
	for id := range numRowStmts {
		s, err := st.in(ctx, tx, id)
		if err != nil {
			return err
		}
		stmts[id] = s
	}
	_, err := writeRows(rows, make([]any, 0, numRequestArgs), func(id stmtID, args []any) error {
		_, err := stmts[id].ExecContext(ctx, args...)
		return err
	})
	if err != nil {
		return err
	}
	return batchRollups(rows).write(ctx, tx, st)
}

// writeRows runs, through exec, the per-row statements of rows (one row in
// requests, one in bodies when it has a detail) and the update of the last
// id. args is a buffer for their arguments, returned for reuse.
func writeRows(rows []row, args []any, exec func(id stmtID, args []any) error) ([]any, error) {
	var maxID int64
	for i := range rows {
		r := &rows[i]
		args = r.requestArgs(args[:0])
		if err := exec(stmtRequest, args); err != nil {
			return args, fmt.Errorf("insert request %d: %w", r.id, err)
		}
		if r.detail != nil {
			args = r.bodyArgs(args[:0])
			if err := exec(stmtBody, args); err != nil {
				return args, fmt.Errorf("insert body %d: %w", r.id, err)
			}
		}
		maxID = max(maxID, r.id)
	}
	args = append(args[:0], maxID)
	if err := exec(stmtLastID, args); err != nil {
		return args, fmt.Errorf("update last id: %w", err)
	}
	return args, nil
}

// batchRollups sums rows into rollups.
func batchRollups(rows []row) rollups {
	agg := make(rollups)
	for i := range rows {
		agg.addRow(&rows[i])
	}
	return agg
}

// writeBatch commits rows in one transaction on the writer's connection:
// the rows through db.rows, the rollups through database/sql.
func (db *DB) writeBatch(ctx context.Context, rows []row) error {
	conn, err := db.h.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	err = conn.Raw(func(dc any) error { return db.rows.insert(ctx, dc, rows) })
	if err == nil {
		err = batchRollups(rows).write(ctx, tx, db.stmts)
	}
	if err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// writer is the state of the one goroutine that writes: records taken from
// the queue and not yet committed, and the retry backoff after a failure.
type writer struct {
	db      *DB
	pending []row
	backoff time.Duration // 0 while writes succeed
	timer   *time.Timer
	armed   bool
}

type pruneCall struct {
	ctx   context.Context
	reply chan pruneReply
}

type pruneReply struct {
	res PruneResult
	err error
}

// run is the writer goroutine.
func (db *DB) run() {
	defer close(db.done)
	w := &writer{db: db, timer: time.NewTimer(time.Hour)}
	w.timer.Stop()
	defer w.timer.Stop()
	var pruneTick <-chan time.Time
	if db.opt.PruneInterval > 0 {
		t := time.NewTicker(db.opt.PruneInterval)
		defer t.Stop()
		pruneTick = t.C
	}
	ctx := context.Background()
	for {
		// Idle, the writer waits for a record. Then it lets records gather
		// in the queue until the flush timer fires or Add nudges it because
		// a batch is full, so that it wakes about once per batch, not once
		// per record.
		var queue <-chan *api.Record
		if !w.armed {
			queue = db.queue
		}
		select {
		case rec := <-queue:
			w.take(rec)
			w.arm()
		case <-db.nudge:
			w.drain()
			if w.backoff == 0 {
				w.commit(ctx)
			}
			w.arm()
		case <-w.timer.C:
			w.armed = false
			w.drain()
			w.commit(ctx)
			w.arm()
		case reply := <-db.flushReq:
			w.drain()
			reply <- w.commit(ctx)
			w.arm()
		case call := <-db.pruneReq:
			w.drain()
			w.commit(ctx)
			res, err := db.prune(call.ctx, w.between)
			call.reply <- pruneReply{res, err}
			w.arm()
		case <-pruneTick:
			w.drain()
			w.commit(ctx)
			if _, err := db.prune(ctx, w.between); err != nil {
				db.noteError(err)
				db.opt.Logger.Error("prune request log", "err", err)
			}
			w.arm()
		case <-db.stop:
			w.drain()
			if err := w.commit(ctx); err != nil {
				n := int64(len(w.pending) + len(db.queue))
				db.lost.Add(n)
				db.pending.Store(0)
				db.finalErr = fmt.Errorf("close request log: %d records not written: %w", n, err)
			}
			return
		}
	}
}

// release hands back a record's body buffer (api.Record.Release) once the
// log is done with the record.
func release(rec *api.Record) {
	if rec.Release != nil {
		rec.Release()
		rec.Release = nil
	}
}

// take encodes one record into pending. When failures have piled up more
// than QueueSize + BatchSize records (more than a healthy writer ever
// holds), the oldest are given up and counted as lost.
func (w *writer) take(rec *api.Record) {
	r, err := w.db.encode(rec)
	release(rec)
	if err != nil {
		w.db.lost.Add(1)
		w.db.noteError(err)
		return
	}
	w.pending = append(w.pending, r)
	if over := len(w.pending) - (w.db.opt.QueueSize + w.db.opt.BatchSize); over > 0 {
		clear(w.pending[:over])
		w.pending = w.pending[over:]
		w.db.lost.Add(int64(over))
	}
	w.db.pending.Store(int64(len(w.pending)))
}

// drain takes queued records without waiting: while writes succeed, only
// as many as fill the next batch (commit takes the rest batch by batch, so
// that pending stays small however far the queue has filled); while they
// fail, all of them, so that Add keeps accepting records until pending
// overflows.
func (w *writer) drain() {
	for w.backoff > 0 || len(w.pending) < w.db.opt.BatchSize {
		select {
		case rec := <-w.db.queue:
			w.take(rec)
		default:
			return
		}
	}
}

// between runs between the chunks of a long prune so that records keep
// flowing: it commits whenever a full batch is waiting.
func (w *writer) between() {
	w.drain()
	if w.backoff == 0 && len(w.pending) >= w.db.opt.BatchSize {
		w.commit(context.Background())
	}
}

// arm sets the timer for the next commit: FlushInterval after records start
// waiting, or the backoff after a failure.
func (w *writer) arm() {
	if len(w.pending) == 0 || w.armed {
		return
	}
	d := w.db.opt.FlushInterval
	if w.backoff > 0 {
		d = w.backoff
	}
	w.timer.Reset(d)
	w.armed = true
}

// commit writes pending and the records queued at the call in batches of
// BatchSize, taking from the queue only what the next batch needs. On
// failure it keeps what was not written, records the error, and backs off;
// the caller re-arms.
func (w *writer) commit(ctx context.Context) error {
	db := w.db
	// Only this goroutine receives, so the queue holds at least this many
	// until they are taken; records added meanwhile wait for the next commit.
	queued := len(db.queue)
	for {
		for ; queued > 0 && len(w.pending) < db.opt.BatchSize; queued-- {
			w.take(<-db.queue)
		}
		if len(w.pending) == 0 {
			break
		}
		n := min(len(w.pending), db.opt.BatchSize)
		if err := db.writeBatch(ctx, w.pending[:n]); err != nil {
			db.noteError(err)
			if w.backoff == 0 {
				db.opt.Logger.Error("request log write failed; proxying goes on, retrying",
					"err", err, "pending", len(w.pending))
				w.backoff = db.opt.FlushInterval
			}
			w.backoff = min(2*w.backoff, maxBackoff)
			db.failing.Store(true)
			w.timer.Stop()
			w.armed = false
			return err
		}
		var ids []int64
		if db.opt.OnWrite != nil {
			ids = make([]int64, n)
			for i := range n {
				ids[i] = w.pending[i].id
			}
		}
		// Keep the slice's start, and so its capacity, for the next batch.
		rest := copy(w.pending, w.pending[n:])
		clear(w.pending[rest:])
		w.pending = w.pending[:rest]
		db.written.Add(int64(n))
		db.pending.Store(int64(len(w.pending)))
		if w.backoff > 0 {
			db.opt.Logger.Info("request log writes resumed")
			w.backoff = 0
			db.failing.Store(false)
		}
		if ids != nil {
			db.opt.OnWrite(ids)
		}
	}
	if cap(w.pending) > db.opt.BatchSize {
		w.pending = nil // grown while writes failed
	}
	return nil
}
