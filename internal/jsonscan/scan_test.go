package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestField(t *testing.T) {
	tests := []struct {
		name string
		body string
		key  string
		want string // value span; "" means ok=false
	}{
		{"string", `{"model":"claude-opus-4"}`, "model", `"claude-opus-4"`},
		{"number", `{"a":1,"max_tokens":-12.5e+3}`, "max_tokens", `-12.5e+3`},
		{"literals", `{"stream":true,"x":null}`, "x", `null`},
		{"object", `{"metadata":{"user_id":"{\"a\":1}"},"m":1}`, "metadata", `{"user_id":"{\"a\":1}"}`},
		{"array", `{"tools":[{"a":[1,2,{"b":"]"}]}],"m":1}`, "tools", `[{"a":[1,2,{"b":"]"}]}]`},
		{"whitespace", " \r\n\t{ \"model\" :\n \"x\" \n}\n", "model", `"x"`},
		{"bom", "\xef\xbb\xbf{\"model\":\"x\"}", "model", `"x"`},
		{"duplicate last wins", `{"model":"a","model":"b"}`, "model", `"b"`},
		{"nested key ignored", `{"messages":[{"model":"inner"}],"stream":true}`, "model", ""},
		{"nested object key ignored", `{"a":{"model":"inner"}}`, "model", ""},
		{"key in string ignored", `{"text":"\"model\":\"x\""}`, "model", ""},
		{"escaped key", `{"mod\u0065l":"x"}`, "model", `"x"`},
		{"escaped quote in key", `{"a\"b":1}`, `a"b`, `1`},
		{"surrogate pair key", `{"\ud83d\ude00":1}`, "\U0001F600", `1`},
		{"lone surrogate key", `{"\ud800":1}`, "\uFFFD", `1`},
		{"invalid utf8 key", "{\"\xff\":1}", "\uFFFD", `1`},
		{"escaped backslash before quote", `{"a":"x\\","model":"y"}`, "model", `"y"`},
		{"three backslashes", `{"a":"x\\\"","model":"y"}`, "model", `"y"`},
		{"absent", `{"a":1}`, "model", ""},
		{"empty object", `{}`, "model", ""},
		{"array top", `[{"model":"x"}]`, "model", ""},
		{"string top", `"model"`, "model", ""},
		{"empty", ``, "model", ""},
		{"trailing garbage", `{"model":"x"} x`, "model", ""},
		{"trailing comma", `{"model":"x",}`, "model", ""},
		{"missing colon", `{"model" "x"}`, "model", ""},
		{"unterminated string", `{"model":"x}`, "model", ""},
		{"unterminated object", `{"model":"x"`, "model", ""},
		{"mismatched brackets", `{"a":[1},"model":"x"}`, "model", ""},
		{"bad literal", `{"a":tru,"model":"x"}`, "model", ""},
		{"bad number", `{"a":01,"model":"x"}`, "model", ""},
		{"unquoted key", `{model:"x"}`, "model", ""},
		{"empty key", `{"":5}`, "", `5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e, ok := Field([]byte(tt.body), tt.key)
			if tt.want == "" {
				if ok {
					t.Fatalf("Field(%q, %q) = %q, want not found", tt.body, tt.key, tt.body[s:e])
				}
				return
			}
			if !ok {
				t.Fatalf("Field(%q, %q) not found, want %q", tt.body, tt.key, tt.want)
			}
			if got := tt.body[s:e]; got != tt.want {
				t.Errorf("Field(%q, %q) = %q, want %q", tt.body, tt.key, got, tt.want)
			}
		})
	}
}

func TestFieldDepth(t *testing.T) {
	deep := func(n int) []byte {
		return []byte(`{"a":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `,"model":"x"}`)
	}
	if _, _, ok := Field(deep(maxDepth), "model"); !ok {
		t.Errorf("depth %d rejected, want accepted", maxDepth)
	}
	if _, _, ok := Field(deep(maxDepth+1), "model"); ok {
		t.Errorf("depth %d accepted, want rejected", maxDepth+1)
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		body   string
		want   string
		wantOK bool
	}{
		{`{"model":"claude-sonnet-4-5"}`, "claude-sonnet-4-5", true},
		{`{"model":"a\"b\\c\/d\n\u00e9\ud83d\ude00"}`, "a\"b\\c/d\né\U0001F600", true},
		{`{"model":"caf` + "\xc3\xa9" + `"}`, "café", true},
		{"{\"model\":\"\xff\"}", "\uFFFD", true},
		{`{"model":"\ud800x"}`, "\uFFFDx", true},
		{`{"model":""}`, "", true},
		{`{"model":"\x"}`, "", false},
		{"{\"model\":\"a\tb\"}", "", false}, // raw control byte
		{`{"model":1}`, "", false},
		{`{"model":null}`, "", false},
		{`{"other":"x"}`, "", false},
	}
	for _, tt := range tests {
		got, ok := String([]byte(tt.body), "model")
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("String(%q) = %q, %v; want %q, %v", tt.body, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestBool(t *testing.T) {
	tests := []struct {
		body         string
		want, wantOK bool
	}{
		{`{"stream":true}`, true, true},
		{`{"stream":false}`, false, true},
		{`{"stream": true ,"a":1}`, true, true},
		{`{"stream":"true"}`, false, false},
		{`{"stream":null}`, false, false},
		{`{"stream":1}`, false, false},
		{`{}`, false, false},
	}
	for _, tt := range tests {
		got, ok := Bool([]byte(tt.body), "stream")
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Bool(%q) = %v, %v; want %v, %v", tt.body, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestStringAllocs(t *testing.T) {
	for _, body := range []string{`{"model":"claude-opus-4-5"}`, `{"model":"café-模型"}`} {
		allocs := testing.AllocsPerRun(20, func() { String([]byte(body), "model") })
		if allocs != 1 {
			t.Errorf("String(%s) allocates %v times, want 1 (the result)", body, allocs)
		}
	}
}

func TestEqualString(t *testing.T) {
	tests := []struct {
		value, s string
		want     bool
	}{
		{`"gpt-5"`, "gpt-5", true},
		{`"gpt-5"`, "gpt-4", false},
		{`"gpt-5"`, "gpt-5x", false},
		{`"gpt-5x"`, "gpt-5", false},
		{`"g\u0070t"`, "gpt", true},
		{`"\u00e9"`, "é", true},
		{`"\u00e9"`, "\xc3", false},
		{`""`, "", true},
		{`"`, "", false},
		{`gpt`, "gpt", false},
		{`"a"b"`, `a"b`, false},
	}
	for _, tt := range tests {
		if got := EqualString([]byte(tt.value), tt.s); got != tt.want {
			t.Errorf("EqualString(%q, %q) = %v, want %v", tt.value, tt.s, got, tt.want)
		}
	}
}

func TestFieldAllocs(t *testing.T) {
	body := sampleBody(64 << 10)
	allocs := testing.AllocsPerRun(20, func() {
		if _, _, ok := Field(body, "m\u006fdel"); !ok {
			t.Fatal("model not found")
		}
		EqualString([]byte(`"claude"`), "claude")
		Bool(body, "stream")
		FirstField(body, "stream")
	})
	if allocs != 0 {
		t.Errorf("Field allocates %v times per call, want 0", allocs)
	}
}

// sampleBody builds a Claude-Code-like request of about size bytes whose
// model field comes first and stream last, with escapes and nesting between.
func sampleBody(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"model":"claude-opus-4-5","max_tokens":32000,"system":[{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}}],"messages":[`)
	text := strings.Repeat(`Some code: if (a[i] == \"}\") { return \"\\\\\"; } // naïve `, 8)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"role":"user","content":[{"type":"text","text":"` + text + `"},{"type":"tool_result","content":[1,2.5,-3e2,true,null,{"k":[]}]}]}`)
	}
	b.WriteString(`],"metadata":{"user_id":"{\"session_id\":\"abc\"}"},"stream":true}`)
	if !json.Valid(b.Bytes()) {
		panic("sampleBody is not valid JSON")
	}
	return b.Bytes()
}

func TestFirstField(t *testing.T) {
	tests := []struct {
		name string
		body string
		key  string
		want string // value span; "" means ok=false
	}{
		{"first member", `{"model":"claude-opus-4","stream":true}`, "model", `"claude-opus-4"`},
		{"later member", `{"a":[1,{"model":"x"}],"model":"y"}`, "model", `"y"`},
		{"duplicate first wins", `{"model":"a","model":"b"}`, "model", `"a"`},
		{"escaped key", `{"mod\u0065l":"x","model":"y"}`, "model", `"x"`},
		{"malformed after value not seen", `{"model":"x", oops`, "model", `"x"`},
		{"trailing garbage not seen", `{"model":"x"} x`, "model", `"x"`},
		{"malformed before value", `{"a":tru,"model":"x"}`, "model", ""},
		{"nested key ignored", `{"messages":[{"model":"inner"}],"stream":true}`, "model", ""},
		{"absent, whole document checked", `{"a":1`, "model", ""},
		{"absent", `{"a":1}`, "model", ""},
		{"not an object", `["model"]`, "model", ""},
		{"bom and space", "\xef\xbb\xbf {\"model\" : 5 ,", "model", `5`},
		{"unterminated value", `{"model":"x`, "model", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e, ok := FirstField([]byte(tt.body), tt.key)
			if tt.want == "" {
				if ok {
					t.Fatalf("FirstField(%q, %q) = %q, want not found", tt.body, tt.key, tt.body[s:e])
				}
				return
			}
			if !ok {
				t.Fatalf("FirstField(%q, %q) not found, want %q", tt.body, tt.key, tt.want)
			}
			if got := tt.body[s:e]; got != tt.want {
				t.Errorf("FirstField(%q, %q) = %q, want %q", tt.body, tt.key, got, tt.want)
			}
		})
	}
}

func TestFirstString(t *testing.T) {
	tests := []struct {
		body, want string
		ok         bool
	}{
		{`{"model":"a\u00e9","model":"b"}`, "aé", true},
		{`{"model":7}`, "", false},
		{`{"x":"model"}`, "", false},
	}
	for _, tt := range tests {
		got, ok := FirstString([]byte(tt.body), "model")
		if got != tt.want || ok != tt.ok {
			t.Errorf("FirstString(%q) = %q, %v; want %q, %v", tt.body, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLastLiteral(t *testing.T) {
	tests := []struct {
		name, body, key, want string // want "" means ok=false
	}{
		{"last member", `{"model":"m","messages":[],"stream":true}`, "stream", "true"},
		{"spaces", "{\"a\":1 ,\n \"stream\" :\tfalse }\n", "stream", "false"},
		{"only member", `{"stream":null}`, "stream", "null"},
		{"number", `{"a":"x","max_tokens":-1.5e3}`, "max_tokens", "-1.5e3"},
		{"not the last member", `{"stream":true,"model":"m"}`, "stream", ""},
		{"nested", `{"a":{"stream":true}}`, "stream", ""},
		{"nested after a comma", `{"a":1,"b":{"c":2,"stream":true}}`, "stream", ""},
		{"inside a string", `{"a":"x\",\"stream\":true}"}`, "stream", ""},
		{"a longer key", `{"a":1,"xstream":true}`, "stream", ""},
		{"an escaped key", `{"a":1,"str\u0065am":true}`, "stream", ""},
		{"a string value", `{"a":1,"stream":"true"}`, "stream", ""},
		{"not a literal", `{"a":1,"stream":trueish}`, "stream", ""},
		{"an array", `[1,"stream":true}`, "stream", "true"}, // not valid JSON: no promise
		{"not an object", `[true]`, "stream", ""},
		{"empty", ``, "stream", ""},
		{"a key with a quote", `{"a\"":true}`, `a"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := LastLiteral([]byte(tt.body), tt.key)
			if string(got) != tt.want || ok != (tt.want != "") {
				t.Errorf("LastLiteral(%q, %q) = %q, %v; want %q", tt.body, tt.key, got, ok, tt.want)
			}
		})
	}
}
