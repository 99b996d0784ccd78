package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/geo/synth"
	"github.com/incidentmap/incidentmap/tiles"
)

// class is what kind of thing a request asks for.
type class uint8

const (
	classMVT class = iota
	classPNG
	classBasemap
	classLayer
	classRadius
	numClasses
)

func (c class) String() string {
	return [...]string{"tile .mvt (gzip)", "tile .png", "basemap .png", "layer", "radius query"}[c]
}

// target is one request to make.
type target struct {
	class class
	path  string
	gzip  bool
}

// targets is the request mix: tiles and layers the setup warmed (so they
// are cached), and radius queries at random centres (mostly uncached).
type targets struct {
	tiles   []string // /tiles/incidents/z/x/y, without the extension
	layers  []string
	basemap bool
}

// tileBox is where the warmed tiles are: the middle of synth.Area, at the
// zooms a reader of the map uses.
var tileBox = orb.Bound{Min: orb.Point{40, 31}, Max: orb.Point{46, 35}}

const tileMinZoom, tileMaxZoom = 6, 8

// layerDays are the days the warmed day-filtered layers ask for.
const layerDays = 30

func newTargets() targets {
	var t targets
	for z := maptile.Zoom(tileMinZoom); z <= tileMaxZoom; z++ {
		for _, tile := range tiles.Range(tileBox, z).All() {
			t.tiles = append(t.tiles, fmt.Sprintf("/tiles/incidents/%d/%d/%d", tile.Z, tile.X, tile.Y))
		}
	}
	for _, id := range []string{"rings", "links", "abu-ghraib", "hasakah", "baghdad"} {
		t.layers = append(t.layers, "/api/layers/"+id)
	}
	// The incidents and their uncertainty as the page asks for them: its
	// view (a 1280 by 800 px screen over the middle of the area) at its
	// zoom, one day at a time. A whole day's layer of a million
	// incidents is megabytes; no client asks for it.
	day := time.Date(2023, 1, 5, 0, 0, 0, 0, time.UTC)
	for i := range layerDays {
		z := 7 + i%2
		for _, id := range []string{"incidents", "uncertainty"} {
			t.layers = append(t.layers, fmt.Sprintf("/api/layers/%s?bbox=%s&zoom=%d&datetime=%s", id, viewBox(z), z, day.Format(time.DateOnly)))
		}
		day = day.AddDate(0, 0, 12)
	}
	return t
}

// viewBox is the bbox of a 1280 by 800 px screen at zoom z centred on
// the middle of tileBox, as the page sends it.
func viewBox(z int) string {
	c := tileBox.Center()
	degPerPx := 360 / float64(int(tiles.TileSize)<<z)
	dLon := 640 * degPerPx
	dLat := 400 * degPerPx * math.Cos(c[1]*math.Pi/180) // Mercator, near enough at this scale
	return fmt.Sprintf("%.4f,%.4f,%.4f,%.4f", c[0]-dLon, c[1]-dLat, c[0]+dLon, c[1]+dLat)
}

// pick draws a request: 35% vector tiles, 20% raster tiles, 5% basemap
// tiles (layers when there is no basemap), 15% layers, 25% radius queries.
func (t targets) pick(rng *rand.Rand) target {
	switch n := rng.IntN(100); {
	case n < 35:
		return target{classMVT, t.tiles[rng.IntN(len(t.tiles))] + ".mvt", true}
	case n < 55:
		return target{classPNG, t.tiles[rng.IntN(len(t.tiles))] + ".png", false}
	case n < 60 && t.basemap:
		return target{classBasemap, basemapPath(t.tiles[rng.IntN(len(t.tiles))]), false}
	case n < 75:
		return target{classLayer, t.layers[rng.IntN(len(t.layers))], true}
	default:
		return target{classRadius, radiusQuery(rng), true}
	}
}

func basemapPath(tile string) string {
	return "/tiles/basemap" + tile[len("/tiles/incidents"):] + ".png"
}

// radiusQuery asks for the incidents within 10, 25 or 50 km of a random
// point of synth.Area. Centres are rounded to 0.1°, so of the 24,000
// possible queries some repeat and most are first asked.
func radiusQuery(rng *rand.Rand) string {
	a := synth.Area
	lat := math.Round((a.MinLat+rng.Float64()*(a.MaxLat-a.MinLat))*10) / 10
	lon := math.Round((a.MinLon+rng.Float64()*(a.MaxLon-a.MinLon))*10) / 10
	radius := [...]int{10_000, 25_000, 50_000}[rng.IntN(3)]
	return fmt.Sprintf("/api/collections/incidents/items?lat=%.1f&lon=%.1f&radius=%d", lat, lon, radius)
}

// warm decides whether the basemap is served, then requests every tile and
// layer of the mix once, as many at a time as there are CPUs, so that the
// load finds them cached.
func (e *env) warm(ctx context.Context, progress io.Writer) error {
	e.targets = newTargets()
	probe := basemapPath(e.targets.tiles[0])
	status, err := get(ctx, e.client, e.svc.base+probe)
	switch {
	case err != nil:
		return fmt.Errorf("basemap probe: %w", err)
	case status == http.StatusOK || status == http.StatusNoContent:
		e.targets.basemap = true
		e.setupFigures = append(e.setupFigures, figure{"basemap", "in the mix"})
	default:
		e.setupFigures = append(e.setupFigures, figure{"basemap", fmt.Sprintf("excluded: %s answered %d", probe, status)})
	}
	var paths []string
	for _, t := range e.targets.tiles {
		paths = append(paths, t+".mvt", t+".png")
		if e.targets.basemap {
			paths = append(paths, basemapPath(t))
		}
	}
	paths = append(paths, e.targets.layers...)
	fmt.Fprintf(progress, "warming %d tiles and layers\n", len(paths))
	start := time.Now()
	var next atomic.Int64
	var mu sync.Mutex
	var failed []string
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(paths)) && ctx.Err() == nil; i = next.Add(1) - 1 {
				status, err := get(ctx, e.client, e.svc.base+paths[i])
				if err != nil || status >= 300 {
					mu.Lock()
					failed = append(failed, fmt.Sprintf("%s: %d %v", paths[i], status, err))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if len(failed) > 0 {
		return fmt.Errorf("warm: %d of %d failed, first %s", len(failed), len(paths), failed[0])
	}
	formats := ".mvt and .png"
	if e.targets.basemap {
		formats += ", and basemap .png"
	}
	e.setupFigures = append(e.setupFigures,
		figure{"warmed", fmt.Sprintf("%d tiles (z%d–%d, %s) and %d layers in %s",
			len(e.targets.tiles), tileMinZoom, tileMaxZoom, formats, len(e.targets.layers), round(time.Since(start)))})
	return ctx.Err()
}

// get requests url with gzip accepted and returns the status.
func get(ctx context.Context, c *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", url, err)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", url, err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, fmt.Errorf("get %s: %w", url, err)
	}
	return resp.StatusCode, nil
}
