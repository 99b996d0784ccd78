package basemap

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/tiles"
)

// ramadi is where GeoNames puts Ramadi.
var ramadi = orb.Point{43.30, 33.42}

// TestArabicNamesOverAnbar checks the Arabic map names in Arabic the
// towns and rivers of Anbar and Baghdad whose Arabic names the data
// keeps, at z7 (Baghdad's tile) and z9 (Ramadi's).
func TestArabicNamesOverAnbar(t *testing.T) {
	b := testBasemap(t)
	for _, c := range []struct {
		tile maptile.Tile
		want []string // Arabic names drawn
	}{
		{maptile.At(baghdad, 7), []string{"بغداد", "الفلوجة", "الرمادي"}},
		{maptile.At(ramadi, 9), []string{"الرمادي", "الفرات"}},
	} {
		drawn := map[string]bool{}
		for _, n := range b.Names(c.tile, Arabic) {
			if n.Arabic {
				drawn[n.NameAr] = true
				if !n.Labelled || n.NameAr == "" {
					t.Errorf("%v: %+v is drawn in Arabic, unlabelled or with no Arabic name", c.tile, n)
				}
			}
		}
		for _, w := range c.want {
			if !drawn[w] {
				t.Errorf("%v: %s not drawn in Arabic; drawn: %v", c.tile, w, drawn)
			}
		}
		for _, n := range b.Names(c.tile, English) {
			if n.Arabic {
				t.Errorf("%v: the English map draws %+v in Arabic", c.tile, n)
			}
		}
	}
}

// TestArabicTileDiffersInLabelsOnly renders the tiles over Baghdad at
// z5 (country names) and z7 (Baghdad and Ramadi) in both languages: the
// two differ, only where one of them puts a name, and the Arabic one
// inks a name (Iraq's at z5, Baghdad's at z7) in the label colour where
// its label was placed.
func TestArabicTileDiffersInLabelsOnly(t *testing.T) {
	for _, c := range []struct {
		z    int
		name string
	}{{5, "Iraq"}, {7, "Baghdad"}} {
		t.Run(fmt.Sprintf("z%d", c.z), func(t *testing.T) { testArabicTileDiffersInLabelsOnly(t, c.z, c.name) })
	}
}

func testArabicTileDiffersInLabelsOnly(t *testing.T, z int, name string) {
	b := testBasemap(t)
	tile := maptile.At(baghdad, maptile.Zoom(z))
	for _, scale := range []int{1, 2} {
		en, ar := renderImage(t, b, tile, scale, English), renderImage(t, b, tile, scale, Arabic)
		s := float64(scale)
		ox, oy := tiles.NewProjector(tile, tiles.TileSize*scale).Origin()
		// the names' boxes on this tile, in either language, a pixel wider
		// for the halo's blend
		var boxes []image.Rectangle
		toTile := func(bd orb.Bound) image.Rectangle {
			return image.Rect(int(math.Floor(bd.Min[0]*s-ox))-scale, int(math.Floor(bd.Min[1]*s-oy))-scale,
				int(math.Ceil(bd.Max[0]*s-ox))+scale+1, int(math.Ceil(bd.Max[1]*s-oy))+scale+1)
		}
		var named image.Rectangle // name's Arabic label
		if z <= labelMaxZoom {
			for _, ls := range [][]label{b.labels[z-labelMinZoom], b.arabic().labels[z-labelMinZoom]} {
				for _, l := range ls {
					boxes = append(boxes, toTile(l.box().Pad(2))) // the ink's two pixels (TestArabicCountryInkInsideBoxes)
				}
			}
			for _, l := range b.arabic().labels[z-labelMinZoom] {
				if l.name == name {
					named = toTile(l.box())
				}
			}
		}
		for _, ls := range [][]placeLabel{b.placeLabels[z-placeMinZoom], b.arabic().placeLabels[z-placeMinZoom]} {
			for _, l := range ls {
				boxes = append(boxes, toTile(l.box))
			}
		}
		for _, l := range b.arabic().placeLabels[z-placeMinZoom] {
			if b.places[l.place].Name == name {
				named = toTile(l.text)
			}
		}
		if z >= riverMinLabelZoom {
			for _, ls := range [][]riverLabel{b.riverLabels[z-riverMinLabelZoom], b.arabic().riverLabels[z-riverMinLabelZoom]} {
				for _, l := range ls {
					boxes = append(boxes, toTile(l.box))
				}
			}
		}
		inBox := func(x, y int) bool {
			for _, r := range boxes {
				if (image.Point{x, y}).In(r) {
					return true
				}
			}
			return false
		}
		differ, outside := 0, 0
		for y := 0; y < tiles.TileSize*scale; y++ {
			for x := 0; x < tiles.TileSize*scale; x++ {
				if en.At(x, y) != ar.At(x, y) {
					differ++
					if !inBox(x, y) {
						outside++
					}
				}
			}
		}
		if differ < 200*scale*scale {
			t.Errorf("scale %d: %d pixels differ between English and Arabic, want the names' strokes", scale, differ)
		}
		if outside > 0 {
			t.Errorf("scale %d: %d pixels differ outside every name's box", scale, outside)
		}
		if named.Empty() {
			t.Fatalf("scale %d: %s is not named on the Arabic map", scale, name)
		}
		if n := countNearest(ar, named, "label"); n < 30*scale*scale {
			t.Errorf("scale %d: %d label-coloured pixels in %s's Arabic label %v", scale, n, name, named)
		}
	}
}

