package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompletion(t *testing.T) {
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, "claude.json"), []byte(`{"prod":{},"relay":{},"pre":{}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "CLP_HOME" {
			return home
		}
		return ""
	}
	tests := []struct {
		args []string
		want string // the completions, one per line, before the directive
	}{
		{[]string{"active", ""}, "claude,codex"},
		{[]string{"active", "claude", ""}, "prod,relay,pre"},
		{[]string{"active", "claude", "pr"}, "prod,pre"},
		{[]string{"config", "edit", "claude", "re"}, "relay"},
		{[]string{"config", "rename", "claude", ""}, "prod,relay,pre"},
		{[]string{"config", "rm", "codex", ""}, ""},
		{[]string{"config", "add", "c"}, "claude,codex"},
		{[]string{"setup", ""}, "claude,codex"},
		{[]string{"list", "co"}, "codex"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := Main(append([]string{"__complete"}, tt.args...), strings.NewReader(""), &out, &errb, getenv)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, errb.String())
		}
		var got []string
		for _, line := range strings.Split(out.String(), "\n") {
			if line == "" || strings.HasPrefix(line, ":") {
				continue
			}
			got = append(got, line)
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("complete %v = %q, want %q", tt.args, strings.Join(got, ","), tt.want)
		}
	}
	// The built-in completion command writes scripts for every shell.
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		var out, errb bytes.Buffer
		if code := Main([]string{"completion", sh}, strings.NewReader(""), &out, &errb, getenv); code != 0 || out.Len() < 100 {
			t.Errorf("completion %s: exit %d, %d bytes: %s", sh, code, out.Len(), errb.String())
		}
	}
}
