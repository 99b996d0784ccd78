package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/incidentmap/incidentmap/api/cache"
)

// cached answers a GET with the bytes render makes, through the cache.
// The key is {prefix}:{data version}:{kind}:{base URL, path and canonical
// query}; the base URL is in it because responses carry absolute links.
// The strong ETag is a hash of the key, so a matching If-None-Match is
// answered 304 before anything is looked up or rendered.
func (s *Server) cached(c echo.Context, kind, contentType string, render func(context.Context) ([]byte, error)) error {
	r := c.Request()
	key := fmt.Sprintf("%s:%s:%s:%s%s?%s", s.prefix, s.data.Version, kind,
		baseURL(r), r.URL.Path, canonicalQuery(r.URL.Query()))
	sum := sha256.Sum256([]byte(key))
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`

	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(s.maxAge.Seconds())))
	h.Set("Vary", "Accept-Encoding, X-Forwarded-Host, X-Forwarded-Proto")
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	body, src, err := s.cache.Fetch(r.Context(), key, render)
	if err != nil {
		return fmt.Errorf("render %s: %w", kind, err)
	}
	xcache := "miss"
	if src != cache.FromRender {
		xcache = "hit"
	}
	h.Set("X-Cache", xcache)
	return c.Blob(http.StatusOK, contentType, body)
}

// etagMatches applies If-None-Match's weak comparison to a list of tags.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// baseURL is the scheme and host the client used to reach us, as a proxy
// in front reports them with X-Forwarded-Proto and X-Forwarded-Host.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" && validHost(h) {
		host = h
	}
	return scheme + "://" + host
}

// validHost accepts what can stand in a URL's host[:port], so a forged
// header cannot break the links we write.
func validHost(h string) bool {
	if len(h) > 255 {
		return false
	}
	for _, c := range h {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '-' || c == ':' || c == '[' || c == ']'
		if !ok {
			return false
		}
	}
	return true
}
