package geo_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// alAsad is the centre of Ain Al Asad Air Base, the centre of the
// analysts' usual question.
var alAsad = orb.Point{42.441, 33.786}

// genConfig describes a generated incident data set.
//
// This generator is not geo/synth's: synth writes one kind of data set,
// the same bytes for the load test and the tiles benchmarks, while the
// tests here need what synth leaves out (any area, the whole world
// included; full-precision coordinates; several sites and none; time
// zones; ties in distance and time). The benchmarks keep it too, so that
// their figures in docs/performance.md stay comparable from run to run.
type genConfig struct {
	n    int
	seed uint64
	// area the points are drawn from, uniformly in lon and lat
	area orb.Bound
	// varied mixes in what real data has and queries must handle: null
	// locations, every time and geo precision, several zones, event types
	// and countries, incidents on a few shared points and at a few shared
	// times (ties in distance and in time). Without it every incident has
	// the minimal valid properties.
	varied bool
}

// benchArea is the region of the seed data, western Iraq to Baghdad and
// eastern Syria: synth's area.
var benchArea = orb.Bound{
	Min: orb.Point{synth.Area.MinLon, synth.Area.MinLat},
	Max: orb.Point{synth.Area.MaxLon, synth.Area.MaxLat},
}

// fixtureSiteIDs returns the ids of the fixture sites, in file order.
func fixtureSiteIDs(tb testing.TB) []string {
	tb.Helper()
	sites, err := geo.DecodeSites(fixtures.Sites)
	if err != nil {
		tb.Fatalf("fixture sites: %v", err)
	}
	ids := make([]string, len(sites))
	for i, s := range sites {
		ids[i] = s.ID
	}
	return ids
}

// generateIncidents returns c.n incidents as a GeoJSON FeatureCollection,
// the same bytes for the same config. Times are spread over 2023; sites
// are the fixture sites (or null); every incident has one source.
func generateIncidents(siteIDs []string, c genConfig) []byte {
	r := rand.New(rand.NewPCG(c.seed, c.seed^0x9e3779b97f4a7c15))
	year := time.Date(2023, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3*3600))
	zones := []*time.Location{time.FixedZone("", 3*3600), time.UTC, time.FixedZone("", 3*3600+1800)}
	precisions := []string{"exact", "hour", "day", "approximate"}
	geoPrecisions := []string{"exact", "near", "town", "region"}
	eventTypes := []string{"missile_attack", "mortar_attack", "airstrike", "drone_attack"}
	countries := []string{"IQ", "SY"}
	var hotPoints []orb.Point
	var hotTimes []time.Time
	for range 4 {
		hotPoints = append(hotPoints, randomPoint(r, c.area))
		hotTimes = append(hotTimes, year.Add(time.Duration(r.IntN(365*24*60))*time.Minute))
	}

	buf := make([]byte, 0, c.n*420+64)
	buf = append(buf, `{"type":"FeatureCollection","features":[`...)
	for i := range c.n {
		if i > 0 {
			buf = append(buf, ',')
		}
		p := randomPoint(r, c.area)
		at := year.Add(time.Duration(r.IntN(365*24*60)) * time.Minute)
		tp, gp, et, country := "exact", "exact", "airstrike", "IQ"
		located := true
		if c.varied {
			if r.IntN(8) == 0 {
				p = hotPoints[r.IntN(len(hotPoints))]
			}
			if r.IntN(8) == 0 {
				at = hotTimes[r.IntN(len(hotTimes))]
			}
			at = at.In(zones[r.IntN(len(zones))])
			tp = precisions[r.IntN(len(precisions))]
			gp = geoPrecisions[r.IntN(len(geoPrecisions))]
			et = eventTypes[r.IntN(len(eventTypes))]
			country = countries[r.IntN(len(countries))]
			if r.IntN(16) == 0 {
				located, gp = false, "unknown"
			}
		}
		buf = fmt.Appendf(buf, `{"type":"Feature","id":"g-%07d","geometry":`, i)
		if located {
			buf = append(buf, `{"type":"Point","coordinates":[`...)
			buf = strconv.AppendFloat(buf, p[0], 'f', -1, 64)
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, p[1], 'f', -1, 64)
			buf = append(buf, "]}"...)
		} else {
			buf = append(buf, "null"...)
		}
		buf = fmt.Appendf(buf, `,"properties":{"title":"Generated incident %d","occurred_at":%q,"time_precision":%q,"event_type":%q,`,
			i, at.Format(time.RFC3339), tp, et)
		if k := r.IntN(len(siteIDs) + 1); k < len(siteIDs) {
			buf = fmt.Appendf(buf, `"site":%q,`, siteIDs[k])
		} else {
			buf = append(buf, `"site":null,`...)
		}
		buf = fmt.Appendf(buf, `"country":%q,"geo_precision":%q,"sources":[{"publisher":"Generator","title":"Generated data","published_at":"2024-01-01T00:00:00Z","quote":"Generated for tests."}]}}`,
			country, gp)
	}
	return append(buf, "]}"...)
}

