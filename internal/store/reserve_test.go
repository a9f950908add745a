package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

func TestReserveIDIsKeptByAdd(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "clp.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	early := db.ReserveID() // a request that started first...
	late := &api.Record{Time: time.Now(), Service: "claude", Status: 200}
	if !db.Add(late) { // ...and one that finished first
		t.Fatal("Add refused")
	}
	if late.ID <= early {
		t.Fatalf("assigned id %d after reserved %d", late.ID, early)
	}
	rec := &api.Record{ID: early, Time: time.Now(), Service: "codex", Status: 200}
	if !db.Add(rec) || rec.ID != early {
		t.Fatalf("Add changed a reserved id to %d", rec.ID)
	}
	if err := db.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := db.Get(context.Background(), early)
	if err != nil || got.Service != "codex" {
		t.Fatalf("Get(%d) = %+v, %v", early, got, err)
	}
	if next := db.ReserveID(); next <= late.ID {
		t.Errorf("ids repeat: %d after %d", next, late.ID)
	}
}
