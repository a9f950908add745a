package api

import (
	"errors"
	"time"
)

// ErrNotWired is returned by daemon methods the UI asks for before the daemon
// implements them; the API answers 501 Not Implemented.
var ErrNotWired = errors.New("not wired yet")

// Event types sent over the live feed (GET /api/v1/events, a WebSocket).
const (
	EventRequestStarted  = "request.started"  // Record has the request's head
	EventRequestProgress = "request.progress" // Record has usage so far
	EventRequestDone     = "request.done"     // Record is final (no bodies)
	EventConfigSwitched  = "config.switched"  // Service and Config name the new active config
	EventHealthChanged   = "health.changed"   // Service's balancing health changed
	EventStatusChanged   = "status.changed"   // anything in Status changed; refetch it
)

// Event is one message of the live feed. Record, when set, carries no bodies
// or headers; fetch GET /api/v1/requests/{id} for those.
type Event struct {
	Type    string    `json:"type"`
	Time    time.Time `json:"time"`
	Service string    `json:"service,omitempty"`
	Config  string    `json:"config,omitempty"`
	Record  *Record   `json:"record,omitempty"`
}

// RouteTestResult answers "model X on service Y goes to config Z as model W".
type RouteTestResult struct {
	Service string `json:"service"`
	Model   string `json:"model"`
	Config  string `json:"config"`     // the config the request would use
	SentAs  string `json:"model_sent"` // the model it would be sent as
}

// ConfigTestResult is the outcome of a tiny real request to one config.
type ConfigTestResult struct {
	Config    string  `json:"config"`
	OK        bool    `json:"ok"`
	Status    int     `json:"status,omitempty"`
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
}

// EnabledRequest is the body of PUT /api/v1/services/{service}/configs/{name}/enabled.
type EnabledRequest struct {
	Enabled bool `json:"enabled"`
}

// FilterTryRequest is the body of POST /api/v1/services/{service}/filter/try.
type FilterTryRequest struct {
	Text string `json:"text"`
}

// RequestPage is one page of GET /api/v1/requests, newest first. NextBefore is
// the before= value of the next (older) page, 0 on the last page.
type RequestPage struct {
	Records    []Record `json:"records"`
	NextBefore int64    `json:"next_before,omitempty"`
}

// StatsRow is one group of requests.
type StatsRow struct {
	// Bucket is the start of the hour or day (in the query's Location); zero
	// without a time bucket.
	Bucket time.Time `json:"bucket,omitzero"`
	// Service, Config and Model are set when grouped by them.
	Service  string `json:"service,omitempty"`
	Config   string `json:"config,omitempty"`
	Model    string `json:"model,omitempty"`
	Requests int64  `json:"requests"`
	Errors   int64  `json:"errors"`
	Usage    Usage  `json:"usage"`
	// CostUSD sums the known costs; UnknownCost counts the requests without
	// a price (plus imported usage totals of the original CLP, whose cost is
	// unknown), so a UI can show the cost as a lower bound.
	CostUSD     float64 `json:"cost_usd"`
	UnknownCost int64   `json:"unknown_cost"`
	// CacheHitRatio is cache_read / (input + cache_read + cache_write), the
	// share of input tokens served from the prompt cache; 0 without input.
	CacheHitRatio float64 `json:"cache_hit_ratio"`
	// Latency and time-to-first-byte percentiles in milliseconds, read from
	// log-scale histograms: within 9 % of the exact value.
	LatencyP50MS float64 `json:"latency_p50_ms"`
	LatencyP95MS float64 `json:"latency_p95_ms"`
	TTFBP50MS    float64 `json:"ttfb_p50_ms"`
	TTFBP95MS    float64 `json:"ttfb_p95_ms"`
}

// CostKnown reports whether every request of the row had a price.
func (r StatsRow) CostKnown() bool { return r.UnknownCost == 0 }
