package api

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/incidentmap/incidentmap/api/cache"
)

// cacheKey is {prefix}:{key format}:{data version}:{kind}:{request},
// where request is canonical (canonical.go). The data version makes a
// change of data a change of every key.
func (s *Server) cacheKey(kind, request string) string {
	return s.cacheKeyAt(s.data.Version, kind, request)
}

// cacheKeyAt is cacheKey for a response that depends on less than the
// whole data set: one incident, under its own version.
func (s *Server) cacheKeyAt(version, kind, request string) string {
	return s.prefix + ":" + keyVersion + ":" + version + ":" + kind + ":" + request
}

// etagFor is the strong ETag of the representation under key; variant
// tells apart representations of one key (gzip or not).
func etagFor(key, variant string) string {
	sum := sha256.Sum256([]byte(key))
	var buf [64]byte // one allocation, the string, for the variants we have
	b := hex.AppendEncode(append(buf[:0], '"'), sum[:12])
	return string(append(append(b, variant...), '"'))
}

// cachedResponse is a response served through the cache: the key it is
// stored under, how it is made, and how it is sent.
type cachedResponse struct {
	// kind and request make the key (see cacheKey): kind names what is
	// stored ("layer", "tile", ...), request is the canonical request
	// (keyRequest).
	kind, request string
	// linked says the body carries absolute links, so depends on the
	// origin (Server.origin): the origin joins the key, and when it comes
	// from the request the body stays in this process's cache.
	linked      bool
	contentType string
	// gzipped says the stored body is gzip-compressed: it goes out as is,
	// with Content-Encoding: gzip, to clients that accept gzip, and
	// decompressed, under an ETag of its own, to the others.
	gzipped bool
	// emptyNoContent answers an empty body with 204 No Content.
	emptyNoContent bool
	// headers says render stores headers before the body (withHeaders),
	// which every answer sends.
	headers bool
	// expensive renders run in a render slot (renderSlots): static maps,
	// tiles, overlays and exports.
	expensive bool
	// local keeps the response in this process's cache, out of Redis: a
	// page of a radius or bbox query renders in less time than the two
	// round trips to Redis of a miss take on a busy host, and most are
	// asked once.
	local bool
	// version, when set, stands in the key for the data set's version: a
	// response that depends on one incident alone keeps its key, and its
	// ETag, when other incidents change (the ETag a write's If-Match is
	// compared with).
	version string
	// stale are the versions the response was at before the writes that
	// just changed it, newest first (editLog.staleOf): while it is drawn
	// anew, in the background, its bytes at the newest of them this
	// process holds are served, with their own ETag and X-Revision.
	stale  []staleVersion
	render func(context.Context) ([]byte, error)
}

// fetch returns the bytes of resp from the cache, rendering them on a
// miss. On the drawing thread it asks this process's cache alone, never
// Redis: no thread of lower priority waits for the network (lowThread).
func (s *Server) fetch(ctx context.Context, resp cachedResponse) ([]byte, cache.Source, error) {
	fetch := s.cache.Fetch
	if ctx.Value(onDrawingThread{}) != nil {
		fetch = s.cache.FetchLocal
	}
	return fetch(ctx, s.cacheKeyAt(s.versionOf(resp), resp.kind, resp.request), s.renderOf(resp))
}

// versionOf is the version resp is cached under: its own, or the data
// set's.
func (s *Server) versionOf(resp cachedResponse) string {
	return cmp.Or(resp.version, s.data.Version)
}

// renderOf is resp's render, in a render slot when it is expensive, and
// on the drawing thread when a background drawing asks for it.
func (s *Server) renderOf(resp cachedResponse) func(context.Context) ([]byte, error) {
	render := belowReaders(resp.render)
	if !resp.expensive {
		return render
	}
	return func(ctx context.Context) ([]byte, error) { return s.slots.do(ctx, render) }
}

// onDrawingThread marks the context of a render running on the drawing
// thread.
type onDrawingThread struct{}

// belowReaders returns render, run on the drawing thread when its context
// is a background drawing's (drawNow): the render alone, its CPU, below
// the readers' priority. Everything around it (the cache, Redis) runs on
// the drawing's own goroutine, since no thread of lower priority may wait
// for the network (see lowThread). A render inside another (the basemap
// tiles of a static map) runs where its parent does.
func belowReaders(render func(context.Context) ([]byte, error)) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		if ctx.Value(drawing{}) == nil || ctx.Value(onDrawingThread{}) != nil {
			return render(ctx)
		}
		var b []byte
		var err error
		drawingThread.do(func() { b, err = render(context.WithValue(ctx, onDrawingThread{}, true)) })
		return b, err
	}
}

