package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// MaxValueBytes is the largest value stored in Redis. A larger one
	// could not cross the wire within Timeout, and its timeout would read
	// as Redis being down.
	MaxValueBytes int
	// Logger receives a line when Redis becomes degraded, with the error,
	// and when it recovers. Nil logs nothing.
	Logger *slog.Logger
}

// Redis is the shared cache tier. After a failure it is skipped for
// RetryAfter, so a dead Redis costs one request in each interval a timeout
// and the others nothing.
type Redis struct {
	client *redis.Client
	cfg    RedisConfig

	skipUntil      atomic.Int64 // unix nanoseconds
	errors         atomic.Int64
	lastWriteError atomic.Int64 // unix nanoseconds of the last refused write

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
	if cfg.MaxValueBytes <= 0 {
		cfg.MaxValueBytes = 4 << 20
	}
	opt.DialTimeout = cfg.Timeout
	opt.ReadTimeout = cfg.Timeout
	opt.WriteTimeout = cfg.Timeout
	opt.PoolTimeout = cfg.Timeout
	opt.ContextTimeoutEnabled = true
	opt.MaxRetries = -1 // a retry would double the cost of a dead Redis
	// One dial attempt: with go-redis's default of five, a refused
	// connection costs the caller its whole timeout instead of a moment.
	opt.DialerRetries = 1
	opt.Protocol = 2 // RESP2: no HELLO round trip on each new connection
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

// ErrTooLarge is returned by Set for a value over MaxValueBytes.
var ErrTooLarge = errors.New("value too large for the Redis tier")

// Set stores val under key with the configured TTL. A write Redis refuses
// with an error reply (out of memory under noeviction, say) is a failed
// write, not a dead Redis: reads go on.
func (r *Redis) Set(ctx context.Context, key string, val []byte) error {
	if len(val) > r.cfg.MaxValueBytes {
		return ErrTooLarge
	}
	if r.skipping() {
		return ErrUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	err := r.client.Set(ctx, key, val, r.cfg.TTL).Err()
	var reply redis.Error
	switch {
	case err == nil:
		r.ok()
		return nil
	case errors.As(err, &reply):
		r.errors.Add(1)
		r.lastWriteError.Store(time.Now().UnixNano())
		r.mu.Lock()
		r.lastErr = fmt.Errorf("redis set: %w", err)
		r.mu.Unlock()
		return r.lastErr
	default:
		return r.fail(fmt.Errorf("redis set: %w", err))
	}
}

// writeErrorWindow is how long after a refused write Health reports that
// writes are failing.
const writeErrorWindow = 10 * time.Second

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
	OK            bool // answering reads and writes
	DegradedSince time.Time
	// WritesFailing is set when Redis refused a write in the last ten
	// seconds while still answering (full, read-only replica).
	WritesFailing bool
	LastError     string
	Errors        int64
}

// Health returns the tier's current health.
func (r *Redis) Health() Health {
	r.mu.Lock()
	defer r.mu.Unlock()
	writesFailing := time.Since(time.Unix(0, r.lastWriteError.Load())) < writeErrorWindow
	h := Health{OK: r.degradedSince.IsZero() && !writesFailing, DegradedSince: r.degradedSince,
		WritesFailing: writesFailing, Errors: r.errors.Load()}
	if r.lastErr != nil {
		h.LastError = r.lastErr.Error()
	}
	return h
}

// logger routes go-redis's own messages ("failed to dial after 1
// attempts") into the service's structured log.
type logger struct{ log *slog.Logger }

func (l logger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}

// SetLogger sends go-redis's messages to log instead of plain text on
// standard error. go-redis has one logger for the whole process.
func SetLogger(log *slog.Logger) {
	redis.SetLogger(logger{log})
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
		if r.cfg.Logger != nil {
			r.cfg.Logger.Warn("redis degraded", "err", err)
		}
	}
	return err
}

func (r *Redis) ok() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.degradedSince.IsZero() && r.cfg.Logger != nil {
		r.cfg.Logger.Info("redis recovered", "degraded_for", time.Since(r.degradedSince))
	}
	r.degradedSince = time.Time{}
}
