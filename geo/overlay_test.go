package geo_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/planar"
)

// signedArea is the shoelace area of r in degrees², positive when r runs
// counter-clockwise.
func signedArea(r orb.Ring) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}

// checkCircle fails the test unless p is one closed, counter-clockwise
// ring whose every vertex is metres from center, within 0.5%.
func checkCircle(t *testing.T, g orb.Geometry, center orb.Point, metres float64) {
	t.Helper()
	p, ok := g.(orb.Polygon)
	if !ok {
		t.Fatalf("geometry is %T, want orb.Polygon", g)
	}
	if len(p) != 1 {
		t.Fatalf("polygon has %d rings, want 1", len(p))
	}
	r := p[0]
	if len(r) < 4 {
		t.Fatalf("ring has %d points", len(r))
	}
	if r[0] != r[len(r)-1] {
		t.Errorf("ring not closed: %v != %v", r[0], r[len(r)-1])
	}
	if a := signedArea(r); a <= 0 {
		t.Errorf("ring runs clockwise (signed area %g)", a)
	}
	if _, a := planar.CentroidArea(r); a <= 0 || r.Orientation() != orb.CCW {
		t.Errorf("orb: ring area %g, orientation %v; want counter-clockwise", a, r.Orientation())
	}
	for i, v := range r {
		if d := orbgeo.DistanceHaversine(center, v); math.Abs(d-metres) > 0.005*metres {
			t.Errorf("vertex %d %v is %.1f m from the centre, want %.0f m ± 0.5%%", i, v, d, metres)
		}
	}
	if !planar.PolygonContains(p, center) {
		t.Error("circle does not contain its centre")
	}
}

func TestCircle(t *testing.T) {
	cases := []struct {
		name   string
		center orb.Point
		metres float64
	}{
		{"10 km at Al Asad", alAsad, 10_000},
		{"50 km at Al Asad", alAsad, 50_000},
		{"100 m", orb.Point{44.06, 33.29}, 100},
		{"on the equator", orb.Point{0, 0}, 25_000},
		{"far south", orb.Point{-70, -60}, 50_000},
		{"far north", orb.Point{20, 75}, 50_000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkCircle(t, geo.Circle(c.center, c.metres), c.center, c.metres)
		})
	}
}

func TestGreatCircle(t *testing.T) {
	cases := []struct {
		name string
		a, b orb.Point
	}{
		{"Al Asad to Abu Ghraib", alAsad, orb.Point{44.06, 33.29}},
		{"Abu Ghraib to Al Asad", orb.Point{44.06, 33.29}, alAsad},
		{"Al Asad to Al Shaddadi", alAsad, orb.Point{40.73, 36.05}},
		{"short", orb.Point{44.06, 33.29}, orb.Point{44.366, 33.315}},
		{"a metre", orb.Point{44, 33}, orb.Point{44.00001, 33}},
		{"north to south", orb.Point{44, 40}, orb.Point{44, 30}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkGreatCircle(t, geo.GreatCircle(c.a, c.b), c.a, c.b)
		})
	}
}

// checkGreatCircle fails the test unless line runs from a to b along the
// great circle with a vertex at least every 10 km.
func checkGreatCircle(t *testing.T, line orb.LineString, a, b orb.Point) {
	t.Helper()
	if len(line) < 2 || line[0] != a || line[len(line)-1] != b {
		t.Fatalf("line %v does not run from %v to %v", line, a, b)
	}
	total := orbgeo.DistanceHaversine(a, b)
	for i, v := range line {
		// On the great circle, the way through v is no longer than the direct way.
		if via := orbgeo.DistanceHaversine(a, v) + orbgeo.DistanceHaversine(v, b); via-total > 1 {
			t.Errorf("vertex %d %v is off the great circle by %.1f m", i, v, via-total)
		}
		if i > 0 {
			if d := orbgeo.DistanceHaversine(line[i-1], v); d > 10_000+1 {
				t.Errorf("vertices %d and %d are %.0f m apart, want at most 10 km", i-1, i, d)
			}
		}
	}
}

