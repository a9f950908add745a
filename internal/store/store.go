package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

// ErrNotFound is returned by Get for an id that is not (or no longer) stored.
var ErrNotFound = errors.New("request not found")

// ErrClosed is returned by calls on a DB after Close.
var ErrClosed = errors.New("request log is closed")

// Options tune a DB. The zero value of each field selects its default;
// where a field says "negative: …", a negative value turns the limit off.
type Options struct {
	// QueueSize bounds the records waiting for the writer (default 4096).
	// Add drops a record, rather than block, when the queue is full. It
	// should hold at least a FlushInterval's worth of records: the writer
	// lets them gather for that long, or until a batch is full.
	QueueSize int
	// BatchSize is the most records committed in one transaction (default 512).
	BatchSize int
	// FlushInterval is the longest a record waits before its batch is
	// committed (default 100 ms).
	FlushInterval time.Duration
	// BodyCap is the most bytes kept of each request and response body,
	// before compression (default 256 KiB; negative: keep no bodies).
	BodyCap int
	// RetentionDays: bodies and headers of requests older than this are
	// pruned (default 30; negative: never by age).
	RetentionDays int
	// RowRetentionDays: request rows (without bodies: time, model, usage…)
	// older than this are pruned (default 365; negative: never by age).
	// Statistics are kept in rollups and never pruned.
	RowRetentionDays int
	// MaxBytes caps the database's used size: beyond it the oldest bodies go,
	// then the oldest rows (default 1 GiB; negative: no cap).
	MaxBytes int64
	// PruneInterval is how often the writer prunes (default 1 h; negative:
	// only when Prune is called). The first run is one interval after Open.
	PruneInterval time.Duration
	// QuickCheck runs SQLite's quick_check at Open, which reads every page:
	// slower, but catches damage that opening alone does not.
	QuickCheck bool
	// Now is the clock for pruning ages and import bookkeeping (default time.Now).
	Now func() time.Time
	// Logger receives write failures and recoveries (default: discard).
	Logger *slog.Logger
	// OnWrite, when set, is called by the writer goroutine with the ids of
	// each batch right after it commits (for the live feed). It must return
	// quickly: the writer waits for it.
	OnWrite func(ids []int64)
	// Location is the time zone of the original CLP's timestamps, which
	// carry none (default time.Local). Only ImportOriginal uses it.
	Location *time.Location
	// Cost prices imported records, which the original CLP stored without a
	// cost; ok false means unknown. Nil leaves every imported cost unknown.
	Cost func(service, model string, u api.Usage) (usd float64, ok bool)
}

