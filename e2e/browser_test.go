package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// browser starts headless Chromium and returns a tab context. Screenshots go
// to $CLP_SCREENSHOTS when set, else to a temporary directory.
func browser(t *testing.T) (context.Context, string) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("%s is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does this)", chromiumPath)
	}
	shots := os.Getenv("CLP_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1360, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	return ctx, shots
}

func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100 makes a PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitText waits until the text of sel is want.
func waitText(ctx context.Context, sel, want string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var last string
	var lastErr error
	for {
		got, err := chromedp.Run(ctx, chromedp.Text(sel, chromedp.NodeVisible))
		if err == nil && strings.TrimSpace(got) == want {
			return nil
		}
		last, lastErr = got, err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: text %q, want %q (%v)", sel, last, want, lastErr)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestBrowserUI(t *testing.T) {
	mk := func(name string) *upstream {
		return newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			writeEvents(w, anthropicEvents("claude-sonnet-4-5", "from "+name))
		})
	}
	a, b := mk("A"), mk("B")
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(
		entry("alpha", a.URL, "auth_token", "sk-ant-SECRET-token-a-0001", true),
		entry("beta", b.URL, "api_key", "sk-ant-SECRET-key-b-000001", false)))
	in.start()
	ctx, shots := browser(t)

	pages := []struct{ path, title string }{
		{"/", "Overview"}, {"/configs", "Configs"}, {"/requests", "Requests"}, {"/usage", "Usage & cost"},
		{"/balance", "Load balancing"}, {"/routing", "Model routing"}, {"/filter", "Filter"}, {"/settings", "Settings"},
	}
	for _, p := range pages {
		if err := chromedp.Do(ctx, chromedp.Navigate(in.uiURL()+p.path)); err != nil {
			t.Fatalf("open %s: %v", p.path, err)
		}
		if err := waitText(ctx, ".page h1", p.title); err != nil {
			t.Fatalf("page %s: %v", p.path, err)
		}
		time.Sleep(300 * time.Millisecond) // let data requests land before the screenshot
		shot(t, ctx, shots, "page"+strings.ReplaceAll(p.path, "/", "-"))
		html, err := chromedp.Run(ctx, chromedp.OuterHTML("main"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(html, "SECRET") {
			t.Errorf("page %s shows a credential in full", p.path)
		}
	}

	// Switch the active config by clicking, then the next request goes to it.
	if err := chromedp.Do(ctx, chromedp.Navigate(in.uiURL()+"/"),
		chromedp.Click(`#svc-claude button[data-config="beta"]`, chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	if err := waitText(ctx, "#svc-claude .active-name", "beta"); err != nil {
		t.Fatal(err)
	}
	if text, _ := streamClaude(t, anthropicClient(in), "hello"); text != "from B" {
		t.Fatalf("after switching in the UI the request answered %q, want from B", text)
	}
	if n := len(a.requests()); n != 0 {
		t.Errorf("alpha saw %d requests after the switch, want 0", n)
	}

	// The request shows up in the live feed without a reload, then in detail.
	row := `#live-feed tr[data-id]`
	if err := chromedp.Do(ctx, chromedp.WaitVisible(row)); err != nil {
		t.Fatalf("live feed: %v", err)
	}
	feed, err := chromedp.Run(ctx, chromedp.Text("#live-feed"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(feed, "beta") {
		t.Errorf("live feed = %q, want the request through beta", feed)
	}
	shot(t, ctx, shots, "overview-live")
	if err := chromedp.Do(ctx, chromedp.Navigate(in.uiURL()+"/requests"),
		chromedp.Click(`#requests tbody tr`, chromedp.NodeVisible),
		chromedp.WaitVisible(`#detail-tokens`)); err != nil {
		t.Fatalf("request detail: %v", err)
	}
	tokens, err := chromedp.Run(ctx, chromedp.Text("#detail-tokens"))
	if err != nil {
		t.Fatal(err)
	}
	if tokens == "" || tokens == "unknown" || tokens == "0" {
		t.Errorf("detail tokens = %q, want the request's usage", tokens)
	}
	if err := waitText(ctx, "#reply .blk.text", "from B"); err != nil {
		t.Errorf("the response reassembled from the stream: %v", err)
	}
	shot(t, ctx, shots, "request-detail")

	// Switch language: every page title turns Chinese, and it sticks.
	if err := chromedp.Do(ctx, chromedp.Navigate(in.uiURL()+"/"), chromedp.Click("#lang-zh", chromedp.NodeVisible)); err != nil {
		t.Fatal(err)
	}
	if err := waitText(ctx, ".page h1", "概览"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(in.uiURL()+"/usage")); err != nil {
		t.Fatal(err)
	}
	if err := waitText(ctx, ".page h1", "用量与费用"); err != nil {
		t.Fatalf("language did not stick across a reload: %v", err)
	}
	shot(t, ctx, shots, "usage-zh")
	if err := chromedp.Do(ctx, chromedp.Navigate(in.uiURL()+"/"), chromedp.Sleep(500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, shots, "overview-zh")
}
