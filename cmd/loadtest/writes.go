package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/incidentmap/incidentmap/geo/synth"
)

// runWrites is the read mix on a service with a store (SQLite, holding
// the data set as one import), beside -write-rate writes a second, each
// a POST of a new incident, at a random point and hour of the data set's
// area and year, through the write API. Writes change the data set, the
// summary and lists, and the tiles and views near them (views of a day,
// when of that day).
//
// It runs twice, each time for half the duration, its first half with
// reads alone and its second beside the writes: first with -conns
// closed-loop clients, the service at its limit; then in an open loop at
// -read-rate reads a second (half the closed loop's rate alone, when
// unset), the service at a rate it serves. At the limit, every cycle a
// write costs is taken from readers, and the figures say how much; at
// a rate it serves, the read p99 beside the writes must stay within
// twice the p99 without. Every write must be served within a second.
func runWrites(ctx context.Context, e *env) (result, error) {
	// A token writes at most 20 a second: the writes come from several
	// editors, as they would.
	svc, tokens, err := e.startStoreService(ctx, e.opts.writeRate/15+1)
	if err != nil {
		return result{}, err
	}
	defer svc.kill()
	d := e.opts.duration / 2
	// Before each pass, the mix alone, unmeasured: the first fills the
	// new service's cache, the second lets it draw what the first pass's
	// last writes changed, so that each pass starts as a service does.
	settle := func() { e.load(ctx, svc, time.Now(), settleFor, nil) }
	settle()
	closed := e.writesPass(ctx, svc, tokens, "closed", d, func(t0 time.Time) *loadRun { return e.load(ctx, svc, t0, d, nil) })
	settle()
	rate := e.opts.readRate
	if rate == 0 {
		rate = max(int(closed.quiet.rps/2), 1)
	}
	open := e.writesPass(ctx, svc, tokens, "open", d, func(t0 time.Time) *loadRun { return e.loadAt(ctx, svc, t0, d, rate) })

	r := result{summary: &open.busy, rss: append(closed.run.rss, open.run.rss...)}
	writes := fmt.Sprintf("beside %d writes/s", e.opts.writeRate)
	r.windows = []windowRow{
		{fmt.Sprintf("%d conns, reads alone", e.opts.conns), 0, d / 2, closed.quiet},
		{fmt.Sprintf("%d conns, %s", e.opts.conns, writes), d / 2, closed.run.elapsed, closed.busy},
		{fmt.Sprintf("%d reads/s, alone", rate), 0, d / 2, open.quiet},
		{fmt.Sprintf("%d reads/s, %s", rate, writes), d / 2, open.run.elapsed, open.busy},
	}
	classes := byClass(open.run.records)
	for c := range numClasses {
		if recs := classes[c]; len(recs) > 0 {
			r.classes = append(r.classes,
				classRow{fmt.Sprintf("%s at %d/s, alone", c, rate), summarise(recs, 0, d/2)},
				classRow{fmt.Sprintf("%s at %d/s, beside writes", c, rate), summarise(recs, d/2, open.run.elapsed)})
		}
	}
	ws := append(closed.writes, open.writes...)
	var lat []time.Duration
	failed := map[string]int{}
	for _, w := range ws {
		if w.status != http.StatusCreated {
			failed[w.kindOrStatus()]++
			continue
		}
		lat = append(lat, w.took)
	}
	slices.Sort(lat)
	writeMax := time.Duration(0)
	if len(lat) > 0 {
		writeMax = lat[len(lat)-1]
	}
	ratio := func(s *writesRun) string {
		return fmt.Sprintf("%s beside writes, %s alone (%.2f×)", round(s.busy.p99), round(s.quiet.p99), float64(s.busy.p99)/float64(s.quiet.p99))
	}
	r.figures = append(r.figures,
		figure{"writes", fmt.Sprintf("%d sent, %d created, p50 %s, p99 %s, max %s", len(ws), len(lat),
			round(percentile(lat, 50)), round(percentile(lat, 99)), round(writeMax))},
		figure{fmt.Sprintf("read p99 at the limit (%d conns)", e.opts.conns), ratio(closed)},
		figure{"CPU, closed loop", closed.run.cpu.value},
		figure{fmt.Sprintf("CPU, %d reads/s", rate), open.run.cpu.value})
	r.figures = append(r.figures, figure{fmt.Sprintf("drawn for a reader beside writes, at %d reads/s", rate), drawnForReaders(open)})
	if m, err := scrape(ctx, e.client, svc.base); err == nil {
		r.figures = append(r.figures, figure{"batches of writes, both passes", batchPhases(m)})
	}
	r.figures = append(r.figures, rssFigures(r.rss)...)
	r.checks = append(r.checks,
		noErrors(fmt.Sprintf("no read errors at %d reads/s", rate), summariseAll(open.run)),
		check{"every write created", len(ws) > 0 && len(failed) == 0, fmt.Sprintf("%d of %d (%s)", len(lat), len(ws), fmtKinds(failed))},
		check{"every write served within 1 s", len(lat) > 0 && writeMax <= time.Second, "max " + round(writeMax).String()},
		check{fmt.Sprintf("read p99 at %d reads/s beside writes within 2× of alone", rate), open.busy.p99 <= 2*open.quiet.p99, ratio(open)},
	)
	return r, nil
}

