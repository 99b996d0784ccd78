package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// newClient returns a keep-alive client with at most conns connections.
// It asks for gzip itself where it wants it and never decompresses: the
// bytes are discarded, and decompressing would load our CPU, not theirs.
func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			MaxConnsPerHost:     conns,
			MaxIdleConnsPerHost: conns,
			MaxIdleConns:        conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		},
	}
}

// record is one request: when it started (since the run began), how long
// it took to the last byte, and how it ended.
type record struct {
	start, took time.Duration
	status      int
	class       class
	path        string
	hit         bool   // X-Cache: hit
	stale       bool   // X-Cache: stale (as it was before a write, while drawn again)
	wrote       bool   // the request was written to a connection at least once
	errKind     string // non-empty: the request got no (whole) response
}

// failed reports whether the request counts as an error: no response, or
// a status other than 2xx and 304.
func (r record) failed() bool {
	return r.errKind != "" || !(r.status >= 200 && r.status < 300 || r.status == http.StatusNotModified)
}

// kind names how a failed request failed.
func (r record) kind() string {
	if r.errKind != "" {
		return r.errKind
	}
	return fmt.Sprintf("http %d", r.status)
}

// kindOrStatus is the status, or how the request failed.
func (r record) kindOrStatus() string {
	if r.errKind != "" {
		return r.errKind
	}
	return fmt.Sprint(r.status)
}

// loadRun is the outcome of one load run.
type loadRun struct {
	start   time.Time
	elapsed time.Duration
	records []record // in no particular order
	rss     []rssSample
	cpu     figure
}

type rssSample struct {
	at    time.Duration
	bytes int64
}

// load runs conns closed-loop clients against svc from t0 for d, or until
// stop is closed, sampling the service's RSS before, every 5 s and after.
// Times in the run are measured from t0.
func (e *env) load(ctx context.Context, svc *service, t0 time.Time, d time.Duration, stop <-chan struct{}) *loadRun {
	return e.measure(svc, t0, func(run *loadRun) {
		per := make([][]record, e.opts.conns)
		var wg sync.WaitGroup
		for i := range per {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(i), uint64(run.start.UnixNano())))
				for running(ctx, stop, run.start, d) {
					r := do(e.client, svc.base, e.targets.pick(rng), run.start)
					per[i] = append(per[i], r)
					if r.errKind != "" {
						time.Sleep(5 * time.Millisecond) // a refused dial fails at once: do not spin
					}
				}
			})
		}
		wg.Wait()
		for _, p := range per {
			run.records = append(run.records, p...)
		}
	})
}

// maxInFlight bounds the requests an open-loop run has waiting at once;
// one more is an error ("overloaded"), not a goroutine.
const maxInFlight = 1024

// loadAt is load in an open loop: rate requests a second from the mix,
// each sent when its time comes whatever the ones before are doing, as
// readers arrive at a real site. The latency then measures the service
// at that rate, not at its limit.
func (e *env) loadAt(ctx context.Context, svc *service, t0 time.Time, d time.Duration, rate int) *loadRun {
	return e.measure(svc, t0, func(run *loadRun) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		inFlight := make(chan struct{}, maxInFlight)
		rng := rand.New(rand.NewPCG(7, uint64(run.start.UnixNano())))
		interval := time.Second / time.Duration(rate)
		for next := run.start; running(ctx, nil, run.start, d); next = next.Add(interval) {
			time.Sleep(time.Until(next))
			t := e.targets.pick(rng)
			select {
			case inFlight <- struct{}{}:
			default:
				mu.Lock()
				run.records = append(run.records, record{start: time.Since(run.start), class: t.class, path: t.path, errKind: "overloaded"})
				mu.Unlock()
				continue
			}
			wg.Go(func() {
				defer func() { <-inFlight }()
				r := do(e.client, svc.base, t, run.start)
				mu.Lock()
				run.records = append(run.records, r)
				mu.Unlock()
			})
		}
		wg.Wait()
	})
}

