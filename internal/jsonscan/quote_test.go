package jsonscan

import (
	"encoding/json"
	"testing"
)

func TestAppendString(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", `""`},
		{"claude-opus-4-5", `"claude-opus-4-5"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"\n\r\t\b\f\x01\x1f", `"\n\r\t\b\f\u0001\u001f"`},
		{"café 模型", `"café 模型"`},
		{"x\u2028y\u2029", `"x\u2028y\u2029"`},
		{"a\xffb", `"a\ufffdb"`},
	} {
		if got := string(AppendString([]byte("p:"), tt.in)); got != "p:"+tt.want {
			t.Errorf("AppendString(%q) = %s, want p:%s", tt.in, got, tt.want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "a\"\\\n\x00", "\u2028\xff\xfe", "模型"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := AppendString(nil, s)
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("AppendString(%q) = %s, not a JSON string: %v", s, out, err)
		}
		// Each invalid byte becomes U+FFFD, as a []rune conversion does.
		if got != string([]rune(s)) {
			t.Fatalf("AppendString(%q) decodes to %q", s, got)
		}
	})
}
