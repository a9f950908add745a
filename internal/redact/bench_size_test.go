package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// harnessRules are the 5 rules clpbench writes to filter.json.
func harnessRules() []Rule {
	return []Rule{
		{Source: `sk-ant-api03-[A-Za-z0-9_-]{20,}`, Target: "[REDACTED-ANTHROPIC-KEY]"},
		{Source: `AKIA[0-9A-Z]{16}`, Target: "[REDACTED-AWS-KEY]"},
		{Source: `(?i)password\s*=\s*\S+`, Target: "password=[REDACTED]"},
		{Source: `-----BEGIN [A-Z ]*PRIVATE KEY-----`, Op: OpRemove},
		{Source: `internal.corp.example`, Target: "host.example"},
	}
}

// harnessBody is clpbench's scenario 5 request: one long JSON string of
// English filler, holding one Anthropic key when secret is set.
func harnessBody(size int, secret bool) []byte {
	head := `{"model":"claude-sonnet-4-5","max_tokens":32000,"stream":false,"metadata":{"user_id":"bench"},"system":[{"type":"text","text":"You are a coding agent."}],"messages":[{"role":"user","content":"the key is `
	if secret {
		head += `sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAA please keep it. `
	}
	const words = "the proxy forwards every event as it arrives and never buffers a stream "
	tail := `"}]}`
	n := max(size-len(head)-len(tail), 1)
	return []byte(head + strings.Repeat(words, n/len(words)+1)[:n] + tail)
}

