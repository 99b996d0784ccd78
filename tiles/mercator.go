package tiles

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/geo"
)

// Every map here is drawn in Web Mercator (EPSG:3857) on the XYZ tile
// grid: the world is a square of 2^z by 2^z tiles at zoom z, x growing
// east from lon -180 and y growing south from lat MaxLatitude. This file
// is the one place that projects lon/lat to that square and back; tile
// coordinates themselves are in tile.go.

// MaxLatitude is where Web Mercator stops, north and south, in degrees:
// the latitude at which the projected world is square.
const MaxLatitude = geo.MaxLatitude

// Project returns where p falls on the Web Mercator map of the whole
// world drawn worldSize pixels a side, from its north-west corner.
// Latitudes beyond MaxLatitude are held at it, so polar land (Antarctica)
// runs to the map's edge.
func Project(p orb.Point, worldSize float64) (x, y float64) {
	return projectX(p[0], worldSize), geo.MercatorY(p[1]) * worldSize
}

// projectX is Project's x.
func projectX(lon, worldSize float64) float64 {
	return (lon/360 + 0.5) * worldSize
}

// projectSpot is Project of a spot's point, from the projected y the
// data set keeps: the same pixel, without the logarithm.
func projectSpot(s geo.Spot, worldSize float64) (x, y float64) {
	return projectX(s.Point[0], worldSize), s.Y * worldSize
}

// unproject is Project's inverse: the lon/lat at x, y on the map of the
// world worldSize pixels a side, y held within the map.
func unproject(x, y, worldSize float64) orb.Point {
	y = min(max(y, 0), worldSize)
	lat := math.Atan(math.Sinh(math.Pi*(1-2*y/worldSize))) * 180 / math.Pi
	return orb.Point{x/worldSize*360 - 180, lat}
}

// viewFraction returns where p falls on the world at zoom z, in tiles,
// for framing a static map's view (its centre, and the zoom FitView
// picks). It is orb's maptile.Fraction, which differs from Project only
// south of 85.0511°S: there it snaps to the top of the last row where
// Project holds the point at the world's bottom edge. Framing keeps it so
// that such views (?bbox=-180,-90,180,90) stay as they were.
func viewFraction(p orb.Point, z maptile.Zoom) orb.Point {
	return maptile.Fraction(p, z)
}

// Projector maps lon/lat to pixels of an image drawn in Web Mercator at
// one zoom: a tile, or a static map's canvas. The origin is the image's
// top-left corner.
type Projector struct {
	z             maptile.Zoom
	tileSize      float64 // pixels a tile
	world         float64 // pixels a side of the whole world at zoom z
	ox, oy        float64 // the image's top-left corner in pixels of the world
	width, height float64 // image size in pixels
}

// NewProjector returns the projector for tile t drawn size pixels a side.
func NewProjector(t maptile.Tile, size int) Projector {
	s := float64(size)
	return Projector{z: t.Z, tileSize: s, world: float64(uint64(size) << t.Z),
		ox: float64(uint64(t.X) * uint64(size)), oy: float64(uint64(t.Y) * uint64(size)),
		width: s, height: s}
}

// NewViewProjector returns the projector for an image width by height
// pixels centred on center at zoom z, with tiles tileSize pixels a side.
func NewViewProjector(center orb.Point, z maptile.Zoom, width, height, tileSize int) Projector {
	ts := float64(tileSize)
	f := viewFraction(center, z)
	// Snap the corner to a whole pixel, so tiles drawn on the image stay
	// crisp.
	return Projector{z: z, tileSize: ts, world: float64(uint64(tileSize) << z),
		ox: math.Round(f[0]*ts - float64(width)/2), oy: math.Round(f[1]*ts - float64(height)/2),
		width: float64(width), height: float64(height)}
}

// Pixel returns where p falls on the image, in pixels; points off the
// image fall outside it.
func (pr Projector) Pixel(p orb.Point) (x, y float64) {
	x, y = Project(p, pr.world)
	return x - pr.ox, y - pr.oy
}

// Origin returns the image's top-left corner in pixels of the whole
// world (Project's coordinates).
func (pr Projector) Origin() (x, y float64) { return pr.ox, pr.oy }

// Bound returns the image's bound in lon/lat, grown by pad pixels on every
// side, so that a symbol centred just off the image still draws its part.
// Its latitudes stop at the world's edges; its longitudes run past ±180
// when the image does.
func (pr Projector) Bound(pad float64) orb.Bound {
	nw := unproject(pr.ox-pad, pr.oy-pad, pr.world)
	se := unproject(pr.ox+pr.width+pad, pr.oy+pr.height+pad, pr.world)
	return orb.Bound{Min: orb.Point{nw[0], se[1]}, Max: orb.Point{se[0], nw[1]}}
}

// Tiles returns the tiles under the image: its rows within the world, its
// columns as they fall, beyond the world's east or west edge when the
// image reaches past it (TileRange.All wraps them).
func (pr Projector) Tiles() TileRange {
	n := int64(1) << pr.z
	return TileRange{Z: pr.z,
		MinX: int64(math.Floor(pr.ox / pr.tileSize)),
		MaxX: int64(math.Floor((pr.ox + pr.width) / pr.tileSize)),
		MinY: max(int64(math.Floor(pr.oy/pr.tileSize)), 0),
		MaxY: min(int64(math.Floor((pr.oy+pr.height)/pr.tileSize)), n-1),
	}
}
