package api

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

const itemsPath = "/api/collections/incidents/items"

// TestBadRequests sends client mistakes through the whole echo handler and
// checks each is answered as the contract says: a 4xx (never a 5xx),
// application/problem+json, a Problem whose status is the HTTP status and
// whose param and detail name the parameter at fault.
func TestBadRequests(t *testing.T) {
	s := newTestServer(t)
	radius := func(lat, lon, r string) string {
		return itemsPath + "?lat=" + lat + "&lon=" + lon + "&radius=" + r
	}
	tests := []struct {
		name   string
		target string
		status int
		param  string
	}{
		// sortby
		{"sortby of another field", itemsPath + "?sortby=title", 400, "sortby"},
		{"sortby with a radius", itemsPath + "?lat=33.786&lon=42.441&radius=50000&sortby=-occurred_at", 400, "sortby"},
		// q
		{"q over 200 bytes", itemsPath + "?q=" + strings.Repeat("x", 201), 400, "q"},
		{"q of nine words", itemsPath + "?q=a+b+c+d+e+f+g+h+i", 400, "q"},
		{"q not UTF-8", itemsPath + "?q=%ff", 400, "q"},
		// bbox
		{"bbox three numbers", itemsPath + "?bbox=42,33,43", 400, "bbox"},
		{"bbox five numbers", itemsPath + "?bbox=42,33,43,34,5", 400, "bbox"},
		{"bbox seven numbers", itemsPath + "?bbox=1,2,3,4,5,6,7", 400, "bbox"},
		{"bbox not a number", itemsPath + "?bbox=42,33,east,34", 400, "bbox"},
		{"bbox empty item", itemsPath + "?bbox=42,,43,34", 400, "bbox"},
		{"bbox NaN", itemsPath + "?bbox=NaN,33,43,34", 400, "bbox"},
		{"bbox Infinity", itemsPath + "?bbox=42,33,Infinity,34", 400, "bbox"},
		{"bbox minus Inf", itemsPath + "?bbox=-Inf,33,43,34", 400, "bbox"},
		{"bbox lon 181", itemsPath + "?bbox=42,33,181,34", 400, "bbox"},
		{"bbox lon -181", itemsPath + "?bbox=-181,33,43,34", 400, "bbox"},
		{"bbox lat 91", itemsPath + "?bbox=42,33,43,91", 400, "bbox"},
		{"bbox lat -91", itemsPath + "?bbox=42,-91,43,34", 400, "bbox"},
		{"bbox minLat above maxLat", itemsPath + "?bbox=42,34,43,33", 400, "bbox"},
		{"bbox overflow 1e400", itemsPath + "?bbox=1e400,33,43,34", 400, "bbox"},
		{"bbox six numbers lat 91", itemsPath + "?bbox=42,33,0,43,91,0", 400, "bbox"},
		{"bbox six numbers NaN height", itemsPath + "?bbox=42,33,NaN,43,34,0", 400, "bbox"},
		{"bbox on sites", "/api/collections/sites/items?bbox=1,2,3", 400, "bbox"},

		// radius query
		{"latitude 91", radius("91", "42.441", "50000"), 400, "lat"},
		{"latitude -91", radius("-91", "42.441", "50000"), 400, "lat"},
		{"latitude not a number", radius("north", "42.441", "50000"), 400, "lat"},
		{"latitude empty", radius("", "42.441", "50000"), 400, "lat"},
		{"longitude 200", radius("33.786", "200", "50000"), 400, "lon"},
		{"longitude -180.5", radius("33.786", "-180.5", "50000"), 400, "lon"},
		{"longitude NaN", radius("33.786", "NaN", "50000"), 400, "lon"},
		{"lat without lon and radius", itemsPath + "?lat=33.786", 400, "lon"},
		{"lat and lon without radius", itemsPath + "?lat=33.786&lon=42.441", 400, "radius"},
		{"radius alone", itemsPath + "?radius=50000", 400, "lat"},
		{"radius -1", radius("33.786", "42.441", "-1"), 400, "radius"},
		{"radius 0", radius("33.786", "42.441", "0"), 400, "radius"},
		{"radius above max", radius("33.786", "42.441", strconv.FormatFloat(DefaultLimits.MaxRadius+1, 'f', -1, 64)), 400, "radius"},
		{"radius NaN", radius("33.786", "42.441", "NaN"), 400, "radius"},
		{"radius 1e999", radius("33.786", "42.441", "1e999"), 400, "radius"},
		{"radius Inf", radius("33.786", "42.441", "+Inf"), 400, "radius"},

		// datetime
		{"datetime garbage", itemsPath + "?datetime=yesterday", 400, "datetime"},
		{"datetime reversed interval", itemsPath + "?datetime=2023-11-22T00:00:00Z/2023-11-21T00:00:00Z", 400, "datetime"},
		{"datetime reversed dates", itemsPath + "?datetime=2023-11-22/2023-11-21", 400, "datetime"},
		{"datetime three parts", itemsPath + "?datetime=a/b/c", 400, "datetime"},
		{"datetime three valid parts", itemsPath + "?datetime=2023-11-20/2023-11-21/2023-11-22", 400, "datetime"},
		{"datetime month 13 day 45", itemsPath + "?datetime=2023-13-45", 400, "datetime"},
		{"datetime bad end", itemsPath + "?datetime=2023-11-21/2023-02-30", 400, "datetime"},
		{"datetime bad start", itemsPath + "?datetime=noon/..", 400, "datetime"},
		{"datetime without zone", itemsPath + "?datetime=2023-11-21T12:00:00", 400, "datetime"},

		// paging
		{"limit 0", itemsPath + "?limit=0", 400, "limit"},
		{"limit -5", itemsPath + "?limit=-5", 400, "limit"},
		{"limit abc", itemsPath + "?limit=abc", 400, "limit"},
		{"limit fraction", itemsPath + "?limit=1.5", 400, "limit"},
		{"limit hugely negative", itemsPath + "?limit=-99999999999999999999", 400, "limit"},
		{"offset -1", itemsPath + "?offset=-1", 400, "offset"},
		{"offset abc", itemsPath + "?offset=abc", 400, "offset"},
		{"offset huge integer", itemsPath + "?offset=99999999999999999999", 400, "offset"},
		{"offset above int32", itemsPath + "?offset=" + strconv.Itoa(1<<31), 400, "offset"},
		{"sites limit 0", "/api/collections/sites/items?limit=0", 400, "limit"},
		{"sites offset -1", "/api/collections/sites/items?offset=-1", 400, "offset"},

		// filters
		{"event_type upper case", itemsPath + "?event_type=Missile_Attack", 400, "event_type"},
		{"event_type injection", itemsPath + "?event_type=" + url.QueryEscape("airstrike';DROP TABLE incidents;--"), 400, "event_type"},
		{"event_type markup", itemsPath + "?event_type=" + url.QueryEscape("<script>"), 400, "event_type"},
		{"event_type empty item", itemsPath + "?event_type=airstrike,", 400, "event_type"},
		{"site unknown", itemsPath + "?site=atlantis", 400, "site"},
		{"site unknown in list", itemsPath + "?site=al-asad,atlantis", 400, "site"},
		{"site bad characters", itemsPath + "?site=" + url.QueryEscape("al asad"), 400, "site"},
		{"country lower-case name", itemsPath + "?country=iraq", 400, "country"},
		{"country lower-case code", itemsPath + "?country=iq", 400, "country"},
		{"country three letters", itemsPath + "?country=IRQ", 400, "country"},
		{"located yes", itemsPath + "?located=yes", 400, "located"},

		// format
		{"f xml", itemsPath + "?f=xml", 400, "f"},
		{"f upper case", itemsPath + "?f=CSV", 400, "f"},
		{"f csv on sites", "/api/collections/sites/items?f=csv", 400, "f"},
		{"f csv on one feature", itemsPath + "/2023-11-21-al-asad-crbm?f=csv", 400, "f"},
		{"f kml on a layer", "/api/layers/incidents?f=kml", 400, "f"},

		// unknown and repeated parameters
		{"unknown parameter on items", itemsPath + "?foo=1", 400, "foo"},
		{"unknown parameter on sites items", "/api/collections/sites/items?foo=1", 400, "foo"},
		{"unknown parameter on landing", "/api?foo=1", 400, "foo"},
		{"unknown parameter on conformance", "/api/conformance?foo=1", 400, "foo"},
		{"unknown parameter on collections", "/api/collections?foo=1", 400, "foo"},
		{"unknown parameter on a collection", "/api/collections/incidents?foo=1", 400, "foo"},
		{"unknown parameter on one feature", itemsPath + "/2023-11-21-al-asad-crbm?foo=1", 400, "foo"},
		{"unknown parameter on layers", "/api/layers?foo=1", 400, "foo"},
		{"unknown parameter on a layer", "/api/layers/incidents?foo=1", 400, "foo"},
		{"parameter name in another case", itemsPath + "?BBOX=42,33,43,34", 400, "BBOX"},
		{"repeated bbox", itemsPath + "?bbox=42,33,43,34&bbox=40,30,45,37", 400, "bbox"},
		{"repeated limit", itemsPath + "?limit=1&limit=2", 400, "limit"},
		{"repeated datetime on a layer", "/api/layers/incidents?datetime=2023-11-21&datetime=2023-11-22", 400, "datetime"},
		{"event_type on sites items", "/api/collections/sites/items?event_type=airstrike", 400, "event_type"},
		{"datetime on sites items", "/api/collections/sites/items?datetime=2023-11-21", 400, "datetime"},

		// things that do not exist
		{"unknown collection", "/api/collections/nope", 404, "id"},
		{"unknown collection items", "/api/collections/nope/items", 404, "id"},
		{"unknown collection feature", "/api/collections/nope/items/x", 404, "id"},
		{"unknown incident", itemsPath + "/1999-01-01-nowhere", 404, "fid"},
		{"unknown site feature", "/api/collections/sites/items/atlantis", 404, "fid"},
		{"unknown layer", "/api/layers/nope", 404, "id"},
		{"layer bad datetime", "/api/layers/incidents?datetime=2023-13-45", 400, "datetime"},
		{"site layer reversed datetime", "/api/layers/al-asad?datetime=2023-11-22/2023-11-21", 400, "datetime"},

		// a layer's view: zoom, and bbox with it
		{"layer zoom not a number", "/api/layers/incidents?bbox=42,33,43,34&zoom=seven", 400, "zoom"},
		{"layer zoom fraction", "/api/layers/incidents?bbox=42,33,43,34&zoom=7.5", 400, "zoom"},
		{"layer zoom negative", "/api/layers/incidents?bbox=42,33,43,34&zoom=-1", 400, "zoom"},
		{"layer zoom above the tiles'", "/api/layers/incidents?bbox=42,33,43,34&zoom=23", 400, "zoom"},
		{"layer zoom empty", "/api/layers/incidents?bbox=42,33,43,34&zoom=", 400, "zoom"},
		{"layer zoom huge", "/api/layers/incidents?bbox=42,33,43,34&zoom=99999999999999999999", 400, "zoom"},
		{"layer view larger than a 4K screen", "/api/layers/incidents?bbox=38,29,48,37&zoom=12", 400, "bbox"},
		{"site layer view larger than a 4K screen", "/api/layers/al-asad?bbox=38,29,48,37&zoom=10", 400, "bbox"},
		{"layer view of the world past zoom 4", "/api/layers/incidents?zoom=5", 400, "zoom"},
		{"layer view across the antimeridian", "/api/layers/incidents?bbox=170,-10,-170,10&zoom=3", 400, "bbox"},
		{"layer view bad bbox", "/api/layers/incidents?bbox=42,33,43&zoom=7", 400, "bbox"},
		{"repeated zoom", "/api/layers/incidents?zoom=3&zoom=4", 400, "zoom"},
		{"unknown parameter on the summary", "/api/collections/incidents/summary?datetime=2023-11-21", 400, "datetime"},
	}
	if len(tests) < 40 {
		t.Fatalf("only %d cases", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, s, tt.target)
			if rec.Code >= 500 {
				t.Fatalf("GET %s: status %d, a server error for a client mistake\n%s", tt.target, rec.Code, excerpt(rec.Body.String()))
			}
			if rec.Code != tt.status {
				t.Fatalf("GET %s: status %d, want %d\n%s", tt.target, rec.Code, tt.status, excerpt(rec.Body.String()))
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
			var p Problem
			decodeJSON(t, rec.Body, &p)
			if p.Status != rec.Code {
				t.Errorf("problem status %d, HTTP status %d", p.Status, rec.Code)
			}
			if p.Title != http.StatusText(rec.Code) {
				t.Errorf("problem title %q, want %q", p.Title, http.StatusText(rec.Code))
			}
			if p.Param != tt.param {
				t.Errorf("param %q, want %q (detail %q)", p.Param, tt.param, p.Detail)
			}
			if !strings.Contains(p.Detail, tt.param) {
				t.Errorf("detail %q does not mention %q", p.Detail, tt.param)
			}
			if p.Instance != tt.target {
				t.Errorf("instance %q, want the request URI %q", p.Instance, tt.target)
			}
		})
	}
}