// keyOf is the cache key of resp as r asks for it, and whether it may go
// to the shared tier.
func (s *Server) keyOf(r *http.Request, resp cachedResponse) (key string, shared bool) {
	version := s.versionOf(resp)
	if !resp.linked {
		return s.cacheKeyAt(version, resp.kind, resp.request), true
	}
	return s.cacheKeyAt(version, resp.kind, s.origin(r)+resp.request), s.public != ""
}

// etagOf is the ETag serveCached gives resp's stored form as r asks for
// it: what a write's If-Match is compared with, and answered.
func (s *Server) etagOf(r *http.Request, resp cachedResponse) string {
	key, _ := s.keyOf(r, resp)
	return etagFor(key, "")
}

// serveCached answers a GET with resp: the caching headers, 304 for a
// matching If-None-Match before anything is looked up or rendered, then
// the body through the cache, with X-Cache saying where it came from.
func (s *Server) serveCached(c echo.Context, resp cachedResponse) error {
	r := c.Request()
	gz := resp.gzipped && acceptsGzip(r)
	variant := ""
	if resp.gzipped && !gz {
		variant = "-identity"
	}
	key, shared := s.keyOf(r, resp)
	h := c.Response().Header()
	if resp.gzipped {
		h.Add("Vary", "Accept-Encoding")
	}
	if resp.linked {
		s.varyOrigin(h)
	}
	if s.preamble(c, etagFor(key, variant)) {
		return c.NoContent(http.StatusNotModified)
	}
	if body, staleKey, version, ok := s.whileDrawn(c, resp, key, gz); ok {
		h.Set("X-Revision", revisionOfVersion(version))
		if s.preamble(c, etagFor(staleKey, variant)) {
			return c.NoContent(http.StatusNotModified)
		}
		c.Response().Header().Set("X-Cache", "stale")
		return s.sendBody(c, resp, gz, body)
	}
	sentKey := key // the key of the form sent
	if resp.gzipped && !gz {
		sentKey = key + "|identity"
	}
	// A hit in this process is sent at once, before the render a miss
	// would need is even put together (closures, a tenth of a hit's
	// allocations).
	if body, ok := s.cache.Held(sentKey); ok {
		xcache(c, cache.FromMemory)
		return s.sendBody(c, resp, gz, body)
	}
	fetch := s.cache.Fetch
	if !shared || resp.local {
		fetch = s.cache.FetchLocal
	}
	render := s.renderOf(resp)
	stored := cache.FromRender // where the stored form came from, when it is not what is sent
	if resp.gzipped && !gz {
		// The decompressed form is kept too, in this process only, so a
		// client without gzip costs a copy, not a gunzip, per request.
		renderGz, gzKey, fetchGz := render, key, fetch
		render = func(ctx context.Context) ([]byte, error) {
			b, src, err := fetchGz(ctx, gzKey, renderGz)
			stored = src
			if err != nil || len(b) == 0 {
				return b, err
			}
			return gunzip(b)
		}
		key, fetch = sentKey, s.cache.FetchLocal
	}
	body, src, err := fetch(r.Context(), key, render)
	if err != nil {
		return fmt.Errorf("render %s %s: %w", resp.kind, resp.request, err)
	}
	if src == cache.FromRender && stored != cache.FromRender {
		src = stored // decompressed, not rendered
	}
	xcache(c, src)
	return s.sendBody(c, resp, gz, body)
}

// whileDrawn returns resp's bytes at the newest of its stale versions
// this process holds, their key and that version, when resp is not yet
// drawn at its own version; it has what c asks for drawn in the
// background, drawAfter the write that replaced the version served.
// Only the stored form of a response without links is served so.
func (s *Server) whileDrawn(c echo.Context, resp cachedResponse, key string, gz bool) ([]byte, string, string, bool) {
	r := c.Request()
	if len(resp.stale) == 0 || resp.linked || resp.headers || resp.gzipped && !gz || r.Context().Value(drawing{}) != nil {
		return nil, "", "", false
	}
	if _, ok := s.cache.Peek(key); ok {
		return nil, "", "", false
	}
	var body []byte
	var staleKey string
	var stale staleVersion
	found := false
	for _, stale = range resp.stale {
		staleKey = s.cacheKeyAt(stale.version, resp.kind, resp.request)
		if body, found = s.cache.Peek(staleKey); found {
			break
		}
	}
	version := stale.version
	if !found {
		return nil, "", "", false
	}
	// One drawing waits per response, whatever its version, and draws
	// the version served when its turn comes: while it waits, the
	// readers of later versions (later batches) are served an earlier
	// one, stale, and once it is drawn they find it drawn. So a response
	// that every batch reaches is drawn about once per drawAfter and
	// drawing, not once per batch.
	drawn := resp.kind + ":" + resp.request
	if !s.background.wait(drawn) {
		return body, staleKey, version, true // its drawing, or enough, wait; a later reader asks again
	}
	target := r.URL.RequestURI() // as routed: no revision, no trailing slash
	_, pinned := c.Get(pinKey).(int64)
	go func() {
		defer s.background.leave(drawn) // drawn, or found drawn
		time.Sleep(drawAfter - time.Since(stale.replaced))
		// The slot is taken before the cache is asked, never inside its
		// render: a reader who asks for key meanwhile draws it, never
		// waiting behind other drawings.
		s.background.acquire()
		defer s.background.release()
		if pinned { // a past revision's: it keeps its version
			_, _, _ = s.cache.Fetch(drawingContext(), key, s.renderOf(resp))
			return
		}
		s.drawNow(target)
	}()
	return body, staleKey, version, true
}

