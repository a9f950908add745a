package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
)

// configJSON renders a claude.json/codex.json in the original CLP's format.
func configJSON(entries ...string) string { return "{" + strings.Join(entries, ",") + "}" }

func entry(name, baseURL, field, cred string, active bool) string {
	return fmt.Sprintf(`%q: {"base_url": %q, %q: %q, "weight": 1, "active": %v}`, name, baseURL, field, cred, active)
}

func anthropicClient(in *instance) anthropic.Client {
	return anthropic.NewClient(aoption.WithBaseURL(in.claudeURL()), aoption.WithAPIKey("client-side-key"), aoption.WithMaxRetries(0))
}

func streamClaude(t *testing.T, c anthropic.Client, prompt string) (text string, events []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream := c.Messages.NewStreaming(ctx, anthropic.MessageNewParams{
		Model: "claude-sonnet-4-5", MaxTokens: 256,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(prompt))},
	})
	var msg anthropic.Message
	for stream.Next() {
		ev := stream.Current()
		events = append(events, ev.Type)
		if err := msg.Accumulate(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("stream: %v", err)
	}
	for _, b := range msg.Content {
		text += b.Text
	}
	return text, events
}

func TestClaudeSDKStreamsThroughCLP(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("claude-sonnet-4-5", "Hello", ", ", "world", "!"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("prod", up.URL, "auth_token", "upstream-token-0001", true)))
	in.start()

	text, events := streamClaude(t, anthropicClient(in), "hi")
	if text != "Hello, world!" {
		t.Errorf("text = %q, want %q", text, "Hello, world!")
	}
	want := "message_start content_block_start content_block_delta content_block_delta content_block_delta content_block_delta content_block_stop message_delta message_stop"
	if got := strings.Join(events, " "); got != want {
		t.Errorf("events:\n got %s\nwant %s", got, want)
	}
	r := up.last(t)
	if r.Path != "/v1/messages" {
		t.Errorf("upstream path = %s", r.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer upstream-token-0001" {
		t.Errorf("upstream Authorization = %q, want the config's token", got)
	}
	if got := r.Header.Get("X-Api-Key"); got != "" {
		t.Errorf("the client's own key leaked upstream: x-api-key = %q", got)
	}
	if r.Header.Get("Anthropic-Version") == "" || r.Header.Get("X-Stainless-Lang") == "" {
		t.Errorf("client headers were not kept: %v", r.Header)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil || body["model"] != "claude-sonnet-4-5" || body["stream"] != true {
		t.Errorf("upstream body = %s (%v)", r.Body, err)
	}
}

func TestCodexSDKStreamsThroughCLP(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, responsesEvents("gpt-5-codex", "The ", "answer ", "is 42."))
	})
	in := newInstance(t)
	in.writeFile("codex.json", configJSON(entry("main", up.URL+"/v1", "api_key", "sk-upstream-codex-0001", true)))
	in.start()

	c := openai.NewClient(ooption.WithBaseURL(in.codexURL()+"/v1"), ooption.WithAPIKey("codex-client-key"), ooption.WithMaxRetries(0))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream := c.Responses.NewStreaming(ctx, responses.ResponseNewParams{
		Model: "gpt-5-codex",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("question")},
	})
	var text strings.Builder
	var types []string
	for stream.Next() {
		ev := stream.Current()
		types = append(types, ev.Type)
		if ev.Type == "response.output_text.delta" {
			text.WriteString(ev.Delta)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if text.String() != "The answer is 42." {
		t.Errorf("text = %q", text.String())
	}
	if len(types) != 9 || types[len(types)-1] != "response.completed" {
		t.Errorf("events = %v, want 9 ending in response.completed", types)
	}
	r := up.last(t)
	if r.Path != "/v1/responses" {
		t.Errorf("upstream path = %s, want /v1/responses (no doubled /v1)", r.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer sk-upstream-codex-0001" {
		t.Errorf("upstream Authorization = %q", got)
	}
}

func TestSwitchMidConversation(t *testing.T) {
	mk := func(name string) *upstream {
		return newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			writeEvents(w, anthropicEvents("m", "from "+name))
		})
	}
	a, b := mk("A"), mk("B")
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("a", a.URL, "auth_token", "token-a-0000001", true), entry("b", b.URL, "api_key", "key-b-000000001", false)))
	in.start()
	c := anthropicClient(in)

	if text, _ := streamClaude(t, c, "turn 1"); text != "from A" {
		t.Fatalf("turn 1 answered %q, want from A", text)
	}
	in.mustCLP("active", "claude", "b")
	if text, _ := streamClaude(t, c, "turn 2"); text != "from B" {
		t.Fatalf("turn 2 answered %q, want from B right after `clp active`", text)
	}
	if got := b.last(t).Header.Get("X-Api-Key"); got != "key-b-000000001" {
		t.Errorf("b got x-api-key %q", got)
	}
	if n := len(a.requests()); n != 1 {
		t.Errorf("a saw %d requests, want 1", n)
	}
}

