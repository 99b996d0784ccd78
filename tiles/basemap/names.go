package basemap

import (
	"image"
	"math"

	"github.com/golang/freetype/truetype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/math/f64"
	"golang.org/x/image/math/fixed"

	"github.com/incidentmap/incidentmap/tiles"
)

// nameFaces are the pools of the faces names are drawn with, at scale 1
// and 2: towns, major cities, rivers.
type nameFaces struct {
	town, major, river [2]*tiles.FacePool
}

func newNameFaces(fonts placeFonts) nameFaces {
	var n nameFaces
	pool := func(f *truetype.Font, size float64) *tiles.FacePool {
		return tiles.NewFacePool(f, truetype.Options{Size: size, Hinting: font.HintingNone, GlyphCacheEntries: 512})
	}
	for i, s := range []float64{1, 2} {
		n.town[i] = pool(fonts.regular, townSize*s)
		n.major[i] = pool(fonts.bold, majorSize*s)
		n.river[i] = pool(fonts.italic, riverSize*s)
	}
	return n
}

// visible reports whether box, in global pixels at scale 1, reaches the
// tile whose top-left corner is ox, oy at scale s, size pixels a side.
func visible(box orb.Bound, s, ox, oy, size float64) bool {
	const margin = 2
	return box.Max[0]*s+margin >= ox && box.Min[0]*s-margin <= ox+size &&
		box.Max[1]*s+margin >= oy && box.Min[1]*s-margin <= oy+size
}

// haloOffsets are the eight neighbours a name's halo is drawn at.
var haloOffsets = [8][2]int{{-1, -1}, {0, -1}, {1, -1}, {-1, 0}, {1, 0}, {-1, 1}, {0, 1}, {1, 1}}

// places draws the towns named at zoom z whose dot or name reaches this
// tile: the dots, a capital's as a ring around a dot, each kind as one
// path, then the names, at whole global pixels so that a name cut by a
// tile edge joins; in Arabic where lang is and the place has an Arabic
// name.
func (d *drawer) places(b *Basemap, ls []placeLabel, z, scale int, lang Lang) {
	s := float64(scale)
	size := float64(tiles.TileSize * scale)
	ox, oy := d.pr.Origin()
	var shown []placeLabel
	for _, l := range ls {
		if visible(l.box, s, ox, oy, size) {
			shown = append(shown, l)
		}
	}
	if len(shown) == 0 {
		return
	}
	r := dotRadius(z) * s
	rings := false
	for _, l := range shown {
		if b.places[l.place].Capital {
			d.dc.NewSubPath()
			d.dc.DrawCircle(l.x*s-ox, l.y*s-oy, r+2*s)
			rings = true
		}
	}
	if rings {
		d.dc.SetColor(LandColor)
		d.dc.FillPreserve()
		d.dc.SetColor(PlaceColor)
		d.dc.SetLineWidth(1.2 * s)
		d.dc.Stroke()
	}
	for _, l := range shown {
		d.dc.NewSubPath()
		d.dc.DrawCircle(l.x*s-ox, l.y*s-oy, r)
	}
	d.dc.SetColor(PlaceColor)
	d.dc.Fill()

	im, ok := d.dc.Image().(*image.RGBA)
	if !ok {
		return // gg always draws on *image.RGBA
	}
	k := scale - 1
	town, major := b.faces.town[k].Get(), b.faces.major[k].Get()
	defer b.faces.town[k].Put(town)
	defer b.faces.major[k].Put(major)
	dr := font.Drawer{Dst: im}
	halo, text := image.NewUniform(HaloColor), image.NewUniform(LabelColor)
	for _, l := range shown {
		x := int(math.Round(l.tx*s) - ox)
		y := int(math.Round(l.ty*s) - oy)
		if lang == Arabic && !b.arabic().places[l.place].Empty() {
			ar := b.arabic().places[l.place]
			size := float64(townSize)
			if l.major {
				size = majorSize
			}
			m := ar.Mask(size * arabicScale * s)
			for _, o := range haloOffsets {
				m.Draw(im, x+o[0]*scale, y+o[1]*scale, halo)
			}
			m.Draw(im, x, y, text)
			continue
		}
		dr.Face = town
		if l.major {
			dr.Face = major
		}
		name := b.names[l.place]
		dr.Src = halo
		for _, o := range haloOffsets {
			dr.Dot = fixed.P(x+o[0]*scale, y+o[1]*scale)
			dr.DrawString(name)
		}
		dr.Src = text
		dr.Dot = fixed.P(x, y)
		dr.DrawString(name)
	}
}

