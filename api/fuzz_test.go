package api

import (
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/geo"
)

// fuzzQueries seed the fuzz targets: good queries and the bad ones of
// TestBadRequests.
var fuzzQueries = []string{
	"",
	"bbox=40,33,45,37",
	"bbox=170,-10,-170,10",
	"bbox=42,33,0,43,34,100",
	"bbox=42,33,43",
	"bbox=42,33,43,34,5",
	"bbox=NaN,33,43,34",
	"bbox=42,33,Infinity,34",
	"bbox=42,33,181,34",
	"bbox=42,34,43,33",
	"bbox=1e400,33,43,34",
	"bbox=42,33,43,34&bbox=40,30,45,37",
	"lat=33.786&lon=42.441&radius=50000",
	"lat=33.786&lon=42.441&radius=2000000",
	"lat=33.786&lon=42.441&radius=2000001",
	"lat=91&lon=42.441&radius=50000",
	"lat=33.786&lon=200&radius=50000",
	"lat=33.786",
	"lat=33.786&lon=42.441&radius=-1",
	"lat=33.786&lon=42.441&radius=0",
	"lat=33.786&lon=42.441&radius=NaN",
	"lat=33.786&lon=42.441&radius=1e999",
	"lat=89.99&lon=179.99&radius=2000000",
	"datetime=2023-11-21T12:00:00Z/..",
	"datetime=../2023-11-21T03:00:00Z",
	"datetime=2023-11-21",
	"datetime=2023-11-21/2023-11-22",
	"datetime=2023-11-22T00:00:00Z/2023-11-21T00:00:00Z",
	"datetime=a/b/c",
	"datetime=2023-13-45",
	"datetime=0001-01-01T00:00:00Z",
	"datetime=yesterday",
	"limit=1",
	"limit=0",
	"limit=-5",
	"limit=abc",
	"limit=1000000",
	"limit=99999999999999999999",
	"limit=-99999999999999999999",
	"offset=1",
	"offset=-1",
	"offset=abc",
	"offset=99999999999999999999",
	"offset=2147483648",
	"limit=2&offset=1",
	"event_type=airstrike,mortar_attack",
	"event_type=Missile_Attack",
	"event_type=airstrike%27%3BDROP+TABLE+incidents%3B--",
	"site=al-asad",
	"site=atlantis",
	"country=IQ,SY",
	"country=iraq",
	"located=false",
	"located=true&bbox=40,33,45,37",
	"located=maybe",
	"zoom=4",
	"zoom=23",
	"bbox=40,33,45,37&zoom=7",
	"bbox=40,33,45,37&zoom=12",
	"bbox=170,-10,-170,10&zoom=2",
	"f=csv",
	"f=kml",
	"f=json",
	"f=xml",
	"foo=1",
	"BBOX=1,2,3,4",
	"lat=33.786&lon=42.441&radius=50000&f=csv&datetime=2023-11-21&site=al-asad&country=IQ&event_type=missile_attack&limit=1&offset=1&bbox=40,33,45,37",
	"%zz",
	"a=1;b=2",
}

// FuzzParseItems checks that the items route's query check and parseItems
// never panic, that what they accept is within the limits, and that what
// they reject is a 400 naming a parameter.
func FuzzParseItems(f *testing.F) {
	for _, q := range fuzzQueries {
		f.Add(q)
	}
	data := fixtureData(f)
	knownSite := func(id string) bool {
		_, err := data.Site(id)
		return err == nil
	}
	lim := DefaultLimits
	items := routeQuery(f, newTestServer(f), "/api/collections/:id/items", collIncidents)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			t.Skip()
		}
		// What the items handler gets: the query its route checked, then
		// the values parsed.
		format, err := items.check(v)
		var r itemsRequest
		if err == nil {
			r, err = parseItems(v, lim, knownSite)
			r.format = format
		}
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("%q: error %T %v is not a *Problem", raw, err, err)
			}
			if p.Status != http.StatusBadRequest {
				t.Errorf("%q: status %d, want 400", raw, p.Status)
			}
			if p.Param == "" {
				t.Fatalf("%q: problem %q names no parameter", raw, p.Detail)
			}
			if !v.Has(p.Param) && !slices.Contains(itemsParams, p.Param) && p.Param != "query" {
				t.Errorf("%q: param %q is neither given nor an items parameter", raw, p.Param)
			}
			if !strings.HasPrefix(p.Detail, p.Param+": ") {
				t.Errorf("%q: detail %q does not start with %q", raw, p.Detail, p.Param+": ")
			}
			return
		}
		q := r.query
		if q.Limit < 1 || q.Limit > lim.MaxLimit {
			t.Errorf("%q: limit %d outside [1, %d]", raw, q.Limit, lim.MaxLimit)
		}
		if q.Offset < 0 || q.Offset > math.MaxInt32 {
			t.Errorf("%q: offset %d", raw, q.Offset)
		}
		for _, name := range []string{"limit", "offset"} {
			if s := v.Get(name); strings.HasPrefix(s, "-") && strings.Trim(s, "-0") != "" {
				t.Errorf("%q: negative %s %q accepted", raw, name, s)
			}
		}
		if n := q.Near; n != nil {
			if !(n.Metres > 0 && n.Metres <= lim.MaxRadius) {
				t.Errorf("%q: radius %v outside (0, %v]", raw, n.Metres, lim.MaxRadius)
			}
			if !inLon(n.Center[0]) || !inLat(n.Center[1]) {
				t.Errorf("%q: centre %v out of range", raw, n.Center)
			}
		}
		if b := q.BBox; b != nil {
			if !inLon(b.Min[0]) || !inLon(b.Max[0]) || !inLat(b.Min[1]) || !inLat(b.Max[1]) {
				t.Errorf("%q: bbox %v out of range", raw, *b)
			}
			if b.Min[1] > b.Max[1] {
				t.Errorf("%q: bbox %v has minLat above maxLat", raw, *b)
			}
		}
		if !q.Time.Start.IsZero() && !q.Time.End.IsZero() && q.Time.Start.After(q.Time.End) {
			t.Errorf("%q: datetime start %s after end %s", raw, q.Time.Start, q.Time.End)
		}
		for _, id := range q.Sites {
			if !knownSite(id) {
				t.Errorf("%q: unknown site %q accepted", raw, id)
			}
		}
		for _, e := range q.EventTypes {
			if !geo.ValidEventType(e) {
				t.Errorf("%q: event_type %q accepted", raw, e)
			}
		}
		for _, c := range q.Countries {
			if !geo.ValidCountry(c) {
				t.Errorf("%q: country %q accepted", raw, c)
			}
		}
		if !slices.Contains([]string{"geojson", "csv", "kml"}, r.format) {
			t.Errorf("%q: format %q", raw, r.format)
		}
		for name, vs := range v {
			if !slices.Contains(itemsParams, name) || len(vs) != 1 {
				t.Errorf("%q: %s given %d times accepted", raw, name, len(vs))
			}
		}
	})
}

