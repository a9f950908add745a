package setup

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Options says where the clients keep their files and where CLP listens.
type Options struct {
	// ClaudeDir holds Claude Code's settings.json: CLAUDE_CONFIG_DIR, else ~/.claude.
	ClaudeDir string
	// CodexHome holds Codex CLI's config.toml and auth.json: CODEX_HOME, else ~/.codex.
	CodexHome string
	// ClaudeURL is CLP's Claude listener as the client should reach it,
	// such as http://127.0.0.1:3210.
	ClaudeURL string
	// CodexURL is CLP's Codex listener, such as http://127.0.0.1:3211.
	CodexURL string
	// Now stamps backups; nil means time.Now.
	Now func() time.Time
}

// DefaultOptions derives Options from the environment as CLP and the clients
// read it: CLAUDE_CONFIG_DIR and CODEX_HOME (else ~/.claude and ~/.codex
// under home), and CLP_PROXY_HOST, CLP_CLAUDE_PORT and CLP_CODEX_PORT
// (else 127.0.0.1, 3210 and 3211). A proxy host that listens on every
// address (0.0.0.0, ::) is reached through 127.0.0.1.
func DefaultOptions(getenv func(string) string, home string) Options {
	or := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	host := strings.Trim(or("CLP_PROXY_HOST", "127.0.0.1"), "[]")
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return Options{
		ClaudeDir: or("CLAUDE_CONFIG_DIR", filepath.Join(home, ".claude")),
		CodexHome: or("CODEX_HOME", filepath.Join(home, ".codex")),
		ClaudeURL: "http://" + net.JoinHostPort(host, or("CLP_CLAUDE_PORT", "3210")),
		CodexURL:  "http://" + net.JoinHostPort(host, or("CLP_CODEX_PORT", "3211")),
		Now:       time.Now,
	}
}

// File is one client file a Change rewrites.
type File struct {
	// Path is the file as named from the Options directory.
	Path string
	// Old is the content Plan read; nil when Existed is false.
	Old []byte
	// New is the content Apply writes.
	New []byte
	// Existed is false when Apply creates the file.
	Existed bool
}

// Change is what Plan found to do for one client: the files whose content
// would change. A Change without Files means the client is already set up,
// and Apply does nothing (no backup either).
type Change struct {
	// Client is "claude" or "codex".
	Client string
	// Files lists the files Apply writes, in a fixed order.
	Files []File
	// Backup is the directory Apply saved the previous contents in; empty
	// until Apply has written one.
	Backup string

	dir string // the client's directory, home of the backups
	now func() time.Time
}

// UpToDate reports whether the client is already set up.
func (c *Change) UpToDate() bool { return len(c.Files) == 0 }

// Diff returns a unified diff of every file the Change rewrites, with three
// lines of context; a file Apply creates is shown against /dev/null. It is
// for people to read (--dry-run); the text holds the files' lines as they
// are, credentials included, so print it only to the user who owns them.
func (c *Change) Diff() string {
	var b strings.Builder
	for _, f := range c.Files {
		from := f.Path
		if !f.Existed {
			from = "/dev/null"
		}
		b.WriteString(unifiedDiff(from, f.Path, f.Old, f.New))
	}
	return b.String()
}

// clientFile is one file setup manages and how it edits it.
type clientFile struct {
	name string
	edit func(path string, src []byte) ([]byte, error)
}

// clientFiles returns the client's directory and files. The edit functions
// use opt's URLs, which only Plan checks.
func clientFiles(client string, opt Options) (string, []clientFile, error) {
	switch client {
	case "claude":
		if opt.ClaudeDir == "" {
			return "", nil, errors.New("no Claude config directory given")
		}
		return opt.ClaudeDir, []clientFile{
			{name: claudeSettingsFile, edit: func(p string, src []byte) ([]byte, error) {
				return editClaudeSettings(p, src, opt.ClaudeURL)
			}},
		}, nil
	case "codex":
		if opt.CodexHome == "" {
			return "", nil, errors.New("no Codex home directory given")
		}
		return opt.CodexHome, []clientFile{
			{name: codexConfigFile, edit: func(p string, src []byte) ([]byte, error) {
				return editCodexConfig(p, src, opt.CodexURL)
			}},
			{name: codexAuthFile, edit: editCodexAuth},
		}, nil
	}
	return "", nil, fmt.Errorf("unknown client %q: want claude or codex", client)
}

// checkURL accepts an absolute http or https URL with a host.
func checkURL(what, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid %s URL %q: want http://host:port", what, raw)
	}
	return nil
}

// Plan reads the client's files ("claude" or "codex") and computes what setup
// would write, touching nothing. A missing file is planned as a new one. A
// file that does not parse, or whose shape setup cannot edit safely, is a
// *ParseError with its line and column, and nothing is planned.
func Plan(client string, opt Options) (*Change, error) {
	dir, files, err := clientFiles(client, opt)
	if err != nil {
		return nil, err
	}
	switch client {
	case "claude":
		err = checkURL("Claude", opt.ClaudeURL)
	case "codex":
		err = checkURL("Codex", opt.CodexURL)
	}
	if err != nil {
		return nil, err
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	c := &Change{Client: client, dir: dir, now: now}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		old, err := os.ReadFile(path)
		existed := err == nil
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read client file: %w", err)
		}
		if !existed {
			old = nil
		}
		next, err := f.edit(path, old)
		if err != nil {
			return nil, err
		}
		if existed && bytes.Equal(old, next) {
			continue
		}
		c.Files = append(c.Files, File{Path: path, Old: old, New: next, Existed: existed})
	}
	return c, nil
}
