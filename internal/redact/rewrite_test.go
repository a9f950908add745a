package redact

import (
	"bytes"
	"strings"
	"testing"
)

// TestLargeChangedStrings filters bodies whose one string, of more than
// keepBytes, rules change, one after the other (so the rewrite buffers of
// one call serve the next), and checks every output against the body with
// the replacements made by hand, after all of them ran.
func TestLargeChangedStrings(t *testing.T) {
	f, err := Compile(harnessRules(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var outs [][][]byte
	var wants []string
	for i := range 4 {
		filler := strings.Repeat(string(rune('a'+i)), keepBytes+i<<20)
		body := []byte(`{"messages":[{"role":"user","content":"key AKIAABCDEFGHIJKLMNOP ` + filler + ` password = hunter2 end"}]}`)
		want := `{"messages":[{"role":"user","content":"key [REDACTED-AWS-KEY] ` + filler + ` password=[REDACTED] end"}]}`
		pieces, rep := f.ApplyPieces("claude", body, nil)
		if rep.Total() != 2 {
			t.Fatalf("body %d: %d replacements, want 2", i, rep.Total())
		}
		outs = append(outs, pieces) // joined only after the later calls
		wants = append(wants, want)
	}
	for i := range outs {
		if got := string(bytes.Join(outs[i], nil)); got != wants[i] {
			t.Errorf("body %d: output differs from the expected (%d and %d bytes)", i, len(got), len(wants[i]))
		}
	}
}
