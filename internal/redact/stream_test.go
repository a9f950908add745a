package redact

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// streamed feeds body to a Stream of f in the prefixes body[:cuts[k]]
// (growing; the last is the whole body) and returns the pieces joined,
// the final Report, and whether every call said ok. It fails t when a call
// breaks Next's contract.
func streamed(t testing.TB, f *Filter, body []byte, cuts []int) ([]byte, Report, bool) {
	t.Helper()
	s := f.NewStream("claude")
	defer s.Close()
	var out []byte
	var pieces [][]byte
	prev := 0
	for k, c := range cuts {
		final := k == len(cuts)-1
		pre := []byte("kept")
		var n int
		var ok bool
		pieces, n, ok = s.Next(body[:c], final, append(pieces[:0], pre))
		if !ok {
			return out, s.Report(), false
		}
		if len(pieces) == 0 || &pieces[0][0] != &pre[0] {
			t.Fatalf("Next dropped what dst held")
		}
		if n < prev || n > c || final && n != c {
			t.Fatalf("prefix of %d bytes (final %t): n = %d after %d", c, final, n, prev)
		}
		size := 0
		for _, p := range pieces[1:] {
			if len(p) == 0 {
				t.Fatalf("prefix of %d bytes: an empty piece", c)
			}
			size += len(p)
			out = append(out, p...)
		}
		if n == prev && size != 0 {
			t.Fatalf("prefix of %d bytes: %d bytes out for none in", c, size)
		}
		rep := s.Report()
		for _, sp := range rep.Spans {
			if sp.End > len(out) {
				t.Fatalf("prefix of %d bytes: span %+v beyond the %d bytes out", c, sp, len(out))
			}
		}
		prev = n
	}
	if _, n, ok := s.Next(body, true, nil); ok || n != len(body) {
		t.Fatalf("Next after the final call: n %d, ok %t", n, ok)
	}
	return out, s.Report(), true
}

// checkStream fails when streaming body in the prefixes cuts does not give
// Apply's output and Report, or, for a body that is not JSON, never says so.
func checkStream(t testing.TB, f *Filter, body []byte, cuts []int) {
	t.Helper()
	in := bytes.Clone(body)
	want, wantRep := f.Apply("claude", body)
	got, rep, ok := streamed(t, f, in, cuts)
	if !bytes.Equal(in, body) {
		t.Fatalf("the Stream modified its input")
	}
	_, isJSON := scanStrings(body, nil)
	if !isJSON && !f.NewStream("claude").pass {
		if ok {
			t.Fatalf("body %q is not JSON, and the Stream said ok to every prefix (cuts %v)", abbrev(body), abbrevCuts(cuts))
		}
		return
	}
	if !ok {
		t.Fatalf("body %q: the Stream gave up (cuts %v)", abbrev(body), abbrevCuts(cuts))
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("body %q (cuts %v):\n got  %q\n want %q", abbrev(body), abbrevCuts(cuts), abbrev(got), abbrev(want))
	}
	if !reflect.DeepEqual(rep, wantRep) {
		t.Fatalf("body %q (cuts %v): report\n got  %+v\n want %+v", abbrev(body), abbrevCuts(cuts), rep, wantRep)
	}
}

func abbrevCuts(cuts []int) string {
	if len(cuts) > 20 {
		return fmt.Sprint(cuts[:10], "…", cuts[len(cuts)-10:])
	}
	return fmt.Sprint(cuts)
}

// everyByte cuts a body of n bytes after every byte (an empty one once).
func everyByte(n int) []int {
	cuts := []int{0}
	for c := 1; c <= n; c++ {
		cuts = append(cuts, c)
	}
	return cuts
}

// steps cuts a body of n bytes every step bytes.
func steps(n, step int) []int {
	var cuts []int
	for c := step; c < n; c += step {
		cuts = append(cuts, c)
	}
	return append(cuts, n)
}

