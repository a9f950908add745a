package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/ui"
)

// withUIPassword adds `clp ui password` under the `ui` command.
func (a *app) withUIPassword(uiCmd *cobra.Command) *cobra.Command {
	uiCmd.AddCommand(a.uiPasswordCmd())
	return uiCmd
}

// uiToken is the CLI token of the running daemon (run/ui_token), or "".
func (a *app) uiToken() string { return ui.ReadToken(a.env.RunDir()) }

func (a *app) uiPasswordCmd() *cobra.Command {
	var remove bool
	c := &cobra.Command{
		Use:   "password",
		Short: "Set the web UI password (required when CLP_UI_HOST is not loopback)",
		Long: `password stores a salted hash (PBKDF2-SHA256) of the web UI password in
$CLP_HOME/data/ui_auth.json (mode 0600); the password itself is not stored.
When the UI listens beyond loopback (CLP_UI_HOST=0.0.0.0, say) it asks for
this password and keeps a session cookie for 24 hours. The new password
applies to the next login without a restart; open sessions stay valid.

At a terminal the password is read from a hidden prompt, otherwise from
stdin. The clp command line itself never needs it: it authenticates with a
token the daemon writes to $CLP_HOME/run/ui_token at start.`,
		Example: "  clp ui password\n  printf %s \"$PW\" | clp ui password\n  clp ui password --remove",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := filepath.Join(a.env.DataDir(), ui.AuthFile)
			if remove {
				if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("remove the UI password: %w", err)
				}
				fmt.Fprintln(a.stdout, "UI password removed; a UI beyond loopback now refuses every login")
				return nil
			}
			pw, err := a.readSecret("new UI password")
			if err != nil {
				return err
			}
			if len(pw) < 8 {
				return fmt.Errorf("%w: the password is shorter than 8 characters", errUsage)
			}
			h, err := ui.HashPassword(pw, ui.DefaultIterations)
			if err != nil {
				return err
			}
			h.UpdatedAt = time.Now().UTC().Truncate(time.Second)
			data, err := json.MarshalIndent(h, "", "  ")
			if err != nil {
				return err
			}
			if err := config.EnsureHome(a.env.Home); err != nil {
				return err
			}
			if err := config.WriteFile(path, append(data, '\n'), 0o600); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "UI password set (hash in %s)\n", path)
			return nil
		},
	}
	c.Flags().BoolVar(&remove, "remove", false, "remove the password instead of setting one")
	return c
}