func (o Options) withDefaults() Options {
	if o.QueueSize <= 0 {
		o.QueueSize = 4096
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 512
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 100 * time.Millisecond
	}
	if o.BodyCap == 0 {
		o.BodyCap = 256 << 10
	}
	if o.RetentionDays == 0 {
		o.RetentionDays = 30
	}
	if o.RowRetentionDays == 0 {
		o.RowRetentionDays = 365
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = 1 << 30
	}
	if o.PruneInterval == 0 {
		o.PruneInterval = time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Log is what the daemon, the UI and the CLI need of a request log. *DB
// implements it on SQLite; a server database shared by several instances
// could implement it too.
type Log interface {
	Add(rec *api.Record) bool
	Flush(ctx context.Context) error
	List(ctx context.Context, q Query) ([]api.Record, error)
	Get(ctx context.Context, id int64) (*api.Record, error)
	Count(ctx context.Context, q Query) (int, error)
	Stats(ctx context.Context, q StatsQuery) ([]StatsRow, error)
	Prune(ctx context.Context) (PruneResult, error)
	Status() Status
	Close() error
}

var _ Log = (*DB)(nil)

// DB is the request log. Add is safe to call from any goroutine and never
// blocks; every other method is safe for concurrent use as well.
type DB struct {
	path  string
	opt   Options
	h     handles
	codec *codec
	stmts *writeStmts
	rows  rowStmts // the writer's; see writeBatch

	queue    chan *api.Record
	nudge    chan struct{} // a full batch is waiting
	flushReq chan chan error
	pruneReq chan pruneCall
	stop     chan struct{}
	done     chan struct{}

	mu     sync.RWMutex // guards closed against Add racing Close
	closed bool

	nextID    atomic.Int64
	dropped   atomic.Int64
	lost      atomic.Int64
	written   atomic.Int64
	writeErrs atomic.Int64
	pending   atomic.Int64
	failing   atomic.Bool

	errMu     sync.Mutex
	lastErr   error
	lastErrAt time.Time

	recovered       string // where a damaged file was moved at Open
	recoveredReason string

	bg        sync.WaitGroup // the checkpoint goroutine
	closeOnce sync.Once
	finalErr  error // set by the writer before it exits
	closeErr  error
}

// Open opens (creating if needed) the request log at path, migrates its
// schema and starts the writer. A file that is not a database or is damaged
// is renamed to path.corrupt-<time> and replaced by an empty database; Status
// reports it. The directory is created 0700 and the file 0600.
func Open(path string, opt Options) (*DB, error) {
	opt = opt.withDefaults()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open request log: %w", err)
	}
	ctx := context.Background()
	h, lastID, err := openSeeded(ctx, path, opt.QuickCheck)
	var recovered, reason string
	if err != nil && isCorrupt(err) {
		moved, merr := moveAside(path, opt.Now())
		if merr != nil {
			return nil, fmt.Errorf("open request log: %w", errors.Join(err, merr))
		}
		recovered, reason = moved, err.Error()
		opt.Logger.Warn("request log was damaged; moved it aside and started a new one",
			"moved_to", moved, "err", err)
		h, lastID, err = openSeeded(ctx, path, false)
	}
	if err != nil {
		return nil, fmt.Errorf("open request log: %w", err)
	}
	maxBlob := opt.BodyCap
	c, err := newCodec(maxBlob)
	if err != nil {
		h.close()
		return nil, fmt.Errorf("open request log: %w", err)
	}
	st, err := prepareWrite(ctx, h.w)
	if err != nil {
		c.close()
		h.close()
		return nil, fmt.Errorf("open request log: %w", err)
	}
	db := &DB{
		path:            path,
		opt:             opt,
		h:               h,
		codec:           c,
		stmts:           st,
		queue:           make(chan *api.Record, opt.QueueSize),
		nudge:           make(chan struct{}, 1),
		flushReq:        make(chan chan error),
		pruneReq:        make(chan pruneCall),
		stop:            make(chan struct{}),
		done:            make(chan struct{}),
		recovered:       recovered,
		recoveredReason: reason,
	}
	db.nextID.Store(lastID)
	db.bg.Add(1)
	go db.checkpoints()
	go db.run()
	return db, nil
}

// openSeeded opens the database and reads the highest id ever assigned.
func openSeeded(ctx context.Context, path string, quickCheck bool) (handles, int64, error) {
	h, err := openHandles(ctx, path, quickCheck)
	if err != nil {
		return handles{}, 0, err
	}
	var last int64
	err = h.w.QueryRowContext(ctx, `SELECT MAX(
		COALESCE((SELECT value FROM meta WHERE key = 'last_id'), 0),
		COALESCE((SELECT MAX(id) FROM requests), 0))`).Scan(&last)
	if err != nil {
		h.close()
		return handles{}, 0, fmt.Errorf("read last id: %w", err)
	}
	return h, last, nil
}

// Add hands a finished request to the writer without blocking. It assigns
// rec.ID at once (unless rec.ID holds an id from ReserveID, which is kept),
// so the caller can refer to the record before it is written. It returns
// false, counts the record in Dropped and resets an id it assigned to 0 when
// the queue is full or the DB is closed.
//
// Add takes ownership of rec: the caller must not change it afterwards.
// rec.Release, if set, is called once the body was encoded, or at once
// when the record is refused.
// Bodies longer than Options.BodyCap are cut when written; a zero rec.Time
// is stored as the time of writing.
func (db *DB) Add(rec *api.Record) bool {
	if rec == nil {
		return false
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.closed {
		db.dropped.Add(1)
		release(rec)
		return false
	}
	reserved := rec.ID != 0
	if !reserved {
		rec.ID = db.nextID.Add(1)
	}
	select {
	case db.queue <- rec:
		if len(db.queue) >= db.opt.BatchSize {
			select {
			case db.nudge <- struct{}{}:
			default: // already nudged
			}
		}
		return true
	default:
		if !reserved {
			rec.ID = 0
		}
		db.dropped.Add(1)
		release(rec)
		return false
	}
}

// ReserveID hands out the id the next record will be stored under, so a
// caller can name a request before it is finished. Pass it back in the
// record's ID to Add; ids never repeat, though a reserved id whose record is
// never added leaves a gap.
func (db *DB) ReserveID() int64 { return db.nextID.Add(1) }

// Flush waits until every record added before the call is committed. It
// returns the write error if the commit failed (the writer keeps the records
// and retries), ErrClosed after Close, or ctx's error.
func (db *DB) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case db.flushReq <- reply:
	case <-db.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting records, commits what is queued, stops the writer
// and closes the database. Records that could not be committed are counted
// in Status().Lost and their error returned. Close is idempotent.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.mu.Lock()
		db.closed = true
		db.mu.Unlock()
		close(db.stop)
		<-db.done
		db.bg.Wait()
		db.codec.close()
		db.closeErr = errors.Join(db.finalErr, db.closeRowStmts(), db.stmts.close(), db.h.close())
	})
	return db.closeErr
}

