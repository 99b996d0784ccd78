package tiles_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
	"github.com/incidentmap/incidentmap/tiles"
)

// millionData is the data set of issue #10: a million synthetic incidents
// over Iraq and Syria, all at Al Asad. Run its benchmarks with a small
// -benchtime, e.g.
//
//	go test ./tiles -run '^$' -bench 1M -benchtime 20x
func millionData(tb testing.TB) *geo.Dataset { return synthSet(tb, 1_000_000, 1) }

// clusteredTile renders the incidents tile t as the server does: the
// incidents of the tile's cluster grid walked in the index, clustered,
// encoded.
func clusteredTile(tb testing.TB, ds *geo.Dataset, layerID string, t maptile.Tile) []byte {
	g := tiles.TileClusterGrid(t)
	fs := g.ClusterIncidents(ds, func(yield func(geo.Spot)) {
		ds.EachIn(geo.Interval{}, g.Bound(), nil, yield)
	})
	b, err := tiles.MVT(layerID, fs, t)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// reportTile reports a tile's uncompressed and gzipped sizes and features.
func reportTile(b *testing.B, tile []byte) {
	if tile == nil {
		b.ReportMetric(0, "raw-bytes")
		return
	}
	raw := gunzip(b, tile)
	ls, err := mvt.Unmarshal(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(raw)), "raw-bytes")
	b.ReportMetric(float64(len(tile)), "gz-bytes")
	b.ReportMetric(float64(len(ls[0].Features)), "features")
}

var benchZooms = []maptile.Zoom{0, 4, 6, 8, 12}

// BenchmarkClusteredMVT1M renders the cold incidents tile over Al Asad from
// a million incidents, index lookup included: what a cache miss costs.
func BenchmarkClusteredMVT1M(b *testing.B) {
	ds := millionData(b)
	for _, z := range benchZooms {
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			t := maptile.At(alAsad, z)
			b.ReportAllocs()
			var tile []byte
			for b.Loop() {
				tile = clusteredTile(b, ds, "incidents", t)
			}
			reportTile(b, tile)
		})
	}
}

// BenchmarkClusteredMVT1MStages splits BenchmarkClusteredMVT1M into its
// three stages: the query (package geo's LayerIn, as the server calls it),
// clustering and encoding. index is the part of the query that finds and
// sorts the matches, before they are made into features.
func BenchmarkClusteredMVT1MStages(b *testing.B) {
	ds := millionData(b)
	for _, z := range benchZooms {
		t := maptile.At(alAsad, z)
		g := tiles.TileClusterGrid(t)
		bound := g.Bound()
		fs, err := ds.LayerIn("incidents", geo.Interval{}, &bound)
		if err != nil {
			b.Fatal(err)
		}
		cs := g.Cluster(fs)
		b.Run(fmt.Sprintf("z%d/query", z), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ds.LayerIn("incidents", geo.Interval{}, &bound); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(fs)), "incidents")
		})
		b.Run(fmt.Sprintf("z%d/index", z), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ds.Query(geo.Query{BBox: &bound})
			}
		})
		b.Run(fmt.Sprintf("z%d/cluster", z), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g.Cluster(fs)
			}
			b.ReportMetric(float64(len(cs)), "features")
		})
		b.Run(fmt.Sprintf("z%d/mvt", z), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tiles.MVT("incidents", cs, t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkClusteredPNG1M renders the cold PNG incidents tile over Al Asad
// from a million incidents, at scale 2.
func BenchmarkClusteredPNG1M(b *testing.B) {
	ds := millionData(b)
	for _, z := range []maptile.Zoom{0, 8, 12} {
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			t := maptile.At(alAsad, z)
			g := tiles.TileClusterGrid(t)
			b.ReportAllocs()
			for b.Loop() {
				bound := g.Bound()
				fs, err := ds.LayerIn("incidents", geo.Interval{}, &bound)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := tiles.Overlay(g.Cluster(fs), t, 2); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// tilesOfData returns every tile at zooms 0 to maxZ over the synthetic
// area and one tile around it.
func tilesOfData(maxZ maptile.Zoom) []maptile.Tile {
	a := synth.Area
	var ts []maptile.Tile
	for z := maptile.Zoom(0); z <= maxZ; z++ {
		nw := maptile.At(orb.Point{a.MinLon, a.MaxLat}, z)
		se := maptile.At(orb.Point{a.MaxLon, a.MinLat}, z)
		last := uint32(1)<<z - 1
		for y := max(nw.Y, 1) - 1; y <= min(se.Y+1, last); y++ {
			for x := max(nw.X, 1) - 1; x <= min(se.X+1, last); x++ {
				ts = append(ts, maptile.New(x, y, z))
			}
		}
	}
	return ts
}

// BenchmarkEveryTile1M renders every incidents tile from z0 to z8 over the
// million, one after another on one goroutine, and reports the slowest
// tile and the 99th percentile: the cost of a cold cache.
func BenchmarkEveryTile1M(b *testing.B) {
	ds := millionData(b)
	ts := tilesOfData(8)
	var took []time.Duration
	for b.Loop() {
		took = took[:0]
		for _, t := range ts {
			start := time.Now()
			clusteredTile(b, ds, "incidents", t)
			took = append(took, time.Since(start))
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(len(ts)), "tiles")
	b.ReportMetric(float64(took[len(took)-1].Nanoseconds()), "max-ns/tile")
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds()), "p99-ns/tile")
}

// TestClusteredTiles1MUnder500KB renders every incidents tile from z0 to
// z8 over the million and wants each under 500 KB uncompressed; it also
// checks that no two of the million incidents share a feature id. It
// loads the million (16 s, 3 GB): -short skips it.
func TestClusteredTiles1MUnder500KB(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a million incidents")
	}
	ds := millionData(t)
	biggest := map[maptile.Zoom]int{}
	most, worst := 0, maptile.Tile{}
	for _, tile := range tilesOfData(8) {
		b := clusteredTile(t, ds, "incidents", tile)
		if b == nil {
			continue
		}
		n := len(gunzip(t, b))
		biggest[tile.Z] = max(biggest[tile.Z], n)
		if n > most {
			most, worst = n, tile
		}
		if n >= 500_000 {
			t.Errorf("tile %d/%d/%d: %d bytes uncompressed, want under 500 KB", tile.Z, tile.X, tile.Y, n)
		}
	}
	t.Logf("largest uncompressed tile by zoom: %v; largest of all %d/%d/%d, %d bytes", biggest, worst.Z, worst.X, worst.Y, most)

	ids := make(map[uint64]string, len(ds.Incidents()))
	for _, in := range ds.Incidents() {
		h := tiles.HashID(in.ID)
		if other, ok := ids[h]; ok {
			t.Errorf("incidents %s and %s share the feature id %d", in.ID, other, h)
		}
		ids[h] = in.ID
	}
}
