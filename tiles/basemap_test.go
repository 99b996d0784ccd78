package tiles

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"

	"github.com/incidentmap/incidentmap/fixtures"
)

// Places the basemap tests look at.
var (
	baghdad      = orb.Point{44.366, 33.315}
	persianGulf  = orb.Point{50.5, 27.0}
	iraqSyria    = orb.Point{41.0, 34.5} // near Al Qa'im, on the border
	alAsadBase   = orb.Point{42.441, 33.786}
	loadBasemapT = sync.OnceValues(LoadBasemap)
)

func testBasemap(t testing.TB) *Basemap {
	t.Helper()
	b, err := loadBasemapT()
	if err != nil {
		t.Fatalf("LoadBasemap: %v", err)
	}
	return b
}

// renderImage renders tile t and decodes it.
func renderImage(t testing.TB, b *Basemap, tile maptile.Tile, scale int) image.Image {
	t.Helper()
	bs, err := b.Render(tile, scale)
	if err != nil {
		t.Fatalf("Render %v: %v", tile, err)
	}
	im, err := png.Decode(bytes.NewReader(bs))
	if err != nil {
		t.Fatalf("decode png of %v: %v", tile, err)
	}
	return im
}

// pixelAt returns the colour of the pixel under p on tile t.
func pixelAt(im image.Image, tile maptile.Tile, scale int, p orb.Point) color.NRGBA {
	x, y := NewProjector(tile, TileSize*scale).Pixel(p)
	return color.NRGBAModel.Convert(im.At(int(x), int(y))).(color.NRGBA)
}

// nearest returns which basemap colour c is closest to; anti-aliased
// pixels of a thin line or a glyph are blends, never the exact colour.
func nearest(c color.NRGBA) string {
	best, bestD := "", math.MaxInt
	for _, p := range []struct {
		name string
		c    color.NRGBA
	}{{"sea", BasemapSea}, {"land", BasemapLand}, {"border", BasemapBorder}, {"label", BasemapLabel}, {"halo", color.NRGBA{0xff, 0xff, 0xff, 0xff}}} {
		d := abs(int(c.R)-int(p.c.R)) + abs(int(c.G)-int(p.c.G)) + abs(int(c.B)-int(p.c.B))
		if d < bestD {
			best, bestD = p.name, d
		}
	}
	return best
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// countNearest counts the pixels of im within r whose nearest colour is want.
func countNearest(im image.Image, r image.Rectangle, want string) int {
	n := 0
	r = r.Intersect(im.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if nearest(color.NRGBAModel.Convert(im.At(x, y)).(color.NRGBA)) == want {
				n++
			}
		}
	}
	return n
}

func TestBasemapLandAndSea(t *testing.T) {
	b := testBasemap(t)
	for _, c := range []struct {
		name string
		at   orb.Point
		want color.NRGBA
	}{
		// Baghdad sits just above the x-height of the label "Iraq".
		{"Baghdad is land", baghdad, BasemapLand},
		{"Persian Gulf is sea", persianGulf, BasemapSea},
	} {
		t.Run(c.name, func(t *testing.T) {
			tile := maptile.At(c.at, 4)
			if got := pixelAt(renderImage(t, b, tile, 1), tile, 1, c.at); got != c.want {
				t.Errorf("pixel at %v on %v is %v, want %v", c.at, tile, got, c.want)
			}
		})
	}
}

func TestBasemapBorderIraqSyria(t *testing.T) {
	b := testBasemap(t)
	for _, z := range []maptile.Zoom{6, 8} {
		tile := maptile.At(iraqSyria, z)
		im := renderImage(t, b, tile, 1)
		x, y := NewProjector(tile, TileSize).Pixel(iraqSyria)
		near := image.Rect(int(x)-12, int(y)-12, int(x)+13, int(y)+13)
		if n := countNearest(im, near, "border"); n == 0 {
			t.Errorf("z%d: no border pixel within 12 px of %v", z, iraqSyria)
		}
	}
}

// TestBasemapAntimeridian checks the rings that step across lon ±180
// (Fiji, Chukotka) do not draw as bands across the world.
func TestBasemapAntimeridian(t *testing.T) {
	b := testBasemap(t)
	for _, c := range []struct {
		name string
		at   orb.Point
		sea  bool
	}{
		{"Denmark Strait", orb.Point{-30, 65}, true},
		{"Pacific at Fiji's latitude", orb.Point{-140, -16.5}, true},
		{"Siberia", orb.Point{100, 64}, false},
		{"Canada", orb.Point{-100, 64}, false},
	} {
		for _, z := range []maptile.Zoom{1, 3, 6} {
			tile := maptile.At(c.at, z)
			got := pixelAt(renderImage(t, b, tile, 1), tile, 1, c.at)
			if (got == BasemapSea) != c.sea {
				t.Errorf("%s z%d: pixel is %v, want sea: %v", c.name, z, got, c.sea)
			}
		}
	}
}

