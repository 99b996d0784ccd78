package basemap

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/fogleman/gg"
	"github.com/golang/freetype/truetype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"github.com/incidentmap/incidentmap/tiles"
)

// Basemap colours, all opaque but the halo, so sea and land pixels away
// from edges have exactly these values.
var (
	// SeaColor is the background: sea, and lakes Natural Earth's
	// countries leave out (the Caspian).
	SeaColor = color.NRGBA{0xaa, 0xd3, 0xdf, 0xff}
	// LandColor fills every country.
	LandColor = color.NRGBA{0xf2, 0xef, 0xe9, 0xff}
	// BorderColor strokes land borders between countries.
	BorderColor = color.NRGBA{0x9b, 0x7b, 0xa6, 0xff}
	// LabelColor is the colour of country names.
	LabelColor = color.NRGBA{0x40, 0x3c, 0x38, 0xff}
	// HaloColor is drawn around names to lift them off borders.
	HaloColor = color.NRGBA{0xff, 0xff, 0xff, 0xb0}
	// WaterColor fills lakes: the sea's colour.
	WaterColor = SeaColor
	// RiverColor strokes rivers: a little deeper than the sea, so that a
	// line a pixel wide still reads as water on land.
	RiverColor = color.NRGBA{0x7f, 0xb8, 0xd4, 0xff}
	// RiverLabelColor is the colour of river names.
	RiverLabelColor = color.NRGBA{0x1f, 0x5f, 0x8b, 0xff}
	// PlaceColor is the colour of town dots and capitals' rings.
	PlaceColor = color.NRGBA{0x33, 0x30, 0x2d, 0xff}
)

// Water is drawn from these zooms: rivers from 4, lakes (cut to the
// region of the water file) from 5.
const (
	riverMinZoom = 4
	lakeMinZoom  = 5
)

// scaleFor returns the scale to draw zoom z with, for a tile of bound b:
// 110m to zoom 2, 50m at 3 and 4, 10m deeper where it covers b.
func (b *Basemap) scaleFor(z maptile.Zoom, bound orb.Bound) *scale {
	switch {
	case z <= 2:
		return b.scales[0]
	case z <= 4:
		return b.scales[1]
	}
	if s := b.scales[2]; s.coverage.Contains(bound.Min) && s.coverage.Contains(bound.Max) {
		return s
	}
	return b.scales[1]
}

// borderWidth returns the width of borders at zoom z, scale 1.
func borderWidth(z maptile.Zoom) float64 {
	switch {
	case z <= 4:
		return 0.8
	case z <= 7:
		return 1.1
	}
	return 1.5
}