// codeBody is the body of the proxy's BenchmarkServeHTTP: many messages of
// escaped code, then one AWS key in the last message when secret is set.
func codeBody(size int, secret bool) []byte {
	var b bytes.Buffer
	b.WriteString(`{"model":"claude-sonnet-4-5","max_tokens":32000,"messages":[`)
	text := strings.Repeat(`Some code: if (a[i] == \"}\") { return x; } // naive `, 8)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"role":"user","content":[{"type":"text","text":"` + text + `"}]}`)
	}
	last := "no key here"
	if secret {
		last = "key AKIAABCDEFGHIJKLMNOP"
	}
	b.WriteString(`,{"role":"user","content":"` + last + `"}],"stream":false}`)
	return b.Bytes()
}

// BenchmarkApplySize is scenario 5 of issue 9 in-process: the harness's 5
// rules and the default detectors on bodies of 1 KB to 10 MB, one long
// string (harness), a Claude Code conversation (claude) or the proxy
// benchmark's escaped code (code), each without and
// with secrets (2 KB with one key is clpbench's scenario 2); "old" is the filter as it was before the fourth round
// (applyOld), for ratios from one run, and "pieces" is ApplyPieces.
func BenchmarkApplySize(b *testing.B) {
	f, err := Compile(harnessRules(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []string{"harness", "claude", "code"} {
		for _, secrets := range []bool{false, true} {
			for _, size := range []int{1 << 10, 2 << 10, 100 << 10, 1 << 20, 10 << 20} {
				newBody := func() []byte {
					switch kind {
					case "harness":
						return harnessBody(size, secrets)
					case "claude":
						return claudeBody(size, secrets)
					}
					return codeBody(size, secrets)
				}
				for _, impl := range []string{"new", "pieces", "old"} {
					apply := f.Apply
					if impl == "old" {
						apply = f.applyOld
					}
					var dst [][]byte
					if impl == "pieces" {
						apply = func(service string, body []byte) ([]byte, Report) {
							var rep Report
							dst, rep = f.ApplyPieces(service, body, dst[:0])
							return nil, rep
						}
					}
					name := fmt.Sprintf("%s/secrets=%t/%dKB/%s", kind, secrets, size>>10, impl)
					b.Run(name, func(b *testing.B) {
						body := newBody() // only for the benchmarks that run
						b.SetBytes(int64(len(body)))
						b.ReportAllocs()
						for b.Loop() {
							apply("claude", body)
						}
					})
				}
			}
		}
	}
}

// BenchmarkApplySmall is the fixed cost of Apply on a small body: clpbench's
// scenario 2 request (2 KB, one key) with the harness's rules and the
// default detectors, and the same body with one AWS key instead, or none.
func BenchmarkApplySmall(b *testing.B) {
	f, err := Compile(harnessRules(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	aws := bytes.Replace(harnessBody(2<<10, false), []byte("the key is "), []byte("the key is AKIAZ7Q2XK4M9T3LR8WP "), 1)
	for _, bc := range []struct {
		name string
		body []byte
	}{
		{"anthropic-key", harnessBody(2<<10, true)},
		{"aws-key", aws},
		{"clean", harnessBody(2<<10, false)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				f.Apply("claude", bc.body)
			}
		})
	}
}

// BenchmarkApplyTwoKeys is ApplyPieces and Apply on the harness's 1 MB body
// with a second key, for another rule, at its end: two rules change the one
// long string.
func BenchmarkApplyTwoKeys(b *testing.B) {
	f, err := Compile(harnessRules(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	body := harnessBody(1<<20, true)
	copy(body[len(body)-40:], " AKIAZ7Q2XK4M9T3LR8WP ")
	var dst [][]byte
	b.Run("pieces", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			dst, _ = f.ApplyPieces("claude", body, dst[:0])
		}
	})
	b.Run("apply", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			f.Apply("claude", body)
		}
	})
}

// BenchmarkApplyEscaped filters 1 MB bodies dense with \u escapes, with the
// harness's rules and the default detectors: the claude body as Go's
// encoding/json writes it by default (<, > and & escaped), the code body
// with ANSI colours (\u001b) around every "Some code", and the claude body
// with every 'e' escaped, which no encoder writes: an escape of a character
// of the literals in every string, the worst case.
func BenchmarkApplyEscaped(b *testing.B) {
	f, err := Compile(harnessRules(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		body func() []byte
	}{
		{"claude-html", func() []byte {
			var v any
			if err := json.Unmarshal(claudeBody(1<<20, false), &v); err != nil {
				b.Fatal(err)
			}
			out, err := json.Marshal(v)
			if err != nil {
				b.Fatal(err)
			}
			return out
		}},
		{"code-ansi", func() []byte {
			return bytes.ReplaceAll(codeBody(1<<20, false), []byte("Some code"), []byte(`\u001b[31mSome\u001b[0m code`))
		}},
		{"claude-every-e", func() []byte {
			return bytes.ReplaceAll(claudeBody(1<<20, false), []byte("e"), []byte(`\u0065`))
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			body := bc.body()
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				f.Apply("claude", body)
			}
		})
	}
}

// BenchmarkStream is a Stream fed in 64 KB parts (stream) against one
// ApplyPieces of the whole body (pieces), on the 1 MB and 10 MB bodies of
// BenchmarkApplySize, for ratios from one run.
func BenchmarkStream(b *testing.B) {
	f, err := Compile(harnessRules(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []string{"harness", "claude", "code"} {
		for _, secrets := range []bool{false, true} {
			for _, size := range []int{1 << 20, 10 << 20} {
				var body []byte
				for _, impl := range []string{"pieces", "stream"} {
					name := fmt.Sprintf("%s/secrets=%t/%dKB/%s", kind, secrets, size>>10, impl)
					b.Run(name, func(b *testing.B) {
						if body == nil {
							switch kind {
							case "harness":
								body = harnessBody(size, secrets)
							case "claude":
								body = claudeBody(size, secrets)
							default:
								body = codeBody(size, secrets)
							}
						}
						b.SetBytes(int64(len(body)))
						b.ReportAllocs()
						var dst [][]byte
						for b.Loop() {
							if impl == "pieces" {
								dst, _ = f.ApplyPieces("claude", body, dst[:0])
								continue
							}
							s := f.NewStream("claude")
							dst = dst[:0]
							for c := 0; c < len(body); {
								c = min(len(body), c+64<<10)
								dst, _, _ = s.Next(body[:c], c == len(body), dst)
							}
							s.Close()
						}
					})
				}
			}
		}
	}
}
