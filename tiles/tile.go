package tiles

import (
	"fmt"
	"iter"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// MaxZoom is the deepest zoom any layer is served at.
const MaxZoom = 22

// TileSize is the side of a raster tile in pixels at scale 1.
const TileSize = 256

// Validate reports whether t is a tile of the world at a zoom up to
// maxZoom. Its error is a *CoordError naming the coordinate out of range.
func Validate(t maptile.Tile, maxZoom int) error {
	if int(t.Z) > maxZoom {
		return &CoordError{Coord: "z", Tile: t, Max: maxZoom}
	}
	n := uint32(1) << t.Z
	if t.X >= n {
		return &CoordError{Coord: "x", Tile: t, Max: int(n - 1)}
	}
	if t.Y >= n {
		return &CoordError{Coord: "y", Tile: t, Max: int(n - 1)}
	}
	return nil
}

// CoordError is a tile coordinate out of range: Coord ("z", "x" or "y")
// of Tile is above Max, the largest it may be.
type CoordError struct {
	Coord string
	Tile  maptile.Tile
	Max   int
}

// Error names the coordinate and says what is wrong with it, e.g.
// "x 8 is outside 0..7 at zoom 3".
func (e *CoordError) Error() string { return e.Coord + " " + e.Reason() }

// Reason is Error without the coordinate's name, e.g. "8 is outside 0..7
// at zoom 3", for messages that name it elsewhere.
func (e *CoordError) Reason() string {
	switch e.Coord {
	case "z":
		return fmt.Sprintf("%d is above the maximum zoom %d", e.Tile.Z, e.Max)
	case "x":
		return fmt.Sprintf("%d is outside 0..%d at zoom %d", e.Tile.X, e.Max, e.Tile.Z)
	}
	return fmt.Sprintf("%d is outside 0..%d at zoom %d", e.Tile.Y, e.Max, e.Tile.Z)
}

// TileRange is the block of tiles at zoom Z from column MinX to MaxX and
// row MinY to MaxY, both inclusive. Tile y grows southwards, so MinY is the
// northern row. Rows lie within the world; columns may lie beyond its east
// or west edge, where the world repeats (a static map wider than the
// world, or across the antimeridian).
type TileRange struct {
	Z          maptile.Zoom
	MinX, MaxX int64
	MinY, MaxY int64
}

// Range returns the tiles covering b at zoom z, clamped to the world:
// what lies beyond MaxLatitude or lon ±180 is cut off. b must not cross
// the antimeridian (Min[0] <= Max[0]); cover each side on its own.
func Range(b orb.Bound, z maptile.Zoom) TileRange {
	n := int64(1) << z
	// the north-west corner has the smallest x and y
	x0, y0 := Project(orb.Point{b.Min[0], b.Max[1]}, float64(n))
	x1, y1 := Project(orb.Point{b.Max[0], b.Min[1]}, float64(n))
	in := func(v float64) int64 { return min(max(int64(v), 0), n-1) }
	return TileRange{Z: z, MinX: in(x0), MaxX: in(x1), MinY: in(y0), MaxY: in(y1)}
}

// All yields the tiles of r row by row, north to south and west to east,
// each with the column it lies at in r. A column beyond the world's edge
// yields the world's tile there: column -1 is tile x 2^z-1.
func (r TileRange) All() iter.Seq2[int64, maptile.Tile] {
	return func(yield func(int64, maptile.Tile) bool) {
		n := int64(1) << r.Z
		for y := r.MinY; y <= r.MaxY; y++ {
			for x := r.MinX; x <= r.MaxX; x++ {
				wrapped := ((x % n) + n) % n
				if !yield(x, maptile.New(uint32(wrapped), uint32(y), r.Z)) {
					return
				}
			}
		}
	}
}
