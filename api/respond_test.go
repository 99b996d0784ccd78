package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCacheKeys pins the cache key (and so the ETag) of each kind of
// cached response: a key that changes silently orphans every stored
// response and every client's ETag.
func TestCacheKeys(t *testing.T) {
	s := newTestServer(t)
	tile := "/tiles/incidents" + alAsadTile(10)
	cases := []struct {
		path, acceptEncoding string
		key, variant         string // key without its "{prefix}:{format}:{version}:" start
	}{
		// A layer carries no links: no base URL in its key.
		{path: "/api/layers/al-asad", key: "layer:/api/layers/al-asad"},
		{path: "/api/layers/incidents?datetime=2023-11-21", key: "layer:/api/layers/incidents?datetime=2023-11-21T00%3A00%3A00Z%2F2023-11-21T23%3A59%3A59.999999999Z"},
		{path: "/api/collections/incidents/items?limit=2&f=csv", key: "items-csv:http://example.com/api/collections/incidents/items?f=csv&limit=2"},
		{path: "/api/collections/incidents/items?limit=02&f=csv&event_type=airstrike,missile_attack,airstrike",
			key: "items-csv:http://example.com/api/collections/incidents/items?event_type=airstrike%2Cmissile_attack&f=csv&limit=2"},
		{path: "/api/collections/sites/items", key: "items-sites:http://example.com/api/collections/sites/items?limit=100"},
		{path: "/api/collections/sites/items/al-asad", key: "item:http://example.com/api/collections/sites/items/al-asad"},
		{path: "/tiles/incidents.json?f=png", key: "tilejson:http://example.com/tiles/incidents.json?f=png"},
		{path: "/api/static.png?width=300&height=200", key: "static:/api/static.png?height=200&scale=1&width=300"},
		{path: tile + ".mvt", acceptEncoding: "gzip", key: "tile:incidents" + alAsadTile(10) + ".mvt"},
		{path: tile + ".mvt", key: "tile:incidents" + alAsadTile(10) + ".mvt", variant: "-identity"},
		{path: tile + "@2x.png", acceptEncoding: "gzip", key: "tile:incidents" + alAsadTile(10) + "@2x.png"},
	}
	for _, c := range cases {
		t.Run(c.path+" "+c.acceptEncoding, func(t *testing.T) {
			rec := get(t, s, c.path, "Accept-Encoding", c.acceptEncoding)
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			want := etagFor("incidentmap:"+keyVersion+":"+s.data.Version+":"+c.key, c.variant)
			if got := rec.Header().Get("ETag"); got != want {
				t.Errorf("ETag %s, want %s, of key %q", got, want, c.key)
			}
		})
	}
}

// TestETagFor pins etagFor's tags: the first 12 bytes of the key's
// SHA-256 in hex, then the variant, quoted. Every ETag a client holds was
// made so; a change would answer all their If-None-Match with 200.
func TestETagFor(t *testing.T) {
	key := "incidentmap:k2:abc:tile:incidents/10/632/409.mvt"
	for _, c := range []struct{ variant, want string }{
		{"", `"eb22d23d16a984d16df06470"`},
		{"-identity", `"eb22d23d16a984d16df06470-identity"`},
		{"-a-variant-longer-than-the-buffer-of-sixty-four-bytes", `"eb22d23d16a984d16df06470-a-variant-longer-than-the-buffer-of-sixty-four-bytes"`},
	} {
		if got := etagFor(key, c.variant); got != c.want {
			t.Errorf("etagFor(%q, %q) = %s, want %s", key, c.variant, got, c.want)
		}
	}
}

