package geo_test

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTimePrecisionWindow(t *testing.T) {
	cases := []struct {
		name       string
		precision  geo.TimePrecision
		at         string
		start, end string
	}{
		{"exact is an instant", geo.TimeExact, "2023-11-21T04:30:00+03:00", "2023-11-21T04:30:00+03:00", "2023-11-21T04:30:00+03:00"},
		{"hour", geo.TimeHour, "2023-11-21T12:20:31+03:00", "2023-11-21T12:00:00+03:00", "2023-11-21T13:00:00+03:00"},
		{"hour in UTC", geo.TimeHour, "2023-11-21T23:59:59Z", "2023-11-21T23:00:00Z", "2023-11-22T00:00:00Z"},
		{"hour in a half-hour zone", geo.TimeHour, "2023-11-21T10:45:00+03:30", "2023-11-21T10:00:00+03:30", "2023-11-21T11:00:00+03:30"},
		{"day in its own zone", geo.TimeDay, "2023-11-21T01:00:00+03:00", "2023-11-21T00:00:00+03:00", "2023-11-22T00:00:00+03:00"},
		{"day late in the evening", geo.TimeDay, "2023-11-21T23:30:00+03:00", "2023-11-21T00:00:00+03:00", "2023-11-22T00:00:00+03:00"},
		{"day at midnight", geo.TimeDay, "2023-11-22T00:00:00+03:00", "2023-11-22T00:00:00+03:00", "2023-11-23T00:00:00+03:00"},
		{"day at the end of a year", geo.TimeDay, "2023-12-31T18:00:00-05:00", "2023-12-31T00:00:00-05:00", "2024-01-01T00:00:00-05:00"},
		{"approximate is six hours either side", geo.TimeApproximate, "2023-11-21T15:00:00+03:00", "2023-11-21T09:00:00+03:00", "2023-11-21T21:00:00+03:00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start, end := c.precision.Window(mustTime(t, c.at))
			if !start.Equal(mustTime(t, c.start)) || !end.Equal(mustTime(t, c.end)) {
				t.Errorf("Window(%s) = [%s, %s), want [%s, %s)", c.at, start.Format(time.RFC3339), end.Format(time.RFC3339), c.start, c.end)
			}
		})
	}
}

