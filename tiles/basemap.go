package tiles

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"sort"
	"unicode/utf8"

	"github.com/fogleman/gg"
	"github.com/golang/freetype/truetype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"github.com/incidentmap/incidentmap/fixtures"
)

// The basemap data is Natural Earth's admin-0 countries at 1:110m, 1:50m
// and 1:10m, converted once by cmd/basemapgen and embedded by package
// fixtures. Each scale is one gzip-compressed file; uncompressed it is
//
//	"IMBM" 1                        magic and version
//	west south east north float64   coverage: outside it, use a coarser scale
//	kx ky tx ty float64             grid: lon = tx + kx*qx, lat = ty + ky*qy
//	n uvarint, n countries:
//	    len uvarint, name (UTF-8)
//	    polygons uvarint, each: rings uvarint, each ring: points
//	n uvarint, n borders: points
//
// where points is a count (uvarint) and that many (dqx, dqy) pairs of
// zigzag varints (encoding/binary's Varint), each the change from the
// previous point in the file (the first from 0, 0). Floats are little
// endian. Rings are stored without their closing point and have at least
// 3 points, exterior rings counter-clockwise and holes clockwise, so all
// land fills as one path under the non-zero rule and shared edges cancel
// (no seams). Borders are the arcs two countries share, at least 2 points.
// Coordinates stay on the source's TopoJSON grid, so the conversion loses
// nothing; varint deltas on that grid take about 2 bytes a point.

// Basemap colours, all opaque but the halo, so sea and land pixels away
// from edges have exactly these values.
var (
	// BasemapSea is the background: sea, and lakes Natural Earth's
	// countries leave out (the Caspian).
	BasemapSea = color.NRGBA{0xaa, 0xd3, 0xdf, 0xff}
	// BasemapLand fills every country.
	BasemapLand = color.NRGBA{0xf2, 0xef, 0xe9, 0xff}
	// BasemapBorder strokes land borders between countries.
	BasemapBorder = color.NRGBA{0x9b, 0x7b, 0xa6, 0xff}
	// BasemapLabel is the colour of country names.
	BasemapLabel = color.NRGBA{0x40, 0x3c, 0x38, 0xff}
	// BasemapHalo is drawn around names to lift them off borders.
	BasemapHalo = color.NRGBA{0xff, 0xff, 0xff, 0xb0}
)

// Labels are drawn from zoom basemapLabelMinZoom to basemapLabelMaxZoom.
const (
	basemapLabelMinZoom = 3
	basemapLabelMaxZoom = 6
)

// Basemap is Natural Earth's land, borders and country names at three
// scales, ready to render. It is read-only once loaded, so Render may be
// called from many goroutines at once.
type Basemap struct {
	scales [3]*basemapScale // 110m, 50m, 10m
	labels [basemapLabelMaxZoom - basemapLabelMinZoom + 1][]basemapLabel
	font   *truetype.Font
}

// basemapScale is one scale of the data, flattened for drawing.
type basemapScale struct {
	coverage orb.Bound
	polygons []boundedPolygon
	borders  []boundedLine
}

type boundedPolygon struct {
	bound orb.Bound
	poly  orb.Polygon
}

type boundedLine struct {
	bound orb.Bound
	line  orb.LineString
}

// basemapLabel is a country name placed at one zoom, in global pixels at
// scale 1: centred on x, y, within w by h.
type basemapLabel struct {
	name       string
	x, y, w, h float64
}

// basemapCountry is a country as decoded.
type basemapCountry struct {
	name  string
	polys []boundedPolygon
}

// basemapData is one scale as decoded, with the bound of every exterior
// ring and border worked out as they are read.
type basemapData struct {
	coverage  orb.Bound
	countries []basemapCountry
	borders   []boundedLine
}

