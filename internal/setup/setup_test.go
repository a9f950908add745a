package setup

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the want/ golden files under testdata")

// inputMode is the mode fixture files get, to show Apply and Undo keep it.
const inputMode fs.FileMode = 0o640

func testOptions(dir string) Options {
	clock := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	return Options{
		ClaudeDir: dir,
		CodexHome: dir,
		ClaudeURL: "http://127.0.0.1:3210",
		CodexURL:  "http://127.0.0.1:3211",
		Now:       func() time.Time { return clock },
	}
}

// fileState is a file's bytes and permission bits.
type fileState struct {
	data []byte
	mode fs.FileMode
}

// snapshot returns the regular files directly in dir, by name.
func snapshot(t *testing.T, dir string) map[string]fileState {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]fileState{}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = fileState{data: data, mode: info.Mode().Perm()}
	}
	return out
}

func sameFiles(t *testing.T, what string, got, want map[string]fileState) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: %s is missing", what, name)
		case !bytes.Equal(g.data, w.data):
			t.Errorf("%s: %s = %q, want %q", what, name, g.data, w.data)
		case g.mode != w.mode && runtime.GOOS != "windows": // Windows has no such bits
			t.Errorf("%s: %s mode = %v, want %v", what, name, g.mode, w.mode)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: unexpected file %s", what, name)
		}
	}
}

// checkGolden compares got with the golden file, or rewrites it under -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs\n got: %q\nwant: %q", path, got, want)
	}
}

// TestGolden runs setup on every fixture in testdata/<client>/<case>/in and
// checks the files it writes (want/<file>), its dry-run diff (want/diff.txt)
// or its error (want/error.txt), then that the backup holds the originals,
// that a second run changes nothing, and that Undo restores every byte.
func TestGolden(t *testing.T) {
	for _, client := range []string{"claude", "codex"} {
		_, files, err := clientFiles(client, testOptions("x"))
		if err != nil {
			t.Fatal(err)
		}
		cases, err := os.ReadDir(filepath.Join("testdata", client))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			t.Run(client+"/"+c.Name(), func(t *testing.T) {
				testGoldenCase(t, client, filepath.Join("testdata", client, c.Name()), files)
			})
		}
	}
}

func testGoldenCase(t *testing.T, client, caseDir string, files []clientFile) {
	dir := t.TempDir()
	in, err := os.ReadDir(filepath.Join(caseDir, "in"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range in {
		if strings.HasPrefix(e.Name(), ".") {
			continue // .keep holds an otherwise empty directory in git
		}
		data, err := os.ReadFile(filepath.Join(caseDir, "in", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, inputMode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, e.Name()), inputMode); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, dir)
	want := filepath.Join(caseDir, "want")
	opt := testOptions(dir)

	ch, err := Plan(client, opt)
	if wantErr, rerr := os.ReadFile(filepath.Join(want, "error.txt")); rerr == nil || *update && err != nil {
		if err == nil {
			t.Fatalf("Plan succeeded, want error %q", wantErr)
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("error %v is %T, want *ParseError", err, err)
		}
		checkGolden(t, filepath.Join(want, "error.txt"), []byte(strings.ReplaceAll(err.Error(), dir, "$DIR")+"\n"))
		sameFiles(t, "after failed Plan", snapshot(t, dir), before)
		return
	}
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	checkGolden(t, filepath.Join(want, "diff.txt"), []byte(strings.ReplaceAll(ch.Diff(), dir, "$DIR")))
	if err := ch.Apply(); err != nil {
		t.Fatalf("Apply: %v", err)
	}

	after := snapshot(t, dir)
	wantAfter := map[string]fileState{}
	for _, f := range files {
		got, ok := after[f.name]
		if !ok {
			t.Errorf("%s was not written", f.name)
			continue
		}
		checkGolden(t, filepath.Join(want, f.name), got.data)
		mode := fs.FileMode(0o600)
		if _, existed := before[f.name]; existed {
			mode = inputMode
		}
		if got.mode != mode && runtime.GOOS != "windows" {
			t.Errorf("%s mode = %v, want %v", f.name, got.mode, mode)
		}
		wantAfter[f.name] = got
	}
	sameFiles(t, "after Apply", after, wantAfter)

	if ch.UpToDate() != (ch.Backup == "") {
		t.Errorf("UpToDate = %v but Backup = %q", ch.UpToDate(), ch.Backup)
	}
	if !ch.UpToDate() {
		saved := map[string]fileState{}
		for _, f := range ch.Files {
			if old, ok := before[filepath.Base(f.Path)]; ok {
				saved[filepath.Base(f.Path)] = fileState{data: old.data, mode: 0o600}
			}
		}
		backup := snapshot(t, ch.Backup)
		if _, ok := backup[manifestName]; !ok {
			t.Errorf("backup %s has no manifest", ch.Backup)
		}
		delete(backup, manifestName)
		sameFiles(t, "backup", backup, saved)
	}

	again, err := Plan(client, opt)
	if err != nil {
		t.Fatalf("second Plan: %v", err)
	}
	if !again.UpToDate() {
		t.Fatalf("second Plan is not up to date; diff:\n%s", again.Diff())
	}
	if err := again.Apply(); err != nil || again.Backup != "" {
		t.Fatalf("second Apply = %v, backup %q; want nil and none", err, again.Backup)
	}
	backups, _ := os.ReadDir(filepath.Join(dir, backupDirName))
	if n := len(backups); n != boolToInt(!ch.UpToDate()) {
		t.Errorf("%d backups after two runs, want %d", n, boolToInt(!ch.UpToDate()))
	}

	if ch.UpToDate() {
		if _, err := Undo(client, opt); !errors.Is(err, ErrNoBackup) {
			t.Errorf("Undo with nothing applied = %v, want ErrNoBackup", err)
		}
		return
	}
	restored, err := Undo(client, opt)
	if err != nil {
		t.Fatalf("Undo: %v", err)
	}
	var wantRestored []string
	for _, f := range ch.Files {
		wantRestored = append(wantRestored, f.Path)
	}
	if !slices.Equal(restored, wantRestored) {
		t.Errorf("Undo restored %q, want %q", restored, wantRestored)
	}
	sameFiles(t, "after Undo", snapshot(t, dir), before)
	if _, err := os.Stat(filepath.Join(dir, backupDirName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("backup directory left after the last Undo: %v", err)
	}
	if _, err := Undo(client, opt); !errors.Is(err, ErrNoBackup) {
		t.Errorf("second Undo = %v, want ErrNoBackup", err)
	}
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