func TestIntervalOverlaps(t *testing.T) {
	cases := []struct {
		name       string
		precision  geo.TimePrecision
		at         string
		start, end string // "" leaves the side open
		want       bool
	}{
		{"exact, open interval", geo.TimeExact, "2023-11-21T12:00:00+03:00", "", "", true},
		{"exact at the start", geo.TimeExact, "2023-11-21T12:00:00+03:00", "2023-11-21T12:00:00+03:00", "", true},
		{"exact at the end", geo.TimeExact, "2023-11-21T12:00:00+03:00", "", "2023-11-21T12:00:00+03:00", true},
		{"exact at the start, other zone", geo.TimeExact, "2023-11-21T12:00:00+03:00", "2023-11-21T09:00:00Z", "2023-11-21T09:00:00Z", true},
		{"exact just before the start", geo.TimeExact, "2023-11-21T12:00:00+03:00", "2023-11-21T12:00:00.000000001+03:00", "", false},
		{"exact just after the end", geo.TimeExact, "2023-11-21T12:00:00+03:00", "", "2023-11-21T11:59:59.999999999+03:00", false},
		{"hour ending at the start", geo.TimeHour, "2023-11-21T12:20:00+03:00", "2023-11-21T13:00:00+03:00", "", false},
		{"hour beginning at the end", geo.TimeHour, "2023-11-21T12:20:00+03:00", "", "2023-11-21T12:00:00+03:00", true},
		{"day, interval ending at its first instant", geo.TimeDay, "2023-11-21T12:00:00+03:00", "2023-11-20T00:00:00+03:00", "2023-11-21T00:00:00+03:00", true},
		{"day, interval ending just before it", geo.TimeDay, "2023-11-21T12:00:00+03:00", "", "2023-11-20T23:59:59.999999999+03:00", false},
		{"day, interval starting at the next midnight", geo.TimeDay, "2023-11-21T12:00:00+03:00", "2023-11-22T00:00:00+03:00", "", false},
		{"day, interval starting just before the next midnight", geo.TimeDay, "2023-11-21T12:00:00+03:00", "2023-11-21T23:59:59.999999999+03:00", "", true},
		{"day, interval starting at the next midnight in UTC", geo.TimeDay, "2023-11-21T12:00:00+03:00", "2023-11-21T21:00:00Z", "", false},
		{"day, interval starting before its end in UTC", geo.TimeDay, "2023-11-21T12:00:00+03:00", "2023-11-21T20:59:00Z", "", true},
		{"day, interval inside it", geo.TimeDay, "2023-11-21T00:00:00+03:00", "2023-11-21T13:00:00+03:00", "2023-11-21T14:00:00+03:00", true},
		{"day, interval the day before", geo.TimeDay, "2023-11-22T00:00:00+03:00", "2023-11-21T00:00:00+03:00", "2023-11-21T23:00:00+03:00", false},
		{"approximate, interval starting at its end", geo.TimeApproximate, "2023-11-21T12:00:00+03:00", "2023-11-21T18:00:00+03:00", "", false},
		{"approximate, interval starting just inside", geo.TimeApproximate, "2023-11-21T12:00:00+03:00", "2023-11-21T17:59:00+03:00", "", true},
		{"approximate, interval ending at its start", geo.TimeApproximate, "2023-11-21T12:00:00+03:00", "", "2023-11-21T06:00:00+03:00", true},
		{"approximate, interval ending just before", geo.TimeApproximate, "2023-11-21T12:00:00+03:00", "", "2023-11-21T05:59:00+03:00", false},
		{"approximate, interval around it", geo.TimeApproximate, "2023-11-21T12:00:00+03:00", "2023-11-20T00:00:00Z", "2023-11-23T00:00:00Z", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var iv geo.Interval
			if c.start != "" {
				iv.Start = mustTime(t, c.start)
			}
			if c.end != "" {
				iv.End = mustTime(t, c.end)
			}
			from, to := c.precision.Window(mustTime(t, c.at))
			if got := iv.Overlaps(from, to); got != c.want {
				t.Errorf("%+v.Overlaps(%s, %s) = %v, want %v", iv, from, to, got, c.want)
			}
		})
	}
}

// refMatch is what a scan of the whole data set says a query returns.
type refMatch struct {
	id   string
	dist float64
}

// scanQuery answers q by looking at every incident, as Query's doc says
// it should be answered, without the index.
func scanQuery(ds *geo.Dataset, q geo.Query) ([]refMatch, int) {
	type hit struct {
		in   *geo.Incident
		dist float64
	}
	var hits []hit
	all := ds.Incidents()
	for i := range all {
		in := &all[i]
		if (q.BBox != nil || q.Near != nil) && in.Location == nil {
			continue
		}
		if q.BBox != nil && !inBound(*q.BBox, *in.Location) {
			continue
		}
		dist := math.NaN()
		if q.Near != nil {
			dist = orbgeo.DistanceHaversine(q.Near.Center, *in.Location)
			if dist > q.Near.Metres {
				continue
			}
		}
		if !q.Time.Overlaps(in.TimePrecision.Window(in.OccurredAt)) {
			continue
		}
		if len(q.EventTypes) > 0 && !slices.Contains(q.EventTypes, in.EventType) ||
			len(q.Sites) > 0 && !slices.Contains(q.Sites, in.Site) ||
			len(q.Countries) > 0 && !slices.Contains(q.Countries, in.Country) {
			continue
		}
		hits = append(hits, hit{in, dist})
	}
	slices.SortFunc(hits, func(a, b hit) int {
		byTime := cmp.Or(a.in.OccurredAt.Compare(b.in.OccurredAt), cmp.Compare(a.in.ID, b.in.ID))
		if q.Near != nil {
			return cmp.Or(cmp.Compare(a.dist, b.dist), byTime)
		}
		return byTime
	})
	n := len(hits)
	lo := min(q.Offset, n)
	hi := n
	if q.Limit > 0 {
		hi = min(lo+q.Limit, n)
	}
	var ms []refMatch
	for _, h := range hits[lo:hi] {
		ms = append(ms, refMatch{h.in.ID, h.dist})
	}
	return ms, n
}

