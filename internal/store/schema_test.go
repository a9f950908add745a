package store

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// indexesOf lists the indexes on table, by name.
func indexesOf(t *testing.T, db *DB, table string) []string {
	t.Helper()
	rows, err := db.h.r.Query(`SELECT name FROM sqlite_master
		WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

// TestMigrateFromV2 fills a version-2 database, as the previous clp left
// it with its seven indexes on requests, and opens it with the current code:
// the indexes are replaced in place and every filter still finds the same
// records, old and new.
func TestMigrateFromV2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clp.db")
	ctx := context.Background()
	w, err := openAtVersion(ctx, path, 2)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newCodec(0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	enc := &DB{opt: Options{}.withDefaults(), codec: c}
	recs := queryRecords()
	var rows []row
	for i, rec := range recs[:30] {
		rec.ID = int64(i + 1)
		r, err := enc.encode(rec)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := insertRows(ctx, tx, nil, rows); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	w.Close()

	db, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open of a v2 database: %v", err)
	}
	defer db.Close()
	var v int
	if err := db.h.r.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion {
		t.Errorf("user_version = %d, %v; want %d", v, err, SchemaVersion)
	}
	if got := pragmaInt(t, db, "page_size"); got != 4096 {
		t.Errorf("page_size of the older file = %d, want 4096 kept", got)
	}
	want := []string{"requests_error_status", "requests_errors", "requests_scan", "requests_ts"}
	if got := indexesOf(t, db, "requests"); !slices.Equal(got, want) {
		t.Errorf("indexes on requests = %v, want %v", got, want)
	}
	for _, rec := range recs[30:] {
		db.Add(rec)
	}
	flush(t, db)
	if recs[30].ID != 31 {
		t.Fatalf("first id after migration = %d, want 31", recs[30].ID)
	}
	checkFilters(t, db, recs)
	var res string
	if err := db.h.r.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check = %q, %v", res, err)
	}
}

// TestListQueryPlans pins which index each kind of filter is served by, so
// that a page stays fast on a large log: errors from the partial indexes,
// the other filters from the newest entries of requests_scan, never by
// reading whole rows that do not match.
func TestListQueryPlans(t *testing.T) {
	db := openTest(t, Options{})
	for _, tc := range []struct {
		q    Query
		want string
	}{
		{Query{Status: "error"}, "COVERING INDEX requests_errors"},
		{Query{Status: "error", BeforeID: 10}, "COVERING INDEX requests_errors"},
		{Query{Status: "529"}, "COVERING INDEX requests_error_status"},
		{Query{Status: "0", BeforeID: 10}, "COVERING INDEX requests_error_status"},
		{Query{Status: "200"}, "COVERING INDEX requests_scan"},
		{Query{Status: "ok"}, "COVERING INDEX requests_scan"},
		{Query{Service: "codex"}, "COVERING INDEX requests_scan"},
		{Query{Config: "c", Model: "m", BeforeID: 10}, "COVERING INDEX requests_scan"},
		{Query{Since: t0, Until: t0.Add(1)}, "INDEX requests_ts"},
	} {
		where, args, err := tc.q.where()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.h.r.Query("EXPLAIN QUERY PLAN "+listSQL(where), append(args, 50)...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if got := strings.Join(plan, "; "); !strings.Contains(got, tc.want) {
			t.Errorf("plan of %+v = %q, want it to use %s", tc.q, got, tc.want)
		}
	}
}

func pragmaInt(t *testing.T, db *DB, name string) int {
	t.Helper()
	var v int
	if err := db.h.w.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// TestNewFileLayout checks what a new file gets before its first table:
// large pages, incremental auto-vacuum and WAL, also when a damaged file
// was moved aside to make room for it.
func TestNewFileLayout(t *testing.T) {
	dir := t.TempDir()
	damaged := filepath.Join(dir, "damaged.db")
	if err := os.WriteFile(damaged, []byte("not a database, and longer than a header"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "new.db"), damaged} {
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var mode string
		if err := db.h.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("%s: journal_mode = %q, %v; want wal", path, mode, err)
		}
		if got := pragmaInt(t, db, "page_size"); got != pageSize {
			t.Errorf("%s: page_size = %d, want %d", path, got, pageSize)
		}
		if got := pragmaInt(t, db, "auto_vacuum"); got != 2 {
			t.Errorf("%s: auto_vacuum = %d, want 2 (incremental)", path, got)
		}
		rec := fullRecord(1)
		db.Add(rec)
		flush(t, db)
		if _, err := db.Get(context.Background(), rec.ID); err != nil {
			t.Errorf("%s: Get: %v", path, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