// settleFor is how long runWrites lets the service settle before a pass.
const settleFor = 5 * time.Second

// writesRun is one pass of runWrites: its reads, alone then beside the
// writes, and the writes.
type writesRun struct {
	run         *loadRun
	quiet, busy summary
	writes      []writeRecord
}

// writesPass runs reads (load, from its start for d) with writes in its
// second half, and profiles the service in each half when asked
// (-profiles), naming the files for pass.
func (e *env) writesPass(ctx context.Context, svc *service, tokens []string, pass string, d time.Duration, load func(t0 time.Time) *loadRun) *writesRun {
	t0 := time.Now()
	profiled := e.profilePass(ctx, svc, pass, t0, d)
	defer profiled()
	stop := make(chan struct{})
	writes := make(chan []writeRecord, 1)
	go func() {
		if err := sleepUntil(ctx, t0.Add(d/2)); err != nil {
			writes <- nil
			return
		}
		writes <- writeAt(ctx, newClient(2*e.opts.writeRate), svc.base, tokens, e.opts.writeRate, stop)
	}()
	run := load(t0)
	close(stop)
	w := &writesRun{run: run, writes: <-writes}
	w.quiet, w.busy = summarise(run.records, 0, d/2), summarise(run.records, d/2, run.elapsed)
	return w
}

// startStoreService makes a SQLite store holding the data set (the
// fixtures the store is seeded with, then the data set as one import)
// and n editors' tokens, and starts a service on it.
func (e *env) startStoreService(ctx context.Context, n int) (*service, []string, error) {
	db := filepath.Join(e.dir, "store.db")
	imp := exec.CommandContext(ctx, e.binary, "import", "-store", db, "-reason", "load test", e.data)
	if out, err := imp.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("import: %w\n%s", err, out)
	}
	var tokens []string
	for i := range n {
		var stdout, stderr bytes.Buffer
		tok := exec.CommandContext(ctx, e.binary, "token", "create", "-store", db, "-role", "editor", "-name", fmt.Sprintf("loadtest %d", i))
		tok.Stdout, tok.Stderr = &stdout, &stderr
		if err := tok.Run(); err != nil {
			return nil, nil, fmt.Errorf("token create: %w\n%s", err, stderr.Bytes())
		}
		tokens = append(tokens, strings.TrimSpace(stdout.String()))
	}
	args := []string{"-store", db}
	if e.opts.profiles != "" {
		port, err := freePort()
		if err != nil {
			return nil, nil, err
		}
		args = append(args, "-pprof", fmt.Sprintf("127.0.0.1:%d", port))
	}
	svc, err := e.startServiceOn(ctx, "store service", e.opts.cacheBytes, args...)
	if err != nil {
		return nil, nil, err
	}
	e.others = append(e.others, svc) // its log is summarised with the others'
	return svc, tokens, nil
}

// writeRecord is one write: how long it took and how it ended.
type writeRecord = record

