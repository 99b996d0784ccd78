package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestOverlongURLIs414(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/api/collections/incidents/items?event_type="+strings.Repeat("a", maxURLBytes))
	if rec.Code != http.StatusRequestURITooLong || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("status %d %q, want 414 problem+json", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestNoTraversalOutOfStatic(t *testing.T) {
	s := newTestServer(t)
	for _, path := range []string{"/../go.mod", "/..%2fgo.mod", "/%2e%2e/go.mod", "/static.go", "/../../etc/passwd", "/site/index.html"} {
		rec := get(t, s, path)
		if rec.Code == http.StatusOK {
			t.Errorf("%s: 200, served %q", path, rec.Body.String()[:min(60, rec.Body.Len())])
		}
	}
}

func TestCORSOpenForGETOnly(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/api/layers", "Origin", "https://news.example")
	if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET from another origin: Allow-Origin %q, want *", rec.Header().Get("Access-Control-Allow-Origin"))
	}
	req := httptest.NewRequest(http.MethodOptions, "/api/layers", nil)
	req.Header.Set("Origin", "https://news.example")
	req.Header.Set("Access-Control-Request-Method", http.MethodPost)
	pre := httptest.NewRecorder()
	s.ServeHTTP(pre, req)
	if m := pre.Header().Get("Access-Control-Allow-Methods"); strings.Contains(m, "POST") || strings.Contains(m, "DELETE") {
		t.Errorf("preflight allows %q, want GET and HEAD only", m)
	}
	post := httptest.NewRecorder()
	s.ServeHTTP(post, httptest.NewRequest(http.MethodPost, "/api/layers", strings.NewReader("{}")))
	if post.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/layers: %d, want 405", post.Code)
	}
}

func TestTooManyQueryParameters(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/api/layers/incidents?"+strings.Repeat("a=1&", maxQueryParams))
	var p Problem
	decodeJSON(t, rec.Body, &p)
	if rec.Code != 400 || p.Param != "query" {
		t.Errorf("%d parameters: %d param %q; want 400 naming query", maxQueryParams+1, rec.Code, p.Param)
	}
	if rec := get(t, s, "/api/collections/incidents/items?bbox=40,30,46,37&datetime=2023-11-21&limit=5"); rec.Code != 200 {
		t.Errorf("an ordinary query: %d", rec.Code)
	}
}
