package cli

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
)

// Shell completion is cobra's built-in `clp completion bash|zsh|fish|powershell`
// command; this file teaches it clp's arguments: service names, then the
// config names of that service, read from the files (so it works whether or
// not the daemon runs).

// addCommands adds cmds to root and gives the commands that take
// "SERVICE NAME" (clp active, among others) completion of both arguments.
func (a *app) addCommands(root *cobra.Command, cmds ...*cobra.Command) {
	root.AddCommand(cmds...)
	for _, c := range root.Commands() {
		if c.ValidArgsFunction != nil {
			continue
		}
		switch strings.Fields(c.Use)[0] {
		case "active":
			c.ValidArgsFunction = a.completeServiceConfig
		case "list":
			c.ValidArgsFunction = a.completeServices
		}
	}
}

// completeServices completes the one service argument.
func (a *app) completeServices(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return prefixed(api.ServiceNames(), toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeServiceConfig completes "SERVICE NAME": a service, then one of its
// config names.
func (a *app) completeServiceConfig(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	switch len(args) {
	case 0:
		return a.completeServices(cmd, args, toComplete)
	case 1:
		return prefixed(a.configNames(args[0]), toComplete), cobra.ShellCompDirectiveNoFileComp
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// configNames lists service's config names in file order; nil when the
// files cannot be read (completion then offers nothing rather than failing).
func (a *app) configNames(service string) []string {
	if _, ok := api.LookupService(service); !ok {
		return nil
	}
	// Completion runs without the root's PersistentPreRunE, so read the
	// environment here.
	env, err := api.LoadEnv(a.getenv)
	if err != nil {
		return nil
	}
	snap, _, err := config.NewLoader(env.Home).Load()
	if err != nil {
		return nil
	}
	return snap.Service(service).Names()
}

func prefixed(names []string, prefix string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return !strings.HasPrefix(n, prefix) })
}
