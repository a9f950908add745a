package redact

import (
	"bytes"
	"testing"
)

// TestPrefilterAfterClasses: a pair's entry in the prefilter's table admits
// every byte after it that one of its probes accepts there, so checkWord,
// which passes over a pair for the byte that follows, never skips a place
// where check would have found a literal. Every byte is tried after every
// registered pair of the benchmark rules, a folding one, every detector and
// the escape probes, with the literal's own byte before the pair.
func TestPrefilterAfterClasses(t *testing.T) {
	rules := append(benchRules(), Rule{Name: "password", Source: `(?i)password\s*=\s*\S+`, Target: "[PW]"})
	f := mustCompile(t, rules, Options{Detectors: allDetectors(true)})
	for _, p := range []*prefilter{f.pre, f.textPre} {
		registered := 0
		for x := range 1 << 16 {
			if !p.has(uint16(x)) {
				continue
			}
			registered++
			for _, pr := range p.probes(uint16(x)) {
				for c := range 256 {
					// The pair at 1, after it c, before it what pr wants there.
					b := []byte{'.', byte(x >> 8), byte(x), byte(c)}
					for _, ctx := range pr.ctx {
						if ctx.rel == -1 {
							b[0] = ctx.want
						}
					}
					if pr.near(b, 1) && p.tab[x]&afterClass[c] == 0 {
						t.Fatalf("pair %q: probe of %q accepts %q after it, the table does not", b[1:3], pr.n.s, byte(c))
					}
				}
			}
		}
		if registered == 0 {
			t.Fatal("no pair registered")
		}
	}
	// And the skip works: "or", a pair of "password" under (?i), is passed
	// over in "forwards", not followed by the 'd' of "word".
	if f.pre.tab['o'<<8|'r']&afterClass['w'] != 0 {
		t.Errorf(`"or" followed by 'w' is not passed over (table %08b)`, f.pre.tab['o'<<8|'r'])
	}
	body := []byte(`{"messages":[{"content":"it forwards every PassWord=x to the proxy"}]}`)
	if out, _ := f.Apply("claude", body); !bytes.Contains(out, []byte("every [PW] to")) {
		t.Errorf("the password survived: %s", out)
	}
}