func randomPoint(r *rand.Rand, b orb.Bound) orb.Point {
	return orb.Point{
		b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]),
		b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1]),
	}
}

// bruteRadius returns, by scanning every incident, the ids of the
// incidents within metres of center, nearest first (ties by time, then
// id), and their distances.
func bruteRadius(ds *geo.Dataset, center orb.Point, metres float64) ([]string, []float64) {
	type hit struct {
		in   *geo.Incident
		dist float64
	}
	var hits []hit
	all := ds.Incidents()
	for i := range all {
		in := &all[i]
		if in.Location == nil {
			continue
		}
		if d := orbgeo.DistanceHaversine(center, *in.Location); d <= metres {
			hits = append(hits, hit{in, d})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), a.in.OccurredAt.Compare(b.in.OccurredAt), cmp.Compare(a.in.ID, b.in.ID))
	})
	ids := make([]string, len(hits))
	dists := make([]float64, len(hits))
	for i, h := range hits {
		ids[i], dists[i] = h.in.ID, h.dist
	}
	return ids, dists
}

// benchSet is a generated data set built once per size and shared by the
// benchmarks.
type benchSet struct {
	once sync.Once
	raw  []byte
	ds   *geo.Dataset
	err  error
}

var benchSets = map[int]*benchSet{10_000: {}, 100_000: {}, 1_000_000: {}}

var benchSizes = []struct {
	name string
	n    int
}{{"10k", 10_000}, {"100k", 100_000}, {"1M", 1_000_000}}

func loadBenchSet(b *testing.B, n int) *benchSet {
	b.Helper()
	s := benchSets[n]
	s.once.Do(func() {
		s.raw = generateIncidents(fixtureSiteIDs(b), genConfig{n: n, seed: 1, area: benchArea})
		s.ds, s.err = geo.NewDataset(s.raw, fixtures.Sites)
	})
	if s.err != nil {
		b.Fatalf("generated data set of %d: %v", n, s.err)
	}
	return s
}

// benchQuery runs q on the generated data sets of every size.
func benchQuery(b *testing.B, q geo.Query) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			ds := loadBenchSet(b, size.n).ds
			b.ReportAllocs()
			b.ResetTimer()
			var res geo.Result
			for b.Loop() {
				res = ds.Query(q)
			}
			b.ReportMetric(float64(res.NumberMatched), "matched/op")
		})
	}
}

func BenchmarkQueryRadius50km(b *testing.B) {
	benchQuery(b, geo.Query{Near: &geo.Radius{Center: alAsad, Metres: 50_000}, Limit: 100})
}

