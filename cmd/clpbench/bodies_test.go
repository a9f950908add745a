package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/clp-proxy/clp/internal/jsonscan"
)

// TestConversationBody: a conversation body is valid JSON with the model
// first and "stream" last (where CLP reads them), at least the size asked
// and at most a turn longer, holds the key once, in the first message,
// has escaped source code, and is the same on every call.
func TestConversationBody(t *testing.T) {
	for _, size := range []int{1 << 10, 100 << 10, 1 << 20} {
		b := bodyOf(bodyConversation, size, true)
		var v convRequest
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if len(b) < size || len(b) > size+8<<10 {
			t.Errorf("size %d: body is %d bytes", size, len(b))
		}
		if !bytes.HasPrefix(b, []byte(`{"model":"claude-sonnet-4-5",`)) || !bytes.HasSuffix(b, []byte(`"stream":true}`)) {
			t.Errorf("size %d: model not first or stream not last: %.60s … %s", size, b, b[len(b)-40:])
		}
		if got, ok := jsonscan.LastLiteral(b, "stream"); !ok || string(got) != "true" {
			t.Errorf("size %d: LastLiteral(stream) = %q, %v", size, got, ok)
		}
		if n := bytes.Count(b, []byte("sk-ant-api03-")); n != 1 {
			t.Errorf("size %d: %d keys, want 1", size, n)
		}
		if size >= 100<<10 {
			for _, esc := range []string{`\n`, `\t`, `\"`, `\\`, `<-`, `&&`} {
				if !bytes.Contains(b, []byte(esc)) {
					t.Errorf("size %d: no %s in the body", size, esc)
				}
			}
			if !strings.Contains(v.Messages[0].Content[0].Text, "sk-ant-api03-") {
				t.Errorf("size %d: the key is not in the first message", size)
			}
		}
		if !bytes.Equal(b, bodyOf(bodyConversation, size, true)) {
			t.Errorf("size %d: two calls gave different bodies", size)
		}
	}
	if b := bodyOf(bodyFiller, 2<<10, false); !bytes.Equal(b, requestBody(2<<10, false)) {
		t.Error("the filler kind is not requestBody")
	}
}

func TestBodyFlag(t *testing.T) {
	c, err := parseFlags(nil, io.Discard)
	if err != nil || c.Body != bodyFiller {
		t.Errorf("default: %q, %v; want filler", c.Body, err)
	}
	if c, err := parseFlags([]string{"-body", "conversation"}, io.Discard); err != nil || c.Body != bodyConversation {
		t.Errorf("-body conversation: %q, %v", c.Body, err)
	}
	if _, err := parseFlags([]string{"-body", "json"}, io.Discard); err == nil || !strings.Contains(err.Error(), "conversation") {
		t.Errorf("-body json: err %v, want one naming the kinds", err)
	}
}
