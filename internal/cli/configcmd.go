package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/clp-proxy/clp/internal/config"
)

// The config commands edit claude.json and codex.json directly, so they work
// whether or not the daemon runs; a running daemon sees the change through
// its file watcher within a fraction of a second. Credentials are read from
// standard input or a prompt that does not echo, never from the command
// line, so they stay out of shell history and process listings.

func (a *app) configCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Add, edit, rename, remove, enable or disable upstream configs",
		Long: `config changes the upstream configs in $CLP_HOME/claude.json and codex.json,
keeping every other entry and every field clp does not know. Works whether or
not the daemon runs; a running daemon picks the change up at once.

Credentials never go on the command line: pipe them in with --auth-token-stdin
or --api-key-stdin, or type them at the hidden prompt.`,
		Example: `  clp config add claude prod --base-url https://api.anthropic.com --api-key-stdin < key.txt
  clp config edit claude prod --weight 10
  clp config rename claude prod official
  clp config disable codex relay`,
		Args: usageArgs(0, "a subcommand"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	c.AddCommand(a.configAddCmd(), a.configEditCmd(), a.configRmCmd(), a.configRenameCmd(),
		a.configToggleCmd(false), a.configToggleCmd(true))
	return c
}

// entryFlags are the flags of `config add` and `config edit`.
type entryFlags struct {
	baseURL        string
	weight         float64
	authTokenStdin bool
	apiKeyStdin    bool
}

func (f *entryFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.baseURL, "base-url", "", "the upstream's base URL, such as https://api.anthropic.com")
	c.Flags().Float64Var(&f.weight, "weight", 0, "weight for balancing (higher first; >= 0)")
	c.Flags().BoolVar(&f.authTokenStdin, "auth-token-stdin", false, "read auth_token (sent as Authorization: Bearer) from stdin, or a hidden prompt in a terminal")
	c.Flags().BoolVar(&f.apiKeyStdin, "api-key-stdin", false, "read api_key (sent as x-api-key to Anthropic, Bearer to OpenAI) from stdin, or a hidden prompt in a terminal")
}

// change turns the flags that were given into an EntryChange, reading the
// credential when asked. prompt says whether to prompt for a credential when
// no credential flag was given and stdin is a terminal.
func (a *app) change(cmd *cobra.Command, f *entryFlags, service, name string, prompt bool) (config.EntryChange, error) {
	var c config.EntryChange
	if f.authTokenStdin && f.apiKeyStdin {
		return c, fmt.Errorf("%w: give one of --auth-token-stdin and --api-key-stdin", errUsage)
	}
	if cmd.Flags().Changed("base-url") {
		c.BaseURL = &f.baseURL
	}
	if cmd.Flags().Changed("weight") {
		c.Weight = &f.weight
	}
	label := service + "/" + name
	switch {
	case f.authTokenStdin:
		v, err := a.readSecret("auth token for " + label)
		if err != nil {
			return c, err
		}
		c.AuthToken = &v
	case f.apiKeyStdin:
		v, err := a.readSecret("API key for " + label)
		if err != nil {
			return c, err
		}
		c.APIKey = &v
	case prompt:
		if !a.stdinIsTerminal() {
			return c, fmt.Errorf("%w: stdin is not a terminal: pipe the credential in with --auth-token-stdin or --api-key-stdin (e.g. `printf %%s \"$KEY\" | %s %s %s --api-key-stdin ...`)", errUsage, cmd.CommandPath(), service, name)
		}
		v, err := a.readSecret("credential for " + label)
		if err != nil {
			return c, err
		}
		if credentialField(service, v) == "api_key" {
			c.APIKey = &v
		} else {
			c.AuthToken = &v
		}
	}
	return c, nil
}

// credentialField picks where a credential typed at the prompt goes: an
// Anthropic API key ("sk-ant-api…") is an api_key (x-api-key), anything
// else for Claude is an auth_token (Bearer, as relays expect); Codex sends
// either as Bearer and gets an api_key, as the original CLP wrote it.
func credentialField(service, cred string) string {
	if service != "claude" || strings.HasPrefix(cred, "sk-ant-api") {
		return "api_key"
	}
	return "auth_token"
}

// stdinIsTerminal reports whether stdin is an interactive terminal.
func (a *app) stdinIsTerminal() bool {
	f, ok := a.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// readSecret reads a credential: at a terminal, from a prompt that does not
// echo; otherwise all of stdin (up to 64 KiB), surrounding space trimmed.
func (a *app) readSecret(what string) (string, error) {
	var raw []byte
	var err error
	if a.stdinIsTerminal() {
		fmt.Fprintf(a.stderr, "%s (input hidden): ", what)
		raw, err = term.ReadPassword(int(a.stdin.(*os.File).Fd()))
		fmt.Fprintln(a.stderr)
	} else {
		raw, err = io.ReadAll(io.LimitReader(a.stdin, 64<<10))
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", what, err)
	}
	v := strings.TrimSpace(string(raw))
	if v == "" {
		return "", fmt.Errorf("%w: %s is empty (pipe it in, e.g. `printf %%s \"$KEY\" | clp config ...`)", errUsage, what)
	}
	return v, nil
}

func (a *app) configAddCmd() *cobra.Command {
	var f entryFlags
	c := &cobra.Command{
		Use:   "add claude|codex NAME --base-url URL",
		Short: "Add an upstream config",
		Long: `add appends a config to the service's file. --base-url is required; the
credential comes from stdin (--auth-token-stdin or --api-key-stdin) or, in a
terminal, from a hidden prompt: for Claude, an Anthropic API key (sk-ant-api…)
is stored as api_key and anything else as auth_token; for Codex, as api_key.
The new config is not made active: switch to it with ` + "`clp active`" + `.`,
		Example: `  clp config add claude prod --base-url https://api.anthropic.com
  printf %s "$RELAY_TOKEN" | clp config add claude relay --base-url https://relay.example --auth-token-stdin --weight 5
  clp config add codex main --base-url https://api.openai.com/v1 --api-key-stdin < ~/.openai-key`,
		Args:              usageArgs(2, "a service and a config name"),
		ValidArgsFunction: a.completeServices,
		RunE: func(cmd *cobra.Command, args []string) error {
			service, name := args[0], args[1]
			if err := serviceArg(service); err != nil {
				return err
			}
			if !cmd.Flags().Changed("base-url") {
				return fmt.Errorf("%w: missing --base-url (e.g. `clp config add %s %s --base-url https://...`)", errUsage, service, name)
			}
			ch, err := a.change(cmd, &f, service, name, true)
			if err != nil {
				return err
			}
			if err := config.EnsureHome(a.env.Home); err != nil {
				return err
			}
			if err := config.AddEntry(a.env.Home, service, name, ch); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "added %s config %s (%s)\n", service, name, strings.TrimSpace(f.baseURL))
			fmt.Fprintf(a.stdout, "next: clp active %s %s\n", service, name)
			return nil
		},
	}
	f.register(c)
	return c
}

