package tiles_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
	"github.com/incidentmap/incidentmap/tiles"
)

var big = sync.OnceValues(func() (*geo.Dataset, error) {
	return geo.NewDataset(synth.Incidents(100_000, 1), fixtures.Sites)
})

// tileFeatures returns what the server would hand the renderer for the
// incidents layer on the tile over Al Asad at z: the features from the
// spatial index within the tile and its buffer.
func tileFeatures(b *testing.B, z maptile.Zoom) (maptile.Tile, []geo.Feature) {
	ds, err := big()
	if err != nil {
		b.Fatal(err)
	}
	t := maptile.At(alAsad, z)
	bound := t.Bound(float64(tiles.Buffer) / tiles.Extent)
	fs, err := ds.LayerIn("incidents", geo.Interval{}, &bound)
	if err != nil {
		b.Fatal(err)
	}
	return t, fs
}

// BenchmarkMVT100k renders the incidents tile over Al Asad from 100,000
// incidents (tile lookup through the index included).
func BenchmarkMVT100k(b *testing.B) {
	for _, z := range []maptile.Zoom{4, 8, 12} {
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			ds, _ := big()
			t := maptile.At(alAsad, z)
			b.ReportAllocs()
			for b.Loop() {
				bound := t.Bound(float64(tiles.Buffer) / tiles.Extent)
				fs, err := ds.LayerIn("incidents", geo.Interval{}, &bound)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := tiles.MVT("incidents", fs, t); err != nil {
					b.Fatal(err)
				}
			}
			_, fs := tileFeatures(b, z)
			b.ReportMetric(float64(len(fs)), "features")
		})
	}
}

// BenchmarkOverlayPNG renders PNG overlay tiles over Al Asad.
func BenchmarkOverlayPNG(b *testing.B) {
	fix, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		ds    func() *geo.Dataset
		layer string
		z     maptile.Zoom
	}{
		{"fixtures/al-asad/z8", func() *geo.Dataset { return fix }, "al-asad", 8},
		{"fixtures/links/z6", func() *geo.Dataset { return fix }, "links", 6},
		{"100k/incidents/z8", func() *geo.Dataset { ds, _ := big(); return ds }, "incidents", 8},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ds := tc.ds()
			t := maptile.At(alAsad, tc.z)
			bound := t.Bound(float64(tiles.Buffer) / tiles.Extent)
			fs, err := ds.LayerIn(tc.layer, geo.Interval{}, &bound)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tiles.Overlay(fs, t, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkClusteredPNG100k draws the incidents tile over Al Asad from
// 100,000 incidents clustered, as the server draws it, at scale 1 and 2:
// the drawing again of a tile after a batch of writes.
func BenchmarkClusteredPNG100k(b *testing.B) {
	ds, err := big()
	if err != nil {
		b.Fatal(err)
	}
	for _, z := range []maptile.Zoom{6, 9} {
		for _, scale := range []int{1, 2} {
			b.Run(fmt.Sprintf("z%d@%dx", z, scale), func(b *testing.B) {
				t := maptile.At(alAsad, z)
				fs := clustered(b, ds, "incidents", t)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := tiles.Overlay(fs, t, scale); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(fs)), "features")
			})
		}
	}
}
