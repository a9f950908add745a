package redact

import (
	"reflect"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

func TestAnalyze(t *testing.T) {
	tests := []struct {
		re            string
		lits          []lit
		before, after int
		minLen        int
		run           int // min of the class run, 0 for none
	}{
		{`acme`, []lit{{s: "acme"}}, 0, 0, 4, 0},
		{`CUST-[0-9]{6}`, []lit{{s: "CUST-"}}, 0, 6, 11, 0},
		{`[a-z]{2,5}@corp\.com`, []lit{{s: "@corp.com"}}, 5, 0, 11, 0},
		{`(?i)falcon`, []lit{{s: "falcon", fold: true}}, 0, 0, 6, 0},
		{`API_?KEY`, []lit{{s: "APIKEY"}, {s: "API_KEY"}}, 0, 0, 6, 0},
		{`[Aa]cme`, []lit{{s: "acme", fold: true}}, 0, 0, 4, 0}, // the parser turns [Aa] into a folding a
		{`keys?`, []lit{{s: "key"}}, 1, 1, 3, 0},                // "keys" is found as "key"
		{`foo|bar`, []lit{{s: "foo"}, {s: "bar"}}, 0, 0, 3, 0},
		{`x+secret`, []lit{{s: "secret"}}, unbounded, 0, 7, 0},
		{`(?:ab)+`, []lit{{s: "ab"}}, unbounded, unbounded, 2, 0},
		{`\bword\b`, []lit{{s: "word"}}, 0, 0, 4, 0},
		{`[0-9]{3}-[0-9]{4}`, nil, 4, 0, 8, 4},      // a run of 4 digits beats a dash
		{`\b[0-9]{16}\b`, nil, 0, 0, 16, 16},        // no literal at all
		{`x[a-z"]{5}`, []lit{{s: "x"}}, 0, 5, 6, 0}, // '"' is escaped in JSON: no run
		{`.*`, nil, 0, 0, 0, 0},
		{`a*`, nil, 0, 0, 0, 0},
		{`[a-z]+`, nil, 0, 0, 1, 0},
		{`(?i)straße`, nil, 0, 0, 6, 0}, // non-ASCII folding is not searched for
	}
	for _, tt := range tests {
		tree, err := syntax.Parse(tt.re, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		sh := analyze(tree)
		run := 0
		if sh.run != nil {
			run = sh.run.min
		}
		reach := sh.lits != nil || sh.run != nil
		if !reflect.DeepEqual(sh.lits, tt.lits) || run != tt.run || reach && (sh.before != tt.before || sh.after != tt.after) || sh.minLen != tt.minLen {
			t.Errorf("analyze(%q) = %v run %d before %d after %d min %d; want %v %d %d %d %d",
				tt.re, sh.lits, run, sh.before, sh.after, sh.minLen, tt.lits, tt.run, tt.before, tt.after, tt.minLen)
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
		{`[0-9]{3}-[0-9]{2}-[0-9]{4}`, "ssn 123-45-6789 and 1234-56-78901"},
		{`(card )?[0-9]{4}( ?[0-9]{4}){3}`, "card 4111 1111 1111 1111"},
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
		b := []byte(text)
		if sh.run != nil {
			runs := sh.run.find(b, 0, len(b), nil)
			for _, loc := range re.FindAllIndex(b, -1) {
				if loc[0] < loc[1] && !slices.ContainsFunc(runs, func(r span) bool {
					return r.start < loc[1] && loc[0] < r.end && loc[0] >= r.start-sh.before && loc[1] <= r.end+sh.after
				}) {
					t.Fatalf("%q: match %q holds no run of %d within reach (before %d, after %d)", pattern, b[loc[0]:loc[1]], sh.run.min, sh.before, sh.after)
				}
			}
			return
		}
		if sh.lits == nil {
			return
		}
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
