package daemon

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/protocol"
	"github.com/clp-proxy/clp/internal/protocol/anthropic"
	"github.com/clp-proxy/clp/internal/protocol/openai"
)

func TestIsLoopbackHost(t *testing.T) {
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"::1", true},
		{"[::1]", true},
		{"localhost", true},
		{"LocalHost", true},
		{"::ffff:127.0.0.1", true},
		{"0.0.0.0", false},
		{"::", false},
		{"", false},
		{"192.168.1.10", false},
		{"clp.example.com", false},
	} {
		if got := IsLoopbackHost(tc.host); got != tc.want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}

func TestIsLoopbackPeer(t *testing.T) {
	for _, tc := range []struct {
		remote string
		want   bool
	}{
		{"127.0.0.1:5000", true},
		{"[::1]:5000", true},
		{"[::ffff:127.0.0.1]:5000", true},
		{"10.0.0.2:5000", false},
		{"[fe80::1]:5000", false},
		{"garbage", false},
		{"", false},
	} {
		if got := isLoopbackPeer(tc.remote); got != tc.want {
			t.Errorf("isLoopbackPeer(%q) = %v, want %v", tc.remote, got, tc.want)
		}
	}
}

func TestCreateListRevokeKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "keys.json")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	k1, err := CreateKey(path, "laptop", now)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := CreateKey(path, "ci", now)
	if err != nil {
		t.Fatal(err)
	}
	if k1 == k2 || !strings.HasPrefix(k1, keyPrefix) || len(k1) < len(keyPrefix)+26 {
		t.Fatalf("keys %q and %q: want two distinct keys with prefix %q and 130 random bits", k1, k2, keyPrefix)
	}
	if _, err := CreateKey(path, "laptop", now); err == nil {
		t.Error("a second key named laptop was created, want an error")
	}
	for _, bad := range []string{"", "a b", "-x", strings.Repeat("x", 65), "a/b"} {
		if _, err := CreateKey(path, bad, now); err == nil {
			t.Errorf("CreateKey(%q) succeeded, want an error", bad)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(k1)) || bytes.Contains(data, []byte(k2)) {
		t.Errorf("keys.json holds a key in clear:\n%s", data)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("keys.json mode = %v, want 0600", fi.Mode().Perm())
	}
	keys, err := LoadKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range keys {
		names = append(names, k.Name)
		if !k.Created.Equal(now) {
			t.Errorf("key %s created %v, want %v", k.Name, k.Created, now)
		}
	}
	if got, want := strings.Join(names, ","), "laptop,ci"; got != want {
		t.Errorf("names = %s, want %s", got, want)
	}
	if got, want := keys[0].Hint, k1[:len(keyPrefix)+4]; got != want {
		t.Errorf("hint = %q, want %q", got, want)
	}
	if got, want := keys[0].SHA256, hashKey(k1); got != want {
		t.Errorf("stored hash = %s, want %s", got, want)
	}

	if err := RevokeKey(path, "laptop"); err != nil {
		t.Fatal(err)
	}
	if err := RevokeKey(path, "laptop"); !errors.Is(err, ErrNoKey) {
		t.Errorf("revoking twice: err = %v, want ErrNoKey", err)
	}
	keys, _ = LoadKeys(path)
	if len(keys) != 1 || keys[0].Name != "ci" {
		t.Errorf("after revoke: %+v, want only ci", keys)
	}
}

func TestLoadKeysRejectsDamage(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"torn":     `{"keys": [{"name": "a", "sha2`,
		"bad hash": `{"keys": [{"name": "a", "sha256": "xyz"}]}`,
		"short":    `{"keys": [{"name": "a", "sha256": "abcd"}]}`,
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		os.WriteFile(p, []byte(content), 0o600)
		if _, err := LoadKeys(p); err == nil {
			t.Errorf("%s: LoadKeys succeeded, want an error", name)
		}
	}
	if keys, err := LoadKeys(filepath.Join(dir, "missing")); err != nil || keys != nil {
		t.Errorf("missing file: %v, %v; want no keys and no error", keys, err)
	}
}

// guardHarness is a keyGuard in front of a handler that records what it saw.
type guardHarness struct {
	g      *keyGuard
	path   string
	logs   *bytes.Buffer
	served atomic.Int32
	header http.Header
}

