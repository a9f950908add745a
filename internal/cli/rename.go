package cli

import (
	"context"
	"errors"
	"path/filepath"
	"time"

	"github.com/clp-proxy/clp/internal/client"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/store"
)

// renameConfig renames through the daemon when it runs (it also renames the
// live health); otherwise it edits the files and the request log itself.
func (a *app) renameConfig(service, from, to string) error {
	ctx, cancel := timeout(30 * time.Second)
	defer cancel()
	c, _, err := a.daemonClient(ctx)
	switch {
	case err == nil:
		return c.RenameConfig(ctx, service, from, to)
	case !errors.Is(err, client.ErrNotRunning):
		return err
	}
	if err := config.RenameEntry(a.env.Home, service, from, to); err != nil {
		return err
	}
	if _, err := config.RenameInRouting(a.env.Home, service, from, to); err != nil {
		return err
	}
	db, err := store.Open(filepath.Join(a.env.DataDir(), "clp.db"), store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.RenameConfig(context.Background(), service, from, to)
	return err
}
