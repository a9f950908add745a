package store

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

func TestRoundtripEveryField(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	var want []*api.Record
	for i := range 6 {
		rec := fullRecord(i)
		if !db.Add(rec) {
			t.Fatalf("Add(%d) = false", i)
		}
		want = append(want, rec)
	}
	// A record with nothing optional: nil usage and cost stay nil.
	bare := &api.Record{Time: t0, Service: "codex", Config: "x", Method: "GET", Path: "/models", Status: 502, Error: "dial tcp: refused"}
	db.Add(bare)
	want = append(want, bare)
	flush(t, db)

	for _, w := range want {
		got, err := db.Get(ctx, w.ID)
		if err != nil {
			t.Fatalf("Get(%d): %v", w.ID, err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("Get(%d):\n got %+v\nwant %+v", w.ID, got, w)
		}
	}

	list, err := db.List(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(want) {
		t.Fatalf("List returned %d records, want %d", len(list), len(want))
	}
	for i, got := range list {
		w := *want[len(want)-1-i] // newest first
		w.RequestHeaders, w.ResponseHeaders, w.RequestBody, w.ResponseBody = nil, nil, nil, nil
		w.RequestSize, w.ResponseSize = 0, 0 // detail only
		if !reflect.DeepEqual(got, w) {
			t.Errorf("List[%d]:\n got %+v\nwant %+v", i, got, w)
		}
	}
}

func TestGetNotFound(t *testing.T) {
	db := openTest(t, Options{})
	if _, err := db.Get(context.Background(), 42); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(42) error = %v, want ErrNotFound", err)
	}
}

// TestBodyCap: the log keeps at most BodyCap bytes of each body, and the
// whole bodies' sizes, so the UI can say what it shows.
func TestBodyCap(t *testing.T) {
	tests := []struct {
		name     string
		cap      int
		wantReq  int
		wantResp int
		sizes    bool
	}{
		{"default keeps small bodies", 0, 5000, 300, true},
		{"cut to cap", 1000, 1000, 300, true},
		{"no bodies", -1, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t, Options{BodyCap: tt.cap})
			rec := &api.Record{Time: t0, Service: "claude", RequestBody: randomBytes(1, 5000), ResponseBody: randomBytes(2, 300)}
			wantReq, wantResp := rec.RequestBody[:tt.wantReq], rec.ResponseBody[:tt.wantResp]
			db.Add(rec)
			flush(t, db)
			got, err := db.Get(context.Background(), rec.ID)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.RequestBody) != string(wantReq) || string(got.ResponseBody) != string(wantResp) {
				t.Errorf("bodies = %d, %d bytes; want %d, %d", len(got.RequestBody), len(got.ResponseBody), tt.wantReq, tt.wantResp)
			}
			if tt.sizes && (got.RequestSize != 5000 || got.ResponseSize != 300) {
				t.Errorf("sizes = %d, %d; want 5000, 300", got.RequestSize, got.ResponseSize)
			}
		})
	}
}

func TestIDsAssignedAtAdd(t *testing.T) {
	db := openTest(t, Options{})
	var ids []int64
	for i := range 5 {
		rec := fullRecord(i)
		db.Add(rec)
		ids = append(ids, rec.ID)
	}
	if want := []int64{1, 2, 3, 4, 5}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids = %v, want %v", ids, want)
	}
}

func TestConcurrentAdd(t *testing.T) {
	db := openTest(t, Options{})
	var wg sync.WaitGroup
	const workers, each = 8, 50
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if !db.Add(fullRecord(w*each + i)) {
					t.Error("Add returned false")
				}
			}
		})
	}
	wg.Wait()
	flush(t, db)
	n, err := db.Count(context.Background(), Query{})
	if err != nil || n != workers*each {
		t.Fatalf("Count = %d, %v; want %d", n, err, workers*each)
	}
}

func TestOnWrite(t *testing.T) {
	var mu sync.Mutex
	seen := map[int64]bool{}
	db := openTest(t, Options{BatchSize: 3, OnWrite: func(ids []int64) {
		mu.Lock()
		defer mu.Unlock()
		for _, id := range ids {
			seen[id] = true
		}
	}})
	for i := range 10 {
		db.Add(fullRecord(i))
	}
	flush(t, db)
	mu.Lock()
	defer mu.Unlock()
	for id := int64(1); id <= 10; id++ {
		if !seen[id] {
			t.Errorf("OnWrite never reported id %d", id)
		}
	}
}