// checkQuery runs q and fails the test unless it returns what a scan
// returns, and returns the number matched.
func checkQuery(t *testing.T, ds *geo.Dataset, q geo.Query) int {
	t.Helper()
	want, wantN := scanQuery(ds, q)
	res := ds.Query(q)
	if res.NumberMatched != wantN {
		t.Errorf("NumberMatched = %d, want %d", res.NumberMatched, wantN)
	}
	if len(res.Matches) != len(want) {
		t.Fatalf("%d matches, want %d", len(res.Matches), len(want))
	}
	for i, m := range res.Matches {
		w := want[i]
		if m.Incident.ID != w.id || !sameFloat(m.DistanceM, w.dist) {
			t.Fatalf("match %d = %s at %v m, want %s at %v m", i, m.Incident.ID, m.DistanceM, w.id, w.dist)
		}
	}
	if q.Near != nil {
		checkSortedByDistance(t, res.Matches)
	}
	return wantN
}

func sameFloat(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// checkSortedByDistance checks the order of radius matches on its own
// terms: nearest first, equal distances by time, then id.
func checkSortedByDistance(t *testing.T, ms []geo.Match) {
	t.Helper()
	for i := 1; i < len(ms); i++ {
		a, b := ms[i-1], ms[i]
		c := cmp.Or(cmp.Compare(a.DistanceM, b.DistanceM), a.Incident.OccurredAt.Compare(b.Incident.OccurredAt), cmp.Compare(a.Incident.ID, b.Incident.ID))
		if c >= 0 {
			t.Fatalf("matches %d and %d out of order: %s at %v m, %s; %s at %v m, %s", i-1, i,
				a.Incident.ID, a.DistanceM, a.Incident.OccurredAt, b.Incident.ID, b.DistanceM, b.Incident.OccurredAt)
		}
	}
}

func generatedDataset(t testing.TB, c genConfig) *geo.Dataset {
	t.Helper()
	ds, err := geo.NewDataset(generateIncidents(fixtureSiteIDs(t), c), fixtures.Sites)
	if err != nil {
		t.Fatalf("generated data set: %v", err)
	}
	return ds
}

// busiestPoint returns the location shared by most incidents, and how many.
func busiestPoint(ds *geo.Dataset) (orb.Point, int) {
	count := map[orb.Point]int{}
	var best orb.Point
	for _, in := range ds.Incidents() {
		if in.Location != nil {
			count[*in.Location]++
			if count[*in.Location] > count[best] {
				best = *in.Location
			}
		}
	}
	return best, count[best]
}

func TestQueryMatchesScan(t *testing.T) {
	ds := generatedDataset(t, genConfig{n: 6_000, seed: 3, area: benchArea, varied: true})
	hot, onHot := busiestPoint(ds)
	if onHot < 20 {
		t.Fatalf("only %d incidents share a location: no ties to test", onHot)
	}
	near := func(p orb.Point, m float64) *geo.Radius { return &geo.Radius{Center: p, Metres: m} }
	// an incident about 100 km from Al Asad, to put exactly on the circle
	var edge *geo.Incident
	all := ds.Incidents()
	for i := range all {
		in := &all[i]
		if in.Location != nil && math.Abs(orbgeo.DistanceHaversine(alAsad, *in.Location)-100_000) < 10_000 {
			edge = in
			break
		}
	}
	if edge == nil {
		t.Fatal("no incident about 100 km from Al Asad")
	}
	bound := func(w, s, e, n float64) *orb.Bound { return &orb.Bound{Min: orb.Point{w, s}, Max: orb.Point{e, n}} }
	jul := geo.Interval{Start: mustTime(t, "2023-07-01T00:00:00+03:00"), End: mustTime(t, "2023-07-31T23:59:59+03:00")}
	cases := []struct {
		name  string
		q     geo.Query
		empty bool // the scan finds nothing, on purpose
	}{
		{name: "everything", q: geo.Query{}},
		{name: "50 km of Al Asad", q: geo.Query{Near: near(alAsad, 50_000)}},
		{name: "200 km of Al Asad", q: geo.Query{Near: near(alAsad, 200_000)}},
		{name: "1 km of the busiest point (distance ties)", q: geo.Query{Near: near(hot, 1_000)}},
		{name: "0 m of the busiest point", q: geo.Query{Near: near(hot, 0)}},
		{name: "radius reaching exactly an incident", q: geo.Query{Near: near(alAsad, orbgeo.DistanceHaversine(alAsad, *edge.Location))}},
		{name: "radius covering the region", q: geo.Query{Near: near(orb.Point{43, 33}, 2_000_000)}},
		{name: "radius in July", q: geo.Query{Near: near(alAsad, 150_000), Time: jul}},
		{name: "radius and bbox", q: geo.Query{Near: near(alAsad, 150_000), BBox: bound(42.441, 33, 50, 40)}},
		{name: "radius and filters", q: geo.Query{Near: near(alAsad, 300_000), EventTypes: []string{"airstrike"}, Countries: []string{"IQ"}}},
		{name: "radius outside the data", q: geo.Query{Near: near(orb.Point{0, 0}, 100_000)}, empty: true},
		{name: "bbox one degree", q: geo.Query{BBox: bound(41.941, 33.286, 42.941, 34.286)}},
		{name: "bbox a point", q: geo.Query{BBox: bound(hot[0], hot[1], hot[0], hot[1])}},
		{name: "bbox the world", q: geo.Query{BBox: bound(-180, -90, 180, 90)}},
		{name: "bbox crossing the antimeridian covers all but 38..40", q: geo.Query{BBox: bound(40, 30, 38, 36)}},
		{name: "bbox and time", q: geo.Query{BBox: bound(40, 30, 46, 36), Time: jul}},
		{name: "bbox outside the data", q: geo.Query{BBox: bound(-10, -10, 10, 10)}, empty: true},
		{name: "July", q: geo.Query{Time: jul}},
		{name: "from December", q: geo.Query{Time: geo.Interval{Start: mustTime(t, "2023-12-01T00:00:00Z")}}},
		{name: "until February", q: geo.Query{Time: geo.Interval{End: mustTime(t, "2023-02-01T00:00:00Z")}}},
		{name: "an instant", q: geo.Query{Time: geo.Interval{Start: mustTime(t, "2023-06-15T12:00:00Z"), End: mustTime(t, "2023-06-15T12:00:00Z")}}},
		{name: "event types", q: geo.Query{EventTypes: []string{"drone_attack", "mortar_attack"}}},
		{name: "event type nobody has", q: geo.Query{EventTypes: []string{"funeral"}}, empty: true},
		{name: "sites", q: geo.Query{Sites: []string{"al-asad", "hasakah"}}},
		{name: "countries", q: geo.Query{Countries: []string{"SY"}}},
		{name: "every filter", q: geo.Query{Time: jul, EventTypes: []string{"airstrike", "drone_attack"}, Sites: []string{"al-asad", "baghdad"}, Countries: []string{"IQ"}}},
		{name: "page of radius", q: geo.Query{Near: near(alAsad, 200_000), Limit: 10, Offset: 20}},
		{name: "page of bbox", q: geo.Query{BBox: bound(40, 30, 46, 36), Limit: 25, Offset: 25}},
		{name: "page of time", q: geo.Query{Time: jul, Limit: 5, Offset: 3}},
		{name: "offset past the end", q: geo.Query{Time: jul, Offset: 1_000_000}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := checkQuery(t, ds, c.q)
			if (n == 0) != c.empty {
				t.Errorf("%d matched: the case does not test what it says", n)
			}
		})
	}

	t.Run("the circle is closed", func(t *testing.T) {
		res := ds.Query(geo.Query{Near: near(alAsad, orbgeo.DistanceHaversine(alAsad, *edge.Location))})
		if len(res.Matches) == 0 || res.Matches[len(res.Matches)-1].Incident.ID != edge.ID {
			t.Errorf("%s, exactly on the circle, is not the last match", edge.ID)
		}
	})

	t.Run("ties at the busiest point", func(t *testing.T) {
		res := ds.Query(geo.Query{Near: near(hot, 0)})
		if len(res.Matches) != onHot {
			t.Fatalf("%d matches at 0 m, want the %d incidents there", len(res.Matches), onHot)
		}
		for _, m := range res.Matches {
			if m.DistanceM != 0 {
				t.Errorf("%s at %v m, want 0", m.Incident.ID, m.DistanceM)
			}
		}
	})
}

