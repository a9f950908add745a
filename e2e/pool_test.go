package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFailoverWithinOneRequest: configs ahead of the good one by weight are
// dead, overloaded, rate limited or stream an error first; every request
// still gets the good config's answer, and the client never sees a failure.
func TestFailoverWithinOneRequest(t *testing.T) {
	deadURL := "http://127.0.0.1:" + fmt.Sprint(freePort(t)) // nothing listens
	overloaded := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(529)
		io.WriteString(w, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
	})
	limited := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(429)
		io.WriteString(w, `{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}`)
	})
	errFirst := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, []string{"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"busy\"}}\n\n"})
	})
	good := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "good ", "answer"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(
		fmt.Sprintf(`"dead": {"base_url": %q, "auth_token": "t-dead-000001", "weight": 50}`, deadURL),
		fmt.Sprintf(`"overloaded": {"base_url": %q, "auth_token": "t-over-000001", "weight": 40}`, overloaded.URL),
		fmt.Sprintf(`"limited": {"base_url": %q, "auth_token": "t-limi-000001", "weight": 30}`, limited.URL),
		fmt.Sprintf(`"errfirst": {"base_url": %q, "auth_token": "t-errf-000001", "weight": 20}`, errFirst.URL),
		fmt.Sprintf(`"good": {"base_url": %q, "auth_token": "t-good-000001", "weight": 10}`, good.URL),
	))
	// A high threshold keeps every bad config in the order, so each request
	// really fails over through all four.
	in.writeFile("data/lb_config.json", `{"mode": "weight-based", "services": {"claude": {"failureThreshold": 1000, "autoResetMinutes": 10}}}`)
	in.start()

	c := anthropicClient(in)
	if text, _ := streamClaude(t, c, "first"); text != "good answer" {
		t.Fatalf("answer %q", text)
	}
	// limited answered 429 with Retry-After: it sits out from now on.
	nLimited := len(limited.requests())

	var wg sync.WaitGroup
	errs := make(chan string, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "POST", in.claudeURL()+"/v1/messages", strings.NewReader(`{"model":"m","stream":true}`))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !bytes.Contains(b, []byte("good ")) || bytes.Contains(b, []byte("event: error")) {
				errs <- fmt.Sprintf("%d %s", resp.StatusCode, b)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent stream failed: %s", e)
	}
	if n := len(limited.requests()); n != nLimited {
		t.Errorf("the rate-limited config got %d more requests during its Retry-After", n-nLimited)
	}
	if n := len(good.requests()); n != 51 {
		t.Errorf("good served %d requests, want 51", n)
	}
	out := in.mustCLP("status", "--json")
	if !strings.Contains(out, `"mode": "weight-based"`) {
		t.Errorf("status does not show the mode:\n%s", out)
	}
	out = in.mustCLP("status")
	if !strings.Contains(out, "unhealthy: limited: excluded until") || !strings.Contains(out, "unhealthy: dead:") {
		t.Errorf("status does not show the failing configs:\n%s", out)
	}
	out = in.mustCLP("health", "claude")
	if !strings.Contains(out, "limited") || !strings.Contains(out, "excluded until") || !strings.Contains(out, "429") {
		t.Errorf("clp health:\n%s", out)
	}
	out = in.mustCLP("health", "claude", "--reset", "limited")
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "limited") && !strings.Contains(line, "healthy") {
			t.Errorf("limited not healthy after reset: %s", line)
		}
	}
}

