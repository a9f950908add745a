package setup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Backups live in <client dir>/clp-backup/<client>-<UTC time>/: a copy of
// each file as it was (mode 0600, whatever the original's mode, since they may
// hold credentials) and manifest.json, written last, which marks the backup
// complete and records which files existed and their modes. The time has
// nanoseconds and a fixed width, so names sort by age.
const (
	backupDirName = "clp-backup"
	manifestName  = "manifest.json"
	stampLayout   = "20060102T150405.000000000Z"
)

// ErrNoBackup is returned (wrapped) by Undo when there is nothing to restore.
var ErrNoBackup = errors.New("no backup to restore")

type manifest struct {
	Client  string         `json:"client"`
	Created time.Time      `json:"created"`
	Files   []manifestFile `json:"files"`
}

type manifestFile struct {
	Name    string      `json:"name"`
	Existed bool        `json:"existed"`
	Mode    fs.FileMode `json:"mode,omitempty"`
}

// pending is one file Apply is about to write.
type pending struct {
	File
	target string      // Path with symbolic links resolved
	mode   fs.FileMode // kept from the file, 0600 for a new one
}

// Apply writes the planned files. First it checks that each file still holds
// what Plan read (else it fails and writes nothing), then saves a timestamped
// backup, then replaces each file atomically: a temp file in the same
// directory, fsync, rename. A file keeps its permission bits; a new file gets
// 0600 and missing directories 0700. A symbolic link (a dotfiles checkout,
// say) is followed and its target rewritten. If a write fails, the files
// already written are put back. An up-to-date Change does nothing.
func (c *Change) Apply() error {
	if c.UpToDate() {
		return nil
	}
	var ps []pending
	for _, f := range c.Files {
		p, err := prepare(f)
		if err != nil {
			return err
		}
		ps = append(ps, p)
	}
	dir, err := c.writeBackup(ps)
	if err != nil {
		return fmt.Errorf("back up client files: %w", err)
	}
	for i, p := range ps {
		if err := writeFile(p.target, p.New, p.mode); err != nil {
			err = fmt.Errorf("write %s: %w", p.Path, err)
			if rerr := rollBack(ps[:i]); rerr != nil {
				c.Backup = dir
				return errors.Join(err, fmt.Errorf("put files back: %w (backup in %s)", rerr, dir))
			}
			return errors.Join(err, os.RemoveAll(dir))
		}
	}
	c.Backup = dir
	return nil
}

// prepare resolves f's target and checks it still holds what Plan read.
func prepare(f File) (pending, error) {
	target, err := resolveLink(f.Path)
	if err != nil {
		return pending{}, err
	}
	p := pending{File: f, target: target, mode: 0o600}
	cur, err := os.ReadFile(target)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return pending{}, fmt.Errorf("read client file: %w", err)
	}
	if exists != f.Existed || !bytes.Equal(cur, f.Old) {
		return pending{}, fmt.Errorf("%s changed since setup read it; run setup again", f.Path)
	}
	if exists {
		info, err := os.Stat(target)
		if err != nil {
			return pending{}, fmt.Errorf("stat client file: %w", err)
		}
		p.mode = info.Mode().Perm()
	}
	return p, nil
}

// rollBack restores files Apply already wrote to what they held before.
func rollBack(done []pending) error {
	var errs []error
	for _, p := range done {
		if p.Existed {
			errs = append(errs, writeFile(p.target, p.Old, p.mode))
		} else {
			errs = append(errs, os.Remove(p.target))
		}
	}
	return errors.Join(errs...)
}