// TestDropWhenQueueFull blocks the writer by holding its only connection,
// fills the tiny queue and checks that Add refuses, without blocking, exactly
// what does not fit.
func TestDropWhenQueueFull(t *testing.T) {
	db := openTest(t, Options{QueueSize: 4, BatchSize: 1, FlushInterval: time.Millisecond})
	ctx := context.Background()
	conn, err := db.h.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db.Add(fullRecord(0)) // taken by the writer, which then waits for conn
	waitFor(t, "writer to wait for its connection", func() bool {
		return db.h.w.Stats().WaitCount > 0
	})
	if q, p := len(db.queue), db.pending.Load(); q != 0 || p != 1 {
		t.Fatalf("blocked writer: queue %d, pending %d; want 0, 1", q, p)
	}

	// The writer stays stuck until conn is closed below, so these Adds
	// return only if Add never waits for it.
	var accepted, refused int
	for i := 1; i <= 10; i++ {
		rec := fullRecord(i)
		released := false
		rec.Release = func() { released = true }
		if db.Add(rec) {
			accepted++
		} else {
			refused++
			if rec.ID != 0 {
				t.Errorf("refused record kept ID %d", rec.ID)
			}
			if !released {
				t.Errorf("refused record %d: its body buffer was not released", i)
			}
		}
	}
	if accepted != 4 || refused != 6 {
		t.Errorf("accepted %d, refused %d; want 4, 6", accepted, refused)
	}
	if got := db.Dropped(); got != 6 {
		t.Errorf("Dropped() = %d, want 6", got)
	}
	if got := db.Status().Dropped; got != 6 {
		t.Errorf("Status().Dropped = %d, want 6", got)
	}

	conn.Close() // unblock
	flush(t, db)
	if n, _ := db.Count(ctx, Query{}); n != 5 {
		t.Errorf("Count = %d after unblocking, want 5", n)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clp.db")
	ctx := context.Background()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		db.Add(fullRecord(i))
	}
	flush(t, db)
	statsBefore := mustStats(t, db, StatsQuery{By: []string{"service", "config", "model"}})
	rec := fullRecord(20)
	rec.Service = "other" // not flushed: Close must commit it
	db.Add(rec)
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, _ := db.Count(ctx, Query{}); n != 21 {
		t.Errorf("Count after reopen = %d, want 21", n)
	}
	if n, _ := db.Count(ctx, Query{Service: "other"}); n != 1 {
		t.Errorf("the record added just before Close was not committed")
	}
	got, err := db.Get(ctx, 7)
	if want := fullRecord(6); err != nil || !reflect.DeepEqual(got.Attempts, want.Attempts) || string(got.RequestBody) != string(want.RequestBody) {
		t.Errorf("Get(7) after reopen = %+v, %v", got, err)
	}
	var statsAfter []StatsRow
	for _, r := range mustStats(t, db, StatsQuery{By: []string{"service", "config", "model"}}) {
		if r.Service != "other" {
			statsAfter = append(statsAfter, r)
		}
	}
	if len(statsAfter) == 0 || !reflect.DeepEqual(statsAfter, statsBefore) {
		t.Errorf("stats changed across reopen:\n got %+v\nwant %+v", statsAfter, statsBefore)
	}
	rec = fullRecord(99)
	db.Add(rec)
	if rec.ID != 22 {
		t.Errorf("first id after reopen = %d, want 22", rec.ID)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
}

func mustStats(t *testing.T, db *DB, q StatsQuery) []StatsRow {
	t.Helper()
	rows, err := db.Stats(context.Background(), q)
	if err != nil {
		t.Fatalf("Stats(%+v): %v", q, err)
	}
	return rows
}

func TestClosed(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "clp.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if db.Add(fullRecord(0)) {
		t.Error("Add after Close = true")
	}
	if db.Dropped() != 1 {
		t.Errorf("Dropped after Close = %d, want 1", db.Dropped())
	}
	ctx := context.Background()
	if err := db.Flush(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after Close = %v, want ErrClosed", err)
	}
	if _, err := db.Prune(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Prune after Close = %v, want ErrClosed", err)
	}
	if _, err := db.ImportOriginal(ctx, t.TempDir()); !errors.Is(err, ErrClosed) {
		t.Errorf("ImportOriginal after Close = %v, want ErrClosed", err)
	}
}

