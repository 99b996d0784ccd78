package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// noErrors is the check that s has no failed requests.
func noErrors(name string, s summary) check {
	return check{name, s.errors == 0 && s.requests > 0, fmt.Sprintf("%d errors of %d requests (%s)", s.errors, s.requests, fmtKinds(s.errKinds))}
}

// riseCheck is the check that the fault window's p99 exceeds the worse of
// the windows before and after it by at most limit. On a busy machine p99
// moves by more than a Redis timeout between windows without any fault;
// comparing with both unaffected windows keeps that noise out of the
// verdict while still catching a fault that costs every request the limit.
func riseCheck(during string, pre, fault, post summary, limit time.Duration) check {
	base := max(pre.p99, post.p99)
	return check{
		fmt.Sprintf("p99 %s ≤ max(p99 before, p99 after) + -redis-timeout (%s)", during, limit),
		fault.p99-base <= limit,
		fmt.Sprintf("p99 before %s, %s %s (%s on before), after %s", fmtDur(pre.p99), during, fmtDur(fault.p99),
			fmtRise(fault.p99-pre.p99), fmtDur(post.p99)),
	}
}

// serviceFigures are the service's own counters' growth between two
// scrapes: the cache tiers, and the requests its handlers took over 1 s
// (which tells a slow handler from a client-side stall).
func serviceFigures(before, after metrics) []figure {
	d := func(s series) float64 { return after.value(s) - before.value(s) }
	return []figure{
		{"cache (from /metrics)", fmt.Sprintf("memory hits +%.0f, redis hits +%.0f, misses (renders) +%.0f, redis errors +%.0f",
			d(metricMemoryHits), d(metricRedisHits), d(metricMisses), d(metricRedisErrors))},
		{"requests the service took over 1 s / 250 ms to handle (its histogram)", fmt.Sprintf("%.0f / %.0f",
			after.slowerThan(1)-before.slowerThan(1), after.slowerThan(0.25)-before.slowerThan(0.25))},
	}
}

// slowFigure names the slowest requests of a run.
func slowFigure(recs []record) figure {
	var parts []string
	for _, r := range slowest(recs, 3) {
		parts = append(parts, fmt.Sprintf("%s at t=%s: %s (%s)", fmtDur(r.took), fmtDur(r.start), r.path, r.kindOrStatus()))
	}
	return figure{"slowest requests", strings.Join(parts, "; ")}
}

// rssSummary is the service's resident memory before, at its peak and
// after a run.
func rssSummary(samples []rssSample) figure {
	f := figure{"RSS before / peak / after", "no samples"}
	if len(samples) > 0 {
		f.value = fmt.Sprintf("%s / %s / %s", fmtMiB(samples[0].bytes), fmtMiB(peakRSS(samples)), fmtMiB(samples[len(samples)-1].bytes))
	}
	return f
}

func peakRSS(samples []rssSample) int64 {
	var peak int64
	for _, s := range samples {
		peak = max(peak, s.bytes)
	}
	return peak
}

// rssFigures are rssSummary and every sample.
func rssFigures(samples []rssSample) []figure {
	var series []string
	for _, s := range samples {
		series = append(series, fmt.Sprintf("%s: %s", fmtDur(s.at.Round(time.Second)), fmtMiB(s.bytes)))
	}
	return []figure{rssSummary(samples), {"RSS samples", strings.Join(series, ", ")}}
}

// afterOrNever shows a delay, or that the event was never seen.
func afterOrNever(d time.Duration, seen bool) string {
	if !seen {
		return "never seen"
	}
	return "after " + fmtDur(d)
}

// fmtKinds shows counts by kind, most first: "refused 3, eof 1", or "none".
func fmtKinds(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	kinds := slices.Collect(maps.Keys(m))
	slices.SortFunc(kinds, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}
