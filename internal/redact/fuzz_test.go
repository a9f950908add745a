package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// replaceAll is the reference for one rule on one text: every non-empty
// leftmost-first match replaced by target.
func replaceAll(re *regexp.Regexp, text, target string) string {
	var b strings.Builder
	prev := 0
	for _, loc := range re.FindAllStringIndex(text, -1) {
		if loc[0] == loc[1] {
			continue
		}
		b.WriteString(text[prev:loc[0]])
		b.WriteString(target)
		prev = loc[1]
	}
	b.WriteString(text[prev:])
	return b.String()
}

// tokens lists the JSON tokens of doc, passing every string that is not an
// opaque value (see Apply) through fn.
func tokens(doc []byte, fn func(string) string) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var out []any
	var objects []bool // open containers: object or array
	inObject := func() bool { return len(objects) > 0 && objects[len(objects)-1] }
	expectKey := false
	kind := unitText // of the value after the key just read
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch v := tok.(type) {
		case json.Delim:
			out = append(out, v)
			switch v {
			case '{', '[':
				objects = append(objects, v == '{')
				expectKey = v == '{'
			default:
				objects = objects[:len(objects)-1]
				expectKey = inObject()
			}
			kind = unitText
			continue
		case string:
			switch {
			case expectKey && inObject():
				out = append(out, fn(v))
				kind = keyKind([]byte(v))
				expectKey = false
				continue
			case kind == unitOpaque, kind == unitData && isBase64Blob([]byte(v)):
				out = append(out, v)
			default:
				out = append(out, fn(v))
			}
		default:
			out = append(out, tok)
		}
		kind = unitText
		expectKey = inObject()
	}
}

