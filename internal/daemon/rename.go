package daemon

import (
	"context"

	"github.com/clp-proxy/clp/internal/config"
)

// renameConfig renames a config in its file and carries the name through
// everything that refers to it: routing rules, the pool's health and
// affinity, and the request log with its statistics.
func (d *Daemon) renameConfig(service, old, new string) error {
	if err := config.RenameEntry(d.env.Home, service, old, new); err != nil {
		return err
	}
	if _, err := config.RenameInRouting(d.env.Home, service, old, new); err != nil {
		d.log.Warn("routing rules still name the old config", "config", old, "err", err)
	}
	if p := d.pools[service]; p != nil {
		p.Rename(old, new)
	}
	if d.store != nil {
		if _, err := d.store.RenameConfig(context.Background(), service, old, new); err != nil {
			d.log.Warn("the request log keeps the old config name", "config", old, "err", err)
		}
	}
	return nil
}
