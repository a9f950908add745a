package route

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clp-proxy/clp/internal/jsonscan"
)

func TestSetModel(t *testing.T) {
	tests := []struct {
		name, body, model string
		want              string // "" means unchanged
	}{
		{"replace", `{"model":"claude-opus-4-5","stream":true}`, "claude-sonnet-4-5",
			`{"model":"claude-sonnet-4-5","stream":true}`},
		{"keeps spacing", "{ \"max_tokens\" : 10 ,\n \"model\" :\t\"a\" }\n", "bb",
			"{ \"max_tokens\" : 10 ,\n \"model\" :\t\"bb\" }\n"},
		{"shorter", `{"model":"claude-3-5-haiku-20241022"}`, "x", `{"model":"x"}`},
		{"escapes in model", `{"model":"a"}`, "q\"b\\s\n\x01\u2028é",
			`{"model":"q\"b\\s\n\u0001\u2028é"}`},
		{"invalid utf8 in model", `{"model":"a"}`, "x\xffy", `{"model":"x\ufffdy"}`},
		{"escaped key", `{"mod\u0065l":"a"}`, "b", `{"mod\u0065l":"b"}`},
		{"first duplicate", `{"model":"a","x":1,"model":"b"}`, "c", `{"model":"c","x":1,"model":"b"}`},
		{"later member", `{"x":[{"model":"a"}],"model":"b"}`, "c", `{"x":[{"model":"a"}],"model":"c"}`},
		{"bom", "\xef\xbb\xbf{\"model\":\"a\"}", "b", "\xef\xbb\xbf{\"model\":\"b\"}"},
		{"nested only", `{"messages":[{"model":"a"}]}`, "b", ""},
		{"absent", `{"stream":true}`, "b", ""},
		{"not a string", `{"model":null}`, "b", ""},
		{"number", `{"model":42}`, "b", ""},
		{"array body", `[{"model":"a"}]`, "b", ""},
		{"malformed before model", `{"x":tru,"model":"a"}`, "b", ""},
		{"malformed after model is not read", `{"model":"a"`, "b", `{"model":"b"`},
		{"empty", ``, "b", ""},
		{"same", `{"model":"claude"}`, "claude", ""},
		{"same escaped", `{"model":"cl\u0061ude"}`, "claude", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			orig := bytes.Clone(body)
			out, changed := SetModel(body, tt.model)
			if !bytes.Equal(body, orig) {
				t.Fatalf("SetModel modified its input")
			}
			if tt.want == "" {
				if changed || !sameSlice(out, body) {
					t.Fatalf("SetModel(%q, %q) = %q, %v; want body itself, false", tt.body, tt.model, out, changed)
				}
				return
			}
			if !changed || string(out) != tt.want {
				t.Errorf("SetModel(%q, %q) = %q, %v; want %q, true", tt.body, tt.model, out, changed, tt.want)
			}
			if got, _ := jsonscan.FirstString(out, "model"); got != string([]rune(tt.model)) {
				t.Errorf("model decodes to %q, want %q", got, tt.model)
			}
		})
	}
}

func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// TestSetModelLargeBody checks that only the value span changes in a large
// body, and that the result is one allocation.
func TestSetModelLargeBody(t *testing.T) {
	body := requestBody(1 << 20)
	start, end, _ := jsonscan.FirstField(body, "model")
	out, changed := SetModel(body, "gpt-5-codex")
	if !changed {
		t.Fatal("SetModel did not change the model")
	}
	quoted := `"gpt-5-codex"`
	if !bytes.Equal(out[:start], body[:start]) {
		t.Error("bytes before the model value differ")
	}
	if got := string(out[start : start+len(quoted)]); got != quoted {
		t.Errorf("value = %s, want %s", got, quoted)
	}
	if !bytes.Equal(out[start+len(quoted):], body[end:]) {
		t.Error("bytes after the model value differ")
	}
	if cap(out) != len(out) {
		t.Errorf("cap(out) = %d, want exactly len %d", cap(out), len(out))
	}
	allocs := testing.AllocsPerRun(5, func() { SetModel(body, "gpt-5-codex") })
	if allocs != 1 {
		t.Errorf("SetModel allocates %v times, want 1", allocs)
	}
	allocs = testing.AllocsPerRun(5, func() { SetModel(body, "claude-opus-4-5") })
	if allocs != 0 {
		t.Errorf("SetModel with the same model allocates %v times, want 0", allocs)
	}
}

