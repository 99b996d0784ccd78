package store

import (
	"context"
	"database/sql"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// A new revision is announced to the other processes on the store, so
// that replicas serve a write at once rather than at their next poll:
// on PostgreSQL, each commit notifies headChannel (NOTIFY, delivered
// when the transaction commits, and only then) with the revision, and a
// Watch listens for it on a connection of its own. SQLite has no such
// thing: its readers poll Head.

// headChannel is the PostgreSQL notification channel of new revisions.
// Channels are per database, not per schema: stores in other schemas of
// one database wake each other, which costs a Head each, nothing more.
const headChannel = "incidentmap_head"

// announce tells the other processes on the store, once tx commits, that
// it made revision rev.
func (s *Store) announce(ctx context.Context, tx *sql.Tx, rev int64) error {
	if s.listenURL == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, headChannel, strconv.FormatInt(rev, 10))
	return err
}

// Watch tells of new revisions made by any process on the store.
type Watch struct {
	// C receives when the store may have a new revision: one another
	// process (or this one) committed, or the watch (re)connected and may
	// have missed some. Receipts are coalesced; C is nil (never
	// receives) for a store that cannot tell, which its caller polls.
	C <-chan struct{}

	listening atomic.Bool
}

// Listening reports whether the watch is listening now: while it is, a
// new revision is told on C; while it is not (SQLite, or PostgreSQL
// unreachable), polling Head is the only way to learn of one.
func (w *Watch) Listening() bool { return w.listening.Load() }

// Watch returns a watch of the store's new revisions, kept until ctx
// ends. On PostgreSQL it listens on a connection of its own, opened
// again (after 50 ms, doubling to half a second: a replica so hears of
// commits again within that of PostgreSQL coming back) whenever it is lost.
func (s *Store) Watch(ctx context.Context) *Watch {
	w := &Watch{}
	if s.listenURL == "" {
		return w
	}
	c := make(chan struct{}, 1)
	w.C = c
	wake := func() {
		select {
		case c <- struct{}{}:
		default: // one is pending already
		}
	}
	go func() {
		backoff := 50 * time.Millisecond
		for ctx.Err() == nil {
			start := time.Now()
			if err := s.listen(ctx, w, wake); err == nil && time.Since(start) > time.Second {
				backoff = 50 * time.Millisecond // it listened a while: try again at once
				continue
			}
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 500*time.Millisecond)
		}
	}()
	return w
}

// listen connects, listens and wakes on every notification until the
// connection fails or ctx ends. Its error is one of connecting: once
// listening, a lost connection ends it with nil.
func (s *Store) listen(ctx context.Context, w *Watch, wake func()) error {
	connectCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := pgx.Connect(connectCtx, s.listenURL)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+headChannel); err != nil {
		return err
	}
	w.listening.Store(true)
	defer w.listening.Store(false)
	wake() // what was committed while no one listened
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return nil
		}
		wake()
	}
}
