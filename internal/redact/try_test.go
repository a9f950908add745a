package redact

import (
	"testing"
	"time"
)

func minTime(n int, fn func()) time.Duration {
	best := time.Hour
	for i := 0; i < n; i++ {
		st := time.Now()
		fn()
		best = min(best, time.Since(st))
	}
	return best
}

func TestTryPerf(t *testing.T) {
	for _, sec := range []bool{false, true} {
		body := claudeBody(1<<20, sec)
		f, _ := Compile(benchRules(), Options{})
		t.Logf("secrets=%v apply min %v", sec, minTime(30, func() { f.Apply("claude", body) }))
		sc := &scratch{}
		want, pos := sc.reset(len(f.matchers))
		for i := range want {
			want[i] = true
		}
		units, _ := scanStrings(body, nil)
		t.Logf("  prefilter %v", minTime(30, func() { sc.reset(len(f.matchers)); f.pre.scan(body, units, want, pos) }))
		t.Logf("  tokenize %v", minTime(30, func() { sc.units, _ = scanStrings(body, sc.units[:0]) }))
		for i, m := range f.matchers {
			if len(pos[i]) > 0 {
				w := jobs(i, pos[i], units, nil)
				t.Logf("  hit %s %d units=%d", m.label, len(pos[i]), len(w))
			}
		}
	}
}
