package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
)

// post sends body to url with the given headers and returns the status and body.
func post(t *testing.T, url, body string, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestProxyClientKeys: with keys required (CLP_REQUIRE_KEYS=1 stands in for
// a peer beyond loopback, which the test cannot be), a request needs a key
// from `clp key create`, sent as x-api-key or Authorization: Bearer; the key
// never reaches the upstream, a revoked key is refused at once, refusals are
// protocol-shaped 401s and neither the log nor any file holds the key.
func TestProxyClientKeys(t *testing.T) {
	claudeUp := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "ok"))
	})
	codexUp := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, responsesEvents("gpt-5", "ok"))
	})
	in := newInstance(t)
	in.env = append(in.env, "CLP_REQUIRE_KEYS=1")
	in.writeFile("claude.json", configJSON(entry("c", claudeUp.URL, "auth_token", "tok-claude-upstream-01", true)))
	in.writeFile("codex.json", configJSON(entry("x", codexUp.URL, "api_key", "tok-codex-upstream-01", true)))
	in.start()

	claude := in.claudeURL() + "/v1/messages"
	codex := in.codexURL() + "/v1/responses"
	body := `{"model":"m","stream":true}`

	code, got := post(t, claude, body, map[string]string{"Authorization": "Bearer client-placeholder"})
	var ae struct {
		Type  string
		Error struct{ Type, Message string }
	}
	if json.Unmarshal([]byte(got), &ae); code != 401 || ae.Type != "error" || ae.Error.Type != "authentication_error" || !strings.Contains(ae.Error.Message, "clp key create") {
		t.Errorf("claude without a key: %d %s, want 401 authentication_error naming `clp key create`", code, got)
	}
	code, got = post(t, codex, body, nil)
	var oe struct {
		Error struct{ Type, Code, Message string }
	}
	if json.Unmarshal([]byte(got), &oe); code != 401 || oe.Error.Code != "invalid_api_key" {
		t.Errorf("codex without a key: %d %s, want 401 invalid_api_key", code, got)
	}
	if n := len(claudeUp.requests()) + len(codexUp.requests()); n != 0 {
		t.Fatalf("refused requests reached the upstreams %d times", n)
	}
	m := metricValues(scrapeMetrics(t, in))
	if m["clp_client_key_refusals_total{reason=invalid,service=claude}"] != 1 || m["clp_client_key_refusals_total{reason=missing,service=codex}"] != 1 {
		t.Errorf("refusals in /metrics: claude invalid %v, codex missing %v; want 1 each",
			m["clp_client_key_refusals_total{reason=invalid,service=claude}"], m["clp_client_key_refusals_total{reason=missing,service=codex}"])
	}

	out := in.mustCLP("key", "create", "laptop")
	key := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
	if !strings.HasPrefix(key, "clp-") {
		t.Fatalf("clp key create printed %q, want the key on its first line", out)
	}
	if out := in.mustCLP("key", "list"); !strings.Contains(out, "laptop") || strings.Contains(out, key) {
		t.Errorf("clp key list:\n%s\nwant the name and not the key", out)
	}

	if code, got := post(t, claude, body, map[string]string{"X-Api-Key": key}); code != 200 || !strings.Contains(got, "message_stop") {
		t.Errorf("claude with x-api-key: %d %s", code, got)
	}
	r := claudeUp.last(t)
	if r.Header.Get("Authorization") != "Bearer tok-claude-upstream-01" || r.Header.Get("X-Api-Key") != "" {
		t.Errorf("claude upstream got Authorization %q, x-api-key %q; want only the config's token", r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"))
	}
	if code, got := post(t, codex, body, map[string]string{"Authorization": "Bearer " + key}); code != 200 || !strings.Contains(got, "response.completed") {
		t.Errorf("codex with bearer: %d %s", code, got)
	}
	if got := codexUp.last(t).Header.Get("Authorization"); got != "Bearer tok-codex-upstream-01" {
		t.Errorf("codex upstream got Authorization %q, want the config's key", got)
	}
	// The SDK sends its API key as x-api-key.
	c := anthropicClientWithKey(in, key)
	if text, _ := streamClaude(t, c, "hi"); text != "ok" {
		t.Errorf("SDK with the key: text %q", text)
	}

	wrong := key[:len(key)-2] + "ZZ"
	if code, got := post(t, claude, body, map[string]string{"X-Api-Key": wrong}); code != 401 || !strings.Contains(got, "not valid") {
		t.Errorf("wrong key: %d %s, want 401 saying the key is not valid", code, got)
	}
	in.mustCLP("key", "revoke", "laptop")
	if code, _ := post(t, claude, body, map[string]string{"X-Api-Key": key}); code != 401 {
		t.Errorf("revoked key: status %d, want 401 at once", code)
	}

	in.mustCLP("stop")
	filepath.Walk(in.home, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		data, _ := os.ReadFile(path)
		for _, s := range []string{key, wrong} {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("a client key is in %s", path)
			}
		}
		return nil
	})
	log, _ := os.ReadFile(filepath.Join(in.home, "run", "clp.log"))
	if !bytes.Contains(log, []byte("refused a proxy request without a valid client key")) {
		t.Errorf("refusals were not logged:\n%s", log)
	}
}

func anthropicClientWithKey(in *instance, key string) anthropic.Client {
	return anthropic.NewClient(aoption.WithBaseURL(in.claudeURL()), aoption.WithAPIKey(key), aoption.WithMaxRetries(0))
}

// localNonLoopbackIP returns an address of this machine that is not
// loopback (connections to it come from a non-loopback peer), or nil.
func localNonLoopbackIP() net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && n.IP.IsGlobalUnicast() {
			return n.IP
		}
	}
	return nil
}

// TestKeysWhenListeningBeyondLoopback: with CLP_PROXY_HOST=0.0.0.0, requests
// from this machine over loopback need no key, and — when the machine has a
// non-loopback address to connect through — requests from a non-loopback
// peer need one.
func TestKeysWhenListeningBeyondLoopback(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "ok"))
	})
	in := newInstance(t)
	in.env = append(in.env, "CLP_PROXY_HOST=0.0.0.0")
	in.writeFile("claude.json", configJSON(entry("c", up.URL, "auth_token", "tok-lan-000001", true)))
	in.start()
	body := `{"model":"m","stream":true}`
	if code, got := post(t, in.claudeURL()+"/v1/messages", body, nil); code != 200 {
		t.Errorf("loopback peer without a key: %d %.200s, want 200", code, got)
	}
	ip := localNonLoopbackIP()
	if ip == nil {
		t.Log("no non-loopback address on this machine: only the loopback side was checked")
		return
	}
	lan := fmt.Sprintf("http://%s/v1/messages", net.JoinHostPort(ip.String(), strconv.Itoa(in.claude)))
	if code, got := post(t, lan, body, nil); code != 401 || !strings.Contains(got, "authentication_error") {
		t.Errorf("peer %s without a key: %d %.200s, want 401", ip, code, got)
	}
	key := strings.TrimSpace(strings.SplitN(in.mustCLP("key", "create", "lan"), "\n", 2)[0])
	if code, got := post(t, lan, body, map[string]string{"Authorization": "Bearer " + key}); code != 200 || !strings.Contains(got, "message_stop") {
		t.Errorf("peer %s with a key: %d %.200s, want 200", ip, code, got)
	}
	if got := up.last(t).Header.Get("Authorization"); got != "Bearer tok-lan-000001" {
		t.Errorf("upstream got Authorization %q, want the config's token", got)
	}
}
