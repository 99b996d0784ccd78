package api

import (
	"encoding/json"
	"html"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
)

// viewQuery writes what parseView reads back as the same view.
func TestViewQueryRoundTrip(t *testing.T) {
	s := newTestServer(t)
	at := func(s string) time.Time {
		t.Helper()
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC() // parseView keeps instants in UTC, whatever offset they came in
	}
	for _, tc := range []struct {
		name string
		v    view
	}{
		{"nothing", view{}},
		{"center", view{center: &orb.Point{43, 33.5}, zoom: 7}},
		{"center, fractions, zoom 0", view{center: &orb.Point{-179.123456789, -84.987654321}, zoom: 0}},
		{"bbox", view{bbox: &orb.Bound{Min: orb.Point{40, 32}, Max: orb.Point{46.25, 37.125}}}},
		{"bbox across the antimeridian", view{bbox: &orb.Bound{Min: orb.Point{170, -10}, Max: orb.Point{-170, 10}}}},
		{"layers", view{layers: []string{"incidents", "rings", "links", "uncertainty"}}},
		{"instant", view{time: geo.Interval{Start: at("2023-11-21T04:30:00Z"), End: at("2023-11-21T04:30:00Z")}}},
		{"day", view{time: geo.Interval{Start: at("2023-11-21T00:00:00Z"), End: at("2023-11-21T23:59:59.999999999Z")}}},
		{"open end", view{time: geo.Interval{Start: at("2023-11-21T12:00:00Z")}}},
		{"open start, offset", view{time: geo.Interval{End: at("2023-11-22T00:00:00.5+03:00")}}},
		{"interval in two offsets", view{time: geo.Interval{Start: at("2023-11-21T12:00:00.5Z"), End: at("2023-11-21T13:00:00-05:00")}}},
		{"radius", view{near: &geo.Radius{Center: orb.Point{42.441, 33.786}, Metres: 50000}}},
		{"fractional radius", view{near: &geo.Radius{Center: orb.Point{-0.000001, 0.1}, Metres: 0.5}}},
		{"everything", view{
			center: &orb.Point{43, 33.5}, zoom: 7,
			layers: []string{"incidents", "rings"},
			time:   geo.Interval{Start: at("2023-11-21T00:00:00Z"), End: at("2023-11-23T18:00:00Z")},
			near:   &geo.Radius{Center: orb.Point{42.441, 33.786}, Metres: 200000},
		}},
		{"bbox, layers, day, radius", view{
			bbox:   &orb.Bound{Min: orb.Point{40, 32}, Max: orb.Point{46, 37}},
			layers: []string{"links"},
			time:   geo.Interval{Start: at("2023-11-21T00:00:00Z"), End: at("2023-11-21T23:59:59.999999999Z")},
			near:   &geo.Radius{Center: orb.Point{42.441, 33.786}, Metres: 1},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := viewQuery(tc.v)
			back, err := parseView(q, basemapMaxZoom, s.limits, s.data.HasLayer)
			if err != nil {
				t.Fatalf("%s does not parse: %v", q.Encode(), err)
			}
			if !reflect.DeepEqual(back, tc.v) {
				t.Errorf("%s reads back as %+v, want %+v", q.Encode(), back, tc.v)
			}
			// And so does the page, which takes the same parameters.
			page, err := s.parsePageView(q)
			if err != nil || !reflect.DeepEqual(page, tc.v) {
				t.Errorf("as a page's query, %s reads back as %+v (%v), want %+v", q.Encode(), page, err, tc.v)
			}
		})
	}
}

// formatInterval writes what parseDatetime reads back as the same interval.
func TestFormatIntervalRoundTrip(t *testing.T) {
	for _, s := range []string{
		"2023-11-21", "2023-11-21T04:30:00+03:00", "2023-11-21/2023-11-22", "../2023-11-22T00:00:00Z",
		"2023-11-21T12:00:00Z/..", "2023-11-21T12:00:00.5Z/2023-11-21T13:00:00-05:00", "../..",
	} {
		iv, err := parseDatetime("datetime", s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		back, err := parseDatetime("datetime", formatInterval(iv))
		if err != nil {
			t.Fatalf("%s → %q: %v", s, formatInterval(iv), err)
		}
		if !back.Start.Equal(iv.Start) || !back.End.Equal(iv.End) {
			t.Errorf("%s → %q → %+v, want %+v", s, formatInterval(iv), back, iv)
		}
	}
}

// The page is given DefaultView, the data's extent padded, to use as it
// is: the padding is the server's alone.
func TestPageSendsDefaultView(t *testing.T) {
	s := newTestServer(t)
	d := s.DataBound()
	want := orb.Bound{Min: orb.Point{d.Min[0] - 0.5, d.Min[1] - 0.5}, Max: orb.Point{d.Max[0] + 0.5, d.Max[1] + 0.5}}
	if got := s.DefaultView(); got != want {
		t.Fatalf("DefaultView %v, want %v", got, want)
	}
	for _, path := range []string{"/", "/embed"} {
		m := regexp.MustCompile(`data-bounds="([^"]*)"`).FindStringSubmatch(get(t, s, path).Body.String())
		if m == nil {
			t.Fatalf("%s: no data-bounds", path)
		}
		var b [4]float64
		if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &b); err != nil {
			t.Fatalf("%s: data-bounds %q: %v", path, m[1], err)
		}
		if b != [4]float64{want.Min[0], want.Min[1], want.Max[0], want.Max[1]} {
			t.Errorf("%s: data-bounds %v, want %v", path, b, want)
		}
	}
}
