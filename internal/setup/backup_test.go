package setup

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func plan(t *testing.T, client string, opt Options) *Change {
	t.Helper()
	ch, err := Plan(client, opt)
	if err != nil {
		t.Fatalf("Plan(%s): %v", client, err)
	}
	return ch
}

func TestApplyRefusesChangedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	write(t, path, `{"model": "opus"}`)
	ch := plan(t, "claude", testOptions(dir))
	write(t, path, `{"model": "sonnet"}`)
	err := ch.Apply()
	if err == nil || !strings.Contains(err.Error(), "changed since setup read it") {
		t.Fatalf("Apply after an edit = %v, want a changed-since error", err)
	}
	if got := read(t, path); got != `{"model": "sonnet"}` {
		t.Errorf("file = %q, want the user's edit kept", got)
	}
	if _, err := os.Stat(filepath.Join(dir, backupDirName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a backup was written for a refused Apply: %v", err)
	}
}

func TestApplyCreatesDirectoryAndUndoRemovesFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "claude")
	opt := testOptions(dir)
	ch := plan(t, "claude", opt)
	if err := ch.Apply(); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]fs.FileMode{dir: 0o700 | fs.ModeDir, filepath.Join(dir, "settings.json"): 0o600} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && info.Mode() != want {
			t.Errorf("%s mode = %v, want %v", path, info.Mode(), want)
		}
	}
	restored, err := Undo("claude", opt)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "settings.json")}; !slices.Equal(restored, want) {
		t.Errorf("Undo = %q, want %q", restored, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "settings.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("settings.json after Undo: %v, want it gone", err)
	}
}

func TestApplyFollowsSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	root := t.TempDir()
	dots := filepath.Join(root, "dotfiles")
	dir := filepath.Join(root, "claude")
	for _, d := range []string{dots, dir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	target := filepath.Join(dots, "settings.json")
	const orig = "{\n  \"model\": \"opus\"\n}\n"
	write(t, target, orig)
	link := filepath.Join(dir, "settings.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	opt := testOptions(dir)
	if err := plan(t, "claude", opt).Apply(); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("settings.json is no longer a link: %v %v", info, err)
	}
	if got := read(t, target); !strings.Contains(got, envBaseURL) {
		t.Errorf("link target = %q, want it set up", got)
	}
	if _, err := Undo("claude", opt); err != nil {
		t.Fatal(err)
	}
	if got := read(t, target); got != orig {
		t.Errorf("link target after Undo = %q, want %q", got, orig)
	}
}

// TestUndoWalksBack runs setup twice with a change in between, under a clock
// that does not move, and undoes both.
func TestUndoWalksBack(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings.json")
	const v1 = "{\n  \"model\": \"opus\"\n}\n"
	write(t, path, v1)
	opt := testOptions(dir)
	if err := plan(t, "claude", opt).Apply(); err != nil {
		t.Fatal(err)
	}
	v2 := strings.Replace(read(t, path), "http://127.0.0.1:3210", "https://relay.example", 1)
	write(t, path, v2)
	second := plan(t, "claude", opt)
	if err := second.Apply(); err != nil {
		t.Fatal(err)
	}
	backups, err := os.ReadDir(filepath.Join(dir, backupDirName))
	if err != nil || len(backups) != 2 {
		t.Fatalf("backups = %v (%v), want two", backups, err)
	}
	if filepath.Base(second.Backup) != backups[1].Name() {
		t.Errorf("second backup %s does not sort last in %v", second.Backup, backups)
	}
	for _, want := range []string{v2, v1} {
		if _, err := Undo("claude", opt); err != nil {
			t.Fatal(err)
		}
		if got := read(t, path); got != want {
			t.Errorf("after Undo: %q, want %q", got, want)
		}
	}
	if _, err := Undo("claude", opt); !errors.Is(err, ErrNoBackup) {
		t.Errorf("third Undo = %v, want ErrNoBackup", err)
	}
}

