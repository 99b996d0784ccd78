package basemap

import (
	"image"
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

// TestArabicTileDiffersInLabelsOnly renders the z7 tile over Baghdad and
// Ramadi in both languages: the two differ, only where one of them puts
// a name, and the Arabic one inks Baghdad's name in the label colour
// where its label was placed.
func TestArabicTileDiffersInLabelsOnly(t *testing.T) {
	b := testBasemap(t)
	const z = 7
	tile := maptile.At(baghdad, z)
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
		var baghdadBox image.Rectangle
		for _, ls := range [][]placeLabel{b.placeLabels[z-placeMinZoom], b.arabic().placeLabels[z-placeMinZoom]} {
			for _, l := range ls {
				boxes = append(boxes, toTile(l.box))
			}
		}
		for _, l := range b.arabic().placeLabels[z-placeMinZoom] {
			if b.places[l.place].Name == "Baghdad" {
				baghdadBox = toTile(l.text)
			}
		}
		for _, ls := range [][]riverLabel{b.riverLabels[z-riverMinLabelZoom], b.arabic().riverLabels[z-riverMinLabelZoom]} {
			for _, l := range ls {
				boxes = append(boxes, toTile(l.box))
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
		if baghdadBox.Empty() {
			t.Fatalf("scale %d: Baghdad is not named on the Arabic map", scale)
		}
		if n := countNearest(ar, baghdadBox, "label"); n < 30*scale*scale {
			t.Errorf("scale %d: %d label-coloured pixels in Baghdad's Arabic label %v", scale, n, baghdadBox)
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
