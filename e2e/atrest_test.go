package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/store"
)

// TestSecretsAtRest: after traffic on both services (failover from a failing
// config, a rejected request, streams and JSON), no upstream credential is in
// any file under CLP_HOME other than claude.json and codex.json — the
// request log's compressed bodies and headers included.
func TestSecretsAtRest(t *testing.T) {
	failing := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		io.WriteString(w, `{"type":"error","error":{"type":"api_error","message":"boom"}}`)
	})
	good := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "count_tokens") {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"input_tokens": 12}`)
			return
		}
		writeEvents(w, anthropicEvents("m", "ok"))
	})
	rejecting := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"message":"bad key","type":"invalid_request_error","code":"invalid_api_key"}}`)
	})
	codexUp := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, responsesEvents("gpt-5", "ok"))
	})
	creds := map[string]string{
		"failing":   "tok-at-rest-failing-0001",
		"good":      "tok-at-rest-good-0002",
		"rejecting": "tok-at-rest-rejecting-0003",
		"codex":     "tok-at-rest-codex-0004",
		"codexkey":  "tok-at-rest-codexkey-0005",
	}
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(
		fmt.Sprintf(`"failing": {"base_url": %q, "auth_token": %q, "weight": 30}`, failing.URL, creds["failing"]),
		fmt.Sprintf(`"good": {"base_url": %q, "api_key": %q, "weight": 20}`, good.URL, creds["good"]),
	))
	in.writeFile("codex.json", configJSON(
		fmt.Sprintf(`"x": {"base_url": %q, "auth_token": %q, "api_key": %q, "active": true}`, codexUp.URL, creds["codex"], creds["codexkey"]),
		fmt.Sprintf(`"rejecting": {"base_url": %q, "api_key": %q}`, rejecting.URL, creds["rejecting"]),
	))
	in.writeFile("data/lb_config.json", `{"mode": "active-first", "services": {"claude": {"mode": "weight-based", "failureThreshold": 1000}}}`)
	in.start()

	for range 3 {
		if code, body := post(t, in.claudeURL()+"/v1/messages?beta=true", `{"model":"m","stream":true}`, map[string]string{"Authorization": "Bearer client-side"}); code != 200 {
			t.Fatalf("claude: %d %s", code, body)
		}
	}
	post(t, in.claudeURL()+"/v1/messages/count_tokens", `{"model":"m"}`, nil)
	if code, body := post(t, in.codexURL()+"/v1/responses", `{"model":"gpt-5","stream":true}`, nil); code != 200 {
		t.Fatalf("codex: %d %s", code, body)
	}
	in.mustCLP("active", "codex", "rejecting")
	if code, _ := post(t, in.codexURL()+"/v1/responses", `{"model":"gpt-5"}`, nil); code != 401 {
		t.Fatalf("rejecting config: status %d, want its 401", code)
	}
	in.logs(t, 6)
	in.mustCLP("stop")

	files := 0
	filepath.Walk(in.home, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		files++
		rel, _ := filepath.Rel(in.home, path)
		if rel == "claude.json" || rel == "codex.json" {
			return nil
		}
		data, _ := os.ReadFile(path)
		for name, c := range creds {
			if bytes.Contains(data, []byte(c)) {
				t.Errorf("the %s credential is in %s", name, rel)
			}
		}
		return nil
	})
	if files < 4 {
		t.Fatalf("scanned only %d files under CLP_HOME", files)
	}

	db, err := store.Open(filepath.Join(in.home, "data", "clp.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.List(context.Background(), store.Query{Limit: 100})
	if err != nil || len(recs) < 6 {
		t.Fatalf("request log: %d records (%v), want at least 6", len(recs), err)
	}
	for _, r := range recs {
		full, err := db.Get(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := json.Marshal(full) // headers, attempts, errors
		all = append(all, full.RequestBody...)
		all = append(all, full.ResponseBody...)
		for name, c := range creds {
			if bytes.Contains(all, []byte(c)) {
				t.Errorf("record %d (%s %s) holds the %s credential", r.ID, r.Service, r.Path, name)
			}
		}
		if len(full.RequestHeaders) == 0 {
			t.Errorf("record %d has no request headers: the scan would miss a leak there", r.ID)
		}
	}
}

// TestKill9DuringConfigWrites: `clp active` killed at random moments while it
// writes claude.json, then the daemon killed -9 under load while it writes
// the file for `clp active` requests: every config file parses afterwards and
// `clp start` works at once.
func TestKill9DuringConfigWrites(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "ok"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(
		entry("a", up.URL, "auth_token", "tok-kill-00000a", true),
		entry("b", up.URL, "auth_token", "tok-kill-00000b", false),
	))
	checkFiles := func(when string) {
		t.Helper()
		for _, f := range []string{"claude.json", "codex.json"} {
			data, err := os.ReadFile(filepath.Join(in.home, f))
			if errors.Is(err, os.ErrNotExist) && f == "codex.json" {
				continue // created by the first start
			}
			if err != nil || !json.Valid(data) {
				t.Fatalf("%s: %s does not parse (%v):\n%s", when, f, err, data)
			}
		}
		if out, code := in.clp("list", "claude"); code != 0 || strings.Contains(out, "warning") || !strings.Contains(out, "a ") || !strings.Contains(out, "b ") {
			t.Fatalf("%s: clp list claude: exit %d\n%s", when, code, out)
		}
	}

	// The CLI writes the file itself while no daemon runs. Its run time T
	// (over a second for a -race binary) is measured first; the kills then
	// land at moments spread over the end of a run, where the write is.
	t0 := time.Now()
	in.mustCLP("active", "claude", "b")
	run := time.Since(t0)
	const kills = 12
	for i := range kills {
		cmd := exec.Command(clpBin, "active", "claude", []string{"a", "b"}[i%2])
		cmd.Env = in.env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(run/2 + run*time.Duration(i)/(2*kills))
		cmd.Process.Kill()
		cmd.Wait()
	}
	checkFiles("after killing clp active")

	// The daemon writes it for the API while serving a stream of requests.
	in.start()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var switched atomic.Int64
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if resp, err := http.Post(in.claudeURL()+"/v1/messages", "application/json", strings.NewReader(`{"model":"m","stream":true}`)); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			body := fmt.Sprintf(`{"name": %q}`, []string{"a", "b"}[i%2])
			req, _ := http.NewRequest("PUT", in.uiURL()+"/api/v1/services/claude/active", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				if resp.StatusCode < 300 {
					switched.Add(1)
				}
				resp.Body.Close()
			}
		}
	})
	time.Sleep(1500 * time.Millisecond)
	if err := syscall.Kill(in.daemonPID(t), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if n := switched.Load(); n < 5 {
		t.Errorf("only %d switches went through before the kill; the test did not exercise the daemon's writes", n)
	}
	checkFiles("after kill -9 of the daemon")
	t0 = time.Now()
	in.mustCLP("start")
	if d := time.Since(t0); d > 10*time.Second {
		t.Errorf("clp start after kill -9 took %v", d)
	}
	if code, body := post(t, in.claudeURL()+"/v1/messages", `{"model":"m","stream":true}`, nil); code != 200 || !strings.Contains(body, "message_stop") {
		t.Errorf("after restart: %d %.200s", code, body)
	}
}
