package basemap

import (
	"bytes"
	"encoding/binary"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/fixtures"
)

// basemapBytes builds the compact form for tests: one country of the
// given rings (lon/lat on a 1e-4 degree grid) and the given borders.
func basemapBytes(name string, rings [][]orb.Point, borders [][]orb.Point) []byte {
	buf := []byte("IMBM\x01")
	for _, f := range []float64{-180, -90, 180, 90, 1e-4, 1e-4, 0, 0} {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(f))
	}
	var x, y int64
	points := func(ps []orb.Point) {
		buf = binary.AppendUvarint(buf, uint64(len(ps)))
		for _, p := range ps {
			qx, qy := int64(math.Round(p[0]*1e4)), int64(math.Round(p[1]*1e4))
			buf = binary.AppendVarint(buf, qx-x)
			buf = binary.AppendVarint(buf, qy-y)
			x, y = qx, qy
		}
	}
	buf = binary.AppendUvarint(buf, 1)
	buf = binary.AppendUvarint(buf, uint64(len(name)))
	buf = append(buf, name...)
	buf = binary.AppendUvarint(buf, 1)
	buf = binary.AppendUvarint(buf, uint64(len(rings)))
	for _, r := range rings {
		points(r)
	}
	buf = binary.AppendUvarint(buf, uint64(len(borders)))
	for _, l := range borders {
		points(l)
	}
	return buf
}

var square = []orb.Point{{40, 30}, {45, 30}, {45, 35}, {40, 35}}

