package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// clients gives the instance its own HOME, Claude and Codex directories, so
// `clp setup` and `clp doctor` never see the real ones, and clears
// ANTHROPIC_BASE_URL from the test's environment.
func (in *instance) clients() (claudeDir, codexHome string) {
	in.t.Helper()
	root := in.t.TempDir()
	claudeDir, codexHome = filepath.Join(root, "claude"), filepath.Join(root, "codex")
	in.env = append(in.env, "HOME="+filepath.Join(root, "home"), "CLAUDE_CONFIG_DIR="+claudeDir, "CODEX_HOME="+codexHome, "ANTHROPIC_BASE_URL=")
	return claudeDir, codexHome
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeClientFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const claudeSettings = `{
  // my defaults
  "model": "opus",
  "permissions": {"allow": ["Bash(go test:*)"]}
}
`

func TestSetupClaude(t *testing.T) {
	in := newInstance(t)
	claudeDir, _ := in.clients()
	settings := filepath.Join(claudeDir, "settings.json")
	writeClientFile(t, settings, claudeSettings)
	port := strconv.Itoa(in.claude)

	out, code := in.clp("setup", "claude", "--dry-run")
	expect(t, "dry run", out, code, 0, "--- "+settings, `+  "env": {`, `"ANTHROPIC_BASE_URL": "http://127.0.0.1:`+port+`"`, "nothing written")
	if got := readFile(t, settings); got != claudeSettings {
		t.Errorf("dry run changed the file:\n%s", got)
	}

	out, code = in.clp("setup", "claude")
	expect(t, "setup", out, code, 0, "updated "+settings, "backup in "+filepath.Join(claudeDir, "clp-backup"), "clp setup claude --undo")
	want := `{
  // my defaults
  "model": "opus",
  "permissions": {"allow": ["Bash(go test:*)"]},
  "env": {
    "ANTHROPIC_BASE_URL": "http://127.0.0.1:` + port + `",
    "ANTHROPIC_AUTH_TOKEN": "-"
  }
}
`
	if got := readFile(t, settings); got != want {
		t.Errorf("settings.json =\n%s\nwant\n%s", got, want)
	}
	backups, _ := filepath.Glob(filepath.Join(claudeDir, "clp-backup", "claude-*", "settings.json"))
	if len(backups) != 1 || readFile(t, backups[0]) != claudeSettings {
		t.Errorf("backups = %v, want one holding the original", backups)
	}

	out, code = in.clp("setup", "claude")
	expect(t, "second setup", out, code, 0, "already set up")

	out, code = in.clp("setup", "claude", "--undo")
	expect(t, "undo", out, code, 0, "restored "+settings)
	if got := readFile(t, settings); got != claudeSettings {
		t.Errorf("undo did not restore byte for byte:\n%s", got)
	}
	out, code = in.clp("setup", "claude", "--undo")
	expect(t, "second undo", out, code, 1, "nothing to undo")
}

func TestSetupCodex(t *testing.T) {
	in := newInstance(t)
	_, codexHome := in.clients()
	cfg := filepath.Join(codexHome, "config.toml")
	const before = "# my codex settings\nmodel = \"gpt-5\"\n\n[tui]\nnotifications = true\n"
	writeClientFile(t, cfg, before)

	out, code := in.clp("setup", "codex")
	expect(t, "setup", out, code, 0, "updated "+cfg, "created "+filepath.Join(codexHome, "auth.json"))
	got := readFile(t, cfg)
	for _, w := range []string{"# my codex settings", `model_provider = "clp"`, "[model_providers.clp]", `wire_api = "responses"`, "http://127.0.0.1:" + strconv.Itoa(in.codex), "notifications = true"} {
		if !strings.Contains(got, w) {
			t.Errorf("config.toml lacks %q:\n%s", w, got)
		}
	}
	if auth := readFile(t, filepath.Join(codexHome, "auth.json")); !strings.Contains(auth, "OPENAI_API_KEY") {
		t.Errorf("auth.json = %s", auth)
	}

	out, code = in.clp("setup", "codex", "--undo")
	expect(t, "undo", out, code, 0, "restored "+cfg)
	if got := readFile(t, cfg); got != before {
		t.Errorf("undo did not restore byte for byte:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(codexHome, "auth.json")); !os.IsNotExist(err) {
		t.Errorf("undo left auth.json that setup created: %v", err)
	}
}

func TestSetupErrors(t *testing.T) {
	in := newInstance(t)
	claudeDir, _ := in.clients()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantIn   string
	}{
		{"unknown client", []string{"setup", "gemini"}, 2, "claude, codex"},
		{"no client", []string{"setup"}, 2, "claude or codex"},
		{"dry run and undo", []string{"setup", "claude", "--dry-run", "--undo"}, 2, "do not go together"},
		{"undo without backup", []string{"setup", "codex", "--undo"}, 1, "nothing to undo"},
	}
	for _, tt := range tests {
		out, code := in.clp(tt.args...)
		expect(t, tt.name, out, code, tt.wantCode, tt.wantIn)
	}
	// A settings.json that does not parse is reported with its position,
	// and left as it is.
	settings := filepath.Join(claudeDir, "settings.json")
	writeClientFile(t, settings, "{\n  \"model\": \"opus\",,\n}\n")
	out, code := in.clp("setup", "claude")
	expect(t, "broken settings", out, code, 1, settings+":2:")
	if got := readFile(t, settings); got != "{\n  \"model\": \"opus\",,\n}\n" {
		t.Errorf("setup changed a file it could not parse:\n%s", got)
	}
}
