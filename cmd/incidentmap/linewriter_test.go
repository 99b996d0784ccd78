package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// gatedSink is a writer whose Writes wait for open, as a pipe whose
// reader is slow; entered says a Write has begun.
type gatedSink struct {
	open    chan struct{}
	entered chan struct{}
	mu      sync.Mutex
	buf     bytes.Buffer
	writes  int
}

func newGatedSink() *gatedSink {
	return &gatedSink{open: make(chan struct{}), entered: make(chan struct{}, 1)}
}

func (s *gatedSink) Write(p []byte) (int, error) {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	<-s.open
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.buf.Write(p)
}

func (s *gatedSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// Lines written at once from many goroutines all arrive, each whole and
// in its writer's order, once Close returns.
func TestLineWriterKeepsEveryLine(t *testing.T) {
	sink := newGatedSink()
	close(sink.open)
	lw := newLineWriter(sink, 4<<10) // small: writers also wait for the bound
	const writers, lines = 8, 500
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range lines {
				fmt.Fprintf(lw, "{\"writer\":%d,\"line\":%d}\n", g, i)
			}
		})
	}
	wg.Wait()
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers)
	got := strings.Split(strings.TrimSuffix(sink.String(), "\n"), "\n")
	for _, l := range got {
		var g, i int
		if _, err := fmt.Sscanf(l, "{\"writer\":%d,\"line\":%d}", &g, &i); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if i != next[g] {
			t.Fatalf("writer %d: line %d after %d", g, i, next[g]-1)
		}
		next[g]++
	}
	if len(got) != writers*lines {
		t.Errorf("%d lines, want %d", len(got), writers*lines)
	}
	if sink.writes >= writers*lines {
		t.Errorf("%d writes to the sink for %d lines: none were gathered", sink.writes, writers*lines)
	}
}

// While the sink takes its time, Write returns at once until maxBytes
// wait, then waits for the sink; nothing is lost.
func TestLineWriterWaitsOnlyPastItsBound(t *testing.T) {
	sink := newGatedSink()
	line := []byte(strings.Repeat("x", 99) + "\n")
	lw := newLineWriter(sink, 10*len(line))
	lw.Write(line) // the goroutine takes it to the sink, which holds it
	<-sink.entered
	for range 10 { // returns at once, or the test never ends
		lw.Write(line)
	}
	blocked := make(chan struct{})
	go func() {
		lw.Write(line)
		close(blocked)
	}()
	select {
	case <-blocked:
		t.Fatal("a Write past the bound returned while the sink held the lines before it")
	case <-time.After(100 * time.Millisecond):
	}
	close(sink.open)
	<-blocked
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := sink.String(), strings.Repeat(string(line), 12); got != want {
		t.Errorf("the sink got %d bytes, want %d", len(got), len(want))
	}
}