func (a *app) configEditCmd() *cobra.Command {
	var f entryFlags
	c := &cobra.Command{
		Use:   "edit claude|codex NAME [--base-url URL] [--weight N] [--auth-token-stdin|--api-key-stdin]",
		Short: "Change the base URL, weight or credential of a config",
		Long: `edit sets the given fields of an existing config and keeps the others (a new
auth_token does not remove an api_key, and the other way round).`,
		Example: `  clp config edit claude prod --weight 10
  clp config edit claude prod --base-url https://relay.example/api
  clp config edit codex main --api-key-stdin < ~/.openai-key`,
		Args:              usageArgs(2, "a service and a config name"),
		ValidArgsFunction: a.completeServiceConfig,
		RunE: func(cmd *cobra.Command, args []string) error {
			service, name := args[0], args[1]
			if err := serviceArg(service); err != nil {
				return err
			}
			ch, err := a.change(cmd, &f, service, name, false)
			if err != nil {
				return err
			}
			if ch == (config.EntryChange{}) {
				return fmt.Errorf("%w: nothing to change: give --base-url, --weight, --auth-token-stdin or --api-key-stdin", errUsage)
			}
			if err := config.EditEntry(a.env.Home, service, name, ch); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "updated %s config %s\n", service, name)
			return nil
		},
	}
	f.register(c)
	return c
}

func (a *app) configRmCmd() *cobra.Command {
	return &cobra.Command{
		Use:               "rm claude|codex NAME",
		Aliases:           []string{"remove"},
		Short:             "Remove a config",
		Long:              "rm deletes a config from the service's file. When it was the active one, the first config left becomes active.",
		Example:           "  clp config rm claude old-relay",
		Args:              usageArgs(2, "a service and a config name"),
		ValidArgsFunction: a.completeServiceConfig,
		RunE: func(cmd *cobra.Command, args []string) error {
			service, name := args[0], args[1]
			if err := serviceArg(service); err != nil {
				return err
			}
			if err := config.RemoveEntry(a.env.Home, service, name); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "removed %s config %s\n", service, name)
			snap, _, err := config.NewLoader(a.env.Home).Load()
			if err != nil {
				return err
			}
			svc := snap.Service(service)
			switch u := svc.ActiveUpstream(); {
			case u == nil:
				fmt.Fprintf(a.stdout, "%s has no configs left: add one with `clp config add %s NAME --base-url URL`\n", service, service)
			default:
				fmt.Fprintf(a.stdout, "%s uses %s\n", service, u.Name)
			}
			return nil
		},
	}
}

func (a *app) configRenameCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rename claude|codex OLD NEW",
		Short: "Rename a config (keeps its place, fields and active flag)",
		Long: `rename gives a config a new name. It keeps its place in the file, all its
fields and whether it is active, and carries the name through the
model-routing rules that name the config (data/model_router_config.json), its
balancing health and the request log with its statistics.`,
		Example:           "  clp config rename claude prod official",
		Args:              usageArgs(3, "a service, the old and the new name"),
		ValidArgsFunction: a.completeServiceConfig,
		RunE: func(cmd *cobra.Command, args []string) error {
			service, from, to := args[0], args[1], args[2]
			if err := serviceArg(service); err != nil {
				return err
			}
			if err := a.renameConfig(service, from, to); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "renamed %s config %s to %s\n", service, from, to)
			return nil
		},
	}
}

func (a *app) configToggleCmd(disable bool) *cobra.Command {
	verb, short := "enable", "Enable a disabled config again"
	if disable {
		verb, short = "disable", "Disable a config without deleting it (balancing and routing skip it)"
	}
	return &cobra.Command{
		Use:               verb + " claude|codex NAME",
		Short:             short,
		Example:           "  clp config " + verb + " claude relay",
		Args:              usageArgs(2, "a service and a config name"),
		ValidArgsFunction: a.completeServiceConfig,
		RunE: func(cmd *cobra.Command, args []string) error {
			service, name := args[0], args[1]
			if err := serviceArg(service); err != nil {
				return err
			}
			if err := config.SetDisabled(a.env.Home, service, name, disable); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%sd %s config %s\n", verb, service, name)
			return nil
		},
	}
}
