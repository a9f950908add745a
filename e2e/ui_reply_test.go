package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestUIReply sends a streamed answer with thinking, text and a tool call
// through the proxy and reads it back in the request detail, reassembled and
// raw; the request, larger than what the log keeps of it, says so.
func TestUIReply(t *testing.T) {
	transcript := strings.Join([]string{
		`{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","usage":{"input_tokens":12,"output_tokens":1}}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants the weather; "}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"call the tool."}}`,
		`{"type":"content_block_stop","index":0}`,
		`{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}`,
		`{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"I'll check "}}`,
		`{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"the weather."}}`,
		`{"type":"content_block_stop","index":1}`,
		`{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}`,
		`{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"San Fra"}}`,
		`{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"ncisco, CA\"}"}}`,
		`{"type":"content_block_stop","index":2}`,
		`{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":40}}`,
		`{"type":"message_stop"}`,
	}, "\n")
	var events []string
	for _, d := range strings.Split(transcript, "\n") {
		typ := d[len(`{"type":"`) : strings.Index(d[len(`{"type":"`):], `"`)+len(`{"type":"`)]
		events = append(events, "event: "+typ+"\ndata: "+d+"\n\n")
	}
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { writeEvents(w, events) })
	in := newInstance(t)
	in.writeFile("claude.json", configJSON(entry("alpha", up.URL, "auth_token", "sk-ant-SECRET-token-a-0001", true)))
	in.writeFile("data/system.json", `{"logBodyKB": 4}`)
	in.start()
	streamClaude(t, anthropicClient(in), "weather? "+strings.Repeat("please ", 2000))

	ctx, shots := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(in.uiURL()+"/requests"),
		chromedp.Click(`#requests tbody tr`, chromedp.NodeVisible),
		chromedp.WaitVisible(`#reply`)); err != nil {
		t.Fatalf("request detail: %v", err)
	}
	if err := waitText(ctx, "#reply .blk.text", "I'll check the weather."); err != nil {
		t.Error(err)
	}
	tool, err := chromedp.Run(ctx, chromedp.Text("#reply .blk.tool"))
	if err != nil {
		t.Fatal(err)
	}
	thinking, err := chromedp.Run(ctx, chromedp.TextContent("#reply .blk.thinking"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(thinking, "The user wants the weather; call the tool.") {
		t.Errorf("thinking block = %q", thinking)
	}
	if !strings.Contains(tool, "get_weather") || !strings.Contains(tool, `"location": "San Francisco, CA"`) {
		t.Errorf("tool call block = %q, want get_weather with its arguments", tool)
	}
	if err := waitText(ctx, "#body-sent-cut", "The log keeps the first 4 KB of 14 KB."); err != nil {
		t.Error(err)
	}
	if cut, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#response-cut") !== null`)); err != nil || cut {
		t.Errorf("the response, kept whole, is marked as cut (%v)", err)
	}
	shot(t, ctx, shots, "reply")
	if err := chromedp.Do(ctx, chromedp.Click("#view-raw"), chromedp.WaitVisible("#raw-response")); err != nil {
		t.Fatal(err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Text("#raw-response"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(raw, "event: content_block_delta") || !strings.Contains(raw, "input_json_delta") {
		t.Errorf("raw events view = %.200q, want the events as received", raw)
	}
	shot(t, ctx, shots, "reply-raw")
}
