package redact

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestEscapedLetters: a secret with a character written as a \u escape is
// redacted like the same secret written plainly; the prefilter reads raw
// bytes and used to let it through. Checked against the rules' regular
// expressions on the decoded string, in a value and in a key, at four
// alignments of the escape (the prefilter reads pairs at every other
// byte), and with the secret's literal found plainly elsewhere in the same
// string. Every case fails without the prefilter's escape pairs.
func TestEscapedLetters(t *testing.T) {
	other := []Rule{
		{Source: `<api-key>\w+`, Target: "K"},
		{Source: `tok&sig=\w+`, Target: "T"},
		{Source: `(?i)xqkjz=\S+`, Target: "X"},
		{Source: `BEGIN\nKEY`, Target: "B"},
		{Source: "\U0001F511key=\\w+", Target: "E"},
		{Source: `bad\x{FFFD}byte`, Target: "F"},
		{Source: `[0-9]{6}-[0-9]{6}`, Target: "#"},
		{Source: `café=\w+`, Target: "C"},
		{Source: `hooks\.slack\.com/services/\S+`, Target: "W"},
	}
	cases := []struct {
		rules     []Rule
		raw, text string
	}{
		{harnessRules(), `key \u0073k-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAA end`, "key sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAA end"},
		{harnessRules(), `AKI\u0041BCDEFGHIJKLMNOPQ`, "AKIABCDEFGHIJKLMNOPQ"},
		{harnessRules(), `passwor\u0064 = hunter2`, "password = hunter2"},
		{harnessRules(), `PASS\u0057ORD=x`, "PASSWORD=x"},
		{harnessRules(), `-----BEGIN RSA PRIVATE KE\u0059----- x`, "-----BEGIN RSA PRIVATE KEY----- x"},
		{harnessRules(), `host inte\u0072nal.corp.example \u003c-`, "host internal.corp.example <-"},
		// The same rule's literal found plainly in the string: its window
		// does not reach the escaped one.
		{harnessRules(), `AKI\u0041BCDEFGHIJKLMNOPQ and AKIAZZZZZZZZZZZZZZZZ`, "AKIABCDEFGHIJKLMNOPQ and AKIAZZZZZZZZZZZZZZZZ"},
		// Go's encoding/json escapes <, > and &.
		{other, `see \u003capi-key\u003eabc123`, "see <api-key>abc123"},
		{other, `u?tok\u0026sig=abc`, "u?tok&sig=abc"},
		// The Kelvin sign, which (?i) matches for k.
		{other, `xq\u212ajz=1`, "xq\u212ajz=1"},
		// A control character in a literal, escaped as \u rather than \n.
		{other, `BEGIN\u000AKEY`, "BEGIN\nKEY"},
		// A surrogate pair, and a lone surrogate, which decodes to U+FFFD.
		{other, `\ud83d\udd11key=abc`, "\U0001F511key=abc"},
		{other, `bad\udc00byte`, "bad\ufffdbyte"},
		// A run of digits with a digit escaped.
		{other, `id 123\u0034\u00356-654321`, "id 123456-654321"},
		// A character outside ASCII.
		{other, `caf\u00e9=x`, "café=x"},
		// Every slash escaped, as PHP's json_encode writes it.
		{other, `https:\/\/hooks.slack.com\/services\/T0\/B0\/xyz`, "https://hooks.slack.com/services/T0/B0/xyz"},
	}
	for _, c := range cases {
		f, err := Compile(c.rules, Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := c.text
		for _, r := range c.rules {
			repl := r.Target
			if r.Op == OpRemove {
				repl = ""
			}
			want = regexp.MustCompile(r.Source).ReplaceAllLiteralString(want, repl)
		}
		if want == c.text {
			t.Fatalf("%q: the rules do not match it", c.text)
		}
		for _, pad := range []string{"", "x", "xy", "xyz"} {
			for _, body := range []string{
				`{"role":"user","content":"` + pad + c.raw + `","n":1}`,
				`{"` + pad + c.raw + `":"v"}`,
			} {
				out, _ := f.Apply("claude", []byte(body))
				var v map[string]any
				if err := json.Unmarshal(out, &v); err != nil {
					t.Fatalf("%s: output %s is not JSON: %v", body, out, err)
				}
				got, ok := v["content"].(string)
				if !ok {
					for k := range v {
						got = k
					}
				}
				if got != pad+want {
					t.Errorf("%s:\n got  %q\n want %q", body, got, pad+want)
				}
			}
		}
	}
}

// TestEscapeMarkers checks which escapes the prefilter reports: \u escapes
// of the characters the literals can hold, at both parities, and not text
// after an escaped backslash nor an escape of a character no literal
// holds (ANSI colours in tool output are no reason to decode a string).
func TestEscapeMarkers(t *testing.T) {
	f, err := Compile([]Rule{{Source: `sk-ant-\w+`}, {Source: `(?i)keyz`}}, noDetectors())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		raw  string
		want []string
	}{
		{`\u0073k`, []string{`\u0073`}},
		{`x\u0073k`, []string{`\u0073`}},
		{`\\u0073k`, nil},
		{`x\\u0073k`, nil},
		{`\\\u0073k`, []string{`\u0073`}},
		{`x\\\u0073k`, []string{`\u0073`}},
		{`\u001b[31mred\u001B[0m \u00e9 x\u00e9`, nil},
		{`\u004B x\u004b \u212A`, []string{`\u004B`, `\u004b`, `\u212A`}},
		{`\u212a x\u212a \uD83D\uDE00 x\ud800`, []string{`\u212a`, `\u212a`}},
		{`\u002d x\u002D \u0024`, []string{`\u002d`, `\u002D`}},
		{`\u00`, nil},
		{`x\u00`, nil},
		{`x\u0073`, []string{`\u0073`}},
	} {
		body := `{"a":"` + c.raw + `"}`
		var got []string
		for _, s := range hidingEscapes(f, []byte(body)) {
			_, n, _ := escRune([]byte(body[s:]))
			got = append(got, body[s:s+n])
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: escapes %q, want %q", body, got, c.want)
		}
	}
}

