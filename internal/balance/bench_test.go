package balance

import (
	"testing"
	"time"
)

var benchMembers = []Member{
	{Name: "official", Weight: 10, Active: true},
	{Name: "relay-a", Weight: 5},
	{Name: "relay-b", Weight: 5},
	{Name: "company", Weight: 3},
	{Name: "spare", Weight: 0},
	{Name: "old", Weight: 1, Disabled: true},
}

func TestCandidatesAllocs(t *testing.T) {
	for _, mode := range []Mode{ActiveFirst, WeightBased, WeightedRoundRobin} {
		p := NewPool(newClock().Now)
		s := settings(mode, true)
		p.Configure(s)
		p.Report("relay-a", "session", Outcome{OK: true})
		exclude(p, "company")
		dst := p.Candidates(benchMembers, s, "session", nil)
		allocs := testing.AllocsPerRun(100, func() {
			dst = p.Candidates(benchMembers, s, "session", dst)
			dst = p.Candidates(benchMembers, s, "", dst)
		})
		if allocs != 0 {
			t.Errorf("%s: Candidates allocates %v times per call, want 0", mode, allocs)
		}
	}
}

func BenchmarkCandidates(b *testing.B) {
	for _, mode := range []Mode{ActiveFirst, WeightBased, WeightedRoundRobin} {
		for _, session := range []string{"", "session"} {
			name := string(mode)
			if session != "" {
				name += "/affinity"
			}
			b.Run(name, func(b *testing.B) {
				now := time.Unix(1e9, 0)
				p := NewPool(func() time.Time { return now })
				s := settings(mode, true)
				p.Configure(s)
				p.Report("relay-b", "session", Outcome{OK: true})
				var dst []string
				b.ReportAllocs()
				for b.Loop() {
					dst = p.Candidates(benchMembers, s, session, dst)
				}
			})
		}
	}
}

func BenchmarkReport(b *testing.B) {
	now := time.Unix(1e9, 0)
	p := NewPool(func() time.Time { return now })
	p.Configure(settings(WeightedRoundRobin, true))
	b.ReportAllocs()
	for b.Loop() {
		p.Report("relay-a", "session", Outcome{OK: true})
	}
}
