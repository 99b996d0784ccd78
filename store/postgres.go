package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// OpenPostgres opens the PostgreSQL store at url (postgres://…), for
// several replicas on one database, and brings its schema up to date.
// Commits take a transaction-scoped advisory lock, so the replicas' writes
// get one revision number each, in turn, and announce it to the others
// (Watch).
func OpenPostgres(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	// A connection is pinged before each reuse, not only after a second
	// idle (the default): a restart of PostgreSQL closes every connection,
	// and the first query on one used in the second before would fail
	// (a write's 503) rather than take a new one. A ping is one round
	// trip on a connection taken from the pool, not on every statement
	// of a transaction.
	db := stdlib.OpenDB(*cfg, stdlib.OptionShouldPing(func(context.Context, stdlib.ShouldPingParams) bool { return true }))
	s := &Store{db: db, lock: func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, commitLock)
		return err
	}, listenURL: url}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := s.start(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// commitLock is the advisory lock commits take: any number, the same on
// every replica.
const commitLock = 0x696e6369 // "inci"
