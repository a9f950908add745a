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
		b := bodyOf(apiMessages, bodyConversation, size, true)
		var v convRequest
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		checkBody(t, b, size, 8<<10, `{"model":"claude-sonnet-4-5",`)
		if !bytes.HasSuffix(b, []byte(`"stream":true}`)) {
			t.Errorf("size %d: stream not last: … %s", size, b[len(b)-40:])
		}
		if got, ok := jsonscan.LastLiteral(b, "stream"); !ok || string(got) != "true" {
			t.Errorf("size %d: LastLiteral(stream) = %q, %v", size, got, ok)
		}
		if size >= 100<<10 && !strings.Contains(v.Messages[0].Content[0].Text, "sk-ant-api03-") {
			t.Errorf("size %d: the key is not in the first message", size)
		}
		if !bytes.Equal(b, bodyOf(apiMessages, bodyConversation, size, true)) {
			t.Errorf("size %d: two calls gave different bodies", size)
		}
	}
	if b := bodyOf(apiMessages, bodyFiller, 2<<10, false); !bytes.Equal(b, requestBody(2<<10, false)) {
		t.Error("the filler kind is not requestBody")
	}
}

// TestResponsesBodies: the Responses bodies are valid JSON in Codex's
// shape and order (model first, "stream" after the input), hold the key
// once, in the first input item, and a conversation has reasoning blobs,
// shell calls and their escaped output.
func TestResponsesBodies(t *testing.T) {
	for _, kind := range []string{bodyFiller, bodyConversation} {
		for _, size := range []int{1 << 10, 100 << 10, 1 << 20} {
			b := bodyOf(apiResponses, kind, size, true)
			var v respRequest
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("%s %d: %v", kind, size, err)
			}
			slack := 10
			if kind == bodyConversation {
				slack = 8 << 10
			}
			checkBody(t, b, size, slack, `{"model":"gpt-5-codex","instructions":"`)
			if !v.Stream || v.Store || len(v.Include) != 1 {
				t.Errorf("%s %d: stream %v store %v include %v", kind, size, v.Stream, v.Store, v.Include)
			}
			if !strings.Contains(v.Input[0].Content[0].Text, "sk-ant-api03-") {
				t.Errorf("%s %d: the key is not in the first input item", kind, size)
			}
			if !bytes.Equal(b, bodyOf(apiResponses, kind, size, true)) {
				t.Errorf("%s %d: two calls gave different bodies", kind, size)
			}
			if kind != bodyConversation || size < 100<<10 {
				continue
			}
			types := map[string]int{}
			for _, it := range v.Input {
				types[it.Type]++
			}
			if types["reasoning"] == 0 || types["function_call"] != types["function_call_output"] || types["function_call"] != types["reasoning"] {
				t.Errorf("%s %d: input items %v", kind, size, types)
			}
			if !strings.HasPrefix(v.Input[1].EncryptedContent, "gAAAAA") {
				t.Errorf("%s %d: no encrypted reasoning in %+v", kind, size, v.Input[1])
			}
		}
	}
}

// checkBody checks what every bench body shares: it starts with prefix, is
// size to size+slack bytes, says "stream": true and holds the key once; a
// large conversation (slack over 1 KB) also has escaped source code.
func checkBody(t *testing.T, b []byte, size, slack int, prefix string) {
	t.Helper()
	if len(b) < size || len(b) > size+slack {
		t.Errorf("size %d: body is %d bytes", size, len(b))
	}
	if !bytes.HasPrefix(b, []byte(prefix)) {
		t.Errorf("size %d: body starts %.60s, want %s", size, b, prefix)
	}
	if s, e, ok := jsonscan.FirstField(b, "stream"); !ok || string(b[s:e]) != "true" {
		t.Errorf("size %d: stream is not true", size)
	}
	if n := bytes.Count(b, []byte("sk-ant-api03-")); n != 1 {
		t.Errorf("size %d: %d keys, want 1", size, n)
	}
	if size >= 100<<10 && slack > 1<<10 {
		for _, esc := range []string{`\n`, `\t`, `\"`, `\\`, `<-`, `&&`} {
			if !bytes.Contains(b, []byte(esc)) {
				t.Errorf("size %d: no %s in the body", size, esc)
			}
		}
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
	if c.API != apiMessages {
		t.Errorf("default API %q, want %s", c.API, apiMessages)
	}
	if c, err := parseFlags([]string{"-api", "responses"}, io.Discard); err != nil || c.API != apiResponses {
		t.Errorf("-api responses: %q, %v", c.API, err)
	}
	if _, err := parseFlags([]string{"-api", "chat"}, io.Discard); err == nil || !strings.Contains(err.Error(), "responses") {
		t.Errorf("-api chat: err %v, want one naming the APIs", err)
	}
}
