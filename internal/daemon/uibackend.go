package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/balance"
	"github.com/clp-proxy/clp/internal/config"
	"github.com/clp-proxy/clp/internal/protocol"
	"github.com/clp-proxy/clp/internal/redact"
	"github.com/clp-proxy/clp/internal/store"
)

// errNoLog is returned when the request log could not be opened.
var errNoLog = errors.New("the request log is unavailable; see `clp status`")

// Requests implements ui.Backend.
func (d *Daemon) Requests(ctx context.Context, q store.Query) ([]api.Record, error) {
	if d.store == nil {
		return nil, errNoLog
	}
	return d.store.List(ctx, q)
}

// Request implements ui.Backend.
func (d *Daemon) Request(ctx context.Context, id int64) (*api.Record, error) {
	if d.store == nil {
		return nil, errNoLog
	}
	return d.store.Get(ctx, id)
}

// Stats implements ui.Backend.
func (d *Daemon) Stats(ctx context.Context, q store.StatsQuery) ([]api.StatsRow, error) {
	if d.store == nil {
		return nil, errNoLog
	}
	return d.store.Stats(ctx, q)
}

func (d *Daemon) pool(service string) (*balance.Pool, error) {
	p := d.pools[service]
	if p == nil {
		_, err := config.ServiceFile(d.env.Home, service)
		return nil, err
	}
	return p, nil
}

// Health implements ui.Backend.
func (d *Daemon) Health(service string) ([]balance.Health, error) {
	p, err := d.pool(service)
	if err != nil {
		return nil, err
	}
	h := p.Health()
	sort.Slice(h, func(i, j int) bool { return h[i].Name < h[j].Name })
	return h, nil
}

// ResetHealth implements ui.Backend.
func (d *Daemon) ResetHealth(service, name string) error {
	p, err := d.pool(service)
	if err != nil {
		return err
	}
	p.Reset(name)
	d.feed.publish(api.Event{Type: api.EventHealthChanged, Service: service, Config: name})
	return nil
}

// SetEnabled implements ui.Backend.
func (d *Daemon) SetEnabled(service, name string, enabled bool) error {
	if err := config.SetEnabled(d.env.Home, service, name, enabled); err != nil {
		return err
	}
	d.reload()
	return nil
}

// TestConfig implements ui.Backend: it lists the upstream's models, a
// request that costs nothing, with the config's credential.
func (d *Daemon) TestConfig(ctx context.Context, service, name string) (api.ConfigTestResult, error) {
	res := api.ConfigTestResult{Config: name}
	svc := d.snap.Load().Service(service)
	up := svc.Lookup(name)
	if up == nil {
		return res, fmt.Errorf("%w %q for %s: known configs are %s", config.ErrUnknownConfig, name, service, strings.Join(svc.Names(), ", "))
	}
	if up.Invalid != "" {
		res.Error = up.Invalid
		return res, nil
	}
	info, _ := api.LookupService(service)
	u := protocol.JoinURL(up.URL, "/v1/models", "")
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	req.Header.Set("Anthropic-Version", "2023-06-01")
	protocols[info.Protocol].SetCredential(req.Header, up.AuthToken, up.APIKey)
	t0 := time.Now()
	resp, err := d.transport.RoundTrip(req)
	res.LatencyMS = float64(time.Since(t0).Microseconds()) / 1000
	if err != nil {
		res.Error = err.Error()
		return res, nil
	}
	resp.Body.Close()
	res.Status = resp.StatusCode
	res.OK = resp.StatusCode < 400
	if !res.OK {
		res.Error = resp.Status
	}
	return res, nil
}

// RouteTest implements ui.Backend: the first config a request for model
// would go to now, and the model it would be sent as.
func (d *Daemon) RouteTest(service, model string) (api.RouteTestResult, error) {
	res := api.RouteTestResult{Service: service, Model: model}
	st := d.states[service]
	if st == nil {
		_, err := config.ServiceFile(d.env.Home, service)
		return res, err
	}
	s := st.Load()
	res.Config = ""
	if pin, ok := s.Router.Pin(service, model); ok {
		res.Config = pin
	} else if up := s.Service.ActiveUpstream(); up != nil {
		res.Config = up.Name
		if s.Balance.Mode != balance.ActiveFirst {
			best := -1.0
			for i := range s.Service.Upstreams {
				if u := &s.Service.Upstreams[i]; u.Usable() && u.Weight > best {
					best, res.Config = u.Weight, u.Name
				}
			}
		}
	}
	res.SentAs = s.Router.ModelFor(service, res.Config, model)
	return res, nil
}

// TryFilter implements ui.Backend.
func (d *Daemon) TryFilter(service string, text []byte) ([]byte, redact.Report, error) {
	st := d.states[service]
	if st == nil {
		_, err := config.ServiceFile(d.env.Home, service)
		return nil, redact.Report{}, err
	}
	out, rep := st.Load().Filter.Apply(service, text)
	return out, rep, nil
}

// Subscribe implements ui.Backend.
func (d *Daemon) Subscribe() (<-chan api.Event, func()) { return d.feed.subscribe() }
