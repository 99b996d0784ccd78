package api

import (
	"sync"

	"github.com/incidentmap/incidentmap/geo"
)

// recentFeatures keeps the features of the last tiles gathered, by tile
// and the version of its area (tileFeatures): a write makes a tile's
// MVT and PNG stale together, and they are drawn again one after the
// other, so the second finds the features the first gathered. Beside
// 50 writes a second at 100,000 incidents, gathering and clustering
// was two fifths of a tile's drawing (docs/performance.md). The
// features are shared, read-only: MVT copies what it projects, and the
// PNG renderer only reads.
//
// It holds at most maxRecentTiles tiles and maxRecentFeatures features,
// the oldest falling out first: what a tile shows is drawn soon after
// its area changed, or not at all.
type recentFeatures struct {
	mu    sync.Mutex
	order []string // keys, oldest first
	byKey map[string][]geo.Feature
	count int // features held
	// gathered counts the tiles put, kept or not: the gatherings done
	// (TestTileFormatsGatherOnce).
	gathered int
}

const (
	maxRecentTiles    = 64
	maxRecentFeatures = 50_000 // a few hundred bytes each
)

func newRecentFeatures() *recentFeatures {
	return &recentFeatures{byKey: map[string][]geo.Feature{}}
}

// get returns the features kept under key.
func (r *recentFeatures) get(key string) ([]geo.Feature, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fs, ok := r.byKey[key]
	return fs, ok
}

// put keeps fs under key, letting the oldest fall out to stay within
// the bounds; a tile of more than maxRecentFeatures is not kept.
func (r *recentFeatures) put(key string, fs []geo.Feature) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gathered++
	if len(fs) > maxRecentFeatures {
		return
	}
	if _, ok := r.byKey[key]; ok {
		return // gathered twice at once: the same features
	}
	for len(r.order) > 0 && (len(r.order) >= maxRecentTiles || r.count+len(fs) > maxRecentFeatures) {
		oldest := r.order[0]
		r.count -= len(r.byKey[oldest])
		delete(r.byKey, oldest)
		r.order = r.order[1:]
	}
	r.order = append(r.order, key)
	r.byKey[key] = fs
	r.count += len(fs)
}
