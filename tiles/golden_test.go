package tiles_test

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/tiles"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// updateHint is how to accept a change a golden test reports.
const updateHint = "if the change is intended, rewrite the golden files with: go test ./tiles -run TestGolden -update"

// TestGoldenMVT renders fixed MVT tiles of the fixtures and compares them,
// uncompressed, byte for byte with testdata/golden. The files are plain
// MVT so that any MVT reader can open them; gzip's output is left out of
// the comparison because it may change with the Go release, not with us.
func TestGoldenMVT(t *testing.T) {
	ds := fixtureData(t)
	tile := maptile.At(alAsad, 8)
	for _, id := range []string{"incidents", "al-asad"} {
		t.Run(id, func(t *testing.T) {
			gz, err := tiles.MVT(id, layer(t, ds, id), tile)
			if err != nil || gz == nil {
				t.Fatalf("MVT: %d bytes, %v", len(gz), err)
			}
			checkGzipHeader(t, gz)
			zr, err := gzip.NewReader(bytes.NewReader(gz))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			path := goldenPath(id, tile, "mvt")
			want := readGolden(t, path, got)
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the tile rendered now: %s\n%s", path, mvtDiff(got, want), updateHint)
			}
		})
	}
}

// TestGoldenPNG renders a fixed raster overlay tile of the fixtures and
// compares it byte for byte with testdata/golden.
func TestGoldenPNG(t *testing.T) {
	ds := fixtureData(t)
	tile := maptile.At(alAsad, 8)
	id := "al-asad"
	got, err := tiles.Overlay(layer(t, ds, id), tile, 1)
	if err != nil || got == nil {
		t.Fatalf("Overlay: %d bytes, %v", len(got), err)
	}
	path := goldenPath(id, tile, "png")
	want := readGolden(t, path, got)
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the tile rendered now (%d bytes, golden %d): %s\n%s", path, len(got), len(want), pngDiff(got, want), updateHint)
	}
}

// checkGzipHeader checks the gzip header carries no time and no name, so
// the same tile has the same bytes, and ETag, on every replica.
func checkGzipHeader(t *testing.T, gz []byte) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if h := zr.Header; !h.ModTime.IsZero() || h.Name != "" || h.Comment != "" || h.Extra != nil {
		t.Errorf("gzip header varies by replica: mtime %v, name %q, comment %q, extra %q", h.ModTime, h.Name, h.Comment, h.Extra)
	}
}

// goldenPath names a golden file by layer, tile and format.
func goldenPath(layer string, t maptile.Tile, format string) string {
	return filepath.Join("testdata", "golden", fmt.Sprintf("%s-%d-%d-%d.%s", layer, t.Z, t.X, t.Y, format))
}

// readGolden returns the golden file at path; with -update it first
// writes got there.
func readGolden(t *testing.T, path string, got []byte) []byte {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", path, len(got))
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v\n%s", err, updateHint)
	}
	return want
}

// mvtDiff decodes two uncompressed MVT tiles and describes the first
// difference: in the layers, or in the first feature that differs.
func mvtDiff(got, want []byte) string {
	g, err := mvt.Unmarshal(got)
	if err != nil {
		return fmt.Sprintf("the new tile does not decode: %v", err)
	}
	w, err := mvt.Unmarshal(want)
	if err != nil {
		return fmt.Sprintf("the golden file does not decode: %v", err)
	}
	if len(g) != len(w) {
		return fmt.Sprintf("%d layers, golden %d", len(g), len(w))
	}
	for i := range g {
		gl, wl := g[i], w[i]
		if gl.Name != wl.Name || gl.Version != wl.Version || gl.Extent != wl.Extent {
			return fmt.Sprintf("layer %d is %q v%d extent %d, golden %q v%d extent %d",
				i, gl.Name, gl.Version, gl.Extent, wl.Name, wl.Version, wl.Extent)
		}
		for j := range min(len(gl.Features), len(wl.Features)) {
			gf, wf := gl.Features[j], wl.Features[j]
			name := fmt.Sprintf("layer %q feature %d (id %v)", gl.Name, j, wf.Properties["id"])
			if !orb.Equal(gf.Geometry, wf.Geometry) {
				return fmt.Sprintf("%s: geometry %s %v, golden %s %v", name,
					gf.Geometry.GeoJSONType(), gf.Geometry, wf.Geometry.GeoJSONType(), wf.Geometry)
			}
			if d := propertiesDiff(gf.Properties, wf.Properties); d != "" {
				return name + ": " + d
			}
			if !reflect.DeepEqual(gf.ID, wf.ID) {
				return fmt.Sprintf("%s: feature id %v, golden %v", name, gf.ID, wf.ID)
			}
		}
		if len(gl.Features) != len(wl.Features) {
			return fmt.Sprintf("layer %q has %d features, golden %d (the first %d agree)",
				gl.Name, len(gl.Features), len(wl.Features), min(len(gl.Features), len(wl.Features)))
		}
	}
	return "the tiles decode to the same layers and features; only their encoding differs"
}

// propertiesDiff names the first property, in key order, that differs
// between got and want, or returns "" when none does.
func propertiesDiff(got, want geojson.Properties) string {
	keys := append(slices.Collect(maps.Keys(got)), slices.Collect(maps.Keys(want))...)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys {
		g, inGot := got[k]
		w, inWant := want[k]
		switch {
		case !inWant:
			return fmt.Sprintf("property %q = %#v, not in the golden file", k, g)
		case !inGot:
			return fmt.Sprintf("property %q missing, golden %#v", k, w)
		case !reflect.DeepEqual(g, w):
			return fmt.Sprintf("property %q = %#v, golden %#v", k, g, w)
		}
	}
	return ""
}

// pngDiff decodes two PNG images and describes how their pixels differ.
func pngDiff(got, want []byte) string {
	g, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		return fmt.Sprintf("the new tile does not decode: %v", err)
	}
	w, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		return fmt.Sprintf("the golden file does not decode: %v", err)
	}
	if g.Bounds() != w.Bounds() {
		return fmt.Sprintf("size %v, golden %v", g.Bounds().Size(), w.Bounds().Size())
	}
	n, first := 0, image.Point{}
	b := g.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, a1 := g.At(x, y).RGBA()
			r2, g2, b2, a2 := w.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				if n == 0 {
					first = image.Pt(x, y)
				}
				n++
			}
		}
	}
	if n == 0 {
		return "the pixels are the same; only the PNG encoding differs"
	}
	return fmt.Sprintf("%d pixels differ, the first at %v: %v, golden %v", n, first, g.At(first.X, first.Y), w.At(first.X, first.Y))
}