// TestStreamIsNotBuffered: the upstream sends one event and then waits until
// the client has received it; a proxy that buffers would deadlock here.
func TestStreamIsNotBuffered(t *testing.T) {
	got1 := make(chan struct{})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		io.WriteString(w, "event: one\ndata: {}\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-got1:
		case <-time.After(20 * time.Second):
			return
		}
		io.WriteString(w, "event: two\ndata: {}\n\n")
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("p", up.URL, "auth_token", "tok-0000000001", true)))
	in.start()

	req, _ := http.NewRequest("POST", in.claudeURL()+"/v1/messages", strings.NewReader(`{"model":"m","stream":true}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := resp.Header.Get("X-Accel-Buffering"); got != "no" {
		t.Errorf("X-Accel-Buffering = %q, want no", got)
	}
	br := bufio.NewReader(resp.Body)
	first := make(chan string, 1)
	go func() {
		line, _ := br.ReadString('\n')
		first <- line
	}()
	select {
	case line := <-first:
		if line != "event: one\n" {
			t.Fatalf("first line %q", line)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the first event did not arrive before the upstream sent the second: CLP buffers")
	}
	close(got1)
	rest, _ := io.ReadAll(br)
	if !strings.Contains(string(rest), "event: two") {
		t.Errorf("second event missing: %q", rest)
	}
}

func TestNonStreamingModelsCountTokensAndCompression(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"id":"msg","type":"message","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":3,"output_tokens":1}}`))
	zw.Close()
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/models":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"data":[{"id":"claude-sonnet-4-5","type":"model"}]}`)
		case "/v1/messages/count_tokens":
			io.WriteString(w, `{"input_tokens":42}`)
		case "/v1/messages":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gz.Bytes())
		default:
			http.NotFound(w, r)
		}
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("p", up.URL, "auth_token", "tok-0000000001", true)))
	in.start()
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}}

	resp, err := raw.Get(in.claudeURL() + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "claude-sonnet-4-5") {
		t.Errorf("models: %s", b)
	}
	resp, err = raw.Post(in.claudeURL()+"/v1/messages/count_tokens?beta=true", "application/json", strings.NewReader(`{"model":"m","messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != `{"input_tokens":42}` || up.last(t).RawQuery != "beta=true" {
		t.Errorf("count_tokens: %s, query %q", b, up.last(t).RawQuery)
	}
	req, _ := http.NewRequest("POST", in.claudeURL()+"/v1/messages", strings.NewReader(`{"model":"m"}`))
	req.Header.Set("Accept-Encoding", "gzip, br")
	resp, err = raw.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(b, gz.Bytes()) {
		t.Errorf("compressed body was changed: encoding %q, %d bytes vs %d", resp.Header.Get("Content-Encoding"), len(b), gz.Len())
	}
	if got := up.last(t).Header.Get("Accept-Encoding"); got != "gzip, br" {
		t.Errorf("upstream Accept-Encoding = %q, want the client's", got)
	}
}

func TestLargeBodyAndLimit(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"got":%d}`, r.ContentLength)
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("p", up.URL, "auth_token", "tok-0000000001", true)))
	in.writeFile("data/system.json", `{"maxBodyMB": 16}`)
	in.start()

	big := `{"model":"m","pad":"` + strings.Repeat("x", 12<<20) + `"}`
	resp, err := http.Post(in.claudeURL()+"/v1/messages", "application/json", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := fmt.Sprintf(`{"got":%d}`, len(big)); string(b) != want {
		t.Errorf("12 MiB body: got %s, want %s", b, want)
	}
	if n := len(up.last(t).Body); n != len(big) {
		t.Errorf("upstream got %d bytes, want %d", n, len(big))
	}

	huge := strings.NewReader(`{"pad":"` + strings.Repeat("x", 17<<20) + `"}`)
	resp, err = http.Post(in.claudeURL()+"/v1/messages", "application/json", huge)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	var e struct {
		Type  string `json:"type"`
		Error struct{ Type, Message string }
	}
	if resp.StatusCode != 413 || json.Unmarshal(b, &e) != nil || e.Type != "error" || !strings.Contains(e.Error.Message, "maxBodyMB") {
		t.Errorf("oversize body: %d %s", resp.StatusCode, b)
	}
}

