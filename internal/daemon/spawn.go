package daemon

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
)

// Environment variables by which `clp start` hears back from the daemon it
// spawned: the daemon dials ReadyAddrEnv and writes the token and "ok" (or
// "error: why") once its listeners accept connections.
const (
	ReadyAddrEnv  = "CLP_READY_ADDR"
	ReadyTokenEnv = "CLP_READY_TOKEN"
)

// Spawn starts `exe serve` in the background, detached from the terminal,
// with its output appended to the daemon log, and waits until the daemon says
// it is ready or has failed — never a fixed sleep. It returns the daemon's
// error message when the start failed.
func Spawn(ctx context.Context, env api.Env, exe string) (pid int, err error) {
	if err := config.EnsureHome(env.Home); err != nil {
		return 0, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("listen for the daemon's ready signal: %w", err)
	}
	defer ln.Close()
	tok := make([]byte, 16)
	rand.Read(tok)
	token := hex.EncodeToString(tok)

	logf, err := openLog(LogPath(env))
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	cmd := exec.Command(exe, "serve")
	cmd.Env = append(os.Environ(), "CLP_HOME="+env.Home, ReadyAddrEnv+"="+ln.Addr().String(), ReadyTokenEnv+"="+token)
	cmd.Stdout, cmd.Stderr = logf, logf
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start the daemon: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	msgs := make(chan string, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.SetDeadline(time.Now().Add(5 * time.Second))
			b, _ := io.ReadAll(io.LimitReader(c, 64<<10))
			c.Close()
			if tokLine, rest, ok := strings.Cut(string(b), "\n"); ok && tokLine == token {
				msgs <- rest
				return
			}
		}
	}()
	select {
	case m := <-msgs:
		if m = strings.TrimSpace(m); m == "ok" {
			return cmd.Process.Pid, nil
		}
		<-exited
		return 0, errors.New(strings.TrimPrefix(m, "error: "))
	case err := <-exited:
		return 0, fmt.Errorf("the daemon exited during start (%v); its log %s ends with:\n%s", err, LogPath(env), tail(LogPath(env), 10))
	case <-ctx.Done():
		cmd.Process.Kill()
		return 0, fmt.Errorf("the daemon did not become ready: %w; see %s", ctx.Err(), LogPath(env))
	}
}

// SignalReady reports the outcome of a start to the `clp start` that spawned
// this process, if any (see Spawn).
func SignalReady(getenv func(string) string, startErr error) {
	addr, token := getenv(ReadyAddrEnv), getenv(ReadyTokenEnv)
	if addr == "" {
		return
	}
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return
	}
	defer c.Close()
	msg := "ok"
	if startErr != nil {
		msg = "error: " + startErr.Error()
	}
	fmt.Fprintf(c, "%s\n%s\n", token, msg)
}

// openLog opens the daemon log for appending, first moving a log over 10 MiB
// to clp.log.1 so it cannot grow without bound.
func openLog(path string) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > 10<<20 {
		os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open daemon log: %w", err)
	}
	return f, nil
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		lines = append(lines, "  "+sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
