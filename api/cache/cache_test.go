package cache_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/api/cache/cachetest"
)

// uniqueKey returns a key no other test run has used, so tests sharing one
// Redis do not see each other's values.
func uniqueKey(t testing.TB, name string) string {
	return fmt.Sprintf("incidentmap-test:%s:%d:%s", t.Name(), rand.Int64(), name)
}

func newRedis(t testing.TB, url string, timeout time.Duration) *cache.Redis {
	t.Helper()
	r, err := cache.NewRedis(cache.RedisConfig{URL: url, Timeout: timeout, RetryAfter: 100 * time.Millisecond, TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// renderer returns a render func that counts its calls.
func renderer(val string, calls *atomic.Int64) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) {
		calls.Add(1)
		return []byte(val), nil
	}
}

func TestLRUEvictsByBytes(t *testing.T) {
	c := cache.NewLRU(1000)
	val := make([]byte, 100)
	for i := range 20 {
		c.Add(fmt.Sprintf("k%02d", i), val)
	}
	n, b := c.Len()
	if b > 1000 {
		t.Errorf("holds %d bytes, limit 1000", b)
	}
	if n != 1000/(100+3) {
		t.Errorf("holds %d entries, want %d", n, 1000/(100+3))
	}
	if _, ok := c.Get("k00"); ok {
		t.Error("oldest entry k00 survived")
	}
	if _, ok := c.Get("k19"); !ok {
		t.Error("newest entry k19 was evicted")
	}
	c.Add("big", make([]byte, 200)) // over an eighth of the cache
	if _, ok := c.Get("big"); ok {
		t.Error("a value over an eighth of the cache was stored")
	}
}

func TestLRUKeepsRecentlyUsed(t *testing.T) {
	c := cache.NewLRU(8 * 101) // eight one-letter keys with 100-byte values
	for _, k := range "abcdefgh" {
		c.Add(string(k), make([]byte, 100))
	}
	c.Get("a") // a is now the most recent; b the least
	c.Add("i", make([]byte, 100))
	if _, ok := c.Get("b"); ok {
		t.Error("b, least recently used, survived")
	}
	if _, ok := c.Get("a"); !ok {
		t.Error("a, recently used, was evicted")
	}
}

func TestFetchRendersOnceForConcurrentMisses(t *testing.T) {
	for _, withRedis := range []bool{false, true} {
		t.Run(fmt.Sprintf("redis=%v", withRedis), func(t *testing.T) {
			var r *cache.Redis
			if withRedis {
				r = newRedis(t, cachetest.RedisURL(t), 200*time.Millisecond)
			}
			c := cache.New(1<<20, r)
			key := uniqueKey(t, "stampede")
			var calls atomic.Int64
			release := make(chan struct{})
			slow := func(context.Context) ([]byte, error) {
				calls.Add(1)
				<-release
				return []byte("rendered"), nil
			}
			var wg sync.WaitGroup
			errs := make(chan error, 200)
			for range 200 {
				wg.Go(func() {
					val, _, err := c.Fetch(context.Background(), key, slow)
					if err == nil && string(val) != "rendered" {
						err = fmt.Errorf("got %q", val)
					}
					errs <- err
				})
			}
			time.Sleep(50 * time.Millisecond) // let the 200 pile up on the one render
			close(release)
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("rendered %d times for 200 concurrent misses, want 1", n)
			}
			if s := c.Stats(); s.Renders != 1 {
				t.Errorf("Stats.Renders = %d, want 1", s.Renders)
			}
		})
	}
}

func TestFetchSharesValuesThroughRedis(t *testing.T) {
	url := cachetest.RedisURL(t)
	key := uniqueKey(t, "shared")
	var calls atomic.Int64
	replicaA := cache.New(1<<20, newRedis(t, url, 200*time.Millisecond))
	replicaB := cache.New(1<<20, newRedis(t, url, 200*time.Millisecond))

	if _, src, err := replicaA.Fetch(context.Background(), key, renderer("v1", &calls)); err != nil || src != cache.FromRender {
		t.Fatalf("first fetch: src %q, err %v; want render", src, err)
	}
	val, src, err := replicaB.Fetch(context.Background(), key, renderer("other", &calls))
	if err != nil || src != cache.FromRedis || string(val) != "v1" {
		t.Fatalf("other replica: %q from %q, err %v; want v1 from redis", val, src, err)
	}
	val, src, _ = replicaB.Fetch(context.Background(), key, renderer("other", &calls))
	if src != cache.FromMemory || string(val) != "v1" {
		t.Fatalf("third fetch: %q from %q; want v1 from memory", val, src)
	}
	if calls.Load() != 1 {
		t.Errorf("rendered %d times, want 1", calls.Load())
	}
}

