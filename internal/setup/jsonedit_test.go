package setup

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseJSONErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"missing comma", "{\n  \"a\": 1\n  \"b\": 2\n}", "f:3:3: invalid character '\"' after object value, want ',' or '}'"},
		{"trailing comma", "{\"a\": 1,}", "f:1:9: invalid character '}' looking for an object key"},
		{"unquoted key", "{a: 1}", "f:1:2: invalid character 'a' looking for an object key"},
		{"missing colon", "{\"a\" 1}", "f:1:6: invalid character '1' after object key, want ':'"},
		{"unterminated string", "{\"a\": \"x\n", "f:1:9: invalid control character '\\n' in string"},
		{"string at eof", "\"abc", "f:1:1: unterminated string"},
		{"bad escape", `"\q"`, "f:1:3: invalid escape character 'q' in string"},
		{"short unicode escape", `"\u12"`, "f:1:6: invalid character '\"' in \\u escape"},
		{"leading zero", "01", "f:1:2: invalid character '1' after top-level value"},
		{"bare minus", "-", "f:1:2: invalid character end of file in number, want a digit"},
		{"fraction without digits", "1.", "f:1:3: invalid character end of file in number, want a digit"},
		{"bad literal", "nul", "f:1:1: invalid character 'n' looking for a value"},
		{"empty", "", "f:1:1: unexpected end of file, want a value"},
		{"two values", "{} {}", "f:1:4: invalid character '{' after top-level value"},
		{"open comment", "{} /* x", "f:1:4: unterminated /* comment"},
		{"unclosed object", "{\"a\": [1, 2]", "f:1:13: unexpected end of file, want ',' or '}'"},
		{"unclosed array", "[1", "f:1:3: unexpected end of file, want ',' or ']'"},
		{"column counts characters", "{\"é\": x}", "f:1:7: invalid character 'x' looking for a value"},
		{"byte order mark not counted", "\xEF\xBB\xBF{x}", "f:1:2: invalid character 'x' looking for an object key"},
		{"crlf lines", "{\r\n\r\n  x}", "f:3:3: invalid character 'x' looking for an object key"},
		{"too deep", strings.Repeat("[", maxJSONDepth+1), "f:1:1001: nesting deeper than 1000 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseJSON("f", []byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("parseJSON(%q) error = %v, want *ParseError", tt.in, err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("parseJSON(%q) error\n got: %s\nwant: %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseJSONMembers(t *testing.T) {
	src := []byte("\xEF\xBB\xBF// head\n{\"a\": [1, {\"x\": 2}], /* c */ \"b\\u0022\": {\"c\": true, \"d\": {\"e\": null}}, \"a\": -1.5e3}")
	top, err := parseJSON("f", src)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range top.members {
		keys = append(keys, m.key+"="+string(src[m.value.start:m.value.end]))
	}
	want := []string{`a=[1, {"x": 2}]`, `b"={"c": true, "d": {"e": null}}`, "a=-1.5e3"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("members = %q, want %q", keys, want)
	}
	if got := len(top.lookup("a")); got != 2 {
		t.Errorf("lookup(a) found %d members, want 2", got)
	}
	inner := top.lookup(`b"`)[0].value
	if len(inner.members) != 2 || inner.members[1].key != "d" {
		t.Errorf("nested members = %+v, want c and d", inner.members)
	}
	if deeper := inner.members[1].value; deeper.members != nil {
		t.Errorf("members recorded below depth %d: %+v", recordDepth, deeper.members)
	}
}

func TestInsertMembersLayout(t *testing.T) {
	pairs := []jsonPair{{key: "k", raw: `"v"`}, {key: "o", obj: []jsonPair{{key: "x", raw: "1"}}}}
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"two spaces", "{\n  \"a\": 1\n}\n", "{\n  \"a\": 1,\n  \"k\": \"v\",\n  \"o\": {\n    \"x\": 1\n  }\n}\n"},
		{"tabs", "{\n\t\"a\": 1\n}", "{\n\t\"a\": 1,\n\t\"k\": \"v\",\n\t\"o\": {\n\t\t\"x\": 1\n\t}\n}"},
		{"one line", `{"a": 1}`, `{"a": 1, "k": "v", "o": {"x": 1}}`},
		{"compact", `{"a":1}`, `{"a":1,"k":"v","o":{"x":1}}`},
		{"spaced separator", "{\n  \"a\" : 1\n}", "{\n  \"a\" : 1,\n  \"k\" : \"v\",\n  \"o\" : {\n    \"x\" : 1\n  }\n}"},
		{"trailing comment", "{\n  \"a\": 1 // one\n}", "{\n  \"a\": 1, // one\n  \"k\": \"v\",\n  \"o\": {\n    \"x\": 1\n  }\n}"},
		{"empty with comment", "{\n  // none yet\n}", "{\n  // none yet\n  \"k\": \"v\",\n  \"o\": {\n    \"x\": 1\n  }\n}"},
		{"brace on member line", "{\n  \"a\": 1}", "{\n  \"a\": 1,\n  \"k\": \"v\",\n  \"o\": {\n    \"x\": 1\n  }}"},
		{"crlf", "{\r\n  \"a\": 1\r\n}", "{\r\n  \"a\": 1,\r\n  \"k\": \"v\",\r\n  \"o\": {\r\n    \"x\": 1\r\n  }\r\n}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.in)
			top, err := parseJSON("f", src)
			if err != nil {
				t.Fatal(err)
			}
			got := string(applyEdits(src, insertMembers(src, top, pairs, detectJSONStyle(src, top))))
			if got != tt.want {
				t.Errorf("insert into %q\n got: %q\nwant: %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEditCodexAuth(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"missing", "", "{\n  \"OPENAI_API_KEY\": \"-\"\n}\n"},
		{"empty object", "{ }", "{\n  \"OPENAI_API_KEY\": \"-\"\n}\n"},
		{"key kept", `{"OPENAI_API_KEY": "sk-1"}`, `{"OPENAI_API_KEY": "sk-1"}`},
		{"empty key", `{"OPENAI_API_KEY": ""}`, `{"OPENAI_API_KEY": "-"}`},
		{"number key", `{"OPENAI_API_KEY": 5}`, `{"OPENAI_API_KEY": "-"}`},
		{"chatgpt mode", `{"auth_mode": "chatgpt", "OPENAI_API_KEY": null, "tokens": {}}`, `{"auth_mode": "apikey", "OPENAI_API_KEY": "-", "tokens": {}}`},
		{"apikey mode kept", `{"auth_mode": "apikey", "OPENAI_API_KEY": "k"}`, `{"auth_mode": "apikey", "OPENAI_API_KEY": "k"}`},
		{"added after tokens", "{\n  \"tokens\": {\"a\": 1}\n}", "{\n  \"tokens\": {\"a\": 1},\n  \"OPENAI_API_KEY\": \"-\"\n}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := editCodexAuth("auth.json", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("editCodexAuth(%q)\n got: %q\nwant: %q", tt.in, got, tt.want)
			}
		})
	}
	if _, err := editCodexAuth("auth.json", []byte(`"-"`)); err == nil || !strings.Contains(err.Error(), "not an object") {
		t.Errorf("editCodexAuth of a string = %v, want a not-an-object error", err)
	}
}

func TestJSONQuote(t *testing.T) {
	if got, want := jsonQuote(`http://h/a?b=1&c="<x>"`), `"http://h/a?b=1&c=\"<x>\""`; got != want {
		t.Errorf("jsonQuote = %s, want %s", got, want)
	}
}

// FuzzParseJSON checks the parser against encoding/json on input without
// comments or a byte order mark, which only this parser accepts.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"a": [1, 2.5e-3, true, null]}`, `"\u00e9\n"`, `{"a":}`, `[1,]`, `-0`, `01`, "{\"a\":\"\x01\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		n, err := parseJSON("f", src)
		if bytes.Contains(src, []byte("/")) || bytes.HasPrefix(src, []byte(bom)) {
			return
		}
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("error %v is %T, want *ParseError", err, err)
		}
		if err != nil && strings.Contains(err.Error(), "nesting deeper") {
			return
		}
		if valid := json.Valid(src); valid != (err == nil) {
			t.Fatalf("parseJSON(%q) error = %v, json.Valid = %v", src, err, valid)
		}
		if err == nil && !json.Valid(src[n.start:n.end]) {
			t.Fatalf("value span %d:%d of %q is not valid JSON", n.start, n.end, src)
		}
	})
}
