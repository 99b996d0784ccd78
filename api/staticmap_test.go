package api

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/tiles"
	"github.com/incidentmap/incidentmap/tiles/basemap"
)

func decodePNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

func TestStaticMapSizeAndScale(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		query      string
		wantW, wan int
	}{
		{"", 800, 500},
		{"?width=1200&height=630", 1200, 630},
		{"?width=300&height=200&scale=2", 600, 400},
		{"?bbox=40,32,46,37&layers=incidents,links", 800, 500},
	} {
		rec := get(t, s, "/api/static.png"+tc.query)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" {
			t.Fatalf("%s: %d %s", tc.query, rec.Code, rec.Body)
		}
		b := decodePNG(t, rec.Body.Bytes()).Bounds()
		if b.Dx() != tc.wantW || b.Dy() != tc.wan {
			t.Errorf("%s: %dx%d, want %dx%d", tc.query, b.Dx(), b.Dy(), tc.wantW, tc.wan)
		}
	}
}

// TestStaticMapDrawsTheView checks the marker at the centre of a view
// centred on Ain Al Asad, and that the radius query's circle is drawn
// where it should be. The two Al Asad incidents share one point, so at
// zoom 9 they are one cluster: a disc of the cluster colour.
func TestStaticMapDrawsTheView(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/api/static.png?center=33.786,42.441&zoom=9&width=400&height=300&layers=al-asad&lat=33.786&lon=42.441&radius=20000")
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	img := decodePNG(t, rec.Body.Bytes())
	near := func(a, b uint8) bool { return a-b < 24 || b-a < 24 }
	disc := 0
	for dy := -8; dy <= 8; dy++ {
		for dx := -8; dx <= 8; dx++ {
			c := color.NRGBAModel.Convert(img.At(200+dx, 150+dy)).(color.NRGBA)
			if near(c.R, tiles.ClusterColor.R) && near(c.G, tiles.ClusterColor.G) && near(c.B, tiles.ClusterColor.B) {
				disc++
			}
		}
	}
	if disc < 100 {
		t.Errorf("%d of the 289 pixels around the centre have the cluster colour %v, want most", disc, tiles.ClusterColor)
	}
	// The 20 km circle crosses the horizontal through the centre at
	// 20 km east; find its stroke near there.
	pr := tiles.NewViewProjector(orb.Point{42.441, 33.786}, maptile.Zoom(9), 400, 300, 256)
	east := orb.Point{42.441 + 20.0/(111.32*0.8313), 33.786} // cos(33.786°) ≈ 0.8313
	x, y := pr.Pixel(east)
	found := false
	for dx := -3; dx <= 3; dx++ {
		c := color.NRGBAModel.Convert(img.At(int(x)+dx, int(y))).(color.NRGBA)
		found = found || c == tiles.RadiusColor
	}
	if !found {
		t.Errorf("no radius circle stroke near (%.0f, %.0f)", x, y)
	}
}

func TestStaticMapErrors(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct{ query, param string }{
		{"?width=5000", "width"},
		{"?height=10", "height"},
		{"?scale=3", "scale"},
		{"?center=33,44", "zoom"},
		{"?zoom=5", "center"},
		{"?center=95,44&zoom=3", "center"},
		{"?center=33,44&zoom=13", "zoom"},
		{"?center=33,44&zoom=5&bbox=1,2,3,4", "bbox"},
		{"?layers=incidents,nope", "layers"},
		{"?lat=33&lon=44", "radius"},
		{"?datetime=2023-11-22/2023-11-20", "datetime"},
		{"?foo=bar", "foo"},
	} {
		rec := get(t, s, "/api/static.png"+tc.query)
		var p Problem
		decodeJSON(t, rec.Body, &p)
		if rec.Code != 400 || p.Param != tc.param {
			t.Errorf("%s: %d param %q (%s); want 400 naming %s", tc.query, rec.Code, p.Param, p.Detail, tc.param)
		}
	}
}

