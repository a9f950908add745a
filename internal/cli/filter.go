package cli

import (
	"fmt"
	"io"
	"os"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/redact"
)

func (a *app) filterCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "filter",
		Short: "Inspect the request filter (redaction rules and secret detectors)",
	}
	c.AddCommand(a.filterTestCmd(), a.filterDetectorsCmd())
	return c
}

func (a *app) filterTestCmd() *cobra.Command {
	var service string
	var asJSON bool
	c := &cobra.Command{
		Use:   "test [FILE]",
		Short: "Run the filter on a file (or stdin) and show what would be redacted",
		Long: `test applies filter.json and the built-in detectors (as data/system.json sets
them) to FILE, or to standard input, exactly as CLP applies them to a request
body, and prints the result and what was replaced. Secrets are shown masked.
It reads the files directly; the daemon need not run.`,
		Example: "  clp filter test .env\n  cat body.json | clp filter test --service codex --json",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := serviceArg(service); err != nil {
				return err
			}
			var in []byte
			var err error
			if len(args) == 1 {
				in, err = os.ReadFile(args[0])
			} else {
				in, err = io.ReadAll(a.stdin)
			}
			if err != nil {
				return err
			}
			snap, _, err := config.NewLoader(a.env.Home).Load()
			if err != nil {
				return err
			}
			for _, p := range snap.Problems {
				fmt.Fprintf(a.stderr, "warning: %s (using the last good version)\n", p)
			}
			f, err := redact.Compile(snap.Filter, redact.Options{Detectors: snap.System.Detectors})
			if err != nil {
				return fmt.Errorf("filter.json: %w", err)
			}
			out, rep := f.Apply(service, in)
			if asJSON {
				return writeJSON(a.stdout, struct {
					Text   string        `json:"text"`
					Report redact.Report `json:"report"`
				}{string(out), rep})
			}
			if rep.Total() == 0 {
				fmt.Fprintln(a.stdout, "nothing would be redacted")
				return nil
			}
			fmt.Fprintf(a.stdout, "%d replacement(s):\n", rep.Total())
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			for _, s := range rep.Spans {
				fmt.Fprintf(tw, "  %s\tat %d\t%s\n", s.Rule, s.Start, s.Preview)
			}
			tw.Flush()
			fmt.Fprintf(a.stdout, "\nas sent:\n%s\n", out)
			return nil
		},
	}
	c.Flags().StringVar(&service, "service", "claude", "apply the rules of this service (rules can be scoped)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the result and the report as JSON")
	return c
}

func (a *app) filterDetectorsCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "detectors",
		Short:   "List the built-in secret detectors and whether each is on",
		Example: "  clp filter detectors",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			snap, _, err := config.NewLoader(a.env.Home).Load()
			if err != nil {
				return err
			}
			ds := redact.Detectors()
			sort.Slice(ds, func(i, j int) bool { return ds[i].ID < ds[j].ID })
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "DETECTOR\tON\tFINDS")
			for _, d := range ds {
				on := d.DefaultOn
				if v, ok := snap.System.Detectors[d.ID]; ok {
					on = v
				}
				fmt.Fprintf(tw, "%s\t%v\t%s\n", d.ID, on, d.Description)
			}
			fmt.Fprintln(tw, "\nturn one on or off in data/system.json: {\"detectors\": {\"ID\": false}}")
			return tw.Flush()
		},
	}
}
