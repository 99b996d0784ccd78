package main

import (
	"context"
	"fmt"
	"time"
)

// runShutdown sends SIGTERM to the service under load. Requests that
// started before the signal must be answered, or refused at connect (they
// never reached the server); the process must exit within -grace.
func runShutdown(ctx context.Context, e *env) (result, error) {
	signalAt := min(e.opts.duration/2, 10*time.Second)
	t0 := time.Now()
	loadDone := make(chan *loadRun, 1)
	go func() { loadDone <- e.load(ctx, e.svc, t0, signalAt+e.opts.grace+5*time.Second, e.svc.exited) }()
	if err := sleepUntil(ctx, t0.Add(signalAt)); err != nil {
		return result{}, err
	}
	if err := e.svc.terminate(); err != nil {
		return result{}, err
	}
	sigAt := time.Since(t0)
	exited := false
	select {
	case <-e.svc.exited:
		exited = true
	case <-time.After(e.opts.grace + 5*time.Second):
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
	exitAfter := time.Since(t0) - sigAt
	run := <-loadDone
	e.svc.kill()

	var c shutdownCounts
	for _, rec := range run.records {
		c.add(rec, sigAt)
	}
	pre := summarise(run.records, 0, sigAt)
	r := result{summary: &pre, rss: run.rss}
	exitCode := "still running"
	if exited {
		exitCode = fmt.Sprintf("%v", e.svc.exitErr)
		if e.svc.exitErr == nil {
			exitCode = "0"
		}
	}
	r.figures = append(r.figures, run.cpu, rssSummary(run.rss),
		figure{"SIGTERM at", "t=" + fmtDur(sigAt)},
		figure{"process exited after SIGTERM", fmt.Sprintf("%s (exit status %s; -grace %s)", fmtDur(exitAfter), exitCode, e.opts.grace)},
		figure{"requests started before SIGTERM", fmt.Sprintf("%d answered, %d refused at connect (%d of them had been written to a kept-alive connection first), %d failed otherwise (%s)",
			c.beforeOK, c.beforeRefused, c.beforeRefusedWritten, sum(c.beforeOther), fmtKinds(c.beforeOther))},
		figure{"of these, in flight at SIGTERM (started before, ended after)", fmt.Sprintf("%d, %d answered", c.inFlight, c.inFlightOK)},
		figure{"requests started after SIGTERM", fmt.Sprintf("%d answered, %d refused at connect, %d failed otherwise (%s)",
			c.afterOK, c.afterRefused, sum(c.afterOther), fmtKinds(c.afterOther))},
	)
	r.checks = append(r.checks,
		check{"no request started before SIGTERM was cut off (reset, EOF, timeout)", sum(c.beforeOther) == 0, fmtKinds(c.beforeOther)},
		check{"every request started before SIGTERM answered", c.beforeRefused == 0 && sum(c.beforeOther) == 0,
			fmt.Sprintf("%d of %d answered; %d refused at connect after being written to a kept-alive connection the server closed as idle",
				c.beforeOK, c.beforeOK+c.beforeRefused+sum(c.beforeOther), c.beforeRefusedWritten)},
		check{fmt.Sprintf("exited within -grace (%s)", e.opts.grace), exited && exitAfter <= e.opts.grace, fmtDur(exitAfter)},
		check{"exit status 0", exited && e.svc.exitErr == nil, exitCode},
	)
	return r, nil
}

// shutdownCounts sorts the requests of a shutdown run by whether they
// started before the signal and how they ended.
type shutdownCounts struct {
	beforeOK, beforeRefused, beforeRefusedWritten int
	inFlight, inFlightOK                          int
	afterOK, afterRefused                         int
	beforeOther, afterOther                       map[string]int
}

func (c *shutdownCounts) add(rec record, sigAt time.Duration) {
	if c.beforeOther == nil {
		c.beforeOther, c.afterOther = map[string]int{}, map[string]int{}
	}
	started := rec.start < sigAt
	if started && rec.start+rec.took > sigAt {
		c.inFlight++
		if !rec.failed() {
			c.inFlightOK++
		}
	}
	switch {
	case !rec.failed() && started:
		c.beforeOK++
	case !rec.failed():
		c.afterOK++
	case rec.errKind == "refused" && started:
		c.beforeRefused++
		if rec.wrote {
			c.beforeRefusedWritten++
		}
	case rec.errKind == "refused":
		c.afterRefused++
	case started:
		c.beforeOther[rec.kind()]++
	default:
		c.afterOther[rec.kind()]++
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
