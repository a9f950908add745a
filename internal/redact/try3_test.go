package redact

import "testing"

func BenchmarkTryPre(b *testing.B) {
	body := claudeBody(1<<20, false)
	f, _ := Compile(benchRules(), Options{})
	sc := &scratch{}
	want, pos := sc.reset(len(f.matchers))
	for i := range want {
		want[i] = true
	}
	b.ResetTimer()
	for b.Loop() {
		sc.reset(len(f.matchers))
		f.pre.scan(body, want, pos)
	}
}