func TestPlaceholderModeExplainsWhatToDo(t *testing.T) {
	in := newInstance(t)
	in.start()
	for _, c := range []struct{ url, path string }{{in.claudeURL(), "/v1/messages"}, {in.codexURL(), "/responses"}} {
		resp, err := http.Post(c.url+c.path, "application/json", strings.NewReader(`{"model":"m"}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || !strings.Contains(string(b), "clp config add") || !strings.Contains(string(b), ".json") {
			t.Errorf("%s: %d %s", c.path, resp.StatusCode, b)
		}
	}
}

func TestHandEditIsPickedUp(t *testing.T) {
	a := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "A") })
	b := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "B") })
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("a", a.URL, "auth_token", "tok-0000000001", true)))
	in.start()
	ask := func() string {
		resp, err := http.Post(in.claudeURL()+"/v1/messages", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := ask(); got != "A" {
		t.Fatalf("before edit: %q", got)
	}
	in.writeFile("claude.json", configJSON(entry("a", a.URL, "auth_token", "tok-0000000001", false), entry("b", b.URL, "auth_token", "tok-0000000002", true)))
	// The design promises a second; allow slack for a loaded machine.
	deadline := time.Now().Add(10 * time.Second)
	for ask() != "B" {
		if time.Now().After(deadline) {
			t.Fatal("hand edit not picked up")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A broken edit keeps the last good configuration and is reported.
	in.writeFile("claude.json", `{"a": {`)
	deadline = time.Now().Add(10 * time.Second)
	for {
		out, _ := in.clp("status")
		if strings.Contains(out, "claude.json:1:") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status does not report the broken file:\n%s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := ask(); got != "B" {
		t.Errorf("after a broken edit: %q, want the last good config B", got)
	}
}

// TestStreamHeadersArriveBeforeTheFirstEvent: an upstream that sends its
// headers and then thinks before the first event; the client must have the
// headers (and so not time out waiting for them) before any event exists.
func TestStreamHeadersArriveBeforeTheFirstEvent(t *testing.T) {
	gotHeaders := make(chan struct{})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		select {
		case <-gotHeaders:
		case <-time.After(20 * time.Second):
			return
		}
		io.WriteString(w, "event: ping\ndata: {}\n\n")
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("p", up.URL, "auth_token", "tok-0000000001", true)))
	in.start()
	done := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Post(in.claudeURL()+"/v1/messages", "application/json", strings.NewReader(`{"model":"m","stream":true}`))
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	select {
	case resp := <-done:
		close(gotHeaders)
		if resp == nil {
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), "event: ping") {
			t.Errorf("stream: %d %q", resp.StatusCode, b)
		}
	case <-time.After(15 * time.Second):
		close(gotHeaders)
		t.Fatal("no headers before the first event: CLP holds an event stream's headers back")
	}
}
