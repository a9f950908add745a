package balance

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock for the pool.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func settings(mode Mode, failover bool) ServiceSettings {
	return ServiceSettings{Mode: mode, FailureThreshold: 3, AutoReset: 10 * time.Minute,
		Failover: failover, Affinity: true, AffinityTTL: time.Hour}
}

// exclude reports enough failures to exclude each named config.
func exclude(p *Pool, names ...string) {
	for _, n := range names {
		for range 3 {
			p.Report(n, "", Outcome{Reason: "503"})
		}
	}
}

// members parses "name:weight[*][-]" items: * marks active, - disabled.
func members(spec string) []Member {
	var out []Member
	for _, f := range strings.Fields(spec) {
		var m Member
		if strings.HasSuffix(f, "-") {
			m.Disabled, f = true, f[:len(f)-1]
		}
		if strings.HasSuffix(f, "*") {
			m.Active, f = true, f[:len(f)-1]
		}
		name, w, _ := strings.Cut(f, ":")
		m.Name = name
		for _, c := range w {
			m.Weight = m.Weight*10 + float64(c-'0')
		}
		out = append(out, m)
	}
	return out
}

func TestCandidates(t *testing.T) {
	tests := []struct {
		name     string
		members  string
		s        ServiceSettings
		excluded []string
		want     string
	}{
		{"active-first", "a:1 b:5* c:9", settings(ActiveFirst, false), nil, "b"},
		{"active-first none active", "a:1 b:5 c:9", settings(ActiveFirst, false), nil, "a"},
		{"active-first active disabled", "a:1- b:5*- c:9 d:3", settings(ActiveFirst, false), nil, "c"},
		{"active-first failover", "a:1 b:5* c:9 d:1 e:9", settings(ActiveFirst, true), nil, "b c e a d"},
		{"active-first excluded alone", "a:1 b:5* c:9", settings(ActiveFirst, false), []string{"b"}, "b"},
		{"active-first excluded with failover", "a:1 b:5* c:9 d:1", settings(ActiveFirst, true), []string{"b", "c"}, "a d c b"},
		{"active-first all excluded", "a:1 b:5* c:9", settings(ActiveFirst, true), []string{"a", "b", "c"}, "c b a"},
		{"active-first single excluded", "a:1-  b:5", settings(ActiveFirst, true), []string{"b"}, "b"},
		{"weight-based", "a:1 b:5* c:9 d:5 e:0", settings(WeightBased, true), nil, "c b d a e"},
		{"weight-based excluded last", "a:1 b:5 c:9 d:5", settings(WeightBased, true), []string{"c", "b"}, "d a c b"},
		{"weight-based no failover", "a:1 b:5 c:9", settings(WeightBased, false), []string{"c"}, "b"},
		{"weight-based disabled", "a:1 b:5- c:9-", settings(WeightBased, true), nil, "a"},
		{"weight-based bad weights", "a:0 b:2 c:0", settings(WeightBased, true), nil, "b a c"},
		{"wrr first pick", "a:1 b:5 c:9", settings(WeightedRoundRobin, true), nil, "c b a"},
		{"wrr skips excluded", "a:1 b:5 c:9", settings(WeightedRoundRobin, true), []string{"c"}, "b a c"},
		{"wrr weight 0 is failover only", "a:0 b:1 c:0", settings(WeightedRoundRobin, true), nil, "b a c"},
		{"wrr only failover left", "a:0 b:1 c:0", settings(WeightedRoundRobin, true), []string{"b"}, "a c b"},
		{"wrr all zero", "a:0 b:0 c:0", settings(WeightedRoundRobin, true), nil, "a b c"},
		{"wrr no failover", "a:1 b:5 c:9", settings(WeightedRoundRobin, false), nil, "c"},
		{"nothing enabled", "a:1- b:2-", settings(WeightBased, true), nil, ""},
		{"no members", "", settings(ActiveFirst, true), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPool(newClock().Now)
			p.Configure(tt.s)
			exclude(p, tt.excluded...)
			got := p.Candidates(members(tt.members), tt.s, "", nil)
			if strings.Join(got, " ") != tt.want {
				t.Errorf("Candidates = %q, want %q", strings.Join(got, " "), tt.want)
			}
		})
	}
}

