package tiles

import (
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// MaxZoom is the deepest zoom any layer is served at.
const MaxZoom = 22

// TileSize is the side of a raster tile in pixels at scale 1.
const TileSize = 256

// Validate reports whether t is a tile of the world at a zoom up to
// maxZoom, naming the coordinate that is out of range.
func Validate(t maptile.Tile, maxZoom int) error {
	if int(t.Z) > maxZoom {
		return fmt.Errorf("z %d is above the maximum zoom %d", t.Z, maxZoom)
	}
	n := uint32(1) << t.Z
	if t.X >= n {
		return fmt.Errorf("x %d is outside 0..%d at zoom %d", t.X, n-1, t.Z)
	}
	if t.Y >= n {
		return fmt.Errorf("y %d is outside 0..%d at zoom %d", t.Y, n-1, t.Z)
	}
	return nil
}

// Projector maps lon/lat to pixels of one tile (Web Mercator), origin at
// the tile's top-left corner, size pixels a side.
type Projector struct {
	tile maptile.Tile
	size float64
}

// NewProjector returns the projector for tile t drawn size pixels a side.
func NewProjector(t maptile.Tile, size int) Projector {
	return Projector{tile: t, size: float64(size)}
}

// Pixel returns where p falls on the tile, in pixels; points off the tile
// fall outside 0..size.
func (pr Projector) Pixel(p orb.Point) (x, y float64) {
	f := maptile.Fraction(p, pr.tile.Z)
	return (f[0] - float64(pr.tile.X)) * pr.size, (f[1] - float64(pr.tile.Y)) * pr.size
}

// Bound returns the tile's bound in lon/lat, grown by pad pixels on every
// side, so that a symbol centred just off the tile still draws its part.
func (pr Projector) Bound(pad float64) orb.Bound {
	return pr.tile.Bound(pad / pr.size)
}