// closeRowStmts closes the writer's row statements on their connection; it
// runs once the writer has stopped.
func (db *DB) closeRowStmts() error {
	if db.rows.conn == nil {
		return nil
	}
	ctx := context.Background()
	conn, err := db.h.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("close statements: %w", err)
	}
	defer conn.Close()
	return conn.Raw(db.rows.close)
}

// Dropped is the number of records Add refused because the queue was full
// (or the DB closed).
func (db *DB) Dropped() int64 { return db.dropped.Load() }

// WriteErrors is the number of failed write attempts (commits, prunes) and
// the last error, nil if there never was one. The writer survives them:
// records stay pending and are retried with backoff.
func (db *DB) WriteErrors() (count int64, last error) {
	db.errMu.Lock()
	defer db.errMu.Unlock()
	return db.writeErrs.Load(), db.lastErr
}

// Status is the health of the request log, for `clp status` and the UI.
type Status struct {
	Path        string    `json:"path"`
	Queued      int       `json:"queued"`       // records waiting in the queue
	Pending     int64     `json:"pending"`      // records taken by the writer, not yet committed
	Written     int64     `json:"written"`      // records committed since Open
	Dropped     int64     `json:"dropped"`      // refused by Add: queue full
	Lost        int64     `json:"lost"`         // given up after write failures
	WriteErrors int64     `json:"write_errors"` // failed write attempts
	Failing     bool      `json:"failing"`      // the last write attempt failed
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	// Recovered is where a damaged database was moved at Open, with the reason.
	Recovered       string `json:"recovered,omitempty"`
	RecoveredReason string `json:"recovered_reason,omitempty"`
}

// Status reports the writer's counters and the last error.
func (db *DB) Status() Status {
	s := Status{
		Path:            db.path,
		Queued:          len(db.queue),
		Pending:         db.pending.Load(),
		Written:         db.written.Load(),
		Dropped:         db.dropped.Load(),
		Lost:            db.lost.Load(),
		Failing:         db.failing.Load(),
		Recovered:       db.recovered,
		RecoveredReason: db.recoveredReason,
	}
	db.errMu.Lock()
	s.WriteErrors = db.writeErrs.Load()
	if db.lastErr != nil {
		s.LastError = db.lastErr.Error()
		s.LastErrorAt = db.lastErrAt
	}
	db.errMu.Unlock()
	return s
}

// noteError records a failed write attempt.
func (db *DB) noteError(err error) {
	db.errMu.Lock()
	db.writeErrs.Add(1)
	db.lastErr = err
	db.lastErrAt = db.opt.Now()
	db.errMu.Unlock()
}

// checkpointEvery is how often WAL frames are copied into the database.
const checkpointEvery = time.Second

// checkpoints copies the WAL into the database every second on a reader
// connection, off the writer's path: a checkpoint syncs the disk, which can
// take long on a busy machine, and the writer must not wait for that while
// the queue fills. PASSIVE never blocks the writer.
func (db *DB) checkpoints() {
	defer db.bg.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
		}
		var busy, frames, done int
		err := db.h.r.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done)
		if err != nil && !failing {
			db.opt.Logger.Warn("request log checkpoint failed", "err", err)
		}
		failing = err != nil
	}
}
