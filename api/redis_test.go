package api

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/api/cache/cachetest"
)

// TestServesThroughRedisOutage runs the server on the real Redis behind a
// proxy, cuts the proxy mid-test, and checks every request still succeeds,
// /readyz reports the degraded cache, /metrics counts the errors, and the
// cache is used again once Redis is back.
func TestServesThroughRedisOutage(t *testing.T) {
	proxy, url := cachetest.NewProxy(t, cachetest.RedisURL(t))
	var logged syncBuffer
	r, err := cache.NewRedis(cache.RedisConfig{URL: url, Timeout: 50 * time.Millisecond, RetryAfter: 100 * time.Millisecond, TTL: time.Minute,
		Logger: slog.New(slog.NewJSONHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// A prefix of its own keeps this run's keys apart from other runs'.
	prefix := fmt.Sprintf("incidentmap-test-%d", time.Now().UnixNano())
	newReplica := func() *Server {
		return New(Config{Data: fixtureData(t), Cache: cache.New(8<<20, r), KeyPrefix: prefix})
	}
	s := newReplica()

	host := strings.SplitN(url, "/", 4)[2] // the proxy's host:port
	readyz := func(s *Server) map[string]any {
		rec := get(t, s, "/readyz")
		if rec.Code != 200 {
			t.Fatalf("/readyz status %d, want 200 even when degraded", rec.Code)
		}
		// /readyz is public: it says how the cache is, never why.
		if b := rec.Body.String(); strings.Contains(b, host) || strings.Contains(b, "127.0.0.1") || strings.Contains(b, "error\"") || strings.Contains(b, "dial") {
			t.Errorf("/readyz shows an address or error text: %s", b)
		}
		var body map[string]any
		decodeJSON(t, rec.Body, &body)
		return body
	}
	if st := readyz(s)["status"]; st != "ok" {
		t.Fatalf("/readyz status %v with Redis up", st)
	}
	if rec := get(t, s, "/api/layers/al-asad"); rec.Code != 200 || rec.Header().Get("X-Cache") != "miss" {
		t.Fatalf("first layer request: %d, X-Cache %q", rec.Code, rec.Header().Get("X-Cache"))
	}

	proxy.Cut()
	paths := []string{"/api/layers/links", "/api/layers/rings", "/api/collections/incidents/items?lat=33.786&lon=42.441&radius=50000", "/api/layers/al-asad"}
	for _, p := range paths {
		if rec := get(t, s, p); rec.Code != 200 {
			t.Errorf("%s with Redis down: status %d", p, rec.Code)
		}
	}
	body := readyz(s)
	if body["status"] != "degraded" {
		t.Errorf("/readyz status %v with Redis down, want degraded", body["status"])
	}
	redis := body["cache"].(map[string]any)["redis"].(map[string]any)
	if redis["ok"] != false || redis["degraded_since"] == nil {
		t.Errorf("/readyz redis with Redis down: %v", redis)
	}
	if !strings.Contains(logged.String(), `"msg":"redis degraded"`) || !strings.Contains(logged.String(), host) {
		t.Errorf("the log does not say why Redis is degraded: %s", logged.String())
	}
	metrics := get(t, s, "/metrics").Body.String()
	if !strings.Contains(metrics, "incidentmap_cache_redis_errors_total ") || strings.Contains(metrics, "incidentmap_cache_redis_errors_total 0\n") {
		t.Errorf("/metrics does not count Redis errors:\n%s", grepLines(metrics, "redis_errors"))
	}

	proxy.Restore(t)
	// Past RetryAfter, the next use of Redis finds it back. On a busy
	// machine a try can time out, so it is asked until it answers, for
	// up to five seconds: back it must come, however quickly.
	back := false
	for deadline := time.Now().Add(5 * time.Second); !back && time.Now().Before(deadline); {
		time.Sleep(150 * time.Millisecond)
		get(t, s, "/api/layers/uncertainty")
		back = readyz(s)["status"] == "ok"
	}
	if !back {
		t.Errorf("/readyz status %v five seconds after Redis came back", readyz(s)["status"])
	}
	// A new replica (empty LRU) finds the layer rendered before the outage
	// in Redis.
	if rec := get(t, newReplica(), "/api/layers/al-asad"); rec.Header().Get("X-Cache") != "hit" {
		t.Errorf("after Redis came back a new replica got X-Cache %q, want hit from Redis", rec.Header().Get("X-Cache"))
	}
}

// syncBuffer is a bytes.Buffer safe for a logger writing from several
// goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A page of a radius or bbox query stays in the process that rendered it:
// it renders in less time than a miss's two round trips to Redis take on
// a busy host. A layer, and a long page (expensive), go to Redis, and a
// new replica finds them there.
func TestCheapPagesStayInProcess(t *testing.T) {
	public := &url.URL{Scheme: "https", Host: "maps.example"} // links as every replica writes them: shareable
	first, second := twoReplicas(t, "local", Config{PublicURL: public})
	for _, c := range []struct {
		path   string
		shared bool
	}{
		{"/api/collections/incidents/items?lat=33.786&lon=42.441&radius=50000", false},
		{"/api/collections/incidents/items?bbox=38,29,49,37", false},
		{"/api/collections/incidents/items?bbox=38,29,49,37&limit=5000", true},
		{"/api/layers/al-asad", true},
	} {
		if rec := get(t, first, c.path); rec.Code != 200 || rec.Header().Get("X-Cache") != "miss" {
			t.Fatalf("%s on the first replica: %d, X-Cache %q", c.path, rec.Code, rec.Header().Get("X-Cache"))
		}
		want := "miss"
		if c.shared {
			want = "hit"
		}
		if got := get(t, second, c.path).Header().Get("X-Cache"); got != want {
			t.Errorf("%s on the second replica: X-Cache %q, want %q", c.path, got, want)
		}
	}
}

// A render on the drawing thread asks this process's cache alone, never
// Redis (no thread below the readers waits for the network), so another
// replica does not find what it drew; what a reader fetches, it finds.
func TestDrawingThreadAsksNoRedis(t *testing.T) {
	first, second := twoReplicas(t, "drawing", Config{})
	for _, c := range []struct {
		z, x, y      string
		onThread     bool
		secondXCache string
	}{
		{"7", "79", "51", true, "miss"},
		{"7", "79", "50", false, "hit"},
	} {
		req, err := parseTile("incidents", c.z, c.x, c.y+".mvt", first.data.HasLayer)
		if err != nil {
			t.Fatal(err)
		}
		if req.lang, err = parseTileLang(req.layer, nil); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if c.onThread {
			ctx = context.WithValue(ctx, onDrawingThread{}, true)
		}
		if _, src, err := first.fetch(ctx, first.tileResponse(req)); err != nil || src != cache.FromRender {
			t.Fatalf("tile %s/%s/%s on the first replica: %v, %v", c.z, c.x, c.y, src, err)
		}
		path := fmt.Sprintf("/tiles/incidents/%s/%s/%s.mvt", c.z, c.x, c.y)
		if got := get(t, second, path).Header().Get("X-Cache"); got != c.secondXCache {
			t.Errorf("%s on the second replica, drawn on the drawing thread %v: X-Cache %q, want %q", path, c.onThread, got, c.secondXCache)
		}
	}
}

// twoReplicas returns two servers of cfg on the fixtures, each with a
// cache of its own in front of the real Redis they share, under a key
// prefix of their own (name and the time), as two replicas are.
func twoReplicas(t *testing.T, name string, cfg Config) (*Server, *Server) {
	t.Helper()
	r, err := cache.NewRedis(cache.RedisConfig{URL: cachetest.RedisURL(t), Timeout: time.Second, TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	cfg.KeyPrefix = fmt.Sprintf("incidentmap-test-%s-%d", name, time.Now().UnixNano())
	replica := func() *Server {
		c := cfg
		c.Data, c.Cache = fixtureData(t), cache.New(8<<20, r)
		return New(c)
	}
	return replica(), replica()
}
