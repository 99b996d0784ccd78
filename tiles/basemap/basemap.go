package basemap

import (
	"fmt"

	"github.com/golang/freetype/truetype"
	"github.com/paulmach/orb"
	"golang.org/x/image/font/gofont/goregular"
)

// Basemap is Natural Earth's land, borders and country names at three
// scales, ready to render. It is read-only once loaded, so Render may be
// called from many goroutines at once.
type Basemap struct {
	scales [3]*scale // 110m, 50m, 10m
	labels [labelMaxZoom - labelMinZoom + 1][]label
	font   *truetype.Font
}

// scale is one scale of the data, flattened for drawing.
type scale struct {
	coverage orb.Bound
	polygons []boundedPolygon
	borders  []boundedLine
}

// boundedPolygon is a polygon with the bound of its exterior ring.
type boundedPolygon struct {
	bound orb.Bound
	poly  orb.Polygon
}

// boundedLine is a border with its bound.
type boundedLine struct {
	bound orb.Bound
	line  orb.LineString
}

// Load decodes the three scales of Natural Earth's countries, basemap
// files (format.go) at 1:110m, 1:50m and 1:10m, and places the country
// names of every labelled zoom.
func Load(b110m, b50m, b10m []byte) (*Basemap, error) {
	f, err := truetype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("parse basemap font: %w", err)
	}
	b := &Basemap{font: f}
	var mid *Data
	for i, s := range []struct {
		name string
		file []byte
	}{{"110m", b110m}, {"50m", b50m}, {"10m", b10m}} {
		raw, err := gunzip(s.file)
		if err != nil {
			return nil, fmt.Errorf("basemap %s: %w", s.name, err)
		}
		d, bounds, err := decode(raw)
		if err != nil {
			return nil, fmt.Errorf("basemap %s: %w", s.name, err)
		}
		b.scales[i] = newScale(d, bounds)
		if i == 1 {
			mid = d
		}
	}
	// Names are placed from 50m, which covers the world, so a name stays
	// put as the scale changes under it.
	b.labels = placeLabels(mid.Countries, f)
	return b, nil
}

// newScale flattens d for drawing; bounds are decode's, one for each
// polygon then one for each border.
func newScale(d *Data, bounds []orb.Bound) *scale {
	s := &scale{coverage: d.Coverage, borders: make([]boundedLine, len(d.Borders)),
		polygons: make([]boundedPolygon, 0, len(bounds)-len(d.Borders))}
	for _, c := range d.Countries {
		for _, p := range c.Polygons {
			s.polygons = append(s.polygons, boundedPolygon{bound: bounds[0], poly: p})
			bounds = bounds[1:]
		}
	}
	for i, l := range d.Borders {
		s.borders[i] = boundedLine{bound: bounds[i], line: l}
	}
	return s
}
