package route

import (
	"path"
	"strings"
	"testing"
)

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"claude-opus-4", "claude-opus-4", true},
		{"claude-opus-4", "claude-opus-4-1", false},
		{"*", "", true},
		{"**", "anything/at/all", true},
		{"claude-*", "claude-", true},
		{"claude-*", "claude", false},
		{"*-latest", "gpt-4o-latest", true},
		{"*-latest", "gpt-4o-latest-2", false},
		{"openai/*", "openai/gpt-5", true},
		{"*/gpt-5", "openai/gpt-5", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"a*b", "abab", true},
		{"?", "é", true},
		{"??", "é", false},
		{"*??", "é", false},
		{"[a-c]x", "bx", true},
		{"[^a-c]x", "bx", false},
		{"[^a-c]x", "dx", true},
		{"[é-ë]", "ê", true},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{`[\]]`, "]", true},
		{"claude-3-?-sonnet*", "claude-3-5-sonnet-20241022", true},
		{"claude-3-?-sonnet*", "claude-3-7-haiku", false},
	}
	for _, tt := range tests {
		g, err := compileGlob(tt.pattern)
		if err != nil {
			t.Fatalf("compileGlob(%q): %v", tt.pattern, err)
		}
		if got := g.match(tt.name); got != tt.want {
			t.Errorf("glob %q match %q = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
		if got := matchGlob(tt.pattern, tt.name); got != tt.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestGlobKinds(t *testing.T) {
	tests := []struct {
		pattern string
		want    globKind
	}{
		{"gpt-5", globExact},
		{"*", globAny},
		{"gpt-*", globPrefix},
		{"*-mini", globSuffix},
		{"*mini*", globGeneral},
		{"gpt-?", globGeneral},
		{`gpt\-*`, globGeneral},
	}
	for _, tt := range tests {
		g, err := compileGlob(tt.pattern)
		if err != nil || g.kind != tt.want {
			t.Errorf("compileGlob(%q) = kind %d, %v; want kind %d", tt.pattern, g.kind, err, tt.want)
		}
	}
	for _, bad := range []string{"[", "a[", "[]", "[a-]", `a\`, "[^"} {
		if _, err := compileGlob(bad); err == nil {
			t.Errorf("compileGlob(%q) accepted a malformed pattern", bad)
		}
	}
}

// FuzzGlob checks the matcher against path.Match, which must agree on every
// name without '/' (where path.Match's '*' and '?' stop), and checks that the
// compiled fast paths agree with the general matcher.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{
		{"claude-*", "claude-opus"}, {"*-mini", "o4-mini"}, {"a*b*c", "abxbc"},
		{"[^a-c]?x", "dzx"}, {`\[*`, "[x"}, {"*é?", "aéé"}, {"[", "x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		g, err := compileGlob(pattern)
		_, perr := path.Match(pattern, name)
		if (err == nil) != (perr == nil) {
			t.Fatalf("compileGlob(%q) err = %v, path.Match err = %v", pattern, err, perr)
		}
		if err != nil {
			return
		}
		got := g.match(name)
		if general := matchGlob(pattern, name); got != general {
			t.Fatalf("glob %q (kind %d) match %q = %v, general matcher = %v", pattern, g.kind, name, got, general)
		}
		if strings.Contains(name, "/") {
			return
		}
		if want, _ := path.Match(pattern, name); got != want {
			t.Fatalf("glob %q match %q = %v, path.Match = %v", pattern, name, got, want)
		}
	})
}