// measure runs drive, which fills run.records, sampling the service's
// RSS before, every 5 s and after, and its CPU over the run.
func (e *env) measure(svc *service, t0 time.Time, drive func(run *loadRun)) *loadRun {
	run := &loadRun{start: t0}
	cpu0 := takeCPU(svc, e.redis.pid())
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			if b, err := svc.rss(); err == nil {
				run.rss = append(run.rss, rssSample{time.Since(run.start), b})
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	drive(run)
	run.elapsed = time.Since(run.start)
	run.cpu = cpuFigure(cpu0, takeCPU(svc, e.redis.pid()), runtime.NumCPU())
	close(done)
	<-sampled
	if b, err := svc.rss(); err == nil {
		run.rss = append(run.rss, rssSample{run.elapsed, b})
	}
	return run
}

func running(ctx context.Context, stop <-chan struct{}, start time.Time, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-stop:
		return false
	default:
		return time.Since(start) < d
	}
}

// do makes one request and reads the whole body.
func do(c *http.Client, base string, t target, t0 time.Time) record {
	start := time.Now()
	rec := record{start: start.Sub(t0), class: t.class, path: t.path}
	req, err := http.NewRequest(http.MethodGet, base+t.path, nil)
	if err != nil {
		rec.errKind = "request: " + err.Error()
		return rec
	}
	if t.gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	var wrote atomic.Bool // set on the transport's goroutine
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(w httptrace.WroteRequestInfo) {
			if w.Err == nil {
				wrote.Store(true)
			}
		},
	}))
	resp, err := c.Do(req)
	rec.wrote = wrote.Load()
	if err != nil {
		rec.took, rec.errKind = time.Since(start), errKind(err)
		return rec
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	rec.took = time.Since(start)
	if err != nil {
		rec.errKind = "body: " + errKind(err)
		return rec
	}
	rec.status = resp.StatusCode
	rec.hit = resp.Header.Get("X-Cache") == "hit"
	rec.stale = resp.Header.Get("X-Cache") == "stale"
	return rec
}

// errKind names a transport error briefly: refused, reset, eof, timeout,
// or the error itself.
func errKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "eof"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return err.Error()
}

// summary is the figures of a set of requests.
type summary struct {
	requests, errors   int
	rps                float64
	p50, p90, p99, max time.Duration
	hitRatio           float64 // of answered requests, the share with X-Cache: hit
	staleRatio         float64 // and the share with X-Cache: stale
	errKinds           map[string]int
}

// summarise sums up the records that started in [from, to).
func summarise(recs []record, from, to time.Duration) summary {
	s := summary{errKinds: map[string]int{}}
	var lat []time.Duration
	hits, stale := 0, 0
	for _, r := range recs {
		if r.start < from || r.start >= to {
			continue
		}
		s.requests++
		if r.failed() {
			s.errors++
			s.errKinds[r.kind()]++
		}
		if r.errKind == "" {
			lat = append(lat, r.took)
			if r.hit {
				hits++
			}
			if r.stale {
				stale++
			}
		}
	}
	if secs := (to - from).Seconds(); secs > 0 {
		s.rps = float64(s.requests) / secs
	}
	slices.Sort(lat)
	s.p50, s.p90, s.p99 = percentile(lat, 50), percentile(lat, 90), percentile(lat, 99)
	if len(lat) > 0 {
		s.max = lat[len(lat)-1]
		s.hitRatio = float64(hits) / float64(len(lat))
		s.staleRatio = float64(stale) / float64(len(lat))
	}
	return s
}

// summariseAll sums up a whole run.
func summariseAll(run *loadRun) summary {
	return summarise(run.records, 0, run.elapsed)
}

// percentile returns the p-th percentile (nearest rank) of sorted
// latencies, or 0 when there are none.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// slowest returns the n slowest records.
func slowest(recs []record, n int) []record {
	out := slices.Clone(recs)
	slices.SortFunc(out, func(a, b record) int { return cmp.Compare(b.took, a.took) })
	return out[:min(n, len(out))]
}

// byClass splits records by what they asked for.
func byClass(recs []record) map[class][]record {
	m := map[class][]record{}
	for _, r := range recs {
		m[r.class] = append(m[r.class], r)
	}
	return m
}