func TestUndoBackups(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, root, good string) // root is clp-backup, good the complete backup
		wantErr string                                // "" means the good backup is restored
	}{
		{"skips a newer incomplete backup", func(t *testing.T, root, _ string) {
			if err := os.Mkdir(filepath.Join(root, "claude-29991231T000000.000000000Z"), 0o700); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"ignores another client's backup", func(t *testing.T, root, good string) {
			if err := os.Rename(good, filepath.Join(root, "codex-20260101T000000.000000000Z")); err != nil {
				t.Fatal(err)
			}
		}, "no backup to restore"},
		{"rejects a bad manifest", func(t *testing.T, _, good string) {
			write(t, filepath.Join(good, manifestName), "{")
		}, "has a bad manifest"},
		{"rejects another client's manifest", func(t *testing.T, _, good string) {
			write(t, filepath.Join(good, manifestName), `{"client": "codex"}`)
		}, "has a bad manifest"},
		{"rejects an unknown file", func(t *testing.T, _, good string) {
			write(t, filepath.Join(good, manifestName), `{"client": "claude", "files": [{"name": "../../etc/passwd", "existed": true}]}`)
		}, "names unknown file"},
		{"reports a missing copy", func(t *testing.T, _, good string) {
			if err := os.Remove(filepath.Join(good, "settings.json")); err != nil {
				t.Fatal(err)
			}
		}, "restore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "settings.json")
			write(t, path, "{}")
			opt := testOptions(dir)
			ch := plan(t, "claude", opt)
			if err := ch.Apply(); err != nil {
				t.Fatal(err)
			}
			tt.prepare(t, filepath.Join(dir, backupDirName), ch.Backup)
			_, err := Undo("claude", opt)
			if tt.wantErr == "" {
				if err != nil || read(t, path) != "{}" {
					t.Errorf("Undo = %v, file %q; want the original back", err, read(t, path))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Undo = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestRollBack(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "config.toml")
	created := filepath.Join(dir, "auth.json")
	write(t, existing, "new")
	write(t, created, "new")
	err := rollBack([]pending{
		{File: File{Path: existing, Old: []byte("old"), Existed: true}, target: existing, mode: 0o640},
		{File: File{Path: created}, target: created, mode: 0o600},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, existing); got != "old" {
		t.Errorf("rolled back file = %q, want %q", got, "old")
	}
	if info, err := os.Stat(existing); err != nil || runtime.GOOS != "windows" && info.Mode().Perm() != 0o640 {
		t.Errorf("rolled back file mode = %v (%v), want 0640", info.Mode(), err)
	}
	if _, err := os.Stat(created); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("created file after roll back: %v, want it gone", err)
	}
}

func TestPlanErrors(t *testing.T) {
	dir := t.TempDir()
	bad := testOptions(dir)
	bad.ClaudeURL = "127.0.0.1:3210"
	bad.CodexURL = "ftp://h"
	tests := []struct {
		client string
		opt    Options
		want   string
	}{
		{"gemini", testOptions(dir), `unknown client "gemini": want claude or codex`},
		{"claude", bad, `invalid Claude URL "127.0.0.1:3210": want http://host:port`},
		{"codex", bad, `invalid Codex URL "ftp://h": want http://host:port`},
		{"claude", Options{ClaudeURL: "http://h"}, "no Claude config directory given"},
		{"codex", Options{CodexURL: "http://h"}, "no Codex home directory given"},
	}
	for _, tt := range tests {
		if _, err := Plan(tt.client, tt.opt); err == nil || err.Error() != tt.want {
			t.Errorf("Plan(%s) = %v, want %q", tt.client, err, tt.want)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "settings.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Plan("claude", testOptions(dir)); err == nil || !strings.HasPrefix(err.Error(), "read client file: ") {
		t.Errorf("Plan with a directory for settings.json = %v, want a read error", err)
	}
	if _, err := Undo("gemini", testOptions(dir)); err == nil {
		t.Error("Undo(gemini) succeeded")
	}
}

func TestDefaultOptions(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Options
	}{
		{"defaults", nil, Options{ClaudeDir: "/h/.claude", CodexHome: "/h/.codex", ClaudeURL: "http://127.0.0.1:3210", CodexURL: "http://127.0.0.1:3211"}},
		{"client dirs", map[string]string{"CLAUDE_CONFIG_DIR": "/c", "CODEX_HOME": "/x"},
			Options{ClaudeDir: "/c", CodexHome: "/x", ClaudeURL: "http://127.0.0.1:3210", CodexURL: "http://127.0.0.1:3211"}},
		{"ports and host", map[string]string{"CLP_PROXY_HOST": "10.0.0.2", "CLP_CLAUDE_PORT": "4000", "CLP_CODEX_PORT": "4001"},
			Options{ClaudeDir: "/h/.claude", CodexHome: "/h/.codex", ClaudeURL: "http://10.0.0.2:4000", CodexURL: "http://10.0.0.2:4001"}},
		{"any address means loopback", map[string]string{"CLP_PROXY_HOST": "0.0.0.0"},
			Options{ClaudeDir: "/h/.claude", CodexHome: "/h/.codex", ClaudeURL: "http://127.0.0.1:3210", CodexURL: "http://127.0.0.1:3211"}},
		{"ipv6", map[string]string{"CLP_PROXY_HOST": "[::1]"},
			Options{ClaudeDir: "/h/.claude", CodexHome: "/h/.codex", ClaudeURL: "http://[::1]:3210", CodexURL: "http://[::1]:3211"}},
		{"ipv6 any", map[string]string{"CLP_PROXY_HOST": "::"},
			Options{ClaudeDir: "/h/.claude", CodexHome: "/h/.codex", ClaudeURL: "http://127.0.0.1:3210", CodexURL: "http://127.0.0.1:3211"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DefaultOptions(func(k string) string { return tt.env[k] }, "/h")
			if got.Now == nil {
				t.Error("Now is nil")
			}
			got.Now = nil
			tt.want.ClaudeDir = filepath.FromSlash(tt.want.ClaudeDir)
			tt.want.CodexHome = filepath.FromSlash(tt.want.CodexHome)
			fields := func(o Options) [4]string { return [4]string{o.ClaudeDir, o.CodexHome, o.ClaudeURL, o.CodexURL} }
			if fields(got) != fields(tt.want) {
				t.Errorf("DefaultOptions = %q, want %q", fields(got), fields(tt.want))
			}
		})
	}
}
