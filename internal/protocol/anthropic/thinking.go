package anthropic

import (
	"bytes"
	"encoding/json"

	"github.com/clp-proxy/clp/internal/jsonscan"
)

// Repair implements protocol.Protocol. A conversation that moved between
// upstreams carries thinking blocks signed by the first one; another upstream
// rejects them with a 400 about an invalid signature. The repair drops the
// thinking and redacted_thinking blocks of earlier assistant turns — the
// model does not need its old reasoning to continue — and leaves every other
// byte of the body as it was.
func (Protocol) Repair(status int, respBody, reqBody []byte) ([]byte, bool) {
	if status != 400 || !bytes.Contains(respBody, []byte("signature")) || !bytes.Contains(respBody, []byte("thinking")) {
		return nil, false
	}
	start, end, ok := jsonscan.Field(reqBody, "messages")
	if !ok {
		return nil, false
	}
	var msgs []map[string]json.RawMessage
	if json.Unmarshal(reqBody[start:end], &msgs) != nil {
		return nil, false
	}
	removed := 0
	for _, m := range msgs {
		var role string
		if json.Unmarshal(m["role"], &role) != nil || role != "assistant" {
			continue
		}
		var blocks []json.RawMessage
		if json.Unmarshal(m["content"], &blocks) != nil {
			continue // a plain string has no thinking blocks
		}
		kept := blocks[:0]
		for _, b := range blocks {
			var head struct{ Type string }
			if json.Unmarshal(b, &head) == nil && (head.Type == "thinking" || head.Type == "redacted_thinking") {
				removed++
				continue
			}
			kept = append(kept, b)
		}
		if len(kept) < len(blocks) {
			m["content"], _ = json.Marshal(kept)
		}
	}
	if removed == 0 {
		return nil, false
	}
	enc, err := json.Marshal(msgs)
	if err != nil {
		return nil, false
	}
	out := make([]byte, 0, len(reqBody)-(end-start)+len(enc))
	out = append(append(append(out, reqBody[:start]...), enc...), reqBody[end:]...)
	return out, true
}