// TestHEAD checks that HEAD is answered wherever GET is (RFC 9110 9.1:
// a general-purpose server must support both), with GET's status and
// headers; a bad parameter gets the same 4xx as the GET, without a body.
func TestHEAD(t *testing.T) {
	s := newTestServer(t)
	for _, target := range []string{
		itemsPath + "?bbox=1,2,3",
		"/api/layers/nope",
		"/api",
		itemsPath,
		itemsPath + "/2023-11-21-al-asad-crbm",
		"/api/layers/incidents",
		"/healthz",
	} {
		t.Run(target, func(t *testing.T) {
			want := get(t, s, target)
			req := httptest.NewRequest(http.MethodHead, target, nil)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != want.Code {
				t.Fatalf("HEAD status %d, GET status %d (Allow: %q)", rec.Code, want.Code, rec.Header().Get("Allow"))
			}
			for _, h := range []string{"Content-Type", "ETag", "Cache-Control"} {
				if got := rec.Header().Get(h); got != want.Header().Get(h) {
					t.Errorf("HEAD %s %q, GET %q", h, got, want.Header().Get(h))
				}
			}
			if rec.Code >= 400 && rec.Body.Len() != 0 {
				t.Errorf("HEAD problem has a body: %q", excerpt(rec.Body.String()))
			}
		})
	}
}

