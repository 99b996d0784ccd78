package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"

	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles/basemap"
)

// fixtureData loads the embedded fixtures, failing the test if they do not
// load.
func fixtureData(t testing.TB) *geo.Dataset {
	t.Helper()
	ds, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatalf("load fixtures: %v", err)
	}
	return ds
}

// testBasemap is the embedded basemap, decoded once for all tests.
var testBasemap = sync.OnceValues(func() (*basemap.Basemap, error) {
	return basemap.Load(basemap.Embedded())
})

// newTestServer returns a server over the fixtures and the basemap with
// an in-process cache only.
func newTestServer(t testing.TB) *Server {
	t.Helper()
	bm, err := testBasemap()
	if err != nil {
		t.Fatalf("load basemap: %v", err)
	}
	return New(Config{Data: fixtureData(t), Cache: cache.New(8<<20, nil), Basemap: bm, TrustedProxies: testProxies})
}

// testProxies trusts httptest's client address (192.0.2.1, TEST-NET-1),
// so that tests may send X-Forwarded-* as a proxy in front would.
var testProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}

// get performs a GET against h and returns the recorded response.
func get(t testing.TB, h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// decodeJSON decodes a response body into v, failing the test on error.
func decodeJSON(t testing.TB, r io.Reader, v any) {
	t.Helper()
	if err := json.NewDecoder(r).Decode(v); err != nil {
		t.Fatalf("decode JSON: %v", err)
	}
}
