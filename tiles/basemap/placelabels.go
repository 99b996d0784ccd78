package basemap

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/golang/freetype/truetype"
	"github.com/paulmach/orb"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/text/unicode/norm"

	"github.com/incidentmap/incidentmap/tiles"
)

// Towns are named from zoom placeMinZoom to placeMaxZoom, the deepest
// zoom the basemap is served at; rivers from riverMinLabelZoom.
const (
	placeMinZoom      = 4
	placeMaxZoom      = 12
	riverMinLabelZoom = 6
)

// Sizes of names at scale 1, in points (pixels): towns, the major ones
// (capitals and cities of a million or more, in bold) and rivers.
const (
	townSize  = 11
	majorSize = 12
	riverSize = 11
	// majorPopulation is the population from which a city is major.
	majorPopulation = 1_000_000
)

// minPopulation returns the smallest place named at zoom z (capitals are
// named at every zoom): a place must be large enough for the zoom as well
// as find room, so that the desert between cities does not fill with
// villages at zoom 5.
func minPopulation(z int) int64 {
	switch {
	case z <= 4:
		return 2_000_000
	case z == 5:
		return 500_000
	case z == 6:
		return 150_000
	case z == 7:
		return 25_000 // Hīt and Ḩadīthah, on the Euphrates in Anbar
	case z == 8:
		return 10_000
	case z == 9:
		return 5_000
	case z == 10:
		return 2_000
	}
	return 0
}

// placeFonts are the faces' fonts: regular for towns, bold for major
// cities, italic for rivers.
type placeFonts struct {
	regular, bold, italic *truetype.Font
}

func parsePlaceFonts(regular *truetype.Font) (placeFonts, error) {
	bold, err := truetype.Parse(gobold.TTF)
	if err != nil {
		return placeFonts{}, fmt.Errorf("parse basemap bold font: %w", err)
	}
	italic, err := truetype.Parse(goitalic.TTF)
	if err != nil {
		return placeFonts{}, fmt.Errorf("parse basemap italic font: %w", err)
	}
	return placeFonts{regular: regular, bold: bold, italic: italic}, nil
}

// face returns a face of f at size and scale; see labelFace.
func face(f *truetype.Font, size float64, scale int) font.Face {
	return truetype.NewFace(f, &truetype.Options{
		Size:              size * float64(scale),
		Hinting:           font.HintingNone,
		GlyphCacheEntries: 64,
	})
}

// placeLabel is a town named at one zoom, in global pixels at scale 1:
// its dot at x, y, its name's baseline starting at tx, ty, the boxes the
// dot and the name take (with room around them), and their union.
type placeLabel struct {
	place          int // index in Basemap.places
	x, y           float64
	tx, ty         float64
	dot, text, box orb.Bound
	major          bool
}

// dotRadius returns the radius of a town's dot at scale 1; a capital's
// ring is dotRadius+2.
func dotRadius(z int) float64 {
	if z >= 8 {
		return 2.5
	}
	return 2
}

// dotBox returns the box p's dot takes at zoom z, with a pixel of room,
// in global pixels of a world world pixels a side.
func dotBox(p Place, z int, world float64) orb.Bound {
	x, y := tiles.Project(p.Point, world)
	r := dotRadius(z) + 1
	if p.Capital {
		r += 2
	}
	return orb.Bound{Min: orb.Point{x - r, y - r}, Max: orb.Point{x + r, y + r}}
}

// labelGap is the room, in pixels, kept between a dot and its name and
// around every name.
const labelGap = 2

// riverYieldPopulation is the population under which a town's name
// gives way to a great river's: the Euphrates is worth more to a reader
// than a village beside it.
const riverYieldPopulation = 100_000

// nameMetrics are the sizes of one language's names at scale 1, in
// pixels: each place's name's width and how far its ink reaches above
// and below the baseline, each river's width (0 for a river with no
// name) and the height of a river's name; mid is how high above the
// baseline a name's middle is, as a fraction of its font size.
type nameMetrics struct {
	places, ascents, descents []float64
	rivers                    []float64
	mid, riverHeight          float64
}

// latinMetrics measures names drawn with the Latin faces at scale 1:
// names are the places' display names.
func latinMetrics(places []Place, names []string, rivers []boundedRiver, fonts placeFonts) nameMetrics {
	town, major := face(fonts.regular, townSize, 1), face(fonts.bold, majorSize, 1)
	defer town.Close()
	defer major.Close()
	river := face(fonts.italic, riverSize, 1)
	defer river.Close()
	m := nameMetrics{places: make([]float64, len(places)), ascents: make([]float64, len(places)), descents: make([]float64, len(places)),
		rivers: make([]float64, len(rivers)), mid: 0.35, riverHeight: riverSize}
	for i, p := range places {
		f, size := town, float64(townSize)
		if isMajor(p) {
			f, size = major, majorSize
		}
		m.places[i] = float64(font.MeasureString(f, names[i])) / 64
		// Go's capitals and ascenders, and its descenders
		m.ascents[i], m.descents[i] = 0.75*size, 0.25*size
	}
	for i, r := range rivers {
		if r.name != "" {
			m.rivers[i] = float64(font.MeasureString(river, r.name)) / 64
		}
	}
	return m
}