// writeAt POSTs a new incident rate times a second, at a random point
// and hour of the data set's area and year, as its incidents are, with
// the tokens in turn, each from its own
// goroutine (an open loop: a slow write does not slow the next), until
// stop is closed, and returns every write.
func writeAt(ctx context.Context, c *http.Client, base string, tokens []string, rate int, stop <-chan struct{}) []writeRecord {
	var mu sync.Mutex
	var out []writeRecord
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	t0 := time.Now()
	rng := rand.New(rand.NewPCG(1, 2)) // the same points every run
	for i := 0; ; i++ {
		select {
		case <-stop:
			wg.Wait()
			return out
		case <-ctx.Done():
			wg.Wait()
			return out
		case <-tick.C:
		}
		p := [2]float64{
			synth.Area.MinLon + rng.Float64()*(synth.Area.MaxLon-synth.Area.MinLon),
			synth.Area.MinLat + rng.Float64()*(synth.Area.MaxLat-synth.Area.MinLat),
		}
		at := writesYear.Add(time.Duration(rng.IntN(365*24)) * time.Hour)
		wg.Go(func() {
			r := post(ctx, c, base+"/api/collections/incidents/items", tokens[i%len(tokens)], loadFeature(fmt.Sprintf("loadtest-%d-%d", t0.Unix(), i), p, at), t0)
			mu.Lock()
			out = append(out, r)
			mu.Unlock()
		})
	}
}

// post sends one write and records it.
func post(ctx context.Context, c *http.Client, url, token string, body []byte, t0 time.Time) writeRecord {
	start := time.Now()
	rec := writeRecord{start: start.Sub(t0), path: url}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		rec.errKind = err.Error()
		return rec
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/geo+json")
	resp, err := c.Do(req)
	if err != nil {
		rec.errKind = errKind(err)
		return rec
	}
	resp.Body.Close()
	rec.status, rec.took = resp.StatusCode, time.Since(start)
	return rec
}

// writesYear is the start of the year of synth's incidents, and of the
// writes'.
var writesYear = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)

// loadFeature is a new incident with id id at p, at.
func loadFeature(id string, p [2]float64, at time.Time) []byte {
	return []byte(`{"type":"Feature","id":"` + id + `","geometry":{"type":"Point","coordinates":[` + fmt.Sprintf("%.5f,%.5f", p[0], p[1]) + `]},"properties":{` +
		`"title":"Load test write","occurred_at":"` + at.Format(time.RFC3339) + `","time_precision":"hour","event_type":"drone_attack",` +
		`"actors":[],"site":null,"place":"Ain Al Asad Air Base","place_ar":"","admin1":"Al Anbar","country":"IQ",` +
		`"geo_precision":"near","injured":null,"killed":null,"summary":"","sources":[{"publisher":"Load test","title":"Load test",` +
		`"published_at":"2023-11-23T12:00:00Z","quote":"A write of the load test."}],"related":[]}}`)
}

// drawnForReaders says how many of the cached kinds of reads (all but
// radius queries) beside the writes were neither hits nor stale, so drawn
// while the reader waited, and the paths drawn most.
func drawnForReaders(w *writesRun) string {
	byPath := map[string]int{}
	n, all := 0, 0
	half := w.run.elapsed / 2
	for _, rec := range w.run.records {
		if rec.start < half || rec.class == classRadius || rec.errKind != "" {
			continue
		}
		all++
		if !rec.hit && !rec.stale {
			n++
			byPath[strings.SplitN(rec.path, "?", 2)[0]]++
		}
	}
	paths := slices.Collect(maps.Keys(byPath))
	slices.SortFunc(paths, func(a, b string) int { return cmp.Or(byPath[b]-byPath[a], strings.Compare(a, b)) })
	top := []string{}
	for _, p := range paths[:min(len(paths), 5)] {
		top = append(top, fmt.Sprintf("%s %d", p, byPath[p]))
	}
	return fmt.Sprintf("%d of %d; most: %s", n, all, strings.Join(top, ", "))
}

// batchPhases describes the service's batches of writes: how many, their
// writes, and the mean and bound of each phase's time.
func batchPhases(m metrics) string {
	n, writes, _, _, _ := m.histogram(series{name: metricBatchWrites})
	if n == 0 {
		return "none"
	}
	out := fmt.Sprintf("%.0f, %.1f writes each", n, writes/n)
	for _, phase := range []string{"handler", "checked", "queued", "pace", "slot", "build", "store"} {
		count, sum, p50, p90, upTo := m.histogram(series{metricBatches, map[string]string{"phase": phase}})
		if count == 0 {
			continue
		}
		out += fmt.Sprintf("; %s mean %s, half within %gs, 90%% within %gs, all within %gs",
			phase, round(time.Duration(sum/count*float64(time.Second))), p50, p90, upTo)
	}
	return out
}
