package ui

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable fake time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func testHash(t *testing.T, pw string) PasswordHash {
	t.Helper()
	h, err := HashPassword(pw, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// authServer is a UI that listens beyond loopback, with password "correct horse".
func authServer(t *testing.T, clk *clock, password func() (PasswordHash, error)) *httptest.Server {
	t.Helper()
	var calls []string
	srv := httptest.NewServer(New(wiredBackend(&calls), slog.New(slog.DiscardHandler), Options{
		ListenHost: "0.0.0.0", Token: "cli-token-1234", Password: password, Now: clk.now,
	}))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, method, url, body string, hdr map[string]string, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestLoginFlow(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	h := testHash(t, "correct horse")
	srv := authServer(t, clk, func() (PasswordHash, error) { return h, nil })

	if got := do(t, "GET", srv.URL+"/api/v1/status", "", nil).StatusCode; got != 401 {
		t.Errorf("status without login = %d, want 401", got)
	}
	if got := do(t, "GET", srv.URL+"/api/v1/events", "", nil).StatusCode; got != 401 {
		t.Errorf("live feed without login = %d, want 401", got)
	}
	if got := do(t, "GET", srv.URL+"/", "", nil).StatusCode; got != 200 {
		t.Errorf("page without login = %d, want 200 (it shows the login form)", got)
	}
	if got := do(t, "GET", srv.URL+"/api/v1/status", "", map[string]string{TokenHeader: "cli-token-1234"}).StatusCode; got != 200 {
		t.Errorf("status with the CLI token = %d, want 200", got)
	}
	if got := do(t, "GET", srv.URL+"/api/v1/status", "", map[string]string{TokenHeader: "cli-token-1235"}).StatusCode; got != 401 {
		t.Errorf("status with a wrong token = %d, want 401", got)
	}
	if got := do(t, "POST", srv.URL+"/api/v1/login", `{"password":"wrong horse"}`, nil).StatusCode; got != 401 {
		t.Errorf("login with a wrong password = %d, want 401", got)
	}
	if got := do(t, "POST", srv.URL+"/api/v1/login", `{}`, nil).StatusCode; got != 400 {
		t.Errorf("login without a password = %d, want 400", got)
	}
	resp := do(t, "POST", srv.URL+"/api/v1/login", `{"password":"correct horse"}`, nil)
	if resp.StatusCode != 204 {
		t.Fatalf("login = %d, want 204", resp.StatusCode)
	}
	cs := resp.Cookies()
	if len(cs) != 1 {
		t.Fatalf("login set %d cookies, want 1", len(cs))
	}
	c := cs[0]
	if c.Name != sessionCookie || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || len(c.Value) != 64 || c.Secure {
		t.Errorf("cookie = %+v, want %s, HttpOnly, SameSite=Strict, 64 hex digits, not Secure over http", c, sessionCookie)
	}
	if got := do(t, "GET", srv.URL+"/api/v1/status", "", nil, c).StatusCode; got != 200 {
		t.Errorf("status with the session = %d, want 200", got)
	}
	forged := &http.Cookie{Name: sessionCookie, Value: strings.Repeat("0", 64)}
	if got := do(t, "GET", srv.URL+"/api/v1/status", "", nil, forged).StatusCode; got != 401 {
		t.Errorf("status with a made-up session = %d, want 401", got)
	}

	clk.add(sessionTTL - time.Second)
	if got := do(t, "GET", srv.URL+"/api/v1/status", "", nil, c).StatusCode; got != 200 {
		t.Errorf("status just before expiry = %d, want 200", got)
	}
	clk.add(time.Second)
	if got := do(t, "GET", srv.URL+"/api/v1/status", "", nil, c).StatusCode; got != 401 {
		t.Errorf("status after expiry = %d, want 401", got)
	}

	c2 := do(t, "POST", srv.URL+"/api/v1/login", `{"password":"correct horse"}`, map[string]string{"X-Forwarded-Proto": "https"}).Cookies()[0]
	if !c2.Secure {
		t.Errorf("cookie behind an HTTPS proxy is not Secure")
	}
	if got := do(t, "POST", srv.URL+"/api/v1/logout", "", nil, c2).StatusCode; got != 204 {
		t.Errorf("logout = %d, want 204", got)
	}
	if got := do(t, "GET", srv.URL+"/api/v1/status", "", nil, c2).StatusCode; got != 401 {
		t.Errorf("status after logout = %d, want 401", got)
	}
}

func TestSessionInfo(t *testing.T) {
	clk := &clock{t: time.Now()}
	h := testHash(t, "pw-12345678")
	for _, tt := range []struct {
		name       string
		listen     string
		login      bool
		wantReq    bool
		wantAuthed bool
	}{
		{"loopback", "127.0.0.1", false, false, true},
		{"beyond loopback, no session", "0.0.0.0", false, true, false},
		{"beyond loopback, logged in", "0.0.0.0", true, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(New(&fakeBackend{}, slog.New(slog.DiscardHandler), Options{
				ListenHost: tt.listen, Password: func() (PasswordHash, error) { return h, nil }, Now: clk.now,
			}))
			defer srv.Close()
			var cs []*http.Cookie
			if tt.login {
				cs = do(t, "POST", srv.URL+"/api/v1/login", `{"password":"pw-12345678"}`, nil).Cookies()
			}
			req, _ := http.NewRequest("GET", srv.URL+"/api/v1/session", nil)
			for _, c := range cs {
				req.AddCookie(c)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got sessionInfo
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if want := (sessionInfo{LoginRequired: tt.wantReq, Authenticated: tt.wantAuthed}); got != want {
				t.Errorf("session = %+v, want %+v", got, want)
			}
		})
	}
}

func TestLoginWithoutPassword(t *testing.T) {
	for _, tt := range []struct {
		name     string
		password func() (PasswordHash, error)
		want     int
	}{
		{"nil", nil, 403},
		{"no file", func() (PasswordHash, error) { return PasswordHash{}, ErrNoPassword }, 403},
		{"broken file", func() (PasswordHash, error) { return PasswordHash{}, errors.New("bad json") }, 500},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := authServer(t, &clock{t: time.Now()}, tt.password)
			if got := do(t, "POST", srv.URL+"/api/v1/login", `{"password":"anything"}`, nil).StatusCode; got != tt.want {
				t.Errorf("login = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestHostAllowed(t *testing.T) {
	lan := Options{ListenHost: "0.0.0.0", AllowedHosts: []string{"clp.example.com", " Team.Example "}}
	local := Options{ListenHost: "127.0.0.1", AllowedHosts: []string{"clp.internal"}}
	tests := []struct {
		o    Options
		host string
		want bool
	}{
		{Options{}, "127.0.0.1:3300", true},
		{Options{}, "localhost", true},
		{Options{}, "LOCALHOST:1", true},
		{Options{}, "[::1]:3300", true},
		{Options{}, "127.0.0.2:3300", true},
		{Options{}, "evil.example", false},
		{Options{}, "192.168.1.5:3300", false},
		{Options{}, "", false},
		{local, "clp.internal:3300", true},
		{local, "clp.internal.evil:3300", false},
		{local, "10.0.0.1:3300", false},
		{lan, "clp.example.com", true},
		{lan, "CLP.EXAMPLE.COM:443", true},
		{lan, "clp.example.com.", true},
		{lan, "team.example:3300", true},
		{lan, "192.168.1.5:3300", true},
		{lan, "[fe80::1]:3300", true},
		{lan, "0.0.0.0:3300", true},
		{lan, "rebind.example:3300", false},
		{Options{ListenHost: "box.lan"}, "box.lan:3300", true},
		{Options{ListenHost: "box.lan"}, "other.lan:3300", false},
	}
	for _, tt := range tests {
		if got := tt.o.hostAllowed(tt.host); got != tt.want {
			t.Errorf("Options{%q, %q}.hostAllowed(%q) = %v, want %v", tt.o.ListenHost, tt.o.AllowedHosts, tt.host, got, tt.want)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	h := testHash(t, "s3cret-pass")
	if !h.Verify("s3cret-pass") {
		t.Error("the right password does not verify")
	}
	for _, pw := range []string{"", "s3cret-pas", "s3cret-pass ", "S3cret-pass"} {
		if h.Verify(pw) {
			t.Errorf("Verify(%q) = true, want false", pw)
		}
	}
	if h2 := testHash(t, "s3cret-pass"); string(h2.Salt) == string(h.Salt) || string(h2.Hash) == string(h.Hash) {
		t.Error("two hashes of one password share a salt")
	}
	bad := h
	bad.Iterations = 0
	if bad.Verify("s3cret-pass") {
		t.Error("a hash with 0 iterations verifies")
	}
	if _, err := HashPassword("", 10); err == nil {
		t.Error("HashPassword accepted an empty password")
	}

	dir := t.TempDir()
	path := filepath.Join(dir, AuthFile)
	if _, err := ReadPasswordFile(path); !errors.Is(err, ErrNoPassword) {
		t.Errorf("missing file: err = %v, want ErrNoPassword", err)
	}
	data, _ := json.Marshal(h)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPasswordFile(path)
	if err != nil || !got.Verify("s3cret-pass") {
		t.Errorf("ReadPasswordFile = %+v, %v; want the stored hash", got, err)
	}
	if strings.Contains(string(data), "s3cret") {
		t.Errorf("the stored hash holds the password: %s", data)
	}
	os.WriteFile(path, []byte(`{"algorithm":"md5"}`), 0o600)
	if _, err := ReadPasswordFile(path); err == nil || !strings.Contains(err.Error(), "md5") {
		t.Errorf("unknown algorithm: err = %v, want it named", err)
	}
}

func TestReadToken(t *testing.T) {
	dir := t.TempDir()
	if got := ReadToken(dir); got != "" {
		t.Errorf("ReadToken without a file = %q, want empty", got)
	}
	os.WriteFile(filepath.Join(dir, TokenFile), []byte("abc123\n"), 0o600)
	if got := ReadToken(dir); got != "abc123" {
		t.Errorf("ReadToken = %q, want abc123", got)
	}
}

func TestSessionsBounded(t *testing.T) {
	var s sessions
	now := time.Now()
	first := s.create(now, now.Add(time.Hour))
	for i := range maxSessions + 5 {
		s.create(now, now.Add(2*time.Hour+time.Duration(i)))
	}
	if len(s.m) > maxSessions {
		t.Errorf("%d sessions kept, want at most %d", len(s.m), maxSessions)
	}
	if s.valid(first, now) {
		t.Error("the oldest session survived the bound")
	}
}

func BenchmarkPasswordVerify(b *testing.B) {
	h, _ := HashPassword("pw", DefaultIterations)
	for b.Loop() {
		h.Verify("pw")
	}
}

// TestMetricsToken: beyond loopback, /metrics takes the fixed metrics token
// as a Bearer token (what Prometheus's bearer_token_file sends); the token
// opens nothing else.
func TestMetricsToken(t *testing.T) {
	var calls []string
	b := wiredBackend(&calls)
	b.metrics = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("clp_build_info 1\n")) })
	srv := httptest.NewServer(New(b, slog.New(slog.DiscardHandler), Options{
		ListenHost: "0.0.0.0", Token: "cli-token-1234", MetricsToken: "scrape-token-5678",
	}))
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		path, auth string
		want       int
	}{
		{"/metrics", "Bearer scrape-token-5678", 200},
		{"/metrics", "Bearer scrape-token-5679", 401},
		{"/metrics", "scrape-token-5678", 401},
		{"/metrics", "", 401},
		{"/api/v1/status", "Bearer scrape-token-5678", 401},
	} {
		hdr := map[string]string{}
		if tt.auth != "" {
			hdr["Authorization"] = tt.auth
		}
		if got := do(t, "GET", srv.URL+tt.path, "", hdr).StatusCode; got != tt.want {
			t.Errorf("GET %s with Authorization %q = %d, want %d", tt.path, tt.auth, got, tt.want)
		}
	}
}
