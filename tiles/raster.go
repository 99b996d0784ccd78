package tiles

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"strings"
	"sync"

	"github.com/fogleman/gg"
	"github.com/golang/freetype/truetype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"github.com/incidentmap/incidentmap/geo"
	arabicfont "github.com/incidentmap/incidentmap/tiles/arabic"
)

// Raster tiles are drawn with fogleman/gg: anti-aliased paths, strokes,
// dashes and text over golang/freetype's rasterizer, pure Go (no cgo, so
// the binary stays static), and fast enough that a tile costs well under
// a millisecond once cached work is excluded (see the benchmarks).

// markerRadius is an incident marker's radius in pixels at scale 1.
const markerRadius = 6

// pngEncoder favours speed, as tiles are cached (BestSpeed output is only
// slightly larger at these sizes), and reuses its buffers (a deflate
// writer is about a megabyte) across renders.
var pngEncoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &pngBuffers{}}

// pngBuffers is a png.EncoderBufferPool over sync.Pool, safe for
// concurrent renders.
type pngBuffers struct{ pool sync.Pool }

func (p *pngBuffers) Get() *png.EncoderBuffer {
	b, _ := p.pool.Get().(*png.EncoderBuffer)
	return b
}

func (p *pngBuffers) Put(b *png.EncoderBuffer) { p.pool.Put(b) }

// Overlay draws overlay features on tile t as a transparent PNG of
// TileSize*scale pixels a side: uncertainty as translucent discs, range
// rings dashed, links as lines, sites as squares and incidents as markers
// coloured by event type, clusters (see ClusterGrid) as discs with their
// count, in that order so markers stay on top. It returns
// nil when nothing falls on the tile.
func Overlay(fs []geo.Feature, t maptile.Tile, scale int) ([]byte, error) {
	size := TileSize * scale
	im := newCanvas(size)
	defer putCanvas(im)
	dc := gg.NewContextForRGBA(im)
	if !drawOverlay(dc, NewProjector(t, size), fs, scale, false) {
		return nil, nil
	}
	return encodeOverlay(im)
}

// canvases keep the images tiles were drawn on for the next, by scale
// (1 and 2, as tiles are asked): a tile drawn anew after every batch of
// writes allocated its image, a megabyte at @2x.
var canvases [2]sync.Pool // *image.RGBA of TileSize*(i+1) pixels a side

// canvasPool returns the pool of canvases size pixels a side, or nil
// for a size not kept.
func canvasPool(size int) *sync.Pool {
	if i := size/TileSize - 1; size%TileSize == 0 && i >= 0 && i < len(canvases) {
		return &canvases[i]
	}
	return nil
}

// newCanvas returns a transparent square image size pixels a side.
func newCanvas(size int) *image.RGBA {
	if p := canvasPool(size); p != nil {
		if im, ok := p.Get().(*image.RGBA); ok {
			clear(im.Pix)
			return im
		}
	}
	return image.NewRGBA(image.Rect(0, 0, size, size))
}

// putCanvas keeps im, drawn and encoded, for newCanvas.
func putCanvas(im *image.RGBA) {
	if p := canvasPool(im.Rect.Dx()); p != nil {
		p.Put(im)
	}
}

// drawOverlay draws the features that fall on pr's image, and reports
// whether any did; arabic writes clusters' counts in Arabic-Indic digits.
func drawOverlay(dc *gg.Context, pr Projector, fs []geo.Feature, scale int, arabic bool) bool {
	onImage := pr.Bound(float64(symbolReach * scale))
	var drawn []*geo.Feature
	for i := range fs {
		if g := fs[i].Geometry; g != nil && g.Bound().Intersects(onImage) {
			drawn = append(drawn, &fs[i])
		}
	}
	s := float64(scale)
	for pass := range 3 {
		for _, f := range drawn {
			drawFeature(dc, pr, f, pass, s, arabic)
		}
	}
	return len(drawn) > 0
}

// EncodePNG encodes a rendered tile or map as every PNG here is encoded:
// fast (BestSpeed), with buffers shared across renders.
func EncodePNG(im image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, im); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// drawFeature draws f if it belongs to this pass: 0 areas, 1 lines,
// 2 points.
func drawFeature(dc *gg.Context, pr Projector, f *geo.Feature, pass int, s float64, arabic bool) {
	kind, _ := f.Properties["kind"].(string)
	switch g := f.Geometry.(type) {
	case orb.Polygon:
		if kind == "uncertainty" && pass == 0 {
			tracePolygon(dc, pr, g)
			dc.SetColor(UncertaintyColor)
			dc.Fill()
		}
		if kind != "uncertainty" && pass == 1 {
			tracePolygon(dc, pr, g)
			dc.SetColor(RingColor)
			dc.SetLineWidth(1.2 * s)
			dc.SetDash(5*s, 4*s)
			dc.Stroke()
			dc.SetDash()
		}
	case orb.LineString:
		if pass == 1 {
			trace(dc, project(pr, g, false), false)
			dc.SetColor(LinkColor)
			dc.SetLineWidth(2 * s)
			dc.Stroke()
		}
	case orb.Point:
		if pass != 2 {
			return
		}
		x, y := pr.Pixel(g)
		if kind == KindCluster {
			n, _ := f.Properties["point_count"].(int)
			drawCluster(dc, x, y, n, s, arabic)
			return
		}
		if f.Incident == nil {
			r := 4 * s
			dc.DrawRectangle(x-r, y-r, 2*r, 2*r)
			dc.SetColor(SiteColor)
			dc.Fill()
			return
		}
		dc.DrawCircle(x, y, markerRadius*s)
		dc.SetColor(EventColor(f.Incident.EventType))
		dc.FillPreserve()
		dc.SetRGB(1, 1, 1)
		dc.SetLineWidth(1.5 * s)
		dc.Stroke()
	}
}

