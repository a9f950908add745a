package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// setField sets the value of the input or select sel and fires event
// ("input" or "change"), as a person typing or choosing would.
func setField(sel, value, event string) chromedp.Action[chromedp.Void] {
	js := `(() => { const e = document.querySelector(` + jsString(sel) + `); e.value = ` + jsString(value) +
		`; e.dispatchEvent(new Event(` + jsString(event) + `, {bubbles: true})); return true })()`
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](js)(ctx, t)
		return chromedp.Void{}, err
	}
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

// readJSON decodes a file under CLP_HOME.
func (in *instance) readJSON(rel string, v any) {
	in.t.Helper()
	data, err := os.ReadFile(filepath.Join(in.home, rel))
	if err != nil {
		in.t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		in.t.Fatalf("%s: %v\n%s", rel, err, data)
	}
}

// waitFile waits until the file under CLP_HOME satisfies ok.
func (in *instance) waitFile(rel string, ok func(string) bool) string {
	in.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, _ := os.ReadFile(filepath.Join(in.home, rel))
		if ok(string(data)) {
			return string(data)
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("%s never became as expected:\n%s", rel, data)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestUIEdit adds, edits, switches to and deletes a config, and edits the
// balancing, routing and filter rules from the browser; each change shows in
// the files and in the next proxied request.
func TestUIEdit(t *testing.T) {
	mk := func(name string) *upstream {
		return newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
			writeEvents(w, anthropicEvents("claude-sonnet-4-5", "from "+name))
		})
	}
	a, c := mk("A"), mk("C")
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("alpha", a.URL, "auth_token", "sk-ant-SECRET-token-a-0001", true)))
	in.start()
	ctx, shots := browser(t)
	run := func(what string, acts ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, acts...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Add a config.
	run("open configs", chromedp.Navigate(in.uiURL()+"/configs"), chromedp.Click("#add-claude", chromedp.NodeVisible))
	run("fill the form",
		chromedp.SendKeys(`#config-form-claude input[name=name]`, "gamma"),
		chromedp.SendKeys(`#config-form-claude input[name=base_url]`, c.URL),
		setField(`#config-form-claude select[name=kind]`, "api_key", "change"),
		chromedp.SendKeys(`#config-form-claude input[name=credential]`, "sk-ant-SECRET-key-gamma-42"),
		setField(`#config-form-claude input[name=weight]`, "2", "input"))
	shot(t, ctx, shots, "config-add")
	run("save", chromedp.Click(`#config-form-claude button[name=save]`), chromedp.WaitVisible(`tr[data-config="gamma"]`))
	var files map[string]map[string]any
	in.readJSON("claude.json", &files)
	if g := files["gamma"]; g["base_url"] != c.URL || g["api_key"] != "sk-ant-SECRET-key-gamma-42" || g["weight"] != 2.0 {
		t.Fatalf("claude.json gamma = %v", g)
	}
	html, _ := chromedp.Run(ctx, chromedp.OuterHTML("main"))
	if strings.Contains(html, "SECRET") {
		t.Errorf("the configs page shows a credential in full")
	}

	// Switch to it from the configs page: the next request goes to it.
	// The file is written before the daemon has reloaded it; the "In use" pill
	// appears when the API call returned, that is once the switch is applied.
	run("use gamma", chromedp.Click(`tr[data-config="gamma"] button.primary`, chromedp.NodeVisible),
		chromedp.WaitVisible(`tr[data-config="gamma"] .pill.sp`))
	in.waitFile("claude.json", func(s string) bool { return strings.Contains(s, `"active": true`) && activeIs(s, "gamma") })
	if text, _ := streamClaude(t, anthropicClient(in), "hello"); text != "from C" {
		t.Fatalf("after switching to the added config the request answered %q, want from C", text)
	}

	// Edit: rename and reweigh, credential left empty keeps the stored one.
	run("edit gamma", chromedp.Click(`tr[data-config="gamma"] button[name=edit]`, chromedp.NodeVisible),
		setField(`#config-form-claude input[name=name]`, "delta", "input"),
		setField(`#config-form-claude input[name=weight]`, "5", "input"),
		chromedp.Click(`#config-form-claude button[name=save]`),
		chromedp.WaitVisible(`tr[data-config="delta"]`))
	files = nil
	in.readJSON("claude.json", &files)
	if d := files["delta"]; d == nil || d["weight"] != 5.0 || d["api_key"] != "sk-ant-SECRET-key-gamma-42" || files["gamma"] != nil {
		t.Fatalf("after the edit claude.json = %v", files)
	}

	// Say the stored credential is an auth token, not an API key: it moves
	// to auth_token and goes out as a Bearer token from the next request.
	run("change the credential kind", chromedp.Click(`tr[data-config="delta"] button[name=edit]`, chromedp.NodeVisible),
		setField(`#config-form-claude select[name=kind]`, "auth_token", "change"),
		chromedp.Click(`#config-form-claude button[name=save]`),
		chromedp.WaitVisible(`tr[data-config="delta"]`))
	files = nil
	in.readJSON("claude.json", &files)
	if d := files["delta"]; d["auth_token"] != "sk-ant-SECRET-key-gamma-42" || d["api_key"] != "" {
		t.Fatalf("after changing the kind, delta = %v; want the key moved to auth_token and api_key emptied", d)
	}
	streamClaude(t, anthropicClient(in), "hello")
	if h := c.last(t).Header; h.Get("Authorization") != "Bearer sk-ant-SECRET-key-gamma-42" || h.Get("X-Api-Key") != "" {
		t.Errorf("after changing the kind the upstream got Authorization %q, x-api-key %q", h.Get("Authorization"), h.Get("X-Api-Key"))
	}

	// Delete alpha, with the in-place confirmation.
	run("delete alpha", chromedp.Click(`tr[data-config="alpha"] button.del`, chromedp.NodeVisible),
		chromedp.Click(`tr[data-config="alpha"] button.danger`, chromedp.NodeVisible),
		chromedp.WaitNotPresent(`tr[data-config="alpha"]`))
	files = nil
	in.readJSON("claude.json", &files)
	if files["alpha"] != nil || files["delta"] == nil {
		t.Fatalf("after the delete claude.json = %v", files)
	}
	shot(t, ctx, shots, "configs-edited")

	// Balancing mode and failover.
	run("balance", chromedp.Navigate(in.uiURL()+"/balance"), chromedp.WaitVisible("#mode-claude"),
		setField("#mode-claude", "weighted-round-robin", "change"),
		chromedp.Click("#balance-save button.primary"))
	lb := in.waitFile("data/lb_config.json", func(s string) bool { return strings.Contains(s, "weighted-round-robin") })
	var lbDoc struct {
		Services map[string]struct {
			Mode     string
			Failover *bool
		}
	}
	json.Unmarshal([]byte(lb), &lbDoc)
	if s := lbDoc.Services["claude"]; s.Mode != "weighted-round-robin" {
		t.Errorf("lb_config.json = %s", lb)
	}
	shot(t, ctx, shots, "balance-edit")

	// Routing: a model-mapping rule applies to the next request.
	run("routing", chromedp.Navigate(in.uiURL()+"/routing"), chromedp.WaitVisible("#route-mode"),
		setField("#route-mode", "model-mapping", "change"),
		chromedp.Click("#model-mappings .add-row"),
		chromedp.SendKeys(`#model-mappings input[name=source]`, "claude-sonnet-*"),
		chromedp.SendKeys(`#model-mappings input[name=target]`, "glm-4.6"),
		chromedp.Click("#routing-save button.primary"))
	if err := waitText(ctx, "#routing-save span.muted", "Saved: applies to the next request."); err != nil {
		t.Fatal(err)
	}
	in.waitFile("data/model_router_config.json", func(s string) bool { return strings.Contains(s, "glm-4.6") })
	shot(t, ctx, shots, "routing-edit")
	streamClaude(t, anthropicClient(in), "hello")
	if body := string(c.last(t).Body); !strings.Contains(body, `"glm-4.6"`) {
		t.Errorf("after the routing rule the upstream got %s, want model glm-4.6", body)
	}

	// A filter rule applies to the "try it" box and to the next request.
	run("filter", chromedp.Navigate(in.uiURL()+"/filter"), chromedp.WaitVisible("#filter-rules .add-row"),
		chromedp.Click("#filter-rules .add-row"),
		chromedp.SendKeys(`#filter-rules input[name=source]`, "hunter2"),
		setField(`#filter-rules input[name=target]`, "[PW]", "input"),
		chromedp.Click("#filter-save button.primary"))
	if err := waitText(ctx, "#filter-save span.muted", "Saved: applies to the next request."); err != nil {
		t.Fatal(err)
	}
	in.waitFile("filter.json", func(s string) bool { return strings.Contains(s, "[PW]") })
	run("try it", chromedp.SendKeys("#filter-in", "my password is hunter2"))
	if err := waitText(ctx, ".card pre.code", "my password is [PW]"); err != nil {
		t.Error(err)
	}
	shot(t, ctx, shots, "filter-edit")
	streamClaude(t, anthropicClient(in), "my password is hunter2")
	if body := string(c.last(t).Body); strings.Contains(body, "hunter2") || !strings.Contains(body, "[PW]") {
		t.Errorf("after the filter rule the upstream got %s", body)
	}

	// The request detail marks the replacement in the body as sent, with the
	// rule and a masked preview, never the secret.
	// The log is written in batches: wait for this request's record.
	var id int64
	for deadline := time.Now().Add(15 * time.Second); id == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, r := range in.logs(t, 1) {
			if r.Redactions["rule 1"] > 0 {
				id = r.ID
			}
		}
	}
	if id == 0 {
		t.Fatal("the redacted request never reached the log")
	}
	run("redaction marks", chromedp.Navigate(fmt.Sprintf("%s/requests/%d", in.uiURL(), id)),
		chromedp.WaitVisible("#body-sent mark.redacted"))
	if err := waitText(ctx, "#body-sent mark.redacted", "[PW]"); err != nil {
		t.Error(err)
	}
	title, err := chromedp.Run(ctx, chromedp.AttributeValue("#body-sent mark.redacted", "title"))
	if err != nil || !title.Exists || !strings.Contains(title.Value, "rule 1") || strings.Contains(title.Value, "hunter2") {
		t.Errorf("mark title = %+v (%v), want the rule and a masked preview", title, err)
	}
	shot(t, ctx, shots, "redaction-marks")
}

// activeIs reports whether config name is the one marked active in a
// service file.
func activeIs(file, name string) bool {
	var m map[string]map[string]any
	if json.Unmarshal([]byte(file), &m) != nil {
		return false
	}
	return m[name]["active"] == true
}
