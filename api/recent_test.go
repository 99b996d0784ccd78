package api

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/geo"
)

// A tile's formats are drawn from one gathering of its features, and
// each is drawn as it would be alone.
func TestTileFormatsGatherOnce(t *testing.T) {
	s := newTestServer(t)
	tile := "/tiles/incidents/8/158/102" // Al Asad
	formats := []string{".mvt", ".png", "@2x.png"}
	for _, f := range formats {
		if rec := do(s, http.MethodGet, tile+f, ""); rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", tile+f, rec.Code, rec.Body)
		}
	}
	if n := s.recent.gathered; n != 1 {
		t.Errorf("one tile's three formats gathered its features %d times, want once", n)
	}
	for _, f := range formats {
		got := do(s, http.MethodGet, tile+f, "")
		want := do(newTestServer(t), http.MethodGet, tile+f, "")
		if got.Body.String() != want.Body.String() {
			t.Errorf("%s: %d bytes drawn from kept features, %d drawn alone", tile+f, got.Body.Len(), want.Body.Len())
		}
	}
	// Another tile, and the same tile of a day, gather their own.
	for _, path := range []string{"/tiles/incidents/8/161/105.mvt", tile + ".mvt?datetime=2023-11-21"} {
		do(s, http.MethodGet, path, "")
	}
	if n := s.recent.gathered; n != 3 {
		t.Errorf("three tiles gathered %d times, want 3", n)
	}
}

func TestRecentFeaturesBounds(t *testing.T) {
	r := newRecentFeatures()
	for i := range maxRecentTiles + 1 {
		r.put(fmt.Sprint(i), make([]geo.Feature, 1))
	}
	if _, ok := r.get("0"); ok {
		t.Errorf("the oldest of %d tiles is kept, the most is %d", maxRecentTiles+1, maxRecentTiles)
	}
	if _, ok := r.get(fmt.Sprint(maxRecentTiles)); !ok || len(r.byKey) != maxRecentTiles {
		t.Errorf("%d tiles kept, the newest %v; want %d and it", len(r.byKey), ok, maxRecentTiles)
	}

	big := maxRecentFeatures / 2
	r.put("big", make([]geo.Feature, big))
	r.put("bigger", make([]geo.Feature, big+1))
	if _, ok := r.get("big"); ok || r.count > maxRecentFeatures {
		t.Errorf("%d features kept, the older big tile %v; the most is %d", r.count, ok, maxRecentFeatures)
	}
	if _, ok := r.get("bigger"); !ok {
		t.Error("the newest tile was not kept")
	}
	r.put("too big", make([]geo.Feature, maxRecentFeatures+1))
	if _, ok := r.get("too big"); ok {
		t.Error("a tile of more features than the bound was kept")
	}
	want := 0
	for _, tile := range r.byKey {
		want += len(tile.features)
	}
	if r.count != want {
		t.Errorf("count %d, but %d features are kept", r.count, want)
	}

	// A tile older than maxRecentAge falls out at the next put, and the
	// data set its features point into with it.
	clock := time.Now()
	r.now = func() time.Time { return clock }
	r.put("then", make([]geo.Feature, 1))
	clock = clock.Add(maxRecentAge + time.Millisecond)
	r.put("now", make([]geo.Feature, 1))
	if _, ok := r.get("then"); ok {
		t.Errorf("a tile gathered %s before the last is kept", maxRecentAge+time.Millisecond)
	}
	if _, ok := r.get("now"); !ok || len(r.order) != 1 {
		t.Errorf("%d tiles kept after the older fell out, want the newest alone", len(r.order))
	}
}
