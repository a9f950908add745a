package route

import (
	"errors"
	"path"
	"strings"
	"testing"
)

const sampleConfig = `{
  "mode": "model-mapping",
  "modelMappings": {
    "claude": [
      {"source": "claude-opus-*", "target": "claude-sonnet-4-5", "source_type": "model"},
      {"source": "kimi-relay", "target": "kimi-k2", "source_type": "config"},
      {"source": "claude-3-?-haiku*", "target": "claude-haiku-4-5", "source_type": "model"},
      {"source": "*-thinking", "target": "claude-opus-4-1"},
      {"source": "claude-[0-9]*-[^x]ow", "target": "general"}
    ],
    "codex": [
      {"source": "glm-relay", "target": "glm-4.6", "source_type": "config"},
      {"source": "*", "target": "gpt-5-codex", "source_type": "model"}
    ]
  },
  "configMappings": {
    "claude": [
      {"model": "claude-haiku-*", "config": "cheap"},
      {"model": "claude-opus-4-1", "config": "official"}
    ],
    "codex": [{"model": "gpt-5*", "config": "openai"}]
  },
  "currentMapping": "ignored unknown field"
}`

func mustParse(t testing.TB, data string) Config {
	t.Helper()
	c, err := Parse([]byte(data))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func TestModelFor(t *testing.T) {
	c := mustParse(t, sampleConfig)
	tests := []struct {
		service, config, model string
		want                   string
	}{
		{"claude", "prod", "claude-opus-4-5-20251101", "claude-sonnet-4-5"},
		{"claude", "kimi-relay", "claude-opus-4-5", "claude-sonnet-4-5"}, // first rule wins
		{"claude", "kimi-relay", "claude-sonnet-4-5", "kimi-k2"},
		{"claude", "prod", "claude-3-5-haiku-20241022", "claude-haiku-4-5"},
		{"claude", "prod", "claude-3-55-haiku", "claude-3-55-haiku"}, // '?' is one character
		{"claude", "prod", "deepseek-thinking", "claude-opus-4-1"},   // empty source_type means model
		{"claude", "prod", "claude-7-low", "general"},
		{"claude", "prod", "claude-7-xow", "claude-7-xow"},
		{"claude", "prod", "claude-sonnet-4-5", "claude-sonnet-4-5"}, // no rule
		{"codex", "glm-relay", "gpt-5", "glm-4.6"},
		{"codex", "openai", "openai/gpt-4o", "gpt-5-codex"}, // '*' matches '/'
		{"gemini", "x", "gemini-2.5-pro", "gemini-2.5-pro"}, // service without rules
	}
	for _, tt := range tests {
		if got := c.ModelFor(tt.service, tt.config, tt.model); got != tt.want {
			t.Errorf("ModelFor(%q, %q, %q) = %q, want %q", tt.service, tt.config, tt.model, got, tt.want)
		}
		if _, ok := c.Pin(tt.service, tt.model); ok {
			t.Errorf("Pin(%q, %q) pinned in model-mapping mode", tt.service, tt.model)
		}
	}
}

func TestPin(t *testing.T) {
	c := mustParse(t, strings.Replace(sampleConfig, `"mode": "model-mapping"`, `"mode": "config-mapping"`, 1))
	tests := []struct {
		service, model string
		want           string
		wantOK         bool
	}{
		{"claude", "claude-haiku-4-5", "cheap", true},
		{"claude", "claude-opus-4-1", "official", true},
		{"claude", "claude-opus-4-1-20250805", "", false},
		{"codex", "gpt-5-codex", "openai", true},
		{"codex", "o3", "", false},
		{"gemini", "gpt-5", "", false},
	}
	for _, tt := range tests {
		got, ok := c.Pin(tt.service, tt.model)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Pin(%q, %q) = %q, %v; want %q, %v", tt.service, tt.model, got, ok, tt.want, tt.wantOK)
		}
		if got := c.ModelFor(tt.service, "cheap", tt.model); got != tt.model {
			t.Errorf("ModelFor(%q) = %q in config-mapping mode, want unchanged", tt.model, got)
		}
	}
}

func TestDefaultModeHasNoRules(t *testing.T) {
	for _, mode := range []string{"default", ""} {
		c := mustParse(t, strings.Replace(sampleConfig, `"model-mapping"`, `"`+mode+`"`, 1))
		if got := c.ModelFor("claude", "kimi-relay", "claude-opus-4-5"); got != "claude-opus-4-5" {
			t.Errorf("mode %q: ModelFor = %q, want unchanged", mode, got)
		}
		if got, ok := c.Pin("claude", "claude-haiku-4-5"); ok {
			t.Errorf("mode %q: Pin = %q, want none", mode, got)
		}
	}
	var nilConfig *Config
	if got := nilConfig.ModelFor("claude", "a", "m"); got != "m" {
		t.Errorf("nil Config: ModelFor = %q, want m", got)
	}
}