// BenchmarkEncodePage writes a radius query's page of 100 incidents as
// GeoJSON, as /api/collections/incidents/items does on every miss.
func BenchmarkEncodePage(b *testing.B) {
	ds := loadBenchSet(b, 100_000).ds
	res := ds.Query(geo.Query{Near: &geo.Radius{Center: alAsad, Metres: 50_000}, Limit: 100})
	if len(res.Matches) != 100 {
		b.Fatalf("%d matches, want a page of 100", len(res.Matches))
	}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		var err error
		if buf, err = geo.AppendFeatureCollection(buf[:0], res.Matches, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkQueryBBox(b *testing.B) {
	bound := orb.Bound{
		Min: orb.Point{alAsad[0] - 0.5, alAsad[1] - 0.5},
		Max: orb.Point{alAsad[0] + 0.5, alAsad[1] + 0.5},
	}
	benchQuery(b, geo.Query{BBox: &bound, Limit: 100})
}

// BenchmarkQueryWords is the desk's search (q): two words, which reads
// the text of every incident, a page of 50.
func BenchmarkQueryWords(b *testing.B) {
	words, err := geo.SearchWords("Asad mortar")
	if err != nil {
		b.Fatal(err)
	}
	benchQuery(b, geo.Query{Words: words, Limit: 50})
}

func BenchmarkNewDataset(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			raw := loadBenchSet(b, size.n).raw
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := geo.NewDataset(raw, fixtures.Sites); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestLoadOneMillion loads a million incidents and checks that a radius
// query over them still equals a scan.
func TestLoadOneMillion(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a million incidents")
	}
	const n = 1_000_000
	raw := generateIncidents(fixtureSiteIDs(t), genConfig{n: n, seed: 7, area: benchArea, varied: true})
	ds, err := geo.NewDataset(raw, fixtures.Sites)
	if err != nil {
		t.Fatalf("NewDataset: %v", err)
	}
	if len(ds.Incidents()) != n {
		t.Fatalf("len(Incidents) = %d, want %d", len(ds.Incidents()), n)
	}
	res := ds.Query(geo.Query{Near: &geo.Radius{Center: alAsad, Metres: 50_000}})
	wantIDs, wantDists := bruteRadius(ds, alAsad, 50_000)
	if len(wantIDs) == 0 {
		t.Fatal("no incident within 50 km: the generated data does not exercise the query")
	}
	if res.NumberMatched != len(wantIDs) || len(res.Matches) != len(wantIDs) {
		t.Fatalf("NumberMatched = %d, len(Matches) = %d, want %d", res.NumberMatched, len(res.Matches), len(wantIDs))
	}
	for i, m := range res.Matches {
		if m.Incident.ID != wantIDs[i] || m.DistanceM != wantDists[i] {
			t.Fatalf("match %d = %s at %v m, want %s at %v m", i, m.Incident.ID, m.DistanceM, wantIDs[i], wantDists[i])
		}
	}
}

// BenchmarkLayerInTile computes each overlay for a z8 tile over Al Asad,
// as a tile request does.
func BenchmarkLayerInTile(b *testing.B) {
	tile := orb.Bound{Min: orb.Point{41.48, 33.13}, Max: orb.Point{42.89, 34.31}} // z8 158/102, with its buffer
	for _, size := range benchSizes[:2] {
		for _, layer := range []string{geo.LayerIncidents, geo.LayerUncertainty, geo.LayerLinks, "al-asad"} {
			b.Run(size.name+"/"+layer, func(b *testing.B) {
				ds := loadBenchSet(b, size.n).ds
				b.ReportAllocs()
				for b.Loop() {
					if _, err := ds.LayerIn(layer, geo.Interval{}, &tile); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkWith is a write: one incident changed in a data set, the
// next data set built beside it (what the write API does per batch).
func BenchmarkWith(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			ds := loadBenchSet(b, size.n).ds
			in, err := ds.Incident(ds.Incidents()[size.n/2].ID)
			if err != nil {
				b.Fatal(err)
			}
			changed := *in
			changed.Title = "Changed"
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := ds.With([]geo.Incident{changed}, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEachInDay walks a map view's incidents of one day, as a view
// of the page (a layer with bbox, zoom and datetime) does: most of the
// points in the bound are of other days.
func BenchmarkEachInDay(b *testing.B) {
	view := orb.Bound{Min: orb.Point{39.6, 30.2}, Max: orb.Point{46.4, 35.8}} // 1280 by 800 px at z7 over the area
	day := geo.Interval{
		Start: time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC),
		End:   time.Date(2023, 6, 1, 23, 59, 59, 0, time.UTC),
	}
	for _, size := range benchSizes[:2] {
		b.Run(size.name, func(b *testing.B) {
			ds := loadBenchSet(b, size.n).ds
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n = 0
				ds.EachIn(day, view, nil, func(geo.Spot) { n++ })
			}
			b.ReportMetric(float64(n), "spots/op")
		})
	}
}
