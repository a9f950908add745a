package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/client"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/store"
)

func (a *app) importCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import",
		Short: "Bring the original Python CLP's request log and usage totals into CLP's store, once",
		Long: `import reads data/proxy_requests_claude.jsonl, data/proxy_requests_codex.jsonl
and data/history_usage.json under CLP_HOME (the original CLP's files) into the
request log. Importing twice does nothing the second time. Run it while the
daemon is stopped.`,
		Example: "  clp stop && clp import && clp start",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := timeout(5 * time.Second)
			_, pid, err := a.daemonClient(ctx)
			cancel()
			if err == nil {
				return fmt.Errorf("the daemon is running (pid %d): run `clp stop`, then `clp import`, then `clp start`", pid)
			}
			if !errors.Is(err, client.ErrNotRunning) {
				return err
			}
			// The original CLP stored no cost; price the imported requests
			// with the same table the daemon uses (defaults and
			// data/prices.json).
			snap, _, err := config.NewLoader(a.env.Home).Load()
			if err != nil {
				return err
			}
			prices := snap.Prices
			db, err := store.Open(filepath.Join(a.env.DataDir(), "clp.db"), store.Options{
				Cost: func(_, model string, u api.Usage) (float64, bool) { return prices.Cost(model, u) },
			})
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := db.ImportOriginal(context.Background(), a.env.Home)
			if err != nil {
				return err
			}
			return writeJSON(a.stdout, res)
		},
	}
}
