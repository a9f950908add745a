package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func (a *app) healthCmd() *cobra.Command {
	var reset string
	var resetAll, asJSON bool
	c := &cobra.Command{
		Use:   "health claude|codex",
		Short: "Show (or reset) the balancing health of a service's configs",
		Long: `health shows, per config, the consecutive and total failures, the last error,
and whether the config is excluded from balancing (and until when). A config
is excluded after failureThreshold failures in a row, or for a 429's
Retry-After, and let back after autoResetMinutes; --reset lets it back now.`,
		Example: "  clp health claude\n  clp health claude --reset relay\n  clp health codex --reset-all",
		Args:    usageArgs(1, "a service name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := serviceArg(args[0]); err != nil {
				return err
			}
			ctx, cancel := timeout(10 * time.Second)
			defer cancel()
			c, _, err := a.daemonClient(ctx)
			if err != nil {
				return err
			}
			if reset != "" || resetAll {
				if err := c.ResetHealth(ctx, args[0], reset); err != nil {
					return err
				}
			}
			hs, err := c.Health(ctx, args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, hs)
			}
			if len(hs) == 0 {
				fmt.Fprintf(a.stdout, "no %s config has served a request yet\n", args[0])
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CONFIG\tSTATE\tFAILURES IN A ROW\tOK\tFAILED\tLAST ERROR")
			for _, h := range hs {
				state := "healthy"
				if time.Now().Before(h.ExcludedUntil) {
					state = "excluded until " + h.ExcludedUntil.Local().Format("15:04:05")
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\n", h.Name, state, h.ConsecutiveFailures, h.TotalSuccesses, h.TotalFailures, orDash(h.LastError))
			}
			return tw.Flush()
		},
	}
	c.Flags().StringVar(&reset, "reset", "", "let this config back into balancing now")
	c.Flags().BoolVar(&resetAll, "reset-all", false, "reset every config of the service")
	c.Flags().BoolVar(&asJSON, "json", false, "print the health as JSON")
	return c
}
