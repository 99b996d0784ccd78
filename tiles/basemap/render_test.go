package basemap

import (
	"bytes"
	"image"
	"image/color"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"

	"github.com/incidentmap/incidentmap/tiles"
)

func TestLandColorAndSea(t *testing.T) {
	b := testBasemap(t)
	for _, c := range []struct {
		name string
		at   orb.Point
		want color.NRGBA
	}{
		// the desert west of Baghdad: no town, river or name at z4
		{"the Iraqi desert is land", orb.Point{41.0, 32.0}, LandColor},
		{"Persian Gulf is sea", persianGulf, SeaColor},
	} {
		t.Run(c.name, func(t *testing.T) {
			tile := maptile.At(c.at, 4)
			if got := pixelAt(renderImage(t, b, tile, 1), tile, 1, c.at); got != c.want {
				t.Errorf("pixel at %v on %v is %v, want %v", c.at, tile, got, c.want)
			}
		})
	}
}

func TestBorderColorIraqSyria(t *testing.T) {
	b := testBasemap(t)
	for _, z := range []maptile.Zoom{6, 8} {
		tile := maptile.At(iraqSyria, z)
		im := renderImage(t, b, tile, 1)
		x, y := tiles.NewProjector(tile, tiles.TileSize).Pixel(iraqSyria)
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
			if (got == SeaColor) != c.sea {
				t.Errorf("%s z%d: pixel is %v, want sea: %v", c.name, z, got, c.sea)
			}
		}
	}
}

func TestBasemapDeterministic(t *testing.T) {
	other, err := loadFixtures()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	b := testBasemap(t)
	for _, lang := range []Lang{English, Arabic} {
		for _, at := range []struct {
			p orb.Point
			z maptile.Zoom
		}{{alAsadBase, 3}, {alAsadBase, 5}, {alAsadBase, 9}, {baghdad, 7}, {ramadi, 9}} {
			tile := maptile.At(at.p, at.z)
			first, err := b.Render(tile, 2, lang)
			if err != nil {
				t.Fatal(err)
			}
			for _, bm := range []*Basemap{b, other} {
				again, err := bm.Render(tile, 2, lang)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(first, again) {
					t.Errorf("lang %d, %v: two renders differ", lang, tile)
				}
			}
		}
	}
	if _, err := b.Render(maptile.At(baghdad, 7), 1, Lang(2)); err == nil {
		t.Error("Render in an unknown language succeeded")
	}
}

func TestBasemapEveryZoomAtAlAsad(t *testing.T) {
	b := testBasemap(t)
	for z := maptile.Zoom(0); z <= 10; z++ {
		for _, scale := range []int{1, 2} {
			tile := maptile.At(alAsadBase, z)
			im := renderImage(t, b, tile, scale)
			if got, want := im.Bounds(), image.Rect(0, 0, tiles.TileSize*scale, tiles.TileSize*scale); got != want {
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
		{"zoom too deep", maptile.New(0, 0, tiles.MaxZoom+1), 1, "maximum zoom"},
		{"scale 3", maptile.New(0, 0, 0), 3, "scale 3"},
		{"scale 0", maptile.New(0, 0, 0), 0, "scale 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.Render(c.tile, c.scale, English)
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
	// each tile in English, then in Arabic
	n := len(tiles)
	want := make([][]byte, 2*n)
	for i := range want {
		var err error
		if want[i], err = b.Render(tiles[i%n], 1, Lang(i/n)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		for i := range want {
			tile := tiles[i%n]
			wg.Go(func() {
				got, err := b.Render(tile, 1, Lang(i/n))
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
			if got := cropped.scaleFor(c.z, tiles.NewProjector(tile, tiles.TileSize).Bound(4)); got != cropped.scales[c.want] {
				t.Errorf("scaleFor(z%d, %v) is not scale %d", c.z, c.at, c.want)
			}
		})
	}
}

// BenchmarkBasemap renders tiles cold (the basemap caches no tile): the
// tile holding Al Asad at z4 (50m and names), z8 and z10 (10m, clipped),
// and the one holding Baghdad at z7, z8 and z10, the busiest with towns,
// rivers and lakes; in English, and with "-ar" in Arabic (names shaped at
// load, drawn from their outlines on every render).
func BenchmarkBasemap(b *testing.B) {
	bm := testBasemap(b)
	for _, c := range []struct {
		name string
		at   orb.Point
		z    maptile.Zoom
	}{
		{"z4", alAsadBase, 4}, {"z8", alAsadBase, 8}, {"z10", alAsadBase, 10},
		{"baghdad-z7", baghdad, 7}, {"baghdad-z8", baghdad, 8}, {"baghdad-z10", baghdad, 10},
	} {
		tile := maptile.At(c.at, c.z)
		for _, l := range []struct {
			suffix string
			lang   Lang
		}{{"", English}, {"-ar", Arabic}} {
			b.Run(c.name+l.suffix, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := bm.Render(tile, 1, l.lang); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestWaterColors checks water is drawn: Lake Tharthar is water from z5,
// and the Euphrates' own points are river-coloured at z9.
func TestWaterColors(t *testing.T) {
	b := testBasemap(t)
	tharthar := orb.Point{43.35, 33.95}
	for _, z := range []maptile.Zoom{5, 7, 10} {
		tile := maptile.At(tharthar, z)
		if got := pixelAt(renderImage(t, b, tile, 1), tile, 1, tharthar); got != WaterColor {
			t.Errorf("z%d: Lake Tharthar is %v, want %v", z, got, WaterColor)
		}
	}
	if tile := maptile.At(tharthar, 4); pixelAt(renderImage(t, b, tile, 1), tile, 1, tharthar) != LandColor {
		t.Error("z4: Lake Tharthar is drawn; lakes start at z5")
	}
	var euphrates *boundedRiver
	for i := range b.rivers {
		if b.rivers[i].name == "Euphrates" {
			euphrates = &b.rivers[i]
		}
	}
	if euphrates == nil {
		t.Fatal("no Euphrates")
	}
	// every tenth point of the Euphrates within 30 km of Hīt
	hit := orb.Point{42.83, 33.64}
	isNear := func(c, want color.NRGBA) bool {
		return abs(int(c.R)-int(want.R))+abs(int(c.G)-int(want.G))+abs(int(c.B)-int(want.B)) < 40
	}
	n, wet := 0, 0
	for _, l := range euphrates.lines {
		for i, p := range l.line {
			if i%10 != 0 || planar.Distance(p, hit) > 0.3 {
				continue
			}
			tile := maptile.At(p, 9)
			c := pixelAt(renderImage(t, b, tile, 1), tile, 1, p)
			n++
			if isNear(c, RiverColor) || isNear(c, WaterColor) {
				wet++
			}
		}
	}
	// a name may sit on the river here and there
	if n == 0 || wet < n*8/10 {
		t.Errorf("z9: %d of %d points of the Euphrates near Hīt are water-coloured", wet, n)
	}
}
