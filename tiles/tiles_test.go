package tiles_test

import (
	"bytes"
	"compress/gzip"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles"
)

var alAsad = orb.Point{42.441, 33.786}

func fixtureData(t testing.TB) *geo.Dataset {
	t.Helper()
	ds, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func layer(t testing.TB, ds *geo.Dataset, id string) []geo.Feature {
	t.Helper()
	fs, err := ds.Layer(id, geo.Interval{})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// webMercator projects lon/lat to EPSG:3857 metres.
func webMercator(p orb.Point) (x, y float64) {
	const r = 6378137.0
	return r * p[0] * math.Pi / 180, r * math.Log(math.Tan(math.Pi/4+p[1]*math.Pi/360))
}

// TestMVTDecodedByGDAL has GDAL's MVT driver, a decoder we did not write,
// read our z10 incidents tile, and checks the Al Asad incidents land
// within one pixel (of a 256 px tile) of where they should.
func TestMVTDecodedByGDAL(t *testing.T) {
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ogrinfo not found and CI=true")
		}
		t.Skip("ogrinfo not found; install gdal-bin")
	}
	ds := fixtureData(t)
	tile := maptile.At(alAsad, 10)
	b, err := tiles.MVT("incidents", layer(t, ds, "incidents"), tile)
	if err != nil || b == nil {
		t.Fatalf("MVT: %v (nil tile: %v)", err, b == nil)
	}
	file := filepath.Join(t.TempDir(), "tile.mvt")
	if err := os.WriteFile(file, gunzip(t, b), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ogrinfo, "-ro", "-al", "-q",
		"-oo", "X="+strconv.Itoa(int(tile.X)), "-oo", "Y="+strconv.Itoa(int(tile.Y)), "-oo", "Z=10", file).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	points := regexp.MustCompile(`POINT \(([-0-9.e+]+) ([-0-9.e+]+)\)`).FindAllSubmatch(out, -1)
	ids := regexp.MustCompile(`(?m)^  id \(String\) = (.+)$`).FindAllSubmatch(out, -1)
	var want []string
	for _, in := range ds.Incidents() {
		if in.Location != nil && *in.Location == alAsad {
			want = append(want, in.ID)
		}
	}
	if len(points) != len(want) || len(ids) != len(want) {
		t.Fatalf("GDAL read %d points, %d ids; want %d (%v)\n%s", len(points), len(ids), len(want), want, out)
	}
	wx, wy := webMercator(alAsad)
	pixel := 2 * math.Pi * 6378137 / (256 << 10) // metres a pixel at z10
	for i, m := range points {
		x, _ := strconv.ParseFloat(string(m[1]), 64)
		y, _ := strconv.ParseFloat(string(m[2]), 64)
		if d := math.Hypot(x-wx, y-wy); d > pixel {
			t.Errorf("%s decoded %.0f m (%.2f px) from Al Asad, want within a pixel", ids[i][1], d, d/pixel)
		}
	}
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("tile is not gzip: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestMVTPolygonWinding checks the rule of MVT 2.1 §4.3.4.4: an exterior
// ring has positive area by the surveyor's formula in tile coordinates.
func TestMVTPolygonWinding(t *testing.T) {
	ds := fixtureData(t)
	for _, z := range []maptile.Zoom{6, 9} {
		tile := maptile.At(alAsad, z)
		b, err := tiles.MVT("rings", layer(t, ds, "rings"), tile)
		if err != nil || b == nil {
			t.Fatalf("z%d: %v", z, err)
		}
		ls, err := mvt.UnmarshalGzipped(b) // tile coordinates, not projected
		if err != nil {
			t.Fatal(err)
		}
		polygons := 0
		for _, f := range ls[0].Features {
			var ps []orb.Polygon
			switch g := f.Geometry.(type) {
			case orb.Polygon:
				ps = []orb.Polygon{g}
			case orb.MultiPolygon:
				ps = g
			}
			for _, p := range ps {
				polygons++
				if a := surveyor(p[0]); a <= 0 {
					t.Errorf("z%d %v: exterior ring area %v, want positive", z, f.Properties["id"], a)
				}
			}
		}
		if polygons == 0 {
			t.Errorf("z%d: no polygons in the rings tile", z)
		}
	}
}

// surveyor is the MVT spec's area formula, written out here rather than
// taken from orb, so the test does not share the encoder's idea of it.
func surveyor(r orb.Ring) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}

func TestMVTEmptyTileIsNil(t *testing.T) {
	ds := fixtureData(t)
	b, err := tiles.MVT("incidents", layer(t, ds, "incidents"), maptile.At(orb.Point{-100, 40}, 8))
	if err != nil || b != nil {
		t.Errorf("tile over America: %d bytes, %v; want nil", len(b), err)
	}
}

func TestMVTCarriesStylingProperties(t *testing.T) {
	ds := fixtureData(t)
	b, err := tiles.MVT("incidents", layer(t, ds, "incidents"), maptile.At(alAsad, 8))
	if err != nil {
		t.Fatal(err)
	}
	ls, err := mvt.UnmarshalGzipped(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ls[0].Features {
		in, err := ds.Incident(f.Properties.MustString("id", ""))
		if err != nil {
			t.Fatalf("feature id: %v", err)
		}
		for k, want := range map[string]string{"title": in.Title, "event_type": in.EventType, "site": in.Site} {
			if got := f.Properties.MustString(k, ""); got != want {
				t.Errorf("%s %s = %q, want %q", in.ID, k, got, want)
			}
		}
	}
}

// TestMVTFieldsDescribeEveryProperty decodes a tile of every fixture layer
// and checks MVTFields describes each property on it, so TileJSON never
// leaves one out.
func TestMVTFieldsDescribeEveryProperty(t *testing.T) {
	ds := fixtureData(t)
	fields := tiles.MVTFields()
	seen := map[string]bool{}
	for _, l := range ds.Layers() {
		fs := layer(t, ds, l.ID)
		for _, tile := range []maptile.Tile{maptile.New(0, 0, 0), maptile.At(alAsad, 8)} {
			b, err := tiles.MVT(l.ID, fs, tile)
			if err != nil {
				t.Fatalf("%s %v: %v", l.ID, tile, err)
			}
			if b == nil {
				continue
			}
			ls, err := mvt.UnmarshalGzipped(b)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range ls[0].Features {
				for k := range f.Properties {
					seen[k] = true
					if _, ok := fields[k]; !ok {
						t.Errorf("layer %s: property %q (feature %v) is not in MVTFields", l.ID, k, f.Properties["id"])
					}
				}
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct properties decoded; the fixtures do not exercise MVT", len(seen))
	}
}

// TestOverlayMarkerUnderAlAsad checks the pixel under Al Asad on a z8
// overlay tile has the colour of an incident located there.
func TestOverlayMarkerUnderAlAsad(t *testing.T) {
	ds := fixtureData(t)
	tile := maptile.At(alAsad, 8)
	for _, scale := range []int{1, 2} {
		b, err := tiles.Overlay(layer(t, ds, "al-asad"), tile, scale)
		if err != nil || b == nil {
			t.Fatalf("Overlay: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds().Dx(); got != tiles.TileSize*scale {
			t.Errorf("scale %d: %d px wide, want %d", scale, got, tiles.TileSize*scale)
		}
		x, y := tiles.NewProjector(tile, tiles.TileSize*scale).Pixel(alAsad)
		got := color.NRGBAModel.Convert(img.At(int(x), int(y))).(color.NRGBA)
		var colours []color.NRGBA
		for _, in := range ds.Incidents() {
			if in.Location != nil && *in.Location == alAsad {
				colours = append(colours, tiles.EventColor(in.EventType))
			}
		}
		found := false
		for _, c := range colours {
			found = found || c == got
		}
		if !found {
			t.Errorf("scale %d: pixel under Al Asad is %v, want one of the marker colours %v", scale, got, colours)
		}
	}
}

func TestOverlayEmptyTileIsNil(t *testing.T) {
	ds := fixtureData(t)
	b, err := tiles.Overlay(layer(t, ds, "incidents"), maptile.At(orb.Point{-100, 40}, 8), 1)
	if err != nil || b != nil {
		t.Errorf("tile over America: %d bytes, %v; want nil", len(b), err)
	}
}

// TestDeterministic renders every overlay twice, from two separately
// loaded data sets, and wants the same bytes: a tile must be the same on
// every replica.
func TestDeterministic(t *testing.T) {
	a, b := fixtureData(t), fixtureData(t)
	for _, l := range a.Layers() {
		for _, z := range []maptile.Zoom{4, 8, 12} {
			tile := maptile.At(alAsad, z)
			m1, err1 := tiles.MVT(l.ID, layer(t, a, l.ID), tile)
			m2, err2 := tiles.MVT(l.ID, layer(t, b, l.ID), tile)
			p1, err3 := tiles.Overlay(layer(t, a, l.ID), tile, 1)
			p2, err4 := tiles.Overlay(layer(t, b, l.ID), tile, 1)
			for _, err := range []error{err1, err2, err3, err4} {
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(m1, m2) {
				t.Errorf("%s z%d: MVT bytes differ between renders", l.ID, z)
			}
			if !bytes.Equal(p1, p2) {
				t.Errorf("%s z%d: PNG bytes differ between renders", l.ID, z)
			}
		}
	}
}

func TestValidate(t *testing.T) {
	for name, tc := range map[string]struct {
		tile maptile.Tile
		max  int
		ok   bool
	}{
		"origin":         {maptile.New(0, 0, 0), 22, true},
		"last at z3":     {maptile.New(7, 7, 3), 22, true},
		"x past the end": {maptile.New(8, 0, 3), 22, false},
		"y past the end": {maptile.New(0, 8, 3), 22, false},
		"z above max":    {maptile.New(0, 0, 11), 10, false},
		"z at max":       {maptile.New(0, 0, 10), 10, true},
	} {
		t.Run(name, func(t *testing.T) {
			if err := tiles.Validate(tc.tile, tc.max); (err == nil) != tc.ok {
				t.Errorf("Validate(%v, %d) = %v, want ok %v", tc.tile, tc.max, err, tc.ok)
			}
		})
	}
}

// TestTilesDrawnAfterOthersAreTheSame draws a tile, then others, then the
// first again: what a render keeps for the next (its canvas, the faces
// counts are written in, the gzip writer) must leave nothing of the one
// before, in PNG and MVT, at both scales.
func TestTilesDrawnAfterOthersAreTheSame(t *testing.T) {
	ds, err := big()
	if err != nil {
		t.Fatal(err)
	}
	type drawn struct{ png1, png2, mvt []byte }
	draw := func(tile maptile.Tile) drawn {
		t.Helper()
		fs := clustered(t, ds, "incidents", tile)
		var d drawn
		var err error
		if d.png1, err = tiles.Overlay(fs, tile, 1); err != nil {
			t.Fatal(err)
		}
		if d.png2, err = tiles.Overlay(fs, tile, 2); err != nil {
			t.Fatal(err)
		}
		if d.mvt, err = tiles.MVT("incidents", fs, tile); err != nil {
			t.Fatal(err)
		}
		if d.png1 == nil || d.png2 == nil || d.mvt == nil {
			t.Fatalf("tile %v drew nothing", tile)
		}
		return d
	}
	first := maptile.At(alAsad, 6)
	before := draw(first)
	// What is kept may be gone when next asked for (sync.Pool keeps it
	// per P, and a collection empties it), so the test tries ten times.
	for range 10 {
		for _, z := range []maptile.Zoom{5, 7, 9} { // other clusters, other counts
			draw(maptile.At(alAsad, z))
		}
		after := draw(first)
		if !bytes.Equal(before.png1, after.png1) || !bytes.Equal(before.png2, after.png2) {
			t.Fatal("the PNG tile drawn again after others differs from the first drawing")
		}
		if !bytes.Equal(before.mvt, after.mvt) {
			t.Fatal("the MVT tile encoded again after others differs from the first encoding")
		}
	}
}
