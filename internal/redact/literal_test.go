package redact

import (
	"reflect"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
)

func TestAnalyze(t *testing.T) {
	tests := []struct {
		re            string
		lits          []lit
		before, after int
		minLen        int
	}{
		{`acme`, []lit{{s: "acme"}}, 0, 0, 4},
		{`CUST-[0-9]{6}`, []lit{{s: "CUST-"}}, 0, 6, 11},
		{`[a-z]{2,5}@corp\.com`, []lit{{s: "@corp.com"}}, 5, 0, 11},
		{`(?i)falcon`, []lit{{s: "falcon", fold: true}}, 0, 0, 6},
		{`API_?KEY`, []lit{{s: "APIKEY"}, {s: "API_KEY"}}, 0, 0, 6},
		{`[Aa]cme`, []lit{{s: "acme", fold: true}}, 0, 0, 4}, // the parser turns [Aa] into a folding a
		{`keys?`, []lit{{s: "key"}}, 1, 1, 3},                // "keys" is found as "key"
		{`foo|bar`, []lit{{s: "foo"}, {s: "bar"}}, 0, 0, 3},
		{`x+secret`, []lit{{s: "secret"}}, unbounded, 0, 7},
		{`(?:ab)+`, []lit{{s: "ab"}}, unbounded, unbounded, 2},
		{`\bword\b`, []lit{{s: "word"}}, 0, 0, 4},
		{`[0-9]{3}-[0-9]{4}`, []lit{{s: "-"}}, 3, 4, 8},
		{`.*`, nil, 0, 0, 0},
		{`a*`, nil, 0, 0, 0},
		{`[a-z]+`, nil, 0, 0, 1},
		{`(?i)straße`, nil, 0, 0, 6}, // non-ASCII folding is not searched for
	}
	for _, tt := range tests {
		tree, err := syntax.Parse(tt.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		sh := analyze(tree)
		if !reflect.DeepEqual(sh.lits, tt.lits) || sh.lits != nil && (sh.before != tt.before || sh.after != tt.after) || sh.minLen != tt.minLen {
			t.Errorf("analyze(%q) = %v before %d after %d min %d; want %v %d %d %d",
				tt.re, sh.lits, sh.before, sh.after, sh.minLen, tt.lits, tt.before, tt.after, tt.minLen)
		}
	}
}

func TestFindFold(t *testing.T) {
	tests := []struct {
		text, lit string
		start     int
		end       int
	}{
		{"a SECRET b", "secret", 2, 8},
		{"xx SeCrEt", "secret", 3, 9},
		{"no match here", "secret", -1, -1},
		{"\u212Aelvin", "kelvin", 0, 8}, // Kelvin sign, three bytes
		{"\u017Fecret", "secret", 0, 7}, // long s, two bytes
		{"secre", "secret", -1, -1},
	}
	for _, tt := range tests {
		n := newNeedle(lit{s: tt.lit, fold: true})
		s, e := n.find([]byte(tt.text), 0)
		if s != tt.start || e != tt.end {
			t.Errorf("find(%q, %q) = %d, %d; want %d, %d", tt.text, tt.lit, s, e, tt.start, tt.end)
		}
	}
}

func TestNeedleFind(t *testing.T) {
	// Many false starts make find hand over to bytes.Index.
	text := strings.Repeat("k-k-", 5000) + "sk-ant-x"
	n := newNeedle(lit{s: "sk-ant-"})
	if s, e := n.find([]byte(text), 0); s != 20000 || e != 20007 {
		t.Errorf("find = %d, %d; want 20000, 20007", s, e)
	}
	var all []span
	all = newNeedle(lit{s: "aa"}).findAll([]byte("aaaa"), all)
	if want := []span{{0, 2, 0}, {1, 3, 0}, {2, 4, 0}}; !reflect.DeepEqual(all, want) {
		t.Errorf("findAll = %v, want %v", all, want)
	}
}

// FuzzLiterals checks what analyze promises: every match of the pattern
// holds one of its literals, with at most before bytes of the match ahead of
// it and after bytes behind it.
func FuzzLiterals(f *testing.F) {
	for _, s := range []struct{ re, text string }{
		{`CUST-[0-9]{6}`, "id CUST-123456"},
		{`(?i)pro(ject)? falcon`, "PROJECT Falcon, pro falcon"},
		{`[a-z]+@x\.com|ID-\d+`, "mail a@x.com ID-12"},
		{`(a|bc)(d|ef){2,3}g`, "zbcefdg adddg"},
		{`\bk(?i:ey)s?\b`, "keys KEY kEy"},
		{`(?i)kelvin`, "\u212Aelvin"},
		{`x{2}y?z+`, "xxyzzz"},
	} {
		f.Add(s.re, s.text)
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		tree, err := syntax.Parse(pattern, syntax.Perl)
		if err != nil || len(pattern) > 200 {
			return
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		sh := analyze(tree)
		if sh.lits == nil {
			return
		}
		b := []byte(text)
		for _, loc := range re.FindAllIndex(b, -1) {
			if loc[1]-loc[0] < sh.minLen {
				t.Fatalf("%q matches %q (%d bytes), shorter than minLen %d", pattern, b[loc[0]:loc[1]], loc[1]-loc[0], sh.minLen)
			}
			if loc[0] == loc[1] {
				continue
			}
			found := false
			for _, l := range sh.lits {
				n := newNeedle(l)
				for from := max(0, loc[0]-1); !found; {
					s, e := n.find(b, from)
					if s < 0 || s >= loc[1] {
						break
					}
					found = s >= loc[0] && e <= loc[1] && s-loc[0] <= sh.before && loc[1]-e <= sh.after
					from = s + 1
				}
			}
			if !found {
				t.Fatalf("%q: match %q holds none of %v within reach (before %d, after %d)", pattern, b[loc[0]:loc[1]], sh.lits, sh.before, sh.after)
			}
		}
	})
}
