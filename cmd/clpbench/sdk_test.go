package main

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
)

// specOptions are the bench headers of spec as request options.
func specOptions[O any](spec streamSpec, header func(k, v string) O) []O {
	return []O{
		header(hdrEvents, strconv.Itoa(spec.Events)),
		header(hdrDelay, spec.Delay.String()),
		header(hdrEventSize, strconv.Itoa(spec.EventSize)),
		header(hdrRespSize, strconv.Itoa(spec.RespSize)),
	}
}

// TestUpstreamSpeaksMessages: the official Anthropic SDK reads the fake
// upstream's stream and JSON answer as it reads the real API's: every
// event decodes and accumulates, and usage arrives.
func TestUpstreamSpeaksMessages(t *testing.T) {
	srv := httptest.NewServer(upstream())
	defer srv.Close()
	c := anthropic.NewClient(aoption.WithBaseURL(srv.URL), aoption.WithAPIKey("k"), aoption.WithMaxRetries(0))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	params := anthropic.MessageNewParams{Model: "claude-sonnet-4-5", MaxTokens: 1024,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))}}

	for _, events := range []int{3, 4, 12} {
		spec := streamSpec{Events: events, EventSize: 200}
		stream := c.Messages.NewStreaming(ctx, params, specOptions(spec, aoption.WithHeader)...)
		var msg anthropic.Message
		n := 0
		for stream.Next() {
			n++
			if err := msg.Accumulate(stream.Current()); err != nil {
				t.Fatalf("%d events: event %d: %v", events, n, err)
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		want := events
		if events < 5 {
			want = 3 // the SDK does not hand out pings
		}
		if n != want || msg.Usage.OutputTokens != int64(8*events) || msg.Usage.InputTokens != 1200 || msg.StopReason != "end_turn" {
			t.Errorf("%d events: got %d, usage %+v, stop %q", events, n, msg.Usage, msg.StopReason)
		}
		if blocks := len(msg.Content); (events >= 5) != (blocks == 1) || blocks == 1 && !strings.HasPrefix(msg.Content[0].Text, "1 the proxy") {
			t.Errorf("%d events: content %+v", events, msg.Content)
		}
	}

	m, err := c.Messages.New(ctx, params, specOptions(streamSpec{RespSize: 2048}, aoption.WithHeader)...)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Content) != 1 || len(m.Content[0].Text) < 1500 || m.Usage.OutputTokens != 64 {
		t.Errorf("JSON answer: %d blocks, usage %+v", len(m.Content), m.Usage)
	}
}

// TestUpstreamSpeaksResponses: the official OpenAI SDK reads the fake
// upstream's Responses stream (short and framed with item and part events)
// and JSON answer, with usage and reasoning tokens.
func TestUpstreamSpeaksResponses(t *testing.T) {
	srv := httptest.NewServer(upstream())
	defer srv.Close()
	c := openai.NewClient(ooption.WithBaseURL(srv.URL+"/v1"), ooption.WithAPIKey("k"), ooption.WithMaxRetries(0))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	params := responses.ResponseNewParams{Model: "gpt-5-codex",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("hi")}}

	for _, events := range []int{3, 12} {
		spec := streamSpec{Events: events, EventSize: 200}
		stream := c.Responses.NewStreaming(ctx, params, specOptions(spec, ooption.WithHeader)...)
		var types []string
		var text, done strings.Builder
		var usage responses.ResponseUsage
		for stream.Next() {
			ev := stream.Current()
			types = append(types, ev.Type)
			switch ev.Type {
			case "response.output_text.delta":
				text.WriteString(ev.Delta)
			case "response.output_text.done":
				done.WriteString(ev.Text)
			case "response.completed":
				usage = ev.Response.Usage
				if got := ev.Response.OutputText(); got != text.String() {
					t.Errorf("%d events: completed text %q, deltas %q", events, got, text.String())
				}
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if len(types) != events || types[0] != "response.created" || types[len(types)-1] != "response.completed" {
			t.Errorf("%d events: got %v", events, types)
		}
		if events >= 8 && done.String() != text.String() {
			t.Errorf("%d events: output_text.done %q, deltas %q", events, done.String(), text.String())
		}
		if usage.OutputTokens != int64(8*events) || usage.OutputTokensDetails.ReasoningTokens != int64(2*events) ||
			usage.InputTokensDetails.CachedTokens != 800 || usage.TotalTokens != usage.InputTokens+usage.OutputTokens {
			t.Errorf("%d events: usage %+v", events, usage)
		}
	}

	r, err := c.Responses.New(ctx, params, specOptions(streamSpec{RespSize: 2048}, ooption.WithHeader)...)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.OutputText()) < 1500 || r.Usage.OutputTokensDetails.ReasoningTokens != 16 {
		t.Errorf("JSON answer: %d bytes of text, usage %+v", len(r.OutputText()), r.Usage)
	}
}
