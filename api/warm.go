package api

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/tiles"
)

// WarmOptions says which tiles Warm renders.
type WarmOptions struct {
	Layers           []string // overlay ids or "basemap"
	MinZoom, MaxZoom int
	Bound            orb.Bound // the area to cover, clamped to the world
	// Concurrency is how many tiles render at once.
	Concurrency int
	// Progress, when set, is called after each tile with the count done
	// and the total, one call at a time.
	Progress func(done, total int)
}

// Warm renders the tiles opts names and stores them in the cache, under the
// keys requests will use, so the first reader of a tile finds it rendered.
// Basemap tiles are PNG, overlays MVT. It stops at the first error.
func (s *Server) Warm(ctx context.Context, opts WarmOptions) (int, error) {
	var jobs []tileRequest
	for _, layer := range opts.Layers {
		if layer != LayerBasemap && !s.data.HasLayer(layer) {
			return 0, fmt.Errorf("warm: no layer %q", layer)
		}
		format := "mvt"
		if layer == LayerBasemap {
			format = "png"
		}
		for z := opts.MinZoom; z <= min(opts.MaxZoom, maxZoom(layer)); z++ {
			for _, t := range tiles.Range(opts.Bound, maptile.Zoom(z)).All() {
				jobs = append(jobs, tileRequest{layer: layer, format: format, scale: 1, tile: t})
			}
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan tileRequest)
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	var progressMu sync.Mutex
	var wg sync.WaitGroup
	for range max(opts.Concurrency, 1) {
		wg.Go(func() {
			for r := range next {
				if _, _, err := s.fetchTile(ctx, r); err != nil {
					once.Do(func() { firstErr = fmt.Errorf("warm %s: %w", r.key(), err); cancel() })
					continue
				}
				if opts.Progress != nil {
					progressMu.Lock()
					opts.Progress(int(done.Add(1)), len(jobs))
					progressMu.Unlock()
				} else {
					done.Add(1)
				}
			}
		})
	}
feed:
	for _, r := range jobs {
		select {
		case next <- r:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = fmt.Errorf("warm: %w", ctx.Err())
	}
	return int(done.Load()), firstErr
}
