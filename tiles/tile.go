package tiles

import (
	"fmt"
	"math"

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

// Projector maps lon/lat to pixels of an image drawn in Web Mercator at
// one zoom: a tile, or a static map's canvas. The origin is the image's
// top-left corner.
type Projector struct {
	z                maptile.Zoom
	originX, originY float64 // top-left corner in tile units at zoom z
	tileSize         float64 // pixels a tile
	width, height    float64 // image size in pixels
}

// NewProjector returns the projector for tile t drawn size pixels a side.
func NewProjector(t maptile.Tile, size int) Projector {
	return Projector{z: t.Z, originX: float64(t.X), originY: float64(t.Y),
		tileSize: float64(size), width: float64(size), height: float64(size)}
}

// NewViewProjector returns the projector for an image width by height
// pixels centred on center at zoom z, with tiles tileSize pixels a side.
func NewViewProjector(center orb.Point, z maptile.Zoom, width, height, tileSize int) Projector {
	f := maptile.Fraction(center, z)
	ts := float64(tileSize)
	// Snap the corner to a whole pixel, so tiles drawn on the image stay
	// crisp.
	return Projector{z: z, tileSize: ts, width: float64(width), height: float64(height),
		originX: math.Round(f[0]*ts-float64(width)/2) / ts,
		originY: math.Round(f[1]*ts-float64(height)/2) / ts}
}

// Pixel returns where p falls on the image, in pixels; points off the
// image fall outside it.
func (pr Projector) Pixel(p orb.Point) (x, y float64) {
	f := maptile.Fraction(p, pr.z)
	return (f[0] - pr.originX) * pr.tileSize, (f[1] - pr.originY) * pr.tileSize
}

// Bound returns the image's bound in lon/lat, grown by pad pixels on every
// side, so that a symbol centred just off the image still draws its part.
func (pr Projector) Bound(pad float64) orb.Bound {
	n := float64(uint64(1) << pr.z)
	lonLat := func(x, y float64) orb.Point {
		tx, ty := pr.originX+x/pr.tileSize, pr.originY+y/pr.tileSize
		ty = min(max(ty, 0), n)
		lat := math.Atan(math.Sinh(math.Pi*(1-2*ty/n))) * 180 / math.Pi
		return orb.Point{tx/n*360 - 180, lat}
	}
	nw := lonLat(-pad, -pad)
	se := lonLat(pr.width+pad, pr.height+pad)
	return orb.Bound{Min: orb.Point{nw[0], se[1]}, Max: orb.Point{se[0], nw[1]}}
}
