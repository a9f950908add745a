package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/client"
	"github.com/clp-proxy/clp/internal/daemon"
)

func (a *app) startCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "start",
		Short:   "Start the daemon in the background and wait until it is ready",
		Example: "  clp start",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.start()
		},
	}
}

func (a *app) start() error {
	ctx, cancel := timeout(5 * time.Second)
	_, pid, err := a.daemonClient(ctx)
	cancel()
	if err == nil {
		fmt.Fprintf(a.stdout, "clp is already running (pid %d)\n", pid)
		return a.printListeners()
	}
	ctx, cancel = timeout(30 * time.Second)
	defer cancel()
	if _, err := daemon.Spawn(ctx, a.env, a.exe); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "clp started")
	return a.printListeners()
}

func (a *app) printListeners() error {
	for _, s := range api.Services {
		fmt.Fprintf(a.stdout, "  %-7s proxy  http://%s\n", s.Name, a.env.ProxyAddr(s.Name))
	}
	fmt.Fprintf(a.stdout, "  web UI         http://%s\n", a.env.UIAddr())
	return nil
}

func (a *app) stopCmd() *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:     "stop",
		Short:   "Stop the daemon gracefully (in-flight streams finish first)",
		Example: "  clp stop",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			stopped, err := a.stop(force)
			if err != nil {
				return err
			}
			if !stopped {
				fmt.Fprintln(a.stdout, "clp is not running")
				return nil
			}
			fmt.Fprintln(a.stdout, "clp stopped")
			return nil
		},
	}
	c.Flags().BoolVar(&force, "force", false, "send SIGTERM to the pid in the pid file even if its API does not answer")
	return c
}

// stop asks the daemon to shut down and waits until its process is gone.
func (a *app) stop(force bool) (stopped bool, err error) {
	p, perr := daemon.ReadPid(a.env)
	ctx, cancel := timeout(5 * time.Second)
	c, pid, err := a.daemonClient(ctx)
	cancel()
	switch {
	case err == nil:
		ctx, cancel := timeout(5 * time.Second)
		err = c.Shutdown(ctx)
		cancel()
		if err != nil {
			return false, err
		}
	case perr == nil && daemon.Alive(p.PID) && force:
		pid = p.PID
		if err := daemon.Terminate(pid); err != nil {
			return false, fmt.Errorf("stop pid %d: %w", pid, err)
		}
	case perr == nil && daemon.Alive(p.PID) && !errors.Is(err, client.ErrNotRunning):
		return false, fmt.Errorf("pid %d from %s does not answer on %s (%v); if it is a hung clp, run `clp stop --force`", p.PID, daemon.PidPath(a.env), p.UIAddr, err)
	default:
		if perr == nil {
			os.Remove(daemon.PidPath(a.env)) // stale
		}
		return false, nil
	}
	// The daemon drains in-flight streams (30 s by default) before exiting.
	deadline := time.Now().Add(2 * time.Minute)
	for daemon.Alive(pid) {
		if time.Now().After(deadline) {
			return false, fmt.Errorf("pid %d is still running after 2 minutes; see %s", pid, daemon.LogPath(a.env))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true, nil
}

func (a *app) restartCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "restart",
		Short:   "Stop the daemon (if running) and start it again",
		Example: "  clp restart",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := a.stop(false); err != nil {
				return err
			}
			return a.start()
		},
	}
}

func (a *app) serveCmd() *cobra.Command {
	var jsonLog bool
	var level string
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the daemon in the foreground (for systemd, containers and debugging)",
		Long: `serve runs the proxies and the web UI attached to the terminal, logging to
stderr, until interrupted (Ctrl-C or SIGTERM), then drains in-flight requests.

The log level and format default to $CLP_LOG_LEVEL (debug, info, warn, error;
default info) and $CLP_LOG_FORMAT (text or json; default text); the flags
override them. ` + "`clp start`" + ` passes both variables on to the daemon it starts.`,
		Example: `  clp serve
  clp serve --log-level debug --log-json
  CLP_LOG_LEVEL=warn clp start`,
		Args: usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("log-level") {
				level = a.getenv("CLP_LOG_LEVEL")
			}
			format := a.getenv("CLP_LOG_FORMAT")
			if cmd.Flags().Changed("log-json") {
				format = "text"
				if jsonLog {
					format = "json"
				}
			}
			h, err := logHandler(a.stderr, level, format)
			if err != nil {
				daemon.SignalReady(a.getenv, err)
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return daemon.Run(ctx, daemon.Options{
				Env: a.env, Log: slog.New(h), Version: version(),
				Ready: func(err error) { daemon.SignalReady(a.getenv, err) },
			})
		},
	}
	c.Flags().BoolVar(&jsonLog, "log-json", false, "log as JSON lines instead of text (default: $CLP_LOG_FORMAT is json)")
	c.Flags().StringVar(&level, "log-level", "", "least important level logged: debug, info, warn or error (default: $CLP_LOG_LEVEL, else info)")
	return c
}

// logHandler is the daemon's slog handler writing to w: level is debug,
// info, warn or error ("" means info; case does not matter), format is text
// or json ("" means text).
func logHandler(w io.Writer, level, format string) (slog.Handler, error) {
	var lv slog.Level
	switch strings.ToLower(strings.TrimSpace(level)) {
	case "debug":
		lv = slog.LevelDebug
	case "", "info":
		lv = slog.LevelInfo
	case "warn", "warning":
		lv = slog.LevelWarn
	case "error":
		lv = slog.LevelError
	default:
		return nil, fmt.Errorf("log level %q is not one of debug, info, warn, error (--log-level or CLP_LOG_LEVEL)", level)
	}
	opt := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "", "text":
		return slog.NewTextHandler(w, opt), nil
	case "json":
		return slog.NewJSONHandler(w, opt), nil
	default:
		return nil, fmt.Errorf("log format %q is not text or json (CLP_LOG_FORMAT)", format)
	}
}
