package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// daemonPID reads the running daemon's pid from its pid file.
func (in *instance) daemonPID(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(in.home, "run", "clp.pid"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ PID int }
	if err := json.Unmarshal(data, &p); err != nil || p.PID == 0 {
		t.Fatalf("pid file %s: %v", data, err)
	}
	return p.PID
}

// procFDs counts a process's open file descriptors.
func procFDs(t *testing.T, pid int) int {
	t.Helper()
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatalf("count fds of %d: %v", pid, err)
	}
	return len(ents)
}

// TestUpstreamHugeHeadersRefused: an upstream answering with more than 1 MiB
// of headers is refused cleanly with a protocol-shaped 502, and the daemon
// keeps serving.
func TestUpstreamHugeHeadersRefused(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test-Big") != "" {
			w.Header().Set("X-Big", strings.Repeat("a", 1100<<10))
		}
		writeEvents(w, anthropicEvents("m", "ok"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("big", up.URL, "auth_token", "tok-big-000001", true)))
	in.start()
	code, body := post(t, in.claudeURL()+"/v1/messages", `{"model":"m","stream":true}`, map[string]string{"X-Test-Big": "1"})
	var e struct {
		Type  string
		Error struct{ Type, Message string }
	}
	if json.Unmarshal([]byte(body), &e); code != 502 || e.Type != "error" || !strings.Contains(e.Error.Message, `"big"`) || !strings.Contains(e.Error.Message, "headers exceeded") {
		t.Errorf("huge upstream headers: %d %.300s; want a 502 error naming the config and the headers", code, body)
	}
	if code, body := post(t, in.claudeURL()+"/v1/messages", `{"model":"m","stream":true}`, nil); code != 200 || !strings.Contains(body, "message_stop") {
		t.Errorf("next request: %d %.300s", code, body)
	}
}

// TestTLSFailureNamesTheConfig: an upstream with a certificate CLP does not
// trust gets a 502 that names the config and the certificate problem.
func TestTLSFailureNamesTheConfig(t *testing.T) {
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "ok"))
	}))
	up.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake errors are expected
	up.StartTLS()
	t.Cleanup(up.Close)
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("tls-relay", up.URL, "auth_token", "tok-tls-000001", true)))
	in.start()
	code, body := post(t, in.claudeURL()+"/v1/messages", `{"model":"m"}`, nil)
	if code != 502 || !strings.Contains(body, `\"tls-relay\"`) || !strings.Contains(body, "certificate") {
		t.Errorf("untrusted certificate: %d %s; want 502 naming tls-relay and the certificate", code, body)
	}
}

// TestClientsGoneLeaveNoFDs: streams whose clients leave mid-way leave the
// daemon with no more open files than before.
func TestClientsGoneLeaveNoFDs(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		evs := anthropicEvents("m", "x")
		if r.Header.Get("X-Test-Hang") == "" {
			writeEvents(w, evs)
			return
		}
		writeEvents(w, evs[:1])
		<-r.Context().Done()
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("c", up.URL, "auth_token", "tok-fd-000001", true)))
	in.start()
	pid := in.daemonPID(t)
	// Warm up: the request log and the upstream pool open what they keep.
	post(t, in.claudeURL()+"/v1/messages", `{"model":"m","stream":true}`, nil)
	http.DefaultClient.CloseIdleConnections()
	time.Sleep(300 * time.Millisecond)
	before := procFDs(t, pid)

	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "POST", in.claudeURL()+"/v1/messages", strings.NewReader(`{"model":"m","stream":true}`))
		req.Header.Set("X-Test-Hang", "1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		bufio.NewReader(resp.Body).ReadString('\n')
		cancel()
		resp.Body.Close()
	}
	var after int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if after = procFDs(t, pid); after <= before {
			return
		}
	}
	t.Errorf("daemon fds: %d before 20 abandoned streams, %d after", before, after)
}

