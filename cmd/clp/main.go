// Command clp is a local proxy for AI coding CLIs. See internal/cli.
package main

import (
	"os"

	"github.com/clp-proxy/clp/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