// TestQueryAroundTheWorld checks radius and bbox queries where the index
// must split or widen them: across the antimeridian and at the poles.
func TestQueryAroundTheWorld(t *testing.T) {
	world := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	ds := generatedDataset(t, genConfig{n: 20_000, seed: 5, area: world, varied: true})
	cases := []struct {
		name string
		q    geo.Query
	}{
		{"radius west of the antimeridian", geo.Query{Near: &geo.Radius{Center: orb.Point{179.9, 0}, Metres: 500_000}}},
		{"radius east of the antimeridian", geo.Query{Near: &geo.Radius{Center: orb.Point{-179.5, 10}, Metres: 800_000}}},
		{"radius on the antimeridian", geo.Query{Near: &geo.Radius{Center: orb.Point{180, -30}, Metres: 600_000}}},
		{"radius at the North Pole", geo.Query{Near: &geo.Radius{Center: orb.Point{0, 90}, Metres: 1_500_000}}},
		{"radius near the South Pole", geo.Query{Near: &geo.Radius{Center: orb.Point{120, -85}, Metres: 1_000_000}}},
		{"radius half the world", geo.Query{Near: &geo.Radius{Center: orb.Point{10, 20}, Metres: 10_000_000}}},
		{"bbox crossing the antimeridian", geo.Query{BBox: &orb.Bound{Min: orb.Point{170, -20}, Max: orb.Point{-170, 20}}}},
		{"radius and crossing bbox", geo.Query{
			Near: &geo.Radius{Center: orb.Point{179.9, 0}, Metres: 1_000_000},
			BBox: &orb.Bound{Min: orb.Point{175, -5}, Max: orb.Point{-178, 5}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if n := checkQuery(t, ds, c.q); n == 0 {
				t.Error("nothing matched: the case does not test what it says")
			}
		})
	}
}

func TestQueryPaging(t *testing.T) {
	ds := generatedDataset(t, genConfig{n: 3_000, seed: 9, area: benchArea, varied: true})
	queries := []struct {
		name string
		q    geo.Query
	}{
		{"radius", geo.Query{Near: &geo.Radius{Center: alAsad, Metres: 250_000}}},
		{"bbox", geo.Query{BBox: &orb.Bound{Min: orb.Point{40, 31}, Max: orb.Point{44, 35}}}},
		{"time", geo.Query{Time: geo.Interval{Start: mustTime(t, "2023-03-01T00:00:00Z"), End: mustTime(t, "2023-05-01T00:00:00Z")}}},
	}
	for _, c := range queries {
		for _, limit := range []int{1, 7, 100} {
			t.Run(fmt.Sprintf("%s by %d", c.name, limit), func(t *testing.T) {
				all := ds.Query(c.q)
				if all.NumberMatched != len(all.Matches) || all.NumberMatched < 3*limit/2 {
					t.Fatalf("unpaged: NumberMatched %d, %d matches; want equal and more than 1.5 pages", all.NumberMatched, len(all.Matches))
				}
				var paged []geo.Match
				for offset := 0; ; offset += limit {
					q := c.q
					q.Limit, q.Offset = limit, offset
					page := ds.Query(q)
					if page.NumberMatched != all.NumberMatched {
						t.Fatalf("offset %d: NumberMatched %d, want %d", offset, page.NumberMatched, all.NumberMatched)
					}
					if len(page.Matches) > limit {
						t.Fatalf("offset %d: %d matches, more than the limit %d", offset, len(page.Matches), limit)
					}
					if len(page.Matches) == 0 {
						if offset < all.NumberMatched {
							t.Fatalf("offset %d: empty page before the end (%d)", offset, all.NumberMatched)
						}
						break
					}
					paged = append(paged, page.Matches...)
				}
				if len(paged) != len(all.Matches) {
					t.Fatalf("pages hold %d matches, want %d", len(paged), len(all.Matches))
				}
				for i := range paged {
					if paged[i].Incident.ID != all.Matches[i].Incident.ID || !sameFloat(paged[i].DistanceM, all.Matches[i].DistanceM) {
						t.Fatalf("paged match %d is %s, want %s", i, paged[i].Incident.ID, all.Matches[i].Incident.ID)
					}
				}
			})
		}
	}
}

func fixtureDataset(t testing.TB) *geo.Dataset {
	t.Helper()
	ds, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatalf("fixtures: %v", err)
	}
	return ds
}