// randomCuts cuts a body of n bytes at k random places, some twice.
func randomCuts(rng *rand.Rand, n, k int) []int {
	cuts := []int{}
	for range k {
		cuts = append(cuts, rng.IntN(n+1))
	}
	cuts = append(cuts, n)
	for i := 1; i < len(cuts); i++ { // sort, keeping duplicates
		for j := i; j > 0 && cuts[j] < cuts[j-1]; j-- {
			cuts[j], cuts[j-1] = cuts[j-1], cuts[j]
		}
	}
	return cuts
}

// TestStreamMatchesApply streams bodies of every kind the package's tests
// use, cut after every byte when small, else at random places and every
// 64 KB, with each of the differential tests' filters.
func TestStreamMatchesApply(t *testing.T) {
	fs := append(oracleFilters(t, ""), mustCompile(t, harnessRules(), Options{}))
	rng := rand.New(rand.NewPCG(5, 11))
	var bodies [][]byte
	for _, size := range []int{1 << 10, 100 << 10, 1 << 20} {
		for _, secrets := range []bool{false, true} {
			bodies = append(bodies, harnessBody(size, secrets), claudeBody(size, secrets), codeBody(size, secrets))
		}
	}
	n := 60
	if testing.Short() || raceEnabled {
		n = 15
	}
	for range n {
		bodies = append(bodies, oracleBody(rng, false))
	}
	for bi, body := range bodies {
		for fi, f := range fs {
			if fi == 2 && len(body) > 100<<10 {
				continue // rules without literals: slow, and tried on smaller bodies
			}
			t.Run(fmt.Sprintf("body%d/filter%d", bi, fi), func(t *testing.T) {
				if len(body) <= 3000 {
					checkStream(t, f, body, everyByte(len(body)))
				}
				checkStream(t, f, body, randomCuts(rng, len(body), 1+rng.IntN(40)))
				checkStream(t, f, body, steps(len(body), 64<<10))
				checkStream(t, f, body, steps(len(body), 1+rng.IntN(5000)))
			})
		}
	}
}

// TestStreamCuts streams small bodies whose hard places (escapes, opaque
// and base64 values, numbers, literals, secrets, deep nesting) meet every
// cut.
func TestStreamCuts(t *testing.T) {
	fs := oracleFilters(t, "")
	blob := strings.Repeat("QUJDRA==", 40)
	key := "sk-ant-api03-" + token(40, 3)
	deep := strings.Repeat(`{"a":[`, 70) + jsonString("x "+key) + strings.Repeat(`]}`, 70)
	for _, body := range []string{
		`{"a":"x \"` + key + `\" \\\\\"y\\","b":"\\"}`,
		`{"signature":"` + key + `","data":"` + blob + `","data":"` + key + ` ` + blob + `","c":"` + key + `"}`,
		`{"data":"` + blob + `\/\/` + blob + `","encrypted_content":"AKIAZ7Q2XK4M9T3LR8WP"}`,
		`[1,-0.5e+10,true,false,null,"AKIAZ7Q2XK4M9T3LR8WP",12345678901234567890,{},[],{"k":[]}]`,
		` 	{ "a" : [ 1 , "password = x" ] , "b" : { } } ` + "\n",
		`"AKIAZ7Q2XK4M9T3LR8WP"`,
		`12`, `true`, `null`, `"\u0041KIAZ7Q2XK4M9T3LR8WP \u212a \ud83d\ude00 pa\u017fsword=1"`,
		deep,
		`{"a":"\u0073k-ant-api03-` + token(40, 4) + `","b":"AKI\u0041Z7Q2XK4M9T3LR8WP passwor\u0064 = x"}`,
		string(jsonDoc("token: " + key + "\n" + strings.Repeat("\\", 9) + `"` + key)),
		// Not JSON.
		`{"a":1} x`, `{"a":"b"`, `[1,2`, `tru`, `{"a" 1}`, `01`, `[1,]`, `{"a":1,}`, `-`, `1.`, `"abc`,
		`{"a":"b"}}`, `[}`, "password=" + key, ``, ` `, `nul`, `[1 2]`, `{"a":tru}`, `{"a":1e}`,
	} {
		for fi, f := range fs {
			t.Run(fmt.Sprintf("%.30s/filter%d", body, fi), func(t *testing.T) {
				b := []byte(body)
				checkStream(t, f, b, everyByte(len(b)))
				checkStream(t, f, b, []int{len(b)})
				if len(b) > 2 {
					checkStream(t, f, b, []int{0, 1, 1, len(b) / 2, len(b) / 2, len(b) - 1, len(b)})
				}
			})
		}
	}
}

