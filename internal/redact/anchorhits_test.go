package redact

import (
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestAnchoredViaHits runs rules of findAnchored on JSON strings whose
// escapes sit on, around or inside their literals, where the prefilter's raw
// hits may or may not stand for the occurrences in the decoded text, and
// checks Apply against the oracle and against the replacements expected.
func TestAnchoredViaHits(t *testing.T) {
	pad := strings.Repeat(`filler \"text\" with\nescapes\t`, 12) // past windowMin
	rules := []Rule{
		{Source: `(?i)password\s*=\s*\S+`, Target: "pw=***"},
		{Source: `.{0,3}secret=.+`, Target: "S"},
		// Its byte pairs xq and jz lie on either side of an s: a long s
		// there can put both at odd offsets, out of the prefilter's sight.
		{Source: `(?i)xqsjz\s*=\S+`, Target: "X"},
	}
	f := mustCompile(t, rules, noDetectors())
	oracle := []*Filter{f, mustCompile(t, rules, Options{})}
	for _, tc := range []struct {
		name, raw string // raw: the string's content, as escaped in the body
		want      int    // replacements
	}{
		{"plain", `password=x`, 1},
		{"after newline escape", `\npassword=x`, 1},
		{"after escaped quote", `\"password=x\"`, 1},
		{"before escaped quote", `password=\"x\"`, 1},
		{"ends in escaped backslash", `password=x\\`, 1},
		{"after escaped backslash", `\\password=x`, 1},
		{"split by escape", `pass\u0077ord=x password=y`, 2},
		{"encoded first letter", `\u0070assword=1 and password=2`, 2},
		{"encoded key elsewhere", `password=1 \u0070ASSWORD=2`, 2},
		{"escaped slash in value", `password=a\/b`, 1},
		{"control escapes", `\u001b[0mpassword=\u001b[31mx`, 1},
		{"escaped backslash before u", `\\u0070assword=1 password=2`, 1},
		{"unknown escape before", `\password=x`, 1},
		{"unknown escape in value", `password=a\qb c`, 1},
		{"n after backslash", `\nd password=x`, 1},
		{"long s", "pa\u017f\u017fword=1 password=2", 2},
		{"long s escaped", `pa\u017f\u017fword=1 password=2`, 2},
		{"long s between pairs", "xq\u017fjz=1 xqsjz=2", 2},
		{"long s between pairs, shifted", " xq\u017fjz=1 xqsjz=2", 2},
		{"one match takes the next literal", `password=password=1`, 1},
		{"equals after escapes", `password\n\t= \"x`, 1},
		{"not a match", `password \"x\"`, 0},
		{"reach before, escapes", `\n\t\u00e9\"secret=1`, 1},
		{"reach before, multibyte", "\u00e9\u00e9secret=1 \U0001F600secret=2", 1}, // .+ takes the rest
		{"reach before, unknown escape", `\zsecret=1`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, raw := range []string{tc.raw, pad + tc.raw + pad} {
				body := []byte(`{"messages":[{"role":"user","content":"` + raw + `"}]}`)
				checkOracle(t, oracle, body)
				_, rep := f.Apply("claude", body)
				if got := rep.Total(); got != tc.want {
					t.Errorf("%s: %d replacements %v, want %d", raw, got, rep.Counts, tc.want)
				}
			}
		})
	}
}

func TestHasOddU(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want bool
	}{
		{``, false},
		{`plain text`, false},
		{`\n\t\"\\\/`, false},
		{`\u001b[0m \u0000 \u001F`, false},
		{`\u0041`, true},
		{`\u00e9`, true},
		{`\u002f`, true},
		{`\ud83d\ude00`, true},
		{`\u00`, true}, // cut short
		{`\u`, true},   // cut short
		{`1234567\u0041`, true},
		{`123456\u0041`, true},
		{strings.Repeat("x", 63) + `\u0041`, true}, // the pair straddles two searches
		{strings.Repeat("x", 62) + `\u0041`, true},
		{strings.Repeat("x", 63) + `\u001b`, false},
		{strings.Repeat(`\u001b`, 30) + `\u0041`, true},
		{`1234567\u001b`, false},
		{`\\u0041`, true}, // text, but reported: merely cautious
		{`u\`, false},
		{`\ux`, true},
	} {
		if got := hasOddU([]byte(tc.raw)); got != tc.want {
			t.Errorf("hasOddU(%q) = %v, want %v", tc.raw, got, tc.want)
		}
	}
}

// TestDecReader checks that a decReader yields the runes of the decoded
// text as utf8.DecodeRune steps through it, for text with escapes, invalid
// bytes and runes across its decoding chunks.
func TestDecReader(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{`\n`, `\"`, `\\`, `\u00e9`, `\ud83d\ude00`, `\ud83d`, `\q`, `\u12`, "\xe2\x84", "\xaa", "\u212a", "\U0001F600", "a", "bc", strings.Repeat("x", 61)}
	for range 200 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		raw := []byte(b.String())
		text, _, _ := decodeString(raw, nil, nil, len(raw)*2)
		var d decReader
		d.reset(raw)
		for i := 0; ; {
			r, size, err := d.ReadRune()
			if i == len(text) {
				if err != io.EOF {
					t.Fatalf("%q: read %q past the end", raw, r)
				}
				break
			}
			wr, wsize := utf8.DecodeRune(text[i:])
			if err != nil || r != wr || size != wsize {
				t.Fatalf("%q at %d: read %q (%d, %v), want %q (%d)", raw, i, r, size, err, wr, wsize)
			}
			i += size
		}
	}
}
