package e2e

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func expect(t *testing.T, what, out string, code, wantCode int, wantIn ...string) {
	t.Helper()
	if code != wantCode {
		t.Errorf("%s: exit %d, want %d\n%s", what, code, wantCode, out)
	}
	for _, w := range wantIn {
		if !strings.Contains(out, w) {
			t.Errorf("%s: output lacks %q:\n%s", what, w, out)
		}
	}
}

func TestCLINotRunning(t *testing.T) {
	in := newInstance(t)
	out, code := in.clp("status")
	expect(t, "status", out, code, 3, "not running", "clp start")
	out, code = in.clp("stop")
	expect(t, "stop", out, code, 0, "not running")
	out, code = in.clp("bogus")
	expect(t, "unknown command", out, code, 1, "unknown command")
	out, code = in.clp("active", "claude")
	expect(t, "active without name", out, code, 2, "expected a service and a config name")
}

func TestCLILifecycle(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("prod", up.URL, "auth_token", "tok-prod-secret-1", true), entry("backup", up.URL, "api_key", "key-backup-secret", false)))
	in.writeFile("codex.json", configJSON(entry("main", up.URL+"/v1", "api_key", "sk-codex-secret-1", false)))

	out, code := in.clp("start")
	expect(t, "start", out, code, 0, "clp started", strconv.Itoa(in.claude), strconv.Itoa(in.codex), strconv.Itoa(in.ui))
	defer in.clp("stop")
	out, code = in.clp("start")
	expect(t, "second start", out, code, 0, "already running")

	out, code = in.clp("status")
	expect(t, "status", out, code, 0, "clp is running", "active: prod", "active: main", "127.0.0.1:"+strconv.Itoa(in.claude))
	if strings.Contains(out, "secret") {
		t.Errorf("status shows a credential:\n%s", out)
	}
	out, code = in.clp("status", "--json")
	var st struct {
		PID      int
		Services []struct{ Name, Active string }
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || code != 0 || len(st.Services) != 2 || st.PID == 0 {
		t.Errorf("status --json: %v exit %d\n%s", err, code, out)
	}
	out, code = in.clp("list", "claude")
	expect(t, "list", out, code, 0, "* prod", "  backup")
	if strings.Contains(out, "secret") {
		t.Errorf("list shows a credential:\n%s", out)
	}
	out, code = in.clp("list", "codex", "--json")
	var views []struct {
		Name   string
		APIKey string `json:"api_key"`
		Active bool
	}
	if err := json.Unmarshal([]byte(out), &views); err != nil || len(views) != 1 || !views[0].Active || strings.Contains(views[0].APIKey, "secret") {
		t.Errorf("list --json: %v\n%s", err, out)
	}
	out, code = in.clp("list", "gemini")
	expect(t, "list unknown service", out, code, 2, "claude, codex")

	out, code = in.clp("active", "claude", "nope")
	expect(t, "active unknown", out, code, 1, "backup, prod")
	out, code = in.clp("active", "claude", "backup")
	expect(t, "active", out, code, 0, "claude now uses backup")
	out, _ = in.clp("status")
	expect(t, "status after switch", out, 0, 0, "active: backup")

	out, code = in.clp("restart")
	expect(t, "restart", out, code, 0, "clp started")
	out, code = in.clp("status")
	expect(t, "status after restart", out, code, 0, "active: backup")

	out, code = in.clp("stop")
	expect(t, "stop", out, code, 0, "clp stopped")
	out, code = in.clp("status")
	expect(t, "status after stop", out, code, 3, "not running")
	if _, err := os.Stat(filepath.Join(in.home, "run", "clp.pid")); !os.IsNotExist(err) {
		t.Errorf("pid file left behind: %v", err)
	}
	// active works on the files when the daemon is stopped.
	out, code = in.clp("active", "claude", "prod")
	expect(t, "active offline", out, code, 0, "claude now uses prod")
	out, _ = in.clp("list", "claude")
	expect(t, "list after offline switch", out, 0, 0, "* prod")
}

func TestCLIStartFailures(t *testing.T) {
	t.Run("corrupt file", func(t *testing.T) {
		in := newInstance(t)
		in.writeFile("claude.json", "{\n  \"prod\": {\"base_url\": \"http://x\" \"auth_token\": \"t\"}\n}\n")
		out, code := in.clp("start")
		expect(t, "start", out, code, 1, filepath.Join(in.home, "claude.json")+":2:")
	})
	t.Run("taken port", func(t *testing.T) {
		in := newInstance(t)
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(in.codex))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		out, code := in.clp("start")
		expect(t, "start", out, code, 1, "port "+strconv.Itoa(in.codex), "CLP_CODEX_PORT")
		out, code = in.clp("status")
		expect(t, "status", out, code, 3)
	})
	t.Run("bad port variable", func(t *testing.T) {
		in := newInstance(t)
		in.env = append(in.env, "CLP_UI_PORT=lots")
		out, code := in.clp("start")
		expect(t, "start", out, code, 1, "CLP_UI_PORT")
	})
}

func TestCLIStalePidFile(t *testing.T) {
	// A pid file naming a dead process, then one naming a live process that
	// is not clp (the pid was reused): neither blocks a start.
	sleeper := exec.Command("sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer sleeper.Process.Kill()
	dead := exec.Command("true")
	dead.Run()
	for _, pid := range []int{dead.Process.Pid, sleeper.Process.Pid} {
		in := newInstance(t)
		in.writeFile("run/clp.pid", `{"pid":`+strconv.Itoa(pid)+`,"ui_addr":"127.0.0.1:`+strconv.Itoa(freePort(t))+`"}`)
		out, code := in.clp("start")
		expect(t, "start over stale pid "+strconv.Itoa(pid), out, code, 0, "clp started")
		out, code = in.clp("stop")
		expect(t, "stop", out, code, 0, "clp stopped")
	}
}

func TestServeForeground(t *testing.T) {
	in := newInstance(t)
	cmd := exec.Command(clpBin, "serve")
	cmd.Env = in.env
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	var log strings.Builder
	for !strings.Contains(log.String(), strconv.Itoa(in.ui)) {
		n, err := stderr.Read(buf)
		if err != nil {
			t.Fatalf("serve exited: %v\n%s", err, log.String())
		}
		log.Write(buf[:n])
	}
	out, code := in.clp("status")
	expect(t, "status of foreground daemon", out, code, 0, "clp is running")
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after SIGINT: %v", err)
	}
}
