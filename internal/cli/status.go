package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/client"
)

func (a *app) statusCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "status",
		Short: "Show listeners, active configs, request counts and config problems",
		Long: `status shows what the daemon listens on, the active config and balancing mode
of each service, request counts and any config file that does not parse.
It exits 0 when the daemon runs and 3 when it does not.`,
		Example: "  clp status\n  clp status --json",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := timeout(5 * time.Second)
			defer cancel()
			c, _, err := a.daemonClient(ctx)
			if err == nil {
				var st api.Status
				if st, err = c.Status(ctx); err == nil {
					if asJSON {
						return writeJSON(a.stdout, st)
					}
					printStatus(a, st)
					return nil
				}
			}
			if errors.Is(err, client.ErrNotRunning) {
				if asJSON {
					writeJSON(a.stdout, map[string]any{"running": false})
				}
				return &ExitError{Code: ExitNotRunning, Err: err}
			}
			return err
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return c
}

func printStatus(a *app, st api.Status) {
	w := a.stdout
	fmt.Fprintf(w, "clp is running (pid %d, up %s, version %s)\n", st.PID, time.Duration(st.Uptime*float64(time.Second)).Round(time.Second), st.Version)
	fmt.Fprintf(w, "home: %s\n\n", st.Home)
	for _, s := range st.Services {
		active := s.Active
		switch {
		case active == "":
			active = "(none: add a config with `clp config add " + s.Name + " NAME --base-url URL`)"
		case s.Placeholder:
			active += " (unusable: see `clp list " + s.Name + "`)"
		}
		fmt.Fprintf(w, "%-7s http://%-21s active: %s\n", s.Name, s.Addr, active)
		fmt.Fprintf(w, "        mode: %s  configs: %d  requests: %d  errors: %d  in flight: %d\n", s.Mode, len(s.Configs), s.Requests, s.Errors, s.InFlight)
		for _, u := range s.Unhealthy {
			fmt.Fprintf(w, "        unhealthy: %s (`clp health %s --reset NAME` lets it back)\n", u, s.Name)
		}
	}
	fmt.Fprintf(w, "web UI  http://%s\n", st.UIAddr)
	if st.LogDropped > 0 {
		fmt.Fprintf(w, "\nrequest log dropped %d records (the store could not keep up)\n", st.LogDropped)
	}
	if len(st.Problems) > 0 {
		fmt.Fprintln(w, "\nconfig problems (the last good version of each file is in use):")
		for _, p := range st.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
}

func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeCompactJSON writes v as one line of JSON.
func writeCompactJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	return json.NewEncoder(w).Encode(v)
}
