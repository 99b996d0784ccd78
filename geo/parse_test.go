package geo_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
)

func TestParseBound(t *testing.T) {
	for _, c := range []struct {
		in   string
		want orb.Bound
		err  string // a part of the error's text; "" for none
	}{
		{"15,0,75,55", orb.Bound{Min: orb.Point{15, 0}, Max: orb.Point{75, 55}}, ""},
		{" 15, 0 ,75,55", orb.Bound{Min: orb.Point{15, 0}, Max: orb.Point{75, 55}}, ""},
		{"40,32,0,46,37,100", orb.Bound{Min: orb.Point{40, 32}, Max: orb.Point{46, 37}}, ""},
		{"170,-10,-170,10", orb.Bound{Min: orb.Point{170, -10}, Max: orb.Point{-170, 10}}, ""}, // across the antimeridian
		{"-180,-90,180,90", orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, ""},
		{"15,0,75", orb.Bound{}, "want 4 or 6 numbers"},
		{"1,2,3,4,5", orb.Bound{}, "got 5"},
		{"15,0,75,x", orb.Bound{}, `"x" is not a number`},
		{"15,0,75,NaN", orb.Bound{}, "not a finite number"},
		{"15,0,1e999,5", orb.Bound{}, "out of range"},
		{"181,0,182,1", orb.Bound{}, "longitude 181 is outside -180..180"},
		{"0,-91,1,1", orb.Bound{}, "latitude -91 is outside -90..90"},
		{"0,10,1,5", orb.Bound{}, "minLat 10 is north of maxLat 5"},
	} {
		got, err := geo.ParseBound(c.in)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("ParseBound(%q): %v", c.in, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("ParseBound(%q) error = %v, want one saying %q", c.in, err, c.err)
		case got != c.want:
			t.Errorf("ParseBound(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestValidators(t *testing.T) {
	for _, c := range []struct {
		name  string
		valid func(string) bool
		good  []string
		bad   []string
	}{
		{"ValidID", geo.ValidID, []string{"al-asad", "2023-11-21-al-asad-crbm", "a", strings.Repeat("a", 128)},
			[]string{"", "-a", "Al-Asad", "al_asad", "al asad", strings.Repeat("a", 129)}},
		{"ValidEventType", geo.ValidEventType, []string{"missile_attack", "a", strings.Repeat("a", 64)},
			[]string{"", "_a", "Missile", "missile-attack", "m1", strings.Repeat("a", 65)}},
		{"ValidCountry", geo.ValidCountry, []string{"IQ", "SY"}, []string{"", "iq", "IRQ", "I"}},
	} {
		for _, s := range c.good {
			if !c.valid(s) {
				t.Errorf("%s(%q) = false, want true", c.name, s)
			}
		}
		for _, s := range c.bad {
			if c.valid(s) {
				t.Errorf("%s(%q) = true, want false", c.name, s)
			}
		}
	}
}

// FuzzParseBound checks that what ParseBound accepts is a box on the
// world, and that writing it back in the shortest form reads as the same
// box.
func FuzzParseBound(f *testing.F) {
	for _, s := range []string{"15,0,75,55", "40,32,0,46,37,100", "170,-10,-170,10", "1,2,3", "0,10,1,5", " 1 ,2,3,4", "1e2,1,2,3", "0x1p-2,0,1,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := geo.ParseBound(s)
		if err != nil {
			return
		}
		for _, lon := range []float64{b.Min[0], b.Max[0]} {
			if !(lon >= -180 && lon <= 180) {
				t.Fatalf("%q: longitude %v accepted", s, lon)
			}
		}
		if !(b.Min[1] >= -90 && b.Min[1] <= b.Max[1] && b.Max[1] <= 90) {
			t.Fatalf("%q: latitudes %v..%v accepted", s, b.Min[1], b.Max[1])
		}
		num := func(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
		again, err := geo.ParseBound(num(b.Min[0]) + "," + num(b.Min[1]) + "," + num(b.Max[0]) + "," + num(b.Max[1]))
		if err != nil || again != b {
			t.Fatalf("%q: read back as %v, %v; want %v", s, again, err, b)
		}
	})
}

// FuzzValidators checks the hand-written validators against the regular
// expressions that state the forms.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{"al-asad", "-a", "missile_attack", "_a", "IQ", "iq", "a\u00e9", strings.Repeat("a", 129)} {
		f.Add(s)
	}
	forms := []struct {
		valid func(string) bool
		re    *regexp.Regexp
	}{
		{geo.ValidID, regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,127}$`)},
		{geo.ValidEventType, regexp.MustCompile(`^[a-z][a-z_]{0,63}$`)},
		{geo.ValidCountry, regexp.MustCompile(`^[A-Z]{2}$`)},
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, form := range forms {
			if got, want := form.valid(s), form.re.MatchString(s); got != want {
				t.Errorf("%q: %v, the form %s says %v", s, got, form.re, want)
			}
		}
	})
}