// TestArabicPlacedWithArabicWidths checks Arabic names are placed with
// their own widths: the same place's box differs between the languages.
func TestArabicPlacedWithArabicWidths(t *testing.T) {
	b := testBasemap(t)
	z := 9
	widths := func(ls []placeLabel) map[int]float64 {
		m := map[int]float64{}
		for _, l := range ls {
			m[l.place] = l.text.Max[0] - l.text.Min[0]
		}
		return m
	}
	en, ar := widths(b.placeLabels[z-placeMinZoom]), widths(b.arabic().placeLabels[z-placeMinZoom])
	same, differ := 0, 0
	for i, w := range ar {
		if enW, ok := en[i]; ok {
			if b.arabic().places[i].Empty() && math.Abs(enW-w) > 1e-9 {
				t.Errorf("z%d: %s has no Arabic name, yet its box is %.1f wide, %.1f in English", z, b.places[i].Name, w, enW)
			}
			if !b.arabic().places[i].Empty() {
				if math.Abs(enW-w) < 1e-9 {
					same++
				} else {
					differ++
				}
			}
		}
	}
	if differ < 10 || same > differ/10 {
		t.Errorf("z%d: of the towns named in Arabic and English, %d boxes differ in width and %d do not", z, differ, same)
	}
}

// TestArabicInkInsideBoxes checks every Arabic name's ink, at every
// zoom, lies inside the box it was placed with, so that boxes which do
// not overlap mean names which do not touch.
func TestArabicInkInsideBoxes(t *testing.T) {
	b := testBasemap(t)
	for z := placeMinZoom; z <= placeMaxZoom; z++ {
		for _, l := range b.arabic().placeLabels[z-placeMinZoom] {
			text := b.arabic().places[l.place]
			if text.Empty() {
				continue
			}
			size := float64(townSize)
			if l.major {
				size = majorSize
			}
			m := text.Mask(size * arabicScale)
			// the pixels the name inks, placed at tx, ty (drawn at the
			// whole pixel nearest, which the box's labelGap of room allows)
			ink := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
			for y := range m.Alpha.Rect.Dy() {
				for x := range m.Alpha.Rect.Dx() {
					if m.Alpha.AlphaAt(x, y).A > 0 {
						px, py := l.tx+float64(x-m.Origin.X), l.ty+float64(y-m.Origin.Y)
						ink = ink.Extend(orb.Point{px, py}).Extend(orb.Point{px + 1, py + 1})
					}
				}
			}
			if ink.Union(l.text) != l.text {
				t.Errorf("z%d %s: ink %v reaches beyond its box %v", z, b.places[l.place].NameAr, ink, l.text)
			}
		}
	}
}

