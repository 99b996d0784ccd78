package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Series of the service's /metrics that the scenarios read.
const (
	metricMemoryHits  = `incidentmap_cache_hits_total{tier="memory"}`
	metricRedisHits   = `incidentmap_cache_hits_total{tier="redis"}`
	metricMisses      = `incidentmap_cache_misses_total`
	metricRedisErrors = `incidentmap_cache_redis_errors_total`
	metricDuration    = `incidentmap_http_request_duration_seconds`
)

// metrics maps a series, written as in the exposition format
// (name{label="value",...}), to its value.
type metrics map[string]float64

// parseMetrics reads the Prometheus text exposition format. Comments are
// skipped; a sample's optional timestamp is ignored.
func parseMetrics(r io.Reader) (metrics, error) {
	m := metrics{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		series, value := line, ""
		if i := strings.LastIndexByte(line, '}'); i >= 0 {
			series, value = line[:i+1], strings.TrimSpace(line[i+1:])
		} else if f := strings.Fields(line); len(f) >= 2 {
			series, value = f[0], f[1]
		}
		value, _, _ = strings.Cut(value, " ") // drop a timestamp
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, fmt.Errorf("metrics line %d: %q: %w", n, line, err)
		}
		m[series] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read metrics: %w", err)
	}
	return m, nil
}

// slowerThan returns how many requests the service took longer than le
// seconds to handle, over all routes, from its latency histogram; le must
// be one of the histogram's bucket bounds, as written in the exposition.
func (m metrics) slowerThan(le string) float64 {
	var count, within float64
	for k, v := range m {
		switch {
		case strings.HasPrefix(k, metricDuration+"_count"):
			count += v
		case strings.HasPrefix(k, metricDuration+"_bucket{") && strings.HasSuffix(k, `le="`+le+`"}`):
			within += v
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
			LastError     string `json:"last_error"`
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
