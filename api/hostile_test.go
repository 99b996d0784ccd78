package api

import (
	"bytes"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
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

// Methods and paths a client makes up map to fixed metric labels, so
// /metrics does not grow with what clients send.
func TestMetricLabelsBounded(t *testing.T) {
	s := newTestServer(t)
	for i := range 40 {
		req := httptest.NewRequest(fmt.Sprintf("M%dX", i), fmt.Sprintf("/api/layers/x%d", i), nil)
		s.ServeHTTP(httptest.NewRecorder(), req)
		get(t, s, fmt.Sprintf("/no/such/path/%d", i))
		get(t, s, fmt.Sprintf("/api/nothing-%d", i))
	}
	body := get(t, s, "/metrics").Body.String()
	series := 0
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, "incidentmap_http_requests_total{") {
			continue
		}
		series++
		if strings.Contains(line, "M1X") || strings.Contains(line, "x1") || strings.Contains(line, "nothing-") || strings.Contains(line, "/no/such") {
			t.Errorf("a label carries what the client sent: %s", line)
		}
	}
	if series == 0 || series > 6 {
		t.Errorf("%d request series after 120 made-up requests, want a handful:\n%s", series, grepLines(body, "incidentmap_http_requests_total{"))
	}
}

// A client's X-Request-Id is kept only when it looks like an id; anything
// else is replaced before it is echoed or logged.
func TestRequestIDSanitised(t *testing.T) {
	var logged bytes.Buffer
	s := New(Config{Data: fixtureData(t), Logger: slog.New(slog.NewJSONHandler(&logged, nil))})
	fresh := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, tt := range []struct {
		sent string
		keep bool
	}{
		{"3f2c9a1e-5b7d-4c8e-9f01-23456789abcd", true},
		{"req_01.trace:7", true},
		{"", false},
		{"<script>alert(1)</script>", false},
		{"id\" injected=\"1", false},
		{strings.Repeat("a", 65), false},
		{"line\nbreak", false},
	} {
		logged.Reset()
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set("X-Request-Id", tt.sent)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		got := rec.Header().Get("X-Request-Id")
		if tt.keep && got != tt.sent || !tt.keep && !fresh.MatchString(got) {
			t.Errorf("sent %q: X-Request-Id %q", tt.sent, got)
		}
		if !strings.Contains(logged.String(), `"request_id":"`+got+`"`) {
			t.Errorf("sent %q: the log has not the id %q: %s", tt.sent, got, logged.String())
		}
		if !tt.keep && tt.sent != "" && strings.Contains(logged.String(), tt.sent) {
			t.Errorf("sent %q: logged verbatim", tt.sent)
		}
	}
}

// Two datetimes 2^64 ns apart had the same UnixNano, which tile keys were
// written with: a request for the empty year 2608 stored an empty tile
// under the key of 2023's. Keys now hold the interval in full.
func TestTileKeysDoNotPoison(t *testing.T) {
	// Two replicas sharing the real Redis: what the attacker's request
	// stores through one, the victim's reads through the other.
	attacker, victim := twoReplicas(t, "poison", Config{})
	real := time.Date(2023, 11, 21, 1, 0, 0, 0, time.UTC)
	far := real.Add(math.MaxInt64).Add(math.MaxInt64).Add(2) // + 2^64 ns
	if real.UnixNano() != far.UnixNano() {
		t.Fatalf("the two instants should share a UnixNano: %d, %d", real.UnixNano(), far.UnixNano())
	}
	path := "/tiles/incidents" + alAsadTile(8) + ".mvt?datetime="
	span := func(at time.Time) string {
		return at.Format(time.RFC3339Nano) + "/" + at.Add(24*time.Hour).Format(time.RFC3339Nano)
	}
	poison := get(t, attacker, path+span(far))
	if poison.Code != http.StatusNoContent {
		t.Fatalf("a tile of %d: status %d, want 204 (nothing then)", far.Year(), poison.Code)
	}
	got := get(t, victim, path+span(real))
	if got.Code != http.StatusOK || got.Header().Get("X-Cache") != "miss" {
		t.Errorf("the tile of 2023 after the attacker's, on another replica: status %d, X-Cache %q; want 200, rendered", got.Code, got.Header().Get("X-Cache"))
	}
	if got.Header().Get("ETag") == poison.Header().Get("ETag") {
		t.Error("two intervals share an ETag")
	}
}

// An overlay too large for one response is refused with a 400 that says
// what to use instead; the same overlay for a bbox is served.
func TestLargeLayerRefused(t *testing.T) {
	ds, err := geo.NewDataset(synth.Incidents(20_000, 1), fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{Data: ds})
	for _, id := range []string{geo.LayerIncidents, geo.LayerUncertainty, "al-asad"} {
		rec := get(t, s, "/api/layers/"+id)
		var p Problem
		decodeJSON(t, rec.Body, &p)
		if rec.Code != http.StatusBadRequest || p.Param != "bbox" || !strings.Contains(p.Detail, "/tiles/"+id+"/{z}/{x}/{y}.mvt") ||
			!strings.Contains(p.Detail, "/api/collections/incidents/items") {
			t.Errorf("%s whole: %d %+v; want 400 naming bbox, the tiles and the items", id, rec.Code, p)
		}
		box := "42,33,42.5,33.5"
		rec = get(t, s, "/api/layers/"+id+"?bbox="+box)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s in %s: %d %s", id, box, rec.Code, excerpt(rec.Body.String()))
		}
		var fc featureCollection
		decodeJSON(t, rec.Body, &fc)
		b, _ := geo.ParseBound(box)
		want, _ := ds.LayerIn(id, geo.Interval{}, &b)
		if len(fc.Features) != len(want) || len(want) == 0 {
			t.Errorf("%s in %s: %d features, want the %d that touch it", id, box, len(fc.Features), len(want))
		}
	}
	if rec := get(t, s, "/api/layers/rings"); rec.Code != http.StatusOK {
		t.Errorf("rings: %d; a small overlay is served whole", rec.Code)
	}
}
