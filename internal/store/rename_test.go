package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

func TestRenameConfigCarriesHistory(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "clp.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 10, 30, 0, 0, time.UTC)
	add := func(cfg string, in int64, ms float64) {
		db.Add(&api.Record{Time: at, Service: "claude", Config: cfg, ModelSent: "m", Status: 200, DurationMS: ms, Usage: &api.Usage{InputTokens: in}})
	}
	add("old", 10, 100)
	add("old", 20, 100)
	add("new", 5, 1000) // the new name already has history in the same hour
	add("other", 7, 10)
	if err := db.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := db.RenameConfig(ctx, "claude", "old", "new")
	if err != nil || n != 2 {
		t.Fatalf("RenameConfig = %d, %v; want 2 requests", n, err)
	}
	rows, err := db.Stats(ctx, StatsQuery{By: []string{"config"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]StatsRow{}
	for _, r := range rows {
		got[r.Config] = r
	}
	if _, ok := got["old"]; ok {
		t.Errorf("stats still show the old name: %+v", rows)
	}
	if r := got["new"]; r.Requests != 3 || r.Usage.InputTokens != 35 {
		t.Errorf("new = %d requests, %d input; want 3 and 35 (merged)", r.Requests, r.Usage.InputTokens)
	}
	if r := got["new"]; r.LatencyP50MS > 200 {
		t.Errorf("merged latency p50 = %v, want the two 100 ms requests to dominate", r.LatencyP50MS)
	}
	if r := got["other"]; r.Requests != 1 {
		t.Errorf("other changed: %+v", r)
	}
	list, _ := db.List(ctx, Query{Config: "new"})
	if len(list) != 3 {
		t.Errorf("List(config=new) = %d records, want 3", len(list))
	}
}
