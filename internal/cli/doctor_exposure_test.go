package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/daemon"
	"github.com/clp-proxy/clp/internal/ui"
)

func TestExposureChecks(t *testing.T) {
	env := func(proxyHost, uiHost string) *app {
		e, err := api.LoadEnv(func(k string) string {
			return map[string]string{"CLP_HOME": t.TempDir(), "CLP_PROXY_HOST": proxyHost, "CLP_UI_HOST": uiHost}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(e.DataDir(), 0o700)
		return &app{env: e}
	}
	status := func(cs []check) string {
		var s []string
		for _, c := range cs {
			s = append(s, c.Status)
		}
		return strings.Join(s, " ")
	}

	if got := status(env("127.0.0.1", "127.0.0.1").exposureChecks(nil)); got != "ok" {
		t.Errorf("loopback: %s, want ok", got)
	}
	a := env("0.0.0.0", "127.0.0.1")
	if got := status(a.exposureChecks(nil)); got != "fail fail" {
		t.Errorf("proxies beyond loopback without keys: %s, want fail fail", got)
	}
	if _, err := daemon.CreateKey(daemon.KeysPath(a.env), "laptop", time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := status(a.exposureChecks(nil)); got != "ok ok" {
		t.Errorf("proxies with a client key: %s, want ok ok", got)
	}
	b := env("127.0.0.1", "0.0.0.0")
	if got := status(b.exposureChecks(nil)); got != "fail" {
		t.Errorf("UI beyond loopback without a password: %s, want fail", got)
	}
	h, err := ui.HashPassword("correct horse", 1000)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(h)
	os.WriteFile(filepath.Join(b.env.DataDir(), ui.AuthFile), data, 0o600)
	if got := status(b.exposureChecks(nil)); got != "ok" {
		t.Errorf("UI with a password: %s, want ok", got)
	}
}