func TestBasemapLabels(t *testing.T) {
	b := testBasemap(t)
	for _, c := range []struct {
		z    maptile.Zoom
		want bool
	}{{2, false}, {3, true}, {6, true}, {7, false}} {
		// the labels' tile is Iraq's at z3 and z6; Iraq's middle at z2 and z7
		at := baghdad
		if c.z == 6 {
			at = orb.Point{43.7, 33.0}
		}
		tile := maptile.At(at, c.z)
		n := countNearest(renderImage(t, b, tile, 1), image.Rect(0, 0, TileSize, TileSize), "label")
		if got := n > 0; got != c.want {
			t.Errorf("z%d: %d label pixels on %v, want labels: %v", c.z, n, tile, c.want)
		}
	}
}

// TestBasemapLabelAcrossTileEdge finds a name that a tile edge cuts at
// zoom 4 and checks that both tiles draw their half next to the edge.
func TestBasemapLabelAcrossTileEdge(t *testing.T) {
	b := testBasemap(t)
	const z = 4
	for _, l := range b.labels[z-basemapLabelMinZoom] {
		left, right := l.x-l.w/2, l.x+l.w/2
		edge := math.Floor(right/TileSize) * TileSize
		if edge-left < 5 || right-edge < 5 || l.y < TileSize || l.y > TileSize*15 {
			continue // not cut, or too little of it on one side
		}
		tx, ty := uint32(edge/TileSize), uint32(l.y/TileSize)
		if math.Floor((l.y-l.h/2)/TileSize) != math.Floor((l.y+l.h/2)/TileSize) {
			continue // cut along y as well
		}
		rows := image.Rect(0, int(l.y)-int(ty)*TileSize-8, TileSize, int(l.y)-int(ty)*TileSize+8)
		west := renderImage(t, b, maptile.New(tx-1, ty, z), 1)
		east := renderImage(t, b, maptile.New(tx, ty, z), 1)
		nw := countNearest(west, rows.Intersect(image.Rect(TileSize-4, 0, TileSize, TileSize)), "label")
		ne := countNearest(east, rows.Intersect(image.Rect(0, 0, 4, TileSize)), "label")
		if nw == 0 || ne == 0 {
			t.Errorf("%q cut at x=%v: %d label pixels west of the edge, %d east", l.name, edge, nw, ne)
		}
		return
	}
	t.Fatal("no label at zoom 4 is cut by a tile edge")
}

func TestBasemapDeterministic(t *testing.T) {
	other, err := LoadBasemap()
	if err != nil {
		t.Fatalf("LoadBasemap: %v", err)
	}
	b := testBasemap(t)
	for _, z := range []maptile.Zoom{3, 5, 9} {
		tile := maptile.At(alAsadBase, z)
		first, err := b.Render(tile, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, bm := range []*Basemap{b, other} {
			again, err := bm.Render(tile, 2)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, again) {
				t.Errorf("z%d: two renders differ", z)
			}
		}
	}
}

func TestBasemapEveryZoomAtAlAsad(t *testing.T) {
	b := testBasemap(t)
	for z := maptile.Zoom(0); z <= 10; z++ {
		for _, scale := range []int{1, 2} {
			tile := maptile.At(alAsadBase, z)
			im := renderImage(t, b, tile, scale)
			if got, want := im.Bounds(), image.Rect(0, 0, TileSize*scale, TileSize*scale); got != want {
				t.Errorf("z%d scale %d: bounds %v, want %v", z, scale, got, want)
			}
			// Al Asad is inland: land, never a blank or sea tile
			if got := pixelAt(im, tile, scale, alAsadBase); nearest(got) != "land" && nearest(got) != "label" && nearest(got) != "halo" {
				t.Errorf("z%d scale %d: pixel at Al Asad is %v", z, scale, got)
			}
		}
	}
}

