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
	for _, in := range fixtureData(t).Incidents() {
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

// TestClusteredFeatureIDs checks MVT feature ids: present and distinct on every
// feature of a tile, an incident's the same at every zoom, clusters in
// their own range.
func TestClusteredFeatureIDs(t *testing.T) {
	ds := synthData(t)
	seen := map[string]uint64{} // incident id → feature id
	for z := maptile.Zoom(0); z <= 16; z++ {
		tile := maptile.At(alAsad, z)
		ids := map[uint64]bool{}
		for _, f := range decode(t, clustered(t, ds, "al-asad", tile), tile) {
			id, ok := f.ID.(float64) // orb decodes ids as float64, as JavaScript would
			if !ok || id >= 1<<53 || id != float64(uint64(id)) {
				t.Fatalf("z%d: feature id %v (%T), want a whole number below 2^53", z, f.ID, f.ID)
			}
			n := uint64(id)
			if ids[n] {
				t.Errorf("z%d: feature id %d twice", z, n)
			}
			ids[n] = true
			switch f.Properties["kind"] {
			case "cluster":
				if cid, _ := f.Properties["cluster_id"].(float64); n&tiles.ClusterIDBit == 0 || cid != id {
					t.Errorf("z%d: cluster id %d, cluster_id %v", z, n, f.Properties["cluster_id"])
				}
			case "incident":
				in := f.Properties["id"].(string)
				if n&tiles.ClusterIDBit != 0 || n != tiles.HashID(in) {
					t.Errorf("z%d: incident %s has id %d, want %d", z, in, n, tiles.HashID(in))
				}
				if old, ok := seen[in]; ok && old != n {
					t.Errorf("z%d: incident %s has id %d, %d at a lower zoom", z, in, n, old)
				}
				seen[in] = n
			default:
				if n != tiles.HashID(f.Properties["id"].(string)) {
					t.Errorf("z%d: %v has id %d", z, f.Properties["id"], n)
				}
			}
		}
	}
	if len(seen) == 0 {
		t.Error("no incident on its own at any zoom")
	}
}
