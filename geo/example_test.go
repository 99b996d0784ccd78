package geo_test

import (
	"errors"
	"fmt"
	"math"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// The analysts' usual question: what happened within 50 km of Ain Al Asad
// Air Base? Matches come nearest first; a wider circle reaches Abu Ghraib
// and Baghdad.
func ExampleDataset_Query() {
	ds, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		fmt.Println(err)
		return
	}
	alAsad := orb.Point{42.441, 33.786} // lon, lat
	for _, km := range []float64{50, 200} {
		res := ds.Query(geo.Query{Near: &geo.Radius{Center: alAsad, Metres: km * 1000}})
		fmt.Printf("within %g km: %d\n", km, res.NumberMatched)
		for _, m := range res.Matches {
			fmt.Printf("  %-28s %4.0f km\n", m.Incident.ID, m.DistanceM/1000)
		}
	}
	// Output:
	// within 50 km: 2
	//   2023-11-21-al-asad-crbm         0 km
	//   2023-11-21-al-asad-mortar       0 km
	// within 200 km: 4
	//   2023-11-21-al-asad-crbm         0 km
	//   2023-11-21-al-asad-mortar       0 km
	//   2023-11-21-abu-ghraib-ac130   160 km
	//   2023-11-21-baghdad-funeral    186 km
}

// The range rings overlay: three geodesic circles around each site.
func ExampleDataset_Layer() {
	ds, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		fmt.Println(err)
		return
	}
	rings, err := ds.Layer(geo.LayerRings, geo.Interval{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(rings), "rings around", len(ds.Sites), "sites")
	for _, f := range rings[:3] {
		fmt.Printf("%s: radius_km %v, %q\n", f.ID, f.Properties["radius_km"], f.Properties["label"])
	}
	_, err = ds.Layer("al-asaad", geo.Interval{})
	fmt.Println(errors.Is(err, geo.ErrNotFound), err)
	// Output:
	// 12 rings around 4 sites
	// ring-al-asad-10km: radius_km 10, "10 km from Ain Al Asad Air Base"
	// ring-al-asad-25km: radius_km 25, "25 km from Ain Al Asad Air Base"
	// ring-al-asad-50km: radius_km 50, "50 km from Ain Al Asad Air Base"
	// true layer "al-asaad": not found
}

// A circle's vertices all lie at the radius from its centre, and its ring
// is closed and runs counter-clockwise.
func ExampleCircle() {
	alAsad := orb.Point{42.441, 33.786}
	ring := geo.Circle(alAsad, 50_000)[0]
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range ring {
		d := orbgeo.DistanceHaversine(alAsad, p)
		lo, hi = min(lo, d), max(hi, d)
	}
	fmt.Println(len(ring), "points, closed:", ring.Closed(), "orientation:", ring.Orientation() == orb.CCW)
	fmt.Printf("vertices %.0f m to %.0f m from the centre\n", lo, hi)
	// Output:
	// 65 points, closed: true orientation: true
	// vertices 50000 m to 50000 m from the centre
}

// A bad feature is named by its index, its id and the field at fault; a
// caller reaches those through errors.As rather than the message.
func ExampleDecodeIncidents() {
	sites, err := geo.DecodeSites(fixtures.Sites)
	if err != nil {
		fmt.Println(err)
		return
	}
	bySite := map[string]*geo.Site{}
	for i := range sites {
		bySite[sites[i].ID] = &sites[i]
	}
	data := []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"2023-11-21-al-asad-crbm",
		"geometry":{"type":"Point","coordinates":[42.441,33.786]},
		"properties":{"title":"Missiles at Ain Al Asad","occurred_at":"2023-11-21T00:00:00+03:00",
		"time_precision":"day","event_type":"missile_attack","site":"al-asad","country":"IQ",
		"geo_precision":"somewhere near",
		"sources":[{"publisher":"AP","title":"Attack","published_at":"2023-11-22T00:00:00Z","quote":"Missiles hit the base."}]}}]}`)
	_, err = geo.DecodeIncidents(data, bySite)
	var fe *geo.FeatureError
	if errors.As(err, &fe) {
		fmt.Printf("feature %d, id %s, field %s\n", fe.Index, fe.ID, fe.Field)
	}
	fmt.Println(err)
	// Output:
	// feature 0, id 2023-11-21-al-asad-crbm, field properties.geo_precision
	// incidents: feature 0 (id "2023-11-21-al-asad-crbm"): properties.geo_precision: want exact, near, town, region or unknown, got "somewhere near"
}