// writeBackup saves the files' current contents and returns the directory.
func (c *Change) writeBackup(ps []pending) (string, error) {
	root := filepath.Join(c.dir, backupDirName)
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", err
	}
	t := c.now().UTC()
	var dir string
	for tries := 0; ; tries++ {
		dir = filepath.Join(root, c.Client+"-"+t.Format(stampLayout))
		err := os.Mkdir(dir, 0o700)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) || tries == 1000 {
			return "", err
		}
		t = t.Add(time.Nanosecond) // same clock reading as an earlier backup
	}
	m := manifest{Client: c.Client, Created: t}
	for _, p := range ps {
		mf := manifestFile{Name: filepath.Base(p.Path), Existed: p.Existed}
		if p.Existed {
			mf.Mode = p.mode
			if err := writeFile(filepath.Join(dir, mf.Name), p.Old, 0o600); err != nil {
				return "", err
			}
		}
		m.Files = append(m.Files, mf)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", err
	}
	if err := writeFile(filepath.Join(dir, manifestName), append(data, '\n'), 0o600); err != nil {
		return "", err
	}
	return dir, nil
}

// Undo restores the client's newest complete backup byte for byte, with the
// modes the files had, removes a file that did not exist before setup, and
// then deletes that backup, so a second Undo goes one setup further back. It
// returns the paths it restored or removed. Whatever the files held since
// setup is replaced. With no backup it returns an error wrapping ErrNoBackup.
func Undo(client string, opt Options) ([]string, error) {
	dir, files, err := clientFiles(client, opt)
	if err != nil {
		return nil, err
	}
	root := filepath.Join(dir, backupDirName)
	backup, m, err := newestBackup(root, client)
	if err != nil {
		return nil, err
	}
	for _, mf := range m.Files {
		if !slices.ContainsFunc(files, func(f clientFile) bool { return f.name == mf.Name }) {
			return nil, fmt.Errorf("backup %s names unknown file %q", backup, mf.Name)
		}
	}
	var restored []string
	for _, mf := range m.Files {
		path := filepath.Join(dir, mf.Name)
		if err := restore(path, filepath.Join(backup, mf.Name), mf); err != nil {
			return restored, fmt.Errorf("restore %s: %w (backup in %s)", path, err, backup)
		}
		restored = append(restored, path)
	}
	if err := os.RemoveAll(backup); err != nil {
		return restored, fmt.Errorf("remove used backup: %w", err)
	}
	_ = os.Remove(root) // only succeeds once no backups are left
	return restored, nil
}

// restore puts one backed-up file (or its absence) back at path.
func restore(path, saved string, mf manifestFile) error {
	target, err := resolveLink(path)
	if err != nil {
		return err
	}
	if !mf.Existed {
		if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	data, err := os.ReadFile(saved)
	if err != nil {
		return err
	}
	mode := mf.Mode.Perm()
	if mode == 0 {
		mode = 0o600
	}
	return writeFile(target, data, mode)
}

// newestBackup finds the newest complete backup of client under root.
// Directories without a manifest (an Apply cut short before it wrote any
// client file) are skipped; a manifest that does not parse is an error.
func newestBackup(root, client string) (string, manifest, error) {
	entries, err := os.ReadDir(root)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", manifest{}, fmt.Errorf("list backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), client+"-") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	for _, name := range slices.Backward(names) {
		dir := filepath.Join(root, name)
		data, err := os.ReadFile(filepath.Join(dir, manifestName))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", manifest{}, fmt.Errorf("read backup manifest: %w", err)
		}
		var m manifest
		if err := json.Unmarshal(data, &m); err != nil || m.Client != client {
			return "", manifest{}, fmt.Errorf("backup %s has a bad manifest", dir)
		}
		return dir, m, nil
	}
	return "", manifest{}, fmt.Errorf("%s: %w", root, ErrNoBackup)
}

// resolveLink returns the file a symbolic link at path points to, or path.
func resolveLink(path string) (string, error) {
	info, err := os.Lstat(path)
	if err != nil || info.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("follow link: %w", err)
	}
	return target, nil
}

// writeFile replaces path atomically: a temp file in the same directory
// (created with the parents, 0700, when missing), chmod, write, fsync, close,
// rename, fsync of the directory. A crash leaves the old file or the new one.
func writeFile(path string, data []byte, mode fs.FileMode) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".clp-tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. Windows cannot open a directory for
// syncing and orders renames itself, so there it does nothing.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
