package api

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
)

// featureCollection is what the items and layer endpoints answer.
type featureCollection struct {
	Type           string    `json:"type"`
	Name           string    `json:"name"`
	NumberMatched  int       `json:"numberMatched"`
	NumberReturned int       `json:"numberReturned"`
	Links          []link    `json:"links"`
	Features       []feature `json:"features"`
}

type feature struct {
	Type       string          `json:"type"`
	ID         string          `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties struct {
		Kind      string   `json:"kind"`
		Site      *string  `json:"site"`
		EventType string   `json:"event_type"`
		DistanceM *float64 `json:"distance_m"`
	} `json:"properties"`
	Links []link `json:"links"`
}

// point returns the feature's Point coordinates, or nil for a null
// geometry; it fails the test for any other geometry.
func (f *feature) point(t testing.TB) *orb.Point {
	t.Helper()
	if string(f.Geometry) == "null" {
		return nil
	}
	var g struct {
		Type        string    `json:"type"`
		Coordinates []float64 `json:"coordinates"`
	}
	if err := json.Unmarshal(f.Geometry, &g); err != nil || g.Type != "Point" || len(g.Coordinates) != 2 {
		t.Fatalf("feature %s: geometry %s is not a Point (%v)", f.ID, f.Geometry, err)
	}
	return &orb.Point{g.Coordinates[0], g.Coordinates[1]}
}

func (fc *featureCollection) link(rel string) *link {
	for i := range fc.Links {
		if fc.Links[i].Rel == rel {
			return &fc.Links[i]
		}
	}
	return nil
}

func (fc *featureCollection) ids() []string {
	ids := make([]string, len(fc.Features))
	for i, f := range fc.Features {
		ids[i] = f.ID
	}
	return ids
}

// getCollection GETs target, requires a 200 GeoJSON FeatureCollection and
// decodes it.
func getCollection(t testing.TB, h http.Handler, target string, header ...string) featureCollection {
	t.Helper()
	rec := get(t, h, target, header...)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d\n%s", target, rec.Code, excerpt(rec.Body.String()))
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/geo+json" {
		t.Fatalf("GET %s: Content-Type %q, want application/geo+json", target, ct)
	}
	var fc featureCollection
	decodeJSON(t, rec.Body, &fc)
	if fc.Type != "FeatureCollection" {
		t.Fatalf("GET %s: type %q, want FeatureCollection", target, fc.Type)
	}
	return fc
}

// excerpt shortens a response body for a failure message.
func excerpt(body string) string {
	const n = 400
	if len(body) > n {
		return body[:n] + "…"
	}
	return body
}

// hrefQuery returns the query of an absolute link.
func hrefQuery(t testing.TB, href string) url.Values {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil {
		t.Fatalf("link %q: %v", href, err)
	}
	return u.Query()
}

// localTarget strips scheme and host from an absolute link, so it can be
// followed with get; it fails the test if the link is not absolute.
func localTarget(t testing.TB, href string) string {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil || !u.IsAbs() || u.Host == "" {
		t.Fatalf("link %q is not an absolute URL (%v)", href, err)
	}
	return u.RequestURI()
}

// TestItemsPaging walks next links from limit=1 (and an uneven limit) and
// checks the pages, put together, are the unpaged answer in its order.
func TestItemsPaging(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name, path, query string
	}{
		{"all incidents", itemsPath, ""},
		{"datetime", itemsPath, "datetime=2023-11-21T12:00:00Z/.."},
		{"radius sorted by distance", itemsPath, "lat=33.786&lon=42.441&radius=2000000"},
		{"sites filter", itemsPath, "site=al-asad,abu-ghraib"},
		{"bbox", itemsPath, "bbox=40,33,45,37"},
		{"country filter", itemsPath, "country=IQ"},
		{"sites collection", "/api/collections/sites/items", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := getCollection(t, s, tt.path+"?"+tt.query)
			if all.NumberMatched != len(all.Features) || all.NumberReturned != len(all.Features) {
				t.Fatalf("unpaged: numberMatched %d, numberReturned %d, %d features", all.NumberMatched, all.NumberReturned, len(all.Features))
			}
			if len(all.Features) < 2 {
				t.Fatalf("only %d features; paging is not exercised", len(all.Features))
			}
			if next := all.link("next"); next != nil {
				t.Errorf("unpaged answer has a next link %s", next.Href)
			}
			for _, limit := range []int{1, len(all.Features) - 1} {
				t.Run("limit="+strconv.Itoa(limit), func(t *testing.T) {
					q, _ := url.ParseQuery(tt.query)
					q.Set("limit", strconv.Itoa(limit))
					target := tt.path + "?" + q.Encode()
					var ids []string
					for page := 0; target != ""; page++ {
						if page > len(all.Features) {
							t.Fatalf("more than %d pages; next links loop", page)
						}
						fc := getCollection(t, s, target)
						if fc.NumberMatched != all.NumberMatched {
							t.Errorf("page %d: numberMatched %d, want %d", page, fc.NumberMatched, all.NumberMatched)
						}
						if fc.NumberReturned != len(fc.Features) || len(fc.Features) > limit || len(fc.Features) == 0 {
							t.Errorf("page %d: numberReturned %d, %d features, limit %d", page, fc.NumberReturned, len(fc.Features), limit)
						}
						offset := len(ids)
						if prev := fc.link("prev"); (prev != nil) != (offset > 0) {
							t.Errorf("page %d at offset %d: prev link %v", page, offset, prev)
						} else if prev != nil {
							pq := hrefQuery(t, prev.Href)
							if got, want := pq.Get("offset"), strconv.Itoa(max(offset-limit, 0)); got != want {
								t.Errorf("page %d: prev offset %s, want %s", page, got, want)
							}
						}
						ids = append(ids, fc.ids()...)
						target = ""
						if next := fc.link("next"); next != nil {
							nq := hrefQuery(t, next.Href)
							// Links carry the query in its canonical form:
							// lists as sorted sets.
							for name := range q {
								want := q.Get(name)
								if list := strings.Split(want, ","); len(list) > 1 && name != "bbox" {
									slices.Sort(list)
									want = strings.Join(slices.Compact(list), ",")
								}
								if name != "offset" && nq.Get(name) != want {
									t.Errorf("page %d: next link %s=%q, want %q", page, name, nq.Get(name), want)
								}
							}
							target = localTarget(t, next.Href)
						}
					}
					if !slices.Equal(ids, all.ids()) {
						t.Errorf("paged ids\n%v\nwant the unpaged\n%v", ids, all.ids())
					}
				})
			}
		})
	}

	t.Run("unfiltered order is the data set's", func(t *testing.T) {
		all := getCollection(t, s, itemsPath)
		var want []string
		for _, in := range s.data.Incidents() {
			want = append(want, in.ID)
		}
		if !slices.Equal(all.ids(), want) {
			t.Errorf("ids\n%v\nwant\n%v", all.ids(), want)
		}
	})

	t.Run("offset past the end", func(t *testing.T) {
		fc := getCollection(t, s, itemsPath+"?offset=1000")
		if fc.NumberReturned != 0 || len(fc.Features) != 0 || fc.NumberMatched != len(s.data.Incidents()) {
			t.Errorf("numberReturned %d, %d features, numberMatched %d", fc.NumberReturned, len(fc.Features), fc.NumberMatched)
		}
		if fc.link("next") != nil {
			t.Error("next link past the end")
		}
	})
}

// TestItemsRadius checks radius queries against a brute-force haversine
// scan of the fixtures.
func TestItemsRadius(t *testing.T) {
	s := newTestServer(t)
	alAsad, err := s.data.Site("al-asad")
	if err != nil {
		t.Fatal(err)
	}
	noon := mustTime(t, "2023-11-21T12:00:00Z")
	tests := []struct {
		name     string
		lat, lon float64
		metres   float64
		extra    string                   // more query parameters
		keep     func(*geo.Incident) bool // what extra keeps; nil: all
		// sameSite: every match belongs to the site nearest the centre.
		sameSite bool
	}{
		{"50 km of al-asad", 33.786, 42.441, 50000, "", nil, true},
		{"500 km of al-asad", alAsad.Location[1], alAsad.Location[0], 500000, "", nil, false},
		{"max radius from Baghdad", 33.315, 44.366, DefaultLimits.MaxRadius, "", nil, false},
		{"1 m off al-asad", 33.786, 42.441001, 1, "", nil, true},
		{"radius and event_type", 33.315, 44.366, 1000000, "event_type=airstrike,mortar_attack",
			func(in *geo.Incident) bool { return in.EventType == "airstrike" || in.EventType == "mortar_attack" }, false},
		{"radius and datetime", 33.315, 44.366, 1000000, "datetime=2023-11-21T12:00:00Z/..",
			span{start: noon, openEnd: true}.keeps, false},
		{"nothing near", -33.9, 151.2, 100000, "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			centre := orb.Point{tt.lon, tt.lat}
			q, err := url.ParseQuery(tt.extra)
			if err != nil {
				t.Fatal(err)
			}
			q.Set("lat", strconv.FormatFloat(tt.lat, 'f', -1, 64))
			q.Set("lon", strconv.FormatFloat(tt.lon, 'f', -1, 64))
			q.Set("radius", strconv.FormatFloat(tt.metres, 'f', -1, 64))

			// Brute force: every located incident within the radius, nearest
			// first, then in data-set order.
			type hit struct {
				in   *geo.Incident
				pos  int
				dist float64
			}
			var hits []hit
			all := s.data.Incidents()
			for i := range all {
				in := &all[i]
				if in.Location == nil || tt.keep != nil && !tt.keep(in) {
					continue
				}
				if d := orbgeo.DistanceHaversine(centre, *in.Location); d <= tt.metres {
					hits = append(hits, hit{in, i, d})
				}
			}
			slices.SortStableFunc(hits, func(a, b hit) int { return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.pos, b.pos)) })
			var want []string
			for _, h := range hits {
				want = append(want, h.in.ID)
			}

			fc := getCollection(t, s, itemsPath+"?"+q.Encode())
			if !slices.Equal(fc.ids(), want) {
				t.Fatalf("ids\n%v\nwant\n%v", fc.ids(), want)
			}
			if fc.NumberMatched != len(want) {
				t.Errorf("numberMatched %d, want %d", fc.NumberMatched, len(want))
			}
			prev := -1.0
			for i, f := range fc.Features {
				d := f.Properties.DistanceM
				if d == nil {
					t.Fatalf("%s has no distance_m", f.ID)
				}
				if *d != math.Round(hits[i].dist) {
					t.Errorf("%s: distance_m %v, want %v", f.ID, *d, math.Round(hits[i].dist))
				}
				if *d > tt.metres+0.5 {
					t.Errorf("%s: distance_m %v beyond the radius %v", f.ID, *d, tt.metres)
				}
				if *d < prev {
					t.Errorf("%s: distance_m %v after %v: not ascending", f.ID, *d, prev)
				}
				prev = *d
				if p := f.point(t); p == nil {
					t.Errorf("%s: a radius match with no location", f.ID)
				}
			}
			if tt.sameSite {
				if len(want) == 0 {
					t.Fatal("no matches to check the site of")
				}
				nearest := s.data.Sites[0]
				for _, st := range s.data.Sites {
					if orbgeo.DistanceHaversine(centre, st.Location) < orbgeo.DistanceHaversine(centre, nearest.Location) {
						nearest = st
					}
				}
				for _, f := range fc.Features {
					if f.Properties.Site == nil || *f.Properties.Site != nearest.ID {
						t.Errorf("%s: site %v, want %s", f.ID, f.Properties.Site, nearest.ID)
					}
				}
			}
		})
	}

	t.Run("csv distance column", func(t *testing.T) {
		target := itemsPath + "?lat=33.315&lon=44.366&radius=1000000"
		fc := getCollection(t, s, target)
		rows := getCSV(t, s, target+"&f=csv")
		col := slices.Index(rows[0], "distance_m")
		if col < 0 {
			t.Fatalf("no distance_m column in %v", rows[0])
		}
		if len(rows)-1 != len(fc.Features) {
			t.Fatalf("%d rows, %d features", len(rows)-1, len(fc.Features))
		}
		for i, f := range fc.Features {
			if got, want := rows[i+1][col], strconv.FormatFloat(*f.Properties.DistanceM, 'f', 0, 64); got != want {
				t.Errorf("%s: csv distance_m %s, GeoJSON %s", f.ID, got, want)
			}
		}
	})

	t.Run("no distance without a radius", func(t *testing.T) {
		for _, f := range getCollection(t, s, itemsPath).Features {
			if f.Properties.DistanceM != nil {
				t.Errorf("%s: distance_m %v without a radius query", f.ID, *f.Properties.DistanceM)
			}
		}
	})
}

// span is a datetime condition as a test writes it down, independently of
// the parser: closed, with either end open.
type span struct {
	start, end         time.Time
	openStart, openEnd bool
}

// keeps reports whether an incident of in's time window may fall within sp:
// an exact time is an instant, any other precision a half-open window.
func (sp span) keeps(in *geo.Incident) bool {
	from, to := in.TimePrecision.Window(in.OccurredAt)
	instant := from.Equal(to)
	if !sp.openStart {
		if instant && from.Before(sp.start) || !instant && !to.After(sp.start) {
			return false
		}
	}
	return sp.openEnd || !from.After(sp.end)
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// datetimeCases are datetime queries with the span each stands for.
func datetimeCases(t testing.TB) []struct {
	name, query string
	span        span
} {
	day := func(s string) (time.Time, time.Time) {
		d := mustTime(t, s+"T00:00:00Z")
		return d, d.Add(24*time.Hour - time.Nanosecond)
	}
	d21s, _ := day("2023-11-21")
	d22s, d22e := day("2023-11-22")
	return []struct {
		name, query string
		span        span
	}{
		{"from noon on", "2023-11-21T12:00:00Z/..", span{start: mustTime(t, "2023-11-21T12:00:00Z"), openEnd: true}},
		{"from noon, empty end", "2023-11-21T12:00:00Z/", span{start: mustTime(t, "2023-11-21T12:00:00Z"), openEnd: true}},
		{"until 03:00", "../2023-11-21T03:00:00Z", span{end: mustTime(t, "2023-11-21T03:00:00Z"), openStart: true}},
		{"closed, with offsets", "2023-11-21T06:00:00+03:00/2023-11-21T18:00:00+03:00",
			span{start: mustTime(t, "2023-11-21T03:00:00Z"), end: mustTime(t, "2023-11-21T15:00:00Z")}},
		{"the day of the 22nd", "2023-11-22", span{start: d22s, end: d22e}},
		{"date interval", "2023-11-21/2023-11-22", span{start: d21s, end: d22e}},
		{"instant", "2023-11-21T01:30:00Z", span{start: mustTime(t, "2023-11-21T01:30:00Z"), end: mustTime(t, "2023-11-21T01:30:00Z")}},
		{"long before", "2020-01-01/2020-12-31", span{start: mustTime(t, "2020-01-01T00:00:00Z"), end: mustTime(t, "2020-12-31T23:59:59.999999999Z")}},
		{"both ends open", "../..", span{openStart: true, openEnd: true}},
		// 0001-01-01T00:00:00Z is Go's zero time; it is still a time.
		{"year one instant", "0001-01-01T00:00:00Z", span{start: time.Time{}, end: time.Time{}}},
		{"until year one", "0000-01-01T00:00:00Z/0001-01-01T00:00:00Z", span{start: mustTime(t, "0000-01-01T00:00:00Z")}},
	}
}

// TestItemsDatetime checks datetime filters against the fixtures' time
// windows, worked out here from each incident's time and precision.
func TestItemsDatetime(t *testing.T) {
	s := newTestServer(t)
	for _, tt := range datetimeCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			all := s.data.Incidents()
			for i := range all {
				if tt.span.keeps(&all[i]) {
					want = append(want, all[i].ID)
				}
			}
			fc := getCollection(t, s, itemsPath+"?datetime="+url.QueryEscape(tt.query))
			if !slices.Equal(fc.ids(), want) {
				t.Errorf("datetime=%s: ids\n%v\nwant\n%v", tt.query, fc.ids(), want)
			}
			if fc.NumberMatched != len(want) {
				t.Errorf("numberMatched %d, want %d", fc.NumberMatched, len(want))
			}
		})
	}

	t.Run("noon on excludes earlier windows", func(t *testing.T) {
		start := mustTime(t, "2023-11-21T12:00:00Z")
		fc := getCollection(t, s, itemsPath+"?datetime=2023-11-21T12:00:00Z/..")
		got := map[string]bool{}
		for _, id := range fc.ids() {
			got[id] = true
		}
		excluded := 0
		for _, in := range s.data.Incidents() {
			_, end := in.TimePrecision.Window(in.OccurredAt)
			if in.TimePrecision == geo.TimeExact {
				end = end.Add(time.Nanosecond)
			}
			if ends := end.After(start); ends != got[in.ID] {
				t.Errorf("%s (window ends %s): returned %v", in.ID, end, got[in.ID])
			}
			if !got[in.ID] {
				excluded++
			}
		}
		if excluded == 0 || excluded == len(s.data.Incidents()) {
			t.Errorf("%d of %d excluded: the fixtures do not exercise the filter", excluded, len(s.data.Incidents()))
		}
	})
}

// TestForwardedHeaders checks that links are built on the base URL a proxy
// reports, that a forged host is ignored, and that one client's base never
// leaks into another's cached answer.
func TestForwardedHeaders(t *testing.T) {
	s := newTestServer(t)
	const plain = "http://example.com/" // httptest's default host
	tests := []struct {
		name   string
		header []string
		base   string
	}{
		{"none", nil, plain},
		{"proto and host", []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "news.example"}, "https://news.example/"},
		{"host with port", []string{"X-Forwarded-Host", "news.example:8443"}, "http://news.example:8443/"},
		{"proto only", []string{"X-Forwarded-Proto", "https"}, "https://example.com/"},
		{"unknown proto", []string{"X-Forwarded-Proto", "javascript", "X-Forwarded-Host", "news.example"}, "http://news.example/"},
		{"host with a space", []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "news.example evil.example"}, "https://example.com/"},
		{"host with markup", []string{"X-Forwarded-Host", `<script>alert(1)</script>`}, plain},
		{"host with a path", []string{"X-Forwarded-Host", "evil.example/x"}, plain},
		{"host with userinfo", []string{"X-Forwarded-Host", "user@evil.example"}, plain},
		{"host list", []string{"X-Forwarded-Host", "a.example,b.example"}, plain},
		{"host too long", []string{"X-Forwarded-Host", strings.Repeat("a", 256)}, plain},
	}
	targets := []string{
		itemsPath + "?limit=1&offset=1",
		itemsPath + "/2023-11-21-al-asad-crbm",
		"/api/collections/sites/items",
		"/api",
		"/api/collections",
		"/api/collections/incidents",
		"/api/layers",
	}
	for _, target := range targets {
		for _, tt := range tests {
			t.Run(target+"/"+tt.name, func(t *testing.T) {
				rec := get(t, s, target, tt.header...)
				if rec.Code != http.StatusOK {
					t.Fatalf("status %d\n%s", rec.Code, excerpt(rec.Body.String()))
				}
				var hrefs []string
				collectHrefs(t, rec.Body.Bytes(), &hrefs)
				if len(hrefs) == 0 {
					t.Fatal("no links")
				}
				for _, h := range hrefs {
					if !strings.HasPrefix(h, tt.base) {
						t.Errorf("link %q does not start with %q", h, tt.base)
					}
				}
			})
		}
	}
}

// collectHrefs appends every "href" string in a JSON document.
func collectHrefs(t testing.TB, body []byte, hrefs *[]string) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode JSON: %v", err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if h, ok := e.(string); ok && k == "href" {
					*hrefs = append(*hrefs, h)
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
}

// TestConditionalGET checks strong ETags and If-None-Match on the cached
// endpoints.
func TestConditionalGET(t *testing.T) {
	s := newTestServer(t)
	targets := []string{
		itemsPath + "?bbox=40,33,45,37",
		itemsPath + "?f=csv",
		itemsPath + "?f=kml",
		itemsPath + "/2023-11-21-al-asad-crbm",
		"/api/collections/sites/items",
		"/api/layers/incidents",
		"/api/layers/rings",
	}
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			first := get(t, s, target)
			etag := first.Header().Get("ETag")
			if first.Code != http.StatusOK || etag == "" {
				t.Fatalf("status %d, ETag %q", first.Code, etag)
			}
			if strings.HasPrefix(etag, "W/") || len(etag) < 3 || etag[0] != '"' || etag[len(etag)-1] != '"' {
				t.Fatalf("ETag %q is not a strong quoted tag", etag)
			}
			if cc := first.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
				t.Errorf("Cache-Control %q has no max-age", cc)
			}
			for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
				rec := get(t, s, target, "If-None-Match", inm)
				if rec.Code != http.StatusNotModified {
					t.Errorf("If-None-Match %s: status %d, want 304", inm, rec.Code)
				}
				if rec.Body.Len() != 0 {
					t.Errorf("If-None-Match %s: 304 with a body of %d bytes", inm, rec.Body.Len())
				}
				if got := rec.Header().Get("ETag"); got != etag {
					t.Errorf("If-None-Match %s: 304 ETag %q, want %q", inm, got, etag)
				}
			}
			rec := get(t, s, target, "If-None-Match", `"not-it"`)
			if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), first.Body.Bytes()) {
				t.Errorf("other ETag: status %d, body changed: %v", rec.Code, !bytes.Equal(rec.Body.Bytes(), first.Body.Bytes()))
			}
			if got := rec.Header().Get("ETag"); got != etag {
				t.Errorf("same request, ETag %q then %q", etag, got)
			}
			other := get(t, s, target, "X-Forwarded-Host", "news.example")
			if other.Header().Get("ETag") == etag && !bytes.Equal(other.Body.Bytes(), first.Body.Bytes()) {
				t.Errorf("a different body under the same ETag %s", etag)
			}
		})
	}

	t.Run("different queries, different ETags", func(t *testing.T) {
		seen := map[string]string{}
		for _, target := range []string{itemsPath, itemsPath + "?limit=1", itemsPath + "?f=csv", "/api/layers/incidents", "/api/layers/incidents?datetime=2023-11-22"} {
			etag := get(t, s, target).Header().Get("ETag")
			if prev, ok := seen[etag]; ok {
				t.Errorf("%s and %s share ETag %s", prev, target, etag)
			}
			seen[etag] = target
		}
	})

	t.Run("query order does not matter", func(t *testing.T) {
		a := get(t, s, itemsPath+"?limit=2&offset=1")
		b := get(t, s, itemsPath+"?offset=1&limit=2")
		if a.Header().Get("ETag") != b.Header().Get("ETag") {
			t.Errorf("ETags %s and %s for one request", a.Header().Get("ETag"), b.Header().Get("ETag"))
		}
	})

	t.Run("errors are not cached", func(t *testing.T) {
		rec := get(t, s, itemsPath+"?bbox=1,2,3")
		if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("problem Cache-Control %q, want no-store", cc)
		}
		if rec.Header().Get("ETag") != "" {
			t.Errorf("problem has ETag %s", rec.Header().Get("ETag"))
		}
	})
}

// TestXCache checks that a second identical request is a cache hit with
// the same bytes.
func TestXCache(t *testing.T) {
	for _, target := range []string{
		itemsPath + "?lat=33.786&lon=42.441&radius=50000",
		itemsPath + "?f=kml",
		itemsPath + "/2023-11-22-us-precision-strikes",
		"/api/collections/sites/items",
		"/api/layers/al-asad",
	} {
		t.Run(target, func(t *testing.T) {
			s := newTestServer(t)
			first := get(t, s, target)
			if got := first.Header().Get("X-Cache"); first.Code != 200 || got != "miss" {
				t.Fatalf("first: status %d, X-Cache %q, want miss", first.Code, got)
			}
			second := get(t, s, target)
			if got := second.Header().Get("X-Cache"); second.Code != 200 || got != "hit" {
				t.Errorf("second: status %d, X-Cache %q, want hit", second.Code, got)
			}
			if !bytes.Equal(first.Body.Bytes(), second.Body.Bytes()) {
				t.Error("the hit's bytes differ from the miss's")
			}
			if first.Header().Get("Cache-Control") == "" || second.Header().Get("Cache-Control") == "" {
				t.Error("no Cache-Control")
			}
			// Another base URL is another entry when the body has links
			// built from it; an overlay has none, and is shared.
			third := get(t, s, target, "X-Forwarded-Host", "news.example")
			want := "miss"
			if strings.HasPrefix(target, "/api/layers/") {
				want = "hit"
			}
			if got := third.Header().Get("X-Cache"); got != want {
				t.Errorf("another host: X-Cache %q, want %s", got, want)
			}
		})
	}
}

// A page of items is encoded in a buffer kept for the next page: the page
// cached must be a copy, whole after other pages were encoded.
func TestItemsPagesCachedWhole(t *testing.T) {
	s := newTestServer(t)
	near := itemsPath + "?lat=33.786&lon=42.441&radius=50000"
	first := get(t, s, near)
	for _, other := range []string{
		itemsPath + "?lat=33.3&lon=44.4&radius=90000",
		itemsPath + "?limit=3",
		itemsPath,
	} {
		if rec := get(t, s, other); rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d", other, rec.Code)
		}
	}
	again := get(t, s, near)
	if got := again.Header().Get("X-Cache"); got != "hit" {
		t.Fatalf("again: X-Cache %q, want hit", got)
	}
	if !bytes.Equal(first.Body.Bytes(), again.Body.Bytes()) {
		t.Errorf("the page cached changed when other pages were encoded:\n%.300s\nwant\n%.300s", again.Body.Bytes(), first.Body.Bytes())
	}
}

// TestCacheControl checks every successful JSON document says how long it
// may be kept.
func TestCacheControl(t *testing.T) {
	s := newTestServer(t)
	for _, target := range []string{"/api", "/api/conformance", "/api/collections", "/api/collections/sites", "/api/openapi", "/api/layers", itemsPath, "/api/layers/links"} {
		t.Run(target, func(t *testing.T) {
			rec := get(t, s, target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if cc := rec.Header().Get("Cache-Control"); !strings.HasPrefix(cc, "public, max-age=") {
				t.Errorf("Cache-Control %q", cc)
			}
		})
	}
}

// TestItemByID fetches every fixture incident and site by id.
func TestItemByID(t *testing.T) {
	s := newTestServer(t)
	check := func(t *testing.T, collection, id string, loc *orb.Point) {
		path := "/api/collections/" + collection + "/items/" + url.PathEscape(id)
		rec := get(t, s, path, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "news.example")
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d\n%s", rec.Code, excerpt(rec.Body.String()))
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/geo+json" {
			t.Errorf("Content-Type %q", ct)
		}
		var f feature
		decodeJSON(t, rec.Body, &f)
		if f.Type != "Feature" || f.ID != id {
			t.Errorf("type %q id %q, want Feature %q", f.Type, f.ID, id)
		}
		got := f.point(t)
		if (got == nil) != (loc == nil) || got != nil && (math.Abs(got[0]-loc[0]) > 1e-7 || math.Abs(got[1]-loc[1]) > 1e-7) {
			t.Errorf("geometry %v, want %v", got, loc)
		}
		rels := map[string]string{}
		for _, l := range f.Links {
			rels[l.Rel] = l.Href
		}
		if want := "https://news.example" + path; rels["self"] != want {
			t.Errorf("self link %q, want %q", rels["self"], want)
		}
		if want := "https://news.example/api/collections/" + collection; rels["collection"] != want {
			t.Errorf("collection link %q, want %q", rels["collection"], want)
		}
	}
	for _, in := range s.data.Incidents() {
		t.Run("incidents/"+in.ID, func(t *testing.T) { check(t, collIncidents, in.ID, in.Location) })
	}
	for _, st := range s.data.Sites {
		t.Run("sites/"+st.ID, func(t *testing.T) { check(t, collSites, st.ID, &st.Location) })
	}
}

// getCSV GETs target, requires a 200 CSV with CRLF line ends, and parses
// it.
func getCSV(t testing.TB, h http.Handler, target string) [][]string {
	t.Helper()
	rec := get(t, h, target)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d\n%s", target, rec.Code, excerpt(rec.Body.String()))
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type %q, want text/csv", ct)
	}
	body := rec.Body.String()
	if lf, crlf := strings.Count(body, "\n"), strings.Count(body, "\r\n"); lf != crlf || !strings.HasSuffix(body, "\r\n") {
		t.Errorf("%d LF, %d CRLF, ends %q: want CRLF line ends", lf, crlf, body[max(len(body)-2, 0):])
	}
	r := csv.NewReader(strings.NewReader(body))
	rows, err := r.ReadAll() // also checks every row has the header's width
	if err != nil {
		t.Fatalf("parse CSV: %v", err)
	}
	if len(rows) == 0 {
		t.Fatal("empty CSV")
	}
	return rows
}

// TestItemsCSV checks the CSV export row by row against the GeoJSON.
func TestItemsCSV(t *testing.T) {
	s := newTestServer(t)
	fc := getCollection(t, s, itemsPath)
	rows := getCSV(t, s, itemsPath+"?f=csv")
	if len(rows) != len(s.data.Incidents())+1 {
		t.Fatalf("%d rows, want a header and %d incidents", len(rows), len(s.data.Incidents()))
	}
	header := rows[0]
	idCol, lonCol, latCol := slices.Index(header, "id"), slices.Index(header, "lon"), slices.Index(header, "lat")
	if idCol < 0 || lonCol < 0 || latCol < 0 {
		t.Fatalf("header %v lacks id, lon or lat", header)
	}
	nulls := 0
	for i, f := range fc.Features {
		row := rows[i+1]
		t.Run(f.ID, func(t *testing.T) {
			if row[idCol] != f.ID {
				t.Fatalf("row %d id %q, want %q", i+1, row[idCol], f.ID)
			}
			p := f.point(t)
			if p == nil {
				nulls++
				if row[lonCol] != "" || row[latCol] != "" {
					t.Errorf("null geometry, lon %q lat %q; want empty", row[lonCol], row[latCol])
				}
				return
			}
			for _, c := range []struct {
				col  int
				want float64
			}{{lonCol, p[0]}, {latCol, p[1]}} {
				v, err := strconv.ParseFloat(row[c.col], 64)
				if err != nil || math.Abs(v-c.want) > 1e-7 {
					t.Errorf("%s = %q, GeoJSON %v (%v)", header[c.col], row[c.col], c.want, err)
				}
			}
		})
	}
	if nulls == 0 {
		t.Error("no incident with a null geometry: the fixtures do not exercise empty lon/lat")
	}
}

// TestItemsKML checks the KML export is well-formed XML with a Placemark
// per incident and a Point per located one.
func TestItemsKML(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name, query string
		want        []geo.Match
	}{
		{"all", "", s.data.Query(geo.Query{}).Matches},
		{"radius", "lat=33.786&lon=42.441&radius=50000",
			s.data.Query(geo.Query{Near: &geo.Radius{Center: orb.Point{42.441, 33.786}, Metres: 50000}}).Matches},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, s, itemsPath+"?f=kml&"+tt.query)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d\n%s", rec.Code, excerpt(rec.Body.String()))
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.google-earth.kml+xml" {
				t.Errorf("Content-Type %q", ct)
			}
			body := rec.Body.String()
			dec := xml.NewDecoder(rec.Body)
			var root string
			placemarks, points, depth := 0, 0, 0
			// Every source of every incident is in its sources_json.
			var doc struct {
				Placemarks []struct {
					Data []struct {
						Name  string `xml:"name,attr"`
						Value string `xml:"value"`
					} `xml:"ExtendedData>Data"`
				} `xml:"Document>Placemark"`
			}
			if err := xml.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatal(err)
			}
			for i, pm := range doc.Placemarks {
				var sources []geo.Source
				for _, d := range pm.Data {
					if d.Name == "sources_json" {
						if err := json.Unmarshal([]byte(d.Value), &sources); err != nil {
							t.Fatalf("placemark %d: sources_json %q: %v", i, d.Value, err)
						}
					}
				}
				if want := tt.want[i].Incident.Sources; len(sources) != len(want) || len(want) > 0 && sources[len(want)-1].Quote != want[len(want)-1].Quote {
					t.Errorf("placemark %d: %d sources, want %d", i, len(sources), len(want))
				}
			}
			for {
				tok, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed XML: %v", err)
				}
				switch el := tok.(type) {
				case xml.StartElement:
					if depth == 0 {
						root = el.Name.Local
					}
					depth++
					switch el.Name.Local {
					case "Placemark":
						placemarks++
					case "Point":
						points++
					}
				case xml.EndElement:
					depth--
				}
			}
			if root != "kml" || depth != 0 {
				t.Errorf("root %q, depth at end %d", root, depth)
			}
			located := 0
			for _, m := range tt.want {
				if m.Incident.Location != nil {
					located++
				}
			}
			if placemarks != len(tt.want) || points != located {
				t.Errorf("%d Placemarks, %d Points; want %d and %d", placemarks, points, len(tt.want), located)
			}
		})
	}
}

// TestLanding checks the landing page's links and that each one works.
func TestLanding(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/api")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	var doc struct {
		Links []link `json:"links"`
	}
	decodeJSON(t, rec.Body, &doc)
	for _, rel := range []string{"self", "service-desc", "conformance", "data"} {
		t.Run(rel, func(t *testing.T) {
			i := slices.IndexFunc(doc.Links, func(l link) bool { return l.Rel == rel })
			if i < 0 {
				t.Fatalf("no %s link in %v", rel, doc.Links)
			}
			l := doc.Links[i]
			res := get(t, s, localTarget(t, l.Href))
			if res.Code != http.StatusOK {
				t.Errorf("%s link %s: status %d", rel, l.Href, res.Code)
			}
			if ct := res.Header().Get("Content-Type"); l.Type != "" && ct != l.Type {
				t.Errorf("%s link says type %q, served %q", rel, l.Type, ct)
			}
		})
	}
}

// TestConformance checks the conformance classes are spelled as in OGC API
// - Features - Part 1: Core 1.0 (OGC 17-069r3), section 7.4 and annex A.
func TestConformance(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/api/conformance")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	var doc struct {
		ConformsTo []string `json:"conformsTo"`
	}
	decodeJSON(t, rec.Body, &doc)
	for _, uri := range []string{
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	} {
		if !slices.Contains(doc.ConformsTo, uri) {
			t.Errorf("conformsTo lacks %s: %v", uri, doc.ConformsTo)
		}
	}
	for _, uri := range doc.ConformsTo {
		if !strings.HasPrefix(uri, "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/") {
			t.Errorf("conformsTo has %s, not an OGC API Features 1.0 class", uri)
		}
	}
}

// TestLayers checks the list of overlays and that each serves GeoJSON.
func TestLayers(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/api/layers")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	var doc struct {
		Layers []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
			Links []link `json:"links"`
		} `json:"layers"`
	}
	decodeJSON(t, rec.Body, &doc)
	var ids []string
	for _, l := range doc.Layers {
		ids = append(ids, l.ID)
	}
	for _, want := range []string{"incidents", "rings", "links", "uncertainty", "al-asad", "abu-ghraib", "hasakah"} {
		if !slices.Contains(ids, want) {
			t.Errorf("layers %v lack %s", ids, want)
		}
	}
	var dataIDs []string
	for _, l := range s.data.Layers() {
		dataIDs = append(dataIDs, l.ID)
	}
	if !slices.Equal(ids, dataIDs) {
		t.Errorf("layers %v, the data set has %v", ids, dataIDs)
	}
	for _, l := range doc.Layers {
		t.Run(l.ID, func(t *testing.T) {
			if l.Title == "" || len(l.Links) == 0 {
				t.Fatalf("title %q, links %v", l.Title, l.Links)
			}
			target := localTarget(t, l.Links[0].Href)
			if target != "/api/layers/"+l.ID {
				t.Errorf("link %s, want /api/layers/%s", l.Links[0].Href, l.ID)
			}
			fc := getCollection(t, s, target)
			if fc.Name != l.ID {
				t.Errorf("name %q, want %q", fc.Name, l.ID)
			}
			want, err := s.data.Layer(l.ID, geo.Interval{})
			if err != nil {
				t.Fatal(err)
			}
			if len(fc.Features) != len(want) || len(want) == 0 {
				t.Errorf("%d features, geo has %d", len(fc.Features), len(want))
			}
		})
	}
}

// TestLayerDatetime checks a datetime reduces the incidents layer to what
// geo.Dataset.Layer returns for the same interval.
func TestLayerDatetime(t *testing.T) {
	s := newTestServer(t)
	all, err := s.data.Layer(geo.LayerIncidents, geo.Interval{})
	if err != nil {
		t.Fatal(err)
	}
	reduced := false
	for _, tt := range datetimeCases(t) {
		if tt.span.openStart && tt.span.openEnd || tt.span.start.IsZero() && !tt.span.openStart || tt.span.end.IsZero() && !tt.span.openEnd {
			continue // geo.Interval cannot say these; TestItemsDatetime covers them
		}
		t.Run(tt.name, func(t *testing.T) {
			iv := geo.Interval{Start: tt.span.start, End: tt.span.end}
			fs, err := s.data.Layer(geo.LayerIncidents, iv)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, f := range fs {
				want = append(want, f.ID)
			}
			fc := getCollection(t, s, "/api/layers/incidents?datetime="+url.QueryEscape(tt.query))
			if !slices.Equal(fc.ids(), want) {
				t.Errorf("ids\n%v\nwant\n%v", fc.ids(), want)
			}
			if len(want) < len(all) {
				reduced = true
			}
		})
	}
	if !reduced {
		t.Error("no datetime reduced the layer: the cases do not exercise the filter")
	}
}

// TestHealth checks liveness and readiness with no Redis.
func TestHealth(t *testing.T) {
	s := newTestServer(t)
	t.Run("healthz", func(t *testing.T) {
		if rec := get(t, s, "/healthz"); rec.Code != http.StatusOK {
			t.Errorf("status %d", rec.Code)
		}
	})
	t.Run("readyz", func(t *testing.T) {
		rec := get(t, s, "/readyz")
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		var doc struct {
			Status    string `json:"status"`
			Incidents int    `json:"incidents"`
			Version   string `json:"data_version"`
			Cache     struct {
				Redis struct {
					Configured *bool `json:"configured"`
				} `json:"redis"`
			} `json:"cache"`
		}
		decodeJSON(t, rec.Body, &doc)
		if doc.Status != "ok" {
			t.Errorf("status %q, want ok", doc.Status)
		}
		if doc.Cache.Redis.Configured == nil || *doc.Cache.Redis.Configured {
			t.Errorf("redis configured %v, want false", doc.Cache.Redis.Configured)
		}
		if doc.Incidents != len(s.data.Incidents()) || doc.Version != s.data.Version {
			t.Errorf("incidents %d version %q, want %d %q", doc.Incidents, doc.Version, len(s.data.Incidents()), s.data.Version)
		}
	})
}

// TestMetrics checks requests are counted by route and status.
func TestMetrics(t *testing.T) {
	s := newTestServer(t)
	get(t, s, itemsPath)
	get(t, s, itemsPath+"?limit=2")
	get(t, s, itemsPath+"?bbox=1")
	rec := get(t, s, "/metrics")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	for _, tt := range []struct {
		code string
		want float64
	}{{"200", 2}, {"400", 1}} {
		t.Run(tt.code, func(t *testing.T) {
			var found bool
			for _, line := range strings.Split(body, "\n") {
				if !strings.HasPrefix(line, "incidentmap_http_requests_total{") ||
					!strings.Contains(line, `route="/api/collections/:id/items"`) ||
					!strings.Contains(line, `code="`+tt.code+`"`) {
					continue
				}
				found = true
				v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
				if err != nil || v != tt.want {
					t.Errorf("%s: count %v (%v), want %v", line, v, err, tt.want)
				}
			}
			if !found {
				t.Errorf("no incidentmap_http_requests_total line for the items route with code %s in\n%s", tt.code, grepLines(body, "incidentmap_http_requests_total"))
			}
		})
	}
}

// Cached responses carry their length, so GDAL's /vsicurl/ and other
// clients that need it first can read them.
func TestCachedResponsesAreSized(t *testing.T) {
	s := newTestServer(t)
	for _, path := range []string{itemsPath + "?f=csv", itemsPath + "?f=kml", itemsPath, "/api/layers/al-asad", "/tiles/incidents" + alAsadTile(10) + ".mvt"} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
			got := rec.Header().Get("Content-Length")
			want := get(t, s, path).Body.Len()
			if got != strconv.Itoa(want) {
				t.Errorf("%s %s: Content-Length %q, want %d", method, path, got, want)
			}
		}
	}
}

// located=false lists exactly the incidents without a location, and
// located=true the others, with every other condition and the paging.
func TestItemsLocated(t *testing.T) {
	s := newTestServer(t)
	all := getCollection(t, s, itemsPath+"?limit=10000")
	var with, without []string
	for _, f := range all.Features {
		if f.point(t) != nil {
			with = append(with, f.ID)
		} else {
			without = append(without, f.ID)
		}
	}
	if len(with) == 0 || len(without) == 0 {
		t.Fatalf("the fixtures have %d located and %d unlocated incidents; the test needs both", len(with), len(without))
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"located=false", without},
		{"located=true", with},
		{"located=true&limit=2", with[:2]},
		{"located=true&limit=2&offset=2", with[2:4]},
		{"located=false&bbox=-180,-90,180,90", nil},
		{"located=false&lat=33.786&lon=42.441&radius=2000000", nil},
	} {
		fc := getCollection(t, s, itemsPath+"?"+tt.query)
		if !slices.Equal(fc.ids(), tt.want) {
			t.Errorf("%s: %v, want %v", tt.query, fc.ids(), tt.want)
		}
		if total := map[bool]int{true: len(with), false: len(without)}[strings.Contains(tt.query, "located=true")]; !strings.Contains(tt.query, "bbox") &&
			!strings.Contains(tt.query, "lat=") && fc.NumberMatched != total {
			t.Errorf("%s: numberMatched %d, want %d", tt.query, fc.NumberMatched, total)
		}
	}
	// With the other conditions: a time that leaves the unlocated out.
	last := getCollection(t, s, itemsPath+"?located=false&datetime=2023-11-20T00:00:00Z/2023-11-20T23:00:00Z")
	if last.NumberMatched != 0 {
		t.Errorf("located=false before the unlocated incident: %v", last.ids())
	}
	if rows := getCSV(t, s, itemsPath+"?located=false&f=csv"); len(rows) != len(without)+1 {
		t.Errorf("CSV of located=false: %d rows, want a header and %d", len(rows), len(without))
	}
}

// A site is served with its data file's properties, but for kind, which
// every overlay feature uses to say what it is: the file's kind is
// site_kind (README, "the sites collection").
func TestSiteKindServedAsSiteKind(t *testing.T) {
	s := newTestServer(t)
	var file struct {
		Features []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(fixtures.Sites, &file); err != nil {
		t.Fatal(err)
	}
	var served struct {
		Features []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	rec := do(s, http.MethodGet, "/api/collections/sites/items", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &served); err != nil || len(served.Features) != len(file.Features) {
		t.Fatalf("sites: %v, %d features of %d", err, len(served.Features), len(file.Features))
	}
	for i, f := range file.Features {
		got := served.Features[i].Properties
		if served.Features[i].ID != f.ID || got["kind"] != "site" || got["site_kind"] != f.Properties["kind"] || got["name"] != f.Properties["name"] {
			t.Errorf("site %s served as %s: kind %v, site_kind %v, name %v; the file's kind is %v", f.ID, served.Features[i].ID, got["kind"], got["site_kind"], got["name"], f.Properties["kind"])
		}
	}
}

// q keeps the incidents whose text holds every word, with the other
// conditions; the fixtures' own texts say which those are.
func TestItemsWords(t *testing.T) {
	s := newTestServer(t)
	ds, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	var claimed, claimedIQ []string
	for _, in := range ds.Incidents() {
		if strings.Contains(strings.ToLower(in.Title+in.Summary), "claim") {
			claimed = append(claimed, in.ID)
			if in.Country == "IQ" {
				claimedIQ = append(claimedIQ, in.ID)
			}
		}
	}
	if len(claimedIQ) == 0 || len(claimedIQ) == len(claimed) {
		t.Fatalf("the fixtures' claims: %v, in Iraq %v; the test needs some in Iraq and some not", claimed, claimedIQ)
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"q=CLAIM&limit=1000", nil}, // filled below: every title or summary with "claim"
		{"q=claim&country=IQ&limit=1000", claimedIQ},
		{"q=claim+nosuchword", nil},
	} {
		want := tt.want
		if strings.HasPrefix(tt.query, "q=CLAIM") {
			want = claimed
		}
		fc := getCollection(t, s, itemsPath+"?"+tt.query)
		// Words in a source's text match too, so the answer holds at least
		// the claims of titles and summaries.
		for _, id := range want {
			if !slices.Contains(fc.ids(), id) {
				t.Errorf("%s: %v lacks %s", tt.query, fc.ids(), id)
			}
		}
		for _, f := range fc.Features {
			in, err := ds.Incident(f.ID)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(tt.query, "country=IQ") && in.Country != "IQ" {
				t.Errorf("%s: %s is in %s", tt.query, f.ID, in.Country)
			}
		}
		if tt.query == "q=claim+nosuchword" && fc.NumberMatched != 0 {
			t.Errorf("%s: %v", tt.query, fc.ids())
		}
	}
}

// sortby=-occurred_at pages the incidents newest first: the default
// order read from its end.
func TestItemsNewestFirst(t *testing.T) {
	s := newTestServer(t)
	all := getCollection(t, s, itemsPath+"?limit=1000")
	oldest := all.ids()
	fc := getCollection(t, s, itemsPath+"?limit=1000&sortby=-occurred_at")
	newest := fc.ids()
	reversed := slices.Clone(oldest)
	slices.Reverse(reversed)
	if len(oldest) < 3 || !slices.Equal(newest, reversed) {
		t.Fatalf("newest first %v; oldest first %v", newest, oldest)
	}
	page := getCollection(t, s, itemsPath+"?limit=2&offset=1&sortby=-occurred_at")
	if !slices.Equal(page.ids(), newest[1:3]) {
		t.Errorf("a page of the newest first: %v, want %v", page.ids(), newest[1:3])
	}
	if next := page.link("next"); next == nil || hrefQuery(t, next.Href).Get("sortby") != "-occurred_at" {
		t.Errorf("the next link keeps no sortby: %+v", next)
	}
}
