package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/clp-proxy/clp/internal/setup"
)

// setupOptions returns where the clients keep their files and where CLP
// listens, from the environment (CLAUDE_CONFIG_DIR, CODEX_HOME, CLP_*).
func (a *app) setupOptions() (setup.Options, error) {
	home := a.getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return setup.Options{}, fmt.Errorf("find home directory (set HOME): %w", err)
		}
		home = h
	}
	return setup.DefaultOptions(a.getenv, home), nil
}

func (a *app) setupCmd() *cobra.Command {
	var dryRun, undo bool
	c := &cobra.Command{
		Use:   "setup claude|codex",
		Short: "Point Claude Code or Codex CLI at clp (edits the client's own files, with a backup)",
		Long: `setup merges the settings a coding CLI needs to talk to clp into the CLI's own
files and keeps every other setting and comment:

  claude  $CLAUDE_CONFIG_DIR/settings.json (default ~/.claude/settings.json):
          env.ANTHROPIC_BASE_URL = clp's Claude listener, and a placeholder
          env.ANTHROPIC_AUTH_TOKEN when no credential is set there.
  codex   $CODEX_HOME/config.toml (default ~/.codex/config.toml): a
          [model_providers.clp] table (wire_api = "responses") and
          model_provider = "clp"; $CODEX_HOME/auth.json: a placeholder key.

clp replaces whatever credential the client sends with the upstream config's,
so the placeholders never leave your machine. Before writing, setup saves a
timestamped backup under <client dir>/clp-backup/; --undo puts the newest one
back byte for byte. --dry-run prints the diff and writes nothing (the diff
shows the files as they are, credentials included). Running setup again on a
client that is already set up changes nothing.`,
		Example: `  clp setup claude --dry-run   # show what would change
  clp setup claude
  clp setup codex
  clp setup codex --undo       # restore the files as they were before`,
		Args:              usageArgs(1, "a client name, claude or codex"),
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			client := args[0]
			if err := serviceArg(client); err != nil {
				return err
			}
			if dryRun && undo {
				return fmt.Errorf("%w: --dry-run and --undo do not go together", errUsage)
			}
			opt, err := a.setupOptions()
			if err != nil {
				return err
			}
			if undo {
				return a.setupUndo(client, opt)
			}
			ch, err := setup.Plan(client, opt)
			if err != nil {
				return err
			}
			if ch.UpToDate() {
				fmt.Fprintf(a.stdout, "%s is already set up to use clp; nothing to change\n", clientTitle(client))
				return nil
			}
			if dryRun {
				fmt.Fprint(a.stdout, ch.Diff())
				fmt.Fprintf(a.stdout, "dry run: nothing written; run `clp setup %s` to apply\n", client)
				return nil
			}
			if err := ch.Apply(); err != nil {
				return err
			}
			for _, f := range ch.Files {
				verb := "updated"
				if !f.Existed {
					verb = "created"
				}
				fmt.Fprintf(a.stdout, "%s %s\n", verb, f.Path)
			}
			fmt.Fprintf(a.stdout, "backup in %s (undo with `clp setup %s --undo`)\n", ch.Backup, client)
			fmt.Fprintf(a.stdout, "next: start clp with `clp start`, then start a new %s session\n", clientTitle(client))
			return nil
		},
	}
	c.Flags().BoolVar(&dryRun, "dry-run", false, "print the diff and write nothing")
	c.Flags().BoolVar(&undo, "undo", false, "restore the client's files from the newest backup")
	return c
}

func (a *app) setupUndo(client string, opt setup.Options) error {
	restored, err := setup.Undo(client, opt)
	for _, p := range restored {
		fmt.Fprintf(a.stdout, "restored %s\n", p)
	}
	if errors.Is(err, setup.ErrNoBackup) {
		return fmt.Errorf("nothing to undo: %w (clp setup %s has not written one)", err, client)
	}
	return err
}

// clientTitle is the coding CLI's name as its users know it.
func clientTitle(service string) string {
	switch service {
	case "claude":
		return "Claude Code"
	case "codex":
		return "Codex CLI"
	}
	return service
}
