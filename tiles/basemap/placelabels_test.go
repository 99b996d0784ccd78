package basemap

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestNamesOverBaghdad checks what a reader finds on the z7 tile holding
// Baghdad: the city named, and the Tigris and Euphrates drawn, with their
// Arabic names kept for later.
func TestNamesOverBaghdad(t *testing.T) {
	b := testBasemap(t)
	tile := maptile.At(baghdad, 7)
	names := b.Names(tile, English)
	got := map[string]TileName{}
	for _, n := range names {
		got[n.Kind+" "+n.Name] = n
	}
	for _, want := range []TileName{
		{Kind: "place", Name: "Baghdad", NameAr: "بغداد", Labelled: true},
		{Kind: "place", Name: "Al Fallūjah", NameAr: "الفلوجة", Labelled: true},
		{Kind: "river", Name: "Tigris", NameAr: "دجلة"},
		{Kind: "river", Name: "Euphrates", NameAr: "الفرات"},
	} {
		n, ok := got[want.Kind+" "+want.Name]
		if !ok {
			t.Errorf("z7 %v: no %s %q in %+v", tile, want.Kind, want.Name, names)
			continue
		}
		if n.NameAr != want.NameAr || want.Labelled && !n.Labelled {
			t.Errorf("z7 %v: %+v, want %+v", tile, n, want)
		}
	}
}

// TestIraqNamedAtZoom7 checks the towns a reader of incidents in Anbar
// needs are named from zoom 7 to 10, and both great rivers in Iraq.
func TestIraqNamedAtZoom7(t *testing.T) {
	b := testBasemap(t)
	for z := 7; z <= 10; z++ {
		named := map[string]bool{}
		for _, l := range b.placeLabels[z-placeMinZoom] {
			named[b.places[l.place].Name] = true
		}
		for _, n := range []string{"Baghdad", "Ramadi", "Al Fallūjah", "Abū Ghurayb", "Hīt"} {
			if !named[n] {
				t.Errorf("%s is not named at z%d", n, z)
			}
		}
		if z == 7 {
			for _, n := range []string{"Mosul", "Basrah", "Karbala", "Najaf"} {
				if !named[n] {
					t.Errorf("%s is not named at z7", n)
				}
			}
		}
	}
	// at z6 the names may fall in Syria or Turkey; deeper, Iraq has room
	iraq := orb.Bound{Min: orb.Point{38.8, 29}, Max: orb.Point{48.6, 37.4}}
	for z := 7; z <= 10; z++ {
		world := float64(int(256) << z)
		rivers := map[string]bool{}
		for _, l := range b.riverLabels[z-riverMinLabelZoom] {
			p := unprojectForTest(l.x, l.y, world)
			if iraq.Contains(p) {
				rivers[l.name] = true
			}
		}
		for _, n := range []string{"Tigris", "Euphrates"} {
			if !rivers[n] {
				t.Errorf("the %s is not named in Iraq at z%d", n, z)
			}
		}
	}
}

// TestCapitalsNamed checks the region's capitals are named at every zoom
// from 5 to 10, country names making way for them.
func TestCapitalsNamed(t *testing.T) {
	b := testBasemap(t)
	for z := 5; z <= 10; z++ {
		named := map[string]bool{}
		for _, l := range b.placeLabels[z-placeMinZoom] {
			named[b.places[l.place].Name] = true
		}
		for _, c := range []string{"Baghdad", "Damascus", "Amman", "Beirut", "Riyadh", "Tehran", "Ankara", "Kuwait City"} {
			if !named[c] {
				t.Errorf("%s is not named at z%d", c, z)
			}
		}
	}
}

