package daemon

import (
	"context"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/store"
)

// The methods below are placeholders of ui.Backend until the daemon wires the
// request log, the pool, routing and the filter; each answers api.ErrNotWired.

// Requests implements ui.Backend (not wired yet).
func (d *Daemon) Requests(context.Context, store.Query) ([]api.Record, error) {
	return nil, api.ErrNotWired
}

// Request implements ui.Backend (not wired yet).
func (d *Daemon) Request(context.Context, int64) (*api.Record, error) {
	return nil, api.ErrNotWired
}

// Stats implements ui.Backend (not wired yet).
func (d *Daemon) Stats(context.Context, store.StatsQuery) ([]store.StatsRow, error) {
	return nil, api.ErrNotWired
}

// Health implements ui.Backend (not wired yet).
func (d *Daemon) Health(string) ([]balance.Health, error) { return nil, api.ErrNotWired }

// ResetHealth implements ui.Backend (not wired yet).
func (d *Daemon) ResetHealth(string, string) error { return api.ErrNotWired }

// SetEnabled implements ui.Backend (not wired yet).
func (d *Daemon) SetEnabled(string, string, bool) error { return api.ErrNotWired }

// TestConfig implements ui.Backend (not wired yet).
func (d *Daemon) TestConfig(context.Context, string, string) (api.ConfigTestResult, error) {
	return api.ConfigTestResult{}, api.ErrNotWired
}

// RouteTest implements ui.Backend (not wired yet).
func (d *Daemon) RouteTest(string, string) (api.RouteTestResult, error) {
	return api.RouteTestResult{}, api.ErrNotWired
}

// TryFilter implements ui.Backend (not wired yet).
func (d *Daemon) TryFilter(string, []byte) ([]byte, redact.Report, error) {
	return nil, redact.Report{}, api.ErrNotWired
}

// Subscribe implements ui.Backend (not wired yet): the feed never sends.
func (d *Daemon) Subscribe() (<-chan api.Event, func()) {
	ch := make(chan api.Event)
	return ch, func() {}
}
