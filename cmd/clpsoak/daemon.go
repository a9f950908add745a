package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// daemon is the clp under soak, run in the foreground (`clp serve`) so its
// pid is ours to sample.
type daemon struct {
	cmd       *exec.Cmd
	pid       int
	home      string
	keep      bool
	claudeURL string
	uiURL     string
	exited    chan error
	http      *http.Client
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startDaemon writes a CLP_HOME with a failing config ahead of a good one in
// a weight-based pool, runs `clp serve` on free ports and waits until its
// API answers.
func startDaemon(ctx context.Context, o options, u *upstreams) (*daemon, error) {
	home, err := os.MkdirTemp("", "clpsoak-")
	if err != nil {
		return nil, err
	}
	d := &daemon{home: home, keep: o.Keep, exited: make(chan error, 1), http: &http.Client{Timeout: 5 * time.Second}}
	fail := func(err error) (*daemon, error) {
		d.cleanup()
		return nil, err
	}
	files := map[string]string{
		"claude.json": fmt.Sprintf(`{"failing": {"base_url": %q, "auth_token": "soak-failing-token", "weight": 100},
 "good": {"base_url": %q, "auth_token": "soak-good-token", "weight": 10, "active": true}}`, u.failingURL, u.goodURL),
		"codex.json": "{}",
		// The failing config is excluded after 3 failures in a row and let
		// back every 30 s, so the soak fails over again and again.
		"data/lb_config.json": `{"mode": "weight-based", "services": {"claude": {"failureThreshold": 3, "autoResetMinutes": 0.5}}}`,
	}
	for rel, content := range files {
		p := filepath.Join(home, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return fail(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			return fail(err)
		}
	}
	var ports [3]int
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return fail(err)
		}
	}
	d.claudeURL = fmt.Sprintf("http://127.0.0.1:%d/v1/messages", ports[0])
	d.uiURL = fmt.Sprintf("http://127.0.0.1:%d", ports[2])
	if err := os.MkdirAll(filepath.Join(home, "run"), 0o700); err != nil {
		return fail(err)
	}
	logf, err := os.Create(filepath.Join(home, "run", "soak-daemon.log"))
	if err != nil {
		return fail(err)
	}
	d.cmd = exec.Command(o.CLP, "serve")
	d.cmd.Env = append(os.Environ(), "CLP_HOME="+home,
		"CLP_CLAUDE_PORT="+strconv.Itoa(ports[0]), "CLP_CODEX_PORT="+strconv.Itoa(ports[1]), "CLP_UI_PORT="+strconv.Itoa(ports[2]))
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	if err := d.cmd.Start(); err != nil {
		logf.Close()
		return fail(fmt.Errorf("start %s serve: %w", o.CLP, err))
	}
	logf.Close()
	d.pid = d.cmd.Process.Pid
	go func() { d.exited <- d.cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := d.http.Get(d.uiURL + "/api/v1/status")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return d, nil
			}
		}
		select {
		case err := <-d.exited:
			d.exited <- err
			return fail(fmt.Errorf("clp serve exited at start (%v); see %s", err, filepath.Join(home, "run", "soak-daemon.log")))
		case <-ctx.Done():
			d.stop(io.Discard)
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			d.stop(io.Discard)
			return nil, fmt.Errorf("clp serve did not answer within 30 s")
		}
	}
}

// stop ends the daemon gracefully (SIGTERM: it drains), then removes the
// temporary CLP_HOME unless asked to keep it.
func (d *daemon) stop(w io.Writer) {
	if d.cmd != nil && d.cmd.Process != nil {
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.exited:
		case <-time.After(60 * time.Second):
			fmt.Fprintln(w, "clpsoak: clp did not stop within 60 s of SIGTERM; killing it")
			d.cmd.Process.Kill()
			<-d.exited
		}
	}
	if d.keep {
		fmt.Fprintln(w, "clpsoak: kept CLP_HOME", d.home)
		return
	}
	d.cleanup()
}

func (d *daemon) cleanup() {
	if !d.keep {
		os.RemoveAll(d.home)
	}
}
