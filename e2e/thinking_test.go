package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestThinkingSignatureRetry: after a switch, the new upstream rejects the
// thinking blocks the old one signed; CLP retries once without them and the
// client gets an answer, with the retry on the record.
func TestThinkingSignatureRetry(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if bytes.Contains(b, []byte(`"signature"`)) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			io.WriteString(w, `{"type":"error","error":{"type":"invalid_request_error","message":"messages.1.content.0: Invalid `+"`signature`"+` in `+"`thinking`"+` block"}}`)
			return
		}
		writeEvents(w, anthropicEvents("m", "continued"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("b", up.URL, "auth_token", "tok-0000000001", true)))
	in.start()

	body := `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"},` +
		`{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"signed-by-A"},{"type":"text","text":"hello"}]},` +
		`{"role":"user","content":"go on"}]}`
	resp, err := http.Post(in.claudeURL()+"/v1/messages", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "continued") {
		t.Fatalf("client got %d %s", resp.StatusCode, b)
	}
	reqs := up.requests()
	if len(reqs) != 2 || bytes.Contains(reqs[1].Body, []byte("signed-by-A")) || !bytes.Contains(reqs[1].Body, []byte(`"text":"hello"`)) {
		t.Fatalf("upstream saw %d requests; retry body %s", len(reqs), reqs[len(reqs)-1].Body)
	}
	lines := in.logs(t, 1)
	if len(lines) != 1 {
		t.Fatalf("%d records", len(lines))
	}
	out := in.mustCLP("logs", "show", strconv.FormatInt(lines[0].ID, 10))
	if !strings.Contains(out, "retried without them") || !strings.Contains(out, "attempt 2: b") {
		t.Errorf("the record does not show the retry:\n%s", out)
	}
}