// TestWriteFailureAndRecovery fills the database to SQLite's page limit, as
// a full disk would: writes fail, the writer keeps the records, counts the
// errors, and commits everything once space is back.
func TestWriteFailureAndRecovery(t *testing.T) {
	db := openTest(t, Options{FlushInterval: time.Millisecond})
	ctx := context.Background()
	db.Add(fullRecord(0))
	flush(t, db)
	var pages int64
	if err := db.h.w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := db.h.w.ExecContext(ctx, "PRAGMA max_page_count = "+strconv.FormatInt(pages, 10)); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		rec := fullRecord(i)
		rec.RequestBody = randomBytes(uint64(i), 64<<10)
		db.Add(rec)
	}
	if err := db.Flush(ctx); err == nil || !strings.Contains(err.Error(), "full") {
		t.Fatalf("Flush on a full database = %v, want a 'full' error", err)
	}
	st := db.Status()
	if !st.Failing || st.WriteErrors == 0 || !strings.Contains(st.LastError, "full") || st.Pending != 5 {
		t.Errorf("Status while full = %+v", st)
	}
	n, last := db.WriteErrors()
	if n == 0 || last == nil {
		t.Errorf("WriteErrors() = %d, %v", n, last)
	}
	if !db.Add(fullRecord(6)) {
		t.Error("Add refused while the disk is full")
	}

	if _, err := db.h.w.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	flush(t, db)
	if c, _ := db.Count(ctx, Query{}); c != 7 {
		t.Errorf("Count after recovery = %d, want 7", c)
	}
	st = db.Status()
	if st.Failing || st.Lost != 0 || st.Pending != 0 || st.Written != 7 {
		t.Errorf("Status after recovery = %+v", st)
	}
}

func TestCorruptFileMovedAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "clp.db")
	garbage := []byte(strings.Repeat("this is not a database\n", 500))
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatalf("Open over a corrupt file: %v", err)
	}
	defer db.Close()
	st := db.Status()
	if want := path + ".corrupt-20250301T100000Z"; st.Recovered != want || st.RecoveredReason == "" {
		t.Errorf("Status = %+v, want Recovered %s with a reason", st, want)
	}
	if b, err := os.ReadFile(st.Recovered); err != nil || string(b) != string(garbage) {
		t.Errorf("moved-aside file lost its content: %v", err)
	}
	db.Add(fullRecord(0))
	flush(t, db)
	if n, _ := db.Count(context.Background(), Query{}); n != 1 {
		t.Errorf("Count in the new database = %d, want 1", n)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clp.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.h.w.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open of a newer schema = %v, want an error saying so", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("a newer database must be left in place: %v", err)
	}
}

// TestMigrateFromV1 builds a version-1 database with data in it and opens it
// with the current code.
func TestMigrateFromV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clp.db")
	ctx := context.Background()
	w, err := openAtVersion(ctx, path, 1)
	if err != nil {
		t.Fatal(err)
	}
	var lat hist
	lat.add(1000)
	lat.add(3000)
	if _, err := w.ExecContext(ctx, `INSERT INTO rollup VALUES (?, 'claude', 'prod', 'm', 2, 1, 10, 20, 30, 0, 0, 40, 0, 0.5, 0, ?)`,
		hourOf(t0.UnixNano()), lat.encode()); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ExecContext(ctx, `INSERT INTO requests (id, ts, service, config, model_requested, model_sent,
		method, path, status, is_error, stream, incomplete, duration_ms, ttfb_ms, has_usage, input_tokens,
		cache_read_tokens, cache_write_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens,
		reasoning_tokens, cost_usd, error) VALUES (7, ?, 'claude', 'prod', 'm', 'm', 'POST', '/v1/messages',
		200, 0, 1, 0, 1000, 100, 1, 10, 20, 30, 0, 0, 40, 0, 0.5, '')`, t0.UnixNano()); err != nil {
		t.Fatal(err)
	}
	w.Close()

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open of a v1 database: %v", err)
	}
	defer db.Close()
	var v int
	db.h.r.QueryRow("PRAGMA user_version").Scan(&v)
	if v != SchemaVersion {
		t.Errorf("user_version = %d, want %d", v, SchemaVersion)
	}
	rows := mustStats(t, db, StatsQuery{})
	want := []StatsRow{{Requests: 2, Errors: 1, Usage: api.Usage{InputTokens: 10, CacheReadTokens: 20, CacheWriteTokens: 30, OutputTokens: 40},
		CostUSD: 0.5, CacheHitRatio: 20.0 / 60, LatencyP50MS: bucketMid(histBucket(1000)), LatencyP95MS: bucketMid(histBucket(3000))}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("Stats of migrated rollup:\n got %+v\nwant %+v", rows, want)
	}
	rec := fullRecord(0)
	db.Add(rec)
	if rec.ID != 8 {
		t.Errorf("id after migration = %d, want 8", rec.ID)
	}
	flush(t, db)
	if rows := mustStats(t, db, StatsQuery{}); rows[0].Requests != 3 || rows[0].TTFBP50MS == 0 {
		t.Errorf("Stats after writing to the migrated database = %+v", rows)
	}
}

