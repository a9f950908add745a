package e2e

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// clpStdin runs the binary with stdin and fails the test unless it exits 0.
func (in *instance) clpStdin(stdin string, args ...string) string {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, clpBin, args...)
	cmd.Env = in.env
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		in.t.Fatalf("clp %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// TestUILogin runs a daemon whose UI listens beyond loopback: the API
// refuses requests without a login, the CLI still works through its token,
// and the browser signs in with the password set by `clp ui password`.
func TestUILogin(t *testing.T) {
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		writeEvents(w, anthropicEvents("claude-sonnet-4-5", "hi"))
	})
	in := newInstance(t)
	in.env = append(in.env, "CLP_UI_HOST=0.0.0.0", "CLP_UI_ALLOWED_HOSTS=clp.example.test, other.test")
	in.writeFile("claude.json", configJSON(entry("alpha", up.URL, "auth_token", "sk-ant-SECRET-token-a-0001", true)))
	out := in.clpStdin("correct horse battery", "ui", "password")
	if !strings.Contains(out, "UI password set") {
		t.Fatalf("clp ui password: %s", out)
	}
	authPath := filepath.Join(in.home, "data", "ui_auth.json")
	fi, err := os.Stat(authPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("ui_auth.json: %v, mode %v; want 0600", err, fi.Mode())
	}
	if data, _ := os.ReadFile(authPath); bytes.Contains(data, []byte("correct horse")) {
		t.Fatalf("ui_auth.json holds the password: %s", data)
	}
	in.start()

	tok, err := os.Stat(filepath.Join(in.home, "run", "ui_token"))
	if err != nil || tok.Mode().Perm() != 0o600 {
		t.Fatalf("run/ui_token: %v; want mode 0600", err)
	}
	if out := in.mustCLP("status"); !strings.Contains(out, "alpha") {
		t.Errorf("clp status through the token:\n%s", out)
	}
	in.mustCLP("active", "claude", "alpha")

	for _, tt := range []struct {
		host string
		want int
	}{
		{"", http.StatusUnauthorized},
		{"clp.example.test", http.StatusUnauthorized},
		{"rebind.example", http.StatusForbidden},
	} {
		req, _ := http.NewRequest("GET", in.uiURL()+"/api/v1/status", nil)
		if tt.host != "" {
			req.Host = tt.host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("GET /api/v1/status with Host %q = %d, want %d", tt.host, resp.StatusCode, tt.want)
		}
	}

	ctx, shots := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(in.uiURL()+"/configs"), chromedp.WaitVisible("#login-pw")); err != nil {
		t.Fatalf("login form: %v", err)
	}
	shot(t, ctx, shots, "login")
	if err := chromedp.Do(ctx, chromedp.SendKeys("#login-pw", "wrong horse"), chromedp.Click("#login-btn")); err != nil {
		t.Fatal(err)
	}
	if err := waitText(ctx, "#login-err", "Wrong password."); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, shots, "login-wrong")
	if err := chromedp.Do(ctx, chromedp.SendKeys("#login-pw", "correct horse battery"), chromedp.Click("#login-btn")); err != nil {
		t.Fatal(err)
	}
	if err := waitText(ctx, ".page h1", "Configs"); err != nil {
		t.Fatalf("after login: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`//td/b[text()="alpha"]`)); err != nil {
		t.Fatalf("configs after login: %v", err)
	}
	shot(t, ctx, shots, "login-done")
	cookieJS, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cookieJS, "clp_session") {
		t.Errorf("the session cookie is readable from JavaScript: %q", cookieJS)
	}
	if err := chromedp.Do(ctx, chromedp.Click("#logout", chromedp.NodeVisible), chromedp.WaitVisible("#login-pw")); err != nil {
		t.Fatalf("logout: %v", err)
	}
}
