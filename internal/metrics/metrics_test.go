package metrics

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/clp-proxy/clp/internal/api"
)

func usage(in, cr, cw, out, reason int64) *api.Usage {
	return &api.Usage{InputTokens: in, CacheReadTokens: cr, CacheWriteTokens: cw, OutputTokens: out, ReasoningTokens: reason}
}

func TestObserveCounters(t *testing.T) {
	tests := []struct {
		name string
		recs []api.Record
		want map[string]float64
	}{
		{
			name: "answered with usage",
			recs: []api.Record{{Service: "claude", Config: "prod", ModelRequested: "opus", ModelSent: "sonnet", Status: 200,
				Usage: usage(25, 100, 7, 15, 0)}},
			want: map[string]float64{
				"clp_requests_total{config=prod,service=claude,status_class=2xx}": 1,
				"clp_request_errors_total{config=prod,service=claude}":            0,
				"clp_tokens_total{kind=input,model=sonnet,service=claude}":        25,
				"clp_tokens_total{kind=cache_read,model=sonnet,service=claude}":   100,
				"clp_tokens_total{kind=cache_write,model=sonnet,service=claude}":  7,
				"clp_tokens_total{kind=output,model=sonnet,service=claude}":       15,
				"clp_tokens_total{kind=reasoning,model=sonnet,service=claude}":    0,
			},
		},
		{
			name: "tokens sum over requests, model falls back to the requested one",
			recs: []api.Record{
				{Service: "codex", Config: "a", ModelRequested: "gpt-5", Status: 200, Usage: usage(10, 30, 0, 12, 4)},
				{Service: "codex", Config: "b", ModelRequested: "gpt-5", Status: 200, Usage: usage(1, 2, 0, 3, 1)},
			},
			want: map[string]float64{
				"clp_requests_total{config=a,service=codex,status_class=2xx}":  1,
				"clp_requests_total{config=b,service=codex,status_class=2xx}":  1,
				"clp_request_errors_total{config=a,service=codex}":             0,
				"clp_request_errors_total{config=b,service=codex}":             0,
				"clp_tokens_total{kind=input,model=gpt-5,service=codex}":       11,
				"clp_tokens_total{kind=cache_read,model=gpt-5,service=codex}":  32,
				"clp_tokens_total{kind=cache_write,model=gpt-5,service=codex}": 0,
				"clp_tokens_total{kind=output,model=gpt-5,service=codex}":      15,
				"clp_tokens_total{kind=reasoning,model=gpt-5,service=codex}":   5,
			},
		},
		{
			name: "errors: upstream 5xx, 429, cut stream, client gone, no status",
			recs: []api.Record{
				{Service: "claude", Config: "p", Status: 502, Error: "unreachable"},
				{Service: "claude", Config: "p", Status: 429},
				{Service: "claude", Config: "p", Status: 200, Incomplete: true, Error: "upstream ended the stream"},
				{Service: "claude", Config: "p", Status: 499, Error: "client went away"},
				{Service: "claude", Config: "", Status: 0, Error: "x"},
				{Service: "claude", Config: "p", Status: 304},
			},
			want: map[string]float64{
				"clp_requests_total{config=p,service=claude,status_class=5xx}": 1,
				"clp_requests_total{config=p,service=claude,status_class=4xx}": 2,
				"clp_requests_total{config=p,service=claude,status_class=2xx}": 1,
				"clp_requests_total{config=p,service=claude,status_class=3xx}": 1,
				"clp_requests_total{config=,service=claude,status_class=none}": 1,
				"clp_request_errors_total{config=p,service=claude}":            4,
				"clp_request_errors_total{config=,service=claude}":             1,
			},
		},
		{
			name: "negative token counts from a broken upstream are ignored",
			recs: []api.Record{{Service: "claude", Config: "p", ModelSent: "m", Status: 200, Usage: usage(-5, 3, 0, 1, 0)}},
			want: map[string]float64{
				"clp_requests_total{config=p,service=claude,status_class=2xx}": 1,
				"clp_request_errors_total{config=p,service=claude}":            0,
				"clp_tokens_total{kind=input,model=m,service=claude}":          0,
				"clp_tokens_total{kind=cache_read,model=m,service=claude}":     3,
				"clp_tokens_total{kind=cache_write,model=m,service=claude}":    0,
				"clp_tokens_total{kind=output,model=m,service=claude}":         1,
				"clp_tokens_total{kind=reasoning,model=m,service=claude}":      0,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Options{})
			for i := range tt.recs {
				m.Observe(&tt.recs[i])
			}
			got := flatten(scrape(t, m), "clp_requests_total", "clp_request_errors_total", "clp_tokens_total")
			if !maps.Equal(got, tt.want) {
				t.Errorf("series differ\n got: %v\nwant: %v", sorted(got), sorted(tt.want))
			}
		})
	}
}

