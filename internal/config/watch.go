package config

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch calls onChange after files under home (or home/data) change, at most
// once per debounce period, until ctx ends. Editors save by writing, by
// truncating, or by renaming a new file over the old one; watching the
// folders rather than the files sees all three. onChange runs on Watch's
// goroutine; a Loader skips content that did not change.
func Watch(ctx context.Context, home string, debounce time.Duration, onChange func()) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", home, err)
	}
	defer w.Close()
	for _, dir := range []string{home, filepath.Join(home, "data")} {
		if err := w.Add(dir); err != nil {
			return fmt.Errorf("watch %s: %w", dir, err)
		}
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if !relevant(ev.Name) {
				continue
			}
			timer.Reset(debounce)
		case <-w.Errors:
			// An overflow loses events; reload to be safe.
			timer.Reset(debounce)
		case <-timer.C:
			onChange()
		}
	}
}

// relevant filters out CLP's own temporary files and the database.
func relevant(path string) bool {
	base := filepath.Base(path)
	if len(base) == 0 || base[0] == '.' {
		return false
	}
	return filepath.Ext(base) == ".json"
}
