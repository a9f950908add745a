package ui

import (
	"context"
	"net/http"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/store"
)

// fakeBackend is a Backend whose methods are func fields; a nil field
// answers api.ErrNotWired.
type fakeBackend struct {
	status      func() api.Status
	setActive   func(service, name string) error
	shutdown    func()
	requests    func(ctx context.Context, q store.Query) ([]api.Record, error)
	request     func(ctx context.Context, id int64) (*api.Record, error)
	stats       func(ctx context.Context, q store.StatsQuery) ([]api.StatsRow, error)
	health      func(service string) ([]balance.Health, error)
	resetHealth func(service, name string) error
	setEnabled  func(service, name string, enabled bool) error
	testConfig  func(ctx context.Context, service, name string) (api.ConfigTestResult, error)
	routeTest   func(service, model string) (api.RouteTestResult, error)
	tryFilter   func(service string, text []byte) ([]byte, redact.Report, error)
	subscribe   func() (<-chan api.Event, func())
	metrics     http.Handler
}

var _ Backend = (*fakeBackend)(nil)

func (f *fakeBackend) Status() api.Status {
	if f.status == nil {
		return api.Status{}
	}
	return f.status()
}

func (f *fakeBackend) SetActive(service, name string) error {
	if f.setActive == nil {
		return api.ErrNotWired
	}
	return f.setActive(service, name)
}

func (f *fakeBackend) Shutdown() {
	if f.shutdown != nil {
		f.shutdown()
	}
}

func (f *fakeBackend) Requests(ctx context.Context, q store.Query) ([]api.Record, error) {
	if f.requests == nil {
		return nil, api.ErrNotWired
	}
	return f.requests(ctx, q)
}

func (f *fakeBackend) Request(ctx context.Context, id int64) (*api.Record, error) {
	if f.request == nil {
		return nil, api.ErrNotWired
	}
	return f.request(ctx, id)
}

func (f *fakeBackend) Stats(ctx context.Context, q store.StatsQuery) ([]api.StatsRow, error) {
	if f.stats == nil {
		return nil, api.ErrNotWired
	}
	return f.stats(ctx, q)
}

func (f *fakeBackend) Health(service string) ([]balance.Health, error) {
	if f.health == nil {
		return nil, api.ErrNotWired
	}
	return f.health(service)
}

func (f *fakeBackend) ResetHealth(service, name string) error {
	if f.resetHealth == nil {
		return api.ErrNotWired
	}
	return f.resetHealth(service, name)
}

func (f *fakeBackend) SetEnabled(service, name string, enabled bool) error {
	if f.setEnabled == nil {
		return api.ErrNotWired
	}
	return f.setEnabled(service, name, enabled)
}

func (f *fakeBackend) TestConfig(ctx context.Context, service, name string) (api.ConfigTestResult, error) {
	if f.testConfig == nil {
		return api.ConfigTestResult{}, api.ErrNotWired
	}
	return f.testConfig(ctx, service, name)
}

func (f *fakeBackend) RouteTest(service, model string) (api.RouteTestResult, error) {
	if f.routeTest == nil {
		return api.RouteTestResult{}, api.ErrNotWired
	}
	return f.routeTest(service, model)
}

func (f *fakeBackend) TryFilter(service string, text []byte) ([]byte, redact.Report, error) {
	if f.tryFilter == nil {
		return nil, redact.Report{}, api.ErrNotWired
	}
	return f.tryFilter(service, text)
}

func (f *fakeBackend) Subscribe() (<-chan api.Event, func()) {
	if f.subscribe == nil {
		return make(chan api.Event), func() {}
	}
	return f.subscribe()
}

func (f *fakeBackend) Metrics() http.Handler { return f.metrics }
