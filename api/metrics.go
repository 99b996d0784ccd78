package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/incidentmap/incidentmap/api/cache"
)

// metrics are the server's Prometheus metrics, in a registry of its own
// (no global state: two servers in one test process do not collide).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// batches times each phase of a batch of writes (commit.go): handler,
	// checked and queued (each write's), pace, slot, build, store;
	// batchWrites counts the writes of each.
	batches     *prometheus.HistogramVec
	batchWrites prometheus.Histogram

	// series are the children of requests and duration already resolved,
	// by their labels: a request finds its own with one map lookup and no
	// allocation, where WithLabelValues hashes and checks each label and
	// formats the code. Bounded as the labels are: routes, methodLabel's
	// methods and the codes the server writes.
	mu     sync.RWMutex
	series map[requestLabels]requestSeries
}

// requestLabels are the labels of a request's series.
type requestLabels struct {
	route, method string
	code          int
}

// requestSeries are the series a request is counted and timed in.
type requestSeries struct {
	count prometheus.Counter
	took  prometheus.Observer
}

// seriesOf returns the series of a request to route, with method (a
// methodLabel) and status code.
func (m *metrics) seriesOf(route, method string, code int) requestSeries {
	k := requestLabels{route, method, code}
	m.mu.RLock()
	rs, ok := m.series[k]
	m.mu.RUnlock()
	if ok {
		return rs
	}
	rs = requestSeries{
		count: m.requests.WithLabelValues(route, method, strconv.Itoa(code)),
		took:  m.duration.WithLabelValues(route),
	}
	m.mu.Lock()
	m.series[k] = rs
	m.mu.Unlock()
	return rs
}

func newMetrics(reg *prometheus.Registry, c *cache.Cache, slots *renderSlots) *metrics {
	m := &metrics{
		reg:    reg,
		series: map[requestLabels]requestSeries{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "incidentmap_http_requests_total",
			Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "incidentmap_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		batches: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "incidentmap_write_batch_seconds",
			Help:    "Time of each phase of a batch of writes: handler (each write's whole handler, token to answer), checked (each write's, from the handler's start until it joins the queue: token, body, checks), queued (each write's, from joining the queue until its batch took it), pace (the leader's wait to gather writes), slot (the build's wait for the background slot, at most 50 ms), build (the next data set), store (the commit).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"phase"}),
		batchWrites: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "incidentmap_write_batch_writes",
			Help:    "Writes committed together in one batch.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100},
		}),
	}
	stat := func(f func(cache.Stats) int64) func() float64 {
		return func() float64 { return float64(f(c.Stats())) }
	}
	reg.MustRegister(
		m.requests, m.duration, m.batches, m.batchWrites,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "incidentmap_cache_hits_total", Help: "Cache hits by tier.",
			ConstLabels: prometheus.Labels{"tier": "memory"},
		}, stat(func(s cache.Stats) int64 { return s.MemoryHits })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "incidentmap_cache_hits_total", Help: "Cache hits by tier.",
			ConstLabels: prometheus.Labels{"tier": "redis"},
		}, stat(func(s cache.Stats) int64 { return s.RedisHits })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "incidentmap_cache_misses_total", Help: "Cache misses; each one renders.",
		}, stat(func(s cache.Stats) int64 { return s.Renders })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "incidentmap_cache_redis_errors_total", Help: "Redis calls that failed or timed out.",
		}, stat(func(s cache.Stats) int64 { return s.RedisErrors })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "incidentmap_cache_memory_bytes", Help: "Bytes held by the in-process cache.",
		}, stat(func(s cache.Stats) int64 { return int64(s.LRUBytes) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "incidentmap_renders_running", Help: "Expensive renders running now, at most the render slots.",
		}, func() float64 { return float64(len(slots.slots)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "incidentmap_renders_waiting", Help: "Requests waiting for a render slot.",
		}, func() float64 { return float64(slots.waiting.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "incidentmap_renders_refused_total", Help: "Requests answered 503 because every render slot was taken.",
		}, func() float64 { return float64(slots.rejected.Load()) }),
	)
	return m
}

// observe counts, times and logs every request. Errors are written here,
// so the status recorded is the one sent.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		end := time.Now()
		took := end.Sub(start)
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		req, res := c.Request(), c.Response()
		rs := s.metrics.seriesOf(route, methodLabel(req.Method), res.Status)
		rs.count.Inc()
		rs.took.Observe(took.Seconds())
		line := requestLine{time: end, level: slog.LevelInfo, id: requestID(c), method: req.Method,
			path: req.URL.Path, route: route, status: res.Status, bytes: res.Size,
			xcache: res.Header().Get("X-Cache"), took: took}
		if res.Status >= 500 {
			line.level = slog.LevelError
		}
		if s.requestLog != nil {
			line.writeTo(s.requestLog)
			return nil
		}
		if ctx := req.Context(); s.log.Handler().Enabled(ctx, line.level) {
			// Handed to the handler as Logger.LogAttrs would, but without
			// the caller's pc (no source is logged), whose runtime.Callers
			// was a tenth of a cached hit's cost.
			_ = s.log.Handler().Handle(ctx, line.record()) // as Logger.LogAttrs, a log that fails to write is dropped
		}
		return nil
	}
}

// methodLabel is the method as a metric label: a client can send any
// token as a method, and each would be a new series kept forever.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

func (s *Server) metricsHandler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
}
