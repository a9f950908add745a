package daemon

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"

	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/ui"
)

// uiOptions returns the UI's security settings and writes a new CLI token
// to CLP_HOME/run/ui_token (0600), which the CLI's client sends in
// ui.TokenHeader. Call it once, when the listeners are bound. When the
// token cannot be written the CLI can still reach a loopback UI; a UI that
// requires a login then only accepts browser sessions.
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
		Password:     func() (ui.PasswordHash, error) { return ui.ReadPasswordFile(authPath) },
	}
}
