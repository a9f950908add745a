package metrics

import (
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/clp-proxy/clp/internal/api"
)

// Token kinds, the values of the kind label of clp_tokens_total. They follow
// api.Usage: input excludes cached input; cache_write is the 5 m and 1 h
// writes together; reasoning is the part of output the upstream reported as
// reasoning (counted in output too, so do not add the two).
const (
	KindInput      = "input"
	KindCacheRead  = "cache_read"
	KindCacheWrite = "cache_write"
	KindOutput     = "output"
	KindReasoning  = "reasoning"

	nKinds = 5
)

// OtherModel is the model label given to every model beyond MaxModels
// distinct ones, so that a client sending random model names cannot grow
// the exposition without bound.
const OtherModel = "other"

// MaxModels bounds the distinct model label values of clp_tokens_total.
const MaxModels = 128

// maxCached bounds the series Observe remembers; requests beyond it are
// still counted, only more slowly.
const maxCached = 4096

// maxLabelLen bounds a label value in bytes; longer values are cut at a
// rune boundary.
const maxLabelLen = 200

// Options say where the scrape-time readings come from. Every func is called
// on each scrape, possibly concurrently with traffic, and must be safe for
// that; a nil func exports nothing for its metrics.
type Options struct {
	// Version, when set, is exported as clp_build_info{version} = 1.
	Version string
	// ActiveStreams returns the requests in flight per service
	// (clp_active_streams).
	ActiveStreams func() []ServiceCount
	// Health returns the balancing health of each config
	// (clp_config_healthy, clp_config_consecutive_failures). A config
	// listed twice is exported once, the first time.
	Health func() []ConfigHealth
	// DroppedRecords returns how many request records the log has dropped
	// since the daemon started (clp_log_records_dropped_total).
	DroppedRecords func() int64
	// Collectors are registered too, for example the Go runtime and process
	// collectors of client_golang's collectors package.
	Collectors []prometheus.Collector
}

// ServiceCount is a count for one service.
type ServiceCount struct {
	Service string
	N       int64
}

// ConfigHealth is the balancing health of one config at scrape time.
type ConfigHealth struct {
	Service, Config string
	// Healthy is false while the config is excluded after failures.
	Healthy             bool
	ConsecutiveFailures int
}

// Metrics is the daemon's set of Prometheus metrics on a private registry.
// Its methods are safe for concurrent use; a nil *Metrics ignores
// observations.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec   // service, config, status_class
	errors   *prometheus.CounterVec   // service, config
	tokens   *prometheus.CounterVec   // service, model, kind
	duration *prometheus.HistogramVec // service
	ttfb     *prometheus.HistogramVec // service
	refused  *prometheus.CounterVec   // service, reason

	mu    sync.RWMutex
	cache map[seriesKey]*series // bounded by maxCached

	modelMu sync.Mutex
	models  map[string]struct{} // model label values handed out so far
}

// New builds the metrics and registers them, with opt's gauges and
// collectors, on a new registry. It panics when a collector in
// opt.Collectors cannot be registered (a programming error, as with
// prometheus.MustRegister).
func New(opt Options) *Metrics {
	// Buckets of the latency histograms, in seconds. Model requests take
	// from a fraction of a second (count_tokens, errors) to many minutes
	// (long thinking); the first byte of a stream comes after queueing and
	// prompt processing.
	durationBuckets := []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200}
	ttfbBuckets := []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clp_requests_total",
			Help: "Requests proxied, by service, the config that answered (or was tried last) and the class of the status sent to the client (2xx, 4xx, 5xx; none when no status was sent).",
		}, []string{"service", "config", "status_class"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clp_request_errors_total",
			Help: "Requests that failed: a status of 400 or more, or an error such as a stream cut short by the upstream or the client going away.",
		}, []string{"service", "config"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clp_tokens_total",
			Help: "Tokens reported by upstreams, by service, model sent and kind (input excludes cached input; reasoning is part of output).",
		}, []string{"service", "model", "kind"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "clp_request_duration_seconds",
			Help:    "Time from the request's arrival to the end of the response, streams included.",
			Buckets: durationBuckets,
		}, []string{"service"}),
		ttfb: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "clp_time_to_first_byte_seconds",
			Help:    "Time from the request's arrival to the first byte written to the client.",
			Buckets: ttfbBuckets,
		}, []string{"service"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "clp_client_key_refusals_total",
			Help: "Proxy requests refused for want of a valid CLP client key, by service and reason (missing, invalid, keys_unreadable); they are not in clp_requests_total.",
		}, []string{"service", "reason"}),
		cache:  map[seriesKey]*series{},
		models: map[string]struct{}{},
	}
	m.reg.MustRegister(m.requests, m.errors, m.tokens, m.duration, m.ttfb, m.refused, newGauges(opt))
	for _, c := range opt.Collectors {
		m.reg.MustRegister(c)
	}
	return m
}

