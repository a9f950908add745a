package cli

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func (a *app) usageCmd() *cobra.Command {
	var since, by string
	var asJSON bool
	c := &cobra.Command{
		Use:   "usage",
		Short: "Token and cost totals by day, model, config or service",
		Long: `usage sums the request log: requests, errors, tokens of each kind, the
cache-hit ratio, cost and latency. Totals survive the pruning of old bodies.
Cost is a lower bound when some models have no price ("+N unpriced").`,
		Example: "  clp usage\n  clp usage --since 30d --by model\n  clp usage --by day,config --json",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := timeout(10 * time.Second)
			defer cancel()
			c, _, err := a.daemonClient(ctx)
			if err != nil {
				return err
			}
			q := url.Values{}
			if since != "" {
				t, err := parseSince(since, time.Now())
				if err != nil {
					return err
				}
				q.Set("since", t.Format(time.RFC3339))
			}
			var dims []string
			for _, f := range strings.Split(by, ",") {
				switch f = strings.TrimSpace(f); f {
				case "":
				case "day", "hour":
					q.Set("bucket", f)
				case "service", "config", "model":
					dims = append(dims, f)
				default:
					return fmt.Errorf("%w: --by takes day, hour, service, config or model, not %q", errUsage, f)
				}
			}
			if len(dims) > 0 {
				q.Set("by", strings.Join(dims, ","))
			}
			q.Set("tz", time.Local.String())
			if time.Local.String() == "Local" {
				q.Del("tz")
			}
			rows, err := c.Stats(ctx, q)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.stdout, rows)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "GROUP\tREQUESTS\tERRORS\tINPUT\tCACHE READ\tCACHE WRITE\tOUTPUT\tREASONING\tCACHE HIT\tCOST\tP50\tP95\t")
			for _, r := range rows {
				var group []string
				if !r.Bucket.IsZero() {
					group = append(group, r.Bucket.Format("2006-01-02 15h"))
				}
				for _, g := range []string{r.Service, r.Config, r.Model} {
					if g != "" {
						group = append(group, g)
					}
				}
				if len(group) == 0 {
					group = []string{"all"}
				}
				cost := fmt.Sprintf("$%.4f", r.CostUSD)
				if r.UnknownCost > 0 {
					cost += " +" + strconv.FormatInt(r.UnknownCost, 10) + " unpriced"
				}
				u := r.Usage
				fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.0f%%\t%s\t%s\t%s\t\n", strings.Join(group, " "), r.Requests, r.Errors,
					u.InputTokens, u.CacheReadTokens, u.CacheWriteTokens, u.OutputTokens, u.ReasoningTokens,
					100*r.CacheHitRatio, cost, fmtMS(r.LatencyP50MS), fmtMS(r.LatencyP95MS))
			}
			return tw.Flush()
		},
	}
	f := c.Flags()
	f.StringVar(&since, "since", "", "from this time: 24h, 7d, or an RFC 3339 time (default: everything)")
	f.StringVar(&by, "by", "", "group by any of day, hour, service, config, model (comma separated)")
	f.BoolVar(&asJSON, "json", false, "print the rows as JSON")
	return c
}

// parseSince accepts a duration back from now ("36h", "7d") or RFC 3339.
func parseSince(s string, now time.Time) (time.Time, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if d, err := strconv.Atoi(n); err == nil && d >= 0 {
			return now.AddDate(0, 0, -d), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: --since %q: use a duration such as 24h or 7d, or an RFC 3339 time", errUsage, s)
}
