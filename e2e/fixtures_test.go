package e2e

import (
	"fmt"
	"strings"
)

// anthropicEvents is a Messages stream answering text in pieces, shaped as
// the public API documents it (message_start … message_stop).
func anthropicEvents(model string, pieces ...string) []string {
	ev := func(name, data string) string { return "event: " + name + "\ndata: " + data + "\n\n" }
	out := []string{
		ev("message_start", fmt.Sprintf(`{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":%q,"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":100,"output_tokens":1}}}`, model)),
		ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
		ev("ping", `{"type": "ping"}`),
	}
	for _, p := range pieces {
		out = append(out, ev("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":%q}}`, p)))
	}
	out = append(out,
		ev("content_block_stop", `{"type":"content_block_stop","index":0}`),
		ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}`),
		ev("message_stop", `{"type":"message_stop"}`),
	)
	return out
}

// responsesEvents is a Responses API stream answering text in pieces.
func responsesEvents(model string, pieces ...string) []string {
	seq := 0
	ev := func(name, data string) string {
		seq++
		data = strings.Replace(data, "{", fmt.Sprintf(`{"sequence_number":%d,`, seq), 1)
		return "event: " + name + "\ndata: " + data + "\n\n"
	}
	resp := func(status, output, usage string) string {
		return fmt.Sprintf(`{"id":"resp_1","object":"response","created_at":1700000000,"status":%q,"model":%q,"output":[%s],"usage":%s,"parallel_tool_calls":true,"tool_choice":"auto","tools":[],"temperature":1,"top_p":1,"metadata":{},"error":null,"incomplete_details":null,"instructions":null}`, status, model, output, usage)
	}
	full := strings.Join(pieces, "")
	msg := fmt.Sprintf(`{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":%q,"annotations":[]}]}`, full)
	out := []string{
		ev("response.created", `{"type":"response.created","response":`+resp("in_progress", "", "null")+`}`),
		ev("response.output_item.added", `{"type":"response.output_item.added","output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}`),
		ev("response.content_part.added", `{"type":"response.content_part.added","item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}`),
	}
	for _, p := range pieces {
		out = append(out, ev("response.output_text.delta", fmt.Sprintf(`{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":%q,"logprobs":[]}`, p)))
	}
	out = append(out,
		ev("response.output_text.done", fmt.Sprintf(`{"type":"response.output_text.done","item_id":"msg_1","output_index":0,"content_index":0,"text":%q,"logprobs":[]}`, full)),
		ev("response.output_item.done", `{"type":"response.output_item.done","output_index":0,"item":`+msg+`}`),
		ev("response.completed", `{"type":"response.completed","response":`+resp("completed", msg, `{"input_tokens":40,"input_tokens_details":{"cached_tokens":30},"output_tokens":12,"output_tokens_details":{"reasoning_tokens":4},"total_tokens":52}`)+`}`),
	)
	return out
}
