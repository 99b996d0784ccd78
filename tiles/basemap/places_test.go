package basemap

import (
	"bytes"
	"math"
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/fixtures"
)

func TestPlacesRoundTrip(t *testing.T) {
	ps := []Place{
		{ID: 98182, Name: "Baghdad", NameAr: "بغداد", Country: "IQ", Population: 7216000, Capital: true, Point: orb.Point{44.40088, 33.34058}},
		{ID: 89570, Name: "Ramadi", NameAr: "الرمادي", Country: "IQ", Population: 274539, Point: orb.Point{43.30032, 33.41906}},
		{ID: 1, Name: "Nowhere", Country: "XX", Point: orb.Point{-179.99999, -89.5}},
	}
	file, err := EncodePlaces(ps)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodePlaces(file)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ps) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, ps)
	}
	again, err := EncodePlaces(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, again) {
		t.Error("encoding the decoded places gives other bytes")
	}
	if _, err := EncodePlaces([]Place{{Name: "X", Country: "IRQ"}}); err == nil {
		t.Error("a three-letter country encoded")
	}
}

func TestDecodePlacesRejects(t *testing.T) {
	good, err := EncodePlaces([]Place{{ID: 7, Name: "Hīt", Country: "IQ", Population: 60000, Point: orb.Point{42.83, 33.64}}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := gunzip(good)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"not places":  []byte("IMBM\x01\x00"),
		"version 2":   append([]byte("IMPL\x02"), raw[5:]...),
		"cut short":   raw[:len(raw)-1],
		"extra bytes": append(append([]byte{}, raw...), 0),
		"off world":   append(append([]byte{}, raw[:len(raw)-2]...), 0x80, 0x80, 0x80, 0x40, 0),
	} {
		t.Run(name, func(t *testing.T) {
			file, err := gzipBytes(data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := DecodePlaces(file); err == nil {
				t.Error("decoded")
			}
		})
	}
}

// TestFixturePlaces checks what the embedded places hold: capitals first,
// then by population, Arabic names where GeoNames has them, and no
// section of a city (Al Mawşil al Jadīdah, a part of Mosul) among them.
func TestFixturePlaces(t *testing.T) {
	ps, err := DecodePlaces(fixtures.BasemapPlaces)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Before(ps[i-1]) {
			t.Fatalf("place %d %q is before place %d %q", i, ps[i].Name, i-1, ps[i-1].Name)
		}
	}
	byName := map[string]Place{}
	for _, p := range ps {
		if _, ok := byName[p.Name]; !ok {
			byName[p.Name] = p
		}
	}
	for _, c := range []struct {
		name, ar string
		capital  bool
	}{
		{"Baghdad", "بغداد", true},
		{"Damascus", "دمشق", true},
		{"Ramadi", "الرمادي", false},
		{"Al Fallūjah", "الفلوجة", false},
		{"Hīt", "هيت", false},
		{"Tehran", "", true}, // Persian, not Arabic: no name_ar
	} {
		p, ok := byName[c.name]
		if !ok {
			t.Errorf("no place %q", c.name)
			continue
		}
		if p.NameAr != c.ar || p.Capital != c.capital {
			t.Errorf("%s: name_ar %q capital %v, want %q %v", c.name, p.NameAr, p.Capital, c.ar, c.capital)
		}
	}
	if _, ok := byName["Al Mawşil al Jadīdah"]; ok {
		t.Error("a section of Mosul is a place")
	}
}

func FuzzDecodePlaces(f *testing.F) {
	good, err := EncodePlaces([]Place{
		{ID: 98182, Name: "Baghdad", NameAr: "بغداد", Country: "IQ", Population: 7216000, Capital: true, Point: orb.Point{44.40088, 33.34058}},
		{ID: 7, Name: "Hīt", Country: "IQ", Population: 31901, Point: orb.Point{42.83, 33.64}},
	})
	if err != nil {
		f.Fatal(err)
	}
	raw, err := gunzip(good)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte("IMPL\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := gzipBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		ps, err := DecodePlaces(file)
		if err != nil {
			return
		}
		for _, p := range ps {
			if len(p.Country) != 2 || p.ID < 0 || p.Population < 0 || math.Abs(p.Point[0]) > 180 || math.Abs(p.Point[1]) > 90 {
				t.Fatalf("decoded a bad place: %+v", p)
			}
		}
		// what decodes encodes again to the same places
		again, err := EncodePlaces(ps)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if back, err := DecodePlaces(again); err != nil || !reflect.DeepEqual(back, ps) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