// LoadBasemap decodes the embedded Natural Earth data and places the
// country names of every labelled zoom.
func LoadBasemap() (*Basemap, error) {
	f, err := goRegular()
	if err != nil {
		return nil, fmt.Errorf("parse basemap font: %w", err)
	}
	b := &Basemap{font: f}
	var mid *basemapData
	for i, s := range []struct {
		name string
		gz   []byte
	}{{"110m", fixtures.Basemap110m}, {"50m", fixtures.Basemap50m}, {"10m", fixtures.Basemap10m}} {
		raw, err := gunzipBasemap(s.gz)
		if err != nil {
			return nil, fmt.Errorf("basemap %s: %w", s.name, err)
		}
		d, err := decodeBasemap(raw)
		if err != nil {
			return nil, fmt.Errorf("basemap %s: %w", s.name, err)
		}
		b.scales[i] = newBasemapScale(d)
		if i == 1 {
			mid = d
		}
	}
	// Names are placed from 50m, which covers the world, so a name stays
	// put as the scale changes under it.
	b.labels = placeBasemapLabels(mid.countries, f)
	return b, nil
}

func gunzipBasemap(gz []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	return raw, nil
}

// decodeBasemap parses one scale in the compact form (uncompressed).
func decodeBasemap(data []byte) (*basemapData, error) {
	const header = 5 + 8*8
	if len(data) < header || string(data[:4]) != "IMBM" {
		return nil, errors.New("not basemap data")
	}
	if data[4] != 1 {
		return nil, fmt.Errorf("basemap version %d, want 1", data[4])
	}
	var h [8]float64
	for i := range h {
		h[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[5+8*i:]))
		if math.IsNaN(h[i]) || math.IsInf(h[i], 0) {
			return nil, fmt.Errorf("header number %d is %v", i+1, h[i])
		}
	}
	d := &basemapData{coverage: orb.Bound{Min: orb.Point{h[0], h[1]}, Max: orb.Point{h[2], h[3]}}}
	if d.coverage.Min[0] > d.coverage.Max[0] || d.coverage.Min[1] > d.coverage.Max[1] {
		return nil, fmt.Errorf("coverage %v is empty", d.coverage)
	}
	if h[4] <= 0 || h[5] <= 0 {
		return nil, fmt.Errorf("grid step %v, %v is not positive", h[4], h[5])
	}
	r := &basemapReader{data: data, off: header, grid: [4]float64{h[4], h[5], h[6], h[7]}}
	// Every point takes at least 2 bytes, so this slab holds all points in
	// one allocation (bar some of those closing rings).
	r.slab = make([]orb.Point, 0, (len(data)-header)/2)
	n, err := r.count("countries", 1)
	if err != nil {
		return nil, err
	}
	d.countries = make([]basemapCountry, n)
	for i := range d.countries {
		c := &d.countries[i]
		if c.name, err = r.name(); err != nil {
			return nil, fmt.Errorf("country %d: %w", i, err)
		}
		np, err := r.count("polygons", 1)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		c.polys = make([]boundedPolygon, np)
		for j := range c.polys {
			nr, err := r.count("rings", 1)
			if err != nil {
				return nil, fmt.Errorf("%s polygon %d: %w", c.name, j, err)
			}
			if nr == 0 {
				return nil, fmt.Errorf("%s polygon %d: no rings", c.name, j)
			}
			p := &c.polys[j]
			p.poly = make(orb.Polygon, nr)
			for k := range p.poly {
				ps, b, err := r.points(3, true)
				if err != nil {
					return nil, fmt.Errorf("%s polygon %d ring %d: %w", c.name, j, k, err)
				}
				p.poly[k] = orb.Ring(ps)
				if k == 0 {
					p.bound = b
				}
			}
		}
	}
	if n, err = r.count("borders", 1); err != nil {
		return nil, err
	}
	d.borders = make([]boundedLine, n)
	for i := range d.borders {
		ps, b, err := r.points(2, false)
		if err != nil {
			return nil, fmt.Errorf("border %d: %w", i, err)
		}
		d.borders[i] = boundedLine{bound: b, line: orb.LineString(ps)}
	}
	if r.off != len(data) {
		return nil, fmt.Errorf("%d bytes after the borders", len(data)-r.off)
	}
	return d, nil
}

// basemapReader reads the compact form from data[off:]; x, y is the last
// point read, on the grid; points are cut from slab.
type basemapReader struct {
	data []byte
	off  int
	grid [4]float64
	x, y int64
	slab []orb.Point
}

