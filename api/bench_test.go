package api

import (
	"io"
	"log/slog"
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

// BenchmarkServeCachedBytes is the hot path of a cache hit, handler only:
// the whole echo stack, metrics and a JSON log line (written as the
// service writes it, through RequestLog, to io.Discard as the service's
// to /dev/null), for a tile to clients with and without gzip, a layer,
// and a layer's 304.
func BenchmarkServeCachedBytes(b *testing.B) {
	bm, err := testBasemap()
	if err != nil {
		b.Fatal(err)
	}
	s := New(Config{Data: fixtureData(b), Cache: cache.New(8<<20, nil), Basemap: bm,
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), RequestLog: io.Discard})
	tile := "/tiles/incidents" + alAsadTile(10) + ".mvt"
	layer := "/api/layers/al-asad"
	etag := get(b, s, layer).Header().Get("ETag")
	for _, bc := range []struct {
		name, target string
		header       []string
		code         int
	}{
		{"tile-identity", tile, nil, http.StatusOK},
		{"tile-gzip", tile, []string{"Accept-Encoding", "gzip"}, http.StatusOK},
		{"layer", layer, nil, http.StatusOK},
		{"layer-304", layer, []string{"If-None-Match", etag}, http.StatusNotModified},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, bc.target, nil)
			for i := 0; i+1 < len(bc.header); i += 2 {
				req.Header.Set(bc.header[i], bc.header[i+1])
			}
			get(b, s, bc.target) // fill the cache
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				w.code = 0
				s.ServeHTTP(w, req)
				if w.code != bc.code || w.h.Get("X-Cache") == "miss" {
					b.Fatalf("%d %q", w.code, w.h.Get("X-Cache"))
				}
			}
		})
	}
}
