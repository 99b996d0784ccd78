package basemap

import (
	"bytes"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/incidentmap/incidentmap/fixtures"
)

func TestWaterRoundTrip(t *testing.T) {
	w := &Water{
		Rivers: []River{
			{Lines: orb.MultiLineString{{{10, 10}, {10.5, 10.25}}}},
			{Name: "Euphrates", NameAr: "الفرات", Lines: orb.MultiLineString{{{43.3, 33.4}, {43.5, 33.45}, {43.76, 33.36}}, {{40, 35}, {41, 34.4}}}},
		},
		Lakes: orb.MultiPolygon{
			// wound clockwise: encoding winds it counter-clockwise
			{{{43.2, 33.9}, {43.4, 33.9}, {43.4, 33.7}, {43.2, 33.7}, {43.2, 33.9}}},
		},
	}
	file, err := EncodeWater(w)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeWater(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rivers) != 2 || got.Rivers[1].Name != "Euphrates" || got.Rivers[1].NameAr != "الفرات" {
		t.Fatalf("rivers = %+v", got.Rivers)
	}
	for i, l := range w.Rivers[1].Lines {
		for j, p := range l {
			if q := got.Rivers[1].Lines[i][j]; !near(p, q) {
				t.Errorf("Euphrates line %d point %d = %v, want %v", i, j, q, p)
			}
		}
	}
	lake := got.Lakes[0][0]
	want := w.Lakes[0][0].Bound()
	if len(lake) != 5 || lake[0] != lake[4] || lake.Orientation() != orb.CCW || !near(lake.Bound().Min, want.Min) || !near(lake.Bound().Max, want.Max) {
		t.Errorf("lake = %v, want the square closed and counter-clockwise", lake)
	}
	again, err := EncodeWater(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, again) {
		t.Error("encoding the decoded water gives other bytes")
	}
}

func TestDecodeWaterRejects(t *testing.T) {
	good, err := EncodeWater(&Water{Rivers: []River{{Name: "Tigris", Lines: orb.MultiLineString{{{44, 33}, {44.1, 33.2}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := gunzip(good)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"not water":   []byte("IMPL\x01\x00"),
		"version 9":   append([]byte("IMWA\x09"), raw[5:]...),
		"cut short":   raw[:len(raw)-2],
		"extra bytes": append(append([]byte{}, raw...), 0),
	} {
		t.Run(name, func(t *testing.T) {
			file, err := gzipBytes(data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := DecodeWater(file); err == nil {
				t.Error("decoded")
			}
		})
	}
}

// TestFixtureWater checks the embedded water names the three rivers of
// Iraq, in English and Arabic, and holds Lake Tharthar.
func TestFixtureWater(t *testing.T) {
	w, err := DecodeWater(fixtures.BasemapWater)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, r := range w.Rivers {
		names[r.Name] = r.NameAr
	}
	for en, ar := range map[string]string{"Euphrates": "الفرات", "Tigris": "دجلة", "Shatt al-Arab": "شط العرب"} {
		if got, ok := names[en]; !ok || got != ar {
			t.Errorf("river %q: name_ar %q (found: %v), want %q", en, got, ok, ar)
		}
	}
	// the Euphrates follows OpenStreetMap's river where it has one: it
	// runs by Ramadi and Fallujah, not the 5–9 km off of 1:50m (the
	// fragments' centres are a little off the river's own line)
	for _, r := range w.Rivers {
		if r.Name != "Euphrates" {
			continue
		}
		for town, at := range map[string]orb.Point{"Ramadi": {43.30032, 33.41906}, "Fallujah": {43.78599, 33.34913}, "Hīt": {42.8269, 33.6383}} {
			if d := planar.DistanceFrom(r.Lines, at); d > 0.04 {
				t.Errorf("the Euphrates passes %.3f° from %s, want 0.04° (4 km) at most", d, town)
			}
		}
	}
	tharthar := orb.Point{43.3, 34.0}
	found := false
	for _, p := range w.Lakes {
		if p.Bound().Contains(tharthar) {
			found = true
		}
	}
	if !found {
		t.Errorf("no lake around Lake Tharthar, %v", tharthar)
	}
}

// near reports whether p and q are the same point on the water grid.
func near(p, q orb.Point) bool {
	return math.Abs(p[0]-q[0]) < 1e-9 && math.Abs(p[1]-q[1]) < 1e-9
}

func FuzzDecodeWater(f *testing.F) {
	good, err := EncodeWater(&Water{
		Rivers: []River{{Name: "Tigris", NameAr: "دجلة", Lines: orb.MultiLineString{{{44, 33}, {44.1, 33.2}}}}},
		Lakes:  orb.MultiPolygon{{{{43.2, 33.7}, {43.4, 33.7}, {43.4, 33.9}, {43.2, 33.7}}}},
	})
	if err != nil {
		f.Fatal(err)
	}
	raw, err := gunzip(good)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add([]byte("IMWA\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := gzipBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		w, err := DecodeWater(file)
		if err != nil {
			return
		}
		for _, r := range w.Rivers {
			for _, l := range r.Lines {
				if len(l) < 2 {
					t.Fatalf("%q: line %v is too short", r.Name, l)
				}
			}
		}
		for _, p := range w.Lakes {
			for _, r := range p {
				if len(r) < 4 || r[0] != r[len(r)-1] {
					t.Fatalf("lake ring %v is not closed or too short", r)
				}
			}
		}
		newRivers(w.Rivers) // smoothing takes whatever decodes
	})
}