func TestQueryFixtures(t *testing.T) {
	ds := fixtureDataset(t)
	nov20to22 := geo.Interval{Start: mustTime(t, "2023-11-20T00:00:00+03:00"), End: mustTime(t, "2023-11-22T00:00:00+03:00")}

	t.Run("50 km of Ain Al Asad, 20 to 22 November", func(t *testing.T) {
		var want []string
		for _, in := range ds.Incidents() {
			if in.Site == "al-asad" {
				want = append(want, in.ID)
			}
		}
		if len(want) < 2 {
			t.Fatalf("fixtures have %d incidents at al-asad, want the missile and the mortar attacks", len(want))
		}
		res := ds.Query(geo.Query{Near: &geo.Radius{Center: alAsad, Metres: 50_000}, Time: nov20to22})
		var got []string
		for _, m := range res.Matches {
			got = append(got, m.Incident.ID)
			if d := orbgeo.DistanceHaversine(alAsad, *m.Incident.Location); m.DistanceM != d {
				t.Errorf("%s: DistanceM %v, want %v", m.Incident.ID, m.DistanceM, d)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("got %v, want the al-asad incidents %v", got, want)
		}
		checkSortedByDistance(t, res.Matches)
	})

	var located, unlocated []string
	for _, in := range ds.Incidents() {
		if in.Location == nil {
			unlocated = append(unlocated, in.ID)
		} else {
			located = append(located, in.ID)
		}
	}
	if len(unlocated) == 0 {
		t.Fatal("fixtures have no incident without a location")
	}
	cases := []struct {
		name string
		q    geo.Query
		want []string // ids, in any order
	}{
		{"radius round the whole earth", geo.Query{Near: &geo.Radius{Center: alAsad, Metres: 21_000_000}}, located},
		{"bbox of the world", geo.Query{BBox: &orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}}, located},
		{"time only", geo.Query{Time: geo.Interval{Start: mustTime(t, "2023-11-01T00:00:00Z"), End: mustTime(t, "2023-11-30T00:00:00Z")}}, append(slices.Clone(located), unlocated...)},
		{"no condition", geo.Query{}, append(slices.Clone(located), unlocated...)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := ds.Query(c.q)
			var got []string
			for _, m := range res.Matches {
				got = append(got, m.Incident.ID)
				if (c.q.Near == nil) != math.IsNaN(m.DistanceM) {
					t.Errorf("%s: DistanceM %v with Near %v", m.Incident.ID, m.DistanceM, c.q.Near)
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(c.want))
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			checkQuery(t, ds, c.q)
		})
	}
}