// FuzzSetModel checks that the bytes outside the first "model" value are
// kept, that the new value decodes to the model, and that whenever the input
// is a valid JSON object with one string "model", the output is valid JSON
// that decodes to the input with only the model changed.
func FuzzSetModel(f *testing.F) {
	f.Add([]byte(`{"model":"claude-opus-4-5","messages":[{"role":"user","content":"hi \"x\""}],"stream":true}`), "claude-sonnet-4-5")
	f.Add([]byte(`{"model":"a","model":"b"}`), "c")
	f.Add([]byte(`{"model":"a",`), "c")
	f.Add([]byte(`{"mod\u0065l":"x","n":[1,{"model":2}]}`), "y\"\u2028")
	f.Add([]byte(`{"model":null}`), "x")
	f.Add([]byte(`{"model":"same"}`), "same")
	f.Add([]byte(`[1]`), "x")
	f.Fuzz(func(t *testing.T, body []byte, model string) {
		orig := bytes.Clone(body)
		out, changed := SetModel(body, model)
		if !bytes.Equal(body, orig) {
			t.Fatal("SetModel modified its input")
		}
		// ModelEdit describes exactly SetModel's result.
		if e, ok := ModelEdit(body, model); ok != changed {
			t.Fatalf("ModelEdit ok = %v, SetModel changed = %v", ok, changed)
		} else if ok && !bytes.Equal(bytes.Join([][]byte{body[:e.Start], e.Value, body[e.End:]}, nil), out) {
			t.Fatalf("ModelEdit(%q, %q) = %+v, which does not give SetModel's %q", body, model, e, out)
		}
		if !changed {
			if !sameSlice(out, body) {
				t.Fatal("unchanged result is not body itself")
			}
			return
		}
		start, end, _ := jsonscan.FirstField(body, "model")
		tail := len(body) - end
		if !bytes.Equal(out[:start], body[:start]) || !bytes.Equal(out[len(out)-tail:], body[end:]) {
			t.Fatalf("SetModel(%q, %q) = %q changed bytes outside the value", body, model, out)
		}
		if got, _ := jsonscan.FirstString(out, "model"); got != string([]rune(model)) {
			t.Fatalf("SetModel(%q, %q): model decodes to %q", body, model, got)
		}
		if ls, _, _ := jsonscan.Field(body, "model"); !json.Valid(body) || ls != start {
			return // invalid, or a later duplicate that encoding/json would read
		}
		if !json.Valid(out) {
			t.Fatalf("SetModel(%q, %q) = %q, not valid JSON", body, model, out)
		}
		var in, got map[string]any
		if err := json.Unmarshal(body, &in); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if in["model"] == string([]rune(model)) && utf8.ValidString(model) {
			t.Fatalf("SetModel(%q, %q) changed an equal model", body, model)
		}
		in["model"] = string([]rune(model))
		if !reflect.DeepEqual(in, got) {
			t.Fatalf("SetModel(%q, %q) decodes to %v, want %v", body, model, got, in)
		}
	})
}

// requestBody builds a Claude-Code-like request of about size bytes.
func requestBody(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"model":"claude-opus-4-5","max_tokens":32000,"thinking":{"type":"adaptive"},"system":[{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}}],"messages":[`)
	text := strings.Repeat(`Some code: if (a[i] == \"}\") { return \"\\\\\"; } // naïve `, 8)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"role":"user","content":[{"type":"text","text":"` + text + `"},{"type":"tool_result","content":[1,2.5,-3e2,true,null,{"k":[]}]}]}`)
	}
	b.WriteString(`],"metadata":{"user_id":"{\"session_id\":\"abc\"}"},"stream":true}`)
	if !json.Valid(b.Bytes()) {
		panic("requestBody is not valid JSON")
	}
	return b.Bytes()
}

func BenchmarkSetModel(b *testing.B) {
	for _, size := range []int{100 << 10, 10 << 20} {
		body := requestBody(size)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, changed := SetModel(body, "claude-sonnet-4-5"); !changed {
					b.Fatal("not changed")
				}
			}
		})
	}
}
