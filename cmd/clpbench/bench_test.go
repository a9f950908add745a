package main

import (
	"strings"
	"testing"
	"time"
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