// TestEscapeMarkersRandom compares the escapes the prefilter reports with
// those a decoder reading each string from its start meets, in random
// strings of escapes, escaped backslashes and the bytes of the escape
// pairs, at every alignment.
func TestEscapeMarkersRandom(t *testing.T) {
	f, err := Compile([]Rule{{Source: `sk-ant-\w+`}, {Source: `(?i)key`}, {Source: "\U0001F511"}}, noDetectors())
	if err != nil {
		t.Fatal(err)
	}
	toks := []string{`\\`, `\\u0073`, `\u0073`, `\u004B`, `\u212a`, `\ud83d\udd11`, `\udd11`, `\ud83d`,
		`\n`, `\"`, `\u001b`, `\u00e9`, `\u002d`, `\u0024`, `\u007A`, `u0`, `u2`, `ud`, `00`, `07`, `x`, `s`, `0`, ` `}
	rng := rand.New(rand.NewPCG(5, 8))
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(toks[rng.IntN(len(toks))])
		}
		raw := b.String()
		body := []byte(`{"k":1,"a":"` + raw + `"}`)
		units, isJSON := scanStrings(body, nil)
		if !isJSON {
			t.Fatalf("%s: not JSON", body)
		}
		var want []int
		u := units[len(units)-1]
		for i := u.start; i+1 < u.end; {
			switch {
			case body[i] != '\\':
				i++
			case body[i+1] != 'u':
				i += 2
			default:
				r, n, _ := escRune(body[i:])
				if f.pre.hiding.has(r) {
					want = append(want, i)
				}
				i += n
			}
		}
		got := hidingEscapes(f, body)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: escapes at %v, want %v", body, got, want)
		}
	}
}

// hidingEscapes returns where the \u escapes start that the prefilter finds
// in body and plan keeps.
func hidingEscapes(f *Filter, body []byte) []int {
	sc := f.getScratch(len(body))
	defer f.putScratch(sc)
	want, pos := sc.reset(len(f.matchers))
	units, _ := scanStrings(body, nil)
	want[f.escSlot()] = true
	f.pre.scan(body, units, want, pos)
	var out []int
	for _, c := range pos[f.escSlot()] {
		if _, ok := f.pre.hidingAt(body, c.start); ok {
			out = append(out, c.start)
		}
	}
	return out
}

// TestEscapedBackslashU: "\\u0073k-ant-" is text that only looks like an
// escape, decoded to a backslash and "u0073k-ant-": nothing to redact, and
// a body with no hiding escape is planned as before.
func TestEscapedBackslashU(t *testing.T) {
	f, err := Compile(harnessRules(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"a":"\\u0073k-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAA"}`,
		`{"a":"x\\u0073k-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAA"}`,
		`{"a":"\u001b[31mred\u001b[0m plain text \u00e9"}`,
	} {
		out, rep := f.Apply("claude", []byte(body))
		if string(out) != body || rep.Counts != nil {
			t.Errorf("%s: got %s, %v", body, out, rep.Counts)
		}
		sc := f.getScratch(len(body))
		want, pos := sc.reset(len(f.matchers))
		units, _ := scanStrings([]byte(body), nil)
		sc.units = units
		for i := range want {
			want[i] = true
		}
		f.pre.scan([]byte(body), units, want, pos)
		if work := f.plan([]byte(body), want, pos, sc); len(work) != 0 {
			t.Errorf("%s: jobs %+v", body, work)
		}
		f.putScratch(sc)
	}
}
