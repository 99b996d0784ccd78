package main

import (
	"io"
	"sync"
)

// lineWriter hands what is written to it (whole log lines, one per Write)
// to a goroutine of its own, which writes all that has gathered in one
// Write to w. A request's line then costs it a copy, not a write to
// stderr: the reader of a pipe (a log collector, the load test) that
// takes its time would otherwise hold the response, which is sent after
// the line is written. Beside 50 writes a second, such writes were the
// longest part of slow cache hits (docs/performance.md, "A thread that
// waited for the network").
//
// At most maxBytes wait: past that, Write waits for the goroutine, so
// no line is dropped and memory stays bounded. The lines waiting when
// the process is killed are lost; Close writes them on a clean exit.
// Lines keep their order, and each stays whole; against lines written
// to w directly (the logger's) they may be late by one Write.
type lineWriter struct {
	w        io.Writer
	maxBytes int

	mu      sync.Mutex
	drained *sync.Cond // the goroutine took what was waiting
	waiting []byte
	closed  bool
	wake    chan struct{} // something waits, or Close was called
	done    chan struct{} // the goroutine has written everything
}

// newLineWriter starts the goroutine writing to w, with at most maxBytes
// waiting.
func newLineWriter(w io.Writer, maxBytes int) *lineWriter {
	lw := &lineWriter{w: w, maxBytes: maxBytes, wake: make(chan struct{}, 1), done: make(chan struct{})}
	lw.drained = sync.NewCond(&lw.mu)
	go lw.run()
	return lw
}

// Write queues a copy of p, waiting only while maxBytes wait already.
// After Close, it writes p to w itself.
func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	for len(lw.waiting) > 0 && len(lw.waiting)+len(p) > lw.maxBytes && !lw.closed {
		lw.drained.Wait()
	}
	if lw.closed {
		lw.mu.Unlock()
		return lw.w.Write(p)
	}
	lw.waiting = append(lw.waiting, p...)
	lw.mu.Unlock()
	select {
	case lw.wake <- struct{}{}:
	default: // already woken: the goroutine takes p with the rest
	}
	return len(p), nil
}

// run writes what waits, as it comes, until Close.
func (lw *lineWriter) run() {
	defer close(lw.done)
	var spare []byte
	for range lw.wake {
		lw.mu.Lock()
		out := lw.waiting
		lw.waiting = spare[:0]
		closed := lw.closed
		lw.drained.Broadcast()
		lw.mu.Unlock()
		if len(out) > 0 {
			_, _ = lw.w.Write(out) // as the logger, a line that fails to write is dropped
		}
		spare = out
		if closed {
			return
		}
	}
}

// Close writes what waits and stops the goroutine; later Writes go to w
// directly.
func (lw *lineWriter) Close() error {
	lw.mu.Lock()
	if lw.closed {
		lw.mu.Unlock()
		<-lw.done
		return nil
	}
	lw.closed = true
	lw.drained.Broadcast()
	lw.mu.Unlock()
	select {
	case lw.wake <- struct{}{}:
	default: // a wake waits already: run takes it, and sees closed
	}
	<-lw.done
	return nil
}
