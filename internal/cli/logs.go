package cli

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/clp-proxy/clp/internal/api"
)

func (a *app) logsCmd() *cobra.Command {
	var service, cfg, model, status string
	var limit int
	var asJSON, follow bool
	c := &cobra.Command{
		Use:   "logs",
		Short: "Show recent requests (usage, cost, status, latency)",
		Long: `logs lists the most recent requests from the request log, newest last.
With -f it keeps printing requests as they finish. --json prints one record
per line with the normalized usage fields (input_tokens, cache_read_tokens,
cache_write_tokens, output_tokens, reasoning_tokens).`,
		Example: "  clp logs\n  clp logs --service claude --status error -n 50\n  clp logs -f\n  clp logs show 42",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := timeout(10 * time.Second)
			defer cancel()
			c, _, err := a.daemonClient(ctx)
			if err != nil {
				return err
			}
			q := url.Values{}
			for k, v := range map[string]string{"service": service, "config": cfg, "model": model, "status": status} {
				if v != "" {
					q.Set(k, v)
				}
			}
			q.Set("limit", strconv.Itoa(limit))
			page, err := c.Requests(ctx, q)
			if err != nil {
				return err
			}
			recs := page.Records
			for i, j := 0, len(recs)-1; i < j; i, j = i+1, j-1 {
				recs[i], recs[j] = recs[j], recs[i]
			}
			tw := a.logTable(asJSON)
			for i := range recs {
				a.printRecord(tw, &recs[i], asJSON)
			}
			tw.Flush()
			if !follow {
				return nil
			}
			fctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			return c.Events(fctx, func(ev api.Event) {
				r := ev.Record
				if ev.Type != api.EventRequestDone || r == nil ||
					(service != "" && r.Service != service) || (cfg != "" && r.Config != cfg) {
					return
				}
				a.printRecord(tw, r, asJSON)
				tw.Flush()
			})
		},
	}
	f := c.Flags()
	f.StringVar(&service, "service", "", "only this service (claude, codex)")
	f.StringVar(&cfg, "config", "", "only this config")
	f.StringVar(&model, "model", "", "only this model (requested or sent)")
	f.StringVar(&status, "status", "", "ok, error, or an HTTP status such as 429")
	f.IntVarP(&limit, "limit", "n", 20, "how many requests (1-1000)")
	f.BoolVar(&asJSON, "json", false, "one JSON record per line")
	f.BoolVarP(&follow, "follow", "f", false, "keep printing requests as they finish")
	c.AddCommand(a.logsShowCmd())
	return c
}

func (a *app) logTable(asJSON bool) *tabwriter.Writer {
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	if !asJSON {
		fmt.Fprintln(tw, "ID\tTIME\tSERVICE\tCONFIG\tMODEL\tSTATUS\tDURATION\tTTFB\tINPUT\tCACHE R/W\tOUTPUT\tCOST")
	}
	return tw
}

func (a *app) printRecord(w io.Writer, r *api.Record, asJSON bool) {
	if asJSON {
		writeCompactJSON(a.stdout, r)
		return
	}
	model := r.ModelRequested
	if r.ModelSent != "" && r.ModelSent != r.ModelRequested {
		model += "→" + r.ModelSent
	}
	status := strconv.Itoa(r.Status)
	if r.Error != "" || r.Incomplete {
		status += "!"
	}
	in, cache, out := "-", "-", "-"
	if u := r.Usage; u != nil {
		in = strconv.FormatInt(u.InputTokens, 10)
		cache = fmt.Sprintf("%d/%d", u.CacheReadTokens, u.CacheWriteTokens)
		out = strconv.FormatInt(u.OutputTokens, 10)
	}
	cost := "unknown"
	if r.CostUSD != nil {
		cost = fmt.Sprintf("$%.4f", *r.CostUSD)
	}
	fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Time.Local().Format("01-02 15:04:05"),
		r.Service, orDash(r.Config), orDash(model), status, fmtMS(r.DurationMS), fmtMS(r.TTFBMS), in, cache, out, cost)
}

func fmtMS(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%.1fs", ms/1000)
	}
	return fmt.Sprintf("%.0fms", ms)
}

func (a *app) logsShowCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:     "show ID",
		Short:   "Show one request in full: attempts, headers, bodies, usage",
		Example: "  clp logs show 42",
		Args:    usageArgs(1, "a request id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("%w: request id %q is not a number", errUsage, args[0])
			}
			ctx, cancel := timeout(10 * time.Second)
			defer cancel()
			c, _, err := a.daemonClient(ctx)
			if err != nil {
				return err
			}
			r, err := c.Request(ctx, id)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, r)
			}
			w := a.stdout
			fmt.Fprintf(w, "request %d  %s  %s %s\n", r.ID, r.Time.Local().Format(time.RFC3339), r.Method, r.Path)
			fmt.Fprintf(w, "service %s, config %s, model %s", r.Service, orDash(r.Config), orDash(r.ModelRequested))
			if r.ModelSent != r.ModelRequested {
				fmt.Fprintf(w, " sent as %s", r.ModelSent)
			}
			fmt.Fprintf(w, "\nstatus %d, %s total, %s to first byte, stream %v\n", r.Status, fmtMS(r.DurationMS), fmtMS(r.TTFBMS), r.Stream)
			if r.Error != "" {
				fmt.Fprintf(w, "error: %s\n", r.Error)
			}
			for i, at := range r.Attempts {
				res := "ok"
				if at.Error != "" {
					res = at.Error
				}
				fmt.Fprintf(w, "attempt %d: %s  %s  %s\n", i+1, at.Config, fmtMS(at.DurationMS), res)
			}
			if u := r.Usage; u != nil {
				fmt.Fprintf(w, "usage: input %d, cache read %d, cache write %d, output %d, reasoning %d\n",
					u.InputTokens, u.CacheReadTokens, u.CacheWriteTokens, u.OutputTokens, u.ReasoningTokens)
			}
			for rule, n := range r.Redactions {
				fmt.Fprintf(w, "redacted: %s ×%d\n", rule, n)
			}
			fmt.Fprintf(w, "\nrequest body (as sent):\n%s\n\nresponse:\n%s\n", clipText(r.RequestBody), clipText(r.ResponseBody))
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the record as JSON")
	return c
}

func clipText(b []byte) string {
	const max = 4000
	s := string(b)
	if len(s) > max {
		return s[:max] + fmt.Sprintf("\n… (%d more bytes; use --json for all)", len(s)-max)
	}
	return strings.TrimRight(s, "\n")
}
