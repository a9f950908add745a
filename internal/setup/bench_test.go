package setup

import (
	"os"
	"path/filepath"
	"testing"
)

// The benchmarks use the larger fixtures: a settings.json with hooks and
// permissions, and a config.toml with several tables.

func benchInput(b *testing.B, path string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.FromSlash(path))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func BenchmarkEditClaudeSettings(b *testing.B) {
	src := benchInput(b, "testdata/claude/no-env/in/settings.json")
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := editClaudeSettings("settings.json", src, "http://127.0.0.1:3210"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEditCodexConfig(b *testing.B) {
	src := benchInput(b, "testdata/codex/basic/in/config.toml")
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := editCodexConfig("config.toml", src, "http://127.0.0.1:3211"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnifiedDiff(b *testing.B) {
	src := benchInput(b, "testdata/codex/basic/in/config.toml")
	out, err := editCodexConfig("config.toml", src, "http://127.0.0.1:3211")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		unifiedDiff("a", "b", src, out)
	}
}

// BenchmarkPlanApplyUndo is one whole setup and undo of Codex on disk.
func BenchmarkPlanApplyUndo(b *testing.B) {
	src := benchInput(b, "testdata/codex/provider-set/in/config.toml")
	auth := benchInput(b, "testdata/codex/provider-set/in/auth.json")
	dir := b.TempDir()
	opt := testOptions(dir)
	b.ReportAllocs()
	for b.Loop() {
		if err := os.WriteFile(filepath.Join(dir, "config.toml"), src, 0o600); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "auth.json"), auth, 0o600); err != nil {
			b.Fatal(err)
		}
		ch, err := Plan("codex", opt)
		if err != nil {
			b.Fatal(err)
		}
		if err := ch.Apply(); err != nil {
			b.Fatal(err)
		}
		if _, err := Undo("codex", opt); err != nil {
			b.Fatal(err)
		}
	}
}
