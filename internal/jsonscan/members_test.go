package jsonscan

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

type kv struct{ Key, Value string }

func members(data string) ([]kv, bool) {
	var got []kv
	ok := Members([]byte(data), func(k, v []byte) bool {
		got = append(got, kv{string(k), string(v)})
		return true
	})
	return got, ok
}

func TestMembers(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []kv
		ok   bool
	}{
		{"flat", `{"type":"ping","n":1}`, []kv{{"type", `"ping"`}, {"n", "1"}}, true},
		{"spaces", ` { "a" : [1, {"type":"x"}] ,"b":null } `, []kv{{"a", `[1, {"type":"x"}]`}, {"b", "null"}}, true},
		{"nested type is not top level", `{"delta":{"type":"text_delta","text":"}{\"type\""},"type":"content_block_delta"}`,
			[]kv{{"delta", `{"type":"text_delta","text":"}{\"type\""}`}, {"type", `"content_block_delta"`}}, true},
		{"escaped key kept raw", `{"a\"b":true}`, []kv{{`a\"b`, "true"}}, true},
		{"empty", `{}`, nil, true},
		{"not an object", `[1,2]`, nil, false},
		{"done sentinel", `[DONE]`, nil, false},
		{"cut short", `{"a":1,"b":{"c":`, []kv{{"a", "1"}}, false},
		{"cut in string", `{"a":"xyz`, nil, false},
		{"empty input", ``, nil, false},
		{"bad scalar", `{"a":1,"b":tru}`, []kv{{"a", "1"}}, false},
		{"garbage after", `{"a":1} x`, []kv{{"a", "1"}}, false},
		{"missing comma", `{"a":1 "b":2}`, []kv{{"a", "1"}}, false},
		{"mismatched brackets", `{"a":[1}`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := members(tt.data)
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v", ok, tt.ok)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("member %d: got %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestMembersStops(t *testing.T) {
	var keys []string
	ok := Members([]byte(`{"a":1,"b":2,"c":3} trailing garbage`), func(k, _ []byte) bool {
		keys = append(keys, string(k))
		return string(k) != "b"
	})
	if !ok || len(keys) != 2 {
		t.Errorf("keys %v ok %v, want a and b and ok (nothing after b is read)", keys, ok)
	}
	data := []byte(`{"model":"m","usage":{"input_tokens":3}}`)
	if n := testing.AllocsPerRun(100, func() { Members(data, func(_, _ []byte) bool { return true }) }); n != 0 {
		t.Errorf("Members allocated %v times, want 0", n)
	}
}

func TestValues(t *testing.T) {
	for _, tt := range []struct {
		raw      string
		n        int64
		isInt    bool
		contents string
		isRaw    bool
		str      string
		isString bool
	}{
		{raw: `12`, n: 12, isInt: true},
		{raw: `-3`, n: -3, isInt: true},
		{raw: `0`, isInt: true},
		{raw: `12.0`},
		{raw: `1e3`},
		{raw: `012`},
		{raw: `99999999999999999999`},
		{raw: `"12"`, contents: "12", isRaw: true, str: "12", isString: true},
		{raw: `"gpt-5"`, contents: "gpt-5", isRaw: true, str: "gpt-5", isString: true},
		{raw: `"a\"b"`, str: `a"b`, isString: true},
		{raw: `"caf\u00e9"`, str: "café", isString: true},
		{raw: `null`},
		{raw: `"`},
		{raw: ``},
	} {
		n, isInt := Int([]byte(tt.raw))
		if n != tt.n || isInt != tt.isInt {
			t.Errorf("Int(%s) = %d, %v; want %d, %v", tt.raw, n, isInt, tt.n, tt.isInt)
		}
		c, isRaw := RawString([]byte(tt.raw))
		if string(c) != tt.contents || isRaw != tt.isRaw {
			t.Errorf("RawString(%s) = %q, %v; want %q, %v", tt.raw, c, isRaw, tt.contents, tt.isRaw)
		}
		s, isString := StringValue([]byte(tt.raw))
		if s != tt.str || isString != tt.isString {
			t.Errorf("StringValue(%s) = %q, %v; want %q, %v", tt.raw, s, isString, tt.str, tt.isString)
		}
	}
	if !EqualKey([]byte(`mod\u0065l`), "model") || EqualKey([]byte("model"), "mode") {
		t.Error("EqualKey does not compare decoded keys")
	}
}

func FuzzMembers(f *testing.F) {
	for _, s := range []string{
		`{"type":"message_delta","usage":{"output_tokens":15}}`,
		`{"a":[1,"]",{"b":"}"}],"c":"\\\""}`,
		`{"x":1e5,"y":-2,"z":true,"w":false}`,
		`[DONE]`,
		`{"a":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []kv
		ok := Members(data, func(k, v []byte) bool {
			if bytes.IndexByte(k, '"') >= 0 && !bytes.Contains(k, []byte(`\"`)) {
				t.Fatalf("key %q holds a bare quote", k)
			}
			got = append(got, kv{string(k), string(v)})
			return true
		})
		// For every well-formed object, agree with encoding/json.
		var m map[string]json.RawMessage
		if json.Unmarshal(data, &m) != nil || m == nil {
			return
		}
		if !ok {
			t.Fatalf("Members rejected valid object %q", data)
		}
		last := map[string]string{}
		for _, g := range got {
			last[g.Key] = g.Value
		}
		for k, v := range last {
			if bytes.IndexByte([]byte(k), '\\') >= 0 || !utf8.ValidString(k) {
				continue
			}
			if want, ok := m[k]; !ok || string(want) != v {
				t.Fatalf("member %q = %q, encoding/json says %q (present %v)", k, v, want, ok)
			}
		}
	})
}
