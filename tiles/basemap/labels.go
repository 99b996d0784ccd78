package basemap

import (
	"math"
	"sort"

	"github.com/golang/freetype/truetype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"golang.org/x/image/font"

	"github.com/incidentmap/incidentmap/tiles"
)

// Labels are drawn from zoom labelMinZoom to labelMaxZoom.
const (
	labelMinZoom = 3
	labelMaxZoom = 6
)

// label is a country name placed at one zoom, in global pixels at scale
// 1: centred on x, y, within w by h. name is the English name, which the
// Arabic map looks its own up by.
type label struct {
	name       string
	x, y, w, h float64
}

// box is where l's name is drawn, in global pixels at scale 1.
func (l label) box() orb.Bound {
	return orb.Bound{Min: orb.Point{l.x - l.w/2, l.y - l.h/2}, Max: orb.Point{l.x + l.w/2, l.y + l.h/2}}
}

// measure returns the width and height, in pixels at scale 1, that a
// country's name (named by its English name) takes at zoom z.
type measure func(name string, z int) (w, h float64)

// latinMeasure measures names as the English map draws them, in f. Its
// faces are never closed: a truetype face's Close does nothing.
func latinMeasure(f *truetype.Font) measure {
	var faces [labelMaxZoom - labelMinZoom + 1]font.Face
	for z := labelMinZoom; z <= labelMaxZoom; z++ {
		faces[z-labelMinZoom] = labelFace(f, z, 1)
	}
	return func(name string, z int) (float64, float64) {
		return float64(font.MeasureString(faces[z-labelMinZoom], name)) / 64, labelSize(z) * 1.4
	}
}

// labelSize returns the font size of names at zoom z, scale 1.
func labelSize(z int) float64 { return float64(8 + z) }

// labelFace returns a face for names at zoom z and scale. Faces cache
// glyphs, so each render takes its own; 64 entries keep that cheap.
func labelFace(f *truetype.Font, z, scale int) font.Face {
	return truetype.NewFace(f, &truetype.Options{
		Size:              labelSize(z) * float64(scale),
		Hinting:           font.HintingNone, // advances scale with size, so scale 2 matches scale 1
		GlyphCacheEntries: 64,
	})
}

// placeLabels decides once, for the whole world, which names each zoom
// shows and where: at a point inside the country's largest polygon, only
// if the name fits the polygon's extent, and never over a name already
// placed, larger countries first. Deciding globally rather than per tile
// is what makes a name cut by a tile edge appear in both tiles. A name
// that would cover a capital's dot (capitals, lon/lat) moves up or down by
// its height, once or twice, so that the capital keeps its place. The
// names take the room m says.
func placeLabels(countries []Country, capitals []orb.Point, m measure) [labelMaxZoom - labelMinZoom + 1][]label {
	type candidate struct {
		name  string
		at    orb.Point
		bound orb.Bound
		area  float64
	}
	var cs []candidate
	for _, c := range countries {
		best, bestArea := -1, 0.0
		for i, p := range c.Polygons {
			if a := math.Abs(planar.Area(p)); a > bestArea {
				best, bestArea = i, a
			}
		}
		if best < 0 || c.Name == "" {
			continue
		}
		p := c.Polygons[best]
		cs = append(cs, candidate{c.Name, polygonLabelPoint(p), p[0].Bound(), bestArea})
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].area != cs[j].area {
			return cs[i].area > cs[j].area
		}
		return cs[i].name < cs[j].name
	})
	var out [labelMaxZoom - labelMinZoom + 1][]label
	for z := labelMinZoom; z <= labelMaxZoom; z++ {
		world := float64(tiles.TileSize) * math.Exp2(float64(z))
		const gap = 6 // pixels between names
		var placed []orb.Bound
		dots := newCollider()
		for _, p := range capitals {
			x, y := tiles.Project(p, world)
			const r = 7 // a capital's ring and a little room
			dots.add(orb.Bound{Min: orb.Point{x - r, y - r}, Max: orb.Point{x + r, y + r}})
		}
		for _, c := range cs {
			w, h := m(c.name, z)
			x0, y0 := tiles.Project(orb.Point{c.bound.Min[0], c.bound.Max[1]}, world)
			x1, y1 := tiles.Project(orb.Point{c.bound.Max[0], c.bound.Min[1]}, world)
			if w > 1.2*(x1-x0) || h > 1.5*(y1-y0) {
				continue // the name would cover more than its country
			}
			x, y0 := tiles.Project(c.at, world)
			for _, dy := range []float64{0, h, -h, 2 * h, -2 * h} {
				y := y0 + dy
				box := orb.Bound{Min: orb.Point{x - w/2 - gap, y - h/2 - gap}, Max: orb.Point{x + w/2 + gap, y + h/2 + gap}}
				if dots.hits(box) {
					continue
				}
				clear := true
				for _, pb := range placed {
					if pb.Intersects(box) {
						clear = false
						break
					}
				}
				if clear {
					placed = append(placed, box)
					out[z-labelMinZoom] = append(out[z-labelMinZoom], label{c.name, x, y, w, h})
				}
				break
			}
		}
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
