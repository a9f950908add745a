package daemon

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/protocol"
)

// RequireKeysEnv, set to "1", makes the proxies ask every peer for a client
// key, loopback peers included: for a CLP behind a reverse proxy on the same
// host (whose connections all come from loopback), and for tests.
const RequireKeysEnv = "CLP_REQUIRE_KEYS"

// ClientKey is one stored proxy client key. The key itself is never stored:
// only its SHA-256, which is enough for a key of 130 random bits.
type ClientKey struct {
	Name string `json:"name"`
	// SHA256 is the hex SHA-256 of the whole key.
	SHA256 string `json:"sha256"`
	// Hint is the key's first characters, to tell keys apart in a list.
	Hint    string    `json:"hint"`
	Created time.Time `json:"created"`
}

// keyFile is the shape of data/keys.json.
type keyFile struct {
	Keys []ClientKey `json:"keys"`
}

// ErrNoKey is returned by RevokeKey for a name that has no key.
var ErrNoKey = errors.New("no such client key")

// keyPrefix starts every key, so a key is recognisable in a settings file.
const keyPrefix = "clp-"

// validKeyName reports whether name is 1-64 ASCII letters, digits, '.', '_'
// or '-', starting with a letter or digit. (A hand-written check: a
// package-level regexp cost every clp command about 1 ms of start-up.)
func validKeyName(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// KeysPath is CLP_HOME/data/keys.json.
func KeysPath(env api.Env) string { return filepath.Join(env.DataDir(), "keys.json") }

// LoadKeys reads the keys file at path; a missing file holds no keys.
func LoadKeys(path string) ([]ClientKey, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read client keys: %w", err)
	}
	keys, err := parseKeys(data)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return keys, nil
}

// parseKeys parses the keys file; every key must have a whole hex SHA-256.
func parseKeys(data []byte) ([]ClientKey, error) {
	var f keyFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	for i, k := range f.Keys {
		if b, err := hex.DecodeString(k.SHA256); err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("key %d (%q) has no valid sha256", i, k.Name)
		}
	}
	return f.Keys, nil
}

// CreateKey makes a new random key named name, stores its hash in the keys
// file at path (atomically, 0600) and returns the key: the only time it is
// ever shown. Names are unique.
func CreateKey(path, name string, now time.Time) (key string, err error) {
	if !validKeyName(name) {
		return "", fmt.Errorf("key name %q: use 1-64 letters, digits, '.', '_' or '-'", name)
	}
	err = config.Locked(path, func() error {
		keys, err := LoadKeys(path)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if k.Name == name {
				return fmt.Errorf("a client key named %q exists: revoke it first or choose another name", name)
			}
		}
		key = keyPrefix + rand.Text()
		keys = append(keys, ClientKey{Name: name, SHA256: hashKey(key), Hint: key[:len(keyPrefix)+4], Created: now.UTC()})
		return saveKeys(path, keys)
	})
	if err != nil {
		return "", err
	}
	return key, nil
}

// RevokeKey removes the key named name from the keys file at path. The
// daemon refuses it from the next request on.
func RevokeKey(path, name string) error {
	return config.Locked(path, func() error {
		keys, err := LoadKeys(path)
		if err != nil {
			return err
		}
		kept := keys[:0]
		for _, k := range keys {
			if k.Name != name {
				kept = append(kept, k)
			}
		}
		if len(kept) == len(keys) {
			return fmt.Errorf("%w named %q", ErrNoKey, name)
		}
		return saveKeys(path, kept)
	})
}

func saveKeys(path string, keys []ClientKey) error {
	if keys == nil {
		keys = []ClientKey{}
	}
	data, err := json.MarshalIndent(keyFile{Keys: keys}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	return config.WriteFile(path, append(data, '\n'), 0o600)
}

func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// IsLoopbackHost reports whether a listen host (CLP_PROXY_HOST) is reachable
// from this machine only: "localhost" or a loopback IP. An empty host or an
// unspecified address (0.0.0.0, ::) listens everywhere.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.Unmap().IsLoopback()
}

