// Package cli implements the `clp` command line: one file per command, each a
// thin layer over the daemon's JSON API (internal/client) or, for commands
// that must work while the daemon is stopped, over the files themselves.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/client"
	"github.com/clp-proxy/clp/internal/daemon"
)

// Exit codes.
const (
	ExitOK         = 0
	ExitFailure    = 1
	ExitUsage      = 2
	ExitNotRunning = 3 // `clp status` when no daemon runs (as LSB init scripts do)
)

// ExitError carries an exit code through cobra.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// app is what every command needs: where to write, the environment, and the
// path of this binary (to spawn the daemon).
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	env            api.Env
	exe            string
}

// Main runs clp with args (without the program name) and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	root := a.root()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(stderr, "clp:", err)
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if errors.Is(err, errUsage) {
		return ExitUsage
	}
	return ExitFailure
}

var errUsage = errors.New("usage")

func (a *app) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "clp",
		Short: "Local proxy for Claude Code and Codex CLI: switch upstreams, balance, redact, log usage",
		Long: `clp runs a local proxy between AI coding CLIs and their model APIs.

Claude Code talks to http://127.0.0.1:3210, Codex CLI to http://127.0.0.1:3211,
and the web UI is on http://127.0.0.1:3300. Upstream configs live in
$CLP_HOME (default ~/.clp): claude.json and codex.json.`,
		Example: `  clp start                  # start the daemon in the background
  clp active claude prod     # send Claude Code's next request to "prod"
  clp status                 # what listens where, and which config is active`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: a.init,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w: %v (see `%s --help`)", errUsage, err, c.CommandPath())
	})
	a.addCommands(root, a.startCmd(), a.stopCmd(), a.restartCmd(), a.serveCmd(), a.statusCmd(),
		a.listCmd(), a.activeCmd(), a.withUIPassword(a.uiCmd()), a.versionCmd(), a.setupCmd(), a.configCmd(), a.doctorCmd(),
		a.logsCmd(), a.usageCmd(), a.importCmd(), a.healthCmd(), a.keyCmd(), a.filterCmd())
	return root
}

func (a *app) init(cmd *cobra.Command, args []string) error {
	env, err := api.LoadEnv(a.getenv)
	if err != nil {
		return err
	}
	a.env = env
	if a.exe, err = os.Executable(); err != nil {
		return fmt.Errorf("find the clp binary: %w", err)
	}
	return nil
}

// usageArgs validates positional arguments with a message that says what to type.
func usageArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("%w: expected %s (e.g. `%s`)", errUsage, what, cmd.Example)
		}
		return nil
	}
}

// daemonClient returns a client of the running daemon of this CLP_HOME, and
// its pid; ErrNotRunning when none runs. A stale pid file is ignored.
func (a *app) daemonClient(ctx context.Context) (*client.Client, int, error) {
	addr := a.env.UIAddr()
	p, err := daemon.ReadPid(a.env)
	if err == nil {
		if !daemon.Alive(p.PID) {
			return nil, 0, client.ErrNotRunning
		}
		addr = p.UIAddr
	}
	c := client.New(addr).WithToken(a.uiToken())
	st, err := c.Status(ctx)
	if err != nil {
		return nil, 0, err
	}
	if st.Home != a.env.Home {
		return nil, 0, fmt.Errorf("%w (a clp for CLP_HOME=%s answers on %s)", client.ErrNotRunning, st.Home, addr)
	}
	return c, st.PID, nil
}

func timeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
