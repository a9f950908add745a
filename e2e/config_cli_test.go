package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clpIn runs the binary with stdin and returns its combined output and exit code.
func (in *instance) clpIn(stdin string, args ...string) (string, int) {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, clpBin, args...)
	cmd.Env = in.env
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), ee.ExitCode()
	} else if err != nil {
		in.t.Fatalf("run clp %v: %v", args, err)
	}
	return out.String(), 0
}

type listed struct {
	Name      string  `json:"name"`
	BaseURL   string  `json:"base_url"`
	AuthToken string  `json:"auth_token"`
	APIKey    string  `json:"api_key"`
	Weight    float64 `json:"weight"`
	Active    bool    `json:"active"`
	Disabled  bool    `json:"disabled"`
}

func (in *instance) list(t *testing.T, service string) []listed {
	t.Helper()
	var got []listed
	out := in.mustCLP("list", service, "--json")
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	return got
}

func TestConfigCommands(t *testing.T) {
	in := newInstance(t)
	const secret = "sk-ant-api03-secret-value-1234"

	out, code := in.clpIn(secret+"\n", "config", "add", "claude", "prod", "--base-url", "https://api.example.com", "--api-key-stdin", "--weight", "10")
	expect(t, "add", out, code, 0, "added claude config prod", "next: clp active claude prod")
	out, code = in.clpIn("tok-relay-123456789", "config", "add", "claude", "relay", "--base-url", "https://relay.example/api", "--auth-token-stdin")
	expect(t, "add second", out, code, 0, "next: clp active claude relay")

	path := filepath.Join(in.home, "claude.json")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("claude.json: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
	var file map[string]map[string]any
	if err := json.Unmarshal([]byte(readFile(t, path)), &file); err != nil {
		t.Fatal(err)
	}
	if got := file["prod"]["api_key"]; got != secret {
		t.Errorf("prod api_key = %v, want the piped key without its newline", got)
	}
	if got := file["relay"]["auth_token"]; got != "tok-relay-123456789" {
		t.Errorf("relay auth_token = %v", got)
	}

	in.mustCLP("config", "edit", "claude", "relay", "--weight", "2.5", "--base-url", "https://relay2.example")
	in.mustCLP("config", "rename", "claude", "prod", "official")
	in.mustCLP("active", "claude", "official")
	in.mustCLP("config", "disable", "claude", "relay")
	got := in.list(t, "claude")
	want := []listed{
		{Name: "official", BaseURL: "https://api.example.com", APIKey: "sk-a…1234", Weight: 10, Active: true},
		{Name: "relay", BaseURL: "https://relay2.example", AuthToken: "tok-…6789", Weight: 2.5, Disabled: true},
	}
	if len(got) != len(want) {
		t.Fatalf("list = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("config %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// A rename carries the active flag.
	in.mustCLP("config", "rename", "claude", "official", "prod")
	if got := in.list(t, "claude"); !got[0].Active || got[0].Name != "prod" {
		t.Errorf("after rename: %+v, want prod active", got[0])
	}
	in.mustCLP("config", "enable", "claude", "relay")
	if got := in.list(t, "claude"); got[1].Disabled {
		t.Errorf("relay still disabled after enable")
	}
	out, code = in.clp("config", "rm", "claude", "prod")
	expect(t, "rm active", out, code, 0, "removed claude config prod", "claude uses relay")
	if got := in.list(t, "claude"); len(got) != 1 || got[0].Name != "relay" {
		t.Errorf("after rm: %+v", got)
	}
	if strings.Contains(out, secret) {
		t.Errorf("output shows the credential:\n%s", out)
	}
}

func TestConfigErrors(t *testing.T) {
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("prod", "https://api.example.com", "api_key", "k-123", true)))
	before := readFile(t, filepath.Join(in.home, "claude.json"))
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		wantIn   string
	}{
		{"unknown service", "k", []string{"config", "add", "gemini", "x", "--base-url", "https://x.example", "--api-key-stdin"}, 2, "claude, codex"},
		{"missing base url", "k", []string{"config", "add", "claude", "x", "--api-key-stdin"}, 2, "missing --base-url"},
		{"duplicate name", "k", []string{"config", "add", "claude", "prod", "--base-url", "https://x.example", "--api-key-stdin"}, 1, "already exists"},
		{"bad base url", "k", []string{"config", "add", "claude", "x", "--base-url", "x.example", "--api-key-stdin"}, 1, "not an http(s) URL"},
		{"no credential and no terminal", "", []string{"config", "add", "claude", "x", "--base-url", "https://x.example"}, 2, "--api-key-stdin"},
		{"empty credential", "\n", []string{"config", "add", "claude", "x", "--base-url", "https://x.example", "--auth-token-stdin"}, 2, "is empty"},
		{"two credential flags", "k", []string{"config", "add", "claude", "x", "--base-url", "https://x.example", "--auth-token-stdin", "--api-key-stdin"}, 2, "one of"},
		{"credential as argument", "", []string{"config", "add", "claude", "x", "--base-url", "https://x.example", "--api-key", "k"}, 2, "unknown flag"},
		{"edit nothing", "", []string{"config", "edit", "claude", "prod"}, 2, "nothing to change"},
		{"edit unknown", "", []string{"config", "edit", "claude", "nope", "--weight", "1"}, 1, "known configs are prod"},
		{"edit negative weight", "", []string{"config", "edit", "claude", "prod", "--weight", "-1"}, 1, "weight"},
		{"rm unknown", "", []string{"config", "rm", "claude", "nope"}, 1, "unknown config"},
		{"rename onto itself taken", "", []string{"config", "rename", "claude", "nope", "x"}, 1, "unknown config"},
		{"rename missing argument", "", []string{"config", "rename", "claude", "prod"}, 2, "the old and the new name"},
		{"disable unknown", "", []string{"config", "disable", "codex", "nope"}, 1, "no configs yet"},
	}
	for _, tt := range tests {
		out, code := in.clpIn(tt.stdin, tt.args...)
		expect(t, tt.name, out, code, tt.wantCode, tt.wantIn)
	}
	if got := readFile(t, filepath.Join(in.home, "claude.json")); got != before {
		t.Errorf("failed commands changed claude.json:\n%s", got)
	}
}