// count reads a count of items that take at least size bytes each, so a
// corrupt count cannot ask for more memory than the data could fill.
func (r *basemapReader) count(what string, size int) (int, error) {
	v, n := binary.Uvarint(r.data[r.off:])
	if n <= 0 {
		return 0, fmt.Errorf("%s: bad count at byte %d", what, r.off)
	}
	r.off += n
	if v > uint64((len(r.data)-r.off)/size) {
		return 0, fmt.Errorf("%s: count %d at byte %d is more than the data holds", what, v, r.off-n)
	}
	return int(v), nil
}

func (r *basemapReader) name() (string, error) {
	n, err := r.count("name", 1)
	if err != nil {
		return "", err
	}
	s := r.data[r.off : r.off+n]
	if !utf8.Valid(s) {
		return "", fmt.Errorf("name at byte %d is not UTF-8", r.off)
	}
	r.off += n
	return string(s), nil
}

func (r *basemapReader) varint() (int64, error) {
	v, n := binary.Varint(r.data[r.off:])
	if n <= 0 {
		return 0, fmt.Errorf("bad number at byte %d", r.off)
	}
	r.off += n
	return v, nil
}

// points reads a run of at least least points, closing it when ring, and
// returns it with its bound.
func (r *basemapReader) points(least int, ring bool) ([]orb.Point, orb.Bound, error) {
	n, err := r.count("points", 2)
	if err != nil {
		return nil, orb.Bound{}, err
	}
	if n < least {
		return nil, orb.Bound{}, fmt.Errorf("%d points, want at least %d", n, least)
	}
	want := n
	if ring {
		want++
	}
	if cap(r.slab)-len(r.slab) < want {
		// the points closing rings can overrun the slab a little
		r.slab = make([]orb.Point, 0, max(want, 1024))
	}
	start := len(r.slab)
	r.slab = r.slab[:start+n]
	ps := r.slab[start : start+n : start+want]
	var b orb.Bound
	for i := range ps {
		dx, err := r.varint()
		if err != nil {
			return nil, orb.Bound{}, err
		}
		dy, err := r.varint()
		if err != nil {
			return nil, orb.Bound{}, err
		}
		r.x += dx
		r.y += dy
		p := orb.Point{r.grid[2] + r.grid[0]*float64(r.x), r.grid[3] + r.grid[1]*float64(r.y)}
		// a hair of slack: grid origins and steps are rounded decimals
		if !(p[0] >= -180.001 && p[0] <= 180.001 && p[1] >= -90.001 && p[1] <= 90.001) {
			return nil, orb.Bound{}, fmt.Errorf("point %v at byte %d is off the world", p, r.off)
		}
		ps[i] = p
		if i == 0 {
			b = orb.Bound{Min: p, Max: p}
		} else {
			b.Min[0], b.Min[1] = min(b.Min[0], p[0]), min(b.Min[1], p[1])
			b.Max[0], b.Max[1] = max(b.Max[0], p[0]), max(b.Max[1], p[1])
		}
	}
	if ring {
		ps = append(ps, ps[0])
		r.slab = r.slab[:start+want]
	}
	return ps, b, nil
}

func newBasemapScale(d *basemapData) *basemapScale {
	s := &basemapScale{coverage: d.coverage, borders: d.borders}
	for _, c := range d.countries {
		s.polygons = append(s.polygons, c.polys...)
	}
	return s
}

// basemapLabelSize returns the font size of names at zoom z, scale 1.
func basemapLabelSize(z int) float64 { return float64(8 + z) }

// basemapFace returns a face for names at zoom z and scale. Faces cache
// glyphs, so each render takes its own; 64 entries keep that cheap.
func basemapFace(f *truetype.Font, z, scale int) font.Face {
	return truetype.NewFace(f, &truetype.Options{
		Size:              basemapLabelSize(z) * float64(scale),
		Hinting:           font.HintingNone, // advances scale with size, so scale 2 matches scale 1
		GlyphCacheEntries: 64,
	})
}