func sorted(m map[string]float64) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "\n  %s = %g", k, m[k])
	}
	return b.String()
}

func TestObserveHistograms(t *testing.T) {
	m := New(Options{})
	recs := []api.Record{
		{Service: "claude", Status: 200, DurationMS: 40, TTFBMS: 8},      // 0.04 s, 0.008 s
		{Service: "claude", Status: 200, DurationMS: 1500, TTFBMS: 300},  // 1.5 s, 0.3 s
		{Service: "claude", Status: 200, DurationMS: 90000, TTFBMS: 0},   // 90 s, no byte written
		{Service: "codex", Status: 200, DurationMS: 2000000, TTFBMS: 70}, // 2000 s, over every bucket
	}
	for i := range recs {
		m.Observe(&recs[i])
	}
	fams := scrape(t, m)
	tests := []struct {
		name, service string
		count         uint64
		sum           float64
		// le → cumulative count, for a few bounds
		buckets map[float64]uint64
	}{
		{"clp_request_duration_seconds", "claude", 3, 91.54, map[float64]uint64{0.05: 1, 1: 1, 2.5: 2, 60: 2, 120: 3, 1200: 3}},
		{"clp_request_duration_seconds", "codex", 1, 2000, map[float64]uint64{1200: 0}},
		{"clp_time_to_first_byte_seconds", "claude", 2, 0.308, map[float64]uint64{0.01: 1, 0.25: 1, 0.5: 2}},
		{"clp_time_to_first_byte_seconds", "codex", 1, 0.07, map[float64]uint64{0.05: 0, 0.1: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.service, func(t *testing.T) {
			h := histogram(fams, tt.name, tt.service)
			if h == nil {
				t.Fatalf("no %s{service=%q}", tt.name, tt.service)
			}
			if h.GetSampleCount() != tt.count || math.Abs(h.GetSampleSum()-tt.sum) > 1e-9 {
				t.Errorf("count, sum = %d, %g; want %d, %g", h.GetSampleCount(), h.GetSampleSum(), tt.count, tt.sum)
			}
			got := map[float64]uint64{}
			for _, b := range h.GetBucket() {
				if _, ok := tt.buckets[b.GetUpperBound()]; ok {
					got[b.GetUpperBound()] = b.GetCumulativeCount()
				}
			}
			if !maps.Equal(got, tt.buckets) {
				t.Errorf("buckets = %v, want %v", got, tt.buckets)
			}
		})
	}
}

func TestGauges(t *testing.T) {
	dropped := int64(3)
	m := New(Options{
		Version:       "v1.2.3",
		ActiveStreams: func() []ServiceCount { return []ServiceCount{{"claude", 2}, {"codex", 0}, {"claude", 9}} },
		Health: func() []ConfigHealth {
			return []ConfigHealth{
				{Service: "claude", Config: "prod", Healthy: true},
				{Service: "claude", Config: "relay", Healthy: false, ConsecutiveFailures: 3},
				{Service: "claude", Config: "relay", Healthy: true}, // listed twice: the first wins
				{Service: "codex", Config: "x", Healthy: true, ConsecutiveFailures: 1},
			}
		},
		DroppedRecords: func() int64 { return dropped },
	})
	want := map[string]float64{
		"clp_build_info{version=v1.2.3}":                               1,
		"clp_active_streams{service=claude}":                           2,
		"clp_active_streams{service=codex}":                            0,
		"clp_config_healthy{config=prod,service=claude}":               1,
		"clp_config_healthy{config=relay,service=claude}":              0,
		"clp_config_healthy{config=x,service=codex}":                   1,
		"clp_config_consecutive_failures{config=prod,service=claude}":  0,
		"clp_config_consecutive_failures{config=relay,service=claude}": 3,
		"clp_config_consecutive_failures{config=x,service=codex}":      1,
		"clp_log_records_dropped_total{}":                              3,
	}
	names := []string{"clp_build_info", "clp_active_streams", "clp_config_healthy", "clp_config_consecutive_failures", "clp_log_records_dropped_total"}
	fams := scrape(t, m)
	if got := flatten(fams, names...); !maps.Equal(got, want) {
		t.Errorf("series differ\n got: %v\nwant: %v", sorted(got), sorted(want))
	}
	if typ := fams["clp_log_records_dropped_total"].GetType().String(); typ != "COUNTER" {
		t.Errorf("clp_log_records_dropped_total is a %s, want COUNTER", typ)
	}
	// Read at scrape time: a later scrape sees the new value.
	dropped = 10
	if got := flatten(scrape(t, m), "clp_log_records_dropped_total")["clp_log_records_dropped_total{}"]; got != 10 {
		t.Errorf("dropped after change = %g, want 10", got)
	}
}

func TestNilSourcesExportNothing(t *testing.T) {
	fams := scrape(t, New(Options{}))
	for _, name := range []string{"clp_build_info", "clp_active_streams", "clp_config_healthy", "clp_config_consecutive_failures", "clp_log_records_dropped_total"} {
		if fams[name] != nil {
			t.Errorf("%s exported without a source", name)
		}
	}
}

func TestExtraCollectors(t *testing.T) {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "extra_total", Help: "x"})
	c.Add(4)
	m := New(Options{Collectors: []prometheus.Collector{c}})
	if got := flatten(scrape(t, m), "extra_total")["extra_total{}"]; got != 4 {
		t.Errorf("extra_total = %g, want 4", got)
	}
}

