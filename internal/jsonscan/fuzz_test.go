package jsonscan

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzField checks Field, FirstField, String, Bool and EqualString against
// encoding/json: for every valid document the span must be exactly the raw value that
// encoding/json finds for the key (last duplicate wins) and the decoded
// string and boolean must agree. For any input Field must not panic and must
// return a span inside body. FirstField must find the first member of that
// name (encoding/json's token stream tells which) and, on any input, never a
// later one than Field.
func FuzzField(f *testing.F) {
	seeds := []struct{ body, key string }{
		{`{"model":"claude-opus-4"}`, "model"},
		{`{"model":"a","model":"b"}`, "model"},
		{`{"mod\u0065l":1,"stream":true}`, "model"},
		{`{"a":{"model":"x"},"model":[1,{"b":"]"}]}`, "model"},
		{`{"a":"x\\\"","model":"y\ud83d\ude00"}`, "model"},
		{"\xef\xbb\xbf {\"stream\":false}", "stream"},
		{`{"\ud800":"\udc00"}`, "\uFFFD"},
		{"{\"\xff\":\"\xfe\"}", "\uFFFD"},
		{`{"n":-0.5e-10,"t":null}`, "n"},
		{`[1,2]`, "model"},
		{`{"a":[}`, "a"},
		{`{"a":"\u00"}`, "a"},
		{`{"a":[1],"stream":true}`, "stream"},
		{`{"a":"\",\"stream\":true}"}`, "stream"},
		{`{"stream":false,"stream" : 1e2 }`, "stream"},
	}
	for _, s := range seeds {
		f.Add([]byte(s.body), s.key)
	}
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		start, end, ok := Field(body, key)
		if ok && (start < 0 || start >= end || end > len(body)) {
			t.Fatalf("Field(%q, %q) = [%d:%d], outside body", body, key, start, end)
		}
		fs, fe, fok := FirstField(body, key)
		if fok && (fs < 0 || fs >= fe || fe > len(body)) {
			t.Fatalf("FirstField(%q, %q) = [%d:%d], outside body", body, key, fs, fe)
		}
		if ok && (!fok || fs > start) {
			t.Fatalf("Field(%q, %q) found [%d:%d] but FirstField = [%d:%d] %v", body, key, start, end, fs, fe, fok)
		}
		if ok && fs == start && fe != end {
			t.Fatalf("FirstField(%q, %q) = [%d:%d], Field = [%d:%d]", body, key, fs, fe, start, end)
		}
		got, gotOK := String(body, key)
		gotBool, gotBoolOK := Bool(body, key)
		last, lastOK := LastLiteral(body, key)

		doc := bytes.TrimPrefix(body, []byte(bom))
		if !json.Valid(doc) {
			return
		}
		if lastOK {
			name, raw := lastMember(doc)
			if name != key || !bytes.Equal(raw, last) {
				t.Fatalf("LastLiteral(%q, %q) = %q, but the last member is %q: %q", body, key, last, name, raw)
			}
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(doc, &m); err != nil || m == nil {
			if ok {
				t.Fatalf("Field(%q, %q) found a value in a non-object", body, key)
			}
			return
		}
		raw, has := m[key]
		if has != ok {
			t.Fatalf("Field(%q, %q) ok = %v, encoding/json has = %v", body, key, ok, has)
		}
		if !has {
			return
		}
		if !fok {
			t.Fatalf("FirstField(%q, %q) not found in a valid document", body, key)
		}
		var firstWant json.RawMessage
		if first := firstMember(doc, key); first != nil {
			firstWant = first
		}
		if !bytes.Equal(body[fs:fe], firstWant) {
			t.Fatalf("FirstField(%q, %q) = %q, want the first member %q", body, key, body[fs:fe], firstWant)
		}
		if !bytes.Equal(body[start:end], raw) {
			t.Fatalf("Field(%q, %q) = %q, encoding/json = %q", body, key, body[start:end], raw)
		}

		var want string
		wantOK := json.Unmarshal(raw, &want) == nil && raw[0] == '"'
		if got != want || gotOK != wantOK {
			t.Fatalf("String(%q, %q) = %q, %v; encoding/json = %q, %v", body, key, got, gotOK, want, wantOK)
		}
		if wantOK && !EqualString(raw, want) {
			t.Fatalf("EqualString(%q, %q) = false, want true", raw, want)
		}
		if wantOK && EqualString(raw, want+"x") {
			t.Fatalf("EqualString(%q, %q) = true, want false", raw, want+"x")
		}

		var wantBool bool
		wantBoolOK := json.Unmarshal(raw, &wantBool) == nil && (raw[0] == 't' || raw[0] == 'f')
		if gotBool != wantBool || gotBoolOK != wantBoolOK {
			t.Fatalf("Bool(%q, %q) = %v, %v; encoding/json = %v, %v", body, key, gotBool, gotBoolOK, wantBool, wantBoolOK)
		}
	})
}

// firstMember returns the raw value of the first top-level member named key
// of the valid JSON object doc, read with encoding/json's token stream.
func firstMember(doc []byte, key string) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if _, err := dec.Token(); err != nil { // {
		return nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil
		}
		if tok == key {
			return raw
		}
	}
	return nil
}

// lastMember returns the name and raw value of the last top-level member
// of the valid JSON document doc, if it is an object.
func lastMember(doc []byte) (string, json.RawMessage) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", nil
	}
	var name string
	var raw json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", nil
		}
		name, _ = tok.(string)
		if err := dec.Decode(&raw); err != nil {
			return "", nil
		}
	}
	return name, raw
}
