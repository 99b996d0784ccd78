package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/api/cache/cachetest"
)

// BenchmarkServeCachedLayer is a layer served from the in-process cache,
// through the whole echo stack (middleware, metrics, logging).
func BenchmarkServeCachedLayer(b *testing.B) {
	s := newTestServer(b)
	get(b, s, "/api/layers/al-asad") // fill the cache
	req := httptest.NewRequest(http.MethodGet, "/api/layers/al-asad", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Header().Get("X-Cache") != "hit" {
			b.Fatal("not a cache hit")
		}
	}
}

// BenchmarkRadiusQueryUncached is a 50 km radius query rendered each time.
func BenchmarkRadiusQueryUncached(b *testing.B) {
	s := New(Config{Data: fixtureData(b), Cache: cache.New(1, nil)}) // too small to keep anything
	req := httptest.NewRequest(http.MethodGet, "/api/collections/incidents/items?lat=33.786&lon=42.441&radius=50000", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkRedisDown measures what a Redis that stopped answering costs a
// request: each iteration is a miss (a new key) against a Redis whose
// connections hang. Most requests skip Redis; one every RetryAfter pays
// the timeout.
func BenchmarkRedisDown(b *testing.B) {
	r, err := cache.NewRedis(cache.RedisConfig{URL: cachetest.Silent(b), Timeout: 50 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	s := New(Config{Data: fixtureData(b), Cache: cache.New(1, r)})
	req := httptest.NewRequest(http.MethodGet, "/api/layers/rings", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkServeCachedTile is an MVT tile served from the in-process
// cache over real HTTP (loopback, keep-alive), as a browser would get it.
func BenchmarkServeCachedTile(b *testing.B) {
	srv := httptest.NewServer(newTestServer(b))
	defer srv.Close()
	url := srv.URL + "/tiles/incidents" + alAsadTile(10) + ".mvt"
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	client := srv.Client()
	fetch := func() {
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
	}
	fetch() // fill the cache
	b.ReportAllocs()
	for b.Loop() {
		fetch()
	}
}
