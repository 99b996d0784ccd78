package api

import (
	"context"
	"time"
)

// followBackstop is how often a server that hears the store's
// notifications asks it for its head all the same: a connection can die
// without either end noticing for a while, and what was missed is then
// served within this.
const followBackstop = 5 * time.Second

// catchUpTimes returns a function that waits until the server should
// ask the store for a newer revision, and reports false once ctx ends.
// On PostgreSQL that is when the store tells of a commit (store.Watch),
// so a replica serves another's write within the time it takes to load
// it; else (SQLite, or PostgreSQL's notifications not heard) every
// interval, and every followBackstop beside the notifications.
func (s *Server) catchUpTimes(ctx context.Context, interval time.Duration) func() bool {
	watch := s.writer.store.Watch(ctx)
	t := time.NewTicker(interval)
	context.AfterFunc(ctx, t.Stop)
	var last time.Time
	return func() bool {
		for {
			select {
			case <-ctx.Done():
				return false
			case <-watch.C:
				// A write of this server's own is what the store tells of
				// first, before the write has swapped its data set in: wait
				// for it, rather than load what it is about to serve.
				s.writer.lock()
				s.writer.unlock()
			case <-t.C:
				if watch.Listening() && time.Since(last) < followBackstop {
					continue
				}
			}
			last = time.Now()
			return true
		}
	}
}