func TestModelLabelsAreBounded(t *testing.T) {
	m := New(Options{})
	const extra = 5
	for i := range MaxModels + extra {
		m.Observe(&api.Record{Service: "claude", ModelSent: fmt.Sprintf("model-%03d", i), Status: 200, Usage: usage(0, 0, 0, 1, 0)})
	}
	// A model seen before the cap keeps its own label afterwards.
	m.Observe(&api.Record{Service: "claude", ModelSent: "model-000", Status: 200, Usage: usage(0, 0, 0, 1, 0)})
	got := flatten(scrape(t, m), "clp_tokens_total")
	models := map[string]bool{}
	for k := range got {
		if strings.Contains(k, "kind=output,") {
			models[k] = true
		}
	}
	if len(models) != MaxModels+1 {
		t.Errorf("%d distinct models exported, want %d (the cap plus %q)", len(models), MaxModels+1, OtherModel)
	}
	if v := got["clp_tokens_total{kind=output,model=other,service=claude}"]; v != extra {
		t.Errorf("output tokens of %q = %g, want %d", OtherModel, v, extra)
	}
	if v := got["clp_tokens_total{kind=output,model=model-000,service=claude}"]; v != 2 {
		t.Errorf("output tokens of model-000 = %g, want 2", v)
	}
}

func TestNilObserve(t *testing.T) {
	var m *Metrics
	m.Observe(&api.Record{Service: "claude"}) // must not panic
	New(Options{}).Observe(nil)
}

func TestStatusClass(t *testing.T) {
	tests := []struct {
		code int
		want string
	}{
		{0, "none"}, {-1, "none"}, {99, "none"}, {100, "1xx"}, {200, "2xx"}, {299, "2xx"},
		{301, "3xx"}, {400, "4xx"}, {499, "4xx"}, {500, "5xx"}, {529, "5xx"}, {600, "none"},
	}
	for _, tt := range tests {
		if got := statusClass(tt.code); got != tt.want {
			t.Errorf("statusClass(%d) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestLabel(t *testing.T) {
	long := strings.Repeat("a", maxLabelLen+10)
	// A 3-byte rune straddling the cut must go whole.
	straddle := strings.Repeat("a", maxLabelLen-1) + "語"
	tests := []struct {
		name, in, want string
	}{
		{"plain", "claude-sonnet-4-5", "claude-sonnet-4-5"},
		{"empty", "", ""},
		{"invalid utf-8", "a\xffb\xfe", "a\uFFFDb\uFFFD"},
		{"long", long, long[:maxLabelLen]},
		{"rune at the cut", straddle, straddle[:maxLabelLen-1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := label(tt.in); got != tt.want {
				t.Errorf("label(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestBeyondTheCache: requests whose series are no longer remembered are
// still counted, on the same series.
func TestBeyondTheCache(t *testing.T) {
	m := New(Options{})
	for i := range maxCached {
		m.Observe(&api.Record{Service: "claude", Config: fmt.Sprintf("c%d", i), Status: 200})
	}
	late := &api.Record{Service: "claude", Config: "late", Status: 200}
	m.Observe(late)
	m.Observe(late)
	got := flatten(scrape(t, m), "clp_requests_total")
	if v := got["clp_requests_total{config=late,service=claude,status_class=2xx}"]; v != 2 {
		t.Errorf("requests of the uncached config = %g, want 2", v)
	}
	if len(got) != maxCached+1 {
		t.Errorf("%d request series, want %d", len(got), maxCached+1)
	}
}
