package main

import (
	"context"
	"io"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTable(t *testing.T) {
	b := &bench{targets: []*target{{Name: "direct"}, {Name: "stdlib"}, {Name: "clp"}}}
	b.add(row{Scenario: "1 sequential", Metric: "added p50", Unit: "µs",
		Vals: map[string]float64{"stdlib": 200, "clp": 150}, Aim: "≤ stdlib", Met: atMost("stdlib", 0)})
	b.add(row{Scenario: "2 throughput", Metric: "requests/s", Unit: "req/s",
		Vals: map[string]float64{"direct": 9000, "stdlib": 4000, "clp": 3000}, Aim: "≥ stdlib", Met: atLeast("stdlib")})
	var sb strings.Builder
	b.table(&sb)
	lines := strings.Split(strings.TrimSpace(sb.String()), "\n")
	want := []string{
		"| scenario | metric | unit | direct | stdlib | clp | clp ÷ stdlib | aim for clp | met |",
		"| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
		"| 1 sequential | added p50 | µs | – | 200 | 150 | 0.75× | ≤ stdlib | yes |",
		"| 2 throughput | requests/s | req/s | 9000 | 4000 | 3000 | 0.75× | ≥ stdlib | no |",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), sb.String())
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
}

// TestBaselineProxyStreams checks the baseline passes each event through at
// once and the bytes unchanged, so it is a fair reference.
func TestBaselineProxyStreams(t *testing.T) {
	up := httptest.NewServer(upstream())
	defer up.Close()
	u, _ := url.Parse(up.URL)
	px := httptest.NewServer(baselineProxy(u, 4))
	defer px.Close()
	c := newClient(2)
	spec := streamSpec{Events: 5, Delay: 30 * time.Millisecond, EventSize: 100}
	body := requestBody(1<<10, true)
	ctx := context.Background()
	direct, err := stream(ctx, c, &target{Name: "direct", URL: up.URL}, body, spec)
	if err != nil {
		t.Fatal(err)
	}
	proxied, err := stream(ctx, c, &target{Name: "stdlib", URL: px.URL}, body, spec)
	if err != nil {
		t.Fatal(err)
	}
	if proxied.Sum != direct.Sum || proxied.Events != 5 {
		t.Errorf("proxied stream differs: %d events, same bytes %v", proxied.Events, proxied.Sum == direct.Sum)
	}
	// A buffering proxy would deliver everything at the end: the first event
	// after ~4 delays and the gaps near zero. Allow for a loaded machine.
	if proxied.TTFE > 2*spec.Delay {
		t.Errorf("first event after %v through the proxy (delay %v): buffered?", proxied.TTFE, spec.Delay)
	}
	spaced := 0
	for _, g := range proxied.Gaps {
		if g >= spec.Delay/2 {
			spaced++
		}
	}
	if spaced < len(proxied.Gaps)/2 {
		t.Errorf("gaps %v: events coalesced", proxied.Gaps)
	}
}

// TestExactBody checks the inbound body ends with io.EOF together with its
// last byte and never reads the underlying body again after that.
func TestExactBody(t *testing.T) {
	tests := []struct {
		name string
		data string
		n    int64
		want string
	}{
		{"exact", "hello", 5, "hello"},
		{"longer underlying", "hello world", 5, "hello"},
		{"short underlying", "hi", 5, "hi"}, // a truncated body may be read again; it keeps saying EOF
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			under := &countingReader{r: strings.NewReader(tt.data)}
			b := &exactBody{rc: io.NopCloser(under), n: tt.n}
			got, err := io.ReadAll(b)
			if err != nil || string(got) != tt.want {
				t.Errorf("ReadAll = %q, %v; want %q", got, err, tt.want)
			}
			reads := under.reads
			if k, err := b.Read(make([]byte, 8)); k != 0 || err != io.EOF {
				t.Errorf("Read after end = %d, %v; want 0, EOF", k, err)
			}
			if int64(len(tt.data)) >= tt.n && under.reads != reads {
				t.Errorf("underlying body read again after the end")
			}
		})
	}
}

type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(p []byte) (int, error) {
	c.reads++
	return c.r.Read(p)
}