// TestUnroutedAPIPathIsProblem: the contract says JSON errors are
// problem+json; a path under /api that names nothing is a client mistake
// and should be answered like the others, not with the file server's
// text/plain page.
func TestUnroutedAPIPathIsProblem(t *testing.T) {
	s := newTestServer(t)
	for _, target := range []string{"/api/nope", itemsPath + "/2023-11-21-al-asad-crbm/extra"} {
		t.Run(target, func(t *testing.T) {
			rec := get(t, s, target)
			if rec.Code != http.StatusNotFound {
				t.Fatalf("status %d, want 404", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type %q, want application/problem+json (body %q)", ct, excerpt(rec.Body.String()))
			}
			var p Problem
			decodeJSON(t, rec.Body, &p)
			if p.Status != http.StatusNotFound || p.Detail == "" {
				t.Errorf("problem %+v", p)
			}
		})
	}
}

// TestLimitIsClamped checks that a limit above MaxLimit is served, not
// refused, and acts as MaxLimit: no more than MaxLimit features, and the
// paging links carry the clamped value.
func TestLimitIsClamped(t *testing.T) {
	huge := []string{"1000000", strconv.Itoa(DefaultLimits.MaxLimit + 1), "99999999999999999999"}

	t.Run("default limits", func(t *testing.T) {
		s := newTestServer(t)
		for _, path := range []string{itemsPath, "/api/collections/sites/items"} {
			for _, limit := range huge {
				t.Run(path+" limit="+limit, func(t *testing.T) {
					// offset=1 makes a prev link, which carries the limit in force.
					fc := getCollection(t, s, path+"?offset=1&limit="+limit)
					if fc.NumberReturned > DefaultLimits.MaxLimit {
						t.Errorf("numberReturned %d > MaxLimit %d", fc.NumberReturned, DefaultLimits.MaxLimit)
					}
					if want := fc.NumberMatched - 1; fc.NumberReturned != want {
						t.Errorf("numberReturned %d, want all but the first: %d", fc.NumberReturned, want)
					}
					if next := fc.link("next"); next != nil {
						t.Errorf("a next link with all matches returned: %s", next.Href)
					}
					prev := fc.link("prev")
					if prev == nil {
						t.Fatal("no prev link at offset=1")
					}
					q := hrefQuery(t, prev.Href)
					if got, want := q.Get("limit"), strconv.Itoa(DefaultLimits.MaxLimit); got != want {
						t.Errorf("prev link limit=%s, want the clamped %s", got, want)
					}
					if got := q.Get("offset"); got != "0" {
						t.Errorf("prev link offset=%s, want 0", got)
					}
					// The self link is the page as served: it states the
					// clamped limit, as it would be asked for again.
					if self := fc.link("self"); self == nil || hrefQuery(t, self.Href).Get("limit") != strconv.Itoa(DefaultLimits.MaxLimit) {
						t.Errorf("self link %v does not state the clamped limit=%d", self, DefaultLimits.MaxLimit)
					}
				})
			}
		}
	})

	t.Run("small max limit", func(t *testing.T) {
		lim := Limits{DefaultLimit: 1, MaxLimit: 2, MaxRadius: DefaultLimits.MaxRadius}
		s := New(Config{Data: fixtureData(t), Limits: lim})
		if len(s.data.Incidents()) <= lim.MaxLimit {
			t.Fatalf("need more than %d incidents in the fixtures", lim.MaxLimit)
		}
		for _, limit := range huge {
			t.Run("limit="+limit, func(t *testing.T) {
				fc := getCollection(t, s, itemsPath+"?limit="+limit)
				if fc.NumberReturned != lim.MaxLimit || len(fc.Features) != lim.MaxLimit {
					t.Errorf("numberReturned %d, %d features; want the clamped %d", fc.NumberReturned, len(fc.Features), lim.MaxLimit)
				}
				if fc.NumberMatched != len(s.data.Incidents()) {
					t.Errorf("numberMatched %d, want %d", fc.NumberMatched, len(s.data.Incidents()))
				}
				next := fc.link("next")
				if next == nil {
					t.Fatal("no next link with more matches")
				}
				q := hrefQuery(t, next.Href)
				if got, want := q.Get("limit"), strconv.Itoa(lim.MaxLimit); got != want {
					t.Errorf("next link limit=%s, want the clamped %s", got, want)
				}
				if got, want := q.Get("offset"), strconv.Itoa(lim.MaxLimit); got != want {
					t.Errorf("next link offset=%s, want %s", got, want)
				}
			})
		}
	})
}
