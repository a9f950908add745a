package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestLogHandler(t *testing.T) {
	tests := []struct {
		level, format string
		wantMin       slog.Level // least important level that is logged
		wantJSON      bool
	}{
		{"", "", slog.LevelInfo, false},
		{"debug", "text", slog.LevelDebug, false},
		{"INFO", "json", slog.LevelInfo, true},
		{" warn ", "JSON", slog.LevelWarn, true},
		{"warning", "", slog.LevelWarn, false},
		{"error", "text", slog.LevelError, false},
	}
	for _, tt := range tests {
		t.Run(tt.level+"/"+tt.format, func(t *testing.T) {
			var buf bytes.Buffer
			h, err := logHandler(&buf, tt.level, tt.format)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for _, l := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
				if got, want := h.Enabled(ctx, l), l >= tt.wantMin; got != want {
					t.Errorf("Enabled(%v) = %v, want %v", l, got, want)
				}
			}
			slog.New(h).Error("boom", "config", "prod")
			line := buf.String()
			var v map[string]any
			isJSON := json.Unmarshal([]byte(line), &v) == nil
			if isJSON != tt.wantJSON {
				t.Errorf("line %q: JSON = %v, want %v", line, isJSON, tt.wantJSON)
			}
			if isJSON && (v["msg"] != "boom" || v["level"] != "ERROR" || v["config"] != "prod") {
				t.Errorf("JSON line = %v", v)
			}
			if !isJSON && !strings.Contains(line, "level=ERROR msg=boom config=prod") {
				t.Errorf("text line = %q", line)
			}
		})
	}
}

func TestLogHandlerRejects(t *testing.T) {
	for _, tt := range []struct{ level, format, want string }{
		{"loud", "", `log level "loud"`},
		{"info+2", "", `log level "info+2"`},
		{"", "xml", `log format "xml"`},
	} {
		if _, err := logHandler(&bytes.Buffer{}, tt.level, tt.format); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("logHandler(%q, %q) error = %v, want %s", tt.level, tt.format, err, tt.want)
		}
	}
}

// TestServeLogSettings: flags override the environment, and a bad setting
// stops `clp serve` before it starts anything. Each case fails on purpose;
// the error says which setting was read.
func TestServeLogSettings(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad env level", nil, map[string]string{"CLP_LOG_LEVEL": "loud"}, `log level "loud"`},
		{"bad flag level", []string{"--log-level", "quiet"}, nil, `log level "quiet"`},
		{"flag level beats env level", []string{"--log-level", "debug"},
			map[string]string{"CLP_LOG_LEVEL": "loud", "CLP_LOG_FORMAT": "xml"}, `log format "xml"`},
		{"--log-json beats env format", []string{"--log-json"},
			map[string]string{"CLP_LOG_LEVEL": "loud", "CLP_LOG_FORMAT": "xml"}, `log level "loud"`},
		{"--log-json=false beats env format", []string{"--log-json=false"},
			map[string]string{"CLP_LOG_LEVEL": "loud", "CLP_LOG_FORMAT": "xml"}, `log level "loud"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			getenv := func(k string) string {
				if k == "CLP_HOME" {
					return home
				}
				return tt.env[k]
			}
			var out, errb bytes.Buffer
			code := Main(append([]string{"serve"}, tt.args...), strings.NewReader(""), &out, &errb, getenv)
			if code == 0 || !strings.Contains(errb.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want a failure naming %s", code, errb.String(), tt.want)
			}
		})
	}
}
