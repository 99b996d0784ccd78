package api

import (
	"context"
	"fmt"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/sync/errgroup"

	"github.com/incidentmap/incidentmap/tiles"
)

// WarmOptions says which tiles Warm renders.
type WarmOptions struct {
	Layers []string // overlay ids or "basemap"
	// Arabic warms the basemap's Arabic tiles (lang=ar) too.
	Arabic           bool
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
	s = s.now() // the current data set's
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
				if layer == LayerBasemap && opts.Arabic {
					jobs = append(jobs, tileRequest{layer: layer, format: format, scale: 1, tile: t, lang: langAR})
				}
			}
		}
	}

	// Warm sets its own concurrency, so its renders do not take the
	// render slots that bound requests: they would wait, then fail.
	ctx = context.WithValue(ctx, inSlot{}, true)
	// errgroup cancels gctx at the first error, so no new tile starts.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(opts.Concurrency, 1))
	var mu sync.Mutex // serialises done and Progress
	done := 0
	for _, r := range jobs {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if _, _, err := s.fetchTile(gctx, r); err != nil {
				return fmt.Errorf("warm %s: %w", r.key(), err)
			}
			mu.Lock()
			defer mu.Unlock()
			done++
			if opts.Progress != nil {
				opts.Progress(done, len(jobs))
			}
			return nil
		})
	}
	err := g.Wait()
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("warm: %w", ctx.Err())
	}
	return done, err
}
