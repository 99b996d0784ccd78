package basemap

import (
	"fmt"

	"github.com/incidentmap/incidentmap/tiles/arabic"
)

// Lang is the language a tile names towns and rivers in.
type Lang int

const (
	// English names every place as GeoNames and Natural Earth spell it.
	English Lang = iota
	// Arabic names countries, towns and rivers in Arabic where the data
	// has their Arabic name, and in English elsewhere.
	Arabic
)

// arabicScale is how much larger than a Latin name an Arabic one is
// drawn: at one size, Arabic letters' bodies are smaller than Latin
// capitals.
const arabicScale = 1.15

// A river's Arabic name reaches this far above and below the baseline,
// as fractions of the Latin size (the tallest of the three, alef and
// lam, and jeem's tail, with room), and an Arabic name's middle is this
// high above it: towns' names are measured one by one, as their marks
// (hamza, shadda, harakat) make some much taller than others.
const (
	arabicAscent  = 0.95
	arabicDescent = 0.45
	arabicMiddle  = 0.3
)

// arabicNames is how the Arabic map names places: each place's and
// river's Arabic name shaped (a major city's in bold), with no glyphs
// where it has none, and the labels placed with their widths.
type arabicNames struct {
	places      []arabic.Text
	rivers      []arabic.Text
	countries   map[string]countryText // by English name
	labels      [labelMaxZoom - labelMinZoom + 1][]label
	placeLabels [placeMaxZoom - placeMinZoom + 1][]placeLabel
	riverLabels [placeMaxZoom - riverMinLabelZoom + 1][]riverLabel
}

// countryText is a country's Arabic name shaped, and how far its ink
// reaches above and below its baseline, as fractions of its size.
type countryText struct {
	text            arabic.Text
	ascent, descent float64
}

// shapeCountryNames shapes the countries' Arabic names (by English name)
// that f can draw.
func shapeCountryNames(names map[string]string, f *arabic.Font) map[string]countryText {
	out := map[string]countryText{}
	for en, ar := range names {
		if !f.Covers(ar) {
			continue
		}
		t := f.Shape(ar)
		asc, desc := t.Extent()
		out[en] = countryText{t, asc, desc}
	}
	return out
}

// countrySize is the size, in pixels to the em at scale 1, of a
// country's Arabic name at zoom z.
func countrySize(z int) float64 { return labelSize(z) * arabicScale }

// countryMeasure measures the countries' names as the Arabic map draws
// them: in Arabic where they have an Arabic name, as latin measures them
// elsewhere. A name's box reaches as far above and below its middle as
// its ink does from its baseline (countryText.baseline).
func (a *arabicNames) countryMeasure(latin measure) measure {
	return func(name string, z int) (float64, float64) {
		c, ok := a.countries[name]
		if !ok {
			return latin(name, z)
		}
		size := countrySize(z)
		return c.text.Width(size), (c.ascent + c.descent) * size
	}
}

// baseline returns how far below its box's middle c's baseline is, at
// size: its ink then reaches the box's top and bottom alike.
func (c countryText) baseline(size float64) float64 {
	return (c.ascent - c.descent) / 2 * size
}

// arabicFonts are the fonts Arabic names are drawn in: regular for towns
// and rivers (Arabic has no italic), bold for major cities.
type arabicFonts struct{ regular, bold *arabic.Font }

func loadArabicFonts() (arabicFonts, error) {
	r, err := arabic.Regular()
	if err != nil {
		return arabicFonts{}, fmt.Errorf("basemap arabic font: %w", err)
	}
	bold, err := arabic.Bold()
	if err != nil {
		return arabicFonts{}, fmt.Errorf("basemap arabic font: %w", err)
	}
	return arabicFonts{regular: r, bold: bold}, nil
}

// shapeArabicNames shapes the places' and rivers' Arabic names that the
// fonts can draw; latin are the English names' metrics, kept for the
// places with none.
func shapeArabicNames(places []Place, rivers []boundedRiver, fonts arabicFonts, latin nameMetrics) (arabicNames, nameMetrics) {
	a := arabicNames{places: make([]arabic.Text, len(places)), rivers: make([]arabic.Text, len(rivers))}
	m := nameMetrics{places: make([]float64, len(places)), ascents: make([]float64, len(places)), descents: make([]float64, len(places)),
		rivers: make([]float64, len(rivers)), mid: arabicMiddle, riverHeight: (arabicAscent + arabicDescent) * riverSize}
	for i, p := range places {
		m.places[i], m.ascents[i], m.descents[i] = latin.places[i], latin.ascents[i], latin.descents[i]
		f, size := fonts.regular, float64(townSize)
		if isMajor(p) {
			f, size = fonts.bold, majorSize
		}
		if p.NameAr == "" || !f.Covers(p.NameAr) {
			continue
		}
		a.places[i] = f.Shape(p.NameAr)
		m.places[i] = a.places[i].Width(size * arabicScale)
		asc, desc := a.places[i].Extent()
		m.ascents[i], m.descents[i] = asc*size*arabicScale, desc*size*arabicScale
	}
	for i, r := range rivers {
		m.rivers[i] = latin.rivers[i]
		if r.name == "" || r.nameAr == "" || !fonts.regular.Covers(r.nameAr) {
			continue
		}
		a.rivers[i] = fonts.regular.Shape(r.nameAr)
		m.rivers[i] = a.rivers[i].Width(riverSize * arabicScale)
	}
	return a, m
}
