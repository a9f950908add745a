package e2e

import (
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrapeMetrics fetches GET /metrics from the UI port as Prometheus does and
// parses it with the reference text parser.
func scrapeMetrics(t *testing.T, in *instance) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(in.uiURL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /metrics: %s\n%s", resp.Status, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("GET /metrics: Content-Type %q, want the text format", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// metricValues flattens counters and gauges to "name{k=v,...}" → value.
func metricValues(fams map[string]*dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for name, mf := range fams {
		for _, m := range mf.GetMetric() {
			var parts []string
			for _, l := range m.GetLabel() {
				parts = append(parts, l.GetName()+"="+l.GetValue())
			}
			sort.Strings(parts)
			k := name + "{" + strings.Join(parts, ",") + "}"
			switch {
			case m.Counter != nil:
				out[k] = m.GetCounter().GetValue()
			case m.Gauge != nil:
				out[k] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

func histogramCount(fams map[string]*dto.MetricFamily, name, service string) uint64 {
	for _, m := range fams[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "service" && l.GetValue() == service {
				return m.GetHistogram().GetSampleCount()
			}
		}
	}
	return 0
}

// TestMetricsAfterTraffic drives both proxies (answers, a client error, a
// failover past an overloaded config) and checks what /metrics says.
func TestMetricsAfterTraffic(t *testing.T) {
	claude := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if strings.Contains(string(b), "bad request") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			io.WriteString(w, `{"type":"error","error":{"type":"invalid_request_error","message":"nope"}}`)
			return
		}
		writeEvents(w, anthropicEvents("claude-sonnet-4-5", "hi"))
	})
	down := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(529) })
	codex := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, responsesEvents("gpt-5-codex", "hi"))
	})
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("c", claude.URL, "auth_token", "tok-0000000001", true)))
	in.writeFile("codex.json", `{"down": {"base_url": "`+down.URL+`", "api_key": "tok-0000000002", "weight": 10},
		"x": {"base_url": "`+codex.URL+`/v1", "api_key": "tok-0000000003", "weight": 1, "active": true}}`)
	// Codex: "down" goes first by weight and is excluded after 2 failures.
	in.writeFile("data/lb_config.json", `{"mode": "active-first", "services": {"codex": {"mode": "weight-based", "failureThreshold": 2, "autoResetMinutes": 10, "affinity": false}}}`)
	in.start()

	post := func(url, body string) int {
		t.Helper()
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for range 3 {
		if code := post(in.claudeURL()+"/v1/messages", `{"model":"claude-sonnet-4-5","stream":true,"messages":[]}`); code != 200 {
			t.Fatalf("claude: status %d", code)
		}
	}
	if code := post(in.claudeURL()+"/v1/messages", `{"model":"claude-sonnet-4-5","stream":true,"messages":["bad request"]}`); code != 400 {
		t.Fatalf("claude bad request: status %d, want 400", code)
	}
	for range 3 {
		if code := post(in.codexURL()+"/v1/responses", `{"model":"gpt-5-codex","stream":true,"input":"q"}`); code != 200 {
			t.Fatalf("codex: status %d", code)
		}
	}

	// Records reach the metrics when each response has ended, which may be
	// just after the client read its last byte.
	var fams map[string]*dto.MetricFamily
	var got map[string]float64
	deadline := time.Now().Add(10 * time.Second)
	for {
		fams = scrapeMetrics(t, in)
		got = metricValues(fams)
		total := 0.0
		for k, v := range got {
			if strings.HasPrefix(k, "clp_requests_total{") {
				total += v
			}
		}
		if total >= 7 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}

	want := map[string]float64{
		"clp_requests_total{config=c,service=claude,status_class=2xx}": 3,
		"clp_requests_total{config=c,service=claude,status_class=4xx}": 1,
		"clp_requests_total{config=x,service=codex,status_class=2xx}":  3,
		"clp_request_errors_total{config=c,service=claude}":            1,
		"clp_request_errors_total{config=x,service=codex}":             0,
		// Claude: 25 input, 100 cache read, 15 output per answer.
		"clp_tokens_total{kind=input,model=claude-sonnet-4-5,service=claude}":       75,
		"clp_tokens_total{kind=cache_read,model=claude-sonnet-4-5,service=claude}":  300,
		"clp_tokens_total{kind=cache_write,model=claude-sonnet-4-5,service=claude}": 0,
		"clp_tokens_total{kind=output,model=claude-sonnet-4-5,service=claude}":      45,
		"clp_tokens_total{kind=reasoning,model=claude-sonnet-4-5,service=claude}":   0,
		// Responses: 40 input of which 30 cached, 12 output of which 4 reasoning.
		"clp_tokens_total{kind=input,model=gpt-5-codex,service=codex}":       30,
		"clp_tokens_total{kind=cache_read,model=gpt-5-codex,service=codex}":  90,
		"clp_tokens_total{kind=cache_write,model=gpt-5-codex,service=codex}": 0,
		"clp_tokens_total{kind=output,model=gpt-5-codex,service=codex}":      36,
		"clp_tokens_total{kind=reasoning,model=gpt-5-codex,service=codex}":   12,
		"clp_active_streams{service=claude}":                                 0,
		"clp_active_streams{service=codex}":                                  0,
		"clp_config_healthy{config=c,service=claude}":                        1,
		"clp_config_healthy{config=down,service=codex}":                      0,
		"clp_config_healthy{config=x,service=codex}":                         1,
		"clp_config_consecutive_failures{config=c,service=claude}":           0,
		"clp_config_consecutive_failures{config=down,service=codex}":         2,
		"clp_config_consecutive_failures{config=x,service=codex}":            0,
		"clp_log_records_dropped_total{}":                                    0,
	}
	clp := map[string]float64{}
	for k, v := range got {
		if strings.HasPrefix(k, "clp_") && !strings.HasPrefix(k, "clp_build_info") {
			clp[k] = v
		}
	}
	if !maps.Equal(clp, want) {
		var b strings.Builder
		for _, k := range slices.Sorted(maps.Keys(clp)) {
			if clp[k] != want[k] {
				b.WriteString("\n  " + k + " = " + ftoa(clp[k]) + ", want " + ftoa(want[k]))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if _, ok := clp[k]; !ok {
				b.WriteString("\n  missing " + k)
			}
		}
		t.Errorf("/metrics differs:%s", b.String())
	}
	for svc, n := range map[string]uint64{"claude": 4, "codex": 3} {
		if c := histogramCount(fams, "clp_request_duration_seconds", svc); c != n {
			t.Errorf("clp_request_duration_seconds{service=%s} count = %d, want %d", svc, c, n)
		}
		if c := histogramCount(fams, "clp_time_to_first_byte_seconds", svc); c != n {
			t.Errorf("clp_time_to_first_byte_seconds{service=%s} count = %d, want %d", svc, c, n)
		}
	}
	if fams["clp_build_info"] == nil || fams["go_goroutines"] == nil || fams["process_resident_memory_bytes"] == nil {
		t.Errorf("missing clp_build_info, go_goroutines or process_resident_memory_bytes")
	}

	// The Host guard covers /metrics like every other UI route.
	req, _ := http.NewRequest("GET", in.uiURL()+"/metrics", nil)
	req.Host = "attacker.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("GET /metrics with a foreign Host: %d, want 403", resp.StatusCode)
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
