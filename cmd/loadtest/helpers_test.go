package main

import (
	"math/rand/v2"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/geo/synth"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p90 of 1..100", hundred, 90, 90 * time.Millisecond},
		{"p100 is the max", hundred, 100, 100 * time.Millisecond},
		{"p0 is the min", hundred, 0, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestSummarise(t *testing.T) {
	recs := []record{
		{start: 0, took: 10 * time.Millisecond, status: 200, hit: true},
		{start: time.Second, took: 20 * time.Millisecond, status: 304},
		{start: time.Second, took: 30 * time.Millisecond, status: 204},
		{start: 2 * time.Second, took: 40 * time.Millisecond, status: 500},
		{start: 2 * time.Second, took: time.Millisecond, errKind: "refused"},
		{start: 3 * time.Second, took: 50 * time.Millisecond, status: 200},
	}
	s := summarise(recs, time.Second, 3*time.Second)
	if s.requests != 4 || s.errors != 2 {
		t.Errorf("requests, errors = %d, %d; want 4, 2", s.requests, s.errors)
	}
	if s.errKinds["http 500"] != 1 || s.errKinds["refused"] != 1 {
		t.Errorf("errKinds = %v", s.errKinds)
	}
	if s.rps != 2 {
		t.Errorf("rps = %v, want 2", s.rps)
	}
	// Latencies of answered requests only: 20, 30, 40 ms.
	if s.p50 != 30*time.Millisecond || s.max != 40*time.Millisecond {
		t.Errorf("p50, max = %v, %v; want 30ms, 40ms", s.p50, s.max)
	}
	if all := summarise(recs, 0, 4*time.Second); all.hitRatio != 0.2 {
		t.Errorf("hitRatio = %v, want 0.2 (1 of 5 answered)", all.hitRatio)
	}
}

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    int64
		wantErr string
	}{
		{"kB", "Name:\tincidentmap\nVmPeak:\t  999 kB\nVmRSS:\t  524288 kB\nThreads:\t8\n", 512 << 20, ""},
		{"missing", "Name:\tzombie\nState:\tZ\n", 0, "no VmRSS"},
		{"odd unit", "VmRSS:\t12 MB\n", 0, `want "N kB"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := statusKB([]byte(tt.status), "VmRSS")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("statusKB VmRSS = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestParseMetrics(t *testing.T) {
	text := `# HELP incidentmap_cache_hits_total Cache hits by tier.
# TYPE incidentmap_cache_hits_total counter
incidentmap_cache_hits_total{tier="memory"} 10
incidentmap_cache_hits_total{tier="redis"} 3
incidentmap_cache_memory_bytes 3.675959e+06
incidentmap_http_requests_total{code="200",method="GET",route="/tiles/:layer/:z/:x/:y"} 42 1700000000000

incidentmap_cache_misses_total 14
`
	m, err := parseMetrics(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	tiles200 := series{"incidentmap_http_requests_total", map[string]string{"code": "200", "method": "GET", "route": "/tiles/:layer/:z/:x/:y"}}
	tests := []struct {
		name string
		s    series
		want float64
	}{
		{"memory hits", metricMemoryHits, 10},
		{"redis hits", metricRedisHits, 3},
		{"misses", metricMisses, 14},
		{"a gauge", series{name: "incidentmap_cache_memory_bytes"}, 3675959},
		{"three labels, a timestamp", tiles200, 42},
		{"a label that matches no series", series{"incidentmap_cache_hits_total", map[string]string{"tier": "disk"}}, 0},
		{"no labels sums the series", series{name: "incidentmap_cache_hits_total"}, 13},
		{"absent", metricRedisErrors, 0},
	}
	for _, tt := range tests {
		if got := m.value(tt.s); got != tt.want {
			t.Errorf("%s: value(%v) = %v, want %v", tt.name, tt.s, got, tt.want)
		}
	}
	// A histogram as client_golang writes it.
	hist := `# HELP incidentmap_http_request_duration_seconds HTTP request latency by route.
# TYPE incidentmap_http_request_duration_seconds histogram
incidentmap_http_request_duration_seconds_bucket{route="/a",le="0.25"} 8
incidentmap_http_request_duration_seconds_bucket{route="/a",le="1"} 9
incidentmap_http_request_duration_seconds_bucket{route="/a",le="+Inf"} 10
incidentmap_http_request_duration_seconds_sum{route="/a"} 4.5
incidentmap_http_request_duration_seconds_count{route="/a"} 10
incidentmap_http_request_duration_seconds_bucket{route="/b",le="0.25"} 3
incidentmap_http_request_duration_seconds_bucket{route="/b",le="1"} 5
incidentmap_http_request_duration_seconds_bucket{route="/b",le="+Inf"} 5
incidentmap_http_request_duration_seconds_sum{route="/b"} 1.25
incidentmap_http_request_duration_seconds_count{route="/b"} 5
`
	h, err := parseMetrics(strings.NewReader(hist))
	if err != nil {
		t.Fatal(err)
	}
	if got := h.slowerThan(1); got != 1 {
		t.Errorf("slowerThan(1) = %v, want 1 (one on /a, none on /b)", got)
	}
	if got := h.slowerThan(0.25); got != 4 {
		t.Errorf("slowerThan(0.25) = %v, want 4", got)
	}
	bad := []struct{ name, text string }{
		{"a bad value", "up{a=\"b\"} NaNx\n"},
		{"an unclosed label set", "up{a=\"b\" 1\n"},
		{"latency not a histogram", "# TYPE incidentmap_http_request_duration_seconds gauge\nincidentmap_http_request_duration_seconds 1\n"},
	}
	for _, tt := range bad {
		if _, err := parseMetrics(strings.NewReader(tt.text)); err == nil {
			t.Errorf("%s parsed", tt.name)
		}
	}
}

// TestParseMetricsFromService reads a /metrics body the service wrote,
// with a Redis of its own, after these requests: the incidents layer
// twice, a tile, a radius query and a 404; then, restarted, the incidents
// layer twice, the tile, the rings layer, the 404 and the query again.
func TestParseMetricsFromService(t *testing.T) {
	f, err := os.Open("testdata/metrics.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := parseMetrics(f)
	if err != nil {
		t.Fatal(err)
	}
	layers200 := series{"incidentmap_http_requests_total", map[string]string{"code": "200", "method": "GET", "route": "/api/layers/:id"}}
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"memory hits", m.value(metricMemoryHits), 1},
		{"redis hits", m.value(metricRedisHits), 3},
		{"misses (rings)", m.value(metricMisses), 1},
		{"redis errors", m.value(metricRedisErrors), 0},
		{"layers answered 200", m.value(layers200), 3},
		{"requests over 0.5 ms", m.slowerThan(0.0005), 2},
		{"requests over 1 ms", m.slowerThan(0.001), 2},
		{"requests over 2.5 ms", m.slowerThan(0.0025), 0},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if len(m["go_gc_duration_seconds"].GetMetric()) != 1 {
		t.Errorf("the summary go_gc_duration_seconds did not parse: %v", m["go_gc_duration_seconds"])
	}
}

func TestParseReadiness(t *testing.T) {
	tests := []struct {
		name, body, status, since string
		wantErr                   bool
	}{
		{"ok", `{"status":"ok","cache":{"status":"ok","redis":{"configured":true,"ok":true,"errors":0}}}`, "ok", "", false},
		{"degraded", `{"status":"degraded","cache":{"status":"degraded","redis":{"ok":false,"errors":3,` +
			`"last_error":"redis ping: dial tcp: connection refused","degraded_since":"2026-11-25T14:00:00Z"}}}`, "degraded", "2026-11-25T14:00:00Z", false},
		{"no cache", `{"status":"ok"}`, "", "", true},
		{"not json", `<html>`, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseReadiness([]byte(tt.body))
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Cache.Status != tt.status || r.Cache.Redis.DegradedSince != tt.since {
				t.Errorf("got %q since %q, want %q since %q", r.Cache.Status, r.Cache.Redis.DegradedSince, tt.status, tt.since)
			}
		})
	}
}

func TestRiseCheck(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name             string
		pre, fault, post time.Duration
		limit            time.Duration
		want             bool
	}{
		{"no rise", 100 * ms, 100 * ms, 100 * ms, 50 * ms, true},
		{"rise within the limit", 100 * ms, 150 * ms, 90 * ms, 50 * ms, true},
		{"rise above the limit", 100 * ms, 151 * ms, 90 * ms, 50 * ms, false},
		{"noisy after window absorbs it", 100 * ms, 200 * ms, 180 * ms, 50 * ms, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := riseCheck("x", summary{p99: tt.pre}, summary{p99: tt.fault}, summary{p99: tt.post}, tt.limit)
			if c.ok != tt.want {
				t.Errorf("ok = %v, want %v (%s)", c.ok, tt.want, c.got)
			}
		})
	}
}

func TestRadiusQueryStaysInArea(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	a := synth.Area
	for range 1000 {
		q := radiusQuery(rng)
		path, query, _ := strings.Cut(q, "?")
		v, err := url.ParseQuery(query)
		if path != "/api/collections/incidents/items" || err != nil {
			t.Fatalf("radiusQuery = %q (%v)", q, err)
		}
		lat, _ := strconv.ParseFloat(v.Get("lat"), 64)
		lon, _ := strconv.ParseFloat(v.Get("lon"), 64)
		if lat < a.MinLat || lat > a.MaxLat || lon < a.MinLon || lon > a.MaxLon || v.Get("radius") == "" {
			t.Fatalf("radiusQuery = %q: outside synth.Area or no radius", q)
		}
	}
}

func TestParsePIDStat(t *testing.T) {
	// The name holds a space and a parenthesis; utime 1500, stime 250.
	stat := "4242 (incident map) S 1 4242 4242 0 -1 4194560 8000 0 0 0 1500 250 0 0 20 0 9 0 100 2000000 50000\n"
	got, err := parsePIDStat([]byte(stat))
	if err != nil || got != 1750 {
		t.Errorf("parsePIDStat = %d, %v; want 1750", got, err)
	}
	if _, err := parsePIDStat([]byte("4242 (x) S 1 2")); err == nil {
		t.Error("a short line parsed")
	}
}

func TestParseProcStat(t *testing.T) {
	stat := "cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\n"
	busy, total, err := parseProcStat([]byte(stat))
	if err != nil || busy != 161 || total != 1181 {
		t.Errorf("parseProcStat = %d, %d, %v; want 161, 1181", busy, total, err)
	}
	if _, _, err := parseProcStat([]byte("intr 1 2 3\n")); err == nil {
		t.Error("a line that is not cpu parsed")
	}
}

func TestFmtKinds(t *testing.T) {
	tests := []struct {
		name string
		m    map[string]int
		want string
	}{
		{"none", nil, "none"},
		{"most first, then by name", map[string]int{"eof": 1, "refused": 3, "http 500": 1}, "refused 3, eof 1, http 500 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmtKinds(tt.m); got != tt.want {
				t.Errorf("fmtKinds = %q, want %q", got, tt.want)
			}
		})
	}
}
