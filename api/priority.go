package api

import (
	"runtime"
	"sync"
)

// Background work (the build of a batch of writes, and the drawing again
// of what batches changed) runs on threads of lower CPU priority than the
// readers'. Beside 50 writes a second at 100,000 incidents it is about
// half of the process's CPU, in stretches of tens of milliseconds; at the
// readers' priority, a reader who came meanwhile waited for a core. At a
// lower one the kernel gives the core to the reader. But a Go thread
// running Go code holds one of the process's Ps, whatever its priority:
// the service (cmd/incidentmap) runs with BackgroundThreads Ps more than
// its default, so that readers keep as many as there are cores.
//
// A priority sets shares of a core, not when the core changes hands.
// Under EEVDF (Linux 6.12 and later, where a thread may ask for its
// slice), a woken thread takes the core from the running one at once
// when its slice is the shorter; with the same slice, a reader's thread
// woken beside a background thread could wait for the next tick (4 ms at
// 250 Hz). So the service's threads ask for the shortest slice
// (ShortenSlices, 0.1 ms) and the background threads keep the kernel's
// default (1.4 ms on two cores). Beside 50 writes a second, the readers'
// p99 was 1.7 to 2.5 times that of reads alone in eight runs; with short
// slices, within twice in 24 runs of 27 (docs/performance.md, "Short
// slices for the readers"), the three over at 2.02–2.05× with the
// machine at its slowest, and in 23 of 23 on a faster one, at 1.26–1.65×
// ("One gathering for a tile's formats").
//
// What a lower priority cannot help: the garbage collector stops each
// goroutine for a moment to scan its stack, a background one too, and
// waits meanwhile for the kernel to run its thread. In one trace a
// collection waited 50 ms for the build's goroutine, and a reader's
// goroutine, assisting it, with it.
//
// There are two threads, the process's for good: one builds, one draws,
// each started on first use and never ended. A thread whose priority was
// lowered must not go back to the Go runtime's pool, where a reader would
// inherit it, and must not end either: Linux sends a child process's
// "parent death signal" (PR_SET_PDEATHSIG, as exec.Cmd's Pdeathsig sets
// it) when the thread that started the child ends, so ending threads
// killed the PostgreSQL that a test had started.
//
// Only CPU work runs on them, never a wait for the network: a build
// computes the next data set, a drawing renders (belowReaders), and the
// cache, Redis and the store are asked from the goroutines around them.
// A goroutine locked to a thread that the network poller wakes is handed
// the poller's P by the thread that polled, which then sleeps (the
// runtime's startlockedm) with no other thread taking up the polling:
// while the locked goroutine ran, requests that came waited until it
// stopped, or for the runtime's monitor (sysmon, every 10 ms). Drawings
// that asked Redis from their thread held the readers' p99 beside 50
// writes a second at 3.4–4.9 ms, against 0.7–1.5 ms alone; rendering
// alone there, 1.7 ms (docs/performance.md, "A thread that waited for
// the network").

// BackgroundThreads is how many background threads there are: a build
// and a drawing at once, as the background slot allows (acquireBuild).
const BackgroundThreads = 2

// The background threads. A build is on a write's path, which must be
// served within a second: it runs five levels of nice below the process,
// about a third of the CPU share when the readers want it all; a drawing,
// which readers are served stale around, ten (about a tenth).
var (
	buildThread   = &lowThread{nice: 5}
	drawingThread = &lowThread{nice: 10}
)

// lowThread is a background thread: it runs jobs one at a time, nice
// levels below the process.
type lowThread struct {
	nice  int
	start sync.Once
	jobs  chan func()
}

// do runs f on the thread, and returns when f does.
func (t *lowThread) do(f func()) {
	t.start.Do(func() {
		t.jobs = make(chan func())
		go t.run()
	})
	done := make(chan struct{})
	t.jobs <- func() {
		defer close(done)
		f()
	}
	<-done
}

// run runs the thread's jobs, for good, on an OS thread of its own.
func (t *lowThread) run() {
	runtime.LockOSThread() // never unlocked: see above
	lowerThreadPriority(t.nice)
	for f := range t.jobs {
		f()
	}
}