func TestBasemapRenderRejects(t *testing.T) {
	b := testBasemap(t)
	for _, c := range []struct {
		name  string
		tile  maptile.Tile
		scale int
		want  string
	}{
		{"x off the world", maptile.New(4, 0, 2), 1, "x 4"},
		{"zoom too deep", maptile.New(0, 0, MaxZoom+1), 1, "maximum zoom"},
		{"scale 3", maptile.New(0, 0, 0), 3, "scale 3"},
		{"scale 0", maptile.New(0, 0, 0), 0, "scale 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.Render(c.tile, c.scale)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one naming %q", err, c.want)
			}
		})
	}
}

// TestBasemapConcurrent renders tiles from many goroutines (run with
// -race) and checks they match tiles rendered one at a time.
func TestBasemapConcurrent(t *testing.T) {
	b := testBasemap(t)
	var tiles []maptile.Tile
	for z := maptile.Zoom(3); z <= 10; z++ {
		c := maptile.At(alAsadBase, z)
		tiles = append(tiles, c, maptile.New(c.X+1, c.Y, z), maptile.New(c.X, c.Y+1, z))
	}
	want := make([][]byte, len(tiles))
	for i, tile := range tiles {
		var err error
		if want[i], err = b.Render(tile, 1); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		for i, tile := range tiles {
			wg.Go(func() {
				got, err := b.Render(tile, 1)
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(got, want[i]) {
					t.Errorf("%v: a concurrent render differs", tile)
				}
			})
		}
	}
	wg.Wait()
}

func TestBasemapScaleFor(t *testing.T) {
	b := testBasemap(t)
	cropped := *b
	s10 := *b.scales[2]
	s10.coverage = orb.Bound{Min: orb.Point{15, 0}, Max: orb.Point{75, 55}}
	cropped.scales[2] = &s10
	paris := orb.Point{2.35, 48.86}
	for _, c := range []struct {
		name string
		z    maptile.Zoom
		at   orb.Point
		want int
	}{
		{"z2 is 110m", 2, alAsadBase, 0},
		{"z3 is 50m", 3, alAsadBase, 1},
		{"z4 is 50m", 4, alAsadBase, 1},
		{"z5 inside the crop is 10m", 5, alAsadBase, 2},
		{"z10 inside the crop is 10m", 10, alAsadBase, 2},
		{"z8 outside the crop is 50m", 8, paris, 1},
		{"z4 straddling the crop is 50m", 5, orb.Point{16, 30}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			tile := maptile.At(c.at, c.z)
			if got := cropped.scaleFor(c.z, NewProjector(tile, TileSize).Bound(4)); got != cropped.scales[c.want] {
				t.Errorf("scaleFor(z%d, %v) is not scale %d", c.z, c.at, c.want)
			}
		})
	}
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
	raw, err := gunzipBasemap(fixtures.Basemap50m)
	if err != nil {
		t.Fatal(err)
	}
	d, err := decodeBasemap(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.countries {
		for _, p := range c.polys {
			if lp := polygonLabelPoint(p.poly); !planar.PolygonContains(p.poly, lp) {
				t.Errorf("%s: label point %v is outside its polygon", c.name, lp)
			}
		}
	}
}

// basemapBytes builds the compact form for tests: one country of the
// given rings (lon/lat on a 1e-4 degree grid) and the given borders.
func basemapBytes(name string, rings [][]orb.Point, borders [][]orb.Point) []byte {
	buf := []byte("IMBM\x01")
	for _, f := range []float64{-180, -90, 180, 90, 1e-4, 1e-4, 0, 0} {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(f))
	}
	var x, y int64
	points := func(ps []orb.Point) {
		buf = binary.AppendUvarint(buf, uint64(len(ps)))
		for _, p := range ps {
			qx, qy := int64(math.Round(p[0]*1e4)), int64(math.Round(p[1]*1e4))
			buf = binary.AppendVarint(buf, qx-x)
			buf = binary.AppendVarint(buf, qy-y)
			x, y = qx, qy
		}
	}
	buf = binary.AppendUvarint(buf, 1)
	buf = binary.AppendUvarint(buf, uint64(len(name)))
	buf = append(buf, name...)
	buf = binary.AppendUvarint(buf, 1)
	buf = binary.AppendUvarint(buf, uint64(len(rings)))
	for _, r := range rings {
		points(r)
	}
	buf = binary.AppendUvarint(buf, uint64(len(borders)))
	for _, l := range borders {
		points(l)
	}
	return buf
}

var square = []orb.Point{{40, 30}, {45, 30}, {45, 35}, {40, 35}}

