package jsonscan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkField measures a full scan of a request body: the model field comes
// first, but a later duplicate would win, so the whole object is skipped.
// "dense" is sampleBody (an escape every few bytes), "prose" a conversation
// of source code and text with a newline escape every line, as Claude Code
// sends, and "plain" one long string without escapes (clpbench's body).
func BenchmarkField(b *testing.B) {
	for _, kind := range []string{"dense", "prose", "plain"} {
		for _, size := range []int{100 << 10, 10 << 20} {
			body := sampleBody(size)
			switch kind {
			case "prose":
				body = proseBody(size)
			case "plain":
				body = plainBody(size)
			}
			b.Run(fmt.Sprintf("%s/%dKB", kind, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if _, _, ok := Field(body, "model"); !ok {
						b.Fatal("model not found")
					}
				}
			})
		}
	}
}

// proseBody is a request body of about size bytes whose messages hold
// lines of code and text, each ending in an escaped newline.
func proseBody(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"model":"claude-opus-4-5","max_tokens":32000,"messages":[`)
	line := `    return fmt.Errorf(\"read %s: %w\", path, err) // the caller names the file\n`
	text := strings.Repeat(line, 40)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"role":"user","content":[{"type":"text","text":"` + text + `"}]}`)
	}
	b.WriteString(`],"stream":true}`)
	if !json.Valid(b.Bytes()) {
		panic("proseBody is not valid JSON")
	}
	return b.Bytes()
}

func BenchmarkString(b *testing.B) {
	body := sampleBody(100 << 10)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := String(body, "model"); !ok {
			b.Fatal("model not found")
		}
	}
}

// BenchmarkFirstField measures the request path's read of "model": it comes
// first, so FirstField stops after a few bytes whatever the body's size.
func BenchmarkFirstField(b *testing.B) {
	for _, size := range []int{100 << 10, 10 << 20} {
		body := sampleBody(size)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, ok := FirstField(body, "model"); !ok {
					b.Fatal("model not found")
				}
			}
		})
	}
}

// plainBody is a request body of about size bytes whose one message is a
// single string of English without escapes.
func plainBody(size int) []byte {
	const words = "the proxy forwards every event as it arrives "
	text := strings.Repeat(words, size/len(words)+1)
	return []byte(`{"model":"claude-opus-4-5","messages":[{"role":"user","content":"` + text + `"}],"stream":true}`)
}