// maxClusterRadius is the largest cluster marker's radius in pixels at
// scale 1: a disc of 48 px leaves a gap between clusters a cell (64 px)
// apart, and never reaches past the ring of cells a tile's ClusterGrid
// covers.
const maxClusterRadius = 24

// symbolReach is how far, in pixels at scale 1, the largest symbol drawn
// at a point reaches from it: a cluster disc and its outline.
const symbolReach = maxClusterRadius + 2

// clusterRadius grows with the log of the count: 10 px for 2 incidents,
// 20 for a thousand, 24 from about ten thousand.
func clusterRadius(n int) float64 {
	return min(9+1.6*math.Log(float64(max(n, 1))), maxClusterRadius)
}

// clusterLabelSize is the font size of a cluster's count at scale 1.
const clusterLabelSize = 12

// drawCluster draws a cluster of n incidents at x, y as a disc sized by
// clusterRadius with the count written on it. The count goes straight onto
// the image at whole pixels (as the basemap's names do), sharper than gg's
// resampled text; in Arabic-Indic digits, shaped in Noto Sans Arabic,
// where arabic is.
func drawCluster(dc *gg.Context, x, y float64, n int, s float64, arabic bool) {
	dc.DrawCircle(x, y, clusterRadius(n)*s)
	dc.SetColor(ClusterColor)
	dc.FillPreserve()
	dc.SetRGB(1, 1, 1)
	dc.SetLineWidth(1.5 * s)
	dc.Stroke()
	im, ok := dc.Image().(*image.RGBA)
	if !ok {
		return // gg always draws on *image.RGBA
	}
	if arabic {
		f, err := arabicfont.Regular()
		if err != nil {
			return // embedded, and tested
		}
		text := f.Shape(arabicCount(n))
		size := clusterLabelSize * s
		text.Mask(size).Draw(im, int(math.Round(x-text.Width(size)/2)), int(math.Round(y+0.3*size)), image.White)
		return
	}
	f, err := goRegular()
	if err != nil {
		return // the font is embedded
	}
	faces := countFaces(f, s)
	face := faces.Get()
	defer faces.Put(face)
	dr := font.Drawer{Dst: im, Src: image.White, Face: face}
	text := abbreviate(n)
	w := float64(dr.MeasureString(text)) / 64
	// baseline: centred on the height of a digit, about 0.7 of the size
	dr.Dot = fixed.P(int(math.Round(x-w/2)), int(math.Round(y+0.35*clusterLabelSize*s)))
	dr.DrawString(text)
}

// countFaces returns the pool of the faces clusters' counts are written
// in at scale s: one face made for every cluster was a tenth of what a
// tile drawn anew allocated.
func countFaces(f *truetype.Font, s float64) *FacePool {
	if p, ok := countFacesByScale.Load(s); ok {
		return p.(*FacePool)
	}
	p, _ := countFacesByScale.LoadOrStore(s, NewFacePool(f, truetype.Options{
		Size:              clusterLabelSize * s,
		Hinting:           font.HintingNone,
		GlyphCacheEntries: 16, // digits, "k", "M" and "."
	}))
	return p.(*FacePool)
}

// countFacesByScale holds countFaces' pools by scale. Scales are whole
// numbers within the bounds of requests (tiles' @2x, static maps' scale),
// so it holds a few.
var countFacesByScale sync.Map // float64 → *FacePool

// arabicCount writes n as abbreviate does, in Arabic: Arabic-Indic
// digits, the Arabic decimal separator, ألف for thousands and مليون for
// millions.
func arabicCount(n int) string {
	var b strings.Builder
	for _, r := range abbreviate(n) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune('٠' + r - '0')
		case r == '.':
			b.WriteRune('٫')
		case r == 'k':
			b.WriteString(" ألف")
		case r == 'M':
			b.WriteString(" مليون")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// project returns the pixel coordinates of ps as one or more paths,
// clipped to the tile and a margin when they reach far beyond it: the
// rasterizer works in 26.6 fixed point, and a 50 km ring at zoom 20 spans
// millions of pixels. Shapes that fit in the margin are not clipped, so a
// dashed ring keeps one phase across the tiles it crosses.
func project(pr Projector, ps []orb.Point, closed bool) [][]orb.Point {
	out := make([]orb.Point, len(ps))
	b := orb.Bound{Min: orb.Point{1e300, 1e300}, Max: orb.Point{-1e300, -1e300}}
	for i, p := range ps {
		x, y := pr.Pixel(p)
		out[i] = orb.Point{x, y}
		b = b.Extend(out[i])
	}
	margin := 4 * max(pr.width, pr.height)
	box := orb.Bound{Min: orb.Point{-margin, -margin}, Max: orb.Point{pr.width + margin, pr.height + margin}}
	if box.Contains(b.Min) && box.Contains(b.Max) {
		return [][]orb.Point{out}
	}
	if closed {
		return [][]orb.Point{clip.Ring(box, orb.Ring(out))}
	}
	var parts [][]orb.Point
	for _, part := range clip.LineString(box, orb.LineString(out)) {
		parts = append(parts, part)
	}
	return parts
}

// trace adds paths to dc's current path, closing each when closed.
func trace(dc *gg.Context, paths [][]orb.Point, closed bool) {
	for _, ps := range paths {
		for i, q := range ps {
			if i == 0 {
				dc.MoveTo(q[0], q[1])
			} else {
				dc.LineTo(q[0], q[1])
			}
		}
		if closed && len(ps) > 0 {
			dc.ClosePath()
		}
	}
}

func tracePolygon(dc *gg.Context, pr Projector, p orb.Polygon) {
	for _, r := range p {
		trace(dc, project(pr, r, true), true)
	}
}
