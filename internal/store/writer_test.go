package store

import (
	"context"
	"sync"
	"testing"
)

// TestCommitTakesBatchByBatch checks that a healthy writer facing a deep
// queue takes one batch at a time into pending instead of the whole queue:
// with the connection held, the writer waits with one batch encoded and the
// rest still queued; released, it writes them all.
func TestCommitTakesBatchByBatch(t *testing.T) {
	const batch, n = 10, 500
	db := openTest(t, Options{QueueSize: 1000, BatchSize: batch})
	ctx := context.Background()
	conn, err := db.h.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	release := sync.OnceValue(conn.Close)
	defer release() // before Close, which waits for the writer, on failure
	for i := range n {
		if !db.Add(fullRecord(i)) {
			t.Fatalf("Add %d refused", i)
		}
	}
	waitFor(t, "the writer to wait for the connection", func() bool {
		s := db.Status()
		return s.Pending == batch && s.Queued == n-batch
	})
	if err := release(); err != nil {
		t.Fatal(err)
	}
	flush(t, db)
	if got, err := db.Count(ctx, Query{}); err != nil || got != n {
		t.Errorf("Count = %d, %v; want %d", got, err, n)
	}
	if s := db.Status(); s.Pending != 0 || s.Queued != 0 || s.Written != n || s.Dropped+s.Lost != 0 {
		t.Errorf("Status after flush = %+v", s)
	}
}
