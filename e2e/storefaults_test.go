package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/clp-proxy/clp/internal/store" // registers the sqlite driver
)

// statusProblems returns the messages of `clp status --json`'s problems.
func (in *instance) statusProblems(t *testing.T) string {
	t.Helper()
	out, _ := in.clp("status", "--json")
	var st struct {
		Problems []struct{ File, Message string }
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("clp status --json: %v\n%s", err, out)
	}
	var msgs []string
	for _, p := range st.Problems {
		msgs = append(msgs, p.Message)
	}
	return strings.Join(msgs, "\n")
}

// TestDatabaseLockedProxyingContinues: while another process holds the
// request log's write lock, requests are still answered at once, `clp
// status` shows the problem, and once the lock is gone every record is
// written.
func TestDatabaseLockedProxyingContinues(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "ok"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("c", up.URL, "auth_token", "tok-lock-000001", true)))
	in.start()
	body := `{"model":"m","stream":true}`
	post(t, in.claudeURL()+"/v1/messages", body, nil)
	in.logs(t, 1) // the database exists and has one record

	db, err := sql.Open("sqlite", "file:"+filepath.Join(in.home, "data", "clp.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatalf("lock the request log: %v", err)
	}

	const n = 20
	for i := range n {
		t0 := time.Now()
		if code, got := post(t, in.claudeURL()+"/v1/messages", body, nil); code != 200 || !strings.Contains(got, "message_stop") {
			t.Fatalf("request %d with the log locked: %d %.200s", i, code, got)
		}
		if d := time.Since(t0); d > 2*time.Second {
			t.Errorf("request %d took %v with the log locked: the proxy waited on the store", i, d)
		}
	}
	var problems string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if problems = in.statusProblems(t); strings.Contains(problems, "request log fails") {
			break
		}
	}
	if !strings.Contains(problems, "request log fails") {
		t.Errorf("clp status problems while the log is locked: %q, want the failing request log", problems)
	}

	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if got := len(in.logsWithin(t, n+1, 30*time.Second)); got != n+1 {
		t.Errorf("after the lock: %d records, want %d", got, n+1)
	}
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if problems = in.statusProblems(t); !strings.Contains(problems, "request log fails") {
			return
		}
	}
	t.Errorf("clp status still reports the request log failing: %q", problems)
}

// logsWithin is logs with a longer wait (a writer backing off after errors).
func (in *instance) logsWithin(t *testing.T, n int, d time.Duration) []logLine {
	t.Helper()
	var lines []logLine
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if lines = in.logs(t, 0); len(lines) >= n {
			break
		}
	}
	return lines
}

// TestCorruptDatabaseAtStart: a request log that is not a database is moved
// aside and reported; CLP starts, proxies and logs into a new one.
func TestCorruptDatabaseAtStart(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "ok"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("c", up.URL, "auth_token", "tok-corrupt-0001", true)))
	garbage := strings.Repeat("this is not a database\n", 500)
	in.writeFile("data/clp.db", garbage)
	in.start()
	if code, got := post(t, in.claudeURL()+"/v1/messages", `{"model":"m","stream":true}`, nil); code != 200 {
		t.Fatalf("request after a corrupt log: %d %.200s", code, got)
	}
	if got := in.logs(t, 1); len(got) != 1 {
		t.Errorf("new request log has %d records, want 1", len(got))
	}
	if p := in.statusProblems(t); !strings.Contains(p, "damaged") || !strings.Contains(p, "moved to") {
		t.Errorf("clp status problems %q, want the damaged log reported", p)
	}
	moved, _ := filepath.Glob(filepath.Join(in.home, "data", "clp.db.corrupt-*"))
	if len(moved) != 1 {
		t.Fatalf("moved-aside files: %v, want one", moved)
	}
	if b, err := os.ReadFile(moved[0]); err != nil || string(b) != garbage {
		t.Errorf("the moved-aside file lost its content (%v)", err)
	}
}
