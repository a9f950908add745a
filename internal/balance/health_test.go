package balance

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHealthResetForgetRename(t *testing.T) {
	clk := newClock()
	p := NewPool(clk.Now)
	p.Configure(settings(WeightBased, true))
	p.Candidates(members("c:1 a:1 b:1"), settings(WeightBased, true), "", nil)
	exclude(p, "a")
	p.Report("b", "s", Outcome{OK: true})
	p.Report("b", "", Outcome{Reason: "timeout"})

	names := func() []string {
		var out []string
		for _, h := range p.Health() {
			out = append(out, h.Name)
		}
		return out
	}
	if got, want := names(), []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Fatalf("Health names = %q, want %q (sorted)", got, want)
	}
	want := Health{Name: "b", ConsecutiveFailures: 1, TotalFailures: 1, TotalSuccesses: 1, LastError: "timeout", LastFailure: clk.Now()}
	if got := healthOf(t, p, "b"); got != want {
		t.Errorf("health b = %+v, want %+v", got, want)
	}

	p.Reset("a")
	if got := healthOf(t, p, "a"); got != (Health{Name: "a"}) {
		t.Errorf("after Reset(a): %+v, want zero health", got)
	}
	if got := healthOf(t, p, "b"); got.TotalFailures != 1 {
		t.Errorf("Reset(a) touched b: %+v", got)
	}
	p.Reset("")
	if got := healthOf(t, p, "b"); got != (Health{Name: "b"}) {
		t.Errorf("after Reset(\"\"): %+v, want zero health", got)
	}

	exclude(p, "b")
	p.Rename("b", "b2")
	if got, want := names(), []string{"a", "b2", "c"}; !slices.Equal(got, want) {
		t.Fatalf("after Rename names = %q, want %q", got, want)
	}
	if got := healthOf(t, p, "b2"); got.ConsecutiveFailures != 3 || got.ExcludedUntil.IsZero() {
		t.Errorf("renamed health = %+v, want it carried over", got)
	}
	if got, _ := p.sessions.get("s", clk.Now()); got != "b2" {
		t.Errorf("session after Rename = %q, want b2", got)
	}

	p.Forget([]string{"a", "c"})
	if got, want := names(), []string{"a", "c"}; !slices.Equal(got, want) {
		t.Errorf("after Forget names = %q, want %q", got, want)
	}
	if got, ok := p.sessions.get("s", clk.Now()); ok {
		t.Errorf("session of a forgotten config kept: %q", got)
	}
}

func TestExportImport(t *testing.T) {
	clk := newClock()
	p := NewPool(clk.Now)
	p.Configure(settings(WeightBased, true))
	exclude(p, "a")
	p.Report("b", "", Outcome{Reason: "429", RetryAfter: time.Minute})
	p.Report("b", "", Outcome{OK: true})
	p.Report("c", "", Outcome{OK: true})
	data := p.Export()
	if !json.Valid(data) {
		t.Fatalf("Export is not JSON: %s", data)
	}

	q := NewPool(clk.Now)
	q.Report("stale", "", Outcome{Reason: "x"})
	if err := q.Import(data); err != nil {
		t.Fatalf("Import: %v", err)
	}
	if got, want := q.Health(), p.Health(); !slices.EqualFunc(got, want, sameHealth) {
		t.Errorf("imported health:\n%+v\nwant\n%+v", got, want)
	}
	// The exclusions survive: a is excluded by failures, b by Retry-After.
	got := q.Candidates(members("a:9 b:8 c:1"), settings(WeightBased, true), "", nil)
	if want := []string{"c", "a", "b"}; !slices.Equal(got, want) {
		t.Errorf("Candidates after Import = %q, want %q", got, want)
	}
	clk.Advance(10 * time.Minute)
	got = q.Candidates(members("a:9 b:8 c:1"), settings(WeightBased, true), "", nil)
	if want := []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("Candidates after the exclusions ended = %q, want %q", got, want)
	}
}

func TestImportErrors(t *testing.T) {
	tests := []struct{ data, want string }{
		{`not json`, "import health: invalid character"},
		{`{"version":2,"configs":{}}`, "unsupported version 2"},
		{`{"configs":{}}`, "unsupported version 0"},
		{`{"version":1,"configs":{"a":{"totalFailures":-1}}}`, "configs.a: negative count"},
	}
	for _, tt := range tests {
		p := NewPool(newClock().Now)
		p.Report("keep", "", Outcome{Reason: "x"})
		err := p.Import([]byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Import(%s) = %v, want error containing %q", tt.data, err, tt.want)
		}
		if h := p.Health(); len(h) != 1 || h[0].Name != "keep" {
			t.Errorf("failed Import changed the pool: %+v", h)
		}
	}
}

// TestConcurrent runs every method at once; run it with -race.
func TestConcurrent(t *testing.T) {
	clk := newClock()
	p := NewPool(clk.Now)
	ms := members("a:3 b:2 c:1 d:0")
	const goroutines, rounds = 8, 300
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			var dst []string
			modes := []Mode{ActiveFirst, WeightBased, WeightedRoundRobin}
			for i := range rounds {
				s := settings(modes[(g+i)%3], true)
				dst = p.Candidates(ms, s, fmt.Sprintf("s%d", i%17), dst)
				if len(dst) != len(ms) {
					t.Errorf("Candidates returned %d configs, want %d", len(dst), len(ms))
					return
				}
				p.Report(dst[0], fmt.Sprintf("s%d", i%17), Outcome{OK: i%4 != 0, Reason: "503"})
				switch i % 50 {
				case 0:
					p.Health()
				case 10:
					p.Export()
				case 20:
					p.Reset("c")
				case 30:
					clk.Advance(time.Second)
				}
			}
		})
	}
	wg.Wait()
	var reports int64
	for _, h := range p.Health() {
		reports += h.TotalFailures + h.TotalSuccesses
	}
	// Reset("c") may have cleared some of c's counts, so only a bound holds.
	if reports > goroutines*rounds || reports == 0 {
		t.Errorf("health counts %d reports, want between 1 and %d", reports, goroutines*rounds)
	}
}

// sameHealth compares times by instant: imported times are in local time.
func sameHealth(a, b Health) bool {
	return a.Name == b.Name && a.ConsecutiveFailures == b.ConsecutiveFailures &&
		a.TotalFailures == b.TotalFailures && a.TotalSuccesses == b.TotalSuccesses &&
		a.ExcludedUntil.Equal(b.ExcludedUntil) && a.LastError == b.LastError &&
		a.LastFailure.Equal(b.LastFailure)
}