// Refused counts a proxy request refused for want of a valid client key.
// reason is one of a few fixed words, never anything the peer sent.
func (m *Metrics) Refused(service, reason string) {
	m.refused.WithLabelValues(service, reason).Inc()
}

// Observe counts one finished request: its status class, whether it
// failed, its tokens by kind (when it carried usage), its duration and its
// time to first byte (when a byte was written). It never blocks on I/O and
// does not allocate once the request's series exist.
func (m *Metrics) Observe(rec *api.Record) {
	if m == nil || rec == nil {
		return
	}
	s := m.seriesOf(rec)
	s.requests.Inc()
	if rec.Status >= 400 || rec.Error != "" {
		s.errors.Inc()
	}
	if u := rec.Usage; u != nil {
		for i, n := range [...]int64{u.InputTokens, u.CacheReadTokens, u.CacheWriteTokens, u.OutputTokens, u.ReasoningTokens} {
			if n > 0 { // a counter never goes down: ignore a broken upstream's negative count
				s.tokens[i].Add(float64(n))
			}
		}
	}
	if rec.DurationMS >= 0 {
		s.duration.Observe(rec.DurationMS / 1000)
	}
	if rec.TTFBMS > 0 {
		s.ttfb.Observe(rec.TTFBMS / 1000)
	}
}

// kinds returns the kind labels in the order of series.tokens.
func kinds() [nKinds]string {
	return [...]string{KindInput, KindCacheRead, KindCacheWrite, KindOutput, KindReasoning}
}

// seriesKey is what selects a request's series, before the label values
// are cleaned.
type seriesKey struct {
	service, config, class, model string
	usage                         bool // whether the tokens are needed
}

// series holds the children of every metric one kind of request touches,
// so that Observe looks up one map entry instead of nine label sets.
type series struct {
	requests, errors prometheus.Counter
	tokens           [nKinds]prometheus.Counter // nil without usage
	duration, ttfb   prometheus.Observer
}

// seriesOf returns the series of rec, creating (and, below maxCached
// entries, remembering) them on first use. Creating them exports the
// request's error counter (and token counters, when it has usage) at 0, so
// rate() works from the start. Only models of requests with usage count
// against MaxModels.
func (m *Metrics) seriesOf(rec *api.Record) *series {
	k := seriesKey{service: rec.Service, config: rec.Config, class: statusClass(rec.Status), usage: rec.Usage != nil}
	if k.usage {
		k.model = rec.ModelSent
		if k.model == "" {
			k.model = rec.ModelRequested
		}
	}
	m.mu.RLock()
	s := m.cache[k]
	m.mu.RUnlock()
	if s != nil {
		return s
	}
	service, config := label(k.service), label(k.config)
	model := ""
	if k.usage {
		model = m.model(k.model)
	}
	s = &series{
		requests: m.requests.WithLabelValues(service, config, k.class),
		errors:   m.errors.WithLabelValues(service, config),
		duration: m.duration.WithLabelValues(service),
		ttfb:     m.ttfb.WithLabelValues(service),
	}
	if k.usage {
		for i, kind := range kinds() {
			s.tokens[i] = m.tokens.WithLabelValues(service, model, kind)
		}
	}
	m.mu.Lock()
	if len(m.cache) < maxCached {
		m.cache[k] = s
	}
	m.mu.Unlock()
	return s
}

// model returns the label value for a model name: the name itself (made
// valid and short) while fewer than MaxModels names were seen, else
// OtherModel for a new name.
func (m *Metrics) model(name string) string {
	name = label(name)
	m.modelMu.Lock()
	defer m.modelMu.Unlock()
	if _, ok := m.models[name]; ok {
		return name
	}
	if len(m.models) >= MaxModels {
		return OtherModel
	}
	m.models[name] = struct{}{}
	return name
}

// Handler serves the metrics in the Prometheus text format (or OpenMetrics
// when the scraper asks for it). A collector that fails is reported in the
// exposition's error log and left out; the rest is still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling:     promhttp.ContinueOnError,
		EnableOpenMetrics: true,
	})
}

// Gatherer returns the registry, for tests and for other exporters.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// statusClass is the status_class label of an HTTP status.
func statusClass(code int) string {
	switch {
	case code >= 100 && code < 200:
		return "1xx"
	case code >= 200 && code < 300:
		return "2xx"
	case code >= 300 && code < 400:
		return "3xx"
	case code >= 400 && code < 500:
		return "4xx"
	case code >= 500 && code < 600:
		return "5xx"
	default:
		return "none"
	}
}

// label makes s a valid label value: invalid UTF-8 becomes U+FFFD, and a
// value longer than maxLabelLen bytes is cut at a rune boundary.
func label(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= maxLabelLen {
		return s
	}
	cut := maxLabelLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
