package api

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// renderSlots bounds the expensive renders (static maps, PNG tiles,
// overlays, exports) running at once, and how many requests may wait for
// one: past that, or past the wait, the answer is 503 with Retry-After
// rather than a queue that grows with the load. A render started inside
// another (the basemap tiles of a static map) runs in its parent's slot.
type renderSlots struct {
	slots    chan struct{}
	waiting  atomic.Int64
	maxWait  int64         // requests that may wait for a slot
	waitFor  time.Duration // how long one may wait
	rejected atomic.Int64
}

// newRenderSlots returns room for n renders at once, with up to 4n
// requests waiting at most waitFor each.
func newRenderSlots(n int, waitFor time.Duration) *renderSlots {
	n = max(n, 1)
	return &renderSlots{slots: make(chan struct{}, n), maxWait: int64(4 * n), waitFor: waitFor}
}

// inSlot marks a context whose render already holds a slot.
type inSlot struct{}

// busy is the problem of a full render queue.
func busy(retryAfter time.Duration) *Problem {
	return &Problem{
		Type:       "about:blank",
		Title:      http.StatusText(http.StatusServiceUnavailable),
		Status:     http.StatusServiceUnavailable,
		Detail:     "too many renders at once; retry after " + strconv.Itoa(int(retryAfter.Seconds())) + " s",
		RetryAfter: int(retryAfter.Seconds()),
	}
}

// do runs render in a slot (see hold).
func (rs *renderSlots) do(ctx context.Context, render func(context.Context) ([]byte, error)) ([]byte, error) {
	if ctx.Value(inSlot{}) != nil {
		return render(ctx)
	}
	release, err := rs.hold(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return render(context.WithValue(ctx, inSlot{}, true))
}

// hold takes a slot: at once when one is free, else after waiting (up to
// waitFor, when fewer than maxWait wait already), else it returns a 503
// problem. release gives the slot back.
func (rs *renderSlots) hold(ctx context.Context) (release func(), err error) {
	select {
	case rs.slots <- struct{}{}:
	default:
		if rs.waiting.Add(1) > rs.maxWait {
			rs.waiting.Add(-1)
			rs.rejected.Add(1)
			return nil, busy(time.Second)
		}
		t := time.NewTimer(rs.waitFor)
		select {
		case rs.slots <- struct{}{}:
			t.Stop()
			rs.waiting.Add(-1)
		case <-t.C:
			rs.waiting.Add(-1)
			rs.rejected.Add(1)
			return nil, busy(time.Second)
		case <-ctx.Done():
			t.Stop()
			rs.waiting.Add(-1)
			return nil, ctx.Err()
		}
	}
	return func() { <-rs.slots }, nil
}
