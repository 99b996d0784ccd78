package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// runLoadScenario is the plain load: the mix for the duration, every
// request answered.
func runLoadScenario(ctx context.Context, e *env) (result, error) {
	before, err := scrape(ctx, e.control, e.svc.base)
	if err != nil {
		return result{}, err
	}
	run := e.load(ctx, e.svc, time.Now(), e.opts.duration, nil)
	after, err := scrape(ctx, e.control, e.svc.base)
	if err != nil {
		return result{}, err
	}
	rd, err := ready(ctx, e.control, e.svc.base)
	if err != nil {
		return result{}, err
	}
	s := summariseAll(run)
	r := result{summary: &s, rss: run.rss}
	classes := byClass(run.records)
	for c := range numClasses {
		if recs := classes[c]; len(recs) > 0 {
			r.classes = append(r.classes, classRow{c.String(), summarise(recs, 0, run.elapsed)})
		}
	}
	r.figures = append(r.figures, serviceFigures(before, after)...)
	r.figures = append(r.figures, run.cpu)
	r.figures = append(r.figures, rssFigures(run.rss)...)
	r.figures = append(r.figures, figure{"/readyz after the run", fmt.Sprintf("cache %s, redis errors %d", rd.Cache.Status, rd.Cache.Redis.Errors)})
	r.figures = append(r.figures, slowFigure(run.records))
	r.checks = append(r.checks, noErrors("no errors", s))
	return r, nil
}

// runRedisOutage kills Redis a third of the way into a load run and starts
// it again 10 s later (a third of the run if that is shorter). A second service with no in-process tier (every
// request it serves asks Redis) is probed twice a second, to time when
// Redis serves hits again.
func runRedisOutage(ctx context.Context, e *env) (result, error) {
	outage := min(10*time.Second, e.opts.duration/3)
	probeSvc, err := e.startService(ctx, "probe", 0)
	if err != nil {
		return result{}, err
	}
	e.others = append(e.others, probeSvc)
	before, err := scrape(ctx, e.control, e.svc.base)
	if err != nil {
		return result{}, err
	}
	d := e.opts.duration
	t0 := time.Now()
	stopBg := e.background(ctx, t0, probeSvc.base)
	loadDone := make(chan *loadRun, 1)
	go func() { loadDone <- e.load(ctx, e.svc, t0, d, nil) }()

	if err := sleepUntil(ctx, t0.Add(d/3)); err != nil {
		return result{}, err
	}
	e.redis.kill()
	killedAt := time.Since(t0)
	if err := sleepUntil(ctx, t0.Add(killedAt+outage)); err != nil {
		return result{}, err
	}
	if err := e.redis.start(ctx); err != nil {
		return result{}, fmt.Errorf("restart redis: %w", err)
	}
	upAt := time.Since(t0)

	run := <-loadDone
	obs, probes := stopBg()
	after, err := scrape(ctx, e.control, e.svc.base)
	if err != nil {
		return result{}, err
	}
	probeSvc.kill()

	s := summariseAll(run)
	pre, during, post := summarise(run.records, 0, killedAt), summarise(run.records, killedAt, upAt), summarise(run.records, upAt, run.elapsed)
	r := result{summary: &s, rss: run.rss}
	r.windows = []windowRow{{"before", 0, killedAt, pre}, {"Redis down", killedAt, upAt, during}, {"after", upAt, run.elapsed, post}}
	r.figures = append(r.figures,
		figure{"Redis killed (SIGKILL) at", "t=" + fmtDur(killedAt)},
		figure{"Redis answering PING again at", fmt.Sprintf("t=%s (down %s; restarted empty, no persistence)", fmtDur(upAt), fmtDur(upAt-killedAt))},
	)
	r.figures = append(r.figures, serviceFigures(before, after)...)
	degradedAt, sawDegraded := firstAfter(obs, killedAt, func(o observation) bool { return o.cache == "degraded" })
	okAt, sawOK := firstAfter(obs, upAt, func(o observation) bool { return o.cache == "ok" })
	r.figures = append(r.figures,
		figure{"/readyz degraded after the kill", afterOrNever(degradedAt-killedAt, sawDegraded)},
		figure{"/readyz ok after Redis was back", afterOrNever(okAt-upAt, sawOK)},
	)
	hitsAtUp := lastBefore(obs, upAt).redisHits
	hitsAt, sawHits := firstAfter(obs, upAt, func(o observation) bool { return o.redisHits > hitsAtUp })
	r.figures = append(r.figures, figure{"service: redis-tier hits growing again after Redis was back", afterOrNever(hitsAt-upAt, sawHits) +
		" (needs keys set after the restart, evicted from the LRU, asked again)"})
	probeHit, sawProbeHit := firstProbeHit(probes, upAt)
	probeHitBefore, sawProbeHitBefore := firstProbeHit(probes, 0)
	r.figures = append(r.figures, figure{"probe (no LRU): first Redis hit after Redis was back", afterOrNever(probeHit-upAt, sawProbeHit)})

	r.figures = append(r.figures, slowFigure(run.records), run.cpu, rssSummary(run.rss))
	r.checks = append(r.checks,
		noErrors("no errors while Redis was down", during),
		noErrors("no errors in the whole run", s),
		riseCheck("while Redis was down", pre, during, post, e.opts.redisTimeout),
		check{"/readyz said degraded while Redis was down", sawDegraded && degradedAt < upAt, afterOrNever(degradedAt-killedAt, sawDegraded)},
		check{"/readyz ok within 5 s of Redis being back", sawOK && okAt-upAt <= 5*time.Second, afterOrNever(okAt-upAt, sawOK)},
		check{"probe had Redis hits before the kill", sawProbeHitBefore && probeHitBefore < killedAt, afterOrNever(probeHitBefore, sawProbeHitBefore)},
		check{"Redis hits again within 5 s of Redis being back (probe)", sawProbeHit && probeHit-upAt <= 5*time.Second, afterOrNever(probeHit-upAt, sawProbeHit)},
	)
	return r, nil
}