// isLoopbackPeer reports whether a request's RemoteAddr is a loopback address.
func isLoopbackPeer(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// keyGuard lets a proxy request through only with a valid client key
// (x-api-key or Authorization: Bearer), except from loopback peers unless
// all is set. It removes the key before the proxy sees the request (the
// proxy sets the upstream's credential anyway). Refusals get the protocol's
// 401 error shape and are logged, never with the key.
//
// The keys file is re-read when it changes (checked by stat on each request
// that needs a key), so `clp key create` and `clp key revoke` apply to the
// very next request without a reload.
type keyGuard struct {
	next    http.Handler
	proto   protocol.Protocol
	service string
	path    string
	all     bool
	log     *slog.Logger
	now     func() time.Time
	refused func(reason string) // counts a refusal; may be nil

	keys atomic.Pointer[keySet]

	mu         sync.Mutex // guards loading and logging
	lastLog    time.Time
	suppressed int
}

// keySet is one loaded version of the keys file.
type keySet struct {
	info   fs.FileInfo // nil when the file did not exist
	hashes [][sha256.Size]byte
	err    error
}

func (s *keySet) current(info fs.FileInfo) bool {
	if s.info == nil || info == nil {
		return s.info == nil && info == nil
	}
	return os.SameFile(s.info, info) && s.info.ModTime().Equal(info.ModTime()) && s.info.Size() == info.Size()
}

// guardKeys wraps next in a keyGuard when keys are needed: the proxy listens
// beyond loopback, or all peers must present keys. refused, when not nil,
// counts each refusal by reason.
func guardKeys(next http.Handler, proto protocol.Protocol, service, path string, beyondLoopback, all bool, log *slog.Logger, refused func(reason string)) http.Handler {
	if !beyondLoopback && !all {
		return next
	}
	log.Info("client keys required", "service", service, "from_loopback_peers_too", all, "keys", path)
	return &keyGuard{next: next, proto: proto, service: service, path: path, all: all, log: log, now: time.Now, refused: refused}
}

func (g *keyGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.all && isLoopbackPeer(r.RemoteAddr) {
		g.next.ServeHTTP(w, r)
		return
	}
	set := g.load()
	ok := false
	presented := false
	for _, k := range []string{r.Header.Get("X-Api-Key"), bearerToken(r.Header.Get("Authorization"))} {
		if k == "" {
			continue
		}
		presented = true
		if set.match(k) {
			ok = true
		}
	}
	if !ok {
		g.refuse(w, r, set, presented)
		return
	}
	r.Header.Del("X-Api-Key")
	r.Header.Del("Authorization")
	g.next.ServeHTTP(w, r)
}

// load returns the keys, re-reading the file when it changed.
func (g *keyGuard) load() *keySet {
	info, err := os.Stat(g.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &keySet{err: fmt.Errorf("read client keys: %w", err)}
	}
	if set := g.keys.Load(); set != nil && set.current(info) {
		return set
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if set := g.keys.Load(); set != nil && set.current(info) {
		return set
	}
	set := &keySet{info: info}
	keys, err := LoadKeys(g.path)
	if err != nil {
		set.err = err
		g.log.Error("client keys unreadable; refusing every request that needs a key", "service", g.service, "err", err)
	}
	for _, k := range keys {
		var h [sha256.Size]byte
		hex.Decode(h[:], []byte(k.SHA256))
		set.hashes = append(set.hashes, h)
	}
	g.keys.Store(set)
	return set
}

// match compares key's hash with every stored hash in constant time.
func (s *keySet) match(key string) bool {
	sum := sha256.Sum256([]byte(key))
	found := 0
	for i := range s.hashes {
		found |= subtle.ConstantTimeCompare(sum[:], s.hashes[i][:])
	}
	return found == 1
}

func (g *keyGuard) refuse(w http.ResponseWriter, r *http.Request, set *keySet, presented bool) {
	msg, reason := "clp: this proxy needs a CLP client key: create one on the CLP host with `clp key create NAME` and send it as x-api-key or Authorization: Bearer", "missing"
	switch {
	case set.err != nil:
		msg, reason = "clp: the client keys file on the CLP host does not parse; fix or remove "+filepath.Base(g.path), "keys_unreadable"
	case presented:
		msg, reason = "clp: the client key is not valid (mistyped or revoked); create one on the CLP host with `clp key create NAME`", "invalid"
	}
	if g.refused != nil {
		g.refused(reason)
	}
	g.logRefusal(r, reason)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Clp-Error", "1")
	w.WriteHeader(http.StatusUnauthorized)
	w.Write(g.proto.ErrorBody(http.StatusUnauthorized, "", msg))
}

// logRefusal logs at most one refusal a second, counting the rest, so a
// hostile peer cannot flood the daemon log.
func (g *keyGuard) logRefusal(r *http.Request, reason string) {
	g.mu.Lock()
	now := g.now()
	if now.Sub(g.lastLog) < time.Second {
		g.suppressed++
		g.mu.Unlock()
		return
	}
	g.lastLog = now
	n := g.suppressed
	g.suppressed = 0
	g.mu.Unlock()
	g.log.Warn("refused a proxy request without a valid client key", "service", g.service,
		"peer", r.RemoteAddr, "reason", reason, "method", r.Method, "path", r.URL.Path, "refusals_not_logged", n)
}

func bearerToken(v string) string {
	if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
		return strings.TrimSpace(v[7:])
	}
	return ""
}
