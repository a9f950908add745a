package redact

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestScanStrings(t *testing.T) {
	tests := []struct {
		in    string
		ok    bool
		spans []string // contents of the strings found, raw
		kinds []unitKind
	}{
		{`{}`, true, nil, nil},
		{` [ ] `, true, nil, nil},
		{`"a\"b"`, true, []string{`a\"b`}, []unitKind{unitText}},
		{`{"a":"x","b":[1,-2.5e+3,true,false,null,{"c":"\\"}]}`, true,
			[]string{"a", "x", "b", "c", `\\`}, []unitKind{unitText, unitText, unitText, unitText, unitText}},
		{`{"signature":"s","encrypted_content":"e","data":"d","x":{"data":1}}`, true,
			[]string{"signature", "s", "encrypted_content", "e", "data", "d", "x", "data"},
			[]unitKind{unitText, unitOpaque, unitText, unitOpaque, unitText, unitData, unitText, unitText}},
		{`{"a":"b",}`, false, nil, nil},
		{`{"a" "b"}`, false, nil, nil},
		{`["a"]]`, false, nil, nil},
		{`["a"`, false, nil, nil},
		{`"abc`, false, nil, nil},
		{`"a\"`, false, nil, nil},
		{`01`, false, nil, nil},
		{`1.`, false, nil, nil},
		{`-`, false, nil, nil},
		{`tru`, false, nil, nil},
		{`nul`, false, nil, nil},
		{`{"a":1}{"b":2}`, false, nil, nil},
		{`{"a":[}`, false, nil, nil},
		{``, false, nil, nil},
		{"\"a\nb\"", true, []string{"a\nb"}, []unitKind{unitText}}, // raw control characters are let through
	}
	for _, tt := range tests {
		units, ok := scanStrings([]byte(tt.in), nil)
		if ok != tt.ok {
			t.Errorf("scanStrings(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		var got []string
		var kinds []unitKind
		for _, u := range units {
			got = append(got, tt.in[u.start:u.end])
			kinds = append(kinds, u.kind)
		}
		if !reflect.DeepEqual(got, tt.spans) || !reflect.DeepEqual(kinds, tt.kinds) {
			t.Errorf("scanStrings(%q) = %q %v, want %q %v", tt.in, got, kinds, tt.spans, tt.kinds)
		}
	}
}

func TestDecodeString(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`plain`, "plain"},
		{`a\nb\tc\"d\\e\/f\bg\fh\ri`, "a\nb\tc\"d\\e/f\bg\fh\ri"},
		{`caf\u00e9 \u20AC`, "café €"},
		{`\ud83d\ude00!`, "😀!"},
		{`\ud83d!`, "\uFFFD!"}, // lone high surrogate
		{`\ude00`, "\uFFFD"},   // lone low surrogate
		{`\x41`, `\x41`},       // unknown escape kept as is
		{`\u12G4`, `\u12G4`},   // bad hex kept as is
		{`end\`, `end\`},       // trailing backslash
	}
	for _, tt := range tests {
		got, escs, n := decodeString([]byte(tt.raw), nil, nil, len(tt.raw))
		if string(got) != tt.want || n != len(tt.raw) {
			t.Errorf("decodeString(%q) = %q (%d raw bytes), want %q", tt.raw, got, n, tt.want)
		}
		// Every decoded offset maps into raw without splitting an escape,
		// and offsets outside escapes map back and forth.
		for d := 0; d <= len(got); d++ {
			s, e := rawOffset(escs, d, false), rawOffset(escs, d, true)
			if s > e || s < 0 || e > len(tt.raw) || escapeStart([]byte(tt.raw), s) != s {
				t.Errorf("%q: decoded offset %d maps to %d..%d", tt.raw, d, s, e)
			}
			if s == e && decodedOffset(escs, s) != d {
				t.Errorf("%q: decodedOffset(%d) = %d, want %d", tt.raw, s, decodedOffset(escs, s), d)
			}
		}
	}
}

func TestDecodeStringLimit(t *testing.T) {
	raw := []byte(`abc\ndef\u00e9ghi`)
	for limit := 0; limit <= 20; limit++ {
		got, _, n := decodeString(raw, nil, nil, limit)
		full, _, _ := decodeString(raw[:n], nil, nil, len(raw))
		if len(got) < min(limit, 12) || string(got) != string(full) {
			t.Errorf("limit %d: got %q from %d raw bytes (which decode to %q)", limit, got, n, full)
		}
	}
}

func TestEscapeStart(t *testing.T) {
	raw := `a\nb\\c\u00e9d`
	// offsets inside an escape move to its backslash
	want := map[int]int{2: 1, 5: 4, 8: 7, 9: 7, 10: 7, 11: 7, 12: 7, 13: 13, 6: 6, 3: 3}
	for p, w := range want {
		if got := escapeStart([]byte(raw), p); got != w {
			t.Errorf("escapeStart(%q, %d) = %d, want %d", raw, p, got, w)
		}
	}
	if got := escapeEnd([]byte(raw), 9); got != 13 {
		t.Errorf("escapeEnd(9) = %d, want 13", got)
	}
}

func TestAppendEscaped(t *testing.T) {
	for _, s := range []string{"plain", "q\"b\\s", "nl\n\r\t", "\x00\x1f\x7f", "é😀", "</script>&"} {
		enc := `"` + string(appendEscaped(nil, s)) + `"`
		var back string
		if err := json.Unmarshal([]byte(enc), &back); err != nil || back != s {
			t.Errorf("appendEscaped(%q) = %s, decodes to %q (%v)", s, enc, back, err)
		}
	}
}

// base64BlobRef is isBase64Blob as it was, a byte at a time.
func base64BlobRef(raw []byte) bool {
	if len(raw) < 256 {
		return false
	}
	var ok [256]bool
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_") {
		ok[c] = true
	}
	n := len(raw)
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '\\' && i+1 < len(raw) && raw[i+1] == '/' {
			i++
			n--
			continue
		}
		if !ok[c] {
			return false
		}
	}
	return n >= 256
}

// TestIsBase64BlobRef compares isBase64Blob with base64BlobRef on blobs
// with a stray byte, escaped slashes or a backslash at every place.
func TestIsBase64BlobRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_"
	for range 3000 {
		b := make([]byte, 250+rng.IntN(30))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		for range rng.IntN(4) {
			i := rng.IntN(len(b))
			switch rng.IntN(4) {
			case 0:
				b[i] = byte(rng.IntN(256))
			case 1:
				b[i] = '\\'
			default:
				if i+1 < len(b) {
					b[i], b[i+1] = '\\', '/'
				}
			}
		}
		if got, want := isBase64Blob(b), base64BlobRef(b); got != want {
			t.Fatalf("isBase64Blob(%q) = %v, want %v", b, got, want)
		}
	}
}

func TestIsBase64Blob(t *testing.T) {
	b64 := make([]byte, 300)
	for i := range b64 {
		b64[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i%64]
	}
	tests := []struct {
		in   string
		want bool
	}{
		{string(b64), true},
		{string(b64[:255]), false},
		{string(b64) + "==", true},
		{string(b64) + " ", false},
		{string(b64[:100]) + `\/` + string(b64[100:]), true},
	}
	for _, tt := range tests {
		if got := isBase64Blob([]byte(tt.in)); got != tt.want {
			t.Errorf("isBase64Blob(%d bytes ending %q) = %v", len(tt.in), tt.in[len(tt.in)-3:], got)
		}
	}
}

// FuzzScanStrings checks the scanner against encoding/json: every valid
// document is accepted, and each string it finds decodes as encoding/json
// decodes it.
func FuzzScanStrings(f *testing.F) {
	for _, s := range []string{`{"a":"b\n\u00e9\ud83d\ude00"}`, `[1,2,{"x":[true,null]}]`, `"\\\""`, `{"a":1`, `0.5e-3`, "\"\x01\""} {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a\n\"q\" \\ \u00e9"}]}],"max_tokens":32000,"stream":true,"x":-0.5E+2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		units, ok := scanStrings(b, nil)
		if json.Valid(b) && !ok {
			t.Fatalf("valid JSON rejected: %q", b)
		}
		if !ok {
			return
		}
		for _, u := range units {
			raw := b[u.start:u.end]
			if !utf8.Valid(raw) {
				continue // encoding/json replaces bad bytes; the filter keeps them
			}
			var want string
			if err := json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &want); err != nil {
				continue // a string encoding/json rejects (the scanner is lenient inside strings)
			}
			got, _, _ := decodeString(raw, nil, nil, len(raw))
			if string(got) != want {
				t.Errorf("string %q decodes to %q, want %q", raw, got, want)
			}
		}
	})
}

// BenchmarkScanStrings is the tokenizer alone on the 1 MB bodies of
// BenchmarkApplySize.
func BenchmarkScanStrings(b *testing.B) {
	for _, bc := range []struct {
		name string
		body []byte
	}{
		{"harness", harnessBody(1<<20, false)},
		{"claude", claudeBody(1<<20, false)},
		{"code", codeBody(1<<20, false)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			var units []span
			for b.Loop() {
				units, _ = scanStrings(bc.body, units[:0])
			}
		})
	}
}
