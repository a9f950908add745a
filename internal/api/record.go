package api

import "time"

// Usage is the normalized token usage of one request (DESIGN §4). Field names are
// the contract: input_tokens excludes cached input, which is counted in
// cache_read_tokens; cache_write_tokens is the sum of the 5 m and 1 h writes.
type Usage struct {
	InputTokens        int64 `json:"input_tokens"`
	CacheReadTokens    int64 `json:"cache_read_tokens"`
	CacheWriteTokens   int64 `json:"cache_write_tokens"`
	CacheWrite5mTokens int64 `json:"cache_write_5m_tokens,omitempty"`
	CacheWrite1hTokens int64 `json:"cache_write_1h_tokens,omitempty"`
	OutputTokens       int64 `json:"output_tokens"`
	ReasoningTokens    int64 `json:"reasoning_tokens"`
}

// Total is every token of the request: all input kinds plus output.
func (u Usage) Total() int64 {
	return u.InputTokens + u.CacheReadTokens + u.CacheWriteTokens + u.OutputTokens
}

// Attempt is one try of a request against one upstream config.
type Attempt struct {
	Config     string  `json:"config"`
	Status     int     `json:"status,omitempty"` // HTTP status, 0 when no response arrived
	Error      string  `json:"error,omitempty"`  // why it failed over, empty when it answered
	DurationMS float64 `json:"duration_ms"`
}

// Record is everything CLP keeps about one proxied request (DESIGN §9).
// Bodies are as sent (after routing and redaction) and capped; headers have
// credentials masked.
type Record struct {
	ID             int64     `json:"id"`
	Time           time.Time `json:"time"` // when the request arrived
	Service        string    `json:"service"`
	Config         string    `json:"config"` // the config that answered (or last tried)
	ModelRequested string    `json:"model_requested,omitempty"`
	ModelSent      string    `json:"model_sent,omitempty"`
	Method         string    `json:"method"`
	Path           string    `json:"path"`
	Status         int       `json:"status"`
	Stream         bool      `json:"stream"`
	DurationMS     float64   `json:"duration_ms"`
	TTFBMS         float64   `json:"ttfb_ms"` // time to the first byte written to the client
	Attempts       []Attempt `json:"attempts,omitempty"`
	// Usage is nil when the response carried no usage CLP could read.
	Usage *Usage `json:"usage,omitempty"`
	// Incomplete marks a response that ended before its final event.
	Incomplete bool `json:"incomplete,omitempty"`
	// CostUSD is nil when the model has no price (shown as "unknown").
	CostUSD    *float64       `json:"cost_usd,omitempty"`
	Redactions map[string]int `json:"redactions,omitempty"`
	// RedactionSpans says where each replacement lies in RequestBody (byte
	// offsets, end exclusive) with a masked preview of what was replaced.
	RedactionSpans []RedactionSpan `json:"redaction_spans,omitempty"`
	Error          string          `json:"error,omitempty"`

	RequestHeaders  map[string][]string `json:"request_headers,omitempty"`
	ResponseHeaders map[string][]string `json:"response_headers,omitempty"`
	RequestBody     []byte              `json:"request_body,omitempty"`
	ResponseBody    []byte              `json:"response_body,omitempty"`
	// RequestSize and ResponseSize are the whole bodies' lengths (the
	// request as sent upstream, the response decoded), of which the bodies
	// above may keep only the first bytes; 0 when unknown (records from
	// before they were kept).
	RequestSize  int64 `json:"request_size,omitempty"`
	ResponseSize int64 `json:"response_size,omitempty"`

	// Release, when set, hands RequestBody's buffer back for reuse. The
	// request log calls it once it has encoded the record (or dropped it);
	// nothing may read RequestBody after that, so a consumer that keeps
	// the body past the log copies it first.
	Release func() `json:"-"`
}

// RedactionSpan is one replacement the filter made in a request body.
type RedactionSpan struct {
	Rule    string `json:"rule"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
	Preview string `json:"preview"` // e.g. "sk-a…(40 chars)"; never the secret
}
