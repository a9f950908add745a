package redact

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseRules(t *testing.T) {
	off := false
	tests := []struct {
		name string
		in   string
		want []Rule
	}{
		{"empty file", "", nil},
		{"blank file", " \n\t", nil},
		{"null", "null", nil},
		{"empty list", "[]", []Rule{}},
		{"one object", `{"source": "acme", "target": "corp", "op": "replace"}`,
			[]Rule{{Source: "acme", Target: "corp", Op: "replace"}}},
		{"list in the original format", `[{"source":"a","target":"b","op":"replace"},{"source":"c","op":"remove"}]`,
			[]Rule{{Source: "a", Target: "b", Op: "replace"}, {Source: "c", Op: "remove"}}},
		{"new fields", `[{"name":"n","source":"s","target":"t","enabled":false,"services":["codex"]}]`,
			[]Rule{{Name: "n", Source: "s", Target: "t", Enabled: &off, Services: []string{"codex"}}}},
		{"unknown fields are ignored", `{"source":"s","comment":"why"}`, []Rule{{Source: "s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRules([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseRules: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // substrings of the error
	}{
		{"syntax error names line and column", "[\n  {\"source\": \"a\",}\n]", []string{"line 2, column 18"}},
		{"wrong type names the field", "[{\"source\": \"a\", \"enabled\": \"yes\"}]", []string{"line 1", `"enabled"`, "bool"}},
		{"not a rule", `"acme"`, []string{"want a list of rules or one rule object"}},
		{"item not an object", `[1]`, []string{"line 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRules([]byte(tt.in))
			if err == nil {
				t.Fatal("ParseRules succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name  string
		rules []Rule
		opt   Options
		want  []string
	}{
		{"empty source", []Rule{{Name: "x"}}, Options{}, []string{`rule 1 "x": source is empty`}},
		{"source too long", []Rule{{Source: strings.Repeat("a", MaxSourceLen+1)}}, Options{},
			[]string{"rule 1: source is 4097 bytes, more than 4096: split it"}},
		{"bad op", []Rule{{Source: "a", Op: "delete"}}, Options{}, []string{`op "delete": want "replace" or "remove"`}},
		{"repeat count too large", []Rule{{Source: "a{2000}"}}, Options{},
			[]string{"too large to run", "use + or * instead of large {n,m} counts"}},
		{"program too large", []Rule{{Source: strings.Repeat(`[a-z]{1000}`, 5)}}, Options{},
			[]string{"instructions, more than 4000"}},
		{"unknown service", []Rule{{Source: "a", Services: []string{"cluade"}}}, Options{Services: []string{"claude", "codex"}},
			[]string{`service "cluade": want one of claude, codex`}},
		{"unknown detector", nil, Options{Detectors: map[string]bool{"aws-key": false}}, []string{`unknown detector "aws-key"`}},
		{"every problem at once", []Rule{{Source: "ok"}, {Name: "b", Source: ""}, {Source: "x", Op: "?"}}, Options{},
			[]string{`rule 2 "b": source is empty`, `rule 3: op "?"`}},
		{"disabled rules are checked too", []Rule{{Source: "", Enabled: new(bool)}}, Options{}, []string{"rule 1: source is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Compile(tt.rules, tt.opt)
			if err == nil {
				t.Fatal("Compile succeeded, want an error")
			}
			if f != nil {
				t.Error("Compile returned a filter along with an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestCompileJoinsErrors(t *testing.T) {
	_, err := Compile([]Rule{{}, {}}, Options{})
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 2 {
		t.Fatalf("error %v: want two joined errors", err)
	}
}

// TestRuleKinds applies single rules to raw text (not JSON) and to the value
// of a JSON string.
func TestRuleKinds(t *testing.T) {
	off := false
	tests := []struct {
		name    string
		rule    Rule
		service string
		in      string
		want    string
	}{
		{"regex", Rule{Source: `CUST-[0-9]{6}`, Target: "CUST-X"}, "claude", "ids CUST-123456 and CUST-654321.", "ids CUST-X and CUST-X."},
		{"regex, case-insensitive", Rule{Source: `(?i)project falcon`, Target: "P"}, "claude", "Project FALCON and project falcon", "P and P"},
		{"literal when the source is not a regex", Rule{Source: "price (usd", Target: "price"}, "claude", "a price (usd) b", "a price) b"},
		{"target is literal text", Rule{Source: `(a)(b)`, Target: "$2$1"}, "claude", "xaby", "x$2$1y"},
		{"remove", Rule{Source: "secret ", Op: OpRemove, Target: "ignored"}, "claude", "my secret word", "my word"},
		{"empty target removes", Rule{Source: "x"}, "claude", "axb", "ab"},
		{"services: other service untouched", Rule{Source: "acme", Target: "corp", Services: []string{"codex"}}, "claude", "acme", "acme"},
		{"services: named service changed", Rule{Source: "acme", Target: "corp", Services: []string{"codex"}}, "codex", "acme", "corp"},
		{"disabled", Rule{Source: "acme", Target: "corp", Enabled: &off}, "claude", "acme", "acme"},
		{"empty matches are ignored", Rule{Source: `x*`, Target: "-"}, "claude", "axxb", "a-b"},
		{"^ and $ are the ends of the value", Rule{Source: `^hi|bye$`, Target: "."}, "claude", "hi hi bye bye", ". hi bye ."},
		{"word boundaries", Rule{Source: `\bcat\b`, Target: "dog"}, "claude", "cat concat cat.", "dog concat dog."},
		{"no literal to search for", Rule{Source: `[0-9]{3}-[0-9]{4}`, Target: "###"}, "claude", "call 555-1234 now", "call ### now"},
		{"a run of digits", Rule{Source: `\b[0-9]{16}\b`, Target: "CARD"}, "claude",
			"pay 4111111111111111 not 12345678901234567", "pay CARD not 12345678901234567"},
		{"unbounded around the literal", Rule{Source: `[a-z.]+@acme\.com`, Target: "e@x"}, "claude", "mail jo.do@acme.com!", "mail e@x!"},
		{"(?i) and the Kelvin sign", Rule{Source: `(?i)kelvin`, Target: "K"}, "claude", "\u212Aelvin", "K"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustCompile(t, []Rule{tt.rule}, noDetectors())
			got, _ := f.Apply(tt.service, []byte(tt.in))
			if string(got) != tt.want {
				t.Errorf("raw: got %q, want %q", got, tt.want)
			}
			got, _ = f.Apply(tt.service, jsonDoc(tt.in))
			if want := jsonDoc(tt.want); string(got) != string(want) {
				t.Errorf("JSON: got %s, want %s", got, want)
			}
		})
	}
}

func TestRulesRunInOrder(t *testing.T) {
	f := mustCompile(t, []Rule{
		{Name: "one", Source: "alpha", Target: "beta"},
		{Name: "two", Source: "beta", Target: "gamma"},
	}, noDetectors())
	got, rep := f.Apply("claude", []byte("alpha beta"))
	if want := "gamma gamma"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if want := map[string]int{"one": 1, "two": 2}; !reflect.DeepEqual(rep.Counts, want) {
		t.Errorf("counts %v, want %v", rep.Counts, want)
	}
}

func TestRuleLabels(t *testing.T) {
	f := mustCompile(t, []Rule{{Source: "a"}, {Name: "bee", Source: "b"}, {Source: "c"}}, noDetectors())
	_, rep := f.Apply("claude", []byte("abc"))
	if want := map[string]int{"rule 1": 1, "bee": 1, "rule 3": 1}; !reflect.DeepEqual(rep.Counts, want) {
		t.Errorf("counts %v, want %v", rep.Counts, want)
	}
}

// FuzzParseRules checks that any file either parses or fails cleanly, and
// that what parses survives a round trip through encoding/json.
func FuzzParseRules(f *testing.F) {
	for _, s := range []string{``, `[]`, `null`, `{"source":"a","target":"b","op":"replace"}`,
		`[{"source":"a","op":"remove","enabled":false,"services":["codex"]},{"name":"n","source":"(?i)x"}]`,
		`[{"source":1}]`, `{"source":"a"`, `"x"`, "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := ParseRules(data)
		if err != nil {
			if rules != nil {
				t.Fatalf("rules %v along with error %v", rules, err)
			}
			return
		}
		b, err := json.Marshal(rules)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseRules(b)
		if err != nil || len(again) != len(rules) {
			t.Fatalf("round trip of %s: %v, %d rules, want %d", b, err, len(again), len(rules))
		}
		for i := range rules {
			if rules[i].Source != again[i].Source || rules[i].Target != again[i].Target || rules[i].On() != again[i].On() {
				t.Fatalf("rule %d changed in a round trip: %+v -> %+v", i, rules[i], again[i])
			}
		}
		Compile(rules, Options{}) // must not panic
	})
}