// placeBasemapLabels decides once, for the whole world, which names each zoom
// shows and where: at a point inside the country's largest polygon, only
// if the name fits the polygon's extent, and never over a name already
// placed, larger countries first. Deciding globally rather than per tile
// is what makes a name cut by a tile edge appear in both tiles.
func placeBasemapLabels(countries []basemapCountry, f *truetype.Font) [basemapLabelMaxZoom - basemapLabelMinZoom + 1][]basemapLabel {
	type candidate struct {
		name  string
		at    orb.Point
		bound orb.Bound
		area  float64
	}
	var cs []candidate
	for _, c := range countries {
		best, bestArea := -1, 0.0
		for i, p := range c.polys {
			if a := math.Abs(planar.Area(p.poly)); a > bestArea {
				best, bestArea = i, a
			}
		}
		if best < 0 || c.name == "" {
			continue
		}
		p := c.polys[best]
		cs = append(cs, candidate{c.name, polygonLabelPoint(p.poly), p.bound, bestArea})
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].area != cs[j].area {
			return cs[i].area > cs[j].area
		}
		return cs[i].name < cs[j].name
	})
	var out [basemapLabelMaxZoom - basemapLabelMinZoom + 1][]basemapLabel
	for z := basemapLabelMinZoom; z <= basemapLabelMaxZoom; z++ {
		world := float64(TileSize) * math.Exp2(float64(z))
		face := basemapFace(f, z, 1)
		h := basemapLabelSize(z) * 1.4
		const gap = 6 // pixels between names
		var placed []orb.Bound
		for _, c := range cs {
			w := float64(font.MeasureString(face, c.name)) / 64
			x0, y0 := Project(orb.Point{c.bound.Min[0], c.bound.Max[1]}, world)
			x1, y1 := Project(orb.Point{c.bound.Max[0], c.bound.Min[1]}, world)
			if w > 1.2*(x1-x0) || h > 1.5*(y1-y0) {
				continue // the name would cover more than its country
			}
			x, y := Project(c.at, world)
			box := orb.Bound{Min: orb.Point{x - w/2 - gap, y - h/2 - gap}, Max: orb.Point{x + w/2 + gap, y + h/2 + gap}}
			clear := true
			for _, pb := range placed {
				if pb.Intersects(box) {
					clear = false
					break
				}
			}
			if clear {
				placed = append(placed, box)
				out[z-basemapLabelMinZoom] = append(out[z-basemapLabelMinZoom], basemapLabel{c.name, x, y, w, h})
			}
		}
		_ = face.Close()
	}
	return out
}

// polygonLabelPoint returns a point inside p to put its name on: the centroid if
// it falls inside (it does for most countries), else the middle of the
// widest stretch of p along the centroid's latitude, or the bound's.
func polygonLabelPoint(p orb.Polygon) orb.Point {
	c, _ := planar.CentroidArea(p)
	if planar.PolygonContains(p, c) {
		return c
	}
	for _, y := range []float64{c[1], p.Bound().Center()[1]} {
		var xs []float64
		for _, r := range p {
			for i := 1; i < len(r); i++ {
				a, b := r[i-1], r[i]
				if (a[1] <= y) != (b[1] <= y) {
					xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
				}
			}
		}
		sort.Float64s(xs)
		best, bestW := orb.Point{}, 0.0
		for i := 0; i+1 < len(xs); i += 2 {
			if w := xs[i+1] - xs[i]; w > bestW {
				best, bestW = orb.Point{(xs[i] + xs[i+1]) / 2, y}, w
			}
		}
		if bestW > 0 {
			return best
		}
	}
	return p[0][0]
}

