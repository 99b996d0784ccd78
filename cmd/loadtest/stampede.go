package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// runStampede sends 200 concurrent requests for each of three keys nobody
// asked for before (a vector tile, a raster tile, a layer) with no other
// load, and counts renders: one per key.
func runStampede(ctx context.Context, e *env) (result, error) {
	const n = 200
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	// z9 is deeper than the load's tiles; the point is random in the box.
	tile := maptile.At(orb.Point{
		tileBox.Min[0] + rng.Float64()*(tileBox.Max[0]-tileBox.Min[0]),
		tileBox.Min[1] + rng.Float64()*(tileBox.Max[1]-tileBox.Min[1]),
	}, 9)
	tilePath := fmt.Sprintf("/tiles/incidents/%d/%d/%d", tile.Z, tile.X, tile.Y)
	day := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(364*24*60)) * time.Minute)
	layerPath := fmt.Sprintf("/api/layers/uncertainty?datetime=%s/%s",
		day.Format(time.RFC3339), day.Add(36*time.Hour).Format(time.RFC3339))
	keys := []target{
		{classMVT, tilePath + ".mvt", true},
		{classPNG, tilePath + ".png", false},
		{classLayer, layerPath, true},
	}
	c := newClient(n)
	defer c.CloseIdleConnections()
	var r result
	for _, k := range keys {
		before, err := scrape(ctx, e.control, e.svc.base)
		if err != nil {
			return r, err
		}
		recs, took := stampede(c, e.svc.base, k, n)
		after, err := scrape(ctx, e.control, e.svc.base)
		if err != nil {
			return r, err
		}
		renders := after.value(metricMisses) - before.value(metricMisses)
		s := summarise(recs, 0, took)
		r.classes = append(r.classes, classRow{k.path, s})
		r.checks = append(r.checks,
			check{fmt.Sprintf("%d concurrent requests, 1 render: %s", n, k.path), renders == 1, fmt.Sprintf("incidentmap_cache_misses_total +%.0f", renders)},
			noErrors(fmt.Sprintf("all %d answered: %s", n, k.path), s),
		)
	}
	return r, nil
}

// stampede sends n requests for t at once and returns them and how long
// they took.
func stampede(c *http.Client, base string, t target, n int) ([]record, time.Duration) {
	recs := make([]record, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range recs {
		wg.Go(func() {
			<-gate
			recs[i] = do(c, base, t, t0)
		})
	}
	close(gate)
	wg.Wait()
	return recs, time.Since(t0)
}
