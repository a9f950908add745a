package sse

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

type member struct{ Key, Value string }

func members(data string) ([]member, bool) {
	var got []member
	ok := Members([]byte(data), func(k, v []byte) bool {
		got = append(got, member{string(k), string(v)})
		return true
	})
	return got, ok
}

func TestMembers(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []member
		ok   bool
	}{
		{"flat", `{"type":"ping","n":1}`, []member{{"type", `"ping"`}, {"n", "1"}}, true},
		{"spaces", ` { "a" : [1, {"type":"x"}] ,"b":null } `, []member{{"a", `[1, {"type":"x"}]`}, {"b", "null"}}, true},
		{"nested type is not top level", `{"delta":{"type":"text_delta","text":"}{\"type\""},"type":"content_block_delta"}`,
			[]member{{"delta", `{"type":"text_delta","text":"}{\"type\""}`}, {"type", `"content_block_delta"`}}, true},
		{"escaped key kept raw", `{"a\"b":true}`, []member{{`a\"b`, "true"}}, true},
		{"empty", `{}`, nil, true},
		{"not an object", `[1,2]`, nil, false},
		{"done sentinel", `[DONE]`, nil, false},
		{"cut short", `{"a":1,"b":{"c":`, []member{{"a", "1"}}, false},
		{"cut in string", `{"a":"xyz`, nil, false},
		{"empty input", ``, nil, false},
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

func TestMemberAndStringValue(t *testing.T) {
	data := []byte(`{"choices":[{"delta":{"model":"inner"}}],"model":"gpt-5","usage":null,"esc":"a\"b"}`)
	tests := []struct {
		key      string
		raw      string
		found    bool
		str      string
		isString bool
	}{
		{"model", `"gpt-5"`, true, "gpt-5", true},
		{"usage", "null", true, "", false},
		{"esc", `"a\"b"`, true, "", false},
		{"missing", "", false, "", false},
	}
	for _, tt := range tests {
		raw, found := Member(data, tt.key)
		if string(raw) != tt.raw || found != tt.found {
			t.Errorf("Member(%q) = %q, %v; want %q, %v", tt.key, raw, found, tt.raw, tt.found)
		}
		s, ok := StringValue(raw)
		if string(s) != tt.str || ok != tt.isString {
			t.Errorf("StringValue(%q) = %q, %v; want %q, %v", raw, s, ok, tt.str, tt.isString)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Member(data, "usage") }); n != 0 {
		t.Errorf("Member allocated %v times, want 0", n)
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
		var got []member
		ok := Members(data, func(k, v []byte) bool {
			if bytes.IndexByte(k, '"') >= 0 && !bytes.Contains(k, []byte(`\"`)) {
				t.Fatalf("key %q holds a bare quote", k)
			}
			got = append(got, member{string(k), string(v)})
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
