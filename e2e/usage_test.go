package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

type logLine struct {
	ID      int64
	Service string
	Config  string
	Status  int
	Usage   *struct {
		InputTokens      int64 `json:"input_tokens"`
		CacheReadTokens  int64 `json:"cache_read_tokens"`
		CacheWriteTokens int64 `json:"cache_write_tokens"`
		OutputTokens     int64 `json:"output_tokens"`
		ReasoningTokens  int64 `json:"reasoning_tokens"`
	}
	CostUSD    *float64       `json:"cost_usd"`
	Redactions map[string]int `json:"redactions"`
}

// logs returns `clp logs --json`, waiting until it shows n records (the
// store writes in batches, off the request path).
func (in *instance) logs(t *testing.T, n int) []logLine {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		out := in.mustCLP("logs", "--json", "-n", "100")
		var lines []logLine
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if l == "" {
				continue
			}
			var r logLine
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("logs --json line %q: %v", l, err)
			}
			lines = append(lines, r)
		}
		if len(lines) >= n || time.Now().After(deadline) {
			return lines
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestUsageIsLoggedForBothProtocols(t *testing.T) {
	claude := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("claude-sonnet-4-5", "hi"))
	})
	codex := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, responsesEvents("gpt-5-codex", "hi"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("c", claude.URL, "auth_token", "tok-0000000001", true)))
	in.writeFile("codex.json", configJSON(entry("x", codex.URL+"/v1", "api_key", "tok-0000000002", true)))
	in.start()

	if text, _ := streamClaude(t, anthropicClient(in), "q"); text != "hi" {
		t.Fatalf("claude answered %q", text)
	}
	resp, err := http.Post(in.codexURL()+"/v1/responses", "application/json", strings.NewReader(`{"model":"gpt-5-codex","stream":true,"input":"q"}`))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	lines := in.logs(t, 2)
	if len(lines) != 2 {
		t.Fatalf("logs show %d records, want 2", len(lines))
	}
	byService := map[string]logLine{}
	for _, l := range lines {
		byService[l.Service] = l
	}
	c, x := byService["claude"], byService["codex"]
	if c.Usage == nil || c.Usage.InputTokens != 25 || c.Usage.CacheReadTokens != 100 || c.Usage.OutputTokens != 15 {
		t.Errorf("claude usage = %+v, want input 25, cache read 100, output 15", c.Usage)
	}
	if c.CostUSD == nil || *c.CostUSD <= 0 {
		t.Errorf("claude cost = %v, want a price for claude-sonnet-4-5", c.CostUSD)
	}
	// Responses: input 40 of which 30 cached → input 10, cache read 30.
	if x.Usage == nil || x.Usage.InputTokens != 10 || x.Usage.CacheReadTokens != 30 || x.Usage.OutputTokens != 12 || x.Usage.ReasoningTokens != 4 {
		t.Errorf("codex usage = %+v, want input 10, cache read 30, output 12, reasoning 4", x.Usage)
	}
	out := in.mustCLP("usage", "--by", "service", "--json")
	if !strings.Contains(out, `"input_tokens": 25`) || !strings.Contains(out, `"input_tokens": 10`) {
		t.Errorf("usage by service:\n%s", out)
	}
	out = in.mustCLP("logs", "show", strconv.FormatInt(c.ID, 10))
	if !strings.Contains(out, "usage: input 25, cache read 100") || !strings.Contains(out, "attempt 1: c") {
		t.Errorf("logs show:\n%s", out)
	}
}

// TestKill9LosesNoShownRecord: records `clp logs` showed survive a kill -9
// of the daemon, and `clp start` works at once afterwards.
func TestKill9LosesNoShownRecord(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "x"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("c", up.URL, "auth_token", "tok-0000000001", true)))
	in.start()
	for i := 0; i < 5; i++ {
		resp, err := http.Post(in.claudeURL()+"/v1/messages", "application/json", strings.NewReader(`{"model":"m","stream":true}`))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	shown := in.logs(t, 5)
	if len(shown) != 5 {
		t.Fatalf("logs show %d, want 5", len(shown))
	}
	data, err := os.ReadFile(filepath.Join(in.home, "run", "clp.pid"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ PID int }
	json.Unmarshal(data, &p)
	if err := syscall.Kill(p.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for syscall.Kill(p.PID, 0) == nil {
		time.Sleep(10 * time.Millisecond)
	}
	in.mustCLP("start")
	after := in.logs(t, 5)
	ids := map[int64]bool{}
	for _, l := range after {
		ids[l.ID] = true
	}
	for _, l := range shown {
		if !ids[l.ID] {
			t.Errorf("record %d was shown before kill -9 and is gone after", l.ID)
		}
	}
}
