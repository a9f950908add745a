package anthropic

import (
	"encoding/json"
	"strings"
	"testing"
)

const signatureError = `{"type":"error","error":{"type":"invalid_request_error","message":"messages.1.content.0: Invalid ` + "`signature`" + ` in ` + "`thinking`" + ` block"}}`

func TestRepairDropsEarlierThinkingBlocks(t *testing.T) {
	body := `{"model":"claude-sonnet-4-5", "messages":[` +
		`{"role":"user","content":"hi"},` +
		`{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig-from-A"},{"type":"redacted_thinking","data":"x"},{"type":"text","text":"hello"}]},` +
		`{"role":"user","content":[{"type":"text","text":"thinking about signature"}]}` +
		`],"stream":true}`
	out, ok := Protocol{}.Repair(400, []byte(signatureError), []byte(body))
	if !ok {
		t.Fatal("Repair did not fix a thinking-signature error")
	}
	var got struct {
		Model    string
		Stream   bool
		Messages []struct {
			Role    string
			Content json.RawMessage
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("repaired body is not JSON: %v\n%s", err, out)
	}
	if got.Model != "claude-sonnet-4-5" || !got.Stream || len(got.Messages) != 3 {
		t.Fatalf("repaired body lost fields: %s", out)
	}
	a := string(got.Messages[1].Content)
	if strings.Contains(a, "thinking") || !strings.Contains(a, `"text":"hello"`) {
		t.Errorf("assistant content = %s, want only the text block", a)
	}
	if u := string(got.Messages[2].Content); !strings.Contains(u, "thinking about signature") {
		t.Errorf("user content changed: %s", u)
	}
	if !strings.HasPrefix(string(out), `{"model":"claude-sonnet-4-5", "messages":`) || !strings.HasSuffix(string(out), `,"stream":true}`) {
		t.Errorf("bytes outside messages changed: %s", out)
	}
}

func TestRepairLeavesOtherErrorsAlone(t *testing.T) {
	withThinking := `{"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"x","signature":"s"}]}]}`
	for _, tt := range []struct {
		name   string
		status int
		resp   string
		body   string
	}{
		{"other 400", 400, `{"type":"error","error":{"message":"max_tokens too large"}}`, withThinking},
		{"500", 500, signatureError, withThinking},
		{"nothing to drop", 400, signatureError, `{"messages":[{"role":"assistant","content":"plain"}]}`},
		{"no messages", 400, signatureError, `{"model":"m"}`},
		{"not JSON", 400, signatureError, `not json`},
	} {
		if _, ok := (Protocol{}).Repair(tt.status, []byte(tt.resp), []byte(tt.body)); ok {
			t.Errorf("%s: Repair claimed a fix", tt.name)
		}
	}
}
