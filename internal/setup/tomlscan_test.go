package setup

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// describe renders statements as "kind key [value]" for comparison.
func describe(src []byte, stmts []tomlStmt) []string {
	names := map[tomlKind]string{tomlBlank: "blank", tomlComment: "comment", tomlTable: "table", tomlArrayTable: "array", tomlKeyValue: "kv"}
	var out []string
	for _, st := range stmts {
		s := names[st.kind]
		if st.key != nil {
			s += " " + strings.Join(st.key, "|")
		}
		if st.kind == tomlKeyValue {
			s += " " + string(src[st.valStart:st.valEnd])
		}
		out = append(out, s)
	}
	return out
}

func TestScanTOML(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"keys and comments", "# c\na = 1 # one\n\n  b.c = 'x'\n", []string{"comment", "kv a 1", "blank", "kv b|c 'x'"}},
		{"headers", "[a]\n[ b . \"c.d\" ]  # t\n[[e.f]]\n", []string{"table a", "table b|c.d", "array e|f"}},
		{"quoted keys", "\"a b\" = 1\n'c\\d' = 2\n\"\\u00e9\" = 3\n", []string{"kv a b 1", `kv c\d 2`, "kv é 3"}},
		{"multi-line string hides a header", "s = \"\"\"\n[x]\nk = \\\"\"\"\"\"\nt = 1", []string{"kv s \"\"\"\n[x]\nk = \\\"\"\"\"\"", "kv t 1"}},
		{"literal multi-line", "s = '''a\n#b'''\n", []string{"kv s '''a\n#b'''"}},
		{"array over lines", "a = [\n  1, # one\n  [2],\n]\n[t]\n", []string{"kv a [\n  1, # one\n  [2],\n]", "table t"}},
		{"inline table", "p = { a = \"}\", b = [1] } # c\n", []string{`kv p { a = "}", b = [1] }`}},
		{"hash in string", "u = \"http://h/#x\" # c\n", []string{`kv u "http://h/#x"`}},
		{"crlf", "a = 1\r\n\r\n[t]\r\n# c\r\n", []string{"kv a 1", "blank", "table t", "comment"}},
		{"no final newline", "a = 1", []string{"kv a 1"}},
		{"byte order mark", "\xEF\xBB\xBFa = 1\n", []string{"kv a 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts, err := scanTOML("f", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := describe([]byte(tt.in), stmts); !slices.Equal(got, tt.want) {
				t.Errorf("scanTOML(%q)\n got: %q\nwant: %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestScanTOMLErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"a = \"x\n", "f:1:5: string is not closed on its line"},
		{"a = 'x", "f:1:5: string is not closed"},
		{"a = \"\"\"x\n", "f:1:5: multi-line string is not closed"},
		{"a = [1,\n2\n", "f:1:5: array or inline table is not closed"},
		{"a = 1]\n", "f:1:6: unexpected ']'"},
		{"a 1\n", "f:1:3: unexpected '1' after key, want '='"},
		{"a =\n", "f:1:4: missing value after '='"},
		{"= 1\n", "f:1:1: unexpected '=', want a key"},
		{"a. = 1\n", "f:1:4: unexpected '=', want a key"},
		{"[a\n", "f:1:3: unexpected '\\n' in table header, want \"]\""},
		{"[[a]\n", "f:1:4: unexpected ']' in table header, want \"]]\""},
		{"[a] b\n", "f:1:5: unexpected 'b', want the end of the line"},
		{"\"\\q\" = 1\n", "f:1:1: invalid escape in quoted key"},
		{"ok = 1\n\n  é = 2\n", "f:3:3: unexpected 'é', want a key"},
	}
	for _, tt := range tests {
		_, err := scanTOML("f", []byte(tt.in))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("scanTOML(%q) error = %v, want *ParseError", tt.in, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("scanTOML(%q) error\n got: %s\nwant: %s", tt.in, err, tt.want)
		}
	}
}