// TestConfigAddWhileRunning checks that a running daemon serves a config
// added through the CLI, with the piped credential, without a restart.
func TestConfigAddWhileRunning(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("claude-test", "hi"))
	})
	in := newInstance(t)
	in.start()
	out, code := in.clpIn("tok-live-123456789", "config", "add", "claude", "live", "--base-url", up.URL, "--auth-token-stdin")
	expect(t, "add", out, code, 0, "next: clp active claude live")
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _ = in.clp("status")
		if strings.Contains(out, "active: live") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon did not pick up the new config:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if text, _ := streamClaude(t, anthropicClient(in), "hello"); text != "hi" {
		t.Errorf("answer = %q, want hi", text)
	}
	if got := up.last(t).Header.Get("Authorization"); got != "Bearer tok-live-123456789" {
		t.Errorf("upstream Authorization = %q", got)
	}
}

type doctorJSON struct {
	OK     bool `json:"ok"`
	Checks []struct {
		Name, Status, Detail, Fix string
		LatencyMS                 float64 `json:"latency_ms"`
	} `json:"checks"`
}

func (d doctorJSON) status(name string) string {
	for _, c := range d.Checks {
		if c.Name == name {
			return c.Status + ": " + c.Detail
		}
	}
	return "missing"
}

func TestDoctor(t *testing.T) {
	models := func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("Authorization") + r.Header.Get("x-api-key") {
		case "Bearer tok-good-123456789", "Bearer key-good-123456789", "key-good-123456789":
		default:
			w.WriteHeader(401)
			return
		}
		w.Write([]byte(`{"data":[]}`))
	}
	up := newUpstream(t, models)
	in := newInstance(t)
	in.clients()
	in.writeFile("claude.json", configJSON(entry("prod", up.URL, "auth_token", "tok-good-123456789", true)))
	in.writeFile("codex.json", configJSON(entry("main", up.URL+"/v1", "api_key", "key-good-123456789", true)))

	out, code := in.clp("doctor")
	expect(t, "doctor, daemon stopped", out, code, 1, "FAIL", "daemon", "clp start")

	in.start()
	before := len(up.requests())
	out, code = in.clp("doctor")
	expect(t, "doctor, healthy", out, code, 0, "claude/prod", "credential accepted", "codex/main")
	if strings.Contains(out, "FAIL") {
		t.Errorf("healthy doctor reports a failure:\n%s", out)
	}
	if paths := up.requests()[before:]; len(paths) != 2 || !strings.HasSuffix(paths[0].Path, "/v1/models") || strings.Contains(paths[0].Path+paths[1].Path, "/v1/v1") {
		t.Errorf("probes = %+v, want two GETs of /v1/models", paths)
	}

	// A dead upstream, a rejected credential, an invalid entry, a loose
	// file mode and a stray ANTHROPIC_BASE_URL: each is a failure.
	in.writeFile("claude.json", configJSON(
		entry("prod", up.URL, "auth_token", "tok-good-123456789", true),
		entry("dead", "http://127.0.0.1:"+strconv.Itoa(freePort(t)), "auth_token", "tok-dead", false),
		entry("rejected", up.URL, "api_key", "key-wrong", false),
		`"broken": {"base_url": ""}`))
	if err := os.Chmod(filepath.Join(in.home, "codex.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	in.env = append(in.env, "ANTHROPIC_BASE_URL=https://api.anthropic.com")
	out, code = in.clp("doctor", "--json")
	if code != 1 {
		t.Errorf("doctor with problems: exit %d, want 1\n%s", code, out)
	}
	var rep doctorJSON
	if err := json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &rep); err != nil {
		t.Fatalf("doctor --json: %v\n%s", err, out)
	}
	for name, want := range map[string]string{
		"daemon":             "ok: running",
		"claude/prod":        "ok: reachable",
		"claude/dead":        "fail: unreachable",
		"claude/rejected":    "fail: credential rejected (HTTP 401)",
		"claude/broken":      "fail: invalid: base_url is empty",
		"permissions":        "fail: readable by other users: " + filepath.Join(in.home, "codex.json"),
		"ANTHROPIC_BASE_URL": "fail: ANTHROPIC_BASE_URL=https://api.anthropic.com in this shell points elsewhere",
	} {
		if got := rep.status(name); !strings.HasPrefix(got, want) {
			t.Errorf("check %s = %q, want it to start with %q", name, got, want)
		}
	}
	if rep.OK {
		t.Error("report says ok")
	}
}
