package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFilterTestCLI(t *testing.T) {
	in := newInstance(t)
	in.writeFile("filter.json", `{"name": "codename", "source": "falcon-\\d+", "target": "[project]"}`)
	in.writeFile("data/system.json", `{"detectors": {"jwt": false}}`)
	envFile := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(envFile, []byte("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nproject falcon-42\n"), 0o600)

	out, code := in.clp("filter", "test", envFile)
	expect(t, "filter test", out, code, 0, "codename", "[project]", "replacement")
	if strings.Contains(out, "AKIAIOSFODNN7EXAMPLE") || strings.Contains(out, "falcon-42") {
		t.Errorf("filter test shows a secret:\n%s", out)
	}

	cmd := exec.Command(clpBin, "filter", "test", "--json", "--service", "codex")
	cmd.Env = in.env
	cmd.Stdin = strings.NewReader(`{"input":"key AKIAIOSFODNN7EXAMPLE"}`)
	raw, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Text   string
		Report struct{ Counts map[string]int }
	}
	if err := json.Unmarshal(raw, &res); err != nil || !json.Valid([]byte(res.Text)) || strings.Contains(res.Text, "AKIA") || len(res.Report.Counts) != 1 {
		t.Errorf("filter test --json: %v\n%s", err, raw)
	}

	out, code = in.clp("filter", "detectors")
	expect(t, "detectors", out, code, 0, "DETECTOR")
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "jwt ") && !strings.Contains(line, "false") {
			t.Errorf("jwt should be off: %s", line)
		}
	}
	out, code = in.clp("filter", "test", "--service", "gemini", envFile)
	expect(t, "unknown service", out, code, 2, "claude, codex")
}
