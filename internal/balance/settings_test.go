package balance

import (
	"strings"
	"testing"
	"time"
)

// originalFile is lb_config.json as the original CLP wrote it, runtime state
// included, plus CLP's optional fields.
const originalFile = `{
  "mode": "weight-based",
  "services": {
    "claude": {
      "failureThreshold": 5,
      "autoResetMinutes": 2.5,
      "currentFailures": {"prod": 2},
      "excludedConfigs": ["backup"],
      "affinity": false
    },
    "codex": {
      "mode": "active-first",
      "failover": true,
      "affinityMinutes": 15,
      "currentFailures": {},
      "excludedConfigs": []
    },
    "gemini": {"mode": "weighted-round-robin", "failover": false}
  }
}`

func TestService(t *testing.T) {
	s, err := Parse([]byte(originalFile))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	tests := []struct {
		service string
		want    ServiceSettings
	}{
		{"claude", ServiceSettings{Mode: WeightBased, FailureThreshold: 5, AutoReset: 150 * time.Second,
			Failover: true, Affinity: false, AffinityTTL: time.Hour}},
		{"codex", ServiceSettings{Mode: ActiveFirst, FailureThreshold: 3, AutoReset: 10 * time.Minute,
			Failover: true, Affinity: true, AffinityTTL: 15 * time.Minute}},
		{"gemini", ServiceSettings{Mode: WeightedRoundRobin, FailureThreshold: 3, AutoReset: 10 * time.Minute,
			Failover: false, Affinity: true, AffinityTTL: time.Hour}},
		{"unknown", ServiceSettings{Mode: WeightBased, FailureThreshold: 3, AutoReset: 10 * time.Minute,
			Failover: true, Affinity: true, AffinityTTL: time.Hour}},
	}
	for _, tt := range tests {
		if got := s.Service(tt.service); got != tt.want {
			t.Errorf("Service(%q) = %+v, want %+v", tt.service, got, tt.want)
		}
	}
}

func TestServiceDefaults(t *testing.T) {
	for _, data := range []string{`{}`, `{"services":{"claude":{}}}`, `{"mode":"","services":null}`} {
		s, err := Parse([]byte(data))
		if err != nil {
			t.Fatalf("Parse(%s): %v", data, err)
		}
		want := ServiceSettings{Mode: ActiveFirst, FailureThreshold: 3, AutoReset: 10 * time.Minute,
			Failover: false, Affinity: true, AffinityTTL: time.Hour}
		if got := s.Service("claude"); got != want {
			t.Errorf("Parse(%s).Service = %+v, want %+v", data, got, want)
		}
	}
	var zero Settings
	if got := zero.Service("claude").Mode; got != ActiveFirst {
		t.Errorf("zero Settings: mode %q, want %q", got, ActiveFirst)
	}
	if got := minutes(1e300); got != 100*365*24*time.Hour {
		t.Errorf("minutes(1e300) = %v, want the 100-year cap", got)
	}
}

func TestValidateSettings(t *testing.T) {
	data := `{
  "mode": "random",
  "services": {
    "claude": {"mode": "fastest", "failureThreshold": -1, "autoResetMinutes": -2},
    "codex": {"affinityMinutes": -0.5}
  }
}`
	_, err := Parse([]byte(data))
	if err == nil {
		t.Fatal("Parse accepted invalid settings")
	}
	want := []string{
		`mode: unknown "random"`,
		`services.claude.mode: unknown "fastest"`,
		`services.claude.failureThreshold: negative (-1)`,
		`services.claude.autoResetMinutes: negative (-2)`,
		`services.codex.affinityMinutes: negative (-0.5)`,
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
}

func TestParseSettingsSyntaxError(t *testing.T) {
	tests := []struct{ data, want string }{
		{"{\n \"mode\": \"weight-based\"\n \"services\": {}}", "line 3, column 2"},
		{`{"services": {"claude": {"failureThreshold": "3"}}}`, "line 1, column 48"},
	}
	for _, tt := range tests {
		if _, err := Parse([]byte(tt.data)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tt.data, err, tt.want)
		}
	}
}

func TestUsesSessions(t *testing.T) {
	for _, tt := range []struct {
		doc     string
		service string
		want    bool
	}{
		{`{}`, "claude", false},
		{`{"mode": "active-first"}`, "claude", false},
		{`{"mode": "weight-based"}`, "claude", true},
		{`{"mode": "weighted-round-robin"}`, "codex", true},
		{`{"mode": "active-first", "services": {"codex": {"mode": "weight-based"}}}`, "codex", true},
		{`{"mode": "weight-based", "services": {"claude": {"affinity": false}}}`, "claude", false},
	} {
		s, err := Parse([]byte(tt.doc))
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Service(tt.service).UsesSessions(); got != tt.want {
			t.Errorf("%s: %s UsesSessions = %v, want %v", tt.doc, tt.service, got, tt.want)
		}
	}
}
