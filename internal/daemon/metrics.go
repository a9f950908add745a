package daemon

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/clp-proxy/clp/internal/api"
	"github.com/clp-proxy/clp/internal/metrics"
)

// newMetrics builds the daemon's Prometheus metrics. Requests are counted
// by the record hook; the gauges are read from the proxy handlers, the
// balancing pools and the request log at each scrape.
func (d *Daemon) newMetrics() *metrics.Metrics {
	return metrics.New(metrics.Options{
		Version:        d.version,
		ActiveStreams:  d.activeStreams,
		Health:         d.configHealth,
		DroppedRecords: d.droppedRecords,
		Collectors: []prometheus.Collector{
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		},
	})
}

// Metrics implements ui.Backend: the Prometheus exposition of GET /metrics.
func (d *Daemon) Metrics() http.Handler { return d.metrics.Handler() }

func (d *Daemon) activeStreams() []metrics.ServiceCount {
	out := make([]metrics.ServiceCount, 0, len(api.Services))
	for _, s := range api.Services {
		out = append(out, metrics.ServiceCount{Service: s.Name, N: d.handlers[s.Name].Counters().InFlight})
	}
	return out
}

// configHealth lists every config of the current files with its balancing
// health; a config no request has used yet is healthy with no failures.
// Healthy says only whether failures exclude it: a disabled or invalid
// config is listed by its failures like any other.
func (d *Daemon) configHealth() []metrics.ConfigHealth {
	snap := d.snap.Load()
	var out []metrics.ConfigHealth
	for _, s := range api.Services {
		known := map[string]metrics.ConfigHealth{}
		for _, h := range d.pools[s.Name].Health() {
			known[h.Name] = metrics.ConfigHealth{Healthy: h.ExcludedUntil.IsZero(), ConsecutiveFailures: h.ConsecutiveFailures}
		}
		for _, up := range snap.Service(s.Name).Upstreams {
			h, ok := known[up.Name]
			if !ok {
				h.Healthy = true
			}
			h.Service, h.Config = s.Name, up.Name
			out = append(out, h)
		}
	}
	return out
}

// droppedRecords is what the request log dropped or gave up on since start
// (the figure `clp status` shows); 0 without a log.
func (d *Daemon) droppedRecords() int64 {
	if d.store == nil {
		return 0
	}
	st := d.store.Status()
	return st.Dropped + st.Lost
}
