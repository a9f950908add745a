package jsonscan

import (
	"fmt"
	"testing"
)

// BenchmarkField measures a full scan of a request body: the model field comes
// first, but a later duplicate would win, so the whole object is skipped.
func BenchmarkField(b *testing.B) {
	for _, size := range []int{100 << 10, 10 << 20} {
		body := sampleBody(size)
		b.Run(fmt.Sprintf("%dKB", size>>10), func(b *testing.B) {
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