// drawing marks the context of a background drawing: its renders run on
// the drawing thread (belowReaders), and it is never answered stale.
type drawing struct{}

// drawingContext is the context of a background drawing.
func drawingContext() context.Context {
	return context.WithValue(context.Background(), drawing{}, true)
}

// drawNow has what target (a path and query that a reader asked for)
// shows at the data set served now drawn into the cache, by the handler
// of its route, as a reader's request would be, but never answered
// stale (whileDrawn) and gzipped where the response may be. The answer
// itself goes nowhere: no middleware sees it, so it is neither logged
// nor counted as a request.
func (s *Server) drawNow(target string) {
	r, err := http.NewRequestWithContext(drawingContext(), http.MethodGet, target, nil)
	if err != nil {
		return // target was routed once, so it parses
	}
	r.Header.Set("Accept-Encoding", "gzip")
	c := s.echo.NewContext(r, &discardWriter{h: http.Header{}})
	s.echo.Router().Find(http.MethodGet, echo.GetPath(r), c)
	_ = c.Handler()(c) // a drawing that fails leaves the key to the next reader
}

// discardWriter is a response writer that keeps the headers and the
// status, and drops the body: drawNow's, and the benchmarks'.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

// sendBody answers with body, resp's bytes as the cache holds them.
func (s *Server) sendBody(c echo.Context, resp cachedResponse, gz bool, body []byte) error {
	h := c.Response().Header()
	if resp.headers {
		var stored http.Header
		var err error
		if stored, body, err = splitHeaders(body); err != nil {
			return fmt.Errorf("%s %s: %w", resp.kind, resp.request, err)
		}
		for k, vs := range stored {
			h[k] = append(h[k], vs...)
		}
	}
	if len(body) == 0 && resp.emptyNoContent {
		return c.NoContent(http.StatusNoContent)
	}
	if gz {
		c.Response().Header().Set("Content-Encoding", "gzip")
	}
	// Sized, so clients that read by range or need the length first
	// (GDAL's /vsicurl/) can.
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.Blob(http.StatusOK, resp.contentType, body)
}

// preamble sets the caching headers of a cacheable response and reports
// whether the client's If-None-Match already has it (answer 304, render
// nothing).
func (s *Server) preamble(c echo.Context, etag string) (notModified bool) {
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", s.cacheControl)
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

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for rest := r.Header.Get("Accept-Encoding"); rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",") // not Split: no slice a request
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(name) == "gzip" || strings.TrimSpace(name) == "*" {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// gunzip decompresses a gzip-compressed body.
func gunzip(body []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// etagMatches applies If-None-Match's weak comparison to a list of tags.
func etagMatches(header, etag string) bool {
	for header != "" {
		var t string
		t, header, _ = strings.Cut(header, ",") // not Split: no slice a request
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// origin is the scheme, host and path prefix links are written with:
// root, then the pinned revision's prefix (/r/N) when the server is
// bound to one, so that links stay at it.
func (s *Server) origin(r *http.Request) string {
	return s.root(r) + s.pin
}

// root is the origin of the current data, whatever the server is pinned
// to: the configured public URL, else how the client reached us, as a
// trusted proxy in front reports it with X-Forwarded-Proto and
// X-Forwarded-Host.
func (s *Server) root(r *http.Request) string {
	if s.public != "" {
		return s.public
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s.fromTrustedProxy(r) {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
			scheme = p
		}
		if h := r.Header.Get("X-Forwarded-Host"); h != "" && validHost(h) {
			host = h
		}
	}
	return scheme + "://" + host
}

// fromTrustedProxy reports whether r came from an address of
// Config.TrustedProxies.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	if len(s.trusted) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	for _, p := range s.trusted {
		if p.Contains(ap.Addr().Unmap()) {
			return true
		}
	}
	return false
}

// varyOrigin adds to h's Vary the forwarded headers that the origin of
// links may be read from: a response with links depends on them unless
// the origin is fixed.
func (s *Server) varyOrigin(h http.Header) {
	if s.public == "" && len(s.trusted) > 0 {
		h.Add("Vary", "X-Forwarded-Host, X-Forwarded-Proto")
	}
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
