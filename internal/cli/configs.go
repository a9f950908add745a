package cli

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/client"
	"github.com/clp-proxy/clp/internal/config"
)

func serviceArg(name string) error {
	if _, ok := api.LookupService(name); !ok {
		return fmt.Errorf("%w: unknown service %q: use one of %s", errUsage, name, strings.Join(api.ServiceNames(), ", "))
	}
	return nil
}

func (a *app) listCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:       "list claude|codex",
		Short:     "List the configs of a service (credentials masked)",
		Example:   "  clp list claude\n  clp list codex --json",
		Args:      usageArgs(1, "a service name"),
		ValidArgs: api.ServiceNames(),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := serviceArg(args[0]); err != nil {
				return err
			}
			// The files are the truth; reading them works with or without a
			// running daemon.
			snap, _, err := config.NewLoader(a.env.Home).Load()
			if err != nil {
				return err
			}
			svc := snap.Service(args[0])
			views := make([]api.ConfigView, 0, len(svc.Upstreams))
			for i := range svc.Upstreams {
				views = append(views, svc.Upstreams[i].View())
			}
			if asJSON {
				return writeJSON(a.stdout, views)
			}
			for _, p := range snap.Problems {
				fmt.Fprintf(a.stderr, "warning: %s\n", p)
			}
			if len(views) == 0 {
				path, _ := config.ServiceFile(a.env.Home, args[0])
				fmt.Fprintf(a.stdout, "no %s configs yet: add one with `clp config add %s NAME --base-url URL` or edit %s\n", args[0], args[0], path)
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  NAME\tBASE URL\tWEIGHT\tCREDENTIAL\tSTATE")
			for _, v := range views {
				mark := " "
				if v.Active {
					mark = "*"
				}
				cred := v.AuthToken
				if cred == "" {
					cred = v.APIKey
				}
				state := "ok"
				switch {
				case v.Invalid != "":
					state = "invalid: " + v.Invalid
				case v.Disabled:
					state = "disabled"
				}
				fmt.Fprintf(tw, "%s %s\t%s\t%g\t%s\t%s\n", mark, v.Name, orDash(v.BaseURL), v.Weight, orDash(cred), state)
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the configs as JSON")
	return c
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (a *app) activeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "active claude|codex NAME",
		Short: "Switch the active config; the next request uses it",
		Long: `active makes NAME the active config of a service. When the command returns,
the very next request of that service goes to NAME; requests already streaming
finish where they started. The coding CLI keeps running and keeps its
conversation. Works whether or not the daemon runs.`,
		Example: "  clp active claude prod",
		Args:    usageArgs(2, "a service and a config name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			service, name := args[0], args[1]
			if err := serviceArg(service); err != nil {
				return err
			}
			ctx, cancel := timeout(10 * time.Second)
			defer cancel()
			c, _, err := a.daemonClient(ctx)
			switch {
			case err == nil:
				err = c.SetActive(ctx, service, name)
			case errors.Is(err, client.ErrNotRunning):
				err = config.SetActive(a.env.Home, service, name)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s now uses %s\n", service, name)
			return nil
		},
	}
}