func TestLayers(t *testing.T) {
	ds := fixtureDataset(t)
	layers := ds.Layers()
	ids := map[string]bool{}
	for _, l := range layers {
		if ids[l.ID] {
			t.Errorf("layer %q listed twice", l.ID)
		}
		ids[l.ID] = true
		if l.Title == "" || l.Description == "" {
			t.Errorf("layer %q has no title or description", l.ID)
		}
	}
	for _, id := range []string{geo.LayerIncidents, geo.LayerRings, geo.LayerLinks, geo.LayerUncertainty} {
		if !ids[id] {
			t.Errorf("no layer %q", id)
		}
	}
	for _, s := range ds.Sites {
		if !ids[s.ID] {
			t.Errorf("no layer for site %q", s.ID)
		}
	}

	again := fixtureDataset(t)
	for _, l := range layers {
		t.Run(l.ID, func(t *testing.T) {
			fs, err := ds.Layer(l.ID, geo.Interval{})
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) == 0 {
				t.Fatal("no features")
			}
			members := map[string]any{"title": l.Title, "numberReturned": len(fs), "layer": l.ID}
			out, err := geo.AppendFeatureCollection(nil, fs, members)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(out) {
				t.Fatalf("not valid JSON:\n%s", out)
			}
			out2, err := geo.AppendFeatureCollection(nil, fs, members)
			if err != nil || !bytes.Equal(out, out2) {
				t.Errorf("second encoding differs (err %v)", err)
			}
			fsAgain, err := again.Layer(l.ID, geo.Interval{})
			if err != nil {
				t.Fatal(err)
			}
			if out3, err := geo.AppendFeatureCollection(nil, fsAgain, members); err != nil || !bytes.Equal(out, out3) {
				t.Errorf("encoding from a second load of the data differs (err %v)", err)
			}
			prefix := []byte("{}")
			if out4, err := geo.AppendFeatureCollection(prefix, fs, members); err != nil || !bytes.Equal(out4[len(prefix):], out) {
				t.Errorf("appending after existing bytes changes the encoding (err %v)", err)
			}
			checkCollection(t, out, fs, members)
		})
	}
}

// checkCollection decodes a FeatureCollection written from fs and checks
// it holds fs in order, with the members, and every feature well formed.
func checkCollection(t *testing.T, out []byte, fs []geo.Feature, members map[string]any) {
	t.Helper()
	var fc map[string]json.RawMessage
	if err := json.Unmarshal(out, &fc); err != nil {
		t.Fatal(err)
	}
	if string(fc["type"]) != `"FeatureCollection"` {
		t.Errorf("type %s", fc["type"])
	}
	for k, v := range members {
		want, _ := json.Marshal(v)
		if string(fc[k]) != string(want) {
			t.Errorf("member %q = %s, want %s", k, fc[k], want)
		}
	}
	var features []struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		Geometry *struct {
			Type string `json:"type"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(fc["features"], &features); err != nil {
		t.Fatal(err)
	}
	if len(features) != len(fs) {
		t.Fatalf("%d features written, want %d", len(features), len(fs))
	}
	seen := map[string]bool{}
	for i, f := range features {
		if f.Type != "Feature" || f.ID != fs[i].ID {
			t.Errorf("feature %d: type %q id %q, want Feature %q", i, f.Type, f.ID, fs[i].ID)
		}
		if seen[f.ID] {
			t.Errorf("feature id %q twice", f.ID)
		}
		seen[f.ID] = true
		wantType := ""
		if fs[i].Geometry != nil {
			wantType = fs[i].Geometry.GeoJSONType()
		}
		gotType := ""
		if f.Geometry != nil {
			gotType = f.Geometry.Type
		}
		if gotType != wantType {
			t.Errorf("feature %q: geometry %q, want %q", f.ID, gotType, wantType)
		}
		if fs[i].Incident != nil {
			if f.Properties["title"] != fs[i].Incident.Title {
				t.Errorf("incident %q: title %v", f.ID, f.Properties["title"])
			}
			continue
		}
		if kind, _ := f.Properties["kind"].(string); kind == "" {
			t.Errorf("feature %q has no kind", f.ID)
		}
	}
}

func TestAppendFeatureCollectionMembers(t *testing.T) {
	fs := []geo.Feature{{ID: "p", Geometry: alAsad, Properties: map[string]any{"kind": "test", "b": 1, "a": "x"}}}
	cases := []struct {
		name    string
		members map[string]any
		order   []string // keys, in the order they must appear
	}{
		{"none", nil, nil},
		{"empty", map[string]any{}, nil},
		{"sorted", map[string]any{"timeStamp": "2023-11-22T00:00:00Z", "numberMatched": 6, "links": []any{}, "name": "x"},
			[]string{`"links"`, `"name"`, `"numberMatched"`, `"timeStamp"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := geo.AppendFeatureCollection(nil, fs, c.members)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(out) {
				t.Fatalf("not valid JSON: %s", out)
			}
			last := -1
			for _, k := range c.order {
				i := bytes.Index(out, []byte(k))
				if i <= last {
					t.Errorf("member %s out of order in %s", k, out)
				}
				last = i
			}
			checkCollection(t, out, fs, c.members)
		})
	}
	if _, err := geo.AppendFeatureCollection(nil, []geo.Feature{{ID: "m", Geometry: orb.MultiPoint{alAsad}}}, nil); err == nil {
		t.Error("a geometry the encoder does not support: no error")
	}
	if _, err := geo.AppendFeatureCollection(nil, fs, map[string]any{"bad": math.Inf(1)}); err == nil {
		t.Error("a member JSON cannot hold: no error")
	}
}