// TestArabicCountryNames checks the Arabic map names countries in Arabic
// where the data has their Arabic name, from z3 to z6, and the English
// map in English.
func TestArabicCountryNames(t *testing.T) {
	b := testBasemap(t)
	tile := maptile.At(baghdad, 5)
	for _, c := range []struct {
		lang   Lang
		arabic bool
	}{{Arabic, true}, {English, false}} {
		found := false
		for _, n := range b.Names(tile, c.lang) {
			if n.Kind == "country" && n.Name == "Iraq" {
				found = true
				if n.NameAr != "العراق" || n.Arabic != c.arabic || !n.Labelled {
					t.Errorf("lang %d: %+v, want Iraq labelled, العراق, drawn in Arabic %v", c.lang, n, c.arabic)
				}
			}
		}
		if !found {
			t.Errorf("lang %d: %v does not name Iraq: %+v", c.lang, tile, b.Names(tile, c.lang))
		}
	}
	// The tile draws Iraq's Arabic name where it was placed: every pixel
	// its glyphs cover whole is in the label colour.
	const z = 5
	for _, scale := range []int{1, 2} {
		im := renderImage(t, b, tile, scale, Arabic)
		s := float64(scale)
		ox, oy := tiles.NewProjector(tile, tiles.TileSize*scale).Origin()
		for _, l := range b.arabic().labels[z-labelMinZoom] {
			c, ok := b.arabic().countries[l.name]
			if l.name != "Iraq" || !ok {
				continue
			}
			size := countrySize(z) * s
			m := c.text.Mask(size)
			x := int(math.Round(l.x*s-c.text.Width(size)/2) - ox)
			y := int(math.Round(l.y*s+c.baseline(size)) - oy)
			covered, inked := 0, 0
			for py := range m.Alpha.Rect.Dy() {
				for px := range m.Alpha.Rect.Dx() {
					at := image.Point{x + px - m.Origin.X, y + py - m.Origin.Y}
					if m.Alpha.AlphaAt(px, py).A == 0xff && at.In(im.Bounds()) {
						covered++
						if nearest(color.NRGBAModel.Convert(im.At(at.X, at.Y)).(color.NRGBA)) == "label" {
							inked++
						}
					}
				}
			}
			if covered < 10*scale*scale || inked < covered {
				t.Errorf("scale %d: of the %d pixels العراق covers whole, %d in the label colour", scale, covered, inked)
			}
		}
	}
	for z := labelMinZoom; z <= labelMaxZoom; z++ {
		inArabic := 0
		for _, l := range b.arabic().labels[z-labelMinZoom] {
			if _, ok := b.arabic().countries[l.name]; ok {
				inArabic++
			}
		}
		if n := len(b.arabic().labels[z-labelMinZoom]); inArabic < n*9/10 {
			t.Errorf("z%d: %d of %d country names in Arabic", z, inArabic, n)
		}
	}
}

// TestArabicCountryInkInsideBoxes checks every country's Arabic name, at
// every zoom, inks only inside the box it was placed with, give or take
// two pixels (the whole pixel it is drawn at, and its edges' partial
// pixels): names are placed 6 pixels apart (placeLabels), so boxes that
// do not overlap mean names that do not touch.
func TestArabicCountryInkInsideBoxes(t *testing.T) {
	b := testBasemap(t)
	for z := labelMinZoom; z <= labelMaxZoom; z++ {
		for _, l := range b.arabic().labels[z-labelMinZoom] {
			c, ok := b.arabic().countries[l.name]
			if !ok {
				continue
			}
			size := countrySize(z)
			m := c.text.Mask(size)
			x := math.Round(l.x - c.text.Width(size)/2)
			y := math.Round(l.y + c.baseline(size))
			ink := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
			for py := range m.Alpha.Rect.Dy() {
				for px := range m.Alpha.Rect.Dx() {
					if m.Alpha.AlphaAt(px, py).A > 0 {
						ix, iy := x+float64(px-m.Origin.X), y+float64(py-m.Origin.Y)
						ink = ink.Extend(orb.Point{ix, iy}).Extend(orb.Point{ix + 1, iy + 1})
					}
				}
			}
			box := l.box().Pad(2)
			if ink.Union(box) != box {
				t.Errorf("z%d %s: ink %v reaches beyond its box %v", z, l.name, ink, l.box())
			}
		}
	}
}