func TestDatasetLookup(t *testing.T) {
	ds := fixtureDataset(t)
	all := ds.Incidents()
	for i := range all {
		in := &all[i]
		got, err := ds.Incident(in.ID)
		if err != nil || !reflect.DeepEqual(got, in) {
			t.Errorf("Incident(%q) = %+v, %v; want %+v", in.ID, got, err, in)
		}
		if i > 0 {
			prev := &all[i-1]
			if cmp.Or(prev.OccurredAt.Compare(in.OccurredAt), cmp.Compare(prev.ID, in.ID)) >= 0 {
				t.Errorf("incidents %s and %s not in time, then id, order", prev.ID, in.ID)
			}
		}
	}
	for i := range ds.Sites {
		s := &ds.Sites[i]
		if got, err := ds.Site(s.ID); err != nil || got != s {
			t.Errorf("Site(%q) = %p, %v; want %p", s.ID, got, err, s)
		}
	}
	if _, err := ds.Incident("no-such-incident"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("Incident(unknown): %v, want ErrNotFound", err)
	}
	if _, err := ds.Site("no-such-site"); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("Site(unknown): %v, want ErrNotFound", err)
	}

	again := fixtureDataset(t)
	changed, err := geo.NewDataset(append(slices.Clone(fixtures.Incidents), '\n'), fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	if again.Version != ds.Version {
		t.Errorf("Version %q then %q for the same data", ds.Version, again.Version)
	}
	if changed.Version == ds.Version {
		t.Errorf("Version %q unchanged for different data", ds.Version)
	}
}