// TestStreamKnownPrefix checks how far Next hands out the output of a
// prefix: up to the token its end may cut.
func TestStreamKnownPrefix(t *testing.T) {
	f := mustCompile(t, harnessRules(), Options{})
	for _, tt := range []struct {
		prefix string
		n      int
	}{
		{`{"a":"xy`, 5},
		{`{"a":"xy\"`, 5},
		{`{"a":"xy"`, 9},
		{`{"a`, 1},
		{`{"a" `, 5},
		{`{"a" :`, 6},
		{`{"a":12`, 5},
		{`{"a":12 `, 8},
		{`{"a":tr`, 5},
		{`{"a":true`, 9},
		{`{"a":[`, 5},
		{`{"a":[ `, 5},
		{`{"a":[ 1,`, 9},
		{`{"a":{}`, 7},
		{`[-`, 1},
		{`"x" `, 4},
		{` `, 1},
	} {
		s := f.NewStream("claude")
		out, n, ok := s.Next([]byte(tt.prefix), false, nil)
		if !ok || n != tt.n || string(bytes.Join(out, nil)) != tt.prefix[:n] {
			t.Errorf("%q: %q, n %d, ok %t; want n %d", tt.prefix, bytes.Join(out, nil), n, ok, tt.n)
		}
		s.Close()
	}
}

// TestStreamNotJSONEarly checks that a body that is plainly not JSON is
// given up at the first part, before the caller holds on to it.
func TestStreamNotJSONEarly(t *testing.T) {
	f := mustCompile(t, harnessRules(), Options{})
	for _, body := range []string{"password=hunter2 and more", `{"a":1}}`, `{"a" "b"}`, `[1,2,3]x`} {
		s := f.NewStream("claude")
		if _, _, ok := s.Next([]byte(body), false, nil); ok {
			t.Errorf("%q: ok before the end", body)
		}
		s.Close()
	}
}

// TestStreamPassThrough checks that a Stream of a nil Filter, or of one
// whose matchers do not apply to the service, hands the body on as it
// comes, JSON or not.
func TestStreamPassThrough(t *testing.T) {
	body := []byte("password=hunter2 not JSON")
	var nilFilter *Filter
	codexOnly := mustCompile(t, []Rule{{Source: "password", Target: "x", Services: []string{"codex"}}}, noDetectors())
	for _, f := range []*Filter{nilFilter, codexOnly} {
		s := f.NewStream("claude")
		p1, n1, ok1 := s.Next(body[:5], false, nil)
		p2, n2, ok2 := s.Next(body, true, p1)
		if !ok1 || !ok2 || n1 != 5 || n2 != len(body) || !bytes.Equal(bytes.Join(p2, nil), body) {
			t.Errorf("got %q (n %d, %d; ok %t, %t), want the body", bytes.Join(p2, nil), n1, n2, ok1, ok2)
		}
		if rep := s.Report(); rep.Total() != 0 || rep.Spans != nil {
			t.Errorf("report %+v, want none", rep)
		}
		s.Close()
	}
}

// TestStreamPiecesOutliveClose checks that pieces alias the body and the
// Filter, not the scratch space that Close gives back and later calls
// reuse, and that a long string is not rescanned on every part.
func TestStreamPiecesOutliveClose(t *testing.T) {
	f := mustCompile(t, harnessRules(), Options{Detectors: allDetectors(true)})
	body := claudeBody(200<<10, true)
	want, _ := f.Apply("claude", body)
	want = bytes.Clone(want)
	s := f.NewStream("claude")
	var pieces [][]byte
	for _, c := range steps(len(body), 4096) {
		pieces, _, _ = s.Next(body[:c], c == len(body), pieces)
	}
	s.Close()
	s.Close()
	for range 3 {
		f.Apply("claude", claudeBody(200<<10, true))
	}
	if got := bytes.Join(pieces, nil); !bytes.Equal(got, want) {
		t.Fatalf("pieces changed after Close")
	}
	for _, p := range pieces {
		if !within(p, body) && !withinRepl(f, p) {
			t.Fatalf("piece %q is neither the body's nor a replacement text", p)
		}
	}
}

