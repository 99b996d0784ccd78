package tiles_test

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/tiles"
)

// Which z8 tile holds Ain Al Asad Air Base, and where on that tile's 256
// pixels the base falls: the tile the page asks for, and where its marker
// is drawn.
func ExampleNewProjector() {
	alAsad := orb.Point{42.441, 33.786} // lon, lat
	t := maptile.At(alAsad, 8)
	x, y := tiles.NewProjector(t, tiles.TileSize).Pixel(alAsad)
	fmt.Printf("tile %d/%d/%d, pixel %.1f, %.1f\n", t.Z, t.X, t.Y, x, y)
	// Output: tile 8/158/102, pixel 46.1, 114.5
}

// The tiles covering Iraq's bounding box at zoom 6, the range the warm
// command renders. Tile y grows southwards, so the northern row comes
// first.
func ExampleRange() {
	iraq := orb.Bound{Min: orb.Point{38.8, 29.1}, Max: orb.Point{48.6, 37.4}}
	r := tiles.Range(iraq, 6)
	fmt.Printf("x %d..%d, y %d..%d\n", r.MinX, r.MaxX, r.MinY, r.MaxY)
	for _, t := range r.All() {
		if t.Y == uint32(r.MinY) {
			fmt.Printf("%d/%d/%d\n", t.Z, t.X, t.Y)
		}
	}
	// Output:
	// x 38..40, y 24..26
	// 6/38/24
	// 6/39/24
	// 6/40/24
}

// A static map wider than the world at zoom 1 (512 pixels) repeats it:
// the columns beyond its edges wrap round to the world's tiles.
func ExampleTileRange_All() {
	pr := tiles.NewViewProjector(orb.Point{0, 0}, 1, 1200, 200, tiles.TileSize)
	for col, t := range pr.Tiles().All() {
		if t.Y == 0 {
			fmt.Printf("column %d is tile %d/%d/%d\n", col, t.Z, t.X, t.Y)
		}
	}
	// Output:
	// column -2 is tile 1/0/0
	// column -1 is tile 1/1/0
	// column 0 is tile 1/0/0
	// column 1 is tile 1/1/0
	// column 2 is tile 1/0/0
	// column 3 is tile 1/1/0
}
