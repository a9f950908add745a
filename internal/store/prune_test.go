package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

var allStats = StatsQuery{Bucket: "hour", By: []string{"service", "config", "model"}}

// addAged stores n records arriving at `at`, with a body of bodySize random
// bytes (0: the fixture's small bodies), and returns their ids.
func addAged(t *testing.T, db *DB, n int, at time.Time, bodySize int) []int64 {
	t.Helper()
	var ids []int64
	for i := range n {
		rec := fullRecord(i)
		rec.Time = at.Add(time.Duration(i) * time.Second)
		if bodySize > 0 {
			rec.RequestBody = randomBytes(uint64(at.Unix())+uint64(i), bodySize)
		}
		if !db.Add(rec) {
			t.Fatal("Add refused")
		}
		ids = append(ids, rec.ID)
	}
	flush(t, db)
	return ids
}

func TestPruneByAge(t *testing.T) {
	now := t0.Add(40 * 24 * time.Hour)
	tests := []struct {
		name                string
		bodyDays, rowDays   int
		wantBodies, wantRow int64
	}{
		{"bodies only", 30, 365, 10, 0},
		{"rows too", 30, 20, 10, 10},
		{"rows before bodies", 60, 20, 10, 10}, // a row takes its body with it
		{"nothing old enough", 60, 365, 0, 0},
		{"limits off", -1, -1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t, Options{Now: func() time.Time { return now }, RetentionDays: tt.bodyDays, RowRetentionDays: tt.rowDays})
			ctx := context.Background()
			old := addAged(t, db, 10, t0, 0)                          // 40 days old
			recent := addAged(t, db, 10, now.Add(-5*24*time.Hour), 0) // 5 days old
			before := mustStats(t, db, allStats)

			res, err := db.Prune(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.Bodies != tt.wantBodies || res.Rows != tt.wantRow {
				t.Errorf("Prune = %+v, want %d bodies, %d rows", res, tt.wantBodies, tt.wantRow)
			}
			if after := mustStats(t, db, allStats); !reflect.DeepEqual(after, before) {
				t.Errorf("statistics changed by pruning:\n got %+v\nwant %+v", after, before)
			}
			got, err := db.Get(ctx, old[0])
			switch {
			case tt.wantRow > 0:
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("Get(old) = %v, want ErrNotFound", err)
				}
			case err != nil:
				t.Fatal(err)
			case tt.wantBodies > 0:
				if got.RequestBody != nil || got.RequestHeaders != nil || got.Usage == nil {
					t.Errorf("old record after pruning bodies: body %d bytes, headers %v, usage %v",
						len(got.RequestBody), got.RequestHeaders, got.Usage)
				}
			default:
				if got.RequestBody == nil {
					t.Error("old record lost its body")
				}
			}
			if got, err := db.Get(ctx, recent[0]); err != nil || got.RequestBody == nil || got.ResponseHeaders == nil {
				t.Errorf("recent record after prune = %+v, %v; want its body and headers", got, err)
			}
		})
	}
}

func TestPruneBySize(t *testing.T) {
	const limit = 2 << 20
	db := openTest(t, Options{MaxBytes: limit, RetentionDays: -1, RowRetentionDays: -1})
	ctx := context.Background()
	ids := addAged(t, db, 100, t0, 50<<10) // 5 MB of incompressible bodies
	before := mustStats(t, db, allStats)
	size, _ := db.Size(ctx)
	if size < 4<<20 {
		t.Fatalf("fixture too small: %d bytes", size)
	}

	res, err := db.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.BytesAfter > limit || res.BytesBefore != size || res.Bodies < 50 || res.Rows != 0 {
		t.Errorf("Prune = %+v, want ≤ %d bytes after, over 50 bodies and no rows removed", res, limit)
	}
	if size, _ := db.Size(ctx); size > limit {
		t.Errorf("Size after prune = %d, want ≤ %d", size, limit)
	}
	if got, _ := db.Get(ctx, ids[0]); got == nil || got.RequestBody != nil {
		t.Error("the oldest body survived pruning by size")
	}
	if got, _ := db.Get(ctx, ids[len(ids)-1]); got == nil || len(got.RequestBody) != 50<<10 {
		t.Error("the newest body was pruned")
	}
	if n, _ := db.Count(ctx, Query{}); n != 100 {
		t.Errorf("Count = %d, want every row kept", n)
	}
	if after := mustStats(t, db, allStats); !reflect.DeepEqual(after, before) {
		t.Errorf("statistics changed by pruning:\n got %+v\nwant %+v", after, before)
	}
}

func TestPruneRowsWhenBodiesAreNotEnough(t *testing.T) {
	const limit = 256 << 10
	db := openTest(t, Options{MaxBytes: limit, RetentionDays: -1, RowRetentionDays: -1, BodyCap: -1})
	ctx := context.Background()
	ids := addAged(t, db, 3000, t0, 0)
	before := mustStats(t, db, allStats)
	res, err := db.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows == 0 || res.BytesAfter > limit {
		t.Errorf("Prune = %+v, want rows removed down to %d bytes", res, limit)
	}
	n, _ := db.Count(ctx, Query{})
	if n == 0 || int64(n) != 3000-res.Rows {
		t.Errorf("Count = %d after removing %d of 3000", n, res.Rows)
	}
	if _, err := db.Get(ctx, ids[len(ids)-1]); err != nil {
		t.Errorf("the newest row was pruned: %v", err)
	}
	if after := mustStats(t, db, allStats); !reflect.DeepEqual(after, before) {
		t.Errorf("statistics changed by pruning")
	}
}

func TestPeriodicPrune(t *testing.T) {
	now := t0.Add(100 * 24 * time.Hour)
	db := openTest(t, Options{PruneInterval: 20 * time.Millisecond, Now: func() time.Time { return now }})
	ids := addAged(t, db, 5, t0, 0)
	waitFor(t, "the writer to prune old bodies", func() bool {
		rec, err := db.Get(context.Background(), ids[0])
		return err == nil && rec.RequestBody == nil
	})
}

// TestIDsNeverReused prunes every row and reopens: new ids must still be
// above the old ones, which the UI may have shown.
func TestIDsNeverReused(t *testing.T) {
	path := t.TempDir() + "/clp.db"
	now := t0.Add(1000 * 24 * time.Hour)
	db, err := Open(path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	addAged(t, db, 10, t0, 0)
	if res, err := db.Prune(context.Background()); err != nil || res.Rows != 10 {
		t.Fatalf("Prune = %+v, %v", res, err)
	}
	db.Close()
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec := fullRecord(0)
	db.Add(rec)
	if rec.ID != 11 {
		t.Errorf("id after pruning everything = %d, want 11", rec.ID)
	}
}
