package cli

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/config"
)

func TestModelsURL(t *testing.T) {
	tests := []struct{ base, want string }{
		{"https://api.anthropic.com", "https://api.anthropic.com/v1/models"},
		{"https://api.anthropic.com/", "https://api.anthropic.com/v1/models"},
		{"https://api.openai.com/v1", "https://api.openai.com/v1/models"},
		{"https://relay.example/api/v1/", "https://relay.example/api/v1/models"},
		{"https://relay.example/claude?key=1#x", "https://relay.example/claude/v1/models"},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.base)
		if err != nil {
			t.Fatal(err)
		}
		if got := modelsURL(u); got != tt.want {
			t.Errorf("modelsURL(%s) = %s, want %s", tt.base, got, tt.want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		code int
		want string
	}{
		{200, checkOK}, {204, checkOK}, {401, checkFail}, {403, checkFail}, {404, checkWarn},
		{405, checkWarn}, {429, checkWarn}, {500, checkFail}, {529, checkFail}, {400, checkWarn},
	}
	for _, tt := range tests {
		if got, _, _ := classify(tt.code); got != tt.want {
			t.Errorf("classify(%d) = %s, want %s", tt.code, got, tt.want)
		}
	}
}

func TestBaseURLCheck(t *testing.T) {
	v4 := func() []net.IP { return []net.IP{net.ParseIP("127.0.0.1")} }
	v6 := func() []net.IP { return []net.IP{net.ParseIP("::1"), net.ParseIP("127.0.0.1")} }
	const want = "http://127.0.0.1:3210"
	tests := []struct {
		name, got, proxyHost string
		lookup               func() []net.IP
		status               string
	}{
		{"clp", "http://127.0.0.1:3210", "127.0.0.1", v4, checkOK},
		{"elsewhere", "https://api.anthropic.com", "127.0.0.1", v4, checkFail},
		{"other port", "http://127.0.0.1:9999", "127.0.0.1", v4, checkFail},
		{"localhost to v4 only", "http://localhost:3210", "127.0.0.1", v4, checkOK},
		{"localhost may be ::1", "http://localhost:3210", "127.0.0.1", v6, checkWarn},
		{"localhost, clp on ::1", "http://localhost:3210", "::1", v6, checkOK},
		{"not a URL", "127.0.0.1:3210", "127.0.0.1", v4, checkFail},
	}
	for _, tt := range tests {
		c := baseURLCheck("ANTHROPIC_BASE_URL", tt.got, want, tt.proxyHost, tt.lookup)
		if c.Status != tt.status {
			t.Errorf("%s: status = %s (%s), want %s", tt.name, c.Status, c.Detail, tt.status)
		}
		if c.Status != checkOK && !strings.Contains(c.Fix, want) {
			t.Errorf("%s: fix %q does not name %s", tt.name, c.Fix, want)
		}
	}
}

func TestLoopback(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:3210", true}, {"[::1]:3210", true}, {"localhost:3300", true},
		{"0.0.0.0:3210", false}, {"[::]:3210", false}, {"192.168.1.5:3300", false}, {":3210", false},
	}
	for _, tt := range tests {
		if got := loopback(tt.addr); got != tt.want {
			t.Errorf("loopback(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestDialAddr(t *testing.T) {
	for in, want := range map[string]string{"0.0.0.0:1": "127.0.0.1:1", "[::]:2": "127.0.0.1:2", ":3": "127.0.0.1:3", "10.0.0.1:4": "10.0.0.1:4"} {
		if got := dialAddr(in); got != want {
			t.Errorf("dialAddr(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestPermChecks(t *testing.T) {
	home := t.TempDir()
	if err := config.EnsureHome(home); err != nil {
		t.Fatal(err)
	}
	statuses := func(cs []check) string {
		var s []string
		for _, c := range cs {
			s = append(s, c.Status)
		}
		return strings.Join(s, ",")
	}
	if got := statuses(permChecks(home, "linux")); got != checkOK {
		t.Errorf("fresh home: %s, want ok", got)
	}
	if got := statuses(permChecks(home, "windows")); got != checkSkip {
		t.Errorf("windows: %s, want skip", got)
	}
	if got := statuses(permChecks(filepath.Join(home, "nope"), "linux")); got != checkWarn {
		t.Errorf("missing home: %s, want warn", got)
	}
	loose := filepath.Join(home, "data", "x.json")
	if err := os.WriteFile(loose, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(loose, 0o644)
	if err := os.Chmod(home, 0o755); err != nil {
		t.Fatal(err)
	}
	cs := permChecks(home, "linux")
	if got := statuses(cs); got != "fail,fail" {
		t.Fatalf("loose modes: %s, want fail,fail", got)
	}
	if !strings.Contains(cs[0].Fix, "chmod 700 "+home) || !strings.Contains(cs[1].Fix, "chmod 600 "+loose) {
		t.Errorf("fixes = %q, %q", cs[0].Fix, cs[1].Fix)
	}
}

func TestProbe(t *testing.T) {
	var gotHeader http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHeader = r.Header.Clone()
		if r.URL.Path != "/v1/models" {
			w.WriteHeader(404)
			return
		}
		if r.Header.Get("x-api-key") == "good" || r.Header.Get("Authorization") == "Bearer good" {
			return
		}
		w.WriteHeader(401)
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
	}))
	defer slow.Close()
	slowURL, _ := url.Parse(slow.URL)

	tests := []struct {
		name, protocol string
		u              config.Upstream
		status         string
		header         string // a header the upstream must have seen, "name: value"
	}{
		{"anthropic key", "anthropic", config.Upstream{URL: base, APIKey: "good"}, checkOK, "X-Api-Key: good"},
		{"anthropic token", "anthropic", config.Upstream{URL: base, AuthToken: "good"}, checkOK, "Anthropic-Version: 2023-06-01"},
		{"openai key as bearer", "openai", config.Upstream{URL: base, APIKey: "good"}, checkOK, "Authorization: Bearer good"},
		{"rejected", "anthropic", config.Upstream{URL: base, APIKey: "bad"}, checkFail, "X-Api-Key: bad"},
		{"timeout", "openai", config.Upstream{URL: slowURL, APIKey: "good"}, checkFail, ""},
	}
	hc := &http.Client{Timeout: 100 * time.Millisecond}
	for _, tt := range tests {
		gotHeader = nil
		c := probe(hc, "claude/x", tt.protocol, &tt.u)
		if c.Status != tt.status {
			t.Errorf("%s: status = %s (%s), want %s", tt.name, c.Status, c.Detail, tt.status)
		}
		if tt.header != "" {
			k, v, _ := strings.Cut(tt.header, ": ")
			if got := gotHeader.Get(k); got != v {
				t.Errorf("%s: upstream saw %s = %q, want %q", tt.name, k, got, v)
			}
		}
		if c.Status == checkOK && c.LatencyMS <= 0 {
			t.Errorf("%s: no latency", tt.name)
		}
	}
}

func TestPrefixed(t *testing.T) {
	names := []string{"prod", "relay", "prod-2"}
	if got := strings.Join(prefixed(names, "pr"), ","); got != "prod,prod-2" {
		t.Errorf("prefixed = %s", got)
	}
	if len(names) != 3 {
		t.Error("prefixed changed its input")
	}
}

func TestCredentialField(t *testing.T) {
	tests := []struct{ service, cred, want string }{
		{"claude", "sk-ant-api03-xyz", "api_key"},
		{"claude", "sk-relay-token", "auth_token"},
		{"codex", "sk-proj-abc", "api_key"},
	}
	for _, tt := range tests {
		if got := credentialField(tt.service, tt.cred); got != tt.want {
			t.Errorf("credentialField(%s, %s) = %s, want %s", tt.service, tt.cred, got, tt.want)
		}
	}
}