func TestStaticMapCached(t *testing.T) {
	s := newTestServer(t)
	first := get(t, s, "/api/static.png?layers=links")
	second := get(t, s, "/api/static.png?layers=links")
	if first.Header().Get("X-Cache") != "miss" || second.Header().Get("X-Cache") != "hit" {
		t.Errorf("X-Cache %q then %q, want miss then hit", first.Header().Get("X-Cache"), second.Header().Get("X-Cache"))
	}
	if !bytes.Equal(first.Body.Bytes(), second.Body.Bytes()) {
		t.Error("cached image differs")
	}
	if rec := get(t, s, "/api/static.png?layers=links", "If-None-Match", first.Header().Get("ETag")); rec.Code != 304 {
		t.Errorf("If-None-Match: %d, want 304", rec.Code)
	}
}

// TestStaticMapHasTheBasemap checks the static map is drawn on the
// basemap: land under Baghdad, sea in the Persian Gulf.
func TestStaticMapHasTheBasemap(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/api/static.png?center=30,47&zoom=5&width=600&height=600&layers=rings")
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	img := decodePNG(t, rec.Body.Bytes())
	pr := tiles.NewViewProjector(orb.Point{47, 30}, 5, 600, 600, 256)
	at := func(p orb.Point) color.NRGBA {
		x, y := pr.Pixel(p)
		return color.NRGBAModel.Convert(img.At(int(x), int(y))).(color.NRGBA)
	}
	if c := at(orb.Point{43.0, 31.5}); c != basemap.LandColor {
		t.Errorf("south-west of Baghdad: %v, want land %v", c, basemap.LandColor)
	}
	if c := at(orb.Point{50.5, 27.0}); c != basemap.SeaColor {
		t.Errorf("Persian Gulf: %v, want sea %v", c, basemap.SeaColor)
	}
}

func TestBasemapTile(t *testing.T) {
	s := newTestServer(t)
	tile := maptile.At(orb.Point{44.366, 33.315}, 4)
	rec := get(t, s, fmt.Sprintf("/tiles/basemap/4/%d/%d@2x.png", tile.X, tile.Y))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("%d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if b := decodePNG(t, rec.Body.Bytes()).Bounds(); b.Dx() != 512 {
		t.Errorf("@2x tile is %d px wide, want 512", b.Dx())
	}
	var doc struct {
		Tiles       []string `json:"tiles"`
		Attribution string   `json:"attribution"`
	}
	decodeJSON(t, get(t, s, "/tiles/basemap.json").Body, &doc)
	if !strings.HasSuffix(doc.Tiles[0], "/tiles/basemap/{z}/{x}/{y}.png") || !strings.Contains(doc.Attribution, "Natural Earth") {
		t.Errorf("basemap TileJSON: %+v", doc)
	}
}

// TestStaticMapInArabic checks lang=ar gives a static map drawn on the
// Arabic basemap with its credits in Arabic: it differs from the English
// one where names are, and in the credits' corner.
func TestStaticMapInArabic(t *testing.T) {
	s := newTestServer(t)
	const q = "/api/static.png?center=33.4,43.8&zoom=7&width=400&height=300&layers=links"
	en, ar := get(t, s, q), get(t, s, q+"&lang=ar")
	if en.Code != 200 || ar.Code != 200 {
		t.Fatalf("%d, %d", en.Code, ar.Code)
	}
	if en.Header().Get("ETag") == ar.Header().Get("ETag") {
		t.Error("English and Arabic share an ETag")
	}
	a, b := decodePNG(t, en.Body.Bytes()), decodePNG(t, ar.Body.Bytes())
	differ := func(r image.Rectangle) int {
		n := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if a.At(x, y) != b.At(x, y) {
					n++
				}
			}
		}
		return n
	}
	// the credits, bottom right; the map above them
	if n := differ(image.Rect(150, 275, 400, 300)); n < 100 {
		t.Errorf("%d pixels differ in the credits' corner", n)
	}
	if n := differ(image.Rect(0, 0, 400, 260)); n < 500 {
		t.Errorf("%d pixels differ on the map: want the towns named in Arabic", n)
	}
}
