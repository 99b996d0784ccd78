package api

import (
	"sync"
	"time"

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
// A feature of an incident points into the data set it was gathered
// from (its records, its text), so a kept tile keeps that data set
// alive after a batch has replaced it. Tiles are kept for
// maxRecentAge, about the time their formats are drawn in, one after
// the other, after a write: so at most the data sets of the last
// second's batches outlive their swap. And at most maxRecentTiles
// tiles and maxRecentFeatures features, the oldest falling out first.
type recentFeatures struct {
	mu    sync.Mutex
	order []string // keys, oldest first
	byKey map[string]recentTile
	count int // features held
	// gathered counts the tiles put, kept or not: the gatherings done
	// (TestTileFormatsGatherOnce).
	gathered int
	now      func() time.Time
}

// recentTile is a tile's features and when they were gathered.
type recentTile struct {
	features []geo.Feature
	at       time.Time
}

const (
	maxRecentTiles    = 64
	maxRecentFeatures = 50_000
	maxRecentAge      = time.Second
)

func newRecentFeatures() *recentFeatures {
	return &recentFeatures{byKey: map[string]recentTile{}, now: time.Now}
}

// get returns the features kept under key.
func (r *recentFeatures) get(key string) ([]geo.Feature, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.byKey[key]
	return t.features, ok
}

// put keeps fs under key, letting the oldest fall out to stay within
// the bounds (and those older than maxRecentAge); a tile of more than
// maxRecentFeatures is not kept.
func (r *recentFeatures) put(key string, fs []geo.Feature) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gathered++
	if _, ok := r.byKey[key]; ok || len(fs) > maxRecentFeatures {
		return // gathered twice at once (the same features), or too many
	}
	now := r.now()
	for len(r.order) > 0 {
		oldest := r.byKey[r.order[0]]
		if len(r.order) < maxRecentTiles && r.count+len(fs) <= maxRecentFeatures && now.Sub(oldest.at) <= maxRecentAge {
			break
		}
		r.count -= len(oldest.features)
		delete(r.byKey, r.order[0])
		r.order = r.order[1:]
	}
	r.order = append(r.order, key)
	r.byKey[key] = recentTile{fs, now}
	r.count += len(fs)
}
