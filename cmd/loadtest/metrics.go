package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// series picks series out of one of the service's metrics: those of the
// metric name that carry every label given.
type series struct {
	name   string
	labels map[string]string
}

// Series of the service's /metrics that the scenarios read.
var (
	metricMemoryHits  = series{"incidentmap_cache_hits_total", map[string]string{"tier": "memory"}}
	metricRedisHits   = series{"incidentmap_cache_hits_total", map[string]string{"tier": "redis"}}
	metricMisses      = series{name: "incidentmap_cache_misses_total"}
	metricRedisErrors = series{name: "incidentmap_cache_redis_errors_total"}
)

// metricDuration is the service's request latency histogram, by route.
const metricDuration = "incidentmap_http_request_duration_seconds"

// metrics are the metric families of one scrape, by name.
type metrics map[string]*dto.MetricFamily

// parseMetrics reads the Prometheus text exposition format, as the
// service's /metrics writes it.
func parseMetrics(r io.Reader) (metrics, error) {
	p := expfmt.NewTextParser(model.LegacyValidation)
	m, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if f, ok := m[metricDuration]; ok && f.GetType() != dto.MetricType_HISTOGRAM {
		return nil, fmt.Errorf("metrics: %s is a %s, want a histogram", metricDuration, f.GetType())
	}
	return metrics(m), nil
}

// value returns the sum of the counters, gauges or untyped samples of the
// series s picks out, 0 when there are none.
func (m metrics) value(s series) float64 {
	var sum float64
	for _, x := range m[s.name].GetMetric() {
		if !hasLabels(x, s.labels) {
			continue
		}
		sum += x.GetCounter().GetValue() + x.GetGauge().GetValue() + x.GetUntyped().GetValue()
	}
	return sum
}

// hasLabels reports whether x carries every label of want with its value.
func hasLabels(x *dto.Metric, want map[string]string) bool {
	for name, value := range want {
		if !slices.ContainsFunc(x.GetLabel(), func(l *dto.LabelPair) bool {
			return l.GetName() == name && l.GetValue() == value
		}) {
			return false
		}
	}
	return true
}

// slowerThan returns how many requests the service took longer than le
// seconds to handle, over all routes, from its latency histogram; le must
// be one of the histogram's bucket bounds.
func (m metrics) slowerThan(le float64) float64 {
	var count, within float64
	for _, x := range m[metricDuration].GetMetric() {
		h := x.GetHistogram()
		// The parser keeps counts as integers, or as floats when any is one.
		count += float64(h.GetSampleCount()) + h.GetSampleCountFloat()
		for _, b := range h.GetBucket() {
			if b.GetUpperBound() == le {
				within += float64(b.GetCumulativeCount()) + b.GetCumulativeCountFloat()
			}
		}
	}
	return count - within
}

// scrape reads the service's /metrics.
func scrape(ctx context.Context, c *http.Client, base string) (metrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, fmt.Errorf("scrape: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape: status %d", resp.StatusCode)
	}
	m, err := parseMetrics(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("scrape: %w", err)
	}
	return m, nil
}

// readiness is the part of /readyz the scenarios read.
type readiness struct {
	Status string `json:"status"`
	Cache  struct {
		Status string `json:"status"`
		Redis  struct {
			OK            bool   `json:"ok"`
			Errors        int64  `json:"errors"`
			DegradedSince string `json:"degraded_since"`
		} `json:"redis"`
	} `json:"cache"`
}

// parseReadiness decodes a /readyz body.
func parseReadiness(b []byte) (readiness, error) {
	var r readiness
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("readyz: %w", err)
	}
	if r.Cache.Status == "" {
		return r, fmt.Errorf("readyz: no cache.status in %.200s", b)
	}
	return r, nil
}

// ready reads the service's /readyz.
func ready(ctx context.Context, c *http.Client, base string) (readiness, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
	if err != nil {
		return readiness{}, fmt.Errorf("readyz: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return readiness{}, fmt.Errorf("readyz: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return readiness{}, fmt.Errorf("readyz: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return readiness{}, fmt.Errorf("readyz: status %d", resp.StatusCode)
	}
	return parseReadiness(b)
}

// metricBatches is the service's histogram of the phases of a batch of
// writes, by phase; metricBatchWrites counts the writes of each batch.
const (
	metricBatches     = "incidentmap_write_batch_seconds"
	metricBatchWrites = "incidentmap_write_batch_writes"
)

// histogram returns the count and sum of the histogram series s picks
// out, and the upper bounds of the buckets where the 50th and 90th
// percentiles and the last observation fall (+Inf beyond the last).
func (m metrics) histogram(s series) (count, sum float64, p50, p90, upTo float64) {
	cum := map[float64]float64{} // bucket bound → observations within, over the series
	for _, x := range m[s.name].GetMetric() {
		if !hasLabels(x, s.labels) {
			continue
		}
		h := x.GetHistogram()
		count += float64(h.GetSampleCount()) + h.GetSampleCountFloat()
		sum += h.GetSampleSum()
		for _, b := range h.GetBucket() {
			cum[b.GetUpperBound()] += float64(b.GetCumulativeCount()) + b.GetCumulativeCountFloat()
		}
	}
	bounds := slices.Sorted(maps.Keys(cum))
	within := func(share float64) float64 {
		for _, le := range bounds {
			if cum[le] >= share*count {
				return le
			}
		}
		return math.Inf(1)
	}
	return count, sum, within(0.5), within(0.9), within(1)
}
