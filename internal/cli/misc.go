package cli

import (
	"fmt"
	"os/exec"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version and build information",
		Example: "  clp version",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(a.stdout, "clp %s %s/%s %s\n", version(), runtime.GOOS, runtime.GOARCH, runtime.Version())
			return nil
		},
	}
}

func (a *app) uiCmd() *cobra.Command {
	var noOpen bool
	c := &cobra.Command{
		Use:     "ui",
		Short:   "Open the web UI in a browser (starting the daemon if needed)",
		Example: "  clp ui\n  clp ui --no-open",
		Args:    usageArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := timeout(5 * time.Second)
			_, _, err := a.daemonClient(ctx)
			cancel()
			if err != nil {
				if err := a.start(); err != nil {
					return err
				}
			}
			url := "http://" + a.env.UIAddr() + "/"
			fmt.Fprintln(a.stdout, url)
			if !noOpen {
				if err := openBrowser(url); err != nil {
					fmt.Fprintf(a.stderr, "could not open a browser (%v); open the URL above\n", err)
				}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&noOpen, "no-open", false, "only print the URL")
	return c
}

func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	return cmd.Start()
}
