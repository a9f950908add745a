package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clp-proxy/clp/internal/route"
)

func TestRenameInRouting(t *testing.T) {
	home := writeHome(t, nil)
	doc := `{
  "mode": "model-mapping",
  "note": "kept",
  "modelMappings": {
    "claude": [
      {"source": "prod", "target": "relay-model", "source_type": "config"},
      {"source": "prod", "target": "x", "source_type": "model"}
    ],
    "codex": [{"source": "prod", "target": "y", "source_type": "config"}]
  },
  "configMappings": {"claude": [{"model": "claude-opus-*", "config": "prod"}]}
}
`
	path := filepath.Join(home, "data", "model_router_config.json")
	os.WriteFile(path, []byte(doc), 0o600)
	n, err := RenameInRouting(home, "claude", "prod", "official")
	if err != nil || n != 2 {
		t.Fatalf("RenameInRouting = %d, %v; want 2 rules", n, err)
	}
	data, _ := os.ReadFile(path)
	cfg, err := route.Parse(data)
	if err != nil {
		t.Fatalf("result does not parse: %v\n%s", err, data)
	}
	mm := cfg.ModelMappings["claude"]
	if mm[0].Source != "official" || mm[1].Source != "prod" {
		t.Errorf("model mappings = %+v: only the config-sourced rule is renamed", mm)
	}
	if cfg.ModelMappings["codex"][0].Source != "prod" {
		t.Errorf("another service's rule was renamed")
	}
	if cfg.ConfigMappings["claude"][0].Config != "official" {
		t.Errorf("config mapping = %+v", cfg.ConfigMappings["claude"])
	}
	if !strings.Contains(string(data), `"note": "kept"`) {
		t.Errorf("unknown field lost:\n%s", data)
	}
	if n, err := RenameInRouting(home, "claude", "nothing", "x"); err != nil || n != 0 {
		t.Errorf("renaming an unused name = %d, %v", n, err)
	}
	if n, err := RenameInRouting(t.TempDir(), "claude", "a", "b"); err != nil || n != 0 {
		t.Errorf("missing file = %d, %v", n, err)
	}
}
