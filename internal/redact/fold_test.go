package redact

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestFoldVariableWidth: under (?i) 's' also matches the long s (ſ, two
// bytes in UTF-8) and 'k' the Kelvin sign (K, three bytes), so a secret may
// be longer in bytes than its literal. The prefilter looks for byte pairs at
// every other offset; one of these letters between its two pairs used to
// shift both off that grid, and the secret went out unredacted. Each case
// is tried at four alignments and checked against the rules' regular
// expressions run on the decoded string.
func TestFoldVariableWidth(t *testing.T) {
	rules := []Rule{
		{Source: `(?i)xqsjz\s*=\S+`, Target: "<1>"},
		{Source: `(?i)apikey=\S+`, Target: "<2>"},
		{Source: `(?i)mysecretvalue`, Target: "<3>"},
		{Source: `(?i)zqkjx=\S+`, Target: "<4>"},
	}
	f, err := Compile(rules, Options{})
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{
		"xqſjz=1", "XQſJZ =abc", "apiKey=0123", "APIKEY=zz", "apikey=ſ",
		"mysecretvalue", "myſecretvalue", "MYSECRETVALUE", "mysecretvaluesss",
		"zqKjx=9", "ZQKJX=ab",
	}
	for _, secret := range secrets {
		for pad := range 4 {
			text := strings.Repeat("a", pad) + " " + secret + " tail"
			want := text
			for _, r := range rules {
				want = regexp.MustCompile(r.Source).ReplaceAllLiteralString(want, r.Target)
			}
			if want == text {
				t.Fatalf("%q: the rules do not match it", secret)
			}
			enc, _ := json.Marshal(text)
			body := []byte(`{"role":"user","content":` + string(enc) + `}`)
			out, _ := f.Apply("claude", body)
			var got struct{ Content string }
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%s: output is not JSON: %v", out, err)
			}
			if got.Content != want {
				t.Errorf("%s:\n got  %q\n want %q", body, got.Content, want)
			}
		}
	}
}