// runRedisSlow makes Redis sleep 5 s (DEBUG SLEEP) a third of the way into
// a load run: every call to it times out instead of failing fast.
func runRedisSlow(ctx context.Context, e *env) (result, error) {
	const sleep = 5 * time.Second
	return e.faultRun(ctx, "Redis asleep", false, func(ctx context.Context) (func() error, string, error) {
		args := []string{"-p", fmt.Sprint(e.redis.port), "DEBUG", "SLEEP", fmt.Sprint(sleep.Seconds())}
		cmd := exec.CommandContext(ctx, "redis-cli", args...)
		if err := cmd.Start(); err != nil {
			return nil, "", fmt.Errorf("redis-cli DEBUG SLEEP: %w", err)
		}
		return func() error {
			if err := cmd.Wait(); err != nil {
				return fmt.Errorf("redis-cli DEBUG SLEEP: %w", err)
			}
			return nil
		}, "redis-cli " + strings.Join(args, " "), nil
	})
}

// runRedisFull sets maxmemory to 1 MB with noeviction for the middle
// third of a load run: reads work, every write fails with OOM.
func runRedisFull(ctx context.Context, e *env) (result, error) {
	return e.faultRun(ctx, "Redis full", true, func(ctx context.Context) (func() error, string, error) {
		info, err := e.redis.cli(ctx, "INFO", "memory")
		if err != nil {
			return nil, "", err
		}
		for _, kv := range [][2]string{{"maxmemory-policy", "noeviction"}, {"maxmemory", "1mb"}} {
			if _, err := e.redis.cli(ctx, "CONFIG", "SET", kv[0], kv[1]); err != nil {
				return nil, "", err
			}
		}
		note := fmt.Sprintf("CONFIG SET maxmemory 1mb, maxmemory-policy noeviction, with used_memory %s; maxmemory 0 again at the end",
			infoField(info, "used_memory_human"))
		return func() error {
			if err := sleepFor(ctx, e.opts.duration/3); err != nil {
				return err
			}
			_, err := e.redis.cli(ctx, "CONFIG", "SET", "maxmemory", "0")
			return err
		}, note, nil
	})
}