func newGuardHarness(t *testing.T, p protocol.Protocol, all bool) *guardHarness {
	t.Helper()
	h := &guardHarness{path: filepath.Join(t.TempDir(), "keys.json"), logs: &bytes.Buffer{}}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.served.Add(1)
		h.header = r.Header.Clone()
		w.WriteHeader(200)
	})
	log := slog.New(slog.NewTextHandler(h.logs, nil))
	g, ok := guardKeys(next, p, "claude", h.path, true, all, log, nil).(*keyGuard)
	if !ok {
		t.Fatal("guardKeys did not wrap the handler for a non-loopback listener")
	}
	h.g = g
	return h
}

func (h *guardHarness) do(remote string, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/v1/messages", strings.NewReader("{}"))
	r.RemoteAddr = remote
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.g.ServeHTTP(w, r)
	return w
}

func TestGuardKeysNotNeededOnLoopback(t *testing.T) {
	next := http.NotFoundHandler()
	if got := guardKeys(next, anthropic.Protocol{}, "claude", "k", false, false, slog.New(slog.DiscardHandler), nil); got == nil {
		t.Fatal("nil handler")
	} else if _, wrapped := got.(*keyGuard); wrapped {
		t.Error("a loopback listener got a key guard; want the bare handler")
	}
}

func TestKeyGuard(t *testing.T) {
	h := newGuardHarness(t, anthropic.Protocol{}, false)
	key, err := CreateKey(h.path, "laptop", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		remote string
		hdr    map[string]string
		want   int
	}{
		{"loopback peer needs no key", "127.0.0.1:4000", nil, 200},
		{"remote without key", "10.0.0.2:4000", nil, 401},
		{"remote with x-api-key", "10.0.0.2:4000", map[string]string{"X-Api-Key": key}, 200},
		{"remote with bearer", "10.0.0.2:4000", map[string]string{"Authorization": "Bearer " + key}, 200},
		{"remote with lowercase bearer", "10.0.0.2:4000", map[string]string{"Authorization": "bearer " + key}, 200},
		{"remote with wrong key", "10.0.0.2:4000", map[string]string{"X-Api-Key": key + "x"}, 401},
		{"remote with upstream-looking key", "10.0.0.2:4000", map[string]string{"Authorization": "Bearer sk-ant-whatever"}, 401},
		{"wrong x-api-key, right bearer", "10.0.0.2:4000", map[string]string{"X-Api-Key": "nope", "Authorization": "Bearer " + key}, 200},
		{"basic auth is not a key", "10.0.0.2:4000", map[string]string{"Authorization": "Basic " + key}, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := h.served.Load()
			w := h.do(tc.remote, tc.hdr)
			if w.Code != tc.want {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tc.want, w.Body)
			}
			served := h.served.Load() - before
			if tc.want == 401 {
				if served != 0 {
					t.Error("a refused request reached the proxy")
				}
				var body struct {
					Type  string `json:"type"`
					Error struct{ Type, Message string }
				}
				if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Type != "error" || body.Error.Type != "authentication_error" {
					t.Errorf("401 body = %s, want Anthropic's authentication_error shape", w.Body)
				}
				if !strings.Contains(body.Error.Message, "clp key create") {
					t.Errorf("401 message %q does not say how to get a key", body.Error.Message)
				}
				return
			}
			if served != 1 {
				t.Fatalf("served %d times, want 1", served)
			}
			if tc.remote != "127.0.0.1:4000" && (h.header.Get("X-Api-Key") != "" || h.header.Get("Authorization") != "") {
				t.Errorf("the key reached the proxy: %v", h.header)
			}
		})
	}
	if bytes.Contains(h.logs.Bytes(), []byte(key)) {
		t.Errorf("the log holds the key:\n%s", h.logs)
	}
}

