package api

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
	"github.com/incidentmap/incidentmap/tiles"
)

// synthServer serves n synthetic incidents (geo/synth) with a cache too
// small to keep anything, so every request renders. Each size is loaded
// once per test binary: a million takes about 15 s and 3 GB.
var synthServers sync.Map // n → func() (*Server, error)

func synthServer(tb testing.TB, n int) *Server {
	tb.Helper()
	load, _ := synthServers.LoadOrStore(n, sync.OnceValues(func() (*Server, error) {
		ds, err := geo.NewDataset(synth.Incidents(n, 1), fixtures.Sites)
		if err != nil {
			return nil, err
		}
		return New(Config{Data: ds, Cache: cache.New(1, nil), RenderSlots: 64}), nil
	}))
	s, err := load.(func() (*Server, error))()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// synthTiles are the tiles over the synthetic data from zoom 0 to maxZ,
// and the ring around it.
func synthTiles(maxZ maptile.Zoom) []maptile.Tile {
	area := orb.Bound{Min: orb.Point{synth.Area.MinLon, synth.Area.MinLat}, Max: orb.Point{synth.Area.MaxLon, synth.Area.MaxLat}}
	var ts []maptile.Tile
	for z := maptile.Zoom(0); z <= maxZ; z++ {
		for _, t := range tiles.Range(area.Pad(1), z).All() {
			ts = append(ts, t)
		}
	}
	return ts
}

// Tiles of dense data hold clusters, stay small, and give every feature a
// numeric id, whichever overlay draws incidents.
func TestDenseTilesAreClustered(t *testing.T) {
	s := synthServer(t, 50_000)
	clusters := 0
	for _, layer := range []string{geo.LayerIncidents, "al-asad", geo.LayerUncertainty} {
		for _, tile := range synthTiles(7) {
			rec := get(t, s, fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layer, tile.Z, tile.X, tile.Y))
			if rec.Code == http.StatusNoContent {
				continue
			}
			if rec.Code != http.StatusOK {
				t.Fatalf("%s %v: %d", layer, tile, rec.Code)
			}
			if rec.Body.Len() > 500_000 {
				t.Errorf("%s %v: %d bytes, over 500 KB", layer, tile, rec.Body.Len())
			}
			ls, err := mvt.Unmarshal(rec.Body.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range ls[0].Features {
				if f.ID == nil {
					t.Errorf("%s %v: a feature without a numeric id: %v", layer, tile, f.Properties)
				}
				if f.Properties["kind"] == tiles.KindCluster {
					clusters++
					if layer == geo.LayerUncertainty {
						t.Errorf("%s %v: a cluster in the uncertainty layer", layer, tile)
					}
				}
			}
			if n := len(ls[0].Features); n > 2_000 {
				t.Errorf("%s %v: %d features", layer, tile, n)
			}
		}
	}
	if clusters == 0 {
		t.Error("50,000 incidents made no cluster in any tile")
	}
}

// BenchmarkMillion1M answers, uncached and one after another, every tile
// of every overlay over the synthetic million from zoom 0 to 8 (MVT, and
// PNG to zoom 6), a few deeper ones, and every overlay endpoint, and
// reports the slowest answer and the 99th percentile. Run it on one core:
//
//	go test ./api -run '^$' -bench Million1M -benchtime 1x -cpu 1
func BenchmarkMillion1M(b *testing.B) {
	s := synthServer(b, 1_000_000)
	var paths []string
	layers := []string{geo.LayerIncidents, geo.LayerUncertainty, geo.LayerLinks, geo.LayerRings, "al-asad", "hasakah"}
	for _, tile := range synthTiles(8) {
		for _, l := range layers {
			paths = append(paths, fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", l, tile.Z, tile.X, tile.Y))
			if tile.Z <= 6 {
				paths = append(paths, fmt.Sprintf("/tiles/%s/%d/%d/%d.png", l, tile.Z, tile.X, tile.Y))
			}
		}
	}
	for _, z := range []maptile.Zoom{10, 12, 14} {
		t := maptile.At(orb.Point{42.441, 33.786}, z)
		for _, l := range layers {
			paths = append(paths, fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", l, t.Z, t.X, t.Y))
		}
	}
	for _, l := range layers {
		paths = append(paths, "/api/layers/"+l, "/api/layers/"+l+"?bbox=42.2,33.6,42.7,34", "/api/layers/"+l+"?datetime=2023-06-01")
	}
	paths = append(paths,
		"/api/collections/incidents/items?lat=33.786&lon=42.441&radius=50000",
		"/api/collections/incidents/items?bbox=42,33,43,34&limit=1000",
		"/api/collections/incidents/items?f=csv&limit=10000",
		"/api/static.png?width=1200&height=630&layers=incidents,uncertainty,al-asad",
	)
	var took []time.Duration
	slowest := map[string]time.Duration{}
	status := map[int]int{}
	for b.Loop() {
		took = took[:0]
		for _, p := range paths {
			start := time.Now()
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
			d := time.Since(start)
			took = append(took, d)
			slowest[p] = max(slowest[p], d)
			status[rec.Code]++
			if rec.Code >= 500 {
				b.Fatalf("%s: %d %s", p, rec.Code, rec.Body)
			}
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(len(paths)), "requests")
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
	worst := slices.SortedFunc(maps.Keys(slowest), func(a, b string) int { return cmp.Compare(slowest[b], slowest[a]) })
	for _, p := range worst[:min(5, len(worst))] {
		b.Logf("%6.0f ms %s", float64(slowest[p].Microseconds())/1000, p)
	}
	b.Logf("statuses %v", status)
}
