package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
)

// migrations build the schema; migration i brings the database from
// user_version i to i+1. Append only: never edit one that has shipped.
var migrations = [...]string{
	// v1: request rows, their bodies apart (so pruning bodies keeps the rows),
	// hourly rollups that pruning never touches, and a little bookkeeping.
	`
CREATE TABLE requests (
	id                    INTEGER PRIMARY KEY,
	ts                    INTEGER NOT NULL, -- arrival, Unix nanoseconds
	service               TEXT    NOT NULL,
	config                TEXT    NOT NULL,
	model_requested       TEXT    NOT NULL,
	model_sent            TEXT    NOT NULL,
	method                TEXT    NOT NULL,
	path                  TEXT    NOT NULL,
	status                INTEGER NOT NULL,
	is_error              INTEGER NOT NULL,
	stream                INTEGER NOT NULL,
	incomplete            INTEGER NOT NULL,
	duration_ms           REAL    NOT NULL,
	ttfb_ms               REAL    NOT NULL,
	has_usage             INTEGER NOT NULL,
	input_tokens          INTEGER NOT NULL,
	cache_read_tokens     INTEGER NOT NULL,
	cache_write_tokens    INTEGER NOT NULL,
	cache_write_5m_tokens INTEGER NOT NULL,
	cache_write_1h_tokens INTEGER NOT NULL,
	output_tokens         INTEGER NOT NULL,
	reasoning_tokens      INTEGER NOT NULL,
	cost_usd              REAL,             -- NULL: no price known
	error                 TEXT    NOT NULL,
	attempts              TEXT,             -- JSON array
	redactions            TEXT              -- JSON object
);
CREATE INDEX requests_ts ON requests(ts);
CREATE INDEX requests_service ON requests(service, id);
CREATE INDEX requests_config ON requests(config, id);
CREATE INDEX requests_model_sent ON requests(model_sent, id);
CREATE INDEX requests_model_requested ON requests(model_requested, id);
CREATE INDEX requests_status ON requests(status, id);
CREATE INDEX requests_is_error ON requests(is_error, id);

CREATE TABLE bodies (
	id            INTEGER PRIMARY KEY, -- requests.id
	ts            INTEGER NOT NULL,
	detail        BLOB    NOT NULL,    -- headers and bodies, see codec.packDetail
	request_size  INTEGER NOT NULL,    -- body sizes before capping
	response_size INTEGER NOT NULL
);
CREATE INDEX bodies_ts ON bodies(ts);

CREATE TABLE rollup (
	hour                  INTEGER NOT NULL, -- Unix seconds / 3600
	service               TEXT    NOT NULL,
	config                TEXT    NOT NULL,
	model                 TEXT    NOT NULL,
	requests              INTEGER NOT NULL,
	errors                INTEGER NOT NULL,
	input_tokens          INTEGER NOT NULL,
	cache_read_tokens     INTEGER NOT NULL,
	cache_write_tokens    INTEGER NOT NULL,
	cache_write_5m_tokens INTEGER NOT NULL,
	cache_write_1h_tokens INTEGER NOT NULL,
	output_tokens         INTEGER NOT NULL,
	reasoning_tokens      INTEGER NOT NULL,
	cost_usd              REAL    NOT NULL,
	unknown_cost          INTEGER NOT NULL,
	latency               BLOB    NOT NULL, -- hist of duration_ms
	PRIMARY KEY (hour, service, config, model)
) WITHOUT ROWID;

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) WITHOUT ROWID;
`,
	// v2: time-to-first-byte percentiles and the record of original-CLP imports.
	`
ALTER TABLE rollup ADD COLUMN ttfb BLOB; -- hist of ttfb_ms, NULL before v2
CREATE TABLE imports (
	source      TEXT PRIMARY KEY,
	imported_at INTEGER NOT NULL,
	records     INTEGER NOT NULL,
	skipped     INTEGER NOT NULL
) WITHOUT ROWID;
`,
	// v3: four indexes on requests instead of seven, since every record
	// pays for each (the writer's CPU per record fell about a fifth).
	// Errors, rare in a healthy log, get partial indexes in id order: the
	// "error" filter walks requests_errors, an error status filter (which
	// Query.where marks is_error = 1) requests_error_status. Filters on
	// service, config, model or a success status read the newest entries of
	// requests_scan, which holds their columns in id order, about a sixth the
	// size of the table: List picks the page's ids there (worst case, a value
	// no row has, reads the whole index: ~15 ms at 100 000 rows) and then
	// reads only the page's rows.
	`
DROP INDEX requests_service;
DROP INDEX requests_config;
DROP INDEX requests_model_sent;
DROP INDEX requests_model_requested;
DROP INDEX requests_status;
DROP INDEX requests_is_error;
CREATE INDEX requests_errors ON requests(is_error) WHERE is_error = 1;
CREATE INDEX requests_error_status ON requests(status) WHERE is_error = 1;
CREATE INDEX requests_scan ON requests(id, service, config, model_sent, model_requested, is_error, status);
`,
}

