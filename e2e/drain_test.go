package e2e

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/store"
)

// heldStreams opens n streams through CLP to an upstream that sends the
// first event and then waits for release; it returns when every client has
// its first event. Each stream's whole body (or error) arrives on results.
func heldStreams(t *testing.T, in *instance, n int, release <-chan struct{}) (results chan string) {
	t.Helper()
	results = make(chan string, n)
	started := make(chan struct{}, n)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
	for range n {
		go func() {
			resp, err := client.Post(in.claudeURL()+"/v1/messages", "application/json", strings.NewReader(`{"model":"m","stream":true}`))
			if err != nil {
				started <- struct{}{}
				results <- "request error: " + err.Error()
				return
			}
			defer resp.Body.Close()
			br := bufio.NewReader(resp.Body)
			first, _ := br.ReadString('\n')
			started <- struct{}{}
			rest, err := io.ReadAll(br)
			if err != nil {
				rest = append(rest, "\nread error: "+err.Error()...)
			}
			results <- first + string(rest)
		}()
	}
	for range n {
		select {
		case <-started:
		case <-time.After(30 * time.Second):
			t.Fatal("streams did not start within 30 s")
		}
	}
	return results
}

// holdingUpstream streams message_start, waits for release, then the rest.
func holdingUpstream(t *testing.T, release <-chan struct{}) *upstream {
	return newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		evs := anthropicEvents("m", "held ", "stream")
		writeEvents(w, evs[:1])
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		for _, e := range evs[1:] {
			io.WriteString(w, e)
			w.(http.Flusher).Flush()
		}
	})
}

// refusedSoon reports whether a new connection to addr is refused within
// 10 s (the daemon stopped accepting).
func refusedSoon(addr string) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return errors.Is(err, syscall.ECONNREFUSED)
		}
		c.Close()
	}
	return false
}

// runAside runs clp with args in the background; its output and exit code
// arrive on the returned channel.
func (in *instance) runAside(args ...string) <-chan string {
	done := make(chan string, 1)
	go func() {
		cmd := exec.Command(clpBin, args...)
		cmd.Env = in.env
		out, err := cmd.CombinedOutput()
		done <- fmt.Sprintf("exit %v: %s", err, out)
	}()
	return done
}

// checkDrained waits for the held streams after release: every one must end
// with message_stop and no error.
func checkDrained(t *testing.T, results chan string, n int) {
	t.Helper()
	for i := range n {
		select {
		case body := <-results:
			if !strings.Contains(body, "event: message_stop") || strings.Contains(body, "error") {
				t.Errorf("stream %d did not finish cleanly during the drain: %.300s", i, body)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("stream %d did not finish within 30 s", i)
		}
	}
}

const drainStreams = 50

// TestStopDrainsOpenStreams: `clp stop` with 50 streams open refuses new
// connections at once, lets every stream finish, and loses no record.
func TestStopDrainsOpenStreams(t *testing.T) {
	release := make(chan struct{})
	up := holdingUpstream(t, release)
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("c", up.URL, "auth_token", "tok-drain-000001", true)))
	in.start()
	results := heldStreams(t, in, drainStreams, release)

	stopped := in.runAside("stop")
	if !refusedSoon(fmt.Sprintf("127.0.0.1:%d", in.claude)) {
		t.Error("the proxy port still accepts connections while draining")
	}
	select {
	case out := <-stopped:
		t.Fatalf("clp stop returned before the streams finished: %s", out)
	default:
	}
	close(release)
	checkDrained(t, results, drainStreams)
	select {
	case out := <-stopped:
		if !strings.HasPrefix(out, "exit <nil>") {
			t.Fatalf("clp stop: %s", out)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("clp stop did not return within 30 s of the streams ending")
	}

	db, err := store.Open(filepath.Join(in.home, "data", "clp.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.List(context.Background(), store.Query{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	complete := 0
	for _, r := range recs {
		if r.Status == 200 && !r.Incomplete && r.Error == "" {
			complete++
		}
	}
	if complete != drainStreams {
		t.Errorf("request log holds %d complete records of %d (of %d streams)", complete, len(recs), drainStreams)
	}
}

// TestRestartDrainsOpenStreams: `clp restart` with 50 streams open lets them
// finish (no new connection accepted meanwhile), then serves again with every
// record kept.
func TestRestartDrainsOpenStreams(t *testing.T) {
	release := make(chan struct{})
	up := holdingUpstream(t, release)
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("c", up.URL, "auth_token", "tok-drain-000002", true)))
	in.start()
	oldPID := in.daemonPID(t)
	results := heldStreams(t, in, drainStreams, release)

	restarted := in.runAside("restart")
	if !refusedSoon(fmt.Sprintf("127.0.0.1:%d", in.claude)) {
		t.Error("the proxy port still accepts connections while draining")
	}
	close(release)
	checkDrained(t, results, drainStreams)
	select {
	case out := <-restarted:
		if !strings.HasPrefix(out, "exit <nil>") {
			t.Fatalf("clp restart: %s", out)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("clp restart did not return within 60 s")
	}
	if pid := in.daemonPID(t); pid == oldPID {
		t.Errorf("daemon pid %d unchanged by restart", pid)
	}
	if code, body := post(t, in.claudeURL()+"/v1/messages", `{"model":"m","stream":true}`, nil); code != 200 || !strings.Contains(body, "message_stop") {
		t.Errorf("after restart: %d %.200s", code, body)
	}
	lines := in.logs(t, drainStreams+1)
	ok := 0
	for _, l := range lines {
		if l.Status == 200 {
			ok++
		}
	}
	if ok != drainStreams+1 {
		t.Errorf("clp logs shows %d records with status 200, want %d", ok, drainStreams+1)
	}
}

// TestStopAtDrainLimitKeepsRecords: streams still open when the drain limit
// (drainSeconds) passes are cut, `clp stop` returns soon after the limit, and
// each cut stream still has its record, marked as failed.
func TestStopAtDrainLimitKeepsRecords(t *testing.T) {
	release := make(chan struct{}) // never closed: the streams outlast the limit
	up := holdingUpstream(t, release)
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("c", up.URL, "auth_token", "tok-drain-000003", true)))
	in.writeFile("data/system.json", `{"logLimit": 50, "drainSeconds": 1}`)
	in.start()
	const n = 5
	results := heldStreams(t, in, n, release)
	t0 := time.Now()
	if out, code := in.clp("stop"); code != 0 {
		t.Fatalf("clp stop: exit %d\n%s", code, out)
	}
	if el := time.Since(t0); el < time.Second || el > 10*time.Second {
		t.Errorf("clp stop took %v with a 1 s drain limit", el)
	}
	for i := range n {
		select {
		case body := <-results:
			if strings.Contains(body, "message_stop") {
				t.Errorf("stream %d finished although the upstream never did: %.200s", i, body)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("stream %d still open 10 s after the daemon stopped", i)
		}
	}
	db, err := store.Open(filepath.Join(in.home, "data", "clp.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := db.List(context.Background(), store.Query{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	cut := 0
	for _, r := range recs {
		if r.Error != "" || r.Incomplete {
			cut++
		}
	}
	if len(recs) != n || cut != n {
		t.Errorf("request log: %d records, %d of them marked cut; want %d and %d", len(recs), cut, n, n)
	}
}