// FuzzApply checks, for any rule and any JSON document, that the output is
// valid JSON whose strings are exactly the input's with the rule applied to
// each, and that the report is consistent. Detectors run too, on other
// documents, where only validity and consistency are checked.
func FuzzApply(f *testing.F) {
	for _, s := range []struct{ body, source, target string }{
		{`{"a":"hello acme","b":["acme",1,{"acme":null}]}`, "acme", "corp"},
		{`{"a":"x\"y\\z\n"}`, `["\\\n]`, "\"\\\n"},
		{`["a\u00e9b","\ud83d\ude00"]`, `.`, "."},
		{`{"signature":"acme","data":"acme","x":"acme"}`, "acme", ""},
		{`{"content":"key sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAA and AKIAZ7Q2XK4M9T3LR8WP"}`, "(?i)KEY", "k"},
		{`"-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"`, "^-", "+"},
		{`{"a":"a,b","c":"d"}`, `a","c`, "X"},
		// Characters of a literal written as \u escapes: Go's encoding/json
		// writes <, > and & so, Python's json.dumps all outside ASCII.
		{`{"a":"x\u0061cme \u0041CME ac\u006De","\u0061cme":1}`, "(?i)acme", "corp"},
		{`{"a":"\u003capi\u003e tok\u0026sig=1 \\u003capi\u003e"}`, `<api>|tok&sig=\d`, "X"},
		{`{"a":"s\u006b-ant-1 \\u0073k-ant-2 x\u0073k-ant-3"}`, `sk-ant-\d`, "K"},
		{`{"a":"12\u00334567890123456 caf\u00e9=1 x\u212a"}`, `[0-9]{16}|café=\d|(?i)xk`, "#"},
		{`[" x ", "  "]`, `\s*`, "_"},
		// Every slash escaped, as PHP's json_encode writes it.
		{`{"a":"https:\/\/hooks.slack.com\/services\/T0 x\/y a/b\/c"}`, `hooks\.slack\.com/services/\S+|x/y|b/c`, "W"},
	} {
		f.Add([]byte(s.body), s.source, s.target)
	}
	f.Add([]byte(`{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":[{"type":"text","text":"mail jo@acme-corp.com\nDB_PASSWORD=hunter2hunter2"}]},`+
		`{"role":"assistant","content":[{"type":"thinking","thinking":"ok","signature":"EqQBCkgIBxAB"},{"type":"tool_use","id":"toolu_01","name":"Read","input":{"file_path":"/src/a.go"}}]}],"stream":true}`),
		`[a-z]+@acme-corp\.com`, "user@example.com")
	// Rules run before detectors, so a filter with both is the rule's filter
	// followed by a filter of the detectors alone (compiled once: it is slow).
	detectors := mustCompile(f, nil, Options{Detectors: allDetectors(true)})
	f.Fuzz(func(t *testing.T, body []byte, source, target string) {
		rules := []Rule{{Source: source, Target: target}}
		plain, err := Compile(rules, noDetectors())
		if err != nil {
			return
		}
		valid := json.Valid(body)
		ruled, _ := plain.Apply("claude", body)
		for _, tc := range []struct {
			filter *Filter
			in     []byte
		}{{plain, body}, {detectors, ruled}} {
			out, rep := tc.filter.Apply("claude", tc.in)
			checkPieces(t, tc.filter, tc.in, out, rep)
			body := tc.in
			if valid && !json.Valid(out) {
				t.Fatalf("valid input %q became invalid %q", body, out)
			}
			if rep.Counts == nil && !bytes.Equal(out, body) {
				t.Fatalf("output changed without a report: %q -> %q", body, out)
			}
			n, prev := 0, 0
			for _, sp := range rep.Spans {
				if sp.Start < prev || sp.End < sp.Start || sp.End > len(out) {
					t.Fatalf("span %+v out of order or range", sp)
				}
				prev = sp.Start
			}
			for _, c := range rep.Counts {
				n += c
			}
			if n != len(rep.Spans) {
				t.Fatalf("counts %v but %d spans", rep.Counts, len(rep.Spans))
			}
		}
		if !valid || !utf8.Valid(body) || !utf8.ValidString(target) {
			return
		}
		re := regexp.MustCompile(plain.matchers[0].re.String())
		want, err := tokens(body, func(s string) string { return replaceAll(re, s, target) })
		if err != nil {
			return
		}
		out, _ := plain.Apply("claude", body)
		got, err := tokens(out, func(s string) string { return s })
		if err != nil {
			t.Fatalf("output does not tokenize: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("rule %q -> %q on %q:\n got  %q\n want %q", source, target, body, got, want)
		}
	})
}

// FuzzWindows checks that running a rule only around its literals (in raw,
// escaped JSON, or in decoded text) finds exactly what running it over the
// whole text finds.
func FuzzWindows(f *testing.F) {
	long := strings.Repeat("lorem ipsum dolor sit amet, ", 20)
	for _, s := range []struct{ pattern, text string }{
		{`CUST-[0-9]{6}`, long + "CUST-123456 " + long + "CUST-7 CUST-999999"},
		{`\bacme\b`, long + "acme xacme acme\nacme"},
		{`(?m)^id: \w{3}$`, long + "\nid: abc\nid: abcd\n" + long},
		{`(?i)falcon|eagle`, long + "FALCON\t\"eagle\" " + long},
		{`[a-z]{2,8}@x\.io`, long + "mail bob@x.io, alice.b@x.io " + long},
		{`a.{0,40}z`, long + "a\u00e9\u2028\U0001F600z " + long},
		{`"q"`, long + `say "q" \ "q"` + long},
		{`\b[0-9]{4}( ?[0-9]{4}){3}\b`, long + "card 4111 1111 1111 1111, 41111111111111112 " + long},
		{`[0-9]{3}-[0-9]{2}-[0-9]{4}`, long + "ssn 123-45-6789\n987-65-43210" + long},
	} {
		f.Add(s.pattern, s.text)
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		if len(pattern) > 100 || !utf8.ValidString(text) {
			return
		}
		re, tree, err := compileSource(pattern)
		if err != nil {
			return
		}
		m := newMatcher(re, tree, "#")
		var want []int
		for _, loc := range re.FindAllStringIndex(text, -1) {
			if loc[1] > loc[0] {
				want = append(want, loc...)
			}
		}
		sc := new(scratch)
		if got := m.find([]byte(text), sc, nil); !reflect.DeepEqual(got, want) && (len(got) > 0 || len(want) > 0) {
			t.Fatalf("%q: windows over decoded text found %v, whole text %v", pattern, got, want)
		}
		// The same through the raw JSON form, from the literals found there.
		raw := []byte(jsonString(text))
		raw = raw[1 : len(raw)-1]
		var hits []span
		for _, n := range m.raw {
			hits = n.findAll(raw, hits)
		}
		if m.run != nil {
			hits = m.run.find(raw, 0, len(raw), hits)
		}
		if !m.prefiltered() {
			return
		}
		slices.SortFunc(hits, func(a, b span) int { return a.start - b.start })
		// A \u escape (Go's encoder writes U+2028 and control characters
		// so) of a character of the literals hides them from the raw
		// search: Apply then runs the rule on the whole decoded string.
		var edits []edit
		if escapesHide(raw, m) {
			v := sc.window(raw, true, 0, len(raw))
			edits = m.editsIn(&v, m.find(v.text, sc, nil), true, nil)
		} else {
			edits = m.viaHits(raw, true, hits, sc, nil)
		}
		var b []byte
		prev := 0
		for _, e := range edits {
			b = append(append(b, raw[prev:e.start]...), e.repl...)
			prev = e.end
		}
		b = append(b, raw[prev:]...)
		var got string
		if err := json.Unmarshal([]byte(`"`+string(b)+`"`), &got); err != nil {
			t.Fatalf("%q: edits broke the string: %v", pattern, err)
		}
		if w := replaceAll(re, text, "#"); got != w {
			t.Fatalf("%q on %q:\n got  %q\n want %q", pattern, text, got, w)
		}
	})
}

// escapesHide reports whether the raw content of a JSON string holds a \u
// escape of a character of m's alphabet, read from its start as a decoder
// does (the reference for the prefilter's escape pairs).
func escapesHide(raw []byte, m *matcher) bool {
	for i := 0; i+1 < len(raw); {
		switch {
		case raw[i] != '\\':
			i++
		case raw[i+1] != 'u':
			i += 2
		default:
			r, n, ok := escRune(raw[i:])
			if ok && m.alpha.has(r) {
				return true
			}
			i += max(n, 2)
		}
	}
	return false
}
