package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Request headers by which the harness tells the fake upstream what to send.
// CLP and the baseline proxies forward unknown headers unchanged.
const (
	hdrEvents    = "X-Bench-Events"     // SSE events to send; 0 means one JSON body
	hdrDelay     = "X-Bench-Delay"      // pause before each event after the first (Go duration)
	hdrEventSize = "X-Bench-Event-Size" // approximate bytes of each delta event
	hdrRespSize  = "X-Bench-Resp-Size"  // approximate bytes of a JSON response
)

// streamSpec describes one response of the fake upstream.
type streamSpec struct {
	Events    int
	Delay     time.Duration
	EventSize int
	RespSize  int
}

// set writes s into h as the request headers the upstream reads.
func (s streamSpec) set(h http.Header) {
	h.Set(hdrEvents, strconv.Itoa(s.Events))
	h.Set(hdrDelay, s.Delay.String())
	h.Set(hdrEventSize, strconv.Itoa(s.EventSize))
	h.Set(hdrRespSize, strconv.Itoa(s.RespSize))
}

// parseSpec reads a streamSpec from request headers; absent or bad values are
// zero.
func parseSpec(h http.Header) streamSpec {
	atoi := func(k string) int {
		n, _ := strconv.Atoi(h.Get(k))
		return max(n, 0)
	}
	d, _ := time.ParseDuration(h.Get(hdrDelay))
	return streamSpec{Events: atoi(hdrEvents), Delay: max(d, 0), EventSize: atoi(hdrEventSize), RespSize: atoi(hdrRespSize)}
}

// filler returns n bytes of JSON-safe text that looks like model output.
func filler(n int) string {
	const words = "the proxy forwards every event as it arrives and never buffers a stream "
	if n <= 0 {
		return ""
	}
	return strings.Repeat(words, n/len(words)+1)[:n]
}

// anthropicEvents renders the SSE events of one Anthropic Messages stream of
// s.Events events (at least 3), in the API's order: message_start,
// content_block_start, the text deltas, content_block_stop, message_delta
// with usage and message_stop; under 5 events, pings instead of the content
// block. The bytes depend only on s, so two runs can be compared.
func anthropicEvents(s streamSpec) [][]byte {
	n := max(s.Events, 3)
	out := make([][]byte, 0, n)
	out = append(out, []byte(`event: message_start
data: {"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"claude-bench","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1200,"cache_read_input_tokens":800,"cache_creation_input_tokens":0,"output_tokens":1}}}

`))
	if n < 5 {
		for range n - 3 {
			out = append(out, []byte("event: ping\ndata: {\"type\":\"ping\"}\n\n"))
		}
	} else {
		out = append(out, []byte("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"))
		text := filler(max(s.EventSize-110, 1))
		for i := 1; i <= n-5; i++ {
			out = append(out, fmt.Appendf(nil, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%d %s\"}}\n\n", i, text))
		}
		out = append(out, []byte("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"))
	}
	out = append(out, fmt.Appendf(nil, "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":%d}}\n\n", n*8))
	out = append(out, []byte("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
	return out
}

// anthropicJSON renders a non-streaming Messages response of about size bytes.
func anthropicJSON(size int) []byte {
	return fmt.Appendf(nil, `{"id":"msg_bench","type":"message","role":"assistant","model":"claude-bench","content":[{"type":"text","text":"%s"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1200,"cache_read_input_tokens":800,"cache_creation_input_tokens":0,"output_tokens":64}}`, filler(max(size-260, 1)))
}

// upstream is the fake API: Anthropic Messages on /v1/messages, OpenAI
// Responses on /v1/responses. It drains the request body and answers as the
// bench headers ask, flushing each SSE event on its own.
func upstream() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+apiPath(apiMessages), answer(anthropicEvents, anthropicJSON))
	mux.Handle("POST "+apiPath(apiResponses), answer(responsesEvents, responsesJSON))
	return mux
}

// answer serves one API: a JSON body from body, or the SSE events of
// events, each flushed on its own, the delay apart.
func answer(events func(streamSpec) [][]byte, body func(size int) []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			return
		}
		s := parseSpec(r.Header)
		if s.Events == 0 {
			b := body(s.RespSize)
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			w.Write(b)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		rc := http.NewResponseController(w)
		var t *time.Timer
		for i, ev := range events(s) {
			if i > 0 && s.Delay > 0 {
				if t == nil {
					t = time.NewTimer(s.Delay)
				} else {
					t.Reset(s.Delay)
				}
				select {
				case <-t.C:
				case <-r.Context().Done():
					return
				}
			}
			if _, err := w.Write(ev); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	})
}
