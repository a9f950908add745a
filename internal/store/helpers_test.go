package store

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/clp-proxy/clp/internal/api"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(killHelperEnv); path != "" {
		os.Exit(runKillHelper(path))
	}
	goleak.VerifyTestMain(m)
}

// t0 is the arrival time of the first test record.
var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// openTest opens a store in a fresh directory and closes it at the end.
func openTest(t testing.TB, opt Options) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "data", "clp.db"), opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func flush(t testing.TB, db *DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.Flush(ctx); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

// fullRecord is a record with every field set, distinct per i.
func fullRecord(i int) *api.Record {
	cost := 0.0125 * float64(i+1)
	services := []string{"claude", "codex"}
	return &api.Record{
		Time:           t0.Add(time.Duration(i) * time.Minute),
		Service:        services[i%2],
		Config:         fmt.Sprintf("cfg%d", i%3),
		ModelRequested: "claude-opus-4-1",
		ModelSent:      fmt.Sprintf("model-%d", i%4),
		Method:         "POST",
		Path:           "/v1/messages?beta=true",
		Status:         200,
		Stream:         true,
		DurationMS:     1000 + float64(i),
		TTFBMS:         200 + float64(i),
		Attempts: []api.Attempt{
			{Config: "backup", Status: 529, Error: "overloaded", DurationMS: 12.5},
			{Config: fmt.Sprintf("cfg%d", i%3), Status: 200, DurationMS: 987.25},
		},
		Usage: &api.Usage{
			InputTokens: int64(10 + i), CacheReadTokens: 1000, CacheWriteTokens: 300,
			CacheWrite5mTokens: 100, CacheWrite1hTokens: 200, OutputTokens: int64(50 + i),
			ReasoningTokens: 7,
		},
		Incomplete: i%5 == 4,
		CostUSD:    &cost,
		Redactions: map[string]int{"aws-access-key": 2, "env-secret": 1},
		RequestHeaders: map[string][]string{
			"Anthropic-Version": {"2023-06-01"},
			"Anthropic-Beta":    {"a", "b"},
			"X-Api-Key":         {"****abcd"},
		},
		ResponseHeaders: map[string][]string{"Content-Type": {"text/event-stream"}},
		RequestBody:     []byte(fmt.Sprintf(`{"model":"claude-opus-4-1","n":%d,"text":%q}`, i, bytes.Repeat([]byte("hello "), 100))),
		ResponseBody:    []byte(fmt.Sprintf("event: message_stop\ndata: {\"i\":%d}\n\n", i)),
		RequestSize:     int64(100_000 + i), // the bodies are what the log kept of them
		ResponseSize:    int64(200_000 + i),
	}
}

// randomBytes is incompressible data, the same for the same seed.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
