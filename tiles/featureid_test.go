package tiles_test

import (
	"fmt"
	"testing"

	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/tiles"
)

// TestHashIDsDistinct hashes the ids of the synthetic million and of the
// fixtures, and wants no two alike.
func TestHashIDsDistinct(t *testing.T) {
	ids := make(map[uint64]string, 1_000_000)
	check := func(s string) {
		h := tiles.HashID(s)
		if h >= tiles.ClusterIDBit {
			t.Fatalf("HashID(%q) = %d, at or above ClusterIDBit", s, h)
		}
		if other, ok := ids[h]; ok {
			t.Errorf("HashID(%q) = HashID(%q) = %d", s, other, h)
		}
		ids[h] = s
	}
	for i := range 1_000_000 {
		check(fmt.Sprintf("synthetic-%d", i)) // the ids geo/synth writes
	}
	for _, in := range fixtureData(t).Incidents {
		check(in.ID)
	}
}

// TestMVTFeatureIDs checks every feature of every fixture overlay's tiles
// carries the numeric id of its string id, once per tile.
func TestMVTFeatureIDs(t *testing.T) {
	ds := fixtureData(t)
	features := 0
	for _, l := range ds.Layers() {
		for _, z := range []maptile.Zoom{4, 8, 12} {
			tile := maptile.At(alAsad, z)
			b, err := tiles.MVT(l.ID, layer(t, ds, l.ID), tile)
			if err != nil {
				t.Fatalf("%s z%d: %v", l.ID, z, err)
			}
			if b == nil {
				continue // nothing of it there
			}
			ls, err := mvt.UnmarshalGzipped(b)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[float64]bool{}
			for _, f := range ls[0].Features {
				id, _ := f.ID.(float64) // orb decodes ids as float64, as JavaScript would
				if want := tiles.HashID(f.Properties.MustString("id", "")); id != float64(want) {
					t.Errorf("%s z%d: %v has id %v, want %d", l.ID, z, f.Properties["id"], f.ID, want)
				}
				if seen[id] {
					t.Errorf("%s z%d: id %v twice", l.ID, z, id)
				}
				seen[id] = true
				features++
			}
		}
	}
	if features < 50 {
		t.Errorf("%d features checked", features)
	}
}
