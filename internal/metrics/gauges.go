package metrics

import "github.com/prometheus/client_golang/prometheus"

// gauges reads the daemon's state at scrape time: nothing is copied between
// scrapes, so the values are never stale.
type gauges struct {
	opt       Options
	build     *prometheus.Desc
	active    *prometheus.Desc
	healthy   *prometheus.Desc
	failures  *prometheus.Desc
	dropped   *prometheus.Desc
	buildInfo prometheus.Metric // nil without a version
}

func newGauges(opt Options) *gauges {
	g := &gauges{
		opt: opt,
		build: prometheus.NewDesc("clp_build_info",
			"Always 1; the version label names the running clp.", []string{"version"}, nil),
		active: prometheus.NewDesc("clp_active_streams",
			"Requests in flight (streams and plain responses) per service.", []string{"service"}, nil),
		healthy: prometheus.NewDesc("clp_config_healthy",
			"1 when the config may be chosen, 0 while it is excluded after consecutive failures.", []string{"service", "config"}, nil),
		failures: prometheus.NewDesc("clp_config_consecutive_failures",
			"Failures of the config in a row since its last success (reset by `clp health SERVICE --reset NAME`).", []string{"service", "config"}, nil),
		dropped: prometheus.NewDesc("clp_log_records_dropped_total",
			"Request records the request log dropped (queue full, or given up after write failures) since the daemon started.", nil, nil),
	}
	if opt.Version != "" {
		g.buildInfo = prometheus.MustNewConstMetric(g.build, prometheus.GaugeValue, 1, label(opt.Version))
	}
	return g
}

// Describe implements prometheus.Collector.
func (g *gauges) Describe(ch chan<- *prometheus.Desc) {
	if g.buildInfo != nil {
		ch <- g.build
	}
	if g.opt.ActiveStreams != nil {
		ch <- g.active
	}
	if g.opt.Health != nil {
		ch <- g.healthy
		ch <- g.failures
	}
	if g.opt.DroppedRecords != nil {
		ch <- g.dropped
	}
}

// Collect implements prometheus.Collector.
func (g *gauges) Collect(ch chan<- prometheus.Metric) {
	if g.buildInfo != nil {
		ch <- g.buildInfo
	}
	if g.opt.ActiveStreams != nil {
		seen := map[string]bool{}
		for _, s := range g.opt.ActiveStreams() {
			svc := label(s.Service)
			if seen[svc] {
				continue
			}
			seen[svc] = true
			ch <- prometheus.MustNewConstMetric(g.active, prometheus.GaugeValue, float64(s.N), svc)
		}
	}
	if g.opt.Health != nil {
		type key struct{ service, config string }
		seen := map[key]bool{}
		for _, h := range g.opt.Health() {
			k := key{label(h.Service), label(h.Config)}
			if seen[k] {
				continue
			}
			seen[k] = true
			ok := 0.0
			if h.Healthy {
				ok = 1
			}
			ch <- prometheus.MustNewConstMetric(g.healthy, prometheus.GaugeValue, ok, k.service, k.config)
			ch <- prometheus.MustNewConstMetric(g.failures, prometheus.GaugeValue, float64(h.ConsecutiveFailures), k.service, k.config)
		}
	}
	if g.opt.DroppedRecords != nil {
		ch <- prometheus.MustNewConstMetric(g.dropped, prometheus.CounterValue, float64(g.opt.DroppedRecords()))
	}
}