// TestHostileClientsDoNotStopOthers: slow headers, slow bodies, garbage and
// oversize headers on the proxy and UI ports; everyone else is still served
// at once, and the slow-header connections are closed by the read-header
// timeout (10 s).
func TestHostileClientsDoNotStopOthers(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "ok"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("c", up.URL, "auth_token", "tok-host-000001", true)))
	in.writeFile("codex.json", configJSON(entry("x", up.URL, "api_key", "tok-host-000002", true)))
	in.writeFile("data/system.json", `{"logLimit": 50, "maxBodyMB": 1}`)
	in.start()

	// An oversize body gets the protocol's 413, chunked or not.
	big := `{"model":"m","input":"` + strings.Repeat("x", 2<<20) + `"}`
	code, body := post(t, in.codexURL()+"/v1/responses", big, nil)
	var oe struct {
		Error struct{ Type, Code, Message string }
	}
	if json.Unmarshal([]byte(body), &oe); code != 413 || oe.Error.Code == "" || !strings.Contains(oe.Error.Message, "maxBodyMB") {
		t.Errorf("2 MiB body with a 1 MiB limit: %d %.200s; want an OpenAI-shaped 413 naming maxBodyMB", code, body)
	}
	req, _ := http.NewRequest("POST", in.claudeURL()+"/v1/messages", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1 // chunked: the limit must hold without a Content-Length
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Errorf("chunked oversize body: %v", err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 413 || !strings.Contains(string(b), `"type":"error"`) {
			t.Errorf("chunked 2 MiB body: %d %.200s; want an Anthropic-shaped 413", resp.StatusCode, b)
		}
	}
	if n := len(up.requests()); n != 0 {
		t.Errorf("oversize bodies reached the upstream %d times", n)
	}

	addrs := []string{fmt.Sprintf("127.0.0.1:%d", in.claude), fmt.Sprintf("127.0.0.1:%d", in.ui)}
	var slowHeaders []net.Conn
	var held []net.Conn
	t.Cleanup(func() {
		for _, c := range append(slowHeaders, held...) {
			c.Close()
		}
	})
	dial := func(addr, send string) net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if send != "" {
			if _, err := io.WriteString(c, send); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	opened := time.Now()
	for _, addr := range addrs {
		for range 100 {
			slowHeaders = append(slowHeaders, dial(addr, "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"))
		}
		for range 50 {
			held = append(held, dial(addr, "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"model\":"))
		}
	}

	// Garbage and oversize headers get an HTTP error or a closed connection.
	for _, addr := range addrs {
		for i := range 10 {
			junk := make([]byte, 4096)
			rand.Read(junk)
			if i%2 == 1 {
				junk = append([]byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: "), junk...)
			}
			c := dial(addr, "")
			c.Write(junk)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			got, err := io.ReadAll(c)
			c.Close()
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Errorf("%s: garbage got no answer within 5 s (read %q)", addr, got)
			} else if len(got) > 0 && !bytes.HasPrefix(got, []byte("HTTP/1.1 400")) {
				t.Errorf("%s: garbage answered %.80q, want 400 or a closed connection", addr, got)
			}
		}
		c := dial(addr, "")
		go io.WriteString(c, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "+strings.Repeat("b", 2<<20)+"\r\n\r\n") // cut short by the 431
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if !strings.HasPrefix(line, "HTTP/1.1 431") {
			t.Errorf("%s: 2 MiB of headers answered %q, want 431", addr, line)
		}
	}

	// Everyone else is served at once.
	t0 := time.Now()
	if code, body := post(t, in.claudeURL()+"/v1/messages", `{"model":"m","stream":true}`, nil); code != 200 || !strings.Contains(body, "message_stop") {
		t.Errorf("a normal stream among hostile clients: %d %.200s", code, body)
	}
	resp, err := http.Get(in.uiURL() + "/")
	if err != nil {
		t.Errorf("UI among hostile clients: %v", err)
	} else {
		resp.Body.Close()
	}
	if d := time.Since(t0); d > 3*time.Second {
		t.Errorf("normal requests took %v among hostile clients", d)
	}

	// The slow-header connections are cut by the read-header timeout.
	var wg sync.WaitGroup
	var mu sync.Mutex
	open := 0
	for _, c := range slowHeaders {
		wg.Go(func() {
			c.SetReadDeadline(opened.Add(15 * time.Second))
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				mu.Lock()
				open++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if open > 0 {
		t.Errorf("%d of %d slow-header connections still open after 15 s", open, len(slowHeaders))
	}
	if d := time.Since(opened); d < 9*time.Second {
		t.Errorf("slow-header connections were closed after %v, before the 10 s read-header timeout", d)
	}
}

// idleConns is how many idle connections TestManyIdleConnections holds:
// 2 000, fewer if the fd limit is low. (The issue asks for 10 000; the e2e
// daemon is built with -race, whose limit of 8 128 live goroutines a
// connection each would exceed, so this test holds 2 000.)
func idleConns(t *testing.T) int {
	var lim syscall.Rlimit
	n := 2000
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && int(lim.Cur)-500 < n {
		n = int(lim.Cur) - 500
	}
	if n < 100 {
		t.Fatalf("fd limit %d is too low for this test", lim.Cur)
	}
	return n
}

// TestManyIdleConnections: thousands of idle connections on the proxy port
// do not stop a request from being served.
func TestManyIdleConnections(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "ok"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("c", up.URL, "auth_token", "tok-idle-000001", true)))
	in.start()
	n := idleConns(t)
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", in.claude)
	for range n {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("dial idle connection %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	// Wait until the daemon has accepted them all: a backlog still full of
	// unaccepted connections drops a new SYN, which the kernel resends only
	// after a second.
	pid := in.daemonPID(t)
	for deadline := time.Now().Add(20 * time.Second); procFDs(t, pid) < n && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if got := procFDs(t, pid); got < n {
		t.Fatalf("daemon has %d fds, fewer than the %d idle connections", got, n)
	}
	t0 := time.Now()
	if code, body := post(t, in.claudeURL()+"/v1/messages", `{"model":"m","stream":true}`, nil); code != 200 || !strings.Contains(body, "message_stop") {
		t.Errorf("request among %d idle connections: %d %.200s", n, code, body)
	}
	// A hang detector, not a speed target: the request must not wait on
	// the idle connections (a limit on open files, a scan of them).
	if d := time.Since(t0); d > 10*time.Second {
		t.Errorf("request among %d idle connections took %v", n, d)
	}
	t.Logf("%d idle connections held; a stream took %v", n, time.Since(t0))
}

// TestStreamIdleLimit: with streamIdleSeconds set, a stream whose upstream
// goes quiet is ended with the protocol's error event naming the setting,
// and the upstream request is cancelled.
func TestStreamIdleLimit(t *testing.T) {
	upstreamGone := make(chan struct{})
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "x")[:1])
		select {
		case <-r.Context().Done():
			close(upstreamGone)
		case <-time.After(20 * time.Second):
		}
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("quiet", up.URL, "auth_token", "tok-idle-000002", true)))
	in.writeFile("data/system.json", `{"logLimit": 50, "streamIdleSeconds": 1}`)
	in.start()
	t0 := time.Now()
	code, body := post(t, in.claudeURL()+"/v1/messages", `{"model":"m","stream":true}`, nil)
	el := time.Since(t0)
	if code != 200 || !strings.HasPrefix(body, "event: message_start") || !strings.Contains(body, "\n\nevent: error\ndata: ") || !strings.Contains(body, "streamIdleSeconds") {
		t.Errorf("quiet stream: %d %q; want the first event, then an error event naming streamIdleSeconds", code, body)
	}
	if el < time.Second || el > 5*time.Second {
		t.Errorf("quiet stream ended after %v, want about 1 s", el)
	}
	select {
	case <-upstreamGone:
	case <-time.After(3 * time.Second):
		t.Error("the upstream request was not cancelled")
	}
}
