package redact

import (
	"testing"
	"time"
)

func TestTryRuleCost(t *testing.T) {
	body := claudeBody(1<<20, false)
	for _, src := range []string{`[0-9]{3}-[0-9]{2}-[0-9]{4}`, `\b[0-9]{16}\b`, `(?i)acme`, `[A-Za-z0-9._%+-]+@acme-corp\.com`} {
		f, _ := Compile([]Rule{{Source: src, Target: "x"}}, noDetectors())
		best := time.Hour
		for i := 0; i < 10; i++ {
			st := time.Now()
			f.Apply("claude", body)
			best = min(best, time.Since(st))
		}
		t.Logf("%-40s %v lits=%v", src, best, f.matchers[0].lits)
	}
	for _, opt := range []Options{{}, noDetectors()} {
		f, _ := Compile(benchRules(), opt)
		for _, sec := range []bool{false, true} {
			b := claudeBody(1<<20, sec)
			best := time.Hour
			for i := 0; i < 30; i++ {
				st := time.Now()
				f.Apply("claude", b)
				best = min(best, time.Since(st))
			}
			t.Logf("bench rules, %d matchers, secrets=%v: %v for %d bytes", len(f.matchers), sec, best, len(b))
		}
	}
}
