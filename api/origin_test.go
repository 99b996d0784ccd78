package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/api/cache/cachetest"
	"github.com/incidentmap/incidentmap/store/storetest"
)

// landingSelf gets /api from h as host, with header pairs, and returns
// its self link and Vary.
func landingSelf(t *testing.T, h http.Handler, host string, header ...string) (self, vary string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api", nil)
	req.Host = host
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var doc landingPage
	decodeJSON(t, rec.Body, &doc)
	for _, l := range doc.Links {
		if l.Rel == "self" {
			self = l.Href
		}
	}
	return self, strings.Join(rec.Header().Values("Vary"), ", ")
}

// The origin of links: X-Forwarded-* only from trusted proxies, and a
// public URL over everything a client sends.
func TestOrigin(t *testing.T) {
	forwarded := []string{"X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https"}
	public, _ := url.Parse("https://maps.news.example/incidents/")
	for _, tc := range []struct {
		name       string
		cfg        Config
		wantSelf   string
		wantVaryXF bool
	}{
		{"forwarded headers from anyone are ignored", Config{}, "http://example.com/api", false},
		{"from a trusted proxy they are believed", Config{TrustedProxies: testProxies}, "https://evil.example/api", true},
		{"from an address outside the trusted ones they are ignored",
			Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, "http://example.com/api", true},
		{"a public URL is the origin, whatever the request says",
			Config{PublicURL: public, TrustedProxies: testProxies}, "https://maps.news.example/incidents/api", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Data = fixtureData(t)
			s := New(tc.cfg)
			self, vary := landingSelf(t, s, "example.com", forwarded...)
			if self != tc.wantSelf {
				t.Errorf("self link %q, want %q", self, tc.wantSelf)
			}
			if got := strings.Contains(vary, "X-Forwarded-Host"); got != tc.wantVaryXF {
				t.Errorf("Vary %q: names X-Forwarded-Host %v, want %v", vary, got, tc.wantVaryXF)
			}
		})
	}
}

// Responses with links are shared through Redis only when their origin
// is fixed: a Host header a client makes up never becomes a Redis key.
func TestMadeUpHostsStayOutOfRedis(t *testing.T) {
	redisURL := cachetest.PrivateRedis(t)
	opt, _ := redis.ParseURL(redisURL)
	rc := redis.NewClient(opt)
	defer rc.Close()
	keys := func() int64 {
		n, err := rc.DBSize(context.Background()).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	replica := func(public *url.URL) *Server {
		r, err := cache.NewRedis(cache.RedisConfig{URL: redisURL, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return New(Config{Data: fixtureData(t), Cache: cache.New(8<<20, r), PublicURL: public})
	}
	getAs := func(s *Server, host, target string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Host = host
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s as %s: status %d", target, host, rec.Code)
		}
		return rec
	}

	// A long page: a short one stays in the process whatever its origin
	// (TestCheapPagesStayInProcess).
	page := itemsPath + "?limit=1001"
	s := replica(nil)
	for i := range 50 {
		getAs(s, fmt.Sprintf("h%d.example", i), page)
	}
	if n := keys(); n != 0 {
		t.Errorf("50 requests by 50 made-up hosts left %d Redis keys, want none", n)
	}
	getAs(s, "h1.example", "/api/layers/rings") // no links: shared
	if n := keys(); n != 1 {
		t.Errorf("a layer left %d Redis keys, want 1", n)
	}

	public, _ := url.Parse("https://maps.news.example")
	a, b := replica(public), replica(public)
	getAs(a, "h1.example", page)
	rec := getAs(b, "other.example", page)
	if rec.Header().Get("X-Cache") != "hit" {
		t.Errorf("a second replica with the same public URL: X-Cache %q, want a hit from Redis", rec.Header().Get("X-Cache"))
	}
	if !strings.Contains(rec.Body.String(), `"href":"https://maps.news.example/api/collections/incidents/items?limit=1001"`) {
		t.Errorf("links are not the public URL's: %.300s", rec.Body.String())
	}
}

// Behind a proxy that serves us under a path (-public-url
// https://maps.news.example/incidents), every link of the pages starts
// with that path, and says so to the scripts (data-root); at the root of
// a host, none does.
func TestPagesUnderAPath(t *testing.T) {
	public, _ := url.Parse("https://maps.news.example/incidents/")
	st, ds := storetest.Seeded(t, filepath.Join(t.TempDir(), "store.db"), nil)
	links := regexp.MustCompile(`(?:src|href)="(/[^"]*)"`)
	for _, c := range []struct {
		cfg  Config
		root string
	}{{Config{Data: ds, Store: st, PublicURL: public}, "/incidents"}, {Config{Data: ds, Store: st}, ""}} {
		s := New(c.cfg)
		for _, target := range []string{"/", "/embed", "/edit", "/changes", "/r/1/"} {
			rec := get(t, s, target)
			body := rec.Body.String()
			if rec.Code != http.StatusOK {
				t.Fatalf("%s: %d", target, rec.Code)
			}
			found := links.FindAllStringSubmatch(body, -1)
			if len(found) < 2 {
				t.Fatalf("%s: %d links; the test reads none", target, len(found))
			}
			for _, m := range found {
				if c.root != "" && !strings.HasPrefix(m[1], c.root+"/") || c.root == "" && strings.HasPrefix(m[1], "/incidents/") {
					t.Errorf("root %q: %s links to %s", c.root, target, m[1])
				}
			}
			if target != "/changes" && !strings.Contains(body, `data-root="`+c.root+`"`) {
				t.Errorf("root %q: %s does not tell its scripts data-root", c.root, target)
			}
		}
	}
}
