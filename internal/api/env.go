package api

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
)

// ServiceInfo is the static description of one proxied service: its name on
// the command line, the file of its configs and where it listens by default.
type ServiceInfo struct {
	Name        string // "claude", "codex"
	File        string // file name under CLP_HOME
	DefaultPort int
	PortEnv     string
	Protocol    string // "anthropic" or "openai"
}

// Services lists every service CLP proxies, in display order. Adding a CLI is
// one entry here and one protocol adapter.
var Services = []ServiceInfo{
	{Name: "claude", File: "claude.json", DefaultPort: 3210, PortEnv: "CLP_CLAUDE_PORT", Protocol: "anthropic"},
	{Name: "codex", File: "codex.json", DefaultPort: 3211, PortEnv: "CLP_CODEX_PORT", Protocol: "openai"},
}

// LookupService returns the service named name.
func LookupService(name string) (ServiceInfo, bool) {
	for _, s := range Services {
		if s.Name == name {
			return s, true
		}
	}
	return ServiceInfo{}, false
}

// ServiceNames returns the names of all services.
func ServiceNames() []string {
	n := make([]string, len(Services))
	for i, s := range Services {
		n[i] = s.Name
	}
	return n
}

// Env is CLP's environment (DESIGN §2): where its files live and where it listens.
type Env struct {
	Home      string         // CLP_HOME, default ~/.clp
	ProxyHost string         // CLP_PROXY_HOST, default 127.0.0.1
	UIHost    string         // CLP_UI_HOST, default 127.0.0.1
	Ports     map[string]int // service name -> port
	UIPort    int            // CLP_UI_PORT, default 3300
}

// DefaultUIPort is the web UI's port when CLP_UI_PORT is unset.
const DefaultUIPort = 3300

// LoadEnv reads the environment through getenv (os.Getenv in production).
func LoadEnv(getenv func(string) string) (Env, error) {
	e := Env{
		Home:      getenv("CLP_HOME"),
		ProxyHost: getenv("CLP_PROXY_HOST"),
		UIHost:    getenv("CLP_UI_HOST"),
		Ports:     map[string]int{},
	}
	if e.Home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return e, fmt.Errorf("find home directory (set CLP_HOME): %w", err)
		}
		e.Home = filepath.Join(h, ".clp")
	}
	if abs, err := filepath.Abs(e.Home); err == nil {
		e.Home = abs
	}
	if e.ProxyHost == "" {
		e.ProxyHost = "127.0.0.1"
	}
	if e.UIHost == "" {
		e.UIHost = "127.0.0.1"
	}
	var err error
	for _, s := range Services {
		if e.Ports[s.Name], err = port(getenv, s.PortEnv, s.DefaultPort); err != nil {
			return e, err
		}
	}
	if e.UIPort, err = port(getenv, "CLP_UI_PORT", DefaultUIPort); err != nil {
		return e, err
	}
	return e, nil
}

func port(getenv func(string) string, name string, def int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	p, err := strconv.Atoi(v)
	if err != nil || p < 0 || p > 65535 {
		return 0, fmt.Errorf("%s=%q is not a port number (0-65535)", name, v)
	}
	return p, nil
}

// UIAddr is the host:port of the UI and JSON API listener.
func (e Env) UIAddr() string { return net.JoinHostPort(e.UIHost, strconv.Itoa(e.UIPort)) }

// ProxyAddr is the host:port of service's proxy listener.
func (e Env) ProxyAddr(service string) string {
	return net.JoinHostPort(e.ProxyHost, strconv.Itoa(e.Ports[service]))
}

// RunDir is CLP_HOME/run, holding the pid file and the daemon log.
func (e Env) RunDir() string { return filepath.Join(e.Home, "run") }

// DataDir is CLP_HOME/data.
func (e Env) DataDir() string { return filepath.Join(e.Home, "data") }
