package redact

import (
	"reflect"
	"strings"
	"testing"
)

func TestCompileAnchored(t *testing.T) {
	for _, tc := range []struct {
		source string
		want   bool
	}{
		{`(?i)password\s*=\s*\S+`, true},
		{`sk-ant-api03-[A-Za-z0-9_-]{20,}`, true},
		{`token: .*`, true},
		{`.{0,3}secret=.+`, true},
		{`\bpassword=\S+`, false},     // looks back
		{`(?m)^password=.*`, false},   // looks back
		{`password=\S*$`, true},       // $ looks ahead only
		{`.*secret`, false},           // unbounded before
		{`.{0,40}secret.*`, false},    // too far before
		{`CUST-[0-9]{6}`, false},      // bounded: windows serve it
		{`[a-z]+`, false},             // no literal
		{`(?:secret=)?.*x`, false},    // no literal
		{`x*password\S*`, false},      // unbounded before
		{`(password|token)=.+`, true}, // alternation of literals
	} {
		re, tree, err := compileSource(tc.source)
		if err != nil {
			t.Fatal(err)
		}
		m := newMatcher(re, tree, "")
		if got := m.anchoredRule != nil; got != tc.want {
			t.Errorf("%q: anchored %v, want %v (shape %+v)", tc.source, got, tc.want, m.shape)
		}
	}
}

func TestRuneStart(t *testing.T) {
	text := []byte("a\u00e9\u212a\xe2\x84b\x80\U0001F600")
	// a | é (2) | K (3) | e2 84 (invalid: two stray bytes) | b | 80 | 😀 (4)
	want := []bool{true, true, false, true, false, false, true, true, true, true, true, false, false, false, true}
	var got []bool
	for p := range len(text) + 1 {
		got = append(got, runeStart(text, p))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("runeStart\n got  %v\n want %v", got, want)
	}
}

// FuzzAnchored checks that a rule with an unbounded reach after its literal,
// tried anchored around the literal, finds exactly what the expression finds
// over the whole text, also in text that is not valid UTF-8.
func FuzzAnchored(f *testing.F) {
	long := strings.Repeat("pass the password on ", 30)
	for _, s := range []struct{ pattern, text string }{
		{`(?i)password\s*=\s*\S+`, long + "PASSWORD = x y password=\u212a pa\u017fsword=1 passwordpassword=2"},
		{`.{0,3}secret=.+`, "\xe2\x84secret=1\n\xe9secret=2\u00e9secret=3 secret=secret=4"},
		{`token: .*$`, "token: a\ntoken: b"},
		{`(a|ab)(c|bcd)token.*`, "abcdtoken abctoken actoken"},
		{`x?yz.+?`, "xyzq yzyz\xffyz\x80"},
	} {
		f.Add(s.pattern, s.text)
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 100 {
			return
		}
		re, tree, err := compileSource(pattern)
		if err != nil {
			return
		}
		m := newMatcher(re, tree, "#")
		if m.anchoredRule == nil {
			return
		}
		var want []int
		for _, loc := range re.FindAllStringIndex(text, -1) {
			if loc[1] > loc[0] {
				want = append(want, loc...)
			}
		}
		got := m.find([]byte(text), new(scratch), nil)
		if !reflect.DeepEqual(got, want) && (len(got) > 0 || len(want) > 0) {
			t.Fatalf("%q on %q: anchored found %v, whole text %v", pattern, text, got, want)
		}
	})
}

func TestDetectorsCompileOnFirstUse(t *testing.T) {
	f := mustCompile(t, nil, Options{Detectors: allDetectors(true)})
	compiled := func() []string {
		var ids []string
		for _, m := range f.matchers {
			if m.lazy.re != nil {
				ids = append(ids, m.label)
			}
		}
		return ids
	}
	if got := compiled(); len(got) != 0 {
		t.Fatalf("after Compile, compiled %v, want none", got)
	}
	out, rep := f.Apply("claude", jsonDoc("key AKIAZ7Q2XK4M9T3LR8WP here"))
	if rep.Counts["aws-access-key"] != 1 {
		t.Fatalf("Apply replaced %v in %s, want the AWS key", rep.Counts, out)
	}
	if got, want := compiled(), []string{"aws-access-key"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after one key, compiled %v, want %v", got, want)
	}
}
