package basemap

import (
	"maps"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/fixtures"
)

func TestCountryNamesRoundTrip(t *testing.T) {
	names := map[string]string{"Iraq": "العراق", "Syria": "سوريا", "Côte d'Ivoire": "ساحل العاج"}
	file, err := EncodeCountryNames(names)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Côte d'Ivoire\tساحل العاج\nIraq\tالعراق\nSyria\tسوريا\n"; string(file) != want {
		t.Errorf("encoded %q, want %q", file, want)
	}
	got, err := DecodeCountryNames(file)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, names) {
		t.Errorf("decoded %v, want %v", got, names)
	}
	for _, bad := range []map[string]string{{"": "x"}, {"Iraq": ""}, {"Ira\tq": "x"}, {"Iraq": "a\nb"}, {"Iraq": "\xff"}} {
		if _, err := EncodeCountryNames(bad); err == nil {
			t.Errorf("encoded %q", bad)
		}
	}
}

func TestDecodeCountryNamesRejects(t *testing.T) {
	for name, file := range map[string]string{
		"no tab":          "Iraq العراق\n",
		"two tabs":        "Iraq\tالعراق\tx\n",
		"no newline":      "Iraq\tالعراق",
		"empty name":      "Iraq\t\n",
		"empty line":      "Iraq\tالعراق\n\n",
		"out of order":    "Syria\tسوريا\nIraq\tالعراق\n",
		"twice":           "Iraq\tالعراق\nIraq\tالعراق\n",
		"not UTF-8":       "Iraq\t\xff\n",
		"carriage return": "Iraq\tالعراق\r\n",
		"name too long":   "Iraq\t" + strings.Repeat("ع", maxCountryName) + "\n",
		"file too large":  strings.Repeat("x", maxCountryNamesFile+1),
	} {
		if got, err := DecodeCountryNames([]byte(file)); err == nil {
			t.Errorf("%s: decoded %v", name, got)
		}
	}
}

// TestFixtureCountryNames checks the embedded Arabic names: Iraq's and
// its neighbours' as Arabic writes them, and every name a country of the
// file the labels are placed from.
func TestFixtureCountryNames(t *testing.T) {
	names, err := DecodeCountryNames(fixtures.BasemapCountriesAr)
	if err != nil {
		t.Fatal(err)
	}
	for en, ar := range map[string]string{"Iraq": "العراق", "Syria": "سوريا", "Jordan": "الأردن", "Iran": "إيران", "Turkey": "تركيا", "Saudi Arabia": "السعودية", "Kuwait": "الكويت"} {
		if names[en] != ar {
			t.Errorf("%s: %q, want %q", en, names[en], ar)
		}
	}
	raw, err := gunzip(fixtures.Basemap50m)
	if err != nil {
		t.Fatal(err)
	}
	mid, _, err := decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	countries := map[string]bool{}
	for _, c := range mid.Countries {
		countries[c.Name] = true
	}
	for en := range names {
		if !countries[en] {
			t.Errorf("%q is no country of the 1:50m file", en)
		}
	}
	if len(names) < len(countries)*9/10 {
		t.Errorf("%d Arabic names for %d countries", len(names), len(countries))
	}
}

func FuzzDecodeCountryNames(f *testing.F) {
	f.Add([]byte("Iraq\tالعراق\nSyria\tسوريا\n"))
	f.Add([]byte("Iraq\tالعراق"))
	f.Add([]byte("\t\n"))
	f.Add(fixtures.BasemapCountriesAr[:200])
	f.Fuzz(func(t *testing.T, file []byte) {
		names, err := DecodeCountryNames(file)
		if err != nil {
			return
		}
		// What decodes encodes to the same bytes: the form is canonical.
		again, err := EncodeCountryNames(names)
		if err != nil {
			t.Fatalf("decoded %v, which does not encode: %v", names, err)
		}
		if string(again) != string(file) {
			t.Fatalf("decoded %q, encoded again as %q", file, again)
		}
	})
}
