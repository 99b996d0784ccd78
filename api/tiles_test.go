package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles/basemap"
)

// alAsadTile is the path of the tile holding Ain Al Asad at zoom z.
func alAsadTile(z maptile.Zoom) string {
	t := maptile.At(orb.Point{42.441, 33.786}, z)
	return "/" + fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y)
}

func TestTileMVTGzipNegotiation(t *testing.T) {
	s := newTestServer(t)
	path := "/tiles/incidents" + alAsadTile(10) + ".mvt"

	gz := get(t, s, path, "Accept-Encoding", "gzip, deflate")
	if gz.Code != 200 || gz.Header().Get("Content-Type") != typeMVT || gz.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("with gzip: %d %q %q", gz.Code, gz.Header().Get("Content-Type"), gz.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	gzEntries := s.cache.Stats().LRUEntries

	plain := get(t, s, path)
	if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("without gzip: %d, Content-Encoding %q", plain.Code, plain.Header().Get("Content-Encoding"))
	}
	if !bytes.Equal(plain.Body.Bytes(), unzipped) {
		t.Error("plain tile differs from the gzipped one unzipped")
	}
	if gz.Header().Get("ETag") == plain.Header().Get("ETag") {
		t.Error("gzip and identity representations share an ETag")
	}
	if plain.Header().Get("X-Cache") != "hit" {
		t.Errorf("second request X-Cache %q, want hit (the gzipped form is stored)", plain.Header().Get("X-Cache"))
	}
	// The decompressed form is stored beside the gzipped one, once.
	again := get(t, s, path)
	if n := s.cache.Stats().LRUEntries; n != gzEntries+1 || !bytes.Equal(again.Body.Bytes(), unzipped) {
		t.Errorf("after two requests without gzip: %d entries, want %d (the gzipped and the plain form); body equal %v",
			n, gzEntries+1, bytes.Equal(again.Body.Bytes(), unzipped))
	}
	if rec := get(t, s, path, "Accept-Encoding", "gzip", "If-None-Match", gz.Header().Get("ETag")); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", rec.Code)
	}
}

func TestTileEmptyIs204(t *testing.T) {
	s := newTestServer(t)
	for _, path := range []string{"/tiles/incidents/8/10/10.mvt", "/tiles/incidents/8/10/10.png"} {
		if rec := get(t, s, path); rec.Code != http.StatusNoContent || rec.Body.Len() != 0 {
			t.Errorf("%s: %d with %d bytes, want 204 and none", path, rec.Code, rec.Body.Len())
		}
	}
}

func TestTilePNG(t *testing.T) {
	s := newTestServer(t)
	for _, suffix := range []string{".png", "@2x.png"} {
		rec := get(t, s, "/tiles/al-asad"+alAsadTile(8)+suffix)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" || !bytes.HasPrefix(rec.Body.Bytes(), []byte("\x89PNG")) {
			t.Errorf("%s: %d %q", suffix, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
}

func TestTileErrors(t *testing.T) {
	s := newTestServer(t)
	for name, tc := range map[string]struct {
		path   string
		status int
		param  string
	}{
		"z above 22":         {"/tiles/incidents/23/0/0.mvt", 400, "z"},
		"x out of range":     {"/tiles/incidents/3/8/0.mvt", 400, "x"},
		"y out of range":     {"/tiles/incidents/3/0/8.mvt", 400, "y"},
		"z not a number":     {"/tiles/incidents/a/0/0.mvt", 400, "z"},
		"negative x":         {"/tiles/incidents/3/-1/0.mvt", 400, "x"},
		"huge y":             {"/tiles/incidents/3/0/99999999999999999999.mvt", 400, "y"},
		"unknown format":     {"/tiles/incidents/3/0/0.jpg", 400, "format"},
		"no extension":       {"/tiles/incidents/3/0/0", 400, "format"},
		"unknown layer":      {"/tiles/nope/3/0/0.mvt", 404, "layer"},
		"basemap as mvt":     {"/tiles/basemap/3/0/0.mvt", 404, "format"},
		"basemap too deep":   {"/tiles/basemap/13/0/0.png", 400, "z"},
		"@2x on mvt":         {"/tiles/incidents/3/0/0@2x.mvt", 400, "y"},
		"unknown param":      {"/tiles/incidents/3/0/0.mvt?foo=1", 400, "foo"},
		"bad datetime":       {"/tiles/incidents/3/0/0.mvt?datetime=soon", 400, "datetime"},
		"unknown lang":       {"/tiles/basemap/3/0/0.png?lang=fr", 400, "lang"},
		"lang twice":         {"/tiles/basemap/3/0/0.png?lang=ar&lang=ar", 400, "lang"},
		"arabic overlay":     {"/tiles/incidents/3/0/0.mvt?lang=ar", 400, "lang"},
		"tilejson of nobody": {"/tiles/nope.json", 404, "layer"},
		"tilejson bad f":     {"/tiles/incidents.json?f=gif", 400, "f"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := get(t, s, tc.path)
			var p Problem
			decodeJSON(t, rec.Body, &p)
			if rec.Code != tc.status || p.Param != tc.param || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %d param %q (%s); want %d param %q", tc.path, rec.Code, p.Param, p.Detail, tc.status, tc.param)
			}
		})
	}
}