// faultRun runs load, starts a fault a third of the way in, and waits for
// the function the fault returns, which ends it. It reports the run
// before, during and after the fault; wantRedisErrors asserts that the
// service counted Redis errors during the fault.
func (e *env) faultRun(ctx context.Context, label string, wantRedisErrors bool, fault func(context.Context) (end func() error, note string, err error)) (result, error) {
	before, err := scrape(ctx, e.control, e.svc.base)
	if err != nil {
		return result{}, err
	}
	d := e.opts.duration
	t0 := time.Now()
	stopBg := e.background(ctx, t0, "")
	loadDone := make(chan *loadRun, 1)
	go func() { loadDone <- e.load(ctx, e.svc, t0, d, nil) }()
	if err := sleepUntil(ctx, t0.Add(d/3)); err != nil {
		return result{}, err
	}
	from := time.Since(t0)
	end, note, err := fault(ctx)
	if err != nil {
		return result{}, err
	}
	if err := end(); err != nil {
		return result{}, err
	}
	to := time.Since(t0)
	run := <-loadDone
	obs, _ := stopBg()
	after, err := scrape(ctx, e.control, e.svc.base)
	if err != nil {
		return result{}, err
	}

	s := summariseAll(run)
	pre, during, post := summarise(run.records, 0, from), summarise(run.records, from, to), summarise(run.records, to, run.elapsed)
	r := result{summary: &s, rss: run.rss}
	r.windows = []windowRow{{"before", 0, from, pre}, {label, from, to, during}, {"after", to, run.elapsed, post}}
	obsFrom, obsTo := lastBefore(obs, from), lastBefore(obs, to)
	degraded, polls := 0, 0
	for _, o := range obs {
		if o.at >= from && o.at < to {
			polls++
			if o.cache == "degraded" {
				degraded++
			}
		}
	}
	r.figures = append(r.figures,
		figure{label, fmt.Sprintf("t=%s to t=%s: %s", fmtDur(from), fmtDur(to), note)},
		figure{"redis errors counted during " + label, fmt.Sprintf("+%.0f", obsTo.redisErrors-obsFrom.redisErrors)},
		figure{"redis-tier hits during " + label, fmt.Sprintf("+%.0f (before: +%.0f in %s)", obsTo.redisHits-obsFrom.redisHits,
			obsFrom.redisHits-before.value(metricRedisHits), fmtDur(from))},
		figure{"/readyz polls saying degraded during " + label, fmt.Sprintf("%d of %d", degraded, polls)},
	)
	r.figures = append(r.figures, serviceFigures(before, after)...)
	r.figures = append(r.figures, slowFigure(run.records), run.cpu, rssSummary(run.rss))
	r.checks = append(r.checks,
		noErrors("no errors during "+label, during),
		noErrors("no errors in the whole run", s),
		riseCheck("during "+label, pre, during, post, e.opts.redisTimeout),
	)
	if wantRedisErrors {
		r.checks = append(r.checks, check{"redis errors were counted during " + label, obsTo.redisErrors > obsFrom.redisErrors,
			fmt.Sprintf("+%.0f", obsTo.redisErrors-obsFrom.redisErrors)})
	}
	return r, nil
}

// infoField returns a field of redis-cli INFO output.
func infoField(info, name string) string {
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return "unknown"
}

func sleepUntil(ctx context.Context, t time.Time) error {
	return sleepFor(ctx, time.Until(t))
}

func sleepFor(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
