package tiles_test

import (
	"context"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles"
	"github.com/incidentmap/incidentmap/tiles/basemap"
)

// cachedBasemap returns a tiles.TileSource serving basemap tiles rendered
// once, as the server's tile cache does after the first static map.
func cachedBasemap(b testing.TB) tiles.TileSource {
	bm, err := basemap.Load(basemap.Embedded())
	if err != nil {
		b.Fatal(err)
	}
	var rendered sync.Map
	return func(t maptile.Tile, scale int) ([]byte, error) {
		key := [2]any{t, scale}
		if png, ok := rendered.Load(key); ok {
			return png.([]byte), nil
		}
		png, err := bm.Render(t, scale, basemap.English)
		if err != nil {
			return nil, err
		}
		rendered.Store(key, png)
		return png, nil
	}
}

// BenchmarkStaticMap composes static maps from cached basemap tiles: the
// page's default view over the fixtures, and a radius query at scale 2.
func BenchmarkStaticMap(b *testing.B) {
	ds := fixtureData(b)
	fs := layer(b, ds, geo.LayerIncidents)
	tilesrc := cachedBasemap(b)
	near := &geo.Radius{Center: alAsad, Metres: 20_000}
	for _, c := range []struct {
		name string
		view tiles.View
		near *geo.Radius
	}{
		{"fit/800x500", tiles.FitView(ds.Bound().Pad(0.5), 800, 500, 1, 12), nil},
		{"radius/400x300@2x", tiles.View{Center: alAsad, Zoom: 9, Width: 400, Height: 300, Scale: 2}, near},
		{"world/1200x630", tiles.View{Center: orb.Point{0, 20}, Zoom: 2, Width: 1200, Height: 630, Scale: 1}, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tiles.StaticMap(context.Background(), c.view, tilesrc, fs, c.near, "incidentmap · Natural Earth"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
