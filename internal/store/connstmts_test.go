package store

import (
	"context"
	"database/sql"
	"testing"
)

// TestRowStmtsFollowTheConnection checks that the row statements are
// prepared again when the pool hands the writer another driver connection
// (as it would after replacing a bad one), and that close only closes them
// on the connection they belong to.
func TestRowStmtsFollowTheConnection(t *testing.T) {
	db := openTest(t, Options{})
	ctx := context.Background()
	other, err := sqlOpen(db.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(2)
	var conns [2]*sql.Conn
	for i := range conns {
		if conns[i], err = other.Conn(ctx); err != nil {
			t.Fatal(err)
		}
		defer conns[i].Close()
	}
	var rs rowStmts
	for i := range 4 {
		rec := fullRecord(i)
		rec.ID = int64(i + 1)
		r, err := db.encode(rec)
		if err != nil {
			t.Fatal(err)
		}
		err = conns[i%2].Raw(func(dc any) error {
			if err := rs.insert(ctx, dc, []row{r}); err != nil {
				return err
			}
			if rs.conn != dc {
				t.Errorf("insert %d: statements not on the connection used", i)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	if err := conns[0].Raw(rs.close); err != nil || rs.conn == nil {
		t.Errorf("close on another connection = %v, prepared %t; want nil, true", err, rs.conn != nil)
	}
	if err := conns[1].Raw(rs.close); err != nil || rs.conn != nil {
		t.Errorf("close on their connection = %v, prepared %t; want nil, false", err, rs.conn != nil)
	}
	got, err := db.Count(ctx, Query{})
	if err != nil || got != 4 {
		t.Fatalf("Count = %d, %v; want 4", got, err)
	}
	rec, err := db.Get(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	if want := fullRecord(3); rec.Service != want.Service || string(rec.RequestBody) != string(want.RequestBody) {
		t.Errorf("Get(4) = %q, %q; want %q, %q", rec.Service, rec.RequestBody, want.Service, want.RequestBody)
	}
}
