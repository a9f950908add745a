package redact

import "testing"

// BenchmarkApply filters a 1 MB Claude Code-like body with 20 user rules and
// every detector, once clean (nothing to replace) and once with secrets.
func BenchmarkApply(b *testing.B) {
	f, err := Compile(benchRules(), Options{Detectors: allDetectors(true)})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		secrets bool
	}{{"clean", false}, {"secrets", true}} {
		body := claudeBody(1<<20, bc.secrets)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				f.Apply("claude", body)
			}
		})
	}
}

func allDetectors(on bool) map[string]bool {
	m := map[string]bool{}
	for _, d := range Detectors() {
		m[d.ID] = on
	}
	return m
}

// BenchmarkCompile compiles the 20 rules and every detector, as a reload of
// filter.json does.
func BenchmarkCompile(b *testing.B) {
	rules := benchRules()
	opt := Options{Detectors: allDetectors(true)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(rules, opt); err != nil {
			b.Fatal(err)
		}
	}
}
