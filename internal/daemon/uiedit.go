package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/ui"
)

var (
	_ ui.ConfigEditor = (*Daemon)(nil)
	_ ui.RulesEditor  = (*Daemon)(nil)
)

// AddConfig implements ui.ConfigEditor.
func (d *Daemon) AddConfig(service, name string, c config.EntryChange) error {
	return d.edited(config.AddEntry(d.env.Home, service, name, c))
}

// EditConfig implements ui.ConfigEditor: the fields first, then the name,
// so a bad field leaves the name as it was.
func (d *Daemon) EditConfig(service, name, newName string, c config.EntryChange) error {
	if c != (config.EntryChange{}) {
		if err := config.EditEntry(d.env.Home, service, name, c); err != nil {
			return d.edited(err)
		}
	}
	if newName != "" && newName != name {
		return d.edited(d.renameConfig(service, name, newName))
	}
	return d.edited(nil)
}

// RemoveConfig implements ui.ConfigEditor.
func (d *Daemon) RemoveConfig(service, name string) error {
	return d.edited(config.RemoveEntry(d.env.Home, service, name))
}

// Rules implements ui.RulesEditor.
func (d *Daemon) Rules(kind string) (json.RawMessage, error) {
	doc, err := config.ReadRules(d.env.Home, kind)
	if errors.Is(err, config.ErrInvalidRules) {
		return nil, ui.Invalid(err)
	}
	return doc, err
}

// SetRules implements ui.RulesEditor.
func (d *Daemon) SetRules(kind string, doc []byte) error {
	return d.edited(config.WriteRules(d.env.Home, kind, doc))
}

// edited finishes a write from the UI: on success it reloads, so the next
// request sees the change, and tells open pages to refetch. An error that
// is not about a missing name, a taken name, or the disk is the request's
// fault (a bad URL, an empty name…) and is marked ui.Invalid.
func (d *Daemon) edited(err error) error {
	if err == nil {
		d.reload()
		d.feed.publish(api.Event{Type: api.EventStatusChanged})
		return nil
	}
	var pe *fs.PathError
	switch {
	case errors.Is(err, config.ErrUnknownConfig), errors.Is(err, config.ErrUnknownService),
		errors.Is(err, config.ErrConfigExists), errors.Is(err, config.ErrInvalidRules),
		errors.As(err, &pe):
		return err
	}
	return ui.Invalid(err)
}

// uiOptions returns the UI's security settings and writes a new CLI token
// to CLP_HOME/run/ui_token (0600), which the CLI's client sends in
// ui.TokenHeader. Call it once, when the listeners are bound. When the
// token cannot be written the CLI can still reach a loopback UI; a UI that
// requires a login then only accepts browser sessions.
// MetricsTokenEnv names a fixed token that GET /metrics accepts as a Bearer
// token (ui.Options.MetricsToken), for a scraper of a UI beyond loopback.
const MetricsTokenEnv = "CLP_METRICS_TOKEN"

func (d *Daemon) uiOptions() ui.Options {
	var b [32]byte
	rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	if err := config.WriteFile(filepath.Join(d.env.RunDir(), ui.TokenFile), []byte(tok+"\n"), 0o600); err != nil {
		d.log.Warn("write the CLI token; the CLI can only reach a loopback UI", "err", err)
		tok = ""
	}
	var allowed []string
	for _, h := range strings.Split(os.Getenv("CLP_UI_ALLOWED_HOSTS"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			allowed = append(allowed, h)
		}
	}
	authPath := filepath.Join(d.env.DataDir(), ui.AuthFile)
	return ui.Options{
		ListenHost:   d.env.UIHost,
		AllowedHosts: allowed,
		Token:        tok,
		MetricsToken: strings.TrimSpace(os.Getenv(MetricsTokenEnv)),
		Password:     func() (ui.PasswordHash, error) { return ui.ReadPasswordFile(authPath) },
	}
}
