package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/clp-proxy/clp/internal/daemon"
)

// keyCmd manages proxy client keys. It edits data/keys.json directly, so it
// works with or without a running daemon; a running daemon applies the
// change to the very next request.
func (a *app) keyCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "key create|list|revoke",
		Short: "Manage client keys for proxies reachable beyond loopback",
		Long: `When CLP_PROXY_HOST is not a loopback address, a request from another machine
must carry a CLP client key, as x-api-key or Authorization: Bearer (for Claude
Code: ANTHROPIC_AUTH_TOKEN; for Codex: the provider's env_key). CLP checks the
key, removes it and sends the config's own credential upstream. Requests from
this machine need no key unless CLP_REQUIRE_KEYS=1 (use that when a reverse
proxy on this host forwards other machines' requests).

Keys are stored as SHA-256 hashes in $CLP_HOME/data/keys.json; a key is shown
once, when it is created.`,
		Example: "  clp key create laptop\n  clp key list\n  clp key revoke laptop",
	}
	c.AddCommand(a.keyCreateCmd(), a.keyListCmd(), a.keyRevokeCmd())
	return c
}

func (a *app) keyCreateCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "create NAME",
		Short:   "Create a client key and print it (once)",
		Example: "  clp key create laptop",
		Args:    usageArgs(1, "a key name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := daemon.CreateKey(daemon.KeysPath(a.env), args[0], time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, key)
			fmt.Fprintf(a.stderr, "client key %q created; it is shown only now. Send it as x-api-key or Authorization: Bearer\n(e.g. ANTHROPIC_AUTH_TOKEN=<key> for Claude Code). Revoke it with `clp key revoke %s`.\n", args[0], args[0])
			return nil
		},
	}
}

func (a *app) keyListCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:     "list",
		Short:   "List client keys (names and hints, never the keys)",
		Example: "  clp key list\n  clp key list --json",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := daemon.LoadKeys(daemon.KeysPath(a.env))
			if err != nil {
				return err
			}
			if asJSON {
				type view struct {
					Name    string    `json:"name"`
					Hint    string    `json:"hint"`
					Created time.Time `json:"created"`
				}
				out := make([]view, len(keys))
				for i, k := range keys {
					out[i] = view{k.Name, k.Hint, k.Created}
				}
				return writeJSON(a.stdout, out)
			}
			if len(keys) == 0 {
				fmt.Fprintln(a.stdout, "no client keys: create one with `clp key create NAME`")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tKEY\tCREATED")
			for _, k := range keys {
				fmt.Fprintf(tw, "%s\t%s…\t%s\n", k.Name, k.Hint, k.Created.Local().Format("2006-01-02 15:04"))
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the keys as JSON")
	return c
}

func (a *app) keyRevokeCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "revoke NAME",
		Short:   "Revoke a client key; the next request with it is refused",
		Example: "  clp key revoke laptop",
		Args:    usageArgs(1, "a key name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := daemon.RevokeKey(daemon.KeysPath(a.env), args[0])
			if errors.Is(err, daemon.ErrNoKey) {
				return fmt.Errorf("%w (see `clp key list`)", err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "client key %q revoked\n", args[0])
			return nil
		},
	}
}