// TestUncompiled checks that a Config built as a literal, or changed after
// Parse, routes by its current fields.
func TestUncompiled(t *testing.T) {
	c := Config{
		Mode: ModeModelMapping,
		ModelMappings: map[string][]ModelMapping{
			"claude": {{Source: "claude-[a-z]*", Target: "x"}, {Source: "[", Target: "bad"}},
		},
	}
	if got := c.ModelFor("claude", "", "claude-opus"); got != "x" {
		t.Errorf("literal Config: ModelFor = %q, want x", got)
	}
	if got := c.ModelFor("claude", "", "["); got != "[" {
		t.Errorf("malformed glob matched: ModelFor = %q, want unchanged", got)
	}
	p := mustParse(t, sampleConfig)
	p.ModelMappings["claude"][0].Source = "claude-sonnet-*"
	if got := p.ModelFor("claude", "prod", "claude-sonnet-4-5"); got != "claude-sonnet-4-5" {
		t.Errorf("after edit: ModelFor = %q, want claude-sonnet-4-5 (the edited rule's target)", got)
	}
	if got := p.ModelFor("claude", "prod", "claude-opus-4-5"); got != "claude-opus-4-5" {
		t.Errorf("after edit: old rule still applies: ModelFor = %q", got)
	}
}

func TestValidate(t *testing.T) {
	data := `{
  "mode": "round-robin",
  "modelMappings": {
    "claude": [
      {"source": "", "target": "x", "source_type": "model"},
      {"source": "ok", "target": "", "source_type": "model"},
      {"source": "claude-[", "target": "x"},
      {"source": "a", "target": "x", "source_type": "regex"},
      {"source": " ", "target": "x", "source_type": "config"}
    ]
  },
  "configMappings": {"codex": [{"model": "gpt-[5", "config": ""}]}
}`
	_, err := Parse([]byte(data))
	if err == nil {
		t.Fatal("Parse accepted an invalid config")
	}
	want := []string{
		`mode: unknown "round-robin"`,
		`modelMappings.claude[0].source: empty`,
		`modelMappings.claude[1].target: empty`,
		`modelMappings.claude[2].source: bad glob "claude-["`,
		`modelMappings.claude[3].source_type: unknown "regex"`,
		`modelMappings.claude[4].source: empty`,
		`configMappings.codex[0].model: bad glob "gpt-[5"`,
		`configMappings.codex[0].config: empty`,
	}
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q; got:\n%s", w, msg)
		}
	}
	if got := len(strings.Split(msg, "\n")); got != len(want) {
		t.Errorf("error has %d lines, want %d:\n%s", got, len(want), msg)
	}
	if !errors.Is(err, path.ErrBadPattern) {
		t.Errorf("errors.Is(err, path.ErrBadPattern) = false, want true")
	}
}

func TestParseSyntaxError(t *testing.T) {
	tests := []struct {
		data, want string
	}{
		{"{\n  \"mode\": \"default\",\n  \"modelMappings\": {\"claude\": [}\n}", "line 3, column 32"},
		{`{"mode": 5}`, "line 1, column 10"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tt.data, err, tt.want)
		}
	}
}

func TestRoutingAllocs(t *testing.T) {
	c := mustParse(t, sampleConfig)
	pc := mustParse(t, strings.Replace(sampleConfig, `"model-mapping"`, `"config-mapping"`, 1))
	allocs := testing.AllocsPerRun(100, func() {
		c.ModelFor("claude", "prod", "claude-7-low")
		c.ModelFor("claude", "prod", "claude-sonnet-4-5")
		pc.Pin("codex", "gpt-5-codex")
	})
	if allocs != 0 {
		t.Errorf("ModelFor/Pin allocate %v times per call, want 0", allocs)
	}
}

func BenchmarkModelFor(b *testing.B) {
	c := mustParse(b, sampleConfig)
	b.ReportAllocs()
	for b.Loop() {
		// No rule matches: every rule of the service is tried.
		if got := c.ModelFor("claude", "prod", "claude-sonnet-4-5-20250929"); got != "claude-sonnet-4-5-20250929" {
			b.Fatal(got)
		}
	}
}

func BenchmarkPin(b *testing.B) {
	c := mustParse(b, strings.Replace(sampleConfig, `"model-mapping"`, `"config-mapping"`, 1))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := c.Pin("claude", "claude-opus-4-1"); !ok {
			b.Fatal("not pinned")
		}
	}
}
