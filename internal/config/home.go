package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/clp-proxy/clp/internal/api"
)

// EnsureHome creates CLP_HOME (0700) with its run/ and data/ folders and, on
// first run, an empty config file per service, so CLP starts in placeholder
// mode and tells the user which file to fill. Existing files are never touched.
func EnsureHome(home string) error {
	for _, dir := range []string{home, filepath.Join(home, "run"), filepath.Join(home, "data")} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	}
	// MkdirAll keeps the mode of a folder that exists; CLP_HOME holds
	// credentials, so tighten it.
	if err := os.Chmod(home, 0o700); err != nil {
		return fmt.Errorf("chmod %s: %w", home, err)
	}
	for _, s := range api.Services {
		path := filepath.Join(home, s.File)
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		// Under the file's lock: another clp process may be adding the
		// first config right now, and an empty file must not replace it.
		err := Locked(path, func() error {
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return WriteFile(path, []byte("{}\n"), 0o600)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
