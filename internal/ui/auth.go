package ui

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// TokenHeader carries the daemon's CLI token (the content of
// CLP_HOME/run/ui_token, written by the daemon at start with mode 0600). A
// request that carries it needs no login: this is how the CLI's own client
// talks to a daemon whose UI requires one. Only someone who can read the
// file, that is the user who runs the daemon, can send it.
const TokenHeader = "X-Clp-Token"

// Files under CLP_HOME that hold the UI's secrets.
const (
	TokenFile = "ui_token"     // in run/: the CLI token, random per daemon start
	AuthFile  = "ui_auth.json" // in data/: the UI password hash (`clp ui password`)
)

const (
	sessionCookie = "clp_session"
	sessionTTL    = 24 * time.Hour
	maxSessions   = 1000 // the oldest is dropped beyond this
)

// Options are the UI's security settings. The zero value is a UI on a
// loopback address without a login and without a CLI token.
type Options struct {
	// ListenHost is the host the UI listens on (CLP_UI_HOST). When it is not
	// a loopback name or address, every API request needs a login session
	// or the CLI token; "" counts as loopback.
	ListenHost string
	// AllowedHosts are extra names accepted in the Host header
	// (CLP_UI_ALLOWED_HOSTS), e.g. the name nginx serves the UI under.
	AllowedHosts []string
	// Token is the CLI token accepted in TokenHeader; "" accepts none.
	Token string
	// MetricsToken (CLP_METRICS_TOKEN) is a fixed token that GET /metrics
	// accepts as "Authorization: Bearer …", for a Prometheus server
	// scraping a UI beyond loopback (its bearer_token_file); it opens
	// nothing else. "" accepts none.
	MetricsToken string
	// Password returns the stored password hash; ErrNoPassword when none is
	// set. Nil means no password is set. It is called on each login, so a
	// password changed by `clp ui password` applies without a restart.
	Password func() (PasswordHash, error)
	// Now is the clock for session expiry; nil means time.Now.
	Now func() time.Time
}

// loginRequired reports whether the UI listens beyond loopback.
func (o Options) loginRequired() bool {
	return o.ListenHost != "" && !loopback(o.ListenHost)
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// sessions is the server-side session table, keyed by the SHA-256 of the
// cookie value so that a lookup does not compare secrets byte by byte.
type sessions struct {
	mu sync.Mutex
	m  map[[32]byte]time.Time // expiry
}

// create returns a new random session id that expires at exp.
func (s *sessions) create(now, exp time.Time) string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand panics instead)
	id := hex.EncodeToString(b[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[[32]byte]time.Time{}
	}
	var oldest [32]byte
	var oldestExp time.Time
	for k, e := range s.m {
		if !now.Before(e) {
			delete(s.m, k)
		} else if oldestExp.IsZero() || e.Before(oldestExp) {
			oldest, oldestExp = k, e
		}
	}
	if len(s.m) >= maxSessions {
		delete(s.m, oldest)
	}
	s.m[sha256.Sum256([]byte(id))] = exp
	return id
}

// valid reports whether id names a session that has not expired.
func (s *sessions) valid(id string, now time.Time) bool {
	if id == "" {
		return false
	}
	k := sha256.Sum256([]byte(id))
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.m[k]
	if ok && !now.Before(exp) {
		delete(s.m, k)
		return false
	}
	return ok
}

func (s *sessions) remove(id string) {
	s.mu.Lock()
	delete(s.m, sha256.Sum256([]byte(id)))
	s.mu.Unlock()
}

// authorized reports whether r may use the API: with the CLI token always,
// otherwise with a live session when a login is required.
func (s *server) authorized(r *http.Request) bool {
	if tok := r.Header.Get(TokenHeader); tok != "" && s.opt.Token != "" &&
		subtle.ConstantTimeCompare([]byte(tok), []byte(s.opt.Token)) == 1 {
		return true
	}
	if r.URL.Path == "/metrics" && s.opt.MetricsToken != "" {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok &&
			subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.opt.MetricsToken)) == 1 {
			return true
		}
	}
	if !s.opt.loginRequired() {
		return true
	}
	c, err := r.Cookie(sessionCookie)
	return err == nil && s.sessions.valid(c.Value, s.opt.now())
}

// requireLogin answers 401 to API (and /metrics) requests that are not
// authorized, except the endpoints that log in and say whether a login is
// needed. Pages and assets are served to everyone: they hold no data, and
// the page shows the login form when the API says 401. A metrics scraper of
// a UI beyond loopback sends the metrics token (or the CLI token).
func (s *server) requireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/metrics",
			r.URL.Path == "/api/v1/session", r.URL.Path == "/api/v1/login", r.URL.Path == "/api/v1/logout",
			s.authorized(r):
			next.ServeHTTP(w, r)
		default:
			writeError(w, http.StatusUnauthorized, "login required")
		}
	})
}

// sessionInfo is the answer of GET /api/v1/session.
type sessionInfo struct {
	LoginRequired bool `json:"login_required"`
	Authenticated bool `json:"authenticated"`
}

func (s *server) session(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, sessionInfo{LoginRequired: s.opt.loginRequired(), Authenticated: s.authorized(r)})
}

// loginRequest is the body of POST /api/v1/login.
type loginRequest struct {
	Password string `json:"password"`
}

// login checks the password and sets the session cookie. Checks run one at
// a time, and each costs a slow hash, which bounds guessing.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if !readJSON(w, r, &req) || req.Password == "" {
		writeError(w, http.StatusBadRequest, `body must be {"password": "..."}`)
		return
	}
	if !s.opt.loginRequired() {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var hash PasswordHash
	err := ErrNoPassword
	if s.opt.Password != nil {
		hash, err = s.opt.Password()
	}
	if err != nil {
		if errors.Is(err, ErrNoPassword) {
			writeError(w, http.StatusForbidden, "no UI password is set: run `clp ui password` on the machine that runs clp")
			return
		}
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	s.loginMu.Lock()
	ok := hash.Verify(req.Password)
	s.loginMu.Unlock()
	if !ok {
		writeError(w, http.StatusUnauthorized, "wrong password")
		return
	}
	now := s.opt.now()
	exp := now.Add(sessionTTL)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: s.sessions.create(now, exp), Path: "/", Expires: exp,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secureRequest(r),
	})
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.remove(c.Value)
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secureRequest(r),
	})
	w.WriteHeader(http.StatusNoContent)
}

// secureRequest reports whether the browser reached us over HTTPS, directly
// or through a proxy that says so; the cookie is then marked Secure.
func secureRequest(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// hostAllowed reports whether the Host header names this UI: a loopback
// name or address, the listen host, a configured name, or, when the UI
// listens beyond loopback, any IP address (a DNS-rebinding page cannot send
// an address as its Host, only its own name).
func (o Options) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if loopback(host) || (o.ListenHost != "" && strings.EqualFold(host, o.ListenHost)) {
		return true
	}
	for _, a := range o.AllowedHosts {
		if strings.EqualFold(host, strings.TrimSpace(a)) {
			return true
		}
	}
	return o.loginRequired() && net.ParseIP(host) != nil
}

// loopback reports whether host is localhost or a loopback address.
func loopback(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ReadToken returns the CLI token the running daemon wrote to
// runDir/ui_token, or "" when there is none.
func ReadToken(runDir string) string {
	b, err := os.ReadFile(filepath.Join(runDir, TokenFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
