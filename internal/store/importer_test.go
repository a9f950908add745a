package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
)

// cst is the zone the fixture's original CLP ran in.
var cst = time.FixedZone("CST", 8*3600)

func importFixture(t *testing.T) (*DB, ImportResult) {
	t.Helper()
	db := openTest(t, Options{Location: cst, Cost: func(service, model string, u api.Usage) (float64, bool) {
		if model == "claude-sonnet-4-5-20250929" {
			return float64(u.Total()) / 1e6, true
		}
		return 0, false
	}})
	res, err := db.ImportOriginal(context.Background(), "testdata/original")
	if err != nil {
		t.Fatalf("ImportOriginal: %v", err)
	}
	return db, res
}

func TestImportOriginal(t *testing.T) {
	db, res := importFixture(t)
	ctx := context.Background()
	wantSources := []ImportedSource{
		{File: "data/proxy_requests_claude.jsonl", Records: 3, Skipped: 2},
		{File: "data/proxy_requests_codex.jsonl", Records: 1},
		{File: "data/history_usage.json", Records: 3, Skipped: 1},
	}
	if !reflect.DeepEqual(res.Sources, wantSources) {
		t.Errorf("sources = %+v\nwant %+v", res.Sources, wantSources)
	}

	cost := 5732.0 / 1e6
	sent := []byte(`{"model": "claude-sonnet-4-5-20250929", "stream": true, "messages": [{"role": "user", "content": "my key is [REDACTED]"}]}`)
	want := []*api.Record{
		{
			ID: 1, Time: time.Date(2025, 2, 10, 6, 3, 7, 0, time.UTC), Service: "claude", Config: "relay",
			ModelRequested: "claude-sonnet-4-5", ModelSent: "claude-sonnet-4-5-20250929",
			Method: "POST", Path: "/api/v1/messages?beta=true", Status: 200, Stream: true, DurationMS: 5123,
			Usage: &api.Usage{InputTokens: 12, CacheReadTokens: 5000, CacheWriteTokens: 300,
				CacheWrite5mTokens: 100, CacheWrite1hTokens: 200, OutputTokens: 420},
			CostUSD: &cost,
			RequestHeaders: map[string][]string{
				"authorization":     {"Bearer ****1234"},
				"anthropic-version": {"2023-06-01"},
				"host":              {"relay.example.com"},
			},
			RequestBody:  sent,
			ResponseBody: []byte("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-5-20250929\",\"usage\":{\"input_tokens\":12}}}\n\n"),
		},
		{
			ID: 2, Time: time.Date(2025, 2, 10, 6, 5, 0, 0, time.UTC), Service: "claude", Config: "relay",
			Method: "POST", Path: "/v1/messages", Status: 403, DurationMS: 3,
			Error: "blocked by filter rule-aws: AWS key in body",
		},
		{
			ID: 3, Time: time.Date(2025, 2, 10, 7, 0, 0, 0, time.UTC), Service: "claude", Config: "prod",
			Method: "POST", Path: "/v1/messages", Status: 529, DurationMS: 80.5,
			Usage: &api.Usage{InputTokens: 7, OutputTokens: 3},
		},
		{
			ID: 4, Time: time.Date(2025, 2, 11, 1, 0, 0, 0, time.UTC), Service: "codex", Config: "work",
			ModelRequested: "gpt-5-codex", ModelSent: "gpt-5-codex",
			Method: "POST", Path: "/v1/responses", Status: 200, Stream: true, DurationMS: 20000,
			// OpenAI counts cached tokens in input_tokens; CLP does not.
			Usage:          &api.Usage{InputTokens: 200, CacheReadTokens: 800, OutputTokens: 50, ReasoningTokens: 30},
			RequestHeaders: map[string][]string{"Authorization": {"Bearer ****9876"}, "session-id": {"abc"}},
			RequestBody:    []byte(`{"model": "gpt-5-codex", "stream": true, "input": []}`),
			ResponseBody:   []byte("data: {\"type\":\"response.completed\"}\n\n"),
		},
	}
	for _, w := range want {
		// The original CLP kept whole bodies: their sizes are theirs.
		w.RequestSize, w.ResponseSize = int64(len(w.RequestBody)), int64(len(w.ResponseBody))
		got, err := db.Get(ctx, w.ID)
		if err != nil {
			t.Fatalf("Get(%d): %v", w.ID, err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("record %d:\n got %+v\nwant %+v", w.ID, got, w)
		}
		for _, b := range [][]byte{got.RequestBody, got.ResponseBody} {
			if bytes.Contains(b, []byte("AKIAIOSFODNN7EXAMPLE")) {
				t.Errorf("record %d stores the unredacted original body", w.ID)
			}
		}
	}

	// History totals sit in the hour before the oldest request of their
	// service, with no model and no request count.
	rows := mustStats(t, db, StatsQuery{Bucket: "hour", By: []string{"service", "config", "model"}})
	wantHistory := map[string]StatsRow{
		"claude/relay": {Bucket: time.Date(2025, 2, 10, 5, 0, 0, 0, time.UTC), Service: "claude", Config: "relay",
			Usage: api.Usage{InputTokens: 100, CacheReadTokens: 1000, CacheWriteTokens: 10, OutputTokens: 50}, UnknownCost: 1,
			CacheHitRatio: 1000.0 / 1110},
		"claude/prod": {Bucket: time.Date(2025, 2, 10, 5, 0, 0, 0, time.UTC), Service: "claude", Config: "prod",
			Usage: api.Usage{InputTokens: 5, OutputTokens: 5}, UnknownCost: 1},
		"codex/work": {Bucket: time.Date(2025, 2, 11, 0, 0, 0, 0, time.UTC), Service: "codex", Config: "work",
			Usage: api.Usage{InputTokens: 500, CacheReadTokens: 400, OutputTokens: 30, ReasoningTokens: 10}, UnknownCost: 1,
			CacheHitRatio: 400.0 / 900},
	}
	found := 0
	for _, r := range rows {
		if r.Requests != 0 {
			continue
		}
		w, ok := wantHistory[r.Service+"/"+r.Config]
		if !ok {
			t.Errorf("unexpected history row %+v", r)
			continue
		}
		found++
		if !reflect.DeepEqual(r, w) {
			t.Errorf("history row:\n got %+v\nwant %+v", r, w)
		}
	}
	if found != len(wantHistory) {
		t.Errorf("found %d history rows, want %d", found, len(wantHistory))
	}
	total := mustStats(t, db, StatsQuery{})
	if total[0].Requests != 4 || total[0].Errors != 2 || total[0].UnknownCost != 3+3 {
		t.Errorf("totals = %+v, want 4 requests, 2 errors, 6 unknown costs", total[0])
	}
}

func TestImportOriginalOnce(t *testing.T) {
	db, _ := importFixture(t)
	ctx := context.Background()
	before := mustStats(t, db, allStats)
	res, err := db.ImportOriginal(ctx, "testdata/original")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Sources {
		if !s.Already || s.Records != 0 {
			t.Errorf("second import of %s = %+v, want already imported", s.File, s)
		}
	}
	if len(res.Sources) != 3 {
		t.Errorf("second import listed %d sources, want 3", len(res.Sources))
	}
	if n, _ := db.Count(ctx, Query{}); n != 4 {
		t.Errorf("Count after a second import = %d, want 4", n)
	}
	if after := mustStats(t, db, allStats); !reflect.DeepEqual(after, before) {
		t.Error("a second import changed the statistics")
	}
}

func TestImportOriginalLegacyAndMissing(t *testing.T) {
	home := t.TempDir()
	db := openTest(t, Options{Location: time.UTC})
	res, err := db.ImportOriginal(context.Background(), home)
	if err != nil || len(res.Sources) != 0 {
		t.Fatalf("import of an empty home = %+v, %v; want nothing", res, err)
	}
	if err := os.MkdirAll(filepath.Join(home, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	legacy := `{"timestamp": "2024-12-01T08:00:00", "service": "codex", "method": "POST", "path": "/responses", "status_code": 200, "duration_ms": 10, "channel": "c"}
{"timestamp": "2024-12-01 08:00:01.250", "service": "claude", "status_code": 502}
`
	if err := os.WriteFile(filepath.Join(home, "data", "proxy_requests.jsonl"), []byte(legacy), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err = db.ImportOriginal(context.Background(), home)
	if err != nil {
		t.Fatal(err)
	}
	if want := []ImportedSource{{File: "data/proxy_requests.jsonl", Records: 2}}; !reflect.DeepEqual(res.Sources, want) {
		t.Errorf("sources = %+v, want %+v", res.Sources, want)
	}
	recs, _ := db.List(context.Background(), Query{})
	if len(recs) != 2 || recs[0].Service != "claude" || recs[1].Service != "codex" ||
		!recs[0].Time.Equal(time.Date(2024, 12, 1, 8, 0, 1, 250e6, time.UTC)) {
		t.Errorf("legacy records = %+v", recs)
	}
}

func TestMaskCredential(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Bearer sk-ant-api03-abcdefghijklmnop1234", "Bearer ****1234"},
		{"sk-ant-api03-abcdefghijklmnop1234", "****1234"},
		{"short", "****"},
		{"Bearer x", "Bearer ****"},
		{"", "****"},
	}
	for _, tt := range tests {
		if got := maskCredential(tt.in); got != tt.want {
			t.Errorf("maskCredential(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for name, want := range map[string]bool{
		"Authorization": true, "x-api-key": true, "X-Goog-Api-Key": true, "Cookie": true,
		"x-auth-token": true, "anthropic-version": false, "x-stainless-os": false, "session-id": false,
	} {
		if got := isCredentialHeader(name); got != want {
			t.Errorf("isCredentialHeader(%q) = %v, want %v", name, got, want)
		}
	}
}

func FuzzParseOriginal(f *testing.F) {
	seeds, err := os.ReadFile("testdata/original/data/proxy_requests_claude.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range bytes.Split(seeds, []byte("\n")) {
		f.Add(line)
	}
	f.Add([]byte(`{"timestamp":"2025-01-01T00:00:00Z","usage":{"metrics":{"input":"12","cached_read":-5}},"target_headers":{"a":[1,2]}}`))
	f.Add([]byte(`{"timestamp":"2025-01-01T00:00:00","status_code":1e300,"duration_ms":"NaN","usage":{"input_tokens":1e30}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		rec, err := parseOriginal(line, "claude", time.UTC)
		if err != nil {
			return
		}
		if rec.Time.IsZero() || rec.Service == "" {
			t.Fatalf("parsed record without time or service: %+v", rec)
		}
		if u := rec.Usage; u != nil {
			for _, n := range []int64{u.InputTokens, u.CacheReadTokens, u.CacheWriteTokens, u.OutputTokens, u.ReasoningTokens} {
				if n < 0 {
					t.Fatalf("negative token count in %+v", u)
				}
			}
		}
		for name, vals := range rec.RequestHeaders {
			if isCredentialHeader(name) {
				for _, v := range vals {
					if !bytes.Contains([]byte(v), []byte("****")) {
						t.Fatalf("credential header %s not masked: %q", name, v)
					}
				}
			}
		}
	})
}
