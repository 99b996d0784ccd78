package tiles

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"sync"
	"unicode"

	"github.com/fogleman/gg"
	"github.com/golang/freetype/truetype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/incidentmap/incidentmap/geo"
	arabicfont "github.com/incidentmap/incidentmap/tiles/arabic"
)

// View is what a static map shows: a centre and whole zoom, on an image
// Width by Height CSS pixels, drawn at Scale (2 for high-density screens).
type View struct {
	Center        orb.Point
	Zoom          int
	Width, Height int
	Scale         int
	// Arabic writes the clusters' counts in Arabic-Indic digits (٣, ١٫٢
	// ألف), as an Arabic page writes numbers.
	Arabic bool
}

// FitView returns the view of b on a width by height image at the deepest
// whole zoom (up to maxZoom) at which b fits.
func FitView(b orb.Bound, width, height, scale, maxZoom int) View {
	v := View{Center: b.Center(), Width: width, Height: height, Scale: scale}
	for z := maxZoom; z >= 0; z-- {
		lo := viewFraction(orb.Point{b.Min[0], b.Max[1]}, maptile.Zoom(z))
		hi := viewFraction(orb.Point{b.Max[0], b.Min[1]}, maptile.Zoom(z))
		if (hi[0]-lo[0])*TileSize <= float64(width) && (hi[1]-lo[1])*TileSize <= float64(height) {
			v.Zoom = z
			return v
		}
	}
	return v
}

// projector is the projector of v's image, in device pixels.
func (v View) projector() Projector {
	return NewViewProjector(v.Center, maptile.Zoom(v.Zoom), v.Width*v.Scale, v.Height*v.Scale, TileSize*v.Scale)
}

// Bound returns the lon/lat bound of what v shows, grown by the largest
// symbol's reach, so that the overlays drawn on it can be asked for that
// bound alone.
func (v View) Bound() orb.Bound {
	return v.projector().Bound(float64(symbolReach * v.Scale))
}

// TileSource returns a basemap tile as PNG.
type TileSource func(t maptile.Tile, scale int) ([]byte, error)

// Static map colours.
var (
	staticBackground = color.NRGBA{0xdd, 0xe6, 0xee, 0xff}
	RadiusColor      = color.NRGBA{0x0b, 0x61, 0xa4, 0xff}
)

// StaticMap renders the view as a PNG: the basemap from tiles, the radius
// query's circle when near is set, the overlay features, and an
// attribution line in the bottom-right corner. It gives up with ctx's
// error when ctx ends between two steps (a basemap tile, the overlays).
func StaticMap(ctx context.Context, v View, basemap TileSource, fs []geo.Feature, near *geo.Radius, attribution string) ([]byte, error) {
	w, h := v.Width*v.Scale, v.Height*v.Scale
	ts := TileSize * v.Scale
	pr := v.projector()
	dc := gg.NewContext(w, h)
	dc.SetColor(staticBackground)
	dc.Clear()

	if basemap != nil {
		ox, oy := pr.Origin()
		for col, t := range pr.Tiles().All() {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("static map: %w", err)
			}
			b, err := basemap(t, v.Scale)
			if err != nil {
				return nil, fmt.Errorf("basemap tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				return nil, fmt.Errorf("decode basemap tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
			}
			// col is where the tile lies, t which tile of the world it is
			px := int(math.Round(float64(col)*float64(ts) - ox))
			py := int(math.Round(float64(t.Y)*float64(ts) - oy))
			dc.DrawImage(img, px, py)
		}
	}

	if near != nil {
		s := float64(v.Scale)
		tracePolygon(dc, pr, geo.Circle(near.Center, near.Metres))
		dc.SetColor(color.NRGBA{RadiusColor.R, RadiusColor.G, RadiusColor.B, 0x22})
		dc.FillPreserve()
		dc.SetColor(RadiusColor)
		dc.SetLineWidth(2 * s)
		dc.Stroke()
		x, y := pr.Pixel(near.Center)
		dc.DrawLine(x-5*s, y, x+5*s, y)
		dc.DrawLine(x, y-5*s, x, y+5*s)
		dc.Stroke()
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("static map: %w", err)
	}
	drawOverlay(dc, pr, fs, v.Scale, v.Arabic) // markers on top of the query circle

	if err := drawAttribution(dc, attribution, float64(v.Scale)); err != nil {
		return nil, err
	}
	return EncodePNG(dc.Image())
}

var goRegular = sync.OnceValues(func() (*truetype.Font, error) {
	return truetype.Parse(goregular.TTF)
})

// attributionColor is the colour of the attribution's text.
var attributionColor = color.NRGBA{0x33, 0x33, 0x33, 0xff}

// drawAttribution writes text on a pale box in the bottom-right corner;
// text with Arabic letters in it is shaped and laid right to left.
func drawAttribution(dc *gg.Context, text string, s float64) error {
	if text == "" {
		return nil
	}
	if strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Arabic, r) }) {
		return drawArabicAttribution(dc, text, s)
	}
	f, err := goRegular()
	if err != nil {
		return fmt.Errorf("attribution font: %w", err)
	}
	dc.SetFontFace(truetype.NewFace(f, &truetype.Options{Size: 11 * s}))
	tw, th := dc.MeasureString(text)
	x, y := attributionBox(dc, tw, th, s)
	dc.SetColor(attributionColor)
	dc.DrawStringAnchored(text, x, y+th/2, 0, 0.35)
	return nil
}

// attributionBox draws the pale box of a text tw by th in the
// bottom-right corner, padded, and returns where the text starts.
func attributionBox(dc *gg.Context, tw, th, s float64) (x, y float64) {
	pad := 4 * s
	x = float64(dc.Width()) - tw - 2*pad
	y = float64(dc.Height()) - th - 2*pad
	dc.SetColor(color.NRGBA{0xff, 0xff, 0xff, 0xcc})
	dc.DrawRectangle(x, y, tw+2*pad, th+2*pad)
	dc.Fill()
	return x + pad, y + pad
}

// drawArabicAttribution is drawAttribution for text in Arabic, in Noto
// Sans Arabic (Latin words in it in Go's font), a little larger, as
// Arabic letters are smaller than Latin ones at one size.
func drawArabicAttribution(dc *gg.Context, text string, s float64) error {
	f, err := arabicfont.Regular()
	if err != nil {
		return fmt.Errorf("attribution font: %w", err)
	}
	size := 12 * s
	shaped := f.Shape(text)
	m := shaped.Mask(size)
	tw, th := math.Ceil(shaped.Width(size)), math.Ceil(1.3*size)
	x, y := attributionBox(dc, tw, th, s)
	im, ok := dc.Image().(*image.RGBA)
	if !ok {
		return fmt.Errorf("attribution: gg draws on %T", dc.Image())
	}
	// the baseline a little below the box's middle, Arabic letters'
	// bodies sitting on it
	m.Draw(im, int(math.Round(x)), int(math.Round(y+th/2+0.3*size)), image.NewUniform(attributionColor))
	return nil
}