func TestFetchSurvivesRedisGoingAway(t *testing.T) {
	proxy, url := cachetest.NewProxy(t, cachetest.RedisURL(t))
	r := newRedis(t, url, 50*time.Millisecond)
	c := cache.New(1<<20, r)
	ctx := context.Background()
	var calls atomic.Int64

	before := uniqueKey(t, "before")
	if _, src, err := c.Fetch(ctx, before, renderer("a", &calls)); err != nil || src != cache.FromRender {
		t.Fatalf("with Redis up: src %q err %v", src, err)
	}
	if !r.Health().OK {
		t.Fatalf("health with Redis up: %+v", r.Health())
	}

	proxy.Cut()
	during := uniqueKey(t, "during")
	for i := range 5 {
		val, _, err := c.Fetch(ctx, fmt.Sprintf("%s-%d", during, i), renderer("b", &calls))
		if err != nil || string(val) != "b" {
			t.Fatalf("with Redis down, fetch %d: %q, %v; want the rendered value", i, val, err)
		}
	}
	h := r.Health()
	if h.OK || h.DegradedSince.IsZero() || h.LastError == "" {
		t.Errorf("health with Redis down: %+v; want degraded with an error", h)
	}
	if s := c.Stats(); s.RedisErrors == 0 {
		t.Error("no Redis errors counted while Redis was down")
	}
	if err := r.Ping(ctx); err == nil {
		t.Error("Ping succeeded through a cut proxy")
	}

	proxy.Restore(t)
	time.Sleep(150 * time.Millisecond) // past RetryAfter
	// The value stored before the cut is still in Redis: a new replica
	// (empty LRU) finds it there once Redis answers again.
	fresh := cache.New(1<<20, r)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, src, err := fresh.Fetch(ctx, before, renderer("again", &calls))
		if err != nil {
			t.Fatal(err)
		}
		if src == cache.FromRedis {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis not used again within 5s of coming back (last source %q)", src)
		}
		fresh = cache.New(1<<20, r)
		time.Sleep(50 * time.Millisecond)
	}
	if !r.Health().OK {
		t.Errorf("health after Redis came back: %+v", r.Health())
	}
}

func TestSilentRedisTimesOut(t *testing.T) {
	r := newRedis(t, cachetest.Silent(t), 30*time.Millisecond)
	c := cache.New(1<<20, r)
	var calls atomic.Int64
	val, src, err := c.Fetch(context.Background(), "k", renderer("v", &calls))
	if err != nil || string(val) != "v" || src != cache.FromRender {
		t.Fatalf("got %q from %q, %v; want the rendered value", val, src, err)
	}
	_, _, err = r.Get(context.Background(), "k")
	if !errors.Is(err, cache.ErrUnavailable) {
		t.Errorf("right after a timeout, Get = %v; want ErrUnavailable (skipped, no round trip)", err)
	}
	if r.Health().OK {
		t.Error("a Redis that never answers is reported healthy")
	}
}

func TestFetchDoesNotCacheErrors(t *testing.T) {
	c := cache.New(1<<20, nil)
	boom := errors.New("boom")
	if _, _, err := c.Fetch(context.Background(), "k", func(context.Context) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	var calls atomic.Int64
	val, src, err := c.Fetch(context.Background(), "k", renderer("ok", &calls))
	if err != nil || string(val) != "ok" || src != cache.FromRender {
		t.Fatalf("after an error: %q from %q, %v; want a fresh render", val, src, err)
	}
}

// TestFullRedisKeepsReads fills a Redis of the test's own (maxmemory with
// noeviction): writes are refused, but reads go on being served from it,
// and Health says writes are failing.
func TestFullRedisKeepsReads(t *testing.T) {
	url := cachetest.PrivateRedis(t)
	r := newRedis(t, url, 200*time.Millisecond)
	ctx := context.Background()
	if err := r.Set(ctx, "stored-before", []byte("v")); err != nil {
		t.Fatal(err)
	}
	cfg := func(args ...string) {
		t.Helper()
		out, err := exec.Command("redis-cli", append([]string{"-u", url}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli %v: %v %s", args, err, out)
		}
	}
	cfg("CONFIG", "SET", "maxmemory-policy", "noeviction")
	cfg("CONFIG", "SET", "maxmemory", "1")
	err := r.Set(ctx, "refused", []byte("v"))
	if err == nil {
		t.Fatal("a full Redis accepted a write")
	}
	val, ok, err := r.Get(ctx, "stored-before")
	if err != nil || !ok || string(val) != "v" {
		t.Errorf("read after a refused write: %q %v %v; want the value (reads must go on)", val, ok, err)
	}
	if h := r.Health(); h.OK || !h.WritesFailing {
		t.Errorf("health of a full Redis: %+v; want writes failing", h)
	}
}

func TestTooLargeForRedisIsNotAFailure(t *testing.T) {
	r, err := cache.NewRedis(cache.RedisConfig{URL: cachetest.RedisURL(t), MaxValueBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := cache.New(1<<20, r)
	key := uniqueKey(t, "big")
	var calls atomic.Int64
	if _, _, err := c.Fetch(context.Background(), key, renderer(string(make([]byte, 5000)), &calls)); err != nil {
		t.Fatal(err)
	}
	if s := c.Stats(); s.RedisErrors != 0 {
		t.Errorf("a value over MaxValueBytes counted %d Redis errors", s.RedisErrors)
	}
	if _, ok, _ := r.Get(context.Background(), key); ok {
		t.Error("a value over MaxValueBytes was stored in Redis")
	}
	if !r.Health().OK {
		t.Errorf("health after a large value: %+v", r.Health())
	}
}

// TestHeld checks Held answers from the process's tier alone, counting a
// memory hit as Fetch does, and a miss as nothing.
func TestHeld(t *testing.T) {
	c := cache.New(1<<20, nil)
	if _, ok := c.Held("k"); ok {
		t.Fatal("Held on an empty cache: ok")
	}
	var calls atomic.Int64
	if _, _, err := c.Fetch(context.Background(), "k", renderer("v", &calls)); err != nil {
		t.Fatal(err)
	}
	if val, ok := c.Held("k"); !ok || string(val) != "v" {
		t.Fatalf("Held = %q, %v; want v, true", val, ok)
	}
	if s := c.Stats(); s.MemoryHits != 1 || s.Renders != 1 {
		t.Errorf("MemoryHits %d, Renders %d; want 1 and 1", s.MemoryHits, s.Renders)
	}
}