// TestMidStreamFailureEndsWithErrorEvent: once bytes reached the client there
// is no retry; the stream ends with a well-formed error event.
func TestMidStreamFailureEndsWithErrorEvent(t *testing.T) {
	var calls sync.Map
	broken := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Store("broken", true)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		io.WriteString(w, anthropicEvents("m", "partial")[0])
		io.WriteString(w, "event: content_block_delta\ndata: {\"type\":\"content_bl")
		w.(http.Flusher).Flush()
		conn, _, _ := http.NewResponseController(w).Hijack()
		conn.Close()
	})
	backup := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "backup"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(
		fmt.Sprintf(`"broken": {"base_url": %q, "auth_token": "t-brok-000001", "weight": 2}`, broken.URL),
		fmt.Sprintf(`"backup": {"base_url": %q, "auth_token": "t-back-000001", "weight": 1}`, backup.URL),
	))
	in.writeFile("data/lb_config.json", `{"mode": "weight-based"}`)
	in.start()

	resp, err := http.Post(in.claudeURL()+"/v1/messages", "application/json", strings.NewReader(`{"model":"m","stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	s := string(b)
	if !strings.HasSuffix(s, "\n\n") || !strings.Contains(s, "\n\nevent: error\ndata: {\"type\":\"error\"") {
		t.Errorf("stream does not end with a well-formed error event:\n%q", s)
	}
	i := strings.LastIndex(s, "data: ")
	var e struct{ Type string }
	if err := json.Unmarshal([]byte(strings.TrimSpace(s[i+6:])), &e); err != nil || e.Type != "error" {
		t.Errorf("error event data is not JSON: %v", err)
	}
	if n := len(backup.requests()); n != 0 {
		t.Errorf("a committed stream was retried on backup (%d requests)", n)
	}
}

// TestRoutingRewritesOnlyTheModel: the upstream sees the renamed model and
// every other byte of the body as the client sent it.
func TestRoutingRewritesOnlyTheModel(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{}`) })
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("relay", up.URL, "auth_token", "tok-0000000001", true)))
	in.writeFile("data/model_router_config.json", `{"mode": "model-mapping", "modelMappings": {"claude": [{"source": "claude-opus-*", "target": "relay-opus", "source_type": "model"}]}}`)
	in.start()

	body := `{"system":[{"type":"text","text":"model: keep me \"quoted\""}],  "model" : "claude-opus-4-1",` + "\n" + `"messages":[{"role":"user","content":"the model field is \"model\""}],"max_tokens":5}`
	for _, path := range []string{"/v1/messages", "/v1/messages/count_tokens"} {
		resp, err := http.Post(in.claudeURL()+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := strings.Replace(body, `"claude-opus-4-1"`, `"relay-opus"`, 1)
		if got := string(up.last(t).Body); got != want {
			t.Errorf("%s: upstream body\n got %s\nwant %s", path, got, want)
		}
	}
}

// TestSecretsNeverLeaveOrLand: a secret in a message reaches neither the
// upstream nor any file under CLP_HOME.
func TestSecretsNeverLeaveOrLand(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "ok"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("p", up.URL, "auth_token", "tok-upstream-cred-0001", true)))
	in.writeFile("filter.json", `[{"source": "project-falcon", "target": "[codename]", "op": "replace"}]`)
	in.start()

	secrets := []string{
		"AKIAIOSFODNN7EXAMPLE",
		"ghp_0123456789abcdefghijABCDEFGHIJ012345",
		"project-falcon",
	}
	prompt := "my .env:\nAWS_ACCESS_KEY_ID=" + secrets[0] + "\nGITHUB_TOKEN=" + secrets[1] + "\nworking on " + secrets[2]
	if text, _ := streamClaude(t, anthropicClient(in), prompt); text != "ok" {
		t.Fatalf("answer %q", text)
	}
	sent := string(up.last(t).Body)
	if !json.Valid([]byte(sent)) {
		t.Fatalf("redacted body is not JSON: %s", sent)
	}
	for _, s := range secrets {
		if strings.Contains(sent, s) {
			t.Errorf("secret %q reached the upstream: %s", s, sent)
		}
	}
	if !strings.Contains(sent, "[codename]") {
		t.Errorf("user rule not applied: %s", sent)
	}
	in.mustCLP("stop")
	filepath.Walk(in.home, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		if filepath.Base(path) == "filter.json" {
			return nil // the user's own rules name what they redact
		}
		data, _ := os.ReadFile(path)
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("secret %q found in %s", s, path)
			}
		}
		if strings.HasSuffix(path, ".json") {
			return nil
		}
		if bytes.Contains(data, []byte("tok-upstream-cred-0001")) {
			t.Errorf("upstream credential found in %s", path)
		}
		return nil
	})
	// The database's bodies are compressed: read them back decompressed.
	full := storedRecords(t, in, 1)[0]
	logged := string(full.RequestBody) + fmt.Sprint(full.RequestHeaders)
	if !strings.Contains(logged, "[codename]") {
		t.Errorf("logged body is not the redacted one: %s", full.RequestBody)
	}
	for _, s := range append(secrets, "tok-upstream-cred-0001") {
		if strings.Contains(logged, s) {
			t.Errorf("%q is in the request log", s)
		}
	}
	if len(full.Redactions) == 0 {
		t.Errorf("record has no redaction counts")
	}
	if len(full.RedactionSpans) < 3 {
		t.Fatalf("record has %d redaction spans, want one per secret", len(full.RedactionSpans))
	}
	for _, sp := range full.RedactionSpans {
		if sp.Start < 0 || sp.End > len(full.RequestBody) || sp.Start >= sp.End {
			t.Errorf("span %+v outside the %d-byte body", sp, len(full.RequestBody))
			continue
		}
		if sp.Rule == "rule 1" && string(full.RequestBody[sp.Start:sp.End]) != "[codename]" {
			t.Errorf("span %+v covers %q, want the replacement", sp, full.RequestBody[sp.Start:sp.End])
		}
		for _, s := range secrets {
			if strings.Contains(sp.Preview, s) {
				t.Errorf("preview %q shows the secret", sp.Preview)
			}
		}
	}
}
