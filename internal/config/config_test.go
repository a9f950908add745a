package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeHome(t *testing.T, files map[string]string) string {
	t.Helper()
	home := t.TempDir()
	if err := EnsureHome(home); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(home, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return home
}

const twoConfigs = `{
  "prod": {"base_url": "https://api.example.com", "auth_token": "tok-prod-123456789", "weight": 10, "active": false},
  "backup": {"base_url": "https://relay.example/v1?x=1&y=2", "api_key": "key-backup-12345678", "weight": "5", "active": true, "note": "kept"}
}`

func TestLoadOriginalFormat(t *testing.T) {
	home := writeHome(t, map[string]string{"claude.json": twoConfigs})
	snap, _, err := NewLoader(home).Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Problems) != 0 {
		t.Fatalf("problems: %v", snap.Problems)
	}
	svc := snap.Service("claude")
	if got, want := strings.Join(svc.Names(), ","), "prod,backup"; got != want {
		t.Errorf("names = %s, want %s (file order)", got, want)
	}
	act := svc.ActiveUpstream()
	if act == nil || act.Name != "backup" {
		t.Fatalf("active = %v, want backup", act)
	}
	if act.Weight != 5 || act.APIKey != "key-backup-12345678" || act.URL.Host != "relay.example" {
		t.Errorf("backup parsed as %+v", act)
	}
	if got := snap.Service("codex"); got.ActiveUpstream() != nil {
		t.Errorf("codex should be empty (placeholder), got %+v", got)
	}
}

func TestNoneActiveMeansFirst(t *testing.T) {
	home := writeHome(t, map[string]string{"codex.json": `{"a": {"base_url": "http://x", "api_key": "k"}, "b": {"base_url": "http://y", "api_key": "k"}}`})
	snap, _, _ := NewLoader(home).Load()
	if up := snap.Service("codex").ActiveUpstream(); up == nil || up.Name != "a" {
		t.Fatalf("active = %v, want a", up)
	}
}

func TestInvalidEntriesAreShownNotSkipped(t *testing.T) {
	home := writeHome(t, map[string]string{"claude.json": `{
		"nourl": {"auth_token": "t"},
		"nocred": {"base_url": "https://x"},
		"badurl": {"base_url": "ftp://x", "api_key": "k"},
		"ok": {"base_url": "https://x", "api_key": "k"}}`})
	snap, _, _ := NewLoader(home).Load()
	svc := snap.Service("claude")
	want := map[string]string{"nourl": "base_url is empty", "nocred": "neither auth_token nor api_key", "badurl": "not an http(s) URL", "ok": ""}
	for name, reason := range want {
		u := svc.Lookup(name)
		if u == nil {
			t.Fatalf("%s missing", name)
		}
		if reason == "" && u.Invalid != "" || reason != "" && !strings.Contains(u.Invalid, reason) {
			t.Errorf("%s: Invalid = %q, want it to mention %q", name, u.Invalid, reason)
		}
	}
}

func TestBrokenEditKeepsLastGood(t *testing.T) {
	home := writeHome(t, map[string]string{"claude.json": twoConfigs})
	l := NewLoader(home)
	if _, _, err := l.Load(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, "claude.json")
	os.WriteFile(path, []byte("{\n  \"prod\": {\"base_url\": \"https://x\",,}\n}"), 0o600)
	snap, changed, err := l.Load()
	if err != nil || !changed {
		t.Fatalf("Load = %v, changed %v", err, changed)
	}
	if len(snap.Problems) != 1 {
		t.Fatalf("problems = %v, want one", snap.Problems)
	}
	p := snap.Problems[0]
	if p.File != path || p.Line != 2 || p.Column != 36 {
		t.Errorf("problem at %s:%d:%d, want %s:2:36 (%s)", p.File, p.Line, p.Column, path, p.Message)
	}
	if got := snap.Service("claude").ActiveUpstream().Name; got != "backup" {
		t.Errorf("active after broken edit = %s, want the last good backup", got)
	}
}

func TestLoadUnchanged(t *testing.T) {
	home := writeHome(t, map[string]string{"claude.json": twoConfigs})
	l := NewLoader(home)
	s1, _, _ := l.Load()
	s2, changed, _ := l.Load()
	if changed || s1.Version != s2.Version {
		t.Errorf("second load changed=%v versions %d,%d", changed, s1.Version, s2.Version)
	}
}

func TestSetActiveKeepsEverythingElse(t *testing.T) {
	home := writeHome(t, map[string]string{"claude.json": twoConfigs})
	if err := SetActive(home, "claude", "prod"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(home, "claude.json"))
	s := string(data)
	for _, want := range []string{`"note": "kept"`, `"weight": "5"`, `x=1&y=2`} {
		if !strings.Contains(s, want) {
			t.Errorf("rewritten file lost %s:\n%s", want, s)
		}
	}
	if strings.Index(s, `"prod"`) > strings.Index(s, `"backup"`) {
		t.Errorf("order changed:\n%s", s)
	}
	snap, _, _ := NewLoader(home).Load()
	if got := snap.Service("claude").ActiveUpstream().Name; got != "prod" {
		t.Errorf("active = %s, want prod", got)
	}
	fi, _ := os.Stat(filepath.Join(home, "claude.json"))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestSetActiveUnknownNameListsNames(t *testing.T) {
	home := writeHome(t, map[string]string{"claude.json": twoConfigs})
	err := SetActive(home, "claude", "nope")
	if err == nil || !strings.Contains(err.Error(), "backup, prod") {
		t.Fatalf("err = %v, want it to list backup, prod", err)
	}
	if err := SetActive(home, "gemini", "x"); err == nil || !strings.Contains(err.Error(), "claude, codex") {
		t.Fatalf("unknown service err = %v", err)
	}
}

func TestEnsureHomeModes(t *testing.T) {
	home := filepath.Join(t.TempDir(), "h")
	if err := EnsureHome(home); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(home)
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("home mode %v", fi.Mode().Perm())
	}
	for _, f := range []string{"claude.json", "codex.json"} {
		fi, err := os.Stat(filepath.Join(home, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, err, fi)
		}
	}
}

func TestWriteFileLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	for i := 0; i < 3; i++ {
		if err := WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("dir has %d entries, want only f.json", len(ents))
	}
}

func FuzzParseService(f *testing.F) {
	f.Add([]byte(twoConfigs))
	f.Add([]byte(`{"a": {"base_url": 1}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		svc, err := parseService("claude", data)
		if err != nil {
			problemAt("x", data, err)
			return
		}
		if len(svc.Upstreams) > 0 && (svc.Active < 0 || svc.Active >= len(svc.Upstreams)) {
			t.Fatalf("active index %d of %d", svc.Active, len(svc.Upstreams))
		}
	})
}