func TestKeyGuardOpenAIShapeAndRequireAll(t *testing.T) {
	h := newGuardHarness(t, openai.Protocol{}, true)
	w := h.do("127.0.0.1:4000", nil)
	if w.Code != 401 {
		t.Fatalf("loopback peer with keys required for all: status %d, want 401", w.Code)
	}
	var body struct {
		Error struct{ Type, Code, Message string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != "invalid_api_key" {
		t.Errorf("401 body = %s, want OpenAI's invalid_api_key shape", w.Body)
	}
	key, _ := CreateKey(h.path, "ci", time.Now())
	if w := h.do("127.0.0.1:4000", map[string]string{"Authorization": "Bearer " + key}); w.Code != 200 {
		t.Errorf("with a key created after the first request: status %d, want 200 (keys file re-read)", w.Code)
	}
	if err := RevokeKey(h.path, "ci"); err != nil {
		t.Fatal(err)
	}
	if w := h.do("127.0.0.1:4000", map[string]string{"Authorization": "Bearer " + key}); w.Code != 401 {
		t.Errorf("with a revoked key: status %d, want 401", w.Code)
	}
}

func TestKeyGuardFailsClosedOnDamagedFile(t *testing.T) {
	h := newGuardHarness(t, anthropic.Protocol{}, false)
	key, _ := CreateKey(h.path, "laptop", time.Now())
	if w := h.do("10.0.0.2:1", map[string]string{"X-Api-Key": key}); w.Code != 200 {
		t.Fatalf("status %d, want 200", w.Code)
	}
	if err := os.WriteFile(h.path, []byte(`{"keys": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	w := h.do("10.0.0.2:1", map[string]string{"X-Api-Key": key})
	if w.Code != 401 || !strings.Contains(w.Body.String(), "does not parse") {
		t.Errorf("damaged keys file: status %d body %s, want 401 saying the file does not parse", w.Code, w.Body)
	}
}

func TestKeyGuardLogsAtMostOncePerSecond(t *testing.T) {
	h := newGuardHarness(t, anthropic.Protocol{}, false)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h.g.now = func() time.Time { return now }
	for range 50 {
		h.do("10.0.0.2:1", map[string]string{"X-Api-Key": "secret-guess-123"})
	}
	now = now.Add(time.Second)
	h.do("10.0.0.2:1", nil)
	out := h.logs.String()
	if got := strings.Count(out, "refused a proxy request"); got != 2 {
		t.Errorf("logged %d refusals, want 2 (one a second):\n%s", got, out)
	}
	if !strings.Contains(out, "refusals_not_logged=49") {
		t.Errorf("log does not count the 49 suppressed refusals:\n%s", out)
	}
	if strings.Contains(out, "secret-guess-123") {
		t.Errorf("the log holds the presented key:\n%s", out)
	}
}

func BenchmarkKeyGuard(b *testing.B) {
	path := filepath.Join(b.TempDir(), "keys.json")
	key, _ := CreateKey(path, "bench", time.Now())
	g := guardKeys(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), anthropic.Protocol{}, "claude", path, true, false, slog.New(slog.DiscardHandler), nil)
	r := httptest.NewRequest("POST", "/v1/messages", nil)
	r.RemoteAddr = "10.0.0.2:1"
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		r.Header.Set("X-Api-Key", key)
		g.ServeHTTP(w, r)
	}
	io.Discard.Write(w.Body.Bytes())
}

func FuzzParseKeys(f *testing.F) {
	f.Add([]byte(`{"keys": [{"name": "a", "sha256": "` + strings.Repeat("ab", 32) + `", "hint": "clp-ABCD"}]}`))
	f.Add([]byte(`{"keys": []}`))
	f.Add([]byte(`{"keys": [{"sha256": "zz"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := parseKeys(data)
		if err != nil {
			return
		}
		for _, k := range keys {
			var h [32]byte
			if n, err := hex.Decode(h[:], []byte(k.SHA256)); err != nil || n != 32 {
				t.Fatalf("accepted key %q with hash %q", k.Name, k.SHA256)
			}
		}
	})
}

func FuzzIsLoopback(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "::1", "localhost", "0.0.0.0", "[::1]:80", "10.0.0.1:5", "", "::ffff:127.0.0.1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// A host that listens everywhere is never loopback.
		if IsLoopbackHost(s) {
			if ip, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil && ip.IsUnspecified() {
				t.Errorf("IsLoopbackHost(%q) for an unspecified address", s)
			}
		}
		isLoopbackPeer(s)
	})
}
