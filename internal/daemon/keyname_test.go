package daemon

import (
	"regexp"
	"strings"
	"testing"
)

// keyNameRule is the rule validKeyName implements, kept here as the
// reference the fuzz target compares against.
var keyNameRule = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func TestValidKeyName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"alice", true},
		{"A", true},
		{"9", true},
		{"bob.laptop_2-x", true},
		{strings.Repeat("a", 64), true},
		{strings.Repeat("a", 65), false},
		{"", false},
		{".hidden", false},
		{"-dash", false},
		{"_under", false},
		{"has space", false},
		{"slash/name", false},
		{"new\nline", false},
		{"trailing\n", false},
		{"é", false},
	}
	for _, tt := range tests {
		if got := validKeyName(tt.name); got != tt.want {
			t.Errorf("validKeyName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func FuzzValidKeyName(f *testing.F) {
	for _, s := range []string{"alice", "", ".x", "a-b", strings.Repeat("z", 64), strings.Repeat("z", 65), "a\n", "ä"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := validKeyName(name), keyNameRule.MatchString(name); got != want {
			t.Errorf("validKeyName(%q) = %v, want %v (the regexp)", name, got, want)
		}
	})
}