// withinRepl reports whether p lies in a replacement text of f.
func withinRepl(f *Filter, p []byte) bool {
	for _, m := range f.matchers {
		if within(p, m.replJSON) || within(p, m.replBytes) {
			return true
		}
	}
	return false
}

// TestStreamLongStringLinear checks that a string cut many times is not
// searched from its start each time: the scanner resumes where the search
// for its closing quote stopped.
func TestStreamLongStringLinear(t *testing.T) {
	body := harnessBody(1<<20, false)
	var sc scanner
	var stack []byte
	var st scanStatus
	for _, c := range steps(len(body), 1024) {
		_, stack, st = sc.scan(body[:c], nil, stack, c == len(body))
		if st == scanMore && c > 1024 && sc.quoteFrom != c {
			t.Fatalf("after a prefix of %d bytes the search resumes at %d", c, sc.quoteFrom)
		}
	}
	if st != scanDone {
		t.Fatalf("status %d, want done", st)
	}
}

// TestFindAllCut checks that the occurrences findAllCut finds in growing
// prefixes of a text are those findAll finds in the whole text, for
// literals that (?i) lets run longer than they are.
func TestFindAllCut(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	parts := []string{"k", "K", "\u212a", "s", "\u017f", "ey", "EY", "e", "y", "skey", "\u212a\u212a", " ", "sk"}
	for range 300 {
		var b strings.Builder
		for range 1 + rng.IntN(20) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		text := []byte(b.String())
		for _, l := range []lit{{s: "key", fold: true}, {s: "skey", fold: true}, {s: "yk", fold: true}, {s: "ey"}, {s: "sk"}} {
			n := newNeedle(l)
			want := n.findAll(text, nil)
			for _, cuts := range [][]int{everyByte(len(text)), randomCuts(rng, len(text), 3)} {
				var got []span
				from := 0
				for _, c := range cuts {
					got, from = n.findAllCut(text[:c], from, got)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%q in %q cut at %v: %v, want %v", l.s, text, cuts, got, want)
				}
			}
		}
	}
}

// FuzzStream checks Stream against Apply for any body cut anywhere: steps
// gives the sizes of the steps between cuts, one byte each (0: the same
// prefix again).
func FuzzStream(f *testing.F) {
	rng := rand.New(rand.NewPCG(8, 1))
	for range 8 {
		f.Add(oracleBody(rng, true), []byte{1, 7, 30, 2})
	}
	f.Add([]byte(`{"a":"\"sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAA\\","signature":"x","data":[1e5,true]}`), []byte{3})
	f.Add([]byte(`[[[[{"a":"\u212a pa\u017fsword=1"}]]]]`), []byte{1})
	// The oracle's third set of rules, whose rules without a useful
	// literal slow the fuzzing engine down, less those.
	rules := []Rule{{Source: `QQ`, Target: "pass"}, {Source: `(?i)password\s*=\s*\S+`, Target: "pw=***"},
		{Source: `ZZ`, Target: "sk-"}, {Source: `token: .*`}, {Source: `(?m)^key=\w+$`, Target: "key=k"}}
	base := append(oracleFilters(f, "")[:2], mustCompile(f, rules, Options{Detectors: allDetectors(true)}))
	f.Fuzz(func(t *testing.T, body, steps []byte) {
		var cuts []int
		for c, k := 0, 0; c < len(body); k++ {
			step := 1
			if len(steps) > 0 {
				step = int(steps[k%len(steps)])
			}
			if step == 0 { // the same prefix again
				cuts = append(cuts, c)
				step = 1
			}
			c = min(len(body), c+step)
			cuts = append(cuts, c)
		}
		if len(cuts) == 0 {
			cuts = []int{0}
		}
		for _, f := range base {
			checkStream(t, f, body, cuts)
		}
	})
}
