package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteRules(t *testing.T) {
	tests := []struct {
		kind, doc string
		wantErr   string // substring; "" means it is written
		file      string
	}{
		{RulesBalance, `{"mode":"weight-based","services":{"claude":{"failover":true,"failureThreshold":2}},"excludedConfigs":[]}`, "", "data/lb_config.json"},
		{RulesBalance, `{"mode":"fastest"}`, "mode", "data/lb_config.json"},
		{RulesBalance, `{"services":{"claude":{"failureThreshold":-1}}}`, "failureThreshold", "data/lb_config.json"},
		{RulesBalance, `{`, "invalid rules", "data/lb_config.json"},
		{RulesRouting, `{"mode":"model-mapping","modelMappings":{"claude":[{"source":"claude-opus-*","target":"glm-4","source_type":"model"}]}}`, "", "data/model_router_config.json"},
		{RulesRouting, `{"mode":"model-mapping","modelMappings":{"claude":[{"source":"x","target":""}]}}`, "target: empty", "data/model_router_config.json"},
		{RulesRouting, `{"mode":"smart"}`, "mode", "data/model_router_config.json"},
		{RulesFilter, `[{"source":"sk-[a-z]+","target":"[KEY]","op":"replace"}]`, "", "filter.json"},
		{RulesFilter, `[{"source":"x","op":"explode"}]`, "rule 1", "filter.json"},
		{RulesFilter, `[{"source":"x","services":["gemini"]}]`, "gemini", "filter.json"},
		{RulesFilter, `"nope"`, "invalid rules", "filter.json"},
		{"weights", `{}`, "unknown kind", ""},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.doc, func(t *testing.T) {
			home := t.TempDir()
			err := WriteRules(home, tt.kind, []byte(tt.doc))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrInvalidRules) {
					t.Fatalf("WriteRules = %v, want ErrInvalidRules mentioning %q", err, tt.wantErr)
				}
				if tt.file != "" {
					if _, err := os.Stat(filepath.Join(home, tt.file)); err == nil {
						t.Errorf("an invalid document was written to %s", tt.file)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("WriteRules: %v", err)
			}
			fi, err := os.Stat(filepath.Join(home, tt.file))
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("%s: %v, mode %v; want 0600", tt.file, err, fi.Mode())
			}
			got, err := ReadRules(home, tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(got), "\n  ") {
				t.Errorf("written file is not indented: %s", got)
			}
			if tt.kind == RulesBalance && !strings.Contains(string(got), "excludedConfigs") {
				t.Errorf("a field CLP does not know was dropped: %s", got)
			}
		})
	}
}

func TestReadRulesMissing(t *testing.T) {
	home := t.TempDir()
	for kind, want := range map[string]string{RulesBalance: "{}", RulesRouting: "{}", RulesFilter: "[]"} {
		got, err := ReadRules(home, kind)
		if err != nil || string(got) != want {
			t.Errorf("ReadRules(%s) without a file = %q, %v; want %q", kind, got, err, want)
		}
	}
}
