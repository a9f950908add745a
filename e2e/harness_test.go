// Package e2e tests the real clp binary: it is built once, started with a
// temporary CLP_HOME on free ports, and driven by the official SDKs and by
// its own command line against fake upstreams on loopback.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var clpBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "clp-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	clpBin = filepath.Join(dir, "clp")
	build := exec.Command("go", "build", "-race", "-o", clpBin, "../cmd/clp")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build clp:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort returns a port that was free a moment ago and that nothing else
// will be handed: it comes from below the kernel's ephemeral range (Linux:
// 32768-60999, where ports for outgoing connections and ":0" listeners come
// from), so a connection made by another test between now and the daemon's
// bind cannot take it. Within this process a counter keeps ports unique;
// the start offset depends on the pid, so two test processes rarely probe
// the same ports, and a port another process holds is skipped.
func freePort(t testing.TB) int {
	t.Helper()
	for range 2000 {
		p := 20000 + int((portBase+nextPort.Add(1))%12000)
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err == nil {
			l.Close()
			return p
		}
	}
	t.Fatal("no free port in 20000-31999")
	return 0
}

var (
	nextPort atomic.Int64
	portBase = int64(os.Getpid()*7) % 12000
)

// instance is one CLP_HOME with its own ports; start runs the daemon.
type instance struct {
	t      testing.TB
	home   string
	env    []string
	claude int
	codex  int
	ui     int
}

func newInstance(t testing.TB) *instance {
	t.Helper()
	in := &instance{t: t, home: filepath.Join(t.TempDir(), "clp-home"), claude: freePort(t), codex: freePort(t), ui: freePort(t)}
	in.env = append(os.Environ(),
		"CLP_HOME="+in.home,
		"CLP_CLAUDE_PORT="+strconv.Itoa(in.claude),
		"CLP_CODEX_PORT="+strconv.Itoa(in.codex),
		"CLP_UI_PORT="+strconv.Itoa(in.ui),
	)
	return in
}

// writeFile writes a file under CLP_HOME.
func (in *instance) writeFile(rel, content string) {
	in.t.Helper()
	p := filepath.Join(in.home, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		in.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		in.t.Fatal(err)
	}
}

// clp runs the binary and returns its combined output and exit code.
func (in *instance) clp(args ...string) (string, int) {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, clpBin, args...)
	cmd.Env = in.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		in.t.Fatalf("run clp %v: %v", args, err)
	}
	return out.String(), code
}

// mustCLP runs the binary and fails the test unless it exits 0.
func (in *instance) mustCLP(args ...string) string {
	in.t.Helper()
	out, code := in.clp(args...)
	if code != 0 {
		in.t.Fatalf("clp %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// start starts the daemon and stops it when the test ends.
func (in *instance) start() {
	in.t.Helper()
	in.mustCLP("start")
	in.t.Cleanup(func() {
		if out, code := in.clp("stop"); code != 0 && !strings.Contains(out, "not running") {
			in.t.Errorf("clp stop: exit %d\n%s", code, out)
		}
		if log, err := os.ReadFile(filepath.Join(in.home, "run", "clp.log")); err == nil && bytes.Contains(log, []byte("DATA RACE")) {
			in.t.Errorf("the daemon hit a data race:\n%s", log)
		}
	})
}

func (in *instance) claudeURL() string { return "http://127.0.0.1:" + strconv.Itoa(in.claude) }
func (in *instance) codexURL() string  { return "http://127.0.0.1:" + strconv.Itoa(in.codex) }
func (in *instance) uiURL() string     { return "http://127.0.0.1:" + strconv.Itoa(in.ui) }

// seen is one request a fake upstream received.
type seen struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// upstream is a fake model API on loopback that records what it receives.
type upstream struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newUpstream(t testing.TB, h http.HandlerFunc) *upstream {
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		u.mu.Lock()
		u.reqs = append(u.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		u.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *upstream) requests() []seen {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]seen(nil), u.reqs...)
}

func (u *upstream) last(t testing.TB) seen {
	t.Helper()
	r := u.requests()
	if len(r) == 0 {
		t.Fatal("upstream received no request")
	}
	return r[len(r)-1]
}

// sseWriter writes events and flushes each at once.
func writeEvents(w http.ResponseWriter, events []string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(200)
	for _, e := range events {
		io.WriteString(w, e)
		w.(http.Flusher).Flush()
	}
}