// TestLabelsDoNotOverlap checks, at every zoom, that no two names (towns
// with their dots, countries, rivers) overlap.
func TestLabelsDoNotOverlap(t *testing.T) {
	b := testBasemap(t)
	for _, lang := range []struct {
		name      string
		countries *[labelMaxZoom - labelMinZoom + 1][]label
		places    *[placeMaxZoom - placeMinZoom + 1][]placeLabel
		rivers    *[placeMaxZoom - riverMinLabelZoom + 1][]riverLabel
	}{{"en", &b.labels, &b.placeLabels, &b.riverLabels}, {"ar", &b.arabic().labels, &b.arabic().placeLabels, &b.arabic().riverLabels}} {
		for z := placeMinZoom; z <= placeMaxZoom; z++ {
			// each name is one or two boxes (a town's dot and name)
			type named struct {
				name  string
				boxes []orb.Bound
			}
			var all []named
			if z <= labelMaxZoom {
				for _, l := range lang.countries[z-labelMinZoom] {
					all = append(all, named{l.name, []orb.Bound{l.box()}})
				}
			}
			for _, l := range lang.places[z-placeMinZoom] {
				all = append(all, named{b.places[l.place].Name, []orb.Bound{l.dot, l.text}})
			}
			if z >= riverMinLabelZoom {
				for _, l := range lang.rivers[z-riverMinLabelZoom] {
					all = append(all, named{l.name, []orb.Bound{l.box}})
				}
			}
			c := newCollider()
			for _, n := range all {
				var in []orb.Bound
				for _, b := range n.boxes {
					// shrunk by a hair: boxes that only touch do not overlap
					in = append(in, orb.Bound{Min: orb.Point{b.Min[0] + 0.01, b.Min[1] + 0.01}, Max: orb.Point{b.Max[0] - 0.01, b.Max[1] - 0.01}})
				}
				for _, b := range in {
					if c.hits(b) {
						t.Errorf("%s z%d: %q overlaps a name placed before it", lang.name, z, n.name)
					}
				}
				for _, b := range in {
					c.add(b)
				}
			}
			if len(all) < 100 {
				t.Errorf("%s z%d: only %d names", lang.name, z, len(all))
			}
		}
	}
}

// TestPlacementDeterministic loads the basemap twice: the same names in
// the same places, byte for byte.
func TestPlacementDeterministic(t *testing.T) {
	a := testBasemap(t)
	b, err := loadFixtures()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.placeLabels, b.placeLabels) || !reflect.DeepEqual(a.riverLabels, b.riverLabels) || !reflect.DeepEqual(a.labels, b.labels) ||
		!reflect.DeepEqual(a.arabic().placeLabels, b.arabic().placeLabels) || !reflect.DeepEqual(a.arabic().riverLabels, b.arabic().riverLabels) {
		t.Error("two loads place names differently")
	}
}

// TestZoomingInKeepsTowns checks most towns named at a zoom are named at
// the next: the map does not reshuffle as it zooms in.
func TestZoomingInKeepsTowns(t *testing.T) {
	b := testBasemap(t)
	for z := placeMinZoom; z < placeMaxZoom; z++ {
		next := map[int]bool{}
		for _, l := range b.placeLabels[z+1-placeMinZoom] {
			next[l.place] = true
		}
		kept, n := 0, len(b.placeLabels[z-placeMinZoom])
		for _, l := range b.placeLabels[z-placeMinZoom] {
			if next[l.place] {
				kept++
			}
		}
		if kept < n*95/100 {
			t.Errorf("z%d→z%d: %d of %d towns kept", z, z+1, kept, n)
		}
	}
}

func TestDisplayName(t *testing.T) {
	f := testBasemap(t).fonts.bold
	for in, want := range map[string]string{
		"Baghdad":         "Baghdad",
		"Al Ḩasakah":      "Al Hasakah",     // Ḩ is not in the Go fonts
		"Sarpol-e Z̄ahāb": "Sarpol-e Zahāb", // a combining macron is dropped
		"Al Fallūjah":     "Al Fallūjah",    // ū is
		"Şanlıurfa":       "Şanlıurfa",
	} {
		if got := displayName(in, f); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
}

// unprojectForTest is Web Mercator's inverse, for the tests.
func unprojectForTest(x, y, world float64) orb.Point {
	lat := math.Atan(math.Sinh(math.Pi*(1-2*y/world))) * 180 / math.Pi
	return orb.Point{x/world*360 - 180, lat}
}

func ExampleBasemap_Names() {
	b, err := loadFixtures()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range b.Names(maptile.At(orb.Point{43.30, 33.42}, 9), English) {
		fmt.Println(n.Kind, n.Name, n.NameAr, n.Labelled)
	}
	// Output:
	// place Ramadi الرمادي true
	// river Euphrates الفرات true
}
