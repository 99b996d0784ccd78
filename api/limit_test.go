package api

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestRenderSlots(t *testing.T) {
	rs := newRenderSlots(2, 50*time.Millisecond)
	release := make(chan struct{})
	hold := func(ctx context.Context) ([]byte, error) { <-release; return []byte("held"), nil }
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, err := rs.do(context.Background(), hold); err != nil {
				t.Errorf("a render with a free slot: %v", err)
			}
		})
	}
	for len(rs.slots) < 2 {
		time.Sleep(time.Millisecond)
	}

	// Full: a third render waits its while, then is refused with 503.
	start := time.Now()
	_, err := rs.do(context.Background(), func(context.Context) ([]byte, error) { return nil, nil })
	var p *Problem
	if !errors.As(err, &p) || p.Status != 503 || p.RetryAfter < 1 {
		t.Fatalf("full: err %v, want a 503 problem with Retry-After", err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("refused after %v, before its wait of 50ms", waited)
	}

	// The waiting room holds 4n: the next is refused without waiting.
	rs.waitFor = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	var waiters sync.WaitGroup
	for range 8 {
		waiters.Go(func() { _, _ = rs.do(ctx, hold) })
	}
	for rs.waiting.Load() < 8 {
		time.Sleep(time.Millisecond)
	}
	start = time.Now()
	if _, err := rs.do(context.Background(), hold); !errors.As(err, &p) || p.Status != 503 {
		t.Errorf("ninth waiter: %v, want 503", err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Errorf("ninth waiter refused after %v; want at once", waited)
	}
	cancel() // the waiters give up with their requests
	waiters.Wait()
	if n := rs.waiting.Load(); n != 0 {
		t.Errorf("%d still counted as waiting", n)
	}

	// A render inside a render runs in its parent's slot, even when all
	// are taken: a static map's basemap tiles cannot deadlock it.
	inner := context.WithValue(context.Background(), inSlot{}, true)
	if b, err := rs.do(inner, func(context.Context) ([]byte, error) { return []byte("ok"), nil }); err != nil || string(b) != "ok" {
		t.Errorf("nested render: %q, %v", b, err)
	}
	close(release)
	wg.Wait()
	if len(rs.slots) != 0 {
		t.Errorf("%d slots still taken", len(rs.slots))
	}
}