func TestTOMLStringValue(t *testing.T) {
	tests := []struct {
		raw  string
		want string
		ok   bool
	}{
		{`"clp"`, "clp", true},
		{`'clp'`, "clp", true},
		{`"a\"b\\c\t\u00e9\U0001F600\x41"`, "a\"b\\c\té😀A", true},
		{`'a\n'`, `a\n`, true},
		{`"\q"`, "", false},
		{`"\u12"`, "", false},
		{`"\uD800"`, "", false},
		{`"""x"""`, "", false},
		{`true`, "", false},
		{`"`, "", false},
		{`"a" # c`, "", false},
	}
	for _, tt := range tests {
		got, ok := tomlStringValue(tt.raw)
		if got != tt.want || ok != tt.ok {
			t.Errorf("tomlStringValue(%s) = %q, %v; want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTOMLQuoteRoundTrip(t *testing.T) {
	for _, s := range []string{"", "http://127.0.0.1:3211", `a"b\c`, "tab\there\x7f\x00", "é😀"} {
		q := tomlQuote(s)
		if got, ok := tomlStringValue(q); !ok || got != s {
			t.Errorf("tomlStringValue(tomlQuote(%q) = %s) = %q, %v", s, q, got, ok)
		}
	}
}

func TestEditCodexConfigErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"model_providers.clp.name = \"x\"\n", "config.toml:1:1: model_providers.clp is set with a dotted key"},
		{"model_providers = {}\n", "config.toml:1:1: model_providers.clp is set with a dotted key"},
		{"[model_providers.clp]\n[model_providers.clp]\n", "config.toml:2:2: model_providers.clp is defined more than once"},
		{"[[model_providers.clp]]\n", "config.toml:1:3: [[model_providers.clp]] is an array of tables"},
	}
	for _, tt := range tests {
		_, err := editCodexConfig("config.toml", []byte(tt.in), "http://h:1")
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("editCodexConfig(%q) error = %v, want prefix %q", tt.in, err, tt.want)
		}
	}
	// Other providers written as dotted keys are not setup's business.
	if _, err := editCodexConfig("config.toml", []byte("[model_providers]\nother.name = \"x\"\n"), "http://h:1"); err != nil {
		t.Errorf("dotted key of another provider: %v", err)
	}
}

// FuzzScanTOML checks that statements cover the input end to end, in order,
// with value spans inside their statements.
func FuzzScanTOML(f *testing.F) {
	for _, s := range []string{"a = 1\n", "[t]\nb = [\n1,\n]\n", "s = \"\"\"\n[x]\n\"\"\"", "# c\r\n\r\nx.'y' = {a = 1}", "a = \"\\\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		stmts, err := scanTOML("f", src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is %T, want *ParseError", err, err)
			}
			return
		}
		at := 0
		for i, st := range stmts {
			if st.start != at || st.end <= st.start {
				t.Fatalf("statement %d spans %d:%d, want to start at %d", i, st.start, st.end, at)
			}
			if st.kind == tomlKeyValue && (st.valStart <= st.keyStart || st.valEnd > st.end || st.valEnd <= st.valStart) {
				t.Fatalf("statement %d value %d:%d outside %d:%d", i, st.valStart, st.valEnd, st.start, st.end)
			}
			at = st.end
		}
		if at != len(src) {
			t.Fatalf("statements end at %d of %d", at, len(src))
		}
	})
}

// FuzzEditCodexConfig checks that the output scans, selects the clp provider
// at the top level with one complete table, keeps every comment and table
// header of the input, and does not change on a second run.
func FuzzEditCodexConfig(f *testing.F) {
	for _, s := range []string{"", "model = \"x\"\n[a]\nb = 1\n", "model_provider = 'y' # c\n", "[model_providers.clp]\nname = \"n\"", "# c\n[t]\r\nk = \"\"\"\n\"\"\"\r\n"} {
		f.Add([]byte(s))
	}
	const url = "http://127.0.0.1:3211"
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := editCodexConfig("config.toml", src, url)
		if err != nil {
			return
		}
		stmts, err := scanTOML("config.toml", out)
		if err != nil {
			t.Fatalf("output of %q does not scan: %v\n%s", src, err, out)
		}
		in, _ := scanTOML("config.toml", src)
		for _, st := range in {
			line := bytes.TrimRight(src[st.start:st.end], "\r\n")
			if (st.kind == tomlComment || st.kind == tomlTable) && !bytes.Contains(out, line) {
				t.Fatalf("line %q of %q is gone from %q", line, src, out)
			}
		}
		var cur []string
		providers, tables := 0, 0
		values := map[string]string{}
		for _, st := range stmts {
			switch st.kind {
			case tomlTable, tomlArrayTable:
				cur = st.key
				if slices.Equal(cur, []string{"model_providers", "clp"}) {
					tables++
				}
			case tomlKeyValue:
				raw := string(out[st.valStart:st.valEnd])
				if len(cur) == 0 && slices.Equal(st.key, []string{"model_provider"}) {
					providers++
					if v, _ := tomlStringValue(raw); v != "clp" {
						t.Fatalf("model_provider = %s in %q", raw, out)
					}
				}
				if slices.Equal(cur, []string{"model_providers", "clp"}) && len(st.key) == 1 {
					values[st.key[0]] = raw
				}
			}
		}
		if providers == 0 || tables != 1 {
			t.Fatalf("%d model_provider keys and %d clp tables in %q", providers, tables, out)
		}
		want := fmt.Sprintf("base_url=%s wire_api=\"responses\" requires_openai_auth=true", tomlQuote(url))
		if got := fmt.Sprintf("base_url=%s wire_api=%s requires_openai_auth=%s", values["base_url"], values["wire_api"], values["requires_openai_auth"]); got != want {
			t.Fatalf("table values %s, want %s, in %q", got, want, out)
		}
		if again, err := editCodexConfig("config.toml", out, url); err != nil || !bytes.Equal(again, out) {
			t.Fatalf("second run changed %q to %q (err %v)", out, again, err)
		}
	})
}
