package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestLiveFeedFollowsOneRequest: a streamed request appears on the feed when
// it starts, again at its first byte, and when it ends — all under the id
// the request log then shows.
func TestLiveFeedFollowsOneRequest(t *testing.T) {
	release := make(chan struct{})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		evs := anthropicEvents("claude-sonnet-4-5", "a", "b")
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		io.WriteString(w, evs[0])
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(20 * time.Second):
		}
		for _, e := range evs[1:] {
			io.WriteString(w, e)
		}
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("c", up.URL, "auth_token", "tok-0000000001", true)))
	in.start()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	token, _ := os.ReadFile(filepath.Join(in.home, "run", "ui_token"))
	hdr := http.Header{"X-Clp-Token": {strings.TrimSpace(string(token))}}
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(in.uiURL(), "http")+"/api/v1/events", &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()

	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Post(in.claudeURL()+"/v1/messages", "application/json", strings.NewReader(`{"model":"claude-sonnet-4-5","stream":true}`))
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	type ev struct {
		Type   string
		Record *struct {
			ID     int64
			Status int
		}
	}
	var seen []ev
	for len(seen) == 0 || seen[len(seen)-1].Type != "request.done" {
		_, data, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("feed: %v (seen %+v)", err, seen)
		}
		var e ev
		json.Unmarshal(data, &e)
		if e.Record == nil {
			continue
		}
		seen = append(seen, e)
		if e.Type == "request.progress" {
			close(release) // the first byte was reported while the stream is still open
		}
	}
	<-done
	var types []string
	for _, e := range seen {
		types = append(types, e.Type)
		if e.Record.ID == 0 || e.Record.ID != seen[0].Record.ID {
			t.Errorf("event %s has id %d, want the started event's %d", e.Type, e.Record.ID, seen[0].Record.ID)
		}
	}
	if got := strings.Join(types, " "); got != "request.started request.progress request.done" {
		t.Errorf("events = %s", got)
	}
	if logs := in.logs(t, 1); len(logs) != 1 || logs[0].ID != seen[0].Record.ID {
		t.Errorf("log shows %+v, want id %d", logs, seen[0].Record.ID)
	}
}