func TestTileJSON(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/tiles/incidents.json", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "maps.example.org")
	var doc struct {
		TileJSON     string    `json:"tilejson"`
		Tiles        []string  `json:"tiles"`
		Bounds       []float64 `json:"bounds"`
		Center       []float64 `json:"center"`
		MinZoom      int       `json:"minzoom"`
		MaxZoom      int       `json:"maxzoom"`
		VectorLayers []struct {
			ID     string            `json:"id"`
			Fields map[string]string `json:"fields"`
		} `json:"vector_layers"`
	}
	decodeJSON(t, rec.Body, &doc)
	if doc.TileJSON != "3.0.0" || len(doc.Tiles) != 1 || doc.Tiles[0] != "https://maps.example.org/tiles/incidents/{z}/{x}/{y}.mvt" {
		t.Errorf("tilejson %q tiles %v", doc.TileJSON, doc.Tiles)
	}
	if len(doc.VectorLayers) != 1 || doc.VectorLayers[0].ID != "incidents" || doc.VectorLayers[0].Fields["event_type"] == "" {
		t.Errorf("vector_layers %+v", doc.VectorLayers)
	}
	for _, in := range s.data.Incidents() {
		if p := in.Location; p != nil && (p[0] < doc.Bounds[0] || p[1] < doc.Bounds[1] || p[0] > doc.Bounds[2] || p[1] > doc.Bounds[3]) {
			t.Errorf("%s at %v is outside bounds %v", in.ID, *p, doc.Bounds)
		}
	}
	if len(doc.Center) != 3 || doc.MaxZoom != 22 {
		t.Errorf("center %v maxzoom %d", doc.Center, doc.MaxZoom)
	}

	rec = get(t, s, "/tiles/incidents.json?f=png")
	decodeJSON(t, rec.Body, &doc)
	if !strings.HasSuffix(doc.Tiles[0], "/tiles/incidents/{z}/{x}/{y}.png") {
		t.Errorf("f=png tiles %v", doc.Tiles)
	}
}