// openAtVersion creates a database migrated only to version v, as an older
// clp would have left it.
func openAtVersion(ctx context.Context, path string, v int) (*sql.DB, error) {
	w, err := sqlOpen(path)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, w, v); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

const killHelperEnv = "CLP_STORE_KILL_HELPER"

// runKillHelper is the child of TestKillKeepsCommitted: it writes and
// flushes records, says so, and waits to be killed.
func runKillHelper(path string) int {
	db, err := Open(path, Options{})
	if err != nil {
		os.Stderr.WriteString(err.Error())
		return 1
	}
	for i := range 100 {
		db.Add(fullRecord(i))
	}
	if err := db.Flush(context.Background()); err != nil {
		os.Stderr.WriteString(err.Error())
		return 1
	}
	for i := 100; i < 150; i++ { // queued, maybe not committed: may be lost
		db.Add(fullRecord(i))
	}
	os.Stdout.WriteString("flushed\n")
	select {}
}

// TestKillKeepsCommitted kills a process that uses the store right after a
// Flush and checks that everything flushed is there when reopened.
func TestKillKeepsCommitted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clp.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), killHelperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "flushed\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper said %q, %v; stderr: %s", line, err, stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open after kill: %v", err)
	}
	defer db.Close()
	n, err := db.Count(context.Background(), Query{Until: t0.Add(100 * time.Minute)})
	if err != nil || n != 100 {
		t.Errorf("flushed records after kill = %d, %v; want 100", n, err)
	}
	if st := db.Status(); st.Recovered != "" {
		t.Errorf("a killed writer must not damage the file: %+v", st)
	}
	rows := mustStats(t, db, StatsQuery{})
	total, _ := db.Count(context.Background(), Query{})
	if len(rows) != 1 || rows[0].Requests != int64(total) {
		t.Errorf("rollups disagree with rows after kill: %+v vs %d rows", rows, total)
	}
}

func TestZeroTimeStoredAsNow(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	db := openTest(t, Options{Now: func() time.Time { return now }})
	rec := &api.Record{Service: "claude", Status: 200}
	db.Add(rec)
	flush(t, db)
	got, err := db.Get(context.Background(), rec.ID)
	if err != nil || !got.Time.Equal(now) {
		t.Errorf("Get = %+v, %v; want time %v", got, err, now)
	}
}

// TestRelease: a record's Release is called once, after its body was
// encoded: the buffer it hands back is overwritten at once here, and the
// log still holds the body as it was. A record refused by a closed log is
// released too.
func TestRelease(t *testing.T) {
	db := openTest(t, Options{})
	recs := make([]*api.Record, 3)
	calls := make([]int, len(recs))
	for i := range recs {
		rec := fullRecord(i)
		body := []byte(rec.RequestBody)
		rec.RequestBody = body
		rec.Release = func() {
			calls[i]++
			for j := range body {
				body[j] = 'X'
			}
		}
		recs[i] = rec
		db.Add(rec)
	}
	want := fullRecord(1).RequestBody
	flush(t, db)
	for i := range recs {
		if calls[i] != 1 {
			t.Errorf("record %d: Release called %d times, want 1", i, calls[i])
		}
	}
	got, err := db.Get(context.Background(), recs[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.RequestBody) != string(want) {
		t.Errorf("stored body %q, want %q: read after Release", got.RequestBody, want)
	}

	db.Close()
	late := fullRecord(9)
	released := 0
	late.Release = func() { released++ }
	if db.Add(late) || released != 1 {
		t.Errorf("Add after Close: accepted or Release called %d times, want refused and 1", released)
	}
}
