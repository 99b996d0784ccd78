package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// ErrUnavailable is returned, without a round trip, while Redis is being
// skipped after a failure.
var ErrUnavailable = errors.New("redis skipped after a recent failure")

// RedisConfig configures the Redis tier.
type RedisConfig struct {
	URL string // redis://host:port/db
	// Timeout bounds every Redis call, dial included. A dead or slow Redis
	// costs a request at most this.
	Timeout time.Duration
	// RetryAfter is how long Redis is skipped after a failure before the
	// next request tries it again.
	RetryAfter time.Duration
	// TTL is how long a value lives in Redis. Keys carry the data version,
	// so stale values are never read; the TTL only frees their memory.
	TTL time.Duration
}

// Redis is the shared cache tier. After a failure it is skipped for
// RetryAfter, so a dead Redis costs one request in each interval a timeout
// and the others nothing.
type Redis struct {
	client *redis.Client
	cfg    RedisConfig

	skipUntil atomic.Int64 // unix nanoseconds
	errors    atomic.Int64

	mu            sync.Mutex
	lastErr       error
	degradedSince time.Time // zero while healthy
}

// NewRedis returns a Redis tier for cfg.URL. It does not connect until used.
func NewRedis(cfg RedisConfig) (*Redis, error) {
	opt, err := redis.ParseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 50 * time.Millisecond
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = time.Second
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 24 * time.Hour
	}
	opt.DialTimeout = cfg.Timeout
	opt.ReadTimeout = cfg.Timeout
	opt.WriteTimeout = cfg.Timeout
	opt.PoolTimeout = cfg.Timeout
	opt.ContextTimeoutEnabled = true
	opt.MaxRetries = -1 // a retry would double the cost of a dead Redis
	opt.Protocol = 2    // RESP2: no HELLO round trip on each new connection
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return &Redis{client: redis.NewClient(opt), cfg: cfg}, nil
}

// Get returns the value under key, whether it was there, and an error when
// Redis could not be asked.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if r.skipping() {
		return nil, false, ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	val, err := r.client.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		r.ok()
		return nil, false, nil
	}
	if err != nil {
		return nil, false, r.fail(fmt.Errorf("redis get: %w", err))
	}
	r.ok()
	return val, true, nil
}

// Set stores val under key with the configured TTL.
func (r *Redis) Set(ctx context.Context, key string, val []byte) error {
	if r.skipping() {
		return ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	if err := r.client.Set(ctx, key, val, r.cfg.TTL).Err(); err != nil {
		return r.fail(fmt.Errorf("redis set: %w", err))
	}
	r.ok()
	return nil
}

// Ping asks Redis whether it answers, regardless of any skip, and updates
// the health it reports.
func (r *Redis) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	if err := r.client.Ping(ctx).Err(); err != nil {
		return r.fail(fmt.Errorf("redis ping: %w", err))
	}
	r.ok()
	r.skipUntil.Store(0)
	return nil
}

// Health describes the Redis tier for /readyz.
type Health struct {
	OK            bool
	DegradedSince time.Time
	LastError     string
	Errors        int64
}

// Health returns the tier's current health.
func (r *Redis) Health() Health {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := Health{OK: r.degradedSince.IsZero(), DegradedSince: r.degradedSince, Errors: r.errors.Load()}
	if r.lastErr != nil {
		h.LastError = r.lastErr.Error()
	}
	return h
}

// Close closes the connections to Redis.
func (r *Redis) Close() error { return r.client.Close() }

func (r *Redis) skipping() bool {
	return time.Now().UnixNano() < r.skipUntil.Load()
}

func (r *Redis) fail(err error) error {
	r.errors.Add(1)
	r.skipUntil.Store(time.Now().Add(r.cfg.RetryAfter).UnixNano())
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastErr = err
	if r.degradedSince.IsZero() {
		r.degradedSince = time.Now()
	}
	return err
}

func (r *Redis) ok() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.degradedSince = time.Time{}
}
