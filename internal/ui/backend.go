package ui

import (
	"context"
	"net/http"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/store"
)

// Backend is what the API and the pages need from the daemon. Methods the
// daemon cannot serve yet return api.ErrNotWired (answered with 501).
type Backend interface {
	Status() api.Status
	// SetActive switches service to config name; the next request uses it.
	SetActive(service, name string) error
	// Shutdown asks the daemon to stop gracefully and returns at once.
	Shutdown()

	// Requests lists request records newest first, without bodies or headers.
	Requests(ctx context.Context, q store.Query) ([]api.Record, error)
	// Request returns one record in full (bodies, masked headers); an
	// unknown id is store.ErrNotFound.
	Request(ctx context.Context, id int64) (*api.Record, error)
	// Stats aggregates the request log.
	Stats(ctx context.Context, q store.StatsQuery) ([]api.StatsRow, error)

	// Health is the balancing health of service's configs, sorted by name.
	Health(service string) ([]balance.Health, error)
	// ResetHealth clears the health of config name, or of all when name is "".
	ResetHealth(service, name string) error
	// SetEnabled enables or disables a config in the pool (written to the file).
	SetEnabled(service, name string, enabled bool) error
	// TestConfig sends a tiny real request through config name.
	TestConfig(ctx context.Context, service, name string) (api.ConfigTestResult, error)

	// RouteTest says which config and model a request for model on service
	// would use, without sending anything.
	RouteTest(service, model string) (api.RouteTestResult, error)
	// TryFilter applies service's request filter to text, as it would be sent.
	TryFilter(service string, text []byte) ([]byte, redact.Report, error)

	// Subscribe returns the live feed and a function that ends the
	// subscription and closes the channel. A slow reader misses events
	// rather than blocking the daemon.
	Subscribe() (<-chan api.Event, func())

	// Metrics serves the Prometheus metrics at GET /metrics; nil answers
	// 501.
	Metrics() http.Handler
}