// riverLabels draws the river names whose box reaches this tile, in
// italics (in Arabic, where lang is, upright), turned to follow the
// river: each name is drawn once, flat, as a mask, its halo the mask
// grown by a pixel, and both are turned onto the tile by one bilinear
// transform each.
func (d *drawer) riverLabels(b *Basemap, ls []riverLabel, scale int, lang Lang) {
	s := float64(scale)
	size := float64(tiles.TileSize * scale)
	ox, oy := d.pr.Origin()
	im, ok := d.dc.Image().(*image.RGBA)
	if !ok {
		return // gg always draws on *image.RGBA
	}
	var f font.Face
	pool := b.faces.river[scale-1]
	for _, l := range ls {
		if !visible(l.box, s, ox, oy, size) {
			continue
		}
		margin := 2 * scale
		var text *image.Alpha
		var baseline int
		var mid float64 // the name's middle, above the baseline
		if lang == Arabic && !b.arabic().rivers[l.river].Empty() {
			ar := b.arabic().rivers[l.river]
			m := ar.Mask(riverSize * arabicScale * s)
			w := int(math.Ceil(ar.Width(riverSize * arabicScale * s)))
			h := int(math.Ceil((arabicAscent + arabicDescent) * riverSize * s))
			text = image.NewAlpha(image.Rect(0, 0, w+2*margin, h+2*margin))
			baseline = margin + int(math.Round(arabicAscent*riverSize*s))
			m.Draw(text, margin, baseline, image.Opaque)
			mid = arabicMiddle * riverSize * s
		} else {
			if f == nil {
				f = pool.Get()
				defer pool.Put(f)
			}
			w := font.MeasureString(f, l.name).Ceil()
			h := int(math.Ceil(1.3 * riverSize * s))
			text = image.NewAlpha(image.Rect(0, 0, w+2*margin, h+2*margin))
			baseline = margin + int(math.Round(0.95*riverSize*s))
			dr := font.Drawer{Dst: text, Src: image.Opaque, Face: f, Dot: fixed.P(margin, baseline)}
			dr.DrawString(l.name)
			mid = 0.35 * riverSize * s
		}
		halo := grow(text, scale)
		// the name's centre, in the mask and on the tile
		cx, cy := float64(text.Rect.Dx())/2, float64(baseline)-mid
		x, y := l.x*s-ox, l.y*s-oy
		sin, cos := math.Sincos(l.angle)
		m := f64.Aff3{cos, -sin, x - cos*cx + sin*cy, sin, cos, y - sin*cx - cos*cy}
		draw.BiLinear.Transform(im, m, image.NewUniform(HaloColor), halo.Rect, draw.Over, &draw.Options{SrcMask: halo})
		draw.BiLinear.Transform(im, m, image.NewUniform(RiverLabelColor), text.Rect, draw.Over, &draw.Options{SrcMask: text})
	}
}

// grow returns m with every pixel the largest of those within r of it:
// the mask of a halo r pixels wide.
func grow(m *image.Alpha, r int) *image.Alpha {
	out := image.NewAlpha(m.Rect)
	w, h := m.Rect.Dx(), m.Rect.Dy()
	for y := range h {
		for x := range w {
			var a uint8
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					if xx, yy := x+dx, y+dy; xx >= 0 && xx < w && yy >= 0 && yy < h {
						a = max(a, m.Pix[yy*m.Stride+xx])
					}
				}
			}
			out.Pix[y*out.Stride+x] = a
		}
	}
	return out
}

// TileName is a name tile t draws, or a named river it draws.
type TileName struct {
	// Kind is "country" for a country, "place" for a town or city,
	// "river" for a river.
	Kind string
	// Name is the English name; NameAr the Arabic one, "" when the data
	// has none.
	Name, NameAr string
	// Arabic is true when the tile draws the name in Arabic.
	Arabic bool
	// Labelled is true when the tile draws the name; a river may cross a
	// tile without its name.
	Labelled bool
}

// Names returns the countries and towns tile t names in lang and the
// named rivers it draws, countries and towns in the order they were
// placed, then rivers by name: what a reader of the tile can find on it.
func (b *Basemap) Names(t maptile.Tile, lang Lang) []TileName {
	labels, placeLabels, riverLabels := b.labelsIn(lang)
	z := int(t.Z)
	pr := tiles.NewProjector(t, tiles.TileSize)
	ox, oy := pr.Origin()
	var out []TileName
	if z >= labelMinZoom && z <= labelMaxZoom {
		for _, l := range labels[z-labelMinZoom] {
			if visible(l.box(), 1, ox, oy, tiles.TileSize) {
				n := TileName{Kind: "country", Name: l.name, NameAr: b.ar.countries[l.name], Labelled: true}
				if lang == Arabic {
					_, n.Arabic = b.arabic().countries[l.name]
				}
				out = append(out, n)
			}
		}
	}
	if z >= placeMinZoom && z <= placeMaxZoom {
		for _, l := range placeLabels[z-placeMinZoom] {
			if visible(l.box, 1, ox, oy, tiles.TileSize) {
				p := b.places[l.place]
				out = append(out, TileName{Kind: "place", Name: p.Name, NameAr: p.NameAr, Labelled: true,
					Arabic: lang == Arabic && !b.arabic().places[l.place].Empty()})
			}
		}
	}
	if z < riverMinZoom {
		return out
	}
	bound := pr.Bound(0)
	for ri, r := range b.rivers {
		if r.name == "" {
			continue
		}
		drawn := false
		for _, l := range r.lines {
			if l.bound.Intersects(bound) && len(clip.LineString(bound, l.line)) > 0 {
				drawn = true
				break
			}
		}
		if !drawn {
			continue
		}
		labelled := false
		if z >= riverMinLabelZoom && z <= placeMaxZoom {
			for _, l := range riverLabels[z-riverMinLabelZoom] {
				if l.name == r.name && visible(l.box, 1, ox, oy, tiles.TileSize) {
					labelled = true
				}
			}
		}
		out = append(out, TileName{Kind: "river", Name: r.name, NameAr: r.nameAr, Labelled: labelled,
			Arabic: labelled && lang == Arabic && !b.arabic().rivers[ri].Empty()})
	}
	return out
}