// TestWarmFillsTheKeysRequestsRead warms a zoom range and checks a request
// for one of those tiles is then a cache hit, rendered by no one.
func TestWarmFillsTheKeysRequestsRead(t *testing.T) {
	c := cache.New(64<<20, nil)
	s := New(Config{Data: fixtureData(t), Cache: c})
	var last, total int
	n, err := s.Warm(context.Background(), WarmOptions{
		Layers: []string{"incidents", "links"}, MinZoom: 0, MaxZoom: 9,
		Bound: s.DataBound(), Concurrency: 2,
		Progress: func(done, all int) { last, total = max(last, done), all },
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || n != total || last != total {
		t.Fatalf("warmed %d, progress %d of %d", n, last, total)
	}
	renders := c.Stats().Renders
	for _, path := range []string{"/tiles/incidents" + alAsadTile(9) + ".mvt", "/tiles/links" + alAsadTile(5) + ".mvt"} {
		if rec := get(t, s, path, "Accept-Encoding", "gzip"); rec.Header().Get("X-Cache") != "hit" {
			t.Errorf("%s after warm: X-Cache %q, want hit", path, rec.Header().Get("X-Cache"))
		}
	}
	if c.Stats().Renders != renders {
		t.Errorf("requests after warm rendered %d tiles", c.Stats().Renders-renders)
	}
	if _, err := s.Warm(context.Background(), WarmOptions{Layers: []string{"nope"}, MaxZoom: 1}); err == nil {
		t.Error("warm of an unknown layer succeeded")
	}
}

// TestWarmTheWholeWorld warms every basemap tile of the first zooms: the
// bound's edges at lon ±180 and the poles are clamped to the world's tiles.
func TestWarmTheWholeWorld(t *testing.T) {
	s := newTestServer(t)
	world := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	n, err := s.Warm(context.Background(), WarmOptions{Layers: []string{LayerBasemap}, MaxZoom: 2, Bound: world, Concurrency: 2})
	if err != nil || n != 1+4+16 {
		t.Errorf("warmed %d tiles, err %v; want 21 and no error", n, err)
	}
	// with Arabic, each basemap tile twice, the Arabic one read as a hit
	n, err = s.Warm(context.Background(), WarmOptions{Layers: []string{LayerBasemap}, MinZoom: 1, MaxZoom: 1, Bound: world, Arabic: true})
	if err != nil || n != 2*4 {
		t.Errorf("warmed %d tiles in both languages, err %v; want 8 and no error", n, err)
	}
	if rec := get(t, s, "/tiles/basemap/1/1/0.png?lang=ar"); rec.Header().Get("X-Cache") != "hit" {
		t.Errorf("an Arabic tile after warm: X-Cache %q, want hit", rec.Header().Get("X-Cache"))
	}
}

// TestTileCoordinateProblem checks a coordinate off the world is a 400
// naming it, with tiles.Validate's reason as the detail.
func TestTileCoordinateProblem(t *testing.T) {
	s := New(Config{Data: fixtureData(t)})
	for path, want := range map[string]Problem{
		"/tiles/incidents/3/8/0.mvt": {Param: "x", Detail: "x: 8 is outside 0..7 at zoom 3"},
		"/tiles/incidents/3/0/9.png": {Param: "y", Detail: "y: 9 is outside 0..7 at zoom 3"},
	} {
		rec := get(t, s, path)
		var p Problem
		decodeJSON(t, rec.Body, &p)
		if rec.Code != 400 || p.Param != want.Param || p.Detail != want.Detail {
			t.Errorf("%s: %d param %q detail %q; want 400 %q %q", path, rec.Code, p.Param, p.Detail, want.Param, want.Detail)
		}
	}
}

// TestWarmStops checks Warm returns the first error, or the context's,
// having started no more tiles.
func TestWarmStops(t *testing.T) {
	s := New(Config{Data: fixtureData(t)}) // no basemap: its tiles fail
	world := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	n, err := s.Warm(context.Background(), WarmOptions{Layers: []string{LayerBasemap}, MaxZoom: 4, Bound: world, Concurrency: 2})
	if err == nil || !strings.Contains(err.Error(), "no basemap") || n != 0 {
		t.Errorf("warm without a basemap: %d tiles, err %v", n, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err = s.Warm(ctx, WarmOptions{Layers: []string{"incidents"}, MaxZoom: 4, Bound: world})
	if !errors.Is(err, context.Canceled) || n != 0 {
		t.Errorf("warm with a cancelled context: %d tiles, err %v", n, err)
	}
}

// TestBasemapTileInArabic checks lang=ar draws the basemap's names in
// Arabic under a key and ETag of its own, and that lang=en is the
// English tile itself.
func TestBasemapTileInArabic(t *testing.T) {
	s := newTestServer(t)
	tile := maptile.At(orb.Point{44.366, 33.315}, 7) // Baghdad, Ramadi
	path := fmt.Sprintf("/tiles/basemap/7/%d/%d.png", tile.X, tile.Y)
	en, ar, en2 := get(t, s, path), get(t, s, path+"?lang=ar"), get(t, s, path+"?lang=en")
	for _, rec := range []*httptest.ResponseRecorder{en, ar, en2} {
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" {
			t.Fatalf("%d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if bytes.Equal(en.Body.Bytes(), ar.Body.Bytes()) || en.Header().Get("ETag") == ar.Header().Get("ETag") {
		t.Errorf("lang=ar: the English tile (ETag %s, Arabic %s)", en.Header().Get("ETag"), ar.Header().Get("ETag"))
	}
	if ar.Header().Get("X-Cache") != "miss" || en2.Header().Get("X-Cache") != "hit" || en2.Header().Get("ETag") != en.Header().Get("ETag") {
		t.Errorf("X-Cache: ar %q, then lang=en %q (ETag %s, want %s)", ar.Header().Get("X-Cache"), en2.Header().Get("X-Cache"), en2.Header().Get("ETag"), en.Header().Get("ETag"))
	}
	want, err := s.basemap.Render(tile, 1, basemap.Arabic)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ar.Body.Bytes(), want) {
		t.Error("lang=ar is not the basemap's Arabic tile")
	}
	if rec := get(t, s, path+"?lang=ar", "If-None-Match", ar.Header().Get("ETag")); rec.Code != 304 {
		t.Errorf("If-None-Match: %d, want 304", rec.Code)
	}
	// TileJSON: the Arabic basemap's tiles carry lang=ar, the English
	// ones none, each document under its own key
	for q, want := range map[string]string{"": "/tiles/basemap/{z}/{x}/{y}.png", "?lang=ar": "/tiles/basemap/{z}/{x}/{y}.png?lang=ar", "?lang=en": "/tiles/basemap/{z}/{x}/{y}.png"} {
		var doc struct {
			Tiles []string `json:"tiles"`
		}
		decodeJSON(t, get(t, s, "/tiles/basemap.json"+q).Body, &doc)
		if len(doc.Tiles) != 1 || !strings.HasSuffix(doc.Tiles[0], want) {
			t.Errorf("/tiles/basemap.json%s: tiles %v, want …%s", q, doc.Tiles, want)
		}
	}
	if rec := get(t, s, "/tiles/incidents.json?lang=ar"); rec.Code != 400 {
		t.Errorf("/tiles/incidents.json?lang=ar: %d, want 400", rec.Code)
	}
}

// TestTileKey checks tile keys are written as they were with fmt (keys
// and ETags must not change with how they are written), with and
// without a scale and an interval.
func TestTileKey(t *testing.T) {
	day := geo.Interval{Start: time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2020, 3, 2, 0, 0, 0, 0, time.UTC)}
	for _, r := range []tileRequest{
		{layer: "incidents", tile: maptile.New(632, 409, 10), format: "mvt", scale: 1},
		{layer: LayerBasemap, tile: maptile.New(4, 5, 3), format: "png", scale: 2},
		{layer: "al-asad", tile: maptile.New(0, 0, 0), format: "png", scale: 1, time: day},
		{layer: "incidents", tile: maptile.New(1<<20-1, 1<<20-1, 20), format: "mvt", scale: 1, time: geo.Interval{Start: day.Start}},
	} {
		old := fmt.Sprintf("%s/%d/%d/%d", r.layer, r.tile.Z, r.tile.X, r.tile.Y)
		if r.scale > 1 {
			old += fmt.Sprintf("@%dx", r.scale)
		}
		old = keyRequest(old+"."+r.format, intervalValues(r.time))
		if got := r.key(); got != old {
			t.Errorf("key %q, want %q", got, old)
		}
	}
}
