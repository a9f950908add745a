package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clpconfig "github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/redact"
)

func BenchmarkEventClock(b *testing.B) {
	var data []byte
	for _, ev := range anthropicEvents(streamSpec{Events: 64, EventSize: 200}) {
		data = append(data, ev...)
	}
	b.SetBytes(int64(len(data)))
	now := time.Now()
	for b.Loop() {
		c := eventClock{ends: make([]time.Time, 0, 64)}
		c.feed(data, now)
	}
}

func BenchmarkPercentile(b *testing.B) {
	xs := make([]float64, 10_000)
	for i := range xs {
		xs[i] = float64((i * 7919) % 10_000)
	}
	for b.Loop() {
		percentile(xs, 99)
	}
}

// TestNginxConf checks the nginx baseline is configured as the issue asks,
// since CI machines without nginx never run it.
func TestNginxConf(t *testing.T) {
	conf := nginxConf("/tmp/x", 8080, "127.0.0.1:9000", 256)
	for _, want := range []string{
		"listen 127.0.0.1:8080;",
		"server 127.0.0.1:9000; keepalive 256;",
		"proxy_http_version 1.1;",
		`proxy_set_header Connection "";`,
		"proxy_buffering off;",
		"proxy_request_buffering off;",
		"access_log off;",
		"pid /tmp/x/nginx.pid;",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("nginx.conf lacks %q", want)
		}
	}
	if strings.Count(conf, "{") != strings.Count(conf, "}") {
		t.Errorf("unbalanced braces in nginx.conf:\n%s", conf)
	}
}

func TestCLPFiles(t *testing.T) {
	files := clpFiles("http://127.0.0.1:1234")
	for _, name := range []string{"claude.json", "codex.json", "filter.json", "data/model_router_config.json"} {
		content, ok := files[name]
		if !ok {
			t.Errorf("no %s", name)
			continue
		}
		if !jsonValid(content) {
			t.Errorf("%s is not valid JSON:\n%s", name, content)
		}
	}
	if n := strings.Count(files["filter.json"], `"source"`); n != 5 {
		t.Errorf("filter.json has %d rules, want 5", n)
	}
	if !strings.Contains(files["claude.json"], `"base_url": "http://127.0.0.1:1234"`) {
		t.Errorf("claude.json does not point at the upstream: %s", files["claude.json"])
	}
}

// TestBareFiles loads the homes of clp and clp-bare the way the daemon does:
// both parse without problems, and clp-bare has no filter rule or detector,
// keeps no bodies and renames no model, where clp does all of it.
func TestBareFiles(t *testing.T) {
	load := func(files map[string]string) *clpconfig.Snapshot {
		t.Helper()
		home := t.TempDir()
		for name, content := range files {
			path := filepath.Join(home, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		snap, _, err := clpconfig.NewLoader(home).Load()
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.Problems) > 0 {
			t.Fatalf("problems: %+v", snap.Problems)
		}
		return snap
	}
	// matchers counts what the filter of snap runs: its rules and the
	// detectors it leaves on.
	matchers := func(snap *clpconfig.Snapshot) int {
		t.Helper()
		f, err := redact.Compile(snap.Filter, redact.Options{Detectors: snap.System.Detectors})
		if err != nil {
			t.Fatal(err)
		}
		_, rep := f.Apply("claude", []byte(`{"model":"m","messages":[{"role":"user","content":"sk-ant-api03-`+strings.Repeat("A", 95)+`AA password=hunter2"}]}`))
		return rep.Total()
	}
	full, bare := load(clpFiles("http://127.0.0.1:1234")), load(bareFiles("http://127.0.0.1:1234"))
	if n := matchers(full); n == 0 {
		t.Errorf("clp's filter redacted nothing in a body with a key and a password")
	}
	if n := matchers(bare); n != 0 {
		t.Errorf("clp-bare's filter redacted %d things, want none", n)
	}
	if full.System.BodyCap() <= 0 || bare.System.BodyCap() != 0 || bare.System.LogBodyKB >= 0 {
		t.Errorf("body caps: clp %d, clp-bare %d (logBodyKB %d); want bodies kept by clp only",
			full.System.BodyCap(), bare.System.BodyCap(), bare.System.LogBodyKB)
	}
	if len(full.Router.ModelMappings["claude"]) == 0 || len(bare.Router.ModelMappings["claude"]) != 0 {
		t.Errorf("rename rules: clp %v, clp-bare %v", full.Router.ModelMappings, bare.Router.ModelMappings)
	}
	if bare.Service("claude").Active < 0 {
		t.Errorf("clp-bare has no active claude config")
	}
}
