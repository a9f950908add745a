package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func mustCompile(t testing.TB, rules []Rule, opt Options) *Filter {
	t.Helper()
	f, err := Compile(rules, opt)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return f
}

// noDetectors turns every detector off.
func noDetectors() Options { return Options{Detectors: allDetectors(false)} }

// only turns on the given detectors and no other.
func only(ids ...string) Options {
	opt := noDetectors()
	for _, id := range ids {
		opt.Detectors[id] = true
	}
	return opt
}

// jsonDoc wraps s as the content of a user message, encoded the way
// JSON.stringify does.
func jsonDoc(s string) []byte {
	return []byte(`{"messages":[{"role":"user","content":` + jsonString(s) + `}]}`)
}

func jsonString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	return strings.TrimSpace(buf.String())
}

// content decodes a jsonDoc.
func content(t *testing.T, doc []byte) string {
	t.Helper()
	var v struct {
		Messages []struct{ Content string }
	}
	if err := json.Unmarshal(doc, &v); err != nil || len(v.Messages) != 1 {
		t.Fatalf("output is not a valid document (%v): %s", err, doc)
	}
	return v.Messages[0].Content
}

func TestApplyEscapedJSON(t *testing.T) {
	key := "sk-ant-api03-" + token(90, 1) + "AA"
	pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1c7+9z5Pad7Oejecs\nQ0bu3aumXGyXBrIFrRoYQZVA1bjYxJg==\n-----END RSA PRIVATE KEY-----"
	tests := []struct {
		name string
		in   string // raw JSON body
		want string
	}{
		{"PEM with \\n escapes",
			`{"content":"key:\n` + strings.ReplaceAll(pem, "\n", `\n`) + `\ndone"}`,
			`{"content":"key:\n[REDACTED:private-key]\ndone"}`},
		{"key next to escaped quotes",
			`{"content":"token \"` + key + `\" end"}`,
			`{"content":"token \"[REDACTED:anthropic-key]\" end"}`},
		{"key after an escaped newline",
			`{"content":"line\n` + key + `\nnext"}`,
			`{"content":"line\n[REDACTED:anthropic-key]\nnext"}`},
		{"JSON inside a string (a tool result of a JSON file)",
			`{"content":"{\"api_key\": \"` + key + `\", \"n\": 1}"}`,
			`{"content":"{\"api_key\": \"[REDACTED:anthropic-key]\", \"n\": 1}"}`},
		{"key as an object key",
			`{"` + key + `":1}`,
			`{"[REDACTED:anthropic-key]":1}`},
		{"unicode escapes around",
			`{"content":"caf\u00e9 \ud83d\ude00 ` + key + ` \u00e9"}`,
			`{"content":"caf\u00e9 \ud83d\ude00 [REDACTED:anthropic-key] \u00e9"}`},
		{"whitespace and nesting kept byte for byte",
			"{ \"a\" : [ 1, \"" + key + "\" , {\"b\":null} ] }\n",
			"{ \"a\" : [ 1, \"[REDACTED:anthropic-key]\" , {\"b\":null} ] }\n"},
	}
	f := mustCompile(t, nil, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !json.Valid([]byte(tt.in)) {
				t.Fatalf("test input is not JSON: %s", tt.in)
			}
			got, _ := f.Apply("claude", []byte(tt.in))
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestApplyShortControlEscapes checks that a rule's literal holding a
// backspace or a form feed is found where the body writes them \b and \f,
// as JSON.stringify and encoding/json do, or \u0008 and \u000c, or mixed.
func TestApplyShortControlEscapes(t *testing.T) {
	f := mustCompile(t, []Rule{{Source: "x\fy\bz", Target: "#"}, {Source: "\\u000c\b", Target: "%"}}, noDetectors())
	for _, tc := range []struct{ in, want string }{
		{`{"c":"a x\fy\bz b"}`, `{"c":"a # b"}`},
		{`{"c":"a x\u000cy\u0008z b"}`, `{"c":"a # b"}`},
		{`{"c":"a x\fy\u0008z b"}`, `{"c":"a # b"}`}, // mixed forms: the \u escape sends the string whole
		{`{"c":"\\u000c\b"}`, `{"c":"%"}`},
		{`{"c":"\\u000c\u0008"}`, `{"c":"%"}`},
	} {
		if got, _ := f.Apply("claude", []byte(tc.in)); string(got) != tc.want {
			t.Errorf("Apply(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestApplyNeverCrossesStrings(t *testing.T) {
	tests := []struct {
		name   string
		source string
		in     string
		want   string
	}{
		{"pattern with quote and comma", `a","b`, `{"x":"a","y":"b"}`, `{"x":"a","y":"b"}`},
		{"dot-star across values", `foo.*bar`, `{"a":"foo","b":"bar"}`, `{"a":"foo","b":"bar"}`},
		{"dot-star within a value", `foo.*bar`, `{"a":"foo and bar"}`, `{"a":"X"}`},
		{"structural characters", `[{}\[\]:,]`, `{"a":[1,{"b":"x:y"}]}`, `{"a":[1,{"b":"xXy"}]}`},
		{"backslash in the value", `\\`, `{"a":"C:\\dir"}`, `{"a":"C:Xdir"}`},
		{"quote in the value", `"`, `{"a":"say \"hi\""}`, `{"a":"say XhiX"}`},
		{"newline in the value", `\n`, `{"a":"1\n2"}`, `{"a":"1X2"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustCompile(t, []Rule{{Source: tt.source, Target: "X"}}, noDetectors())
			got, _ := f.Apply("claude", []byte(tt.in))
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("output is not valid JSON: %s", got)
			}
		})
	}
}

func TestApplyEscapesTargets(t *testing.T) {
	target := "say \"hi\"\\ now\n\ttab \x01"
	f := mustCompile(t, []Rule{{Source: "secret", Target: target}}, noDetectors())
	got, _ := f.Apply("claude", jsonDoc("a secret b"))
	if c := content(t, got); c != "a "+target+" b" {
		t.Errorf("decoded %q, want %q", c, "a "+target+" b")
	}
	got, _ = f.Apply("claude", []byte("a secret b"))
	if want := "a " + target + " b"; string(got) != want {
		t.Errorf("raw body: got %q, want %q", got, want)
	}
}

func TestApplyNotJSON(t *testing.T) {
	key := "AKIA" + strings.ToUpper(token(16, 2))
	f := mustCompile(t, []Rule{{Source: "acme", Target: "corp"}}, Options{})
	for _, in := range []string{
		"plain text about acme with " + key,
		`{"truncated": "acme ` + key,
		`{"a":"acme"} trailing ` + key,
		`["acme", 01, "` + key + `"]`, // a leading zero is not JSON
	} {
		got, rep := f.Apply("claude", []byte(in))
		want := strings.NewReplacer("acme", "corp", key, Marker("aws-access-key")).Replace(in)
		if string(got) != want {
			t.Errorf("Apply(%q) = %q, want %q", in, got, want)
		}
		if rep.Counts["rule 1"] != 1 || rep.Counts["aws-access-key"] != 1 {
			t.Errorf("counts %v", rep.Counts)
		}
	}
}

func TestApplyOpaqueValues(t *testing.T) {
	key := "AKIA" + strings.ToUpper(token(16, 3))
	blob := strings.Repeat("QUJD", 100) + "+" + key + "/" + strings.Repeat("ZGVm", 100)
	f := mustCompile(t, []Rule{{Source: "QUJD", Target: "x"}}, Options{})
	for _, in := range []string{
		`{"type":"thinking","thinking":"hm","signature":"` + key + `"}`,
		`{"type":"reasoning","encrypted_content":"gAAAA` + key + `"}`,
		`{"source":{"type":"base64","data":"` + blob + `"}}`,
	} {
		got, rep := f.Apply("claude", []byte(in))
		if string(got) != in || rep.Counts != nil {
			t.Errorf("Apply changed an opaque value: %s -> %s (%v)", in, got, rep.Counts)
		}
	}
	// A "data" value that is text is matched like any other.
	in := `{"data":"my key ` + key + `"}`
	if got, _ := f.Apply("claude", []byte(in)); !bytes.Contains(got, []byte(Marker("aws-access-key"))) {
		t.Errorf("text under \"data\" was not filtered: %s", got)
	}
}

func TestApplyReport(t *testing.T) {
	gh := "ghp_" + token(36, 4)
	aws := "AKIA" + strings.ToUpper(token(16, 5))
	f := mustCompile(t, []Rule{
		{Name: "corp", Source: "Acme", Target: "Example Corp"},
		{Name: "grow", Source: "Example", Target: "An \"Example\""},
	}, Options{})
	in := jsonDoc("Acme keys: " + gh + " and " + aws + " (Acme)")
	out, rep := f.Apply("claude", in)
	if want := map[string]int{"corp": 2, "grow": 2, "github-token": 1, "aws-access-key": 1}; !reflect.DeepEqual(rep.Counts, want) {
		t.Errorf("counts %v, want %v", rep.Counts, want)
	}
	if rep.Total() != 6 {
		t.Errorf("Total() = %d, want 6", rep.Total())
	}
	wantText := map[string]string{
		"grow":           `An \"Example\"`,
		"corp":           `An \"Example\" Corp`, // widened by the later rule
		"github-token":   Marker("github-token"),
		"aws-access-key": Marker("aws-access-key"),
	}
	prev := -1
	for _, sp := range rep.Spans {
		if sp.Start < prev || sp.End < sp.Start || sp.End > len(out) {
			t.Fatalf("span %+v out of order or range (output %d bytes)", sp, len(out))
		}
		prev = sp.Start
		if got := string(out[sp.Start:sp.End]); got != wantText[sp.Rule] {
			t.Errorf("span %+v covers %q, want %q", sp, got, wantText[sp.Rule])
		}
		for _, secret := range []string{gh, aws, gh[:8], aws[:8]} {
			if strings.Contains(sp.Preview, secret) {
				t.Errorf("preview %q gives away %q", sp.Preview, secret)
			}
		}
	}
	if len(rep.Spans) != 6 {
		t.Errorf("%d spans, want 6", len(rep.Spans))
	}
}

func TestPreview(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sk-ant-api03-" + strings.Repeat("x", 27), "sk-a…(40 chars)"},
		{"hunter2!", "hu…(8 chars)"},
		{"abc", "…(3 chars)"},
		{"line\nbreak!", "li…(11 chars)"},
		{"\n\t-x", "·…(4 chars)"},
		{"日本語のパスワード", "日本…(9 chars)"},
	}
	for _, tt := range tests {
		if got := preview([]byte(tt.in)); got != tt.want {
			t.Errorf("preview(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestApplyNil(t *testing.T) {
	var f *Filter
	body := []byte(`{"a":"AKIAZ7Q2XK4M9T3LR8WP"}`)
	got, rep := f.Apply("claude", body)
	if &got[0] != &body[0] || rep.Counts != nil || rep.Spans != nil {
		t.Errorf("nil filter changed something: %s %v", got, rep)
	}
}

// TestApplyCleanBodyZeroCopy checks that a body with nothing to replace comes
// back as the same slice, without allocating, even when literals of the
// rules occur in it.
func TestApplyCleanBodyZeroCopy(t *testing.T) {
	f := mustCompile(t, benchRules(), Options{Detectors: allDetectors(true)})
	for _, tt := range []struct {
		name string
		body []byte
	}{
		{"Claude Code body", claudeBody(200<<10, false)},
		{"literals without matches", []byte(`{"a":"see https://example.com/x, task-list, the secret_ word, TOKEN=, eyJ"}`)},
		{"not JSON", []byte("plain text with https://example.com in it")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, rep := f.Apply("claude", tt.body)
			if len(got) != len(tt.body) || &got[0] != &tt.body[0] {
				t.Fatal("Apply returned a copy of a body it did not change")
			}
			if rep.Counts != nil || rep.Spans != nil {
				t.Errorf("report %+v, want zero", rep)
			}
			if n := testing.AllocsPerRun(20, func() { f.Apply("claude", tt.body) }); n != 0 && !raceEnabled {
				t.Errorf("%v allocations per clean Apply, want 0", n)
			}
		})
	}
}

func TestApplyDoesNotModifyInput(t *testing.T) {
	f := mustCompile(t, benchRules(), Options{})
	body := claudeBody(100<<10, true)
	orig := bytes.Clone(body)
	out, rep := f.Apply("claude", body)
	if rep.Counts == nil {
		t.Fatal("nothing was replaced in a body with secrets")
	}
	if !bytes.Equal(body, orig) {
		t.Error("Apply modified its input")
	}
	if !json.Valid(out) {
		t.Error("output is not valid JSON")
	}
	for _, p := range plantedSecrets() {
		if bytes.Contains(out, []byte(p.secret)) {
			t.Errorf("output still holds %q", p.secret)
		}
	}
}

func TestApplyConcurrent(t *testing.T) {
	f := mustCompile(t, benchRules(), Options{})
	bodies := [][]byte{claudeBody(64<<10, true), claudeBody(64<<10, false), jsonDoc("AKIAZ7Q2XK4M9T3LR8WP acme"), []byte("x")}
	want := make([]string, len(bodies))
	for i, b := range bodies {
		out, rep := f.Apply("claude", b)
		want[i] = string(out) + fmt.Sprint(rep)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 20 {
				i := (g + k) % len(bodies)
				out, rep := f.Apply("claude", bodies[i])
				if got := string(out) + fmt.Sprint(rep); got != want[i] {
					t.Errorf("body %d: concurrent result differs", i)
					return
				}
			}
		})
	}
	wg.Wait()
}

// token returns n deterministic letters and digits.
func token(n int, seed uint64) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	x := seed*0x9E3779B97F4A7C15 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = alphabet[x%uint64(len(alphabet))]
	}
	return string(b)
}

// TestRulesThenDetectors checks that one filter with rules and detectors
// does what the rules' filter followed by the detectors' filter does.
func TestRulesThenDetectors(t *testing.T) {
	rules := benchRules()
	all := mustCompile(t, rules, Options{})
	ruleOnly := mustCompile(t, rules, noDetectors())
	detOnly := mustCompile(t, nil, Options{})
	body := claudeBody(200<<10, true)
	got, rep := all.Apply("claude", body)
	mid, rep1 := ruleOnly.Apply("claude", body)
	want, rep2 := detOnly.Apply("claude", mid)
	if !bytes.Equal(got, want) {
		t.Fatal("one filter and two filters in a row disagree")
	}
	if rep.Total() != rep1.Total()+rep2.Total() || rep.Total() < len(plantedSecrets()) {
		t.Errorf("replacements: %d, want %d + %d (at least %d)", rep.Total(), rep1.Total(), rep2.Total(), len(plantedSecrets()))
	}
}