func TestCandidatesNaNAndNegativeWeights(t *testing.T) {
	p := NewPool(newClock().Now)
	ms := []Member{{Name: "nan", Weight: math.NaN()}, {Name: "neg", Weight: -5}, {Name: "one", Weight: 1}}
	got := p.Candidates(ms, settings(WeightBased, true), "", nil)
	if want := []string{"one", "nan", "neg"}; !slices.Equal(got, want) {
		t.Errorf("Candidates = %q, want %q", got, want)
	}
}

// picks returns the first candidate of n successive requests.
func picks(p *Pool, ms []Member, s ServiceSettings, n int) string {
	var b strings.Builder
	var dst []string
	for range n {
		dst = p.Candidates(ms, s, "", dst)
		b.WriteString(dst[0])
	}
	return b.String()
}

func TestSmoothWRRSequence(t *testing.T) {
	tests := []struct {
		members string
		want    string
	}{
		{"a:5 b:1 c:1", "aabacaa" + "aabacaa"}, // nginx's documented sequence
		{"a:1 b:1 c:1", "abcabc"},
		{"a:0 b:0 c:0", "abcabc"},
		{"a:2 b:1 c:0", "abaaba"},
		{"a:1 b:3", "babbbabb"},
	}
	for _, tt := range tests {
		p := NewPool(newClock().Now)
		if got := picks(p, members(tt.members), settings(WeightedRoundRobin, true), len(tt.want)); got != tt.want {
			t.Errorf("%s: picks = %s, want %s", tt.members, got, tt.want)
		}
	}
}

func TestWRRDistribution(t *testing.T) {
	tests := []struct {
		name string
		ms   []Member
	}{
		{"integers", members("a:50 b:30 c:15 d:5")},
		{"fractions", []Member{{Name: "a", Weight: 0.6}, {Name: "b", Weight: 0.3}, {Name: "c", Weight: 0.07}, {Name: "d", Weight: 0.03}}},
		{"primes", members("a:7 b:11 c:13")},
	}
	const n = 10000
	for _, tt := range tests {
		p := NewPool(newClock().Now)
		count := map[string]int{}
		var dst []string
		for range n {
			dst = p.Candidates(tt.ms, settings(WeightedRoundRobin, true), "", dst)
			count[dst[0]]++
		}
		total := 0.0
		for _, m := range tt.ms {
			total += m.Weight
		}
		for _, m := range tt.ms {
			want := m.Weight / total
			got := float64(count[m.Name]) / n
			if math.Abs(got-want) > 0.01*want {
				t.Errorf("%s: %s got %.4f of picks, want %.4f ±1%%", tt.name, m.Name, got, want)
			}
		}
	}
}

func TestWRRSkipsExcludedThenReadmits(t *testing.T) {
	clk := newClock()
	p := NewPool(clk.Now)
	ms := members("a:1 b:1 c:1")
	s := settings(WeightedRoundRobin, true)
	p.Configure(s)
	exclude(p, "b")
	if got := picks(p, ms, s, 6); got != "acacac" {
		t.Errorf("with b excluded: picks = %s, want acacac", got)
	}
	clk.Advance(10 * time.Minute)
	if got := picks(p, ms, s, 300); strings.Count(got, "b") != 100 {
		t.Errorf("after re-admission b got %d of 300 picks, want 100", strings.Count(got, "b"))
	}
}