// inLon and inLat are false for NaN too.
func inLon(x float64) bool { return x >= -180 && x <= 180 }
func inLat(y float64) bool { return y >= -90 && y <= 90 }

// FuzzParseDatetime checks parseDatetime never panics, never returns an
// interval that ends before it starts, rejects with a problem about
// datetime, and accepts every RFC 3339 instant as that instant.
func FuzzParseDatetime(f *testing.F) {
	for _, s := range []string{
		"", "2023-11-21T12:00:00Z", "2023-11-21T06:00:00+03:00", "2023-11-21T12:00:00.123456789Z",
		"2023-11-21", "2023-11-21/2023-11-22", "2023-11-21T12:00:00Z/..", "../2023-11-21T03:00:00Z",
		"2023-11-21T12:00:00Z/", "/2023-11-21", "../..", "/", "..", "2023-11-22/2023-11-21",
		"a/b/c", "2023-13-45", "2023-02-30", "yesterday", "0001-01-01T00:00:00Z",
		"0000-01-01T00:00:00Z/0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2023-11-21T12:00:00",
		"2023-11-21T12:00:00+14:00/2023-11-21", "2023-11-21/2023-11-21T00:00:00-12:00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iv, err := parseDatetime("datetime", s)
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) || p.Status != http.StatusBadRequest || p.Param != "datetime" {
				t.Fatalf("%q: error %v is not a 400 problem about datetime", s, err)
			}
			if s == "" {
				t.Errorf("empty datetime rejected: %v", err)
			}
		} else if !iv.Start.IsZero() && !iv.End.IsZero() && iv.Start.After(iv.End) {
			t.Errorf("%q: start %s after end %s", s, iv.Start, iv.End)
		}
		if tm, perr := time.Parse(time.RFC3339Nano, s); perr == nil {
			if err != nil {
				t.Errorf("%q parses as RFC 3339 but is rejected: %v", s, err)
			} else if !tm.IsZero() && (!iv.Start.Equal(tm) || !iv.End.Equal(tm)) {
				// Go's zero time is an open end to geo.Interval, so an
				// explicit one is written another way; TestItemsDatetime
				// checks what it matches.
				t.Errorf("%q: interval %s..%s, want the instant %s", s, iv.Start, iv.End, tm)
			}
		}
	})
}

// FuzzHandler sends arbitrary query strings through the whole server to
// the endpoints that parse the most, and checks no client input is a
// server error, every error is problem+json, and every 400 names the
// parameter at fault.
func FuzzHandler(f *testing.F) {
	for _, q := range fuzzQueries {
		f.Add(q)
	}
	for _, q := range []string{"datetime=2023-11-21T12:00:00Z/..", "datetime=2023-11-22&f=geojson", "f=json", "datetime=x"} {
		f.Add(q)
	}
	s := newTestServer(f)
	paths := []string{itemsPath, "/api/layers/incidents", "/api/collections/sites/items", "/api/layers/al-asad"}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, path := range paths {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.URL.RawQuery = raw
			req.RequestURI = path + "?" + raw
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("GET %s?%s: status %d\n%s", path, raw, rec.Code, excerpt(rec.Body.String()))
			}
			if rec.Code < 400 {
				continue
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("GET %s?%s: status %d with Content-Type %q", path, raw, rec.Code, ct)
			}
			var p Problem
			decodeJSON(t, rec.Body, &p)
			if p.Status != rec.Code || rec.Code == http.StatusBadRequest && p.Param == "" {
				t.Errorf("GET %s?%s: status %d, problem %+v", path, raw, rec.Code, p)
			}
		}
	})
}