func TestDecodeBasemap(t *testing.T) {
	valid := basemapBytes("Squareland", [][]orb.Point{square}, [][]orb.Point{{{40, 30}, {40, 35}}})
	d, err := decodeBasemap(valid)
	if err != nil {
		t.Fatalf("valid data: %v", err)
	}
	if len(d.countries) != 1 || d.countries[0].name != "Squareland" {
		t.Fatalf("countries = %+v", d.countries)
	}
	p := d.countries[0].polys[0]
	if ring := p.poly[0]; len(ring) != 5 || ring[0] != ring[4] || ring[2] != (orb.Point{45, 35}) {
		t.Errorf("ring = %v, want the square closed", ring)
	}
	if want := (orb.Bound{Min: orb.Point{40, 30}, Max: orb.Point{45, 35}}); p.bound != want {
		t.Errorf("bound = %v, want %v", p.bound, want)
	}
	if len(d.borders) != 1 || d.borders[0].line[1] != (orb.Point{40, 35}) || d.borders[0].bound.Max != (orb.Point{40, 35}) {
		t.Errorf("borders = %v", d.borders)
	}

	nan := bytes.Clone(valid)
	binary.LittleEndian.PutUint64(nan[5+8*4:], math.Float64bits(math.NaN()))
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not basemap data"},
		{"bad magic", append([]byte("IMBX"), valid[4:]...), "not basemap data"},
		{"version 2", append([]byte("IMBM\x02"), valid[5:]...), "version 2"},
		{"NaN grid", nan, "NaN"},
		{"truncated", valid[:len(valid)-3], ""},
		{"trailing bytes", append(bytes.Clone(valid), 0), "after the borders"},
		{"ring of 2 points", basemapBytes("A", [][]orb.Point{square[:2]}, nil), "at least 3"},
		{"border of 1 point", basemapBytes("A", [][]orb.Point{square}, [][]orb.Point{{{1, 1}}}), "at least 2"},
		{"name not UTF-8", basemapBytes("\xff", [][]orb.Point{square}, nil), "UTF-8"},
		{"off the world", basemapBytes("A", [][]orb.Point{{{40, 30}, {200, 30}, {40, 35}}}, nil), "off the world"},
		{"no rings", basemapBytes("A", nil, nil), "no rings"},
		{"huge count", append(valid[:69:69], 0xff, 0xff, 0xff, 0xff, 0x0f), "more than the data holds"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeBasemap(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

// FuzzDecodeBasemap checks that no input makes the decoder panic or
// return shapes the renderer cannot draw.
func FuzzDecodeBasemap(f *testing.F) {
	f.Add(basemapBytes("Squareland", [][]orb.Point{square}, [][]orb.Point{{{40, 30}, {40, 35}}}))
	f.Add(basemapBytes("Holes", [][]orb.Point{square, {{41, 31}, {41, 32}, {42, 32}}}, nil))
	f.Add([]byte("IMBM\x01"))
	if raw, err := gunzipBasemap(fixtures.Basemap110m); err == nil {
		f.Add(raw[:2000])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeBasemap(data)
		if err != nil {
			return
		}
		onWorld := func(p orb.Point) bool {
			return p[0] >= -181 && p[0] <= 181 && p[1] >= -91 && p[1] <= 91
		}
		for _, c := range d.countries {
			for _, p := range c.polys {
				if len(p.poly) == 0 {
					t.Fatalf("%q: polygon without rings", c.name)
				}
				if p.bound != p.poly[0].Bound() {
					t.Fatalf("%q: bound %v, want %v", c.name, p.bound, p.poly[0].Bound())
				}
				for _, r := range p.poly {
					if len(r) < 4 || r[0] != r[len(r)-1] {
						t.Fatalf("%q: ring %v is not closed or too short", c.name, r)
					}
					for _, q := range r {
						if !onWorld(q) {
							t.Fatalf("%q: point %v off the world", c.name, q)
						}
					}
				}
			}
		}
		for _, l := range d.borders {
			if len(l.line) < 2 || l.bound != l.line.Bound() {
				t.Fatalf("border %v is too short or its bound %v is wrong", l.line, l.bound)
			}
		}
	})
}

// BenchmarkBasemap renders the tile holding Al Asad at z4 (50m and
// names), z8 and z10 (10m, clipped).
func BenchmarkBasemap(b *testing.B) {
	bm := testBasemap(b)
	for _, z := range []maptile.Zoom{4, 8, 10} {
		tile := maptile.At(alAsadBase, z)
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bm.Render(tile, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadBasemap is the start-up cost: gunzip, decode, place names.
func BenchmarkLoadBasemap(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadBasemap(); err != nil {
			b.Fatal(err)
		}
	}
}