func TestDecode(t *testing.T) {
	valid := basemapBytes("Squareland", [][]orb.Point{square}, [][]orb.Point{{{40, 30}, {40, 35}}})
	d, bounds, err := decode(valid)
	if err != nil {
		t.Fatalf("valid data: %v", err)
	}
	if len(d.Countries) != 1 || d.Countries[0].Name != "Squareland" {
		t.Fatalf("countries = %+v", d.Countries)
	}
	p := d.Countries[0].Polygons[0]
	if ring := p[0]; len(ring) != 5 || ring[0] != ring[4] || ring[2] != (orb.Point{45, 35}) {
		t.Errorf("ring = %v, want the square closed", ring)
	}
	s := newScale(d, bounds)
	if want := (orb.Bound{Min: orb.Point{40, 30}, Max: orb.Point{45, 35}}); s.polygons[0].bound != want {
		t.Errorf("bound = %v, want %v", s.polygons[0].bound, want)
	}
	if len(d.Borders) != 1 || d.Borders[0][1] != (orb.Point{40, 35}) || s.borders[0].bound.Max != (orb.Point{40, 35}) {
		t.Errorf("borders = %v", d.Borders)
	}

	nan := bytes.Clone(valid)
	binary.LittleEndian.PutUint64(nan[5+8*4:], math.Float64bits(math.NaN()))
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not basemap data"},
		{"bad magic", append([]byte("IMBX"), valid[4:]...), "not basemap data"},
		{"version 2", append([]byte("IMBM\x02"), valid[5:]...), "version 2"},
		{"NaN grid", nan, "NaN"},
		{"truncated", valid[:len(valid)-3], ""},
		{"trailing bytes", append(bytes.Clone(valid), 0), "after the borders"},
		{"ring of 2 points", basemapBytes("A", [][]orb.Point{square[:2]}, nil), "at least 3"},
		{"border of 1 point", basemapBytes("A", [][]orb.Point{square}, [][]orb.Point{{{1, 1}}}), "at least 2"},
		{"name not UTF-8", basemapBytes("\xff", [][]orb.Point{square}, nil), "UTF-8"},
		{"off the world", basemapBytes("A", [][]orb.Point{{{40, 30}, {200, 30}, {40, 35}}}, nil), "off the world"},
		{"no rings", basemapBytes("A", nil, nil), "no rings"},
		{"huge count", append(valid[:69:69], 0xff, 0xff, 0xff, 0xff, 0x0f), "more than the data holds"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := decode(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}

// FuzzDecode checks that no input makes the decoder panic or return
// shapes the renderer cannot draw.
func FuzzDecode(f *testing.F) {
	f.Add(basemapBytes("Squareland", [][]orb.Point{square}, [][]orb.Point{{{40, 30}, {40, 35}}}))
	f.Add(basemapBytes("Holes", [][]orb.Point{square, {{41, 31}, {41, 32}, {42, 32}}}, nil))
	f.Add([]byte("IMBM\x01"))
	if raw, err := gunzip(fixtures.Basemap110m); err == nil {
		f.Add(raw[:2000])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, bounds, err := decode(data)
		if err != nil {
			return
		}
		s := newScale(d, bounds)
		for _, p := range s.polygons {
			if p.bound != p.poly[0].Bound() {
				t.Fatalf("polygon bound %v, want %v", p.bound, p.poly[0].Bound())
			}
		}
		for _, l := range s.borders {
			if l.bound != l.line.Bound() {
				t.Fatalf("border bound %v, want %v", l.bound, l.line.Bound())
			}
		}
		onWorld := func(p orb.Point) bool {
			return p[0] >= -181 && p[0] <= 181 && p[1] >= -91 && p[1] <= 91
		}
		for _, c := range d.Countries {
			for _, p := range c.Polygons {
				if len(p) == 0 {
					t.Fatalf("%q: polygon without rings", c.Name)
				}
				for _, r := range p {
					if len(r) < 4 || r[0] != r[len(r)-1] {
						t.Fatalf("%q: ring %v is not closed or too short", c.Name, r)
					}
					for _, q := range r {
						if !onWorld(q) {
							t.Fatalf("%q: point %v off the world", c.Name, q)
						}
					}
				}
			}
		}
		for _, l := range d.Borders {
			if len(l) < 2 {
				t.Fatalf("border %v is too short", l)
			}
		}
	})
}

func mustEncode(t testing.TB, d *Data) []byte {
	t.Helper()
	b, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRoundTrip encodes data on its grid and decodes it back unchanged.
func TestRoundTrip(t *testing.T) {
	// a grid of 1/1024 degree holds these points exactly
	grid := Grid{KX: 1.0 / 1024, KY: 1.0 / 1024, TX: -180, TY: -90}
	want := &Data{
		Coverage: orb.Bound{Min: orb.Point{30, 20}, Max: orb.Point{60, 45}},
		Grid:     grid,
		Countries: []Country{
			{Name: "Holes", Polygons: orb.MultiPolygon{{
				{{40, 30}, {45, 30}, {45, 35}, {40, 35}, {40, 30}},           // counter-clockwise
				{{41, 31}, {41, 32.5}, {42.25, 32.5}, {42.25, 31}, {41, 31}}, // clockwise
			}}},
			{Name: "Two islands, ✓", Polygons: orb.MultiPolygon{
				{{{50, 30}, {51, 30}, {51, 31}, {50, 30}}},
				{{{52, 30}, {53.5, 30}, {53.5, 31.75}, {52, 30}}},
			}},
		},
		Borders: orb.MultiLineString{{{45, 30}, {45, 35}}, {{50, 30}, {50.5, 30.5}, {51, 30}}},
	}
	got, err := Decode(mustEncode(t, want))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", got, want)
	}
}

// TestEncodeNormalises checks what Encode promises to fix: winding,
// repeated and closing points, and shapes that vanish on the grid.
func TestEncodeNormalises(t *testing.T) {
	grid := Grid{KX: 1, KY: 1, TX: 0, TY: 0}
	d := &Data{
		Coverage: orb.Bound{Max: orb.Point{10, 10}},
		Grid:     grid,
		Countries: []Country{{Name: "A", Polygons: orb.MultiPolygon{
			// clockwise, a repeated point, closed, and a hole of two points
			{{{0, 0}, {0, 4}, {0, 4}, {4, 4}, {4, 0}, {0, 0}}, {{1, 1}, {1.2, 1.1}, {2, 2}}},
			// vanishes: three points on one grid point and a neighbour
			{{{7, 7}, {7.1, 7}, {7.2, 7.1}, {8, 7}}},
		}}},
		Borders: orb.MultiLineString{{{5, 5}, {5.1, 5.1}}, {{0, 0}, {0, 4}}},
	}
	got, err := Decode(mustEncode(t, d))
	if err != nil {
		t.Fatal(err)
	}
	want := orb.MultiPolygon{{{{0, 0}, {4, 0}, {4, 4}, {0, 4}, {0, 0}}}}
	if !reflect.DeepEqual(got.Countries[0].Polygons, want) {
		t.Errorf("polygons %v, want %v", got.Countries[0].Polygons, want)
	}
	if want := (orb.MultiLineString{{{0, 0}, {0, 4}}}); !reflect.DeepEqual(got.Borders, want) {
		t.Errorf("borders %v, want %v", got.Borders, want)
	}
}

// TestFixturesRoundTrip re-encodes the committed basemap files: the same
// bytes come back, so the encoder is the one that wrote them.
func TestFixturesRoundTrip(t *testing.T) {
	for name, file := range map[string][]byte{"110m": fixtures.Basemap110m, "50m": fixtures.Basemap50m, "10m": fixtures.Basemap10m} {
		d, err := Decode(file)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// Encode reverses exterior rings of no area (see its doc); turn
		// them round first, so that it turns them back.
		flat := 0
		for _, c := range d.Countries {
			for _, p := range c.Polygons {
				if p[0].Orientation() == 0 {
					p[0].Reverse()
					flat++
				}
			}
		}
		if want := map[string]int{"10m": 2}[name]; flat != want {
			t.Errorf("%s: %d exterior rings of no area, want %d", name, flat, want)
		}
		if again := mustEncode(t, d); !bytes.Equal(again, file) {
			t.Errorf("%s: re-encoded, %d bytes differ from the %d committed", name, len(again), len(file))
		}
	}
}