func TestExclusion(t *testing.T) {
	clk := newClock()
	p := NewPool(clk.Now)
	ms := members("a:9 b:1")
	s := settings(WeightBased, true)
	first := func() string { return p.Candidates(ms, s, "", nil)[0] }

	for i := 1; i <= 2; i++ {
		p.Report("a", "", Outcome{Reason: "dial tcp: refused"})
		if got := first(); got != "a" {
			t.Fatalf("after %d failures first = %s, want a (threshold 3)", i, got)
		}
	}
	p.Report("a", "", Outcome{Reason: "status 529"})
	if got := first(); got != "b" {
		t.Fatalf("after 3 failures first = %s, want b", got)
	}
	excludedAt := clk.Now()
	h := healthOf(t, p, "a")
	if want := excludedAt.Add(10 * time.Minute); !h.ExcludedUntil.Equal(want) || h.ConsecutiveFailures != 3 || h.LastError != "status 529" {
		t.Errorf("health = %+v, want excluded until %v, 3 failures, last error status 529", h, want)
	}

	clk.Advance(10*time.Minute - time.Nanosecond)
	if got := first(); got != "b" {
		t.Fatalf("1ns before the reset first = %s, want b", got)
	}
	clk.Advance(time.Nanosecond)
	if got := first(); got != "a" {
		t.Fatalf("exactly after autoResetMinutes first = %s, want a", got)
	}
	if h := healthOf(t, p, "a"); !h.ExcludedUntil.IsZero() {
		t.Errorf("re-admitted config still shows ExcludedUntil %v", h.ExcludedUntil)
	}

	// Half open: one more failure excludes it again at once.
	p.Report("a", "", Outcome{Reason: "again"})
	if got := first(); got != "b" {
		t.Fatalf("failure after re-admission: first = %s, want b", got)
	}
	// A success (say, a request that was in flight) lifts the exclusion.
	p.Report("a", "", Outcome{OK: true})
	if got := first(); got != "a" {
		t.Fatalf("after a success first = %s, want a", got)
	}
	h = healthOf(t, p, "a")
	if h.ConsecutiveFailures != 0 || h.TotalFailures != 4 || h.TotalSuccesses != 1 || !h.LastFailure.Equal(clk.Now()) {
		t.Errorf("health = %+v, want 0 in a row, 4 failures, 1 success", h)
	}
}

func TestRetryAfter(t *testing.T) {
	clk := newClock()
	p := NewPool(clk.Now)
	ms := members("a:9 b:1")
	s := settings(WeightBased, true)
	p.Configure(s)
	p.Report("a", "", Outcome{Reason: "429", RetryAfter: 30 * time.Second})
	if got := p.Candidates(ms, s, "", nil)[0]; got != "b" {
		t.Fatalf("after 429 first = %s, want b", got)
	}
	// A success does not lift a rate limit.
	p.Report("a", "", Outcome{OK: true})
	clk.Advance(30*time.Second - time.Millisecond)
	if got := p.Candidates(ms, s, "", nil)[0]; got != "b" {
		t.Fatalf("before Retry-After elapsed first = %s, want b", got)
	}
	clk.Advance(time.Millisecond)
	if got := p.Candidates(ms, s, "", nil)[0]; got != "a" {
		t.Fatalf("after Retry-After first = %s, want a", got)
	}
	// A long Retry-After outlasts the failure exclusion.
	exclude(p, "b")
	p.Report("b", "", Outcome{Reason: "429", RetryAfter: time.Hour})
	if h := healthOf(t, p, "b"); !h.ExcludedUntil.Equal(clk.Now().Add(time.Hour)) {
		t.Errorf("ExcludedUntil = %v, want now+1h", h.ExcludedUntil)
	}
}

func TestAffinity(t *testing.T) {
	clk := newClock()
	p := NewPool(clk.Now)
	ms := members("a:1 b:1 c:1")
	s := settings(WeightedRoundRobin, true)
	first := func(key string) string { return p.Candidates(ms, s, key, nil)[0] }

	if got := first("s1"); got != "a" {
		t.Fatalf("first pick = %s, want a", got)
	}
	p.Report("b", "s1", Outcome{OK: true}) // s1 failed over to b and succeeded there
	for range 5 {
		if got := first("s1"); got != "b" {
			t.Fatalf("session s1 went to %s, want b", got)
		}
	}
	// Pinned requests do not advance the round robin.
	if got := first(""); got != "b" {
		t.Errorf("next unpinned pick = %s, want b (second in the rotation)", got)
	}
	if got := strings.Join(p.Candidates(ms, s, "s1", nil), " "); got != "b a c" {
		t.Errorf("pinned candidates = %q, want b first then the failover order", got)
	}

	// A failure does not move the session; an exclusion makes it yield.
	p.Report("b", "s1", Outcome{Reason: "503"})
	if got := first("s1"); got != "b" {
		t.Errorf("after one failure s1 went to %s, want b", got)
	}
	exclude(p, "b")
	if got := first("s1"); got == "b" {
		t.Errorf("s1 stuck to excluded b")
	}
	p.Reset("b")
	if got := first("s1"); got != "b" {
		t.Errorf("after reset s1 went to %s, want b", got)
	}

	// Disabled yields; a success elsewhere moves the session.
	disabled := members("a:1 b:1- c:1")
	if got := p.Candidates(disabled, s, "s1", nil)[0]; got == "b" {
		t.Errorf("s1 went to disabled b")
	}
	p.Report("c", "s1", Outcome{OK: true})
	if got := first("s1"); got != "c" {
		t.Errorf("after success on c s1 went to %s, want c", got)
	}

	// Expiry: affinityMinutes after the last success.
	clk.Advance(time.Hour - time.Second)
	if got := first("s1"); got != "c" {
		t.Errorf("before expiry s1 went to %s, want c", got)
	}
	clk.Advance(time.Second)
	if got, ok := p.sessions.get("s1", clk.Now()); ok {
		t.Errorf("after expiry s1 still pinned to %s", got)
	}
	var got strings.Builder
	for range 3 {
		got.WriteString(first("s1"))
	}
	if got.String() == "ccc" {
		t.Errorf("after expiry s1 went to c three times in a row, want the rotation")
	}
}