// scaleFor returns the scale to draw zoom z with, for a tile of bound b:
// 110m to zoom 2, 50m at 3 and 4, 10m deeper where it covers b.
func (b *Basemap) scaleFor(z maptile.Zoom, bound orb.Bound) *basemapScale {
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

// basemapBorderWidth returns the width of borders at zoom z, scale 1.
func basemapBorderWidth(z maptile.Zoom) float64 {
	switch {
	case z <= 4:
		return 0.8
	case z <= 7:
		return 1.1
	}
	return 1.5
}

// Render draws tile t of the basemap as a PNG of TileSize*scale pixels a
// side (scale 1 or 2): sea, land, country borders and, from zoom 3 to 6,
// country names. The same tile gives the same bytes on every call.
func (b *Basemap) Render(t maptile.Tile, scale int) ([]byte, error) {
	if err := Validate(t, MaxZoom); err != nil {
		return nil, fmt.Errorf("basemap tile: %w", err)
	}
	if scale != 1 && scale != 2 {
		return nil, fmt.Errorf("basemap tile: scale %d, want 1 or 2", scale)
	}
	size := TileSize * scale
	s := float64(scale)
	// Shapes are cut a few pixels beyond the tile, so their cut edges and
	// the strokes along them fall outside it.
	pr := NewProjector(t, size)
	bound := pr.Bound(4 * s)
	bound.Min[1] = math.Max(bound.Min[1], -MaxLatitude)
	bound.Max[1] = math.Min(bound.Max[1], MaxLatitude)
	sc := b.scaleFor(t.Z, bound)
	d := basemapDrawer{
		dc:     gg.NewContext(size, size),
		pr:     pr,
		bound:  bound,
		border: basemapBorderWidth(t.Z) * s,
	}
	d.dc.SetColor(BasemapSea)
	d.dc.Clear()

	for i := range sc.polygons {
		if p := &sc.polygons[i]; p.bound.Intersects(bound) {
			d.polygon(p)
		}
	}
	d.dc.SetColor(BasemapLand)
	d.dc.Fill()

	for i := range sc.borders {
		if l := &sc.borders[i]; l.bound.Intersects(bound) {
			d.line(l)
		}
	}
	d.dc.SetColor(BasemapBorder)
	d.dc.SetLineWidth(d.border)
	d.dc.SetLineCapRound()
	d.dc.SetLineJoinRound()
	d.dc.Stroke()

	if z := int(t.Z); z >= basemapLabelMinZoom && z <= basemapLabelMaxZoom {
		d.labels(b.font, b.labels[z-basemapLabelMinZoom], z, scale)
	}

	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, d.dc.Image()); err != nil {
		return nil, fmt.Errorf("encode basemap png %d/%d/%d: %w", t.Z, t.X, t.Y, err)
	}
	return buf.Bytes(), nil
}

// basemapDrawer draws one tile, projected by pr; bound is the padded
// tile in lon/lat. scratch is the drawer's own copy of a ring to clip, since
// clip.Ring works in place and the basemap's rings are shared.
type basemapDrawer struct {
	dc      *gg.Context
	pr      Projector
	bound   orb.Bound
	border  float64
	scratch orb.Ring
}

// polygon adds p to the path, cut to the padded tile if it reaches beyond.
func (d *basemapDrawer) polygon(p *boundedPolygon) {
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
func (d *basemapDrawer) line(l *boundedLine) {
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
func (d *basemapDrawer) trace(ps []orb.Point) {
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
// which is slower and blurrier.
func (d *basemapDrawer) labels(f *truetype.Font, ls []basemapLabel, z, scale int) {
	s := float64(scale)
	size := float64(TileSize * scale)
	im, ok := d.dc.Image().(*image.RGBA)
	if !ok {
		return // gg always draws on *image.RGBA
	}
	ox, oy := d.pr.Origin()
	dr := font.Drawer{Dst: im}
	halo, text := image.NewUniform(BasemapHalo), image.NewUniform(BasemapLabel)
	for _, l := range ls {
		margin := 2 * s
		if l.x*s+l.w*s/2+margin < ox || l.x*s-l.w*s/2-margin > ox+size ||
			l.y*s+l.h*s/2+margin < oy || l.y*s-l.h*s/2-margin > oy+size {
			continue
		}
		if dr.Face == nil {
			dr.Face = basemapFace(f, z, scale)
		}
		w := float64(dr.MeasureString(l.name)) / 64
		// baseline: centred on the cap height, about 0.7 of the font size
		x := int(math.Round(l.x*s-w/2) - ox)
		y := int(math.Round(l.y*s+0.35*basemapLabelSize(z)*s) - oy)
		dr.Src = halo
		for _, o := range [8][2]int{{-1, -1}, {0, -1}, {1, -1}, {-1, 0}, {1, 0}, {-1, 1}, {0, 1}, {1, 1}} {
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
