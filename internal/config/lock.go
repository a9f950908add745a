package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// Locked runs fn, a read-modify-write of the file at path, while holding
// both this process's edit mutex and an exclusive lock on a hidden lock file
// beside it (".NAME.lock"), so that two clp processes editing the same file
// at once (two `clp key create`, a script running `clp config add` in a
// loop) never lose one another's change. The lock is advisory and released
// when fn returns or the process dies.
func Locked(path string, fn func() error) error {
	editMu.Lock()
	defer editMu.Unlock()
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	lockPath := filepath.Join(dir, "."+filepath.Base(path)+".lock")
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return fmt.Errorf("lock %s: %w", path, err)
	}
	defer unlockFile(f)
	return fn()
}
