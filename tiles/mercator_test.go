package tiles

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/geo"
)

func TestProjectMatchesOrb(t *testing.T) {
	for _, p := range []orb.Point{{0, 0}, {42.441, 33.786}, {-179.9, 85}, {179.9, -85}, {-73.98, 40.75}, {151.2, -33.87}} {
		for _, z := range []maptile.Zoom{0, 5, 12, 22} {
			n := float64(uint64(1) << z)
			x, y := Project(p, n)
			f := maptile.Fraction(p, z)
			if math.Abs(x-f[0]) > 1e-9*n || math.Abs(y-f[1]) > 1e-9*n {
				t.Errorf("Project(%v) at z%d = %v, %v; maptile.Fraction %v", p, z, x, y, f)
			}
		}
	}
}

func TestProjectHoldsPolesAtTheEdge(t *testing.T) {
	const world = 256
	for _, c := range []struct {
		lat, wantY float64
	}{{90, 0}, {MaxLatitude, 0}, {-MaxLatitude, world}, {-90, world}} {
		if _, y := Project(orb.Point{0, c.lat}, world); math.Abs(y-c.wantY) > 1e-9 {
			t.Errorf("lat %v: y = %v, want %v", c.lat, y, c.wantY)
		}
	}
}

func TestUnprojectInvertsProject(t *testing.T) {
	const world = 1 << 20
	for _, p := range []orb.Point{{0, 0}, {42.441, 33.786}, {-179.5, 84.9}, {120, -60}} {
		x, y := Project(p, world)
		if q := unproject(x, y, world); math.Abs(q[0]-p[0]) > 1e-9 || math.Abs(q[1]-p[1]) > 1e-9 {
			t.Errorf("unproject(Project(%v)) = %v", p, q)
		}
	}
	if q := unproject(0, -10, world); q[1] != unproject(0, 0, world)[1] {
		t.Errorf("y above the world gives lat %v, want the world's edge", q[1])
	}
}

func TestProjectorPixelAndBound(t *testing.T) {
	tile := maptile.At(orb.Point{42.441, 33.786}, 8)
	pr := NewProjector(tile, 512)
	b := tile.Bound()
	if x, y := pr.Pixel(orb.Point{b.Min[0], b.Max[1]}); math.Abs(x) > 1e-6 || math.Abs(y) > 1e-6 {
		t.Errorf("north-west corner at %v, %v, want 0, 0", x, y)
	}
	if x, y := pr.Pixel(orb.Point{b.Max[0], b.Min[1]}); math.Abs(x-512) > 1e-6 || math.Abs(y-512) > 1e-6 {
		t.Errorf("south-east corner at %v, %v, want 512, 512", x, y)
	}
	if got := pr.Bound(0); !boundsNear(got, b, 1e-9) {
		t.Errorf("Bound(0) = %v, want the tile's %v", got, b)
	}
	if ox, oy := pr.Origin(); ox != float64(tile.X)*512 || oy != float64(tile.Y)*512 {
		t.Errorf("Origin() = %v, %v", ox, oy)
	}
}

func boundsNear(a, b orb.Bound, eps float64) bool {
	for i := range 2 {
		if math.Abs(a.Min[i]-b.Min[i]) > eps || math.Abs(a.Max[i]-b.Max[i]) > eps {
			return false
		}
	}
	return true
}

func TestProjectorTilesOfAViewWiderThanTheWorld(t *testing.T) {
	// z1 is 512 px wide; 1200 px centred on lon 0 run from x -344 to 856.
	r := NewViewProjector(orb.Point{0, 0}, 1, 1200, 300, TileSize).Tiles()
	if want := (TileRange{Z: 1, MinX: -2, MaxX: 3, MinY: 0, MaxY: 1}); r != want {
		t.Fatalf("Tiles() = %+v, want %+v", r, want)
	}
	var cols []int64
	var xs []uint32
	for col, tile := range r.All() {
		if tile.Y == 0 {
			cols, xs = append(cols, col), append(xs, tile.X)
		}
	}
	if want := []int64{-2, -1, 0, 1, 2, 3}; !equal(cols, want) {
		t.Errorf("columns %v, want %v", cols, want)
	}
	if want := []uint32{0, 1, 0, 1, 0, 1}; !equal(xs, want) {
		t.Errorf("tiles x %v, want %v (wrapped)", xs, want)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Clustering places a data set's incidents by the Mercator y the data set
// keeps (spotCell); it must be the very cell Project's pixel falls in, at
// every zoom, or tiles would depend on which way a point was projected.
func TestSpotCellIsCellOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	points := []orb.Point{{0, 0}, {-180, 90}, {180, -90}, {42.441, 33.786}, {-0.0000001, 85.0511287798066}, {179.9999999, -85.06}}
	for range 20_000 {
		points = append(points, orb.Point{rng.Float64()*360 - 180, rng.Float64()*180 - 90})
	}
	for z := maptile.Zoom(0); z <= MaxZoom; z++ {
		for _, p := range points {
			s := geo.Spot{Point: p, Y: geo.MercatorY(p[1])}
			gx, gy := spotCell(s, z)
			if wx, wy := cellOf(p, z); gx != wx || gy != wy {
				t.Fatalf("%v at zoom %d: spotCell %d,%d, cellOf %d,%d", p, z, gx, gy, wx, wy)
			}
		}
	}
}
