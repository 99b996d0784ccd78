package basemap

import (
	"fmt"
	"sync"

	"github.com/golang/freetype/truetype"
	"github.com/paulmach/orb"
	"golang.org/x/image/font/gofont/goregular"
)

// Basemap is Natural Earth's land, borders and country names at three
// scales, GeoNames' towns and cities, and rivers and lakes, ready to
// render. It is read-only once loaded, so Render may be called from many
// goroutines at once.
type Basemap struct {
	scales [3]*scale // 110m, 50m, 10m
	labels [labelMaxZoom - labelMinZoom + 1][]label
	// countries and capitals are what the country names are placed
	// among (placeLabels), kept for the Arabic map's.
	countries []Country
	capitals  []orb.Point
	font      *truetype.Font
	fonts     placeFonts
	faces     nameFaces

	places      []Place
	names       []string // the places' names as the fonts draw them
	placeLabels [placeMaxZoom - placeMinZoom + 1][]placeLabel
	rivers      []boundedRiver
	riverLabels [placeMaxZoom - riverMinLabelZoom + 1][]riverLabel
	lakes       []boundedPolygon

	// ar is the Arabic map's names and their labels (the fields above
	// are the English map's), shaped and placed when first asked for
	// (arabic): a third of a load, which a server that is never asked
	// for Arabic tiles need not spend at start-up.
	ar *lazyArabic
}

// lazyArabic is the Arabic map's names, made once, when first asked for,
// from the fonts and the English names' metrics.
type lazyArabic struct {
	once      sync.Once
	names     arabicNames
	fonts     arabicFonts
	latin     nameMetrics
	countries map[string]string // Arabic names, by English name
}

// arabic returns the Arabic map's names and labels, shaping and placing
// them the first time it is called.
func (b *Basemap) arabic() *arabicNames {
	a := b.ar
	a.once.Do(func() {
		var am nameMetrics
		a.names, am = shapeArabicNames(b.places, b.rivers, a.fonts, a.latin)
		a.names.countries = shapeCountryNames(a.countries, a.fonts.regular)
		a.names.labels = placeLabels(b.countries, b.capitals, a.names.countryMeasure(latinMeasure(b.font)))
		a.names.placeLabels, a.names.riverLabels = placeNames(b.places, b.rivers, &a.names.labels, am)
	})
	return &a.names
}

// labelsIn returns, by zoom, the names the map in lang draws (Render) and
// lists (Names): the countries', the towns' and the rivers'.
func (b *Basemap) labelsIn(lang Lang) (*[labelMaxZoom - labelMinZoom + 1][]label,
	*[placeMaxZoom - placeMinZoom + 1][]placeLabel, *[placeMaxZoom - riverMinLabelZoom + 1][]riverLabel) {
	if lang == Arabic {
		a := b.arabic()
		return &a.labels, &a.placeLabels, &a.riverLabels
	}
	return &b.labels, &b.placeLabels, &b.riverLabels
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

// Files are the basemap's data files, each in its format: the countries
// at 1:110m, 1:50m and 1:10m (format.go), the places (places.go) and the
// rivers and lakes (water.go). Package fixtures embeds them.
type Files struct {
	Countries110m, Countries50m, Countries10m []byte
	Places, Water                             []byte
	// CountryNamesAr are the countries' Arabic names (countrynames.go).
	CountryNamesAr []byte
}

// Load decodes the basemap's files and places the names of every
// labelled zoom of the English map: countries, towns and rivers. Those
// of the Arabic map are placed when it is first drawn.
func Load(files Files) (*Basemap, error) {
	f, err := truetype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("parse basemap font: %w", err)
	}
	fonts, err := parsePlaceFonts(f)
	if err != nil {
		return nil, err
	}
	b := &Basemap{font: f, fonts: fonts, faces: newNameFaces(fonts)}
	var mid *Data
	for i, s := range []struct {
		name string
		file []byte
	}{{"110m", files.Countries110m}, {"50m", files.Countries50m}, {"10m", files.Countries10m}} {
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
	if b.places, err = DecodePlaces(files.Places); err != nil {
		return nil, fmt.Errorf("basemap places: %w", err)
	}
	w, err := DecodeWater(files.Water)
	if err != nil {
		return nil, fmt.Errorf("basemap water: %w", err)
	}
	b.rivers = newRivers(w.Rivers)
	b.lakes = make([]boundedPolygon, len(w.Lakes))
	for i, p := range w.Lakes {
		b.lakes[i] = boundedPolygon{bound: p[0].Bound(), poly: p}
	}
	// Names are placed from 50m, which covers the world, so a name stays
	// put as the scale changes under it.
	b.countries = mid.Countries
	for _, p := range b.places {
		if p.Capital {
			b.capitals = append(b.capitals, p.Point)
		}
	}
	b.labels = placeLabels(b.countries, b.capitals, latinMeasure(f))
	b.names = make([]string, len(b.places))
	for i, p := range b.places {
		b.names[i] = displayName(p.Name, fonts.bold)
	}
	latin := latinMetrics(b.places, b.names, b.rivers, fonts)
	b.placeLabels, b.riverLabels = placeNames(b.places, b.rivers, &b.labels, latin)
	af, err := loadArabicFonts()
	if err != nil {
		return nil, err
	}
	countriesAr, err := DecodeCountryNames(files.CountryNamesAr)
	if err != nil {
		return nil, fmt.Errorf("basemap: %w", err)
	}
	b.ar = &lazyArabic{fonts: af, latin: latin, countries: countriesAr}
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
