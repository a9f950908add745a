package e2e

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRenameCarriesTheName: renaming a config moves its routing rules, its
// health and its statistics to the new name, with the daemon running or not.
func TestRenameCarriesTheName(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("m", "x"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("prod", up.URL, "auth_token", "tok-0000000001", true)))
	in.writeFile("data/model_router_config.json", `{"mode": "config-mapping", "configMappings": {"claude": [{"model": "claude-*", "config": "prod"}]}}`)
	in.start()
	resp, err := http.Post(in.claudeURL()+"/v1/messages", "application/json", strings.NewReader(`{"model":"claude-x","stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	in.logs(t, 1)

	in.mustCLP("config", "rename", "claude", "prod", "official")
	routing, _ := os.ReadFile(filepath.Join(in.home, "data", "model_router_config.json"))
	if !strings.Contains(string(routing), `"config": "official"`) {
		t.Errorf("routing rule not renamed:\n%s", routing)
	}
	out := in.mustCLP("usage", "--by", "config", "--json")
	if !strings.Contains(out, `"config": "official"`) || strings.Contains(out, `"config": "prod"`) {
		t.Errorf("statistics keep the old name:\n%s", out)
	}
	if out := in.mustCLP("health", "claude"); !strings.Contains(out, "official") || strings.Contains(out, "prod") {
		t.Errorf("health keeps the old name:\n%s", out)
	}
	// The pinned model still reaches the renamed config.
	resp, err = http.Post(in.claudeURL()+"/v1/messages", "application/json", strings.NewReader(`{"model":"claude-x","stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(up.requests()) != 2 {
		t.Errorf("after rename: %d, upstream saw %d", resp.StatusCode, len(up.requests()))
	}

	in.mustCLP("stop")
	in.mustCLP("config", "rename", "claude", "official", "main")
	routing, _ = os.ReadFile(filepath.Join(in.home, "data", "model_router_config.json"))
	if !strings.Contains(string(routing), `"config": "main"`) {
		t.Errorf("offline rename missed the routing rule:\n%s", routing)
	}
	in.mustCLP("start")
	out = in.mustCLP("usage", "--by", "config", "--json")
	if !strings.Contains(out, `"config": "main"`) || strings.Contains(out, `"config": "official"`) {
		t.Errorf("offline rename missed the statistics:\n%s", out)
	}
}