// SchemaVersion is the user_version of a database this package has migrated.
const SchemaVersion = len(migrations)

// SQLite primary result codes (stable across SQLite versions) that mean the
// file is not a usable database.
const (
	sqliteCorrupt = 11
	sqliteNotADB  = 26
)

// errDamaged marks a database that failed its integrity check.
var errDamaged = errors.New("database is damaged")

// isCorrupt reports whether err says the database file is damaged or is not
// a database at all.
func isCorrupt(err error) bool {
	if errors.Is(err, errDamaged) {
		return true
	}
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	code := e.Code() & 0xff
	return code == sqliteCorrupt || code == sqliteNotADB
}

// dsn builds the connection string: WAL, NORMAL sync (a commit survives a
// process crash; a power cut may lose the last commits, never corrupt), a
// busy timeout, and incremental auto-vacuum so pruning gives space back.
// Readers are query_only.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", "5000")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		q.Set("_auto_vacuum", "INCREMENTAL")
		q.Set("_txlock", "immediate")
		// Checkpoints (and their fsyncs) run on a reader connection every
		// second, so that the writer never waits for the disk; this larger
		// automatic threshold (40 MB of pageSize pages, 10 MB in older
		// files, several seconds of heavy traffic either way) is only a
		// safety net.
		q.Add("_pragma", "wal_autocheckpoint(2500)")
	}
	return "file:" + filepath.ToSlash(path) + "?" + q.Encode()
}

// handles are the two pools over one file: one connection for the writer
// (SQLite has one writer at a time anyway) and a few read-only ones.
type handles struct {
	w, r *sql.DB
}

func (h handles) close() error {
	return errors.Join(h.r.Close(), h.w.Close())
}

// openHandles opens, checks and migrates the database at path.
func openHandles(ctx context.Context, path string, quickCheck bool) (handles, error) {
	// Create the file ourselves so it is 0600; SQLite gives the -wal and -shm
	// files the same mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return handles{}, fmt.Errorf("create database file: %w", err)
	}
	st, err := f.Stat()
	if err == nil {
		err = f.Close()
	} else {
		f.Close()
	}
	if err != nil {
		return handles{}, fmt.Errorf("create database file: %w", err)
	}
	if st.Size() == 0 {
		if err := initFile(ctx, path); err != nil {
			return handles{}, err
		}
	}
	w, err := sqlOpen(path)
	if err != nil {
		return handles{}, err
	}
	if err := migrate(ctx, w, len(migrations)); err != nil {
		w.Close()
		return handles{}, err
	}
	if quickCheck {
		var res string
		if err := w.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&res); err != nil {
			w.Close()
			return handles{}, fmt.Errorf("check database: %w", err)
		}
		if res != "ok" {
			w.Close()
			return handles{}, fmt.Errorf("check database: %w: %s", errDamaged, res)
		}
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return handles{}, fmt.Errorf("open database: %w", err)
	}
	r.SetMaxOpenConns(4)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return handles{}, fmt.Errorf("open database: %w", err)
	}
	return handles{w: w, r: r}, nil
}

// pageSize is the page size of a new database file. Every page a commit
// changes is one WAL frame, written with two system calls, and a batch of
// records changes a few pages of each table and index however small it is:
// 16 KiB pages need about a third of the frames of SQLite's default 4 KiB.
// Files made before keep their page size (changing it takes a VACUUM).
const pageSize = 16384

// initFile gives the empty file at path its page size and incremental
// auto-vacuum, which only a database without tables can take, and turns on
// WAL. (The DSN cannot: its auto-vacuum key runs before its pragmas and
// fixes the page size.)
func initFile(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+
		fmt.Sprintf("?_pragma=page_size(%d)", pageSize))
	if err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{"PRAGMA auto_vacuum = INCREMENTAL", "PRAGMA journal_mode = WAL"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create database: %w", err)
		}
	}
	return db.Close()
}

// migrate brings db to schema version target, one transaction per step.
func migrate(ctx context.Context, db *sql.DB, target int) error {
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this clp understands (%d)", v, len(migrations))
	}
	for ; v < target; v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
	}
	return nil
}

// moveAside renames a damaged database and its WAL and shared-memory files to
// path.corrupt-<UTC time>, so a fresh database can take its place and the old
// one stays for inspection. It returns the new name of the main file.
func moveAside(path string, now time.Time) (string, error) {
	suffix := ".corrupt-" + now.UTC().Format("20060102T150405Z")
	for _, ext := range []string{"-wal", "-shm"} {
		if err := os.Rename(path+ext, path+suffix+ext); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("move damaged database aside: %w", err)
		}
	}
	if err := os.Rename(path, path+suffix); err != nil {
		return "", fmt.Errorf("move damaged database aside: %w", err)
	}
	return path + suffix, nil
}

// sqlOpen opens a single writable connection to path.
func sqlOpen(path string) (*sql.DB, error) {
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	w.SetMaxOpenConns(1)
	return w, nil
}
