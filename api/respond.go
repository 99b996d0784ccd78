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

// cacheKey is {prefix}:{data version}:{kind}:{normalised request}. The
// data version makes a change of data a change of every key.
func (s *Server) cacheKey(kind, request string) string {
	return fmt.Sprintf("%s:%s:%s:%s", s.prefix, s.data.Version, kind, request)
}

// etagFor is the strong ETag of the representation under key; variant
// tells apart representations of one key (gzip or not).
func etagFor(key, variant string) string {
	sum := sha256.Sum256([]byte(key))
	return `"` + hex.EncodeToString(sum[:12]) + variant + `"`
}

// preamble sets the caching headers of a cacheable response and reports
// whether the client's If-None-Match already has it (answer 304, render
// nothing).
func (s *Server) preamble(c echo.Context, etag string) (notModified bool) {
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(s.maxAge.Seconds())))
	h.Add("Vary", "Accept-Encoding, X-Forwarded-Host, X-Forwarded-Proto")
	return etagMatches(c.Request().Header.Get("If-None-Match"), etag)
}

// xcache sets X-Cache from where the cache found the bytes.
func xcache(c echo.Context, src cache.Source) {
	v := "miss"
	if src != cache.FromRender {
		v = "hit"
	}
	c.Response().Header().Set("X-Cache", v)
}

// cached answers a GET with the bytes render makes, through the cache.
// The request part of the key is the base URL, path and canonical query:
// the base URL is in it because these responses carry absolute links.
// A matching If-None-Match is answered 304 before anything is looked up
// or rendered.
func (s *Server) cached(c echo.Context, kind, contentType string, render func(context.Context) ([]byte, error)) error {
	r := c.Request()
	key := s.cacheKey(kind, baseURL(r)+r.URL.Path+"?"+canonicalQuery(r.URL.Query()))
	if s.preamble(c, etagFor(key, "")) {
		return c.NoContent(http.StatusNotModified)
	}
	body, src, err := s.cache.Fetch(r.Context(), key, render)
	if err != nil {
		return fmt.Errorf("render %s: %w", kind, err)
	}
	xcache(c, src)
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
