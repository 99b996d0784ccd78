package basemap

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/tiles"
)

// fixtureFiles are the basemap files package fixtures embeds.
var fixtureFiles = Embedded()

// loadFixtures loads the basemap package fixtures embeds.
func loadFixtures() (*Basemap, error) {
	return Load(fixtureFiles)
}

// Places the basemap tests look at.
var (
	baghdad      = orb.Point{44.366, 33.315}
	persianGulf  = orb.Point{50.5, 27.0}
	iraqSyria    = orb.Point{41.0, 34.5} // near Al Qa'im, on the border
	alAsadBase   = orb.Point{42.441, 33.786}
	loadBasemapT = sync.OnceValues(loadFixtures)
)

func testBasemap(t testing.TB) *Basemap {
	t.Helper()
	b, err := loadBasemapT()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return b
}

// renderImage renders tile t in lang (English if none) and decodes it.
func renderImage(t testing.TB, b *Basemap, tile maptile.Tile, scale int, lang ...Lang) image.Image {
	t.Helper()
	l := English
	if len(lang) > 0 {
		l = lang[0]
	}
	bs, err := b.Render(tile, scale, l)
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
	x, y := tiles.NewProjector(tile, tiles.TileSize*scale).Pixel(p)
	return color.NRGBAModel.Convert(im.At(int(x), int(y))).(color.NRGBA)
}

// nearest returns which basemap colour c is closest to; anti-aliased
// pixels of a thin line or a glyph are blends, never the exact colour.
func nearest(c color.NRGBA) string {
	best, bestD := "", math.MaxInt
	for _, p := range []struct {
		name string
		c    color.NRGBA
	}{{"sea", SeaColor}, {"land", LandColor}, {"border", BorderColor}, {"label", LabelColor}, {"halo", color.NRGBA{0xff, 0xff, 0xff, 0xff}}} {
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

func TestLoadRejectsBadData(t *testing.T) {
	with := func(change func(*Files)) Files {
		f := fixtureFiles
		change(&f)
		return f
	}
	for name, files := range map[string]Files{
		"not gzip":        with(func(f *Files) { f.Countries110m = []byte("IMBM") }),
		"50m missing":     with(func(f *Files) { f.Countries50m = nil }),
		"10m is empty":    with(func(f *Files) { f.Countries10m = mustEncode(t, &Data{Grid: Grid{KX: 1, KY: 1}})[:10] }),
		"places missing":  with(func(f *Files) { f.Places = nil }),
		"water is places": with(func(f *Files) { f.Water = fixtures.BasemapPlaces }),
		"country names out of order": with(func(f *Files) {
			f.CountryNamesAr = []byte("Syria\tسوريا\nIraq\tالعراق\n")
		}),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(files); err == nil {
				t.Error("Load succeeded")
			}
		})
	}
}

// BenchmarkLoadBasemap is the start-up cost: gunzip, decode, place names.
func BenchmarkLoadBasemap(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadFixtures(); err != nil {
			b.Fatal(err)
		}
	}
}