// TestConditionalHeaders checks the readings of If-None-Match and
// Accept-Encoding that serveCached acts on.
func TestConditionalHeaders(t *testing.T) {
	const etag = `"abc"`
	for header, want := range map[string]bool{
		"": false, `"abc"`: true, `W/"abc"`: true, `"x", "abc"`: true, ` "x" ,W/"abc" `: true,
		"*": true, `"x",`: false, `,`: false, `"abcd"`: false, `abc`: false,
	} {
		if got := etagMatches(header, etag); got != want {
			t.Errorf("etagMatches(%q) = %v, want %v", header, got, want)
		}
	}
	for header, want := range map[string]bool{
		"": false, "gzip": true, "deflate, gzip": true, "gzip;q=0": false, "gzip; q=0.000": false,
		"gzip;q=0.5": true, "*": true, "br, *;q=0": false, "identity": false, " GZIP": false,
		"x,": false, ",gzip": true, "gzip;q=0, *": false,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", header)
		if got := acceptsGzip(r); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// TestCachedResponseHeaders pins every header of the responses a cache
// hit makes, and of the answers the middleware alone makes (405, a CORS
// preflight), so that a faster path cannot drop or change one.
func TestCachedResponseHeaders(t *testing.T) {
	s := newTestServer(t)
	tile := "/tiles/incidents" + alAsadTile(10) + ".mvt"
	key := func(k string) string { return "incidentmap:" + keyVersion + ":" + s.data.Version + ":" + k }
	tileTag, layerTag := etagFor(key("tile:incidents"+alAsadTile(10)+".mvt"), ""), etagFor(key("layer:/api/layers/al-asad"), "")
	cached := func(ctype, etag string, more ...string) http.Header {
		h := http.Header{
			"Cache-Control": {"public, max-age=300"}, "Content-Type": {ctype}, "Etag": {etag},
			"Vary": {"Origin"}, "X-Cache": {"hit"},
		}
		for i := 0; i+1 < len(more); i += 2 {
			h[more[i]] = append(h[more[i]], more[i+1])
		}
		return h
	}
	for _, c := range []struct {
		name, method, target string
		header               []string
		code                 int
		want                 http.Header // X-Request-Id and Content-Length are checked apart
	}{
		{"tile, gzip", http.MethodGet, tile, []string{"Accept-Encoding", "gzip"}, 200,
			cached(typeMVT, tileTag, "Vary", "Accept-Encoding", "Content-Encoding", "gzip")},
		{"tile, no gzip", http.MethodGet, tile, nil, 200,
			cached(typeMVT, tileTag[:len(tileTag)-1]+`-identity"`, "Vary", "Accept-Encoding")},
		{"layer", http.MethodGet, "/api/layers/al-asad", nil, 200, cached(typeGeoJSON, layerTag)},
		{"layer from another origin", http.MethodGet, "/api/layers/al-asad", []string{"Origin", "https://news.example"}, 200,
			cached(typeGeoJSON, layerTag, "Access-Control-Allow-Origin", "*")},
		{"layer, 304", http.MethodGet, "/api/layers/al-asad", []string{"If-None-Match", layerTag}, 304,
			http.Header{"Cache-Control": {"public, max-age=300"}, "Etag": {layerTag}, "Vary": {"Origin"}}},
		{"layer, HEAD", http.MethodHead, "/api/layers/al-asad", nil, 200, cached(typeGeoJSON, layerTag)},
		{"POST", http.MethodPost, "/api/layers", nil, 405,
			http.Header{"Allow": {"OPTIONS, GET, HEAD"}, "Cache-Control": {"no-store"}, "Content-Type": {"application/problem+json"}, "Vary": {"Origin"}}},
		{"preflight", http.MethodOptions, "/api/layers", []string{"Origin", "https://news.example", "Access-Control-Request-Method", "GET"}, 204,
			http.Header{"Access-Control-Allow-Methods": {"GET,HEAD"}, "Access-Control-Allow-Origin": {"*"}, "Allow": {"OPTIONS, GET, HEAD"},
				"Vary": {"Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			get(t, s, c.target, "Accept-Encoding", "gzip") // fill the cache
			get(t, s, c.target)
			req := httptest.NewRequest(c.method, c.target, nil)
			for i := 0; i+1 < len(c.header); i += 2 {
				req.Header.Set(c.header[i], c.header[i+1])
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			got := rec.Result().Header
			if rec.Code != c.code {
				t.Fatalf("status %d, want %d", rec.Code, c.code)
			}
			if id := got.Get("X-Request-Id"); len(id) != 32 {
				t.Errorf("X-Request-Id %q, want 32 hex digits", id)
			}
			delete(got, "X-Request-Id")
			if cl := got.Get("Content-Length"); c.code == 200 && cl == "" {
				t.Errorf("no Content-Length")
			}
			delete(got, "Content-Length")
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("headers\n%v\nwant\n%v", got, c.want)
			}
		})
	}
}
