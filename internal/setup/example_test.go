package setup_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/clp-proxy/clp/internal/setup"
)

// Example shows what `clp setup claude`, `--dry-run` and `--undo` do with
// the package.
func Example() {
	dir, err := os.MkdirTemp("", "claude")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	settings := filepath.Join(dir, "settings.json")
	os.WriteFile(settings, []byte("{\n  \"model\": \"opus\" // my default\n}\n"), 0o644)

	opt := setup.DefaultOptions(func(string) string { return "" }, "/home/me")
	opt.ClaudeDir = dir // as CLAUDE_CONFIG_DIR would
	opt.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

	ch, err := setup.Plan("claude", opt)
	if err != nil {
		fmt.Println(err) // a *setup.ParseError names the file, line and column
		return
	}
	fmt.Print(strings.ReplaceAll(ch.Diff(), dir, "~/.claude")) // --dry-run stops here
	if err := ch.Apply(); err != nil {
		panic(err)
	}
	fmt.Println("backup:", strings.ReplaceAll(ch.Backup, dir, "~/.claude"))

	again, _ := setup.Plan("claude", opt)
	fmt.Println("up to date:", again.UpToDate())

	restored, _ := setup.Undo("claude", opt) // --undo
	back, _ := os.ReadFile(settings)
	fmt.Println("restored:", len(restored), "file;", strings.Contains(string(back), "ANTHROPIC"))
	// Output:
	// --- ~/.claude/settings.json
	// +++ ~/.claude/settings.json
	// @@ -1,3 +1,7 @@
	//  {
	// -  "model": "opus" // my default
	// +  "model": "opus", // my default
	// +  "env": {
	// +    "ANTHROPIC_BASE_URL": "http://127.0.0.1:3210",
	// +    "ANTHROPIC_AUTH_TOKEN": "-"
	// +  }
	//  }
	// backup: ~/.claude/clp-backup/claude-20260102T030405.000000000Z
	// up to date: true
	// restored: 1 file; false
}
