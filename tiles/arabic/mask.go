package arabic

import (
	"image"
	"image/draw"
	"math"

	ot "github.com/go-text/typesetting/font/opentype"
	"golang.org/x/image/vector"
)

// Mask is a Text drawn at one size as coverage: Origin is where the left
// end of its baseline lies in Alpha.
type Mask struct {
	Alpha  *image.Alpha
	Origin image.Point
}

// Extent returns how far t's ink reaches above and below its baseline,
// in ems, at most: the outlines' control points bound their curves.
func (t Text) Extent() (ascent, descent float64) {
	var top, bottom float32
	for _, g := range t.glyphs {
		for _, s := range g.outline {
			for _, p := range s.ArgsSlice() {
				y := g.y + p.Y*g.k
				top, bottom = max(top, y), min(bottom, y)
			}
		}
	}
	return float64(top), float64(-bottom)
}

// Mask draws t at size pixels to the em, its baseline's left end at a
// whole pixel, into a mask just large enough for its ink.
func (t Text) Mask(size float64) Mask {
	em := float32(size)
	// the ink's bound, from the outlines' points (a curve stays within
	// its control points), in pixels, y down
	minX, minY := float32(math.Inf(1)), float32(math.Inf(1))
	maxX, maxY := float32(math.Inf(-1)), float32(math.Inf(-1))
	for _, g := range t.glyphs {
		for _, s := range g.outline {
			for _, p := range s.ArgsSlice() {
				x, y := (g.x+p.X*g.k)*em, -(g.y+p.Y*g.k)*em
				minX, maxX = min(minX, x), max(maxX, x)
				minY, maxY = min(minY, y), max(maxY, y)
			}
		}
	}
	if minX > maxX {
		return Mask{Alpha: image.NewAlpha(image.Rectangle{})} // nothing to ink: spaces
	}
	x0, y0 := int(math.Floor(float64(minX)))-1, int(math.Floor(float64(minY)))-1
	x1, y1 := int(math.Ceil(float64(maxX)))+1, int(math.Ceil(float64(maxY)))+1
	w, h := x1-x0, y1-y0
	ox, oy := float32(-x0), float32(-y0)
	var r vector.Rasterizer
	r.Reset(w, h)
	r.DrawOp = draw.Src
	for _, g := range t.glyphs {
		at := func(p ot.SegmentPoint) (float32, float32) { return ox + (g.x+p.X*g.k)*em, oy - (g.y+p.Y*g.k)*em }
		for _, s := range g.outline {
			switch s.Op {
			case ot.SegmentOpMoveTo:
				r.ClosePath()
				r.MoveTo(at(s.Args[0]))
			case ot.SegmentOpLineTo:
				r.LineTo(at(s.Args[0]))
			case ot.SegmentOpQuadTo:
				bx, by := at(s.Args[0])
				cx, cy := at(s.Args[1])
				r.QuadTo(bx, by, cx, cy)
			case ot.SegmentOpCubeTo:
				bx, by := at(s.Args[0])
				cx, cy := at(s.Args[1])
				dx, dy := at(s.Args[2])
				r.CubeTo(bx, by, cx, cy, dx, dy)
			}
		}
		r.ClosePath()
	}
	a := image.NewAlpha(image.Rect(0, 0, w, h))
	r.Draw(a, a.Rect, image.Opaque, image.Point{})
	return Mask{Alpha: a, Origin: image.Point{X: -x0, Y: -y0}}
}

// Draw draws src through m onto dst, m's origin at x, y.
func (m Mask) Draw(dst draw.Image, x, y int, src image.Image) {
	r := m.Alpha.Rect.Add(image.Point{X: x - m.Origin.X, Y: y - m.Origin.Y})
	draw.DrawMask(dst, r, src, image.Point{}, m.Alpha, m.Alpha.Rect.Min, draw.Over)
}