func TestAffinityModes(t *testing.T) {
	tests := []struct {
		name string
		s    ServiceSettings
		ms   string
		want string
	}{
		{"weight-based", settings(WeightBased, true), "a:9 b:1 c:5", "b"},
		{"active-first ignores", settings(ActiveFirst, true), "a:9* b:1 c:5", "a"},
		{"affinity off", ServiceSettings{Mode: WeightBased, Failover: true}, "a:9 b:1 c:5", "a"},
		{"wrr weight 0 not honoured", settings(WeightedRoundRobin, true), "a:9 b:0 c:5", "a"},
		{"wrr all zero honoured", settings(WeightedRoundRobin, true), "a:0 b:0 c:0", "b"},
	}
	for _, tt := range tests {
		p := NewPool(newClock().Now)
		p.Configure(settings(WeightBased, true)) // affinity on while recording
		p.Report("b", "s", Outcome{OK: true})
		if got := p.Candidates(members(tt.ms), tt.s, "s", nil)[0]; got != tt.want {
			t.Errorf("%s: first = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestSessionsLRU(t *testing.T) {
	now := time.Unix(0, 0)
	later := now.Add(time.Hour)
	s := newSessions(3)
	s.put("k1", "a", later)
	s.put("k2", "b", later)
	s.put("k3", "c", later)
	s.get("k1", now)        // k2 is now the least recently used
	s.put("k4", "d", later) // evicts k2
	s.put("k3", "e", later) // update in place
	want := map[string]string{"k1": "a", "k2": "", "k3": "e", "k4": "d"}
	for k, w := range want {
		if got, _ := s.get(k, now); got != w {
			t.Errorf("get(%s) = %q, want %q", k, got, w)
		}
	}
	if len(s.entries) != 3 || len(s.index) != 3 {
		t.Errorf("size = %d entries, %d indexed; want 3", len(s.entries), len(s.index))
	}
	if _, ok := s.get("k1", later); ok {
		t.Error("get at the expiry instant returned the session")
	}
	// The list stays consistent after many updates.
	for i := range 1000 {
		s.put(string(rune('a'+i%7)), "x", later)
	}
	n := 0
	for i := s.head; i >= 0; i = s.entries[i].next {
		n++
	}
	if n != 3 {
		t.Errorf("list holds %d entries, want 3", n)
	}
}

func TestSessionsBounded(t *testing.T) {
	p := NewPool(newClock().Now)
	p.Configure(settings(WeightBased, true))
	for i := range maxSessions + 500 {
		p.Report("a", "session-"+strings.Repeat("x", i%5)+string(rune(i)), Outcome{OK: true})
	}
	if got := len(p.sessions.index); got != maxSessions {
		t.Errorf("sessions = %d, want the bound %d", got, maxSessions)
	}
}

func healthOf(t *testing.T, p *Pool, name string) Health {
	t.Helper()
	for _, h := range p.Health() {
		if h.Name == name {
			return h
		}
	}
	t.Fatalf("no health for %s", name)
	return Health{}
}