// EachIn finds what Query finds for the same box, time and sites, each
// incident once.
func TestEachInMatchesQuery(t *testing.T) {
	ds := generatedDataset(t, genConfig{n: 6_000, seed: 4, area: benchArea, varied: true})
	jul := geo.Interval{Start: mustTime(t, "2023-07-01T00:00:00Z"), End: mustTime(t, "2023-07-31T23:59:59Z")}
	for _, c := range []struct {
		b     orb.Bound
		t     geo.Interval
		sites []string
	}{
		{b: benchArea},
		{b: orb.Bound{Min: orb.Point{41.9, 33.3}, Max: orb.Point{42.9, 34.3}}},
		{b: benchArea, t: jul},
		// Short spans, whose edges cut windows of a day and of hours
		// in several zones: a point of a time near either edge is
		// found, one further out is not.
		{b: benchArea, t: geo.Interval{Start: mustTime(t, "2023-07-15T00:00:00Z"), End: mustTime(t, "2023-07-15T23:59:59Z")}},
		{b: benchArea, t: geo.Interval{Start: mustTime(t, "2023-03-02T10:00:00+03:00"), End: mustTime(t, "2023-03-02T11:00:00+03:00")}},
		{b: benchArea, t: geo.Interval{Start: mustTime(t, "2023-12-30T12:00:00Z")}},
		{b: benchArea, t: geo.Interval{End: mustTime(t, "2023-01-02T12:00:00Z")}},
		{b: benchArea, sites: []string{"al-asad", "hasakah"}},
		{b: orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}},
	} {
		want := map[string]bool{}
		for _, m := range ds.Query(geo.Query{BBox: &c.b, Time: c.t, Sites: c.sites}).Matches {
			want[m.Incident.ID] = true
		}
		got := map[string]bool{}
		ds.EachIn(c.t, c.b, c.sites, func(s geo.Spot) {
			in, p := ds.At(s.Ref), s.Point
			if s.Sec != in.OccurredAt.Unix() || s.EventType != in.EventType {
				t.Errorf("%s spotted at %d, %s; occurred at %s, %s", in.ID, s.Sec, s.EventType, in.OccurredAt, in.EventType)
			}
			if got[in.ID] {
				t.Errorf("%v: %s given twice", c, in.ID)
			}
			if p != *in.Location {
				t.Errorf("%s given at %v, located at %v", in.ID, p, *in.Location)
			}
			if s.Y != geo.MercatorY(p[1]) {
				t.Errorf("%s given at Mercator y %v, its latitude's is %v", in.ID, s.Y, geo.MercatorY(p[1]))
			}
			got[in.ID] = true
		})
		if !maps.Equal(got, want) {
			t.Errorf("%v %v %v: EachIn gives %d incidents, Query %d", c.b, c.t, c.sites, len(got), len(want))
		}
	}
}

