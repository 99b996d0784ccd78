package cache

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
)

// Source says where Fetch found a value.
type Source string

// Sources of a value, fastest first.
const (
	FromMemory Source = "memory"
	FromRedis  Source = "redis"
	FromRender Source = "render"
)

// Cache is the two-tier cache: an LRU in front of an optional Redis.
type Cache struct {
	lru    *LRU
	redis  *Redis // nil: in-process tier only
	flight singleflight.Group
	// RenderTimeout bounds a render that concurrent requests share; it
	// does not end when the first of them goes away.
	renderTimeout time.Duration

	memoryHits, redisHits, renders, redisErrors atomic.Int64
}

// New returns a cache holding at most lruBytes in process, in front of
// redis when it is not nil.
func New(lruBytes int, redis *Redis) *Cache {
	return &Cache{lru: NewLRU(lruBytes), redis: redis, renderTimeout: 30 * time.Second}
}

// Fetch returns the value under key, rendering and storing it on a miss.
// Concurrent Fetches of one missing key share one Redis lookup and one
// render. Redis failures are counted and otherwise ignored: the value is
// rendered instead.
func (c *Cache) Fetch(ctx context.Context, key string, render func(context.Context) ([]byte, error)) ([]byte, Source, error) {
	return c.fetch(ctx, key, c.redis, render)
}

// FetchLocal is Fetch in the in-process tier alone: for values that only
// this replica would make (they depend on how a client reached it), which
// must not fill the shared tier.
func (c *Cache) FetchLocal(ctx context.Context, key string, render func(context.Context) ([]byte, error)) ([]byte, Source, error) {
	return c.fetch(ctx, key, nil, render)
}

func (c *Cache) fetch(ctx context.Context, key string, redis *Redis, render func(context.Context) ([]byte, error)) ([]byte, Source, error) {
	if val, ok := c.lru.Get(key); ok {
		c.memoryHits.Add(1)
		return val, FromMemory, nil
	}
	type result struct {
		val []byte
		src Source
	}
	v, err, _ := c.flight.Do(key, func() (any, error) {
		if val, ok := c.lru.Get(key); ok { // stored while we waited
			c.memoryHits.Add(1)
			return result{val, FromMemory}, nil
		}
		// The render is shared: it must outlive the request that started it.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.renderTimeout)
		defer cancel()
		if redis != nil {
			val, ok, err := redis.Get(ctx, key)
			c.countRedis(err)
			if ok {
				c.redisHits.Add(1)
				c.lru.Add(key, val)
				return result{val, FromRedis}, nil
			}
		}
		c.renders.Add(1)
		val, err := render(ctx)
		if err != nil {
			return nil, err
		}
		c.lru.Add(key, val)
		if redis != nil {
			c.countRedis(redis.Set(ctx, key, val))
		}
		return result{val, FromRender}, nil
	})
	if err != nil {
		return nil, FromRender, err
	}
	r := v.(result)
	return r.val, r.src, nil
}

// countRedis counts a Redis failure; a skip while Redis is known to be
// down is not a new failure.
func (c *Cache) countRedis(err error) {
	if err != nil && !errors.Is(err, ErrUnavailable) && !errors.Is(err, ErrTooLarge) {
		c.redisErrors.Add(1)
	}
}

// Peek returns the value under key when this process holds it, neither
// asking Redis nor rendering.
func (c *Cache) Peek(key string) ([]byte, bool) {
	return c.lru.Get(key)
}

// Held returns the value under key when this process holds it, counted
// as a memory hit as Fetch counts one; it neither asks Redis nor renders.
// It lets a caller answer a hit before it makes what a miss needs.
func (c *Cache) Held(key string) ([]byte, bool) {
	val, ok := c.lru.Get(key)
	if ok {
		c.memoryHits.Add(1)
	}
	return val, ok
}

// Redis returns the Redis tier, or nil when there is none.
func (c *Cache) Redis() *Redis { return c.redis }

// Stats are running totals since the cache was made.
type Stats struct {
	MemoryHits, RedisHits, RedisErrors int64
	// Renders counts misses: every miss in both tiers renders once.
	Renders              int64
	LRUEntries, LRUBytes int
}

// Stats returns the cache's running totals.
func (c *Cache) Stats() Stats {
	n, b := c.lru.Len()
	return Stats{
		MemoryHits: c.memoryHits.Load(), RedisHits: c.redisHits.Load(),
		Renders: c.renders.Load(), RedisErrors: c.redisErrors.Load(),
		LRUEntries: n, LRUBytes: b,
	}
}