// Render draws tile t of the basemap as a PNG of tiles.TileSize*scale
// pixels a side (scale 1 or 2): sea, land, lakes, rivers, country borders,
// from zoom 3 to 6 country names, from zoom 4 towns and cities and from
// zoom 6 the great rivers' names, the towns and rivers in lang. The same
// tile gives the same bytes on every call.
func (b *Basemap) Render(t maptile.Tile, scale int, lang Lang) ([]byte, error) {
	if err := tiles.Validate(t, tiles.MaxZoom); err != nil {
		return nil, fmt.Errorf("basemap tile: %w", err)
	}
	if scale != 1 && scale != 2 {
		return nil, fmt.Errorf("basemap tile: scale %d, want 1 or 2", scale)
	}
	if lang != English && lang != Arabic {
		return nil, fmt.Errorf("basemap tile: language %d, want English or Arabic", lang)
	}
	size := tiles.TileSize * scale
	s := float64(scale)
	// Shapes are cut a few pixels beyond the tile, so their cut edges and
	// the strokes along them fall outside it.
	pr := tiles.NewProjector(t, size)
	bound := pr.Bound(4 * s)
	bound.Min[1] = math.Max(bound.Min[1], -tiles.MaxLatitude)
	bound.Max[1] = math.Min(bound.Max[1], tiles.MaxLatitude)
	sc := b.scaleFor(t.Z, bound)
	d := drawer{
		dc:     gg.NewContext(size, size),
		pr:     pr,
		bound:  bound,
		border: borderWidth(t.Z) * s,
	}
	d.dc.SetColor(SeaColor)
	d.dc.Clear()

	for i := range sc.polygons {
		if p := &sc.polygons[i]; p.bound.Intersects(bound) {
			d.polygon(p)
		}
	}
	d.dc.SetColor(LandColor)
	d.dc.Fill()

	if t.Z >= lakeMinZoom {
		for i := range b.lakes {
			if p := &b.lakes[i]; p.bound.Intersects(bound) {
				d.polygon(p)
			}
		}
		d.dc.SetColor(WaterColor)
		d.dc.Fill()
	}
	if z := int(t.Z); z >= riverMinZoom {
		d.dc.SetColor(RiverColor)
		d.dc.SetLineCapRound()
		d.dc.SetLineJoinRound()
		for _, named := range []bool{false, true} {
			for _, r := range b.rivers {
				if (r.name != "") != named {
					continue
				}
				for i := range r.lines {
					if l := &r.lines[i]; l.bound.Intersects(bound) {
						d.line(l)
					}
				}
			}
			d.dc.SetLineWidth(riverWidth(z, named) * s)
			d.dc.Stroke()
		}
	}

	for i := range sc.borders {
		if l := &sc.borders[i]; l.bound.Intersects(bound) {
			d.line(l)
		}
	}
	d.dc.SetColor(BorderColor)
	d.dc.SetLineWidth(d.border)
	d.dc.SetLineCapRound()
	d.dc.SetLineJoinRound()
	d.dc.Stroke()

	labels, placeLabels, riverLabels := b.labelsIn(lang)
	if z := int(t.Z); z >= labelMinZoom && z <= labelMaxZoom {
		var ar map[string]countryText
		if lang == Arabic {
			ar = b.arabic().countries
		}
		d.labels(b.font, labels[z-labelMinZoom], ar, z, scale)
	}
	if z := int(t.Z); z >= riverMinLabelZoom && z <= placeMaxZoom {
		d.riverLabels(b, riverLabels[z-riverMinLabelZoom], scale, lang)
	}
	if z := int(t.Z); z >= placeMinZoom && z <= placeMaxZoom {
		d.places(b, placeLabels[z-placeMinZoom], z, scale, lang)
	}

	png, err := tiles.EncodePNG(d.dc.Image())
	if err != nil {
		return nil, fmt.Errorf("basemap tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
	}
	return png, nil
}

// drawer draws one tile, projected by pr; bound is the padded tile in
// lon/lat. scratch is the drawer's own copy of a ring to clip, since
// clip.Ring works in place and the basemap's rings are shared.
type drawer struct {
	dc      *gg.Context
	pr      tiles.Projector
	bound   orb.Bound
	border  float64
	scratch orb.Ring
}

// polygon adds p to the path, cut to the padded tile if it reaches beyond.
func (d *drawer) polygon(p *boundedPolygon) {
	inside := d.bound.Contains(p.bound.Min) && d.bound.Contains(p.bound.Max)
	for i, r := range p.poly {
		if !inside {
			if !r.Bound().Intersects(d.bound) {
				if i == 0 {
					return
				}
				continue
			}
			d.scratch = append(d.scratch[:0], r...)
			r = clip.Ring(d.bound, d.scratch)
			if len(r) < 3 {
				if i == 0 {
					return
				}
				continue
			}
		}
		d.trace(r)
		d.dc.ClosePath()
	}
}

// line adds l to the path, cut to the padded tile.
func (d *drawer) line(l *boundedLine) {
	if d.bound.Contains(l.bound.Min) && d.bound.Contains(l.bound.Max) {
		d.trace(l.line)
		return
	}
	for _, part := range clip.LineString(d.bound, l.line) {
		d.trace(part)
	}
}

// trace adds ps to the path as one sub-path, skipping points within a
// third of a pixel of the last one kept (but never the last).
func (d *drawer) trace(ps []orb.Point) {
	var lx, ly float64
	for i, p := range ps {
		x, y := d.pr.Pixel(p)
		switch {
		case i == 0:
			d.dc.MoveTo(x, y)
		case i == len(ps)-1 || math.Abs(x-lx) > 0.33 || math.Abs(y-ly) > 0.33:
			d.dc.LineTo(x, y)
		default:
			continue
		}
		lx, ly = x, y
	}
}

// labels draws the names placed at zoom z whose box reaches this tile,
// each at whole global pixels, so that both halves of a name cut by a tile
// edge are drawn alike and join. Text goes straight onto the image through
// font.Drawer: gg resamples every glyph through a bilinear transform,
// which is slower and blurrier. A name in ar (the Arabic map's, by
// English name) is drawn in Arabic, as a mask.
func (d *drawer) labels(f *truetype.Font, ls []label, ar map[string]countryText, z, scale int) {
	s := float64(scale)
	size := float64(tiles.TileSize * scale)
	im, ok := d.dc.Image().(*image.RGBA)
	if !ok {
		return // gg always draws on *image.RGBA
	}
	ox, oy := d.pr.Origin()
	dr := font.Drawer{Dst: im}
	halo, text := image.NewUniform(HaloColor), image.NewUniform(LabelColor)
	for _, l := range ls {
		// A name's ink reaches up to two pixels beyond its box (the
		// whole pixel it is drawn at; TestArabicCountryInkInsideBoxes),
		// its halo one more: a tile draws the names that near it.
		margin := 3 * s
		if l.x*s+l.w*s/2+margin < ox || l.x*s-l.w*s/2-margin > ox+size ||
			l.y*s+l.h*s/2+margin < oy || l.y*s-l.h*s/2-margin > oy+size {
			continue
		}
		if c, ok := ar[l.name]; ok {
			em := countrySize(z) * s
			m := c.text.Mask(em)
			x := int(math.Round(l.x*s-c.text.Width(em)/2) - ox)
			y := int(math.Round(l.y*s+c.baseline(em)) - oy)
			for _, o := range haloOffsets {
				m.Draw(im, x+o[0]*scale, y+o[1]*scale, halo)
			}
			m.Draw(im, x, y, text)
			continue
		}
		if dr.Face == nil {
			dr.Face = labelFace(f, z, scale)
		}
		w := float64(dr.MeasureString(l.name)) / 64
		// baseline: centred on the cap height, about 0.7 of the font size
		x := int(math.Round(l.x*s-w/2) - ox)
		y := int(math.Round(l.y*s+0.35*labelSize(z)*s) - oy)
		dr.Src = halo
		for _, o := range haloOffsets {
			dr.Dot = fixed.P(x+o[0]*scale, y+o[1]*scale)
			dr.DrawString(l.name)
		}
		dr.Src = text
		dr.Dot = fixed.P(x, y)
		dr.DrawString(l.name)
	}
	if dr.Face != nil {
		_ = dr.Face.Close() // a truetype face's Close does nothing
	}
}