func TestAppendFeatureCollectionStructMembers(t *testing.T) {
	fs := []geo.Feature{{ID: "p", Geometry: alAsad, Properties: map[string]any{"kind": "test"}}}
	members := struct {
		NumberMatched int    `json:"numberMatched"`
		Links         []int  `json:"links"`
		Name          string `json:"name,omitempty"`
	}{NumberMatched: 0, Links: []int{1}}
	out, err := geo.AppendFeatureCollection(nil, fs, members)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"FeatureCollection","numberMatched":0,"links":[1],"features":[`
	if !bytes.HasPrefix(out, []byte(want)) || !json.Valid(out) {
		t.Errorf("got %s, want it to start %s (members in field order)", out, want)
	}
	empty, err := geo.AppendFeatureCollection(nil, fs, struct {
		Name string `json:"name,omitempty"`
	}{})
	if err != nil || !bytes.HasPrefix(empty, []byte(`{"type":"FeatureCollection","features":[`)) {
		t.Errorf("members with nothing to write: %s (err %v)", empty, err)
	}
	if _, err := geo.AppendFeatureCollection(nil, fs, []int{1}); err == nil {
		t.Error("members that are not an object: no error")
	}
}

func TestAppendMatches(t *testing.T) {
	ds := fixtureDataset(t)
	res := ds.Query(geo.Query{Near: &geo.Radius{Center: alAsad, Metres: 50_000}, Limit: 3})
	if len(res.Matches) == 0 {
		t.Fatal("no matches")
	}
	out, err := geo.AppendFeatureCollection(nil, res.Matches, nil)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			ID         string `json:"id"`
			Properties struct {
				DistanceM *float64 `json:"distance_m"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(out, &fc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(fc.Features) != len(res.Matches) {
		t.Fatalf("%d features, want %d", len(fc.Features), len(res.Matches))
	}
	for i, f := range fc.Features {
		m := res.Matches[i]
		if f.ID != m.Incident.ID || f.Properties.DistanceM == nil || *f.Properties.DistanceM != math.Round(m.DistanceM) {
			t.Errorf("feature %d: id %q distance_m %v, want %q %v", i, f.ID, f.Properties.DistanceM, m.Incident.ID, math.Round(m.DistanceM))
		}
	}
}

func TestFeatureAppendGeoJSONWith(t *testing.T) {
	ds := fixtureDataset(t)
	first := ds.Incidents()[0]
	links := struct {
		Links []string `json:"links"`
	}{[]string{"self"}}
	for _, f := range []geo.Feature{
		{ID: "p", Geometry: alAsad, Properties: map[string]any{"kind": "test"}},
		{ID: first.ID, Geometry: *first.Location, Incident: &first},
	} {
		plain, err := f.AppendGeoJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		with, err := f.AppendGeoJSONWith(nil, links)
		if err != nil {
			t.Fatal(err)
		}
		want := string(plain[:len(plain)-1]) + `,"links":["self"]}`
		if string(with) != want {
			t.Errorf("%s with links:\n got %s\nwant %s", f.ID, with, want)
		}
	}
}

func TestLayerUnknown(t *testing.T) {
	ds := fixtureDataset(t)
	for _, id := range []string{"", "no-such-layer", "AL-ASAD", "site-al-asad", "rings "} {
		t.Run(fmt.Sprintf("%q", id), func(t *testing.T) {
			fs, err := ds.Layer(id, geo.Interval{})
			if !errors.Is(err, geo.ErrNotFound) {
				t.Errorf("err = %v, want ErrNotFound", err)
			}
			if fs != nil {
				t.Errorf("%d features with the error", len(fs))
			}
		})
	}
}

func TestRingsLayer(t *testing.T) {
	ds := fixtureDataset(t)
	fs, err := ds.Layer(geo.LayerRings, geo.Interval{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != len(ds.Sites)*len(geo.RingRadii) {
		t.Fatalf("%d rings, want %d per site for %d sites", len(fs), len(geo.RingRadii), len(ds.Sites))
	}
	for i, f := range fs {
		s := ds.Sites[i/len(geo.RingRadii)]
		r := geo.RingRadii[i%len(geo.RingRadii)]
		t.Run(f.ID, func(t *testing.T) {
			if f.Properties["kind"] != "ring" || f.Properties["site"] != s.ID || f.Properties["radius_km"] != r/1000 {
				t.Errorf("properties %v, want a ring of %g km around %s", f.Properties, r/1000, s.ID)
			}
			checkCircle(t, f.Geometry, s.Location, r)
		})
	}
}

func TestSiteLayers(t *testing.T) {
	ds := fixtureDataset(t)
	for _, s := range ds.Sites {
		t.Run(s.ID, func(t *testing.T) {
			fs, err := ds.Layer(s.ID, geo.Interval{})
			if err != nil {
				t.Fatal(err)
			}
			var sites, rings []geo.Feature
			var incidents []string
			for _, f := range fs {
				switch {
				case f.Incident != nil:
					incidents = append(incidents, f.Incident.ID)
				case f.Properties["kind"] == "site":
					sites = append(sites, f)
				case f.Properties["kind"] == "ring":
					rings = append(rings, f)
				default:
					t.Errorf("feature %q of kind %v in a site layer", f.ID, f.Properties["kind"])
				}
			}
			if len(sites) != 1 || sites[0].Geometry != s.Location || sites[0].Properties["site"] != s.ID || sites[0].Properties["name_ar"] != s.NameAR {
				t.Errorf("site features %+v, want one at %v for %s", sites, s.Location, s.ID)
			}
			if len(rings) != len(geo.RingRadii) {
				t.Fatalf("%d rings, want %d", len(rings), len(geo.RingRadii))
			}
			for i, f := range rings {
				if f.Properties["site"] != s.ID {
					t.Errorf("ring %q of site %v", f.ID, f.Properties["site"])
				}
				checkCircle(t, f.Geometry, s.Location, geo.RingRadii[i])
			}
			var want []string
			for _, in := range ds.Incidents() {
				if in.Site == s.ID {
					want = append(want, in.ID)
				}
			}
			if len(want) == 0 {
				t.Fatalf("fixtures have no incident at %s", s.ID)
			}
			if !slices.Equal(incidents, want) {
				t.Errorf("incidents %v, want %v", incidents, want)
			}
		})
	}
}

func TestIncidentsLayerTime(t *testing.T) {
	ds := fixtureDataset(t)
	cases := []struct {
		name string
		t    geo.Interval
	}{
		{"all", geo.Interval{}},
		{"before the funeral", geo.Interval{End: mustTime(t, "2023-11-21T08:00:00+03:00")}},
		{"21 November evening on", geo.Interval{Start: mustTime(t, "2023-11-21T18:00:00+03:00")}},
		{"22 November", geo.Interval{Start: mustTime(t, "2023-11-22T00:00:00+03:00"), End: mustTime(t, "2023-11-22T23:59:59+03:00")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs, err := ds.Layer(geo.LayerIncidents, c.t)
			if err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for _, f := range fs {
				got = append(got, f.ID)
				if f.Incident == nil || f.ID != f.Incident.ID {
					t.Fatalf("feature %q is not its incident", f.ID)
				}
				if (f.Geometry == nil) != (f.Incident.Location == nil) || f.Incident.Location != nil && f.Geometry != *f.Incident.Location {
					t.Errorf("%s: geometry %v, location %v", f.ID, f.Geometry, f.Incident.Location)
				}
			}
			for _, in := range ds.Incidents() {
				if c.t.Overlaps(in.TimePrecision.Window(in.OccurredAt)) {
					want = append(want, in.ID)
				}
			}
			if len(want) == 0 || c.name != "all" && len(want) == len(ds.Incidents()) {
				t.Fatalf("the interval keeps %d of %d incidents: the case does not test what it says", len(want), len(ds.Incidents()))
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// linkPair is a related pair of incidents that the links layer draws:
// from the earlier to the later.
type linkPair struct{ from, to *geo.Incident }

// wantLinks returns, from the data alone, the links a layer over ds for t
// must draw: one for each pair related either way, both inside t, both
// located, at different places.
func wantLinks(ds *geo.Dataset, t geo.Interval) map[string]linkPair {
	in := func(x *geo.Incident) bool { return t.Overlaps(x.TimePrecision.Window(x.OccurredAt)) }
	want := map[string]linkPair{}
	all := ds.Incidents()
	for i := range all {
		a := &all[i]
		for _, id := range a.Related {
			b, err := ds.Incident(id)
			if err != nil {
				panic(err)
			}
			if a.Location == nil || b.Location == nil || !in(a) || !in(b) || *a.Location == *b.Location {
				continue
			}
			from, to := a, b
			if b.OccurredAt.Before(a.OccurredAt) || b.OccurredAt.Equal(a.OccurredAt) && b.ID < a.ID {
				from, to = b, a
			}
			want[from.ID+" "+to.ID] = linkPair{from, to}
		}
	}
	return want
}

func checkLinks(t *testing.T, ds *geo.Dataset, iv geo.Interval) int {
	t.Helper()
	fs, err := ds.Layer(geo.LayerLinks, iv)
	if err != nil {
		t.Fatal(err)
	}
	want := wantLinks(ds, iv)
	got := map[string]bool{}
	for _, f := range fs {
		from, _ := f.Properties["from"].(string)
		to, _ := f.Properties["to"].(string)
		key := from + " " + to
		p, ok := want[key]
		if !ok {
			t.Errorf("link %q from %q to %q: not a related pair, or drawn the wrong way", f.ID, from, to)
			continue
		}
		if got[key] {
			t.Errorf("link from %q to %q drawn twice", from, to)
		}
		got[key] = true
		if f.Properties["kind"] != "link" {
			t.Errorf("link %q: kind %v", f.ID, f.Properties["kind"])
		}
		line, ok := f.Geometry.(orb.LineString)
		if !ok {
			t.Fatalf("link %q: geometry %T, want orb.LineString", f.ID, f.Geometry)
		}
		checkGreatCircle(t, line, *p.from.Location, *p.to.Location)
		wantKm := math.Round(orbgeo.DistanceHaversine(*p.from.Location, *p.to.Location)/100) / 10
		if f.Properties["distance_km"] != wantKm {
			t.Errorf("link %q: distance_km %v, want %v", f.ID, f.Properties["distance_km"], wantKm)
		}
	}
	for key := range want {
		if !got[key] {
			t.Errorf("no link for the related pair %s", key)
		}
	}
	return len(want)
}

func TestLinksLayerFixtures(t *testing.T) {
	ds := fixtureDataset(t)
	cases := []struct {
		name string
		t    geo.Interval
	}{
		{"all", geo.Interval{}},
		{"until the funeral", geo.Interval{End: mustTime(t, "2023-11-21T12:00:00+03:00")}},
		{"from the funeral", geo.Interval{Start: mustTime(t, "2023-11-21T12:00:00+03:00")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if n := checkLinks(t, ds, c.t); n == 0 {
				t.Error("no related pair to draw: the case does not test what it says")
			}
		})
	}
}

// TestLinksLayerRelations checks links on hand-made relations the
// fixtures do not have.
func TestLinksLayerRelations(t *testing.T) {
	at := func(id, when string, loc []any, related ...string) map[string]any {
		f := testIncident(id)
		p := props(f)
		p["occurred_at"] = when
		rel := []any{}
		for _, r := range related {
			rel = append(rel, r)
		}
		p["related"] = rel
		if loc == nil {
			f["geometry"] = nil
			p["geo_precision"] = "unknown"
		} else {
			f["geometry"] = map[string]any{"type": "Point", "coordinates": loc}
		}
		return f
	}
	asad, ghraib := []any{42.441, 33.786}, []any{44.06, 33.29}
	cases := []struct {
		name string
		fs   []map[string]any
		want int
	}{
		{"related one way, from the later", []map[string]any{
			at("attack", "2023-11-21T00:00:00+03:00", asad),
			at("strike", "2023-11-21T04:30:00+03:00", ghraib, "attack"),
		}, 1},
		{"related one way, from the earlier", []map[string]any{
			at("attack", "2023-11-21T00:00:00+03:00", asad, "strike"),
			at("strike", "2023-11-21T04:30:00+03:00", ghraib),
		}, 1},
		{"related both ways, same time", []map[string]any{
			at("b-strike", "2023-11-21T04:30:00+03:00", asad, "a-strike"),
			at("a-strike", "2023-11-21T04:30:00+03:00", ghraib, "b-strike"),
		}, 1},
		{"same place", []map[string]any{
			at("attack", "2023-11-21T00:00:00+03:00", asad, "mortar"),
			at("mortar", "2023-11-21T21:00:00+03:00", asad, "attack"),
		}, 0},
		{"one end without a location", []map[string]any{
			at("attack", "2023-11-21T00:00:00+03:00", asad, "strikes"),
			at("strikes", "2023-11-22T00:00:00+03:00", nil, "attack"),
		}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds, err := geo.NewDataset(collection(t, c.fs), fixtures.Sites)
			if err != nil {
				t.Fatal(err)
			}
			if n := checkLinks(t, ds, geo.Interval{}); n != c.want {
				t.Fatalf("the data has %d pairs to draw, the case expects %d", n, c.want)
			}
		})
	}
}

func TestUncertaintyLayer(t *testing.T) {
	precisions := []geo.GeoPrecision{geo.GeoExact, geo.GeoNear, geo.GeoTown, geo.GeoRegion, geo.GeoUnknown}
	for i, p := range precisions {
		r := p.Radius()
		switch {
		case p == geo.GeoExact || p == geo.GeoUnknown:
			if r != 0 {
				t.Errorf("%s.Radius() = %v, want 0", p, r)
			}
		case r <= precisions[i-1].Radius():
			t.Errorf("%s.Radius() = %v, not larger than %s's", p, r, precisions[i-1])
		}
	}

	cases := []struct {
		name string
		ds   *geo.Dataset
	}{
		{"fixtures", fixtureDataset(t)},
		{"generated", generatedDataset(t, genConfig{n: 500, seed: 11, area: benchArea, varied: true})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs, err := c.ds.Layer(geo.LayerUncertainty, geo.Interval{})
			if err != nil {
				t.Fatal(err)
			}
			byIncident := map[string]geo.Feature{}
			for _, f := range fs {
				id, _ := f.Properties["incident"].(string)
				if _, dup := byIncident[id]; dup {
					t.Errorf("two circles for %q", id)
				}
				byIncident[id] = f
			}
			var want []string
			for _, in := range c.ds.Incidents() {
				if in.Location != nil && in.GeoPrecision != geo.GeoExact {
					want = append(want, in.ID)
				}
			}
			if len(want) == 0 {
				t.Fatal("no incident with an uncertain location")
			}
			if len(fs) != len(want) {
				t.Errorf("%d circles, want %d", len(fs), len(want))
			}
			for _, id := range want {
				f, ok := byIncident[id]
				if !ok {
					t.Errorf("no circle for %s", id)
					continue
				}
				in, _ := c.ds.Incident(id)
				if f.Properties["kind"] != "uncertainty" || f.Properties["geo_precision"] != string(in.GeoPrecision) || f.Properties["radius_m"] != in.GeoPrecision.Radius() {
					t.Errorf("circle for %s: properties %v", id, f.Properties)
				}
				checkCircle(t, f.Geometry, *in.Location, in.GeoPrecision.Radius())
			}
		})
	}
}

// TestLayerInMatchesWholeLayer checks that every overlay computed for a
// box alone (through the index, the grown box, the pairs found at load)
// holds exactly the features of the whole overlay that touch the box, in
// the same order.
func TestLayerInMatchesWholeLayer(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	area := orb.Bound{Min: orb.Point{40, 31}, Max: orb.Point{46, 37}}
	precisions := []string{"exact", "near", "town", "region"}
	var fs []map[string]any
	for i := range 400 {
		f := testIncident(fmt.Sprintf("p-%d", i))
		p := props(f)
		p["occurred_at"] = time.Date(2023, 11, 1+r.IntN(28), r.IntN(24), 0, 0, 0, time.UTC).Format(time.RFC3339)
		p["geo_precision"] = precisions[r.IntN(len(precisions))]
		f["geometry"] = map[string]any{"type": "Point", "coordinates": []any{
			area.Min[0] + r.Float64()*(area.Max[0]-area.Min[0]), area.Min[1] + r.Float64()*(area.Max[1]-area.Min[1])}}
		rel := []any{}
		for range r.IntN(4) {
			if j := r.IntN(max(i, 1)); j != i && !slices.Contains(rel, any(fmt.Sprintf("p-%d", j))) {
				rel = append(rel, fmt.Sprintf("p-%d", j))
			}
		}
		p["related"] = rel
		fs = append(fs, f)
	}
	ds, err := geo.NewDataset(collection(t, fs), fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(fs []geo.Feature) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.ID)
		}
		return out
	}
	intervals := []geo.Interval{{}, {Start: time.Date(2023, 11, 10, 0, 0, 0, 0, time.UTC), End: time.Date(2023, 11, 15, 0, 0, 0, 0, time.UTC)}}
	checked := map[string]int{}
	for _, l := range ds.Layers() {
		for _, iv := range intervals {
			whole, err := ds.Layer(l.ID, iv)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := ds.LayerSize(l.ID, iv, nil); err != nil || n != len(whole) {
				t.Errorf("LayerSize(%s, %v, nil) = %d, %v; the layer has %d", l.ID, iv, n, err, len(whole))
			}
			for range 60 {
				c := orb.Point{39 + r.Float64()*8, 30 + r.Float64()*8}
				half := 0.01 + r.Float64()*r.Float64()*2
				box := orb.Bound{Min: orb.Point{c[0] - half, c[1] - half}, Max: orb.Point{c[0] + half, c[1] + half}}
				var want []geo.Feature
				for _, f := range whole {
					if f.Geometry != nil && f.Geometry.Bound().Intersects(box) {
						want = append(want, f)
					}
				}
				got, err := ds.LayerIn(l.ID, iv, &box)
				if err != nil {
					t.Fatal(err)
				}
				if n, err := ds.LayerSize(l.ID, iv, &box); err != nil || n < len(got) {
					t.Errorf("LayerSize(%s, %v, %v) = %d, %v; LayerIn holds %d", l.ID, iv, box, n, err, len(got))
				}
				if g, w := ids(got), ids(want); !slices.Equal(g, w) {
					t.Fatalf("%s in %v, %v: got %d features %v\nwant %d %v", l.ID, box, iv, len(g), g, len(w), w)
				}
				checked[l.ID] += len(want)
			}
		}
	}
	for _, id := range []string{geo.LayerIncidents, geo.LayerLinks, geo.LayerUncertainty, geo.LayerRings, "al-asad"} {
		if checked[id] == 0 {
			t.Errorf("no %s feature fell in any box: the test checked nothing there", id)
		}
	}
}
