package basemap

import (
	"image"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/tiles"
)

func TestLabelColors(t *testing.T) {
	b := testBasemap(t)
	ionian := orb.Point{18, 35} // open sea: no town, no country, at any zoom
	for _, c := range []struct {
		z    maptile.Zoom
		at   orb.Point
		want bool
	}{
		// the labels' tile is Iraq's at z3 and z6; Iraq's middle at z2
		{2, baghdad, false}, {3, baghdad, true}, {6, orb.Point{43.7, 33.0}, true},
		{7, baghdad, true}, // towns from z4
		{7, ionian, false}, {10, ionian, false},
	} {
		tile := maptile.At(c.at, c.z)
		n := countNearest(renderImage(t, b, tile, 1), image.Rect(0, 0, tiles.TileSize, tiles.TileSize), "label")
		if got := n > 0; got != c.want {
			t.Errorf("z%d at %v: %d label pixels on %v, want labels: %v", c.z, c.at, n, tile, c.want)
		}
	}
}

// TestLabelColorAcrossTileEdge finds a name that a tile edge cuts at
// zoom 4 and checks that both tiles draw their half next to the edge.
func TestLabelColorAcrossTileEdge(t *testing.T) {
	b := testBasemap(t)
	const z = 4
	for _, l := range b.labels[z-labelMinZoom] {
		left, right := l.x-l.w/2, l.x+l.w/2
		edge := math.Floor(right/tiles.TileSize) * tiles.TileSize
		if edge-left < 5 || right-edge < 5 || l.y < tiles.TileSize || l.y > tiles.TileSize*15 {
			continue // not cut, or too little of it on one side
		}
		tx, ty := uint32(edge/tiles.TileSize), uint32(l.y/tiles.TileSize)
		if math.Floor((l.y-l.h/2)/tiles.TileSize) != math.Floor((l.y+l.h/2)/tiles.TileSize) {
			continue // cut along y as well
		}
		rows := image.Rect(0, int(l.y)-int(ty)*tiles.TileSize-8, tiles.TileSize, int(l.y)-int(ty)*tiles.TileSize+8)
		west := renderImage(t, b, maptile.New(tx-1, ty, z), 1)
		east := renderImage(t, b, maptile.New(tx, ty, z), 1)
		nw := countNearest(west, rows.Intersect(image.Rect(tiles.TileSize-4, 0, tiles.TileSize, tiles.TileSize)), "label")
		ne := countNearest(east, rows.Intersect(image.Rect(0, 0, 4, tiles.TileSize)), "label")
		if nw == 0 || ne == 0 {
			t.Errorf("%q cut at x=%v: %d label pixels west of the edge, %d east", l.name, edge, nw, ne)
		}
		return
	}
	t.Fatal("no label at zoom 4 is cut by a tile edge")
}

func TestPolygonLabelPoint(t *testing.T) {
	// A U: its centroid falls in the gap between the arms.
	u := orb.Polygon{{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}
	if c, _ := planar.CentroidArea(u); planar.PolygonContains(u, c) {
		t.Fatalf("test polygon's centroid %v is inside it", c)
	}
	if p := polygonLabelPoint(u); !planar.PolygonContains(u, p) {
		t.Errorf("label point %v of the U is outside it", p)
	}
	// Every country named at any zoom has its name inside it.
	d, err := Decode(fixtures.Basemap50m)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Countries {
		for _, p := range c.Polygons {
			if lp := polygonLabelPoint(p); !planar.PolygonContains(p, lp) {
				t.Errorf("%s: label point %v is outside its polygon", c.Name, lp)
			}
		}
	}
}
