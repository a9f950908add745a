package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStartPassesLogSettings: `clp start` hands CLP_LOG_LEVEL and
// CLP_LOG_FORMAT to the daemon it spawns, whose log is run/clp.log.
func TestStartPassesLogSettings(t *testing.T) {
	t.Run("json at info", func(t *testing.T) {
		in := newInstance(t)
		in.env = append(in.env, "CLP_LOG_FORMAT=json", "CLP_LOG_LEVEL=info")
		in.start()
		in.mustCLP("stop")
		data, err := os.ReadFile(filepath.Join(in.home, "run", "clp.log"))
		if err != nil {
			t.Fatal(err)
		}
		var listening int
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var v map[string]any
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Fatalf("log line is not JSON: %q", l)
			}
			if v["level"] == "INFO" && v["msg"] == "listening" {
				listening++
			}
		}
		if listening != 3 {
			t.Errorf("%d INFO \"listening\" lines, want 3 (two proxies and the UI):\n%s", listening, data)
		}
	})
	t.Run("warn hides info", func(t *testing.T) {
		in := newInstance(t)
		in.env = append(in.env, "CLP_LOG_LEVEL=warn")
		in.start()
		in.mustCLP("stop")
		data, err := os.ReadFile(filepath.Join(in.home, "run", "clp.log"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "listening") || strings.Contains(string(data), "level=INFO") {
			t.Errorf("info lines logged at level warn:\n%s", data)
		}
	})
	t.Run("bad level fails the start", func(t *testing.T) {
		in := newInstance(t)
		in.env = append(in.env, "CLP_LOG_LEVEL=chatty")
		out, code := in.clp("start")
		if code == 0 || !strings.Contains(out, `log level "chatty"`) {
			t.Errorf("clp start: exit %d\n%s\nwant a failure naming the bad level", code, out)
		}
	})
}
