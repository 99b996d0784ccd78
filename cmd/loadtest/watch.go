package main

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// pollEvery is how often the fault scenarios read /readyz and /metrics.
const pollEvery = 500 * time.Millisecond

// observation is what the watcher saw at one moment.
type observation struct {
	at          time.Duration // since the watch began
	cache       string        // /readyz cache.status, or "error: ..."
	redisHits   float64
	redisErrors float64
}

// watch polls /readyz and /metrics every interval until ctx is done, and
// returns what it saw. Note that each /readyz pings Redis, and a good ping
// ends the service's skip-after-failure window early.
func watch(ctx context.Context, c *http.Client, base string, t0 time.Time, every time.Duration) []observation {
	var obs []observation
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		o := observation{at: time.Since(t0)}
		if r, err := ready(ctx, c, base); err != nil {
			o.cache = "error: " + err.Error()
		} else {
			o.cache = r.Cache.Status
		}
		if m, err := scrape(ctx, c, base); err == nil {
			o.redisHits, o.redisErrors = m.value(metricRedisHits), m.value(metricRedisErrors)
		}
		if ctx.Err() != nil {
			return obs
		}
		obs = append(obs, o)
		select {
		case <-ctx.Done():
			return obs
		case <-tick.C:
		}
	}
}

// background watches the service's /readyz and /metrics, and probes the
// service at probeBase unless it is empty, until the returned function is
// called, which returns what was seen.
func (e *env) background(ctx context.Context, t0 time.Time, probeBase string) func() ([]observation, []probe) {
	ctx, cancel := context.WithCancel(ctx)
	var obs []observation
	var probes []probe
	var wg sync.WaitGroup
	wg.Go(func() { obs = watch(ctx, e.control, e.svc.base, t0, pollEvery) })
	if probeBase != "" {
		wg.Go(func() { probes = probeRedis(ctx, e.control, probeBase, t0) })
	}
	return func() ([]observation, []probe) {
		cancel()
		wg.Wait()
		return obs, probes
	}
}

// probe is one request to the probe service.
type probe struct {
	at  time.Duration
	hit bool
}

// probeRedis asks the probe service, which has no in-process tier, for one
// cheap layer every pollEvery: X-Cache says whether Redis had it.
func probeRedis(ctx context.Context, c *http.Client, base string, t0 time.Time) []probe {
	var out []probe
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/layers/rings", nil)
		if err != nil {
			return out
		}
		at := time.Since(t0)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
			out = append(out, probe{at, resp.StatusCode == http.StatusOK && resp.Header.Get("X-Cache") == "hit"})
		}
		select {
		case <-ctx.Done():
			return out
		case <-tick.C:
		}
	}
}

// firstAfter returns the time of the first observation at or after t that
// satisfies ok.
func firstAfter(obs []observation, t time.Duration, ok func(observation) bool) (time.Duration, bool) {
	for _, o := range obs {
		if o.at >= t && ok(o) {
			return o.at, true
		}
	}
	return 0, false
}

// lastBefore returns the last observation before t, or the first one.
func lastBefore(obs []observation, t time.Duration) observation {
	var last observation
	for i, o := range obs {
		if i > 0 && o.at >= t {
			break
		}
		last = o
	}
	return last
}

// firstProbeHit returns when the probe first saw a Redis hit at or after t.
func firstProbeHit(probes []probe, t time.Duration) (time.Duration, bool) {
	for _, p := range probes {
		if p.at >= t && p.hit {
			return p.at, true
		}
	}
	return 0, false
}