// placeNames decides once, for the whole world, which towns and rivers
// each zoom names and where, around the country names already placed.
// Towns are placed in the places' order (capitals, then the most
// populous): a town large enough for the zoom is named if its dot, and
// its name on one of eight sides of the dot, overlap no name placed
// before it; of the sides that fit, the one that hides the fewest towns
// still to come. Towns named at the zoom above are placed first, so that
// zooming in keeps them. Cities of riverYieldPopulation or more come
// before the rivers (placeRivers), smaller towns after them. The same
// data give the same labels on every run.
func placeNames(places []Place, rivers []boundedRiver, countries *[labelMaxZoom - labelMinZoom + 1][]label, m nameMetrics) ([placeMaxZoom - placeMinZoom + 1][]placeLabel, [placeMaxZoom - riverMinLabelZoom + 1][]riverLabel) {
	widths := m.places
	var out [placeMaxZoom - placeMinZoom + 1][]placeLabel
	var riverOut [placeMaxZoom - riverMinLabelZoom + 1][]riverLabel
	var prev []bool
	for z := placeMinZoom; z <= placeMaxZoom; z++ {
		world := float64(tiles.TileSize) * math.Exp2(float64(z))
		c := newCollider()
		if z >= labelMinZoom && z <= labelMaxZoom {
			for _, l := range countries[z-labelMinZoom] {
				c.add(orb.Bound{Min: orb.Point{l.x - l.w/2, l.y - l.h/2}, Max: orb.Point{l.x + l.w/2, l.y + l.h/2}})
			}
		}
		// the dots of every town large enough for the zoom, so that a name
		// goes to the side where it hides the fewest of them
		dots := newCollider()
		for _, p := range places {
			if p.Capital || p.Population >= minPopulation(z) {
				dots.add(dotBox(p, z, world))
			}
		}
		placed := make([]bool, len(places))
		var labels []placeLabel
		try := func(i int) {
			p := places[i]
			if !p.Capital && p.Population < minPopulation(z) {
				return
			}
			x, y := tiles.Project(p.Point, world)
			r := dotRadius(z)
			if p.Capital {
				r += 2
			}
			dot := dotBox(p, z, world)
			if c.hits(dot) {
				return
			}
			size := float64(townSize)
			if isMajor(p) {
				size = majorSize
			}
			w := widths[i]
			asc, desc := m.ascents[i], m.descents[i]
			best, bestText, bestCover := [2]float64{}, orb.Bound{}, -1
			for _, at := range [8][2]float64{
				{x + r + labelGap, y + m.mid*size},     // right
				{x - r - labelGap - w, y + m.mid*size}, // left
				{x - w/2, y - r - labelGap - desc},     // above
				{x - w/2, y + r + labelGap + asc},      // below
				{x + r, y - r - desc},                  // above right
				{x + r, y + r + asc},                   // below right
				{x - r - w, y - r - desc},              // above left
				{x - r - w, y + r + asc},               // below left
			} {
				text := orb.Bound{Min: orb.Point{at[0] - labelGap, at[1] - asc - labelGap}, Max: orb.Point{at[0] + w + labelGap, at[1] + desc + labelGap}}
				if c.hits(text) {
					continue
				}
				// the side that hides the fewest towns still to come
				if n := dots.count(text); bestCover < 0 || n < bestCover {
					best, bestText, bestCover = at, text, n
				}
			}
			if bestCover < 0 {
				return
			}
			c.add(dot)
			c.add(bestText)
			placed[i] = true
			labels = append(labels, placeLabel{place: i, x: x, y: y, tx: best[0], ty: best[1],
				dot: dot, text: bestText, box: bestText.Union(dot), major: isMajor(p)})
		}
		// tryAll tries the towns big is true of: those named at the zoom
		// above first, then the rest.
		tryAll := func(big bool) {
			for i, p := range places {
				if (p.Capital || p.Population >= riverYieldPopulation) == big && prev != nil && prev[i] {
					try(i)
				}
			}
			for i, p := range places {
				if (p.Capital || p.Population >= riverYieldPopulation) == big && (prev == nil || !prev[i]) && !placed[i] {
					try(i)
				}
			}
		}
		tryAll(true)
		if z >= riverMinLabelZoom {
			riverOut[z-riverMinLabelZoom] = placeRivers(z, rivers, m, c, dots)
		}
		tryAll(false)
		out[z-placeMinZoom] = labels
		prev = placed
	}
	return out, riverOut
}

// isMajor reports whether p is named in bold: a capital, or a city of a
// million people or more.
func isMajor(p Place) bool { return p.Capital || p.Population >= majorPopulation }

// displayName returns name as the font can draw it: a letter the font
// lacks is replaced by its base letter (Ḩ by H, as NFD decomposes it), and
// combining marks, which the font would draw beside their letter rather
// than over it, are dropped.
func displayName(name string, f *truetype.Font) string {
	if !strings.ContainsFunc(name, func(r rune) bool { return f.Index(r) == 0 || unicode.Is(unicode.Mn, r) }) {
		return name
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Mn, r):
		case f.Index(r) != 0:
			b.WriteRune(r)
		default:
			for _, d := range norm.NFD.String(string(r)) {
				if !unicode.Is(unicode.Mn, d) && f.Index(d) != 0 {
					b.WriteRune(d)
				}
			}
		}
	}
	return b.String()
}