// A page sorts only what it shows (sortFirst): it must hold exactly the
// matches of the fully sorted list at its place.
func TestQueryPagesMatchTheFullOrder(t *testing.T) {
	ds := generatedDataset(t, genConfig{n: 6_000, seed: 5, area: benchArea, varied: true})
	hot, _ := busiestPoint(ds)
	for _, q := range []geo.Query{
		{Near: &geo.Radius{Center: alAsad, Metres: 300_000}},
		{Near: &geo.Radius{Center: hot, Metres: 150_000}}, // many ties in distance at the busiest point
		{BBox: &orb.Bound{Min: orb.Point{40, 31}, Max: orb.Point{46, 36}}},
		{BBox: &orb.Bound{Min: orb.Point{40, 31}, Max: orb.Point{46, 36}}, EventTypes: []string{"airstrike", "missile_attack"}},
	} {
		all := ds.Query(q).Matches
		if len(all) < 300 {
			t.Fatalf("%+v: only %d matches; the test needs many", q, len(all))
		}
		for _, page := range [][2]int{{1, 0}, {7, 0}, {100, 0}, {100, 5}, {10, 250}, {50, len(all) - 20}} {
			q := q
			q.Limit, q.Offset = page[0], page[1]
			res := ds.Query(q)
			want := all[min(q.Offset, len(all)):min(q.Offset+q.Limit, len(all))]
			if res.NumberMatched != len(all) || len(res.Matches) != len(want) {
				t.Fatalf("limit %d offset %d: %d of %d, want %d of %d", q.Limit, q.Offset, len(res.Matches), res.NumberMatched, len(want), len(all))
			}
			for i := range want {
				if res.Matches[i].Incident.ID != want[i].Incident.ID {
					t.Fatalf("limit %d offset %d: match %d is %s, want %s", q.Limit, q.Offset, i, res.Matches[i].Incident.ID, want[i].Incident.ID)
				}
			}
		}
	}
}

// Newest reverses the order of every query but a radius one, page by
// page: a page of the newest first is the oldest-first order read from
// its end.
func TestQueryNewest(t *testing.T) {
	ds := generatedDataset(t, genConfig{n: 6_000, seed: 5, area: benchArea, varied: true})
	bbox := &orb.Bound{Min: orb.Point{40, 31}, Max: orb.Point{46, 36}}
	for _, q := range []geo.Query{{}, {BBox: bbox}, {BBox: bbox, EventTypes: []string{"airstrike", "missile_attack"}}} {
		oldest := ds.Query(q).Matches
		if len(oldest) < 300 {
			t.Fatalf("%+v: only %d matches; the test needs many", q, len(oldest))
		}
		for i := 1; i < len(oldest); i++ {
			if oldest[i].Incident.OccurredAt.Before(oldest[i-1].Incident.OccurredAt) {
				t.Fatalf("%+v: the order is not oldest first at %d", q, i)
			}
		}
		for _, page := range [][2]int{{0, 0}, {1, 0}, {100, 0}, {50, 120}, {10, len(oldest) - 5}} {
			nq := q
			nq.Newest, nq.Limit, nq.Offset = true, page[0], page[1]
			res := ds.Query(nq)
			n := len(oldest)
			hi := n - min(nq.Offset, n)
			lo := 0
			if nq.Limit > 0 {
				lo = max(hi-nq.Limit, 0)
			}
			if res.NumberMatched != n || len(res.Matches) != hi-lo {
				t.Fatalf("%+v: %d of %d, want %d of %d", nq, len(res.Matches), res.NumberMatched, hi-lo, n)
			}
			for i, m := range res.Matches {
				if want := oldest[hi-1-i].Incident.ID; m.Incident.ID != want {
					t.Fatalf("%+v: match %d is %s, want %s", nq, i, m.Incident.ID, want)
				}
			}
		}
	}
}
