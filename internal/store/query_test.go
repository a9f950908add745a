package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

// queryFixture stores 40 varied records and returns them in id order.
func queryFixture(t *testing.T) (*DB, []*api.Record) {
	t.Helper()
	db := openTest(t, Options{})
	recs := queryRecords()
	for _, rec := range recs {
		db.Add(rec)
	}
	flush(t, db)
	return db, recs
}

// queryRecords are 40 varied records without ids.
func queryRecords() []*api.Record {
	var recs []*api.Record
	for i := range 40 {
		rec := fullRecord(i)
		switch i % 7 {
		case 3:
			rec.Status = 429
		case 5:
			rec.Status = 200
			rec.Error = "upstream closed the stream" // a broken stream is an error
		case 6:
			rec.Status = 0 // no response
		}
		if i%4 == 1 {
			rec.ModelSent = "routed-" + rec.ModelSent
		}
		recs = append(recs, rec)
	}
	return recs
}

// matches is the reference meaning of a Query, written independently of
// the SQL.
func matches(q Query, r *api.Record) bool {
	isErr := r.Status < 200 || r.Status >= 400 || r.Error != ""
	switch {
	case q.Service != "" && r.Service != q.Service,
		q.Config != "" && r.Config != q.Config,
		q.Model != "" && r.ModelSent != q.Model && r.ModelRequested != q.Model,
		q.Status == "ok" && isErr,
		q.Status == "error" && !isErr,
		q.Status != "" && q.Status != "ok" && q.Status != "error" && strconv.Itoa(r.Status) != q.Status,
		!q.Since.IsZero() && r.Time.Before(q.Since),
		!q.Until.IsZero() && !r.Time.Before(q.Until),
		q.BeforeID > 0 && r.ID >= q.BeforeID:
		return false
	}
	return true
}

// filterQueries are the filters tests check List and Count with.
var filterQueries = []struct {
	name string
	q    Query
}{
	{"all", Query{}},
	{"service", Query{Service: "codex"}},
	{"config", Query{Config: "cfg2"}},
	{"model sent", Query{Model: "model-2"}},
	{"model requested", Query{Model: "claude-opus-4-1"}},
	{"routed model", Query{Model: "routed-model-1"}},
	{"ok", Query{Status: "ok"}},
	{"error", Query{Status: "error"}},
	{"exact status", Query{Status: "429"}},
	{"no response", Query{Status: "0"}},
	{"time range", Query{Since: t0.Add(10 * time.Minute), Until: t0.Add(20 * time.Minute)}},
	{"combined", Query{Service: "claude", Status: "error", Since: t0.Add(5 * time.Minute)}},
	{"before id", Query{BeforeID: 30, Config: "cfg0"}},
	{"nothing", Query{Service: "nobody"}},
	{"error status and config", Query{Status: "429", Config: "cfg0"}},
	{"success status and model", Query{Status: "200", Model: "model-2"}},
}

func TestListAndCountFilters(t *testing.T) {
	db, recs := queryFixture(t)
	checkFilters(t, db, recs)
	// The reference itself must select something interesting.
	if n, _ := db.Count(context.Background(), Query{Status: "error"}); n != 16 {
		t.Errorf("errors in fixture = %d, want 16 (6 of 429, 5 broken streams, 5 without response)", n)
	}
}

// checkFilters compares List and Count of every filterQueries entry with
// the reference meaning over recs.
func checkFilters(t *testing.T, db *DB, recs []*api.Record) {
	t.Helper()
	ctx := context.Background()
	for _, tc := range filterQueries {
		q := tc.q
		t.Run(tc.name, func(t *testing.T) {
			var want []int64
			for _, r := range slices.Backward(recs) {
				if matches(q, r) {
					want = append(want, r.ID)
				}
			}
			q.Limit = 1000
			got, err := db.List(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if ids := idsOf(got); !slices.Equal(ids, want) {
				t.Errorf("List ids = %v, want %v", ids, want)
			}
			n, err := db.Count(ctx, q)
			if err != nil || n != len(want) {
				t.Errorf("Count = %d, %v; want %d", n, err, len(want))
			}
		})
	}
}

func idsOf(recs []api.Record) []int64 {
	ids := make([]int64, 0, len(recs))
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestListPaging(t *testing.T) {
	db, recs := queryFixture(t)
	ctx := context.Background()
	for i, q := range []Query{{}, {Service: "claude"}, {Status: "error"}} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var want []int64
			for _, r := range slices.Backward(recs) {
				if matches(q, r) {
					want = append(want, r.ID)
				}
			}
			var got []int64
			q.Limit = 7
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatal("paging does not end")
				}
				page, err := db.List(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > 7 {
					t.Fatalf("page of %d records, limit 7", len(page))
				}
				if len(page) == 0 {
					break
				}
				got = append(got, idsOf(page)...)
				q.BeforeID = page[len(page)-1].ID
			}
			if len(got) == 0 || !slices.Equal(got, want) {
				t.Errorf("pages = %v, want %v", got, want)
			}
		})
	}
}

func TestListLimits(t *testing.T) {
	db, _ := queryFixture(t)
	ctx := context.Background()
	tests := []struct {
		limit, want int
	}{
		{0, 40}, // default 50
		{5, 5},
		{-1, 40},
	}
	for _, tt := range tests {
		got, err := db.List(ctx, Query{Limit: tt.limit})
		if err != nil || len(got) != tt.want {
			t.Errorf("List(Limit %d) = %d records, %v; want %d", tt.limit, len(got), err, tt.want)
		}
	}
}

func TestBadStatusFilter(t *testing.T) {
	db := openTest(t, Options{})
	for _, s := range []string{"okay", "4xx", "-1", "1000"} {
		if _, err := db.List(context.Background(), Query{Status: s}); err == nil {
			t.Errorf("List(Status %q) succeeded, want an error", s)
		}
		if _, err := db.Count(context.Background(), Query{Status: s}); err == nil {
			t.Errorf("Count(Status %q) succeeded, want an error", s)
		}
	}
}
