package redact

import (
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

// BenchmarkApplySize is scenario 5 of issue 9 in-process: the harness's 5
// rules and the default detectors on bodies of 1 KB to 10 MB, one long
// string (harness) or a Claude Code conversation (claude), each without and
// with secrets; "old" is the filter as it was before the fourth round
// (applyOld), for ratios from one run.
func BenchmarkApplySize(b *testing.B) {
	f, err := Compile(harnessRules(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []string{"harness", "claude"} {
		for _, secrets := range []bool{false, true} {
			for _, size := range []int{1 << 10, 100 << 10, 1 << 20, 10 << 20} {
				var body []byte
				if kind == "harness" {
					body = harnessBody(size, secrets)
				} else {
					body = claudeBody(size, secrets)
				}
				for _, impl := range []string{"new", "old"} {
					apply := f.Apply
					if impl == "old" {
						apply = f.applyOld
					}
					name := fmt.Sprintf("%s/secrets=%t/%dKB/%s", kind, secrets, size>>10, impl)
					b.Run(name, func(b *testing.B) {
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
