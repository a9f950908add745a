package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/store"
)

// conversation is a Claude Code-shaped request of about n bytes ("model"
// first, as Claude Code sends it) whose messages hold secret at their
// start, middle and end.
func conversation(n int, secret string) []byte {
	type block struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	type message struct {
		Role    string  `json:"role"`
		Content []block `json:"content"`
	}
	var msgs []message
	line := "func handler(w http.ResponseWriter, r *http.Request) {\n\tfmt.Fprintf(w, \"%s\\n\", r.URL.Path)\n}\n"
	for size := 0; size < n; size += 4 << 10 {
		text := strings.Repeat(line, (4<<10)/len(line))
		if len(msgs) == 0 || len(msgs) == n/(8<<10) {
			text = "the key: " + secret + "\n" + text
		}
		msgs = append(msgs, message{Role: []string{"user", "assistant"}[len(msgs)%2], Content: []block{{"text", text}}})
	}
	msgs[len(msgs)-1].Content[0].Text += " and " + secret
	b, _ := json.Marshal(struct {
		Model    string    `json:"model"`
		Messages []message `json:"messages"`
		Stream   bool      `json:"stream"`
	}{"claude-sonnet-4-5", msgs, true})
	return b
}

// received is one request the pipelining upstream got.
type received struct {
	length int64
	body   []byte
	err    error
	early  bool // part of the body arrived before the client sent its second half
}

// TestLargeBodyPipelinedAndFiltered: a large conversation reaches the
// upstream while the client still sends it, filtered: no secret leaves,
// the Content-Length is what arrives (spaces after the document make up
// for shorter replacements), and the log has the filtered body with its
// spans. A body that a replacement makes longer is sent again whole, and
// the upstream gets exactly one whole request of it.
func TestLargeBodyPipelinedAndFiltered(t *testing.T) {
	var mu sync.Mutex
	var got []received
	half := make(chan struct{}, 4)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b []byte
		chunk := make([]byte, 32<<10)
		early := false
		var err error
		for {
			var n int
			n, err = r.Body.Read(chunk)
			b = append(b, chunk[:n]...)
			if !early && len(b) >= 100<<10 {
				early = true
				select {
				case half <- struct{}{}:
				default:
				}
			}
			if err != nil {
				break
			}
		}
		if err == io.EOF {
			err = nil
		}
		mu.Lock()
		got = append(got, received{r.ContentLength, b, err, early})
		mu.Unlock()
		if err == nil {
			writeEvents(w, anthropicEvents("m", "ok"))
		}
	}))
	defer up.Close()
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("p", up.URL, "auth_token", "tok-upstream-cred-0001", true)))
	in.writeFile("filter.json", `[{"source": "project-falcon", "target": "[codename]", "op": "replace"},
 {"source": "grow-me", "target": "[a replacement longer than what it replaces]", "op": "replace"}]`)
	in.start()

	send := func(body []byte, waitHalf bool) string {
		t.Helper()
		pr, pw := io.Pipe()
		defer pw.Close()
		req, _ := http.NewRequest("POST", in.claudeURL()+"/v1/messages", pr)
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Claude-Code-Session-Id", "s-1")
		type result struct {
			text string
			err  error
		}
		res := make(chan result, 1)
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				res <- result{"", err}
				return
			}
			defer resp.Body.Close()
			var text strings.Builder
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if l := sc.Text(); strings.Contains(l, "text_delta") {
					text.WriteString(l)
				}
			}
			res <- result{text.String(), sc.Err()}
		}()
		pw.Write(body[:len(body)/2])
		if waitHalf {
			select {
			case <-half:
			case <-time.After(10 * time.Second):
				t.Error("the upstream got nothing of the first half while the client held back the second: not pipelined")
			}
		}
		pw.Write(body[len(body)/2:])
		pw.Close()
		r := <-res
		if r.err != nil || !strings.Contains(r.text, `"ok"`) {
			t.Fatalf("answer %q, %v", r.text, r.err)
		}
		return r.text
	}

	body := conversation(600<<10, "project-falcon")
	send(body, true)
	mu.Lock()
	first := got
	got = nil
	mu.Unlock()
	if len(first) != 1 {
		t.Fatalf("the upstream got %d requests, want 1", len(first))
	}
	g := first[0]
	want := strings.ReplaceAll(string(body), "project-falcon", "[codename]")
	want += strings.Repeat(" ", len(body)-len(want))
	switch {
	case g.err != nil:
		t.Fatalf("upstream read: %v", g.err)
	case !g.early:
		t.Error("the upstream got the body only once it was whole")
	case g.length != int64(len(g.body)):
		t.Errorf("Content-Length %d for %d bytes", g.length, len(g.body))
	case string(g.body) != want:
		t.Errorf("the upstream got %d bytes, want the filtered %d: %.200s", len(g.body), len(want), g.body)
	case !json.Valid(g.body):
		t.Error("the upstream got invalid JSON")
	}

	// A replacement longer than what it replaces: sent again whole.
	body2 := conversation(300<<10, "grow-me")
	send(body2, false)
	mu.Lock()
	second := got
	mu.Unlock()
	want2 := strings.ReplaceAll(string(body2), "grow-me", "[a replacement longer than what it replaces]")
	whole := 0
	for _, g := range second {
		if g.err != nil {
			continue // the pipelined try, cut off
		}
		whole++
		if string(g.body) != want2 || g.length != int64(len(want2)) {
			t.Errorf("the upstream got %d bytes (Content-Length %d), want the filtered %d", len(g.body), g.length, len(want2))
		}
	}
	if whole != 1 {
		t.Errorf("the upstream got %d whole requests of the lengthened body, want 1", whole)
	}

	in.mustCLP("stop")
	for _, r := range storedRecords(t, in, 2) {
		if r.Status != 200 || r.Error != "" {
			t.Errorf("record %d: status %d error %q", r.ID, r.Status, r.Error)
		}
		logged := string(r.RequestBody)
		if strings.Contains(logged, "project-falcon") || strings.Contains(logged, "grow-me") {
			t.Errorf("record %d: a secret is in the logged body", r.ID)
		}
		n := 0
		for _, sp := range r.RedactionSpans {
			if sp.End > len(r.RequestBody) {
				continue // past what the log keeps
			}
			n++
			if s := logged[sp.Start:sp.End]; s != "[codename]" && !strings.HasPrefix(s, "[a replacement") {
				t.Errorf("record %d: span %+v covers %q, want a replacement", r.ID, sp, s)
			}
		}
		if n == 0 || r.Redactions == nil {
			t.Errorf("record %d: no redactions recorded (%v)", r.ID, fmt.Sprint(r.Redactions))
		}
	}
}

// storedRecords reads the n records of a stopped instance's request log in
// full, bodies decompressed, newest first.
func storedRecords(t *testing.T, in *instance, n int) []*api.Record {
	t.Helper()
	db, err := store.Open(filepath.Join(in.home, "data", "clp.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.List(context.Background(), store.Query{Limit: n + 1})
	if err != nil || len(recs) != n {
		t.Fatalf("log has %d records (%v), want %d", len(recs), err, n)
	}
	out := make([]*api.Record, len(recs))
	for i, r := range recs {
		if out[i], err = db.Get(context.Background(), r.ID); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
