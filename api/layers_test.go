package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles"
)

// viewFeature is a feature of a layer's view: an incident or a cluster.
type viewFeature struct {
	ID         string `json:"id"`
	Properties struct {
		Kind       string `json:"kind"`
		PointCount int    `json:"point_count"`
		ClusterID  int64  `json:"cluster_id"`
	} `json:"properties"`
}

// count is how many incidents the feature stands for.
func (f viewFeature) count() int {
	if f.Properties.Kind == tiles.KindCluster {
		return f.Properties.PointCount
	}
	return 1
}

// getView returns the features of a layer's view, failing unless it is
// answered 200.
func getView(t *testing.T, h http.Handler, layer string, b orb.Bound, z maptile.Zoom) []viewFeature {
	t.Helper()
	target := fmt.Sprintf("/api/layers/%s?bbox=%s&zoom=%d", layer, boundText(b), z)
	rec := get(t, h, target)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, rec.Code, excerpt(rec.Body.String()))
	}
	var fc struct {
		Features []viewFeature `json:"features"`
	}
	decodeJSON(t, rec.Body, &fc)
	return fc.Features
}

// inside is a tile's bound shrunk by a hair, so that the view of it
// touches the tile's own cells and none of its neighbours'.
func inside(t maptile.Tile) orb.Bound {
	return t.Bound().Pad(-1e-9)
}

// The view of a tile at its zoom has the clusters and incidents the tile
// itself has (ids and counts), so the page and the tiles agree.
func TestLayerViewAgreesWithTiles(t *testing.T) {
	s := synthServer(t, 20_000)
	alAsad := orb.Point{42.441, 33.786}
	clusters := 0
	for _, z := range []maptile.Zoom{4, 6, 8, 10, 12} {
		centre := maptile.At(alAsad, z)
		for _, tile := range []maptile.Tile{centre, {X: centre.X + 1, Y: centre.Y, Z: z}} {
			for _, layer := range []string{geo.LayerIncidents, "al-asad"} {
				name := fmt.Sprintf("%s/%d/%d/%d", layer, tile.Z, tile.X, tile.Y)
				want := map[string]int{}
				rec := get(t, s, "/tiles/"+name+".mvt")
				if rec.Code != http.StatusOK {
					t.Fatalf("tile %s: %d", name, rec.Code)
				}
				ls, err := mvt.Unmarshal(rec.Body.Bytes())
				if err != nil {
					t.Fatalf("tile %s: %v", name, err)
				}
				for _, f := range ls[0].Features {
					p, ok := f.Geometry.(orb.Point)
					// The buffer shows the neighbours' clusters: leave them to
					// their own tiles.
					if !ok || p[0] < 0 || p[1] < 0 || p[0] >= tiles.Extent || p[1] >= tiles.Extent || f.Properties["kind"] == "site" {
						continue
					}
					id, _ := f.Properties["id"].(string)
					n := 1
					if f.Properties["kind"] == tiles.KindCluster {
						n = int(f.Properties["point_count"].(float64))
					}
					want[id] = n
				}
				got := map[string]int{}
				for _, f := range getView(t, s, layer, inside(tile), z) {
					if f.Properties.Kind == "site" || f.Properties.Kind == "ring" {
						continue // the site's own features: not clustered
					}
					got[f.ID] = f.count()
					if f.Properties.Kind == tiles.KindCluster {
						clusters++
						if want := "cluster-" + strconv.Itoa(int(z)); !strings.HasPrefix(f.ID, want) {
							t.Errorf("%s: cluster %s at zoom %d", name, f.ID, z)
						}
					}
				}
				if len(want) == 0 {
					t.Fatalf("tile %s holds nothing: the test shows nothing", name)
				}
				if len(got) != len(want) {
					t.Errorf("%s: the view has %d features, the tile %d", name, len(got), len(want))
				}
				for id, n := range want {
					if got[id] != n {
						t.Errorf("%s: %s counts %d in the view, %d in the tile", name, id, got[id], n)
					}
				}
			}
		}
	}
	if clusters == 0 {
		t.Error("no view held a cluster")
	}
}

// A cluster of a view splits as the view zooms in: the view of its cell
// one and two zooms deeper holds more features, whose counts add up to
// its count.
func TestLayerViewClustersSplit(t *testing.T) {
	s := synthServer(t, 20_000)
	const z = 6
	view := maptile.At(orb.Point{42.441, 33.786}, z)
	split := 0
	for _, c := range getView(t, s, geo.LayerIncidents, inside(view), z) {
		if c.Properties.Kind != tiles.KindCluster {
			continue
		}
		var cz, cx, cy uint32
		if _, err := fmt.Sscanf(c.ID, "cluster-%d-%d-%d", &cz, &cx, &cy); err != nil || cz != z {
			t.Fatalf("cluster id %q: %v", c.ID, err)
		}
		cell := maptile.New(cx, cy, z+2) // a cell at z is a tile at z+2
		for _, deeper := range []maptile.Zoom{z + 1, z + 2} {
			fs := getView(t, s, geo.LayerIncidents, inside(cell), deeper)
			sum := 0
			for _, f := range fs {
				sum += f.count()
			}
			if sum != c.count() {
				t.Errorf("%s (%d): at zoom %d its cell holds %d in %d features", c.ID, c.count(), deeper, sum, len(fs))
			}
			if len(fs) > 1 {
				split++
			}
		}
	}
	if split == 0 {
		t.Error("no cluster split as the view zoomed in")
	}
}

// Views that touch the same cells share one cached body; a view of other
// cells, or at another zoom, does not.
func TestLayerViewKeys(t *testing.T) {
	s := newTestServer(t)
	first := get(t, s, "/api/layers/incidents?bbox=42.3,33.7,42.6,33.9&zoom=9")
	same := get(t, s, "/api/layers/incidents?bbox=42.30001,33.70001,42.59999,33.89999&zoom=9")
	if first.Code != http.StatusOK || same.Code != http.StatusOK {
		t.Fatalf("status %d and %d", first.Code, same.Code)
	}
	if same.Header().Get("X-Cache") != "hit" || same.Header().Get("ETag") != first.Header().Get("ETag") || same.Body.String() != first.Body.String() {
		t.Errorf("a view of the same cells: X-Cache %q, ETags %s and %s", same.Header().Get("X-Cache"), first.Header().Get("ETag"), same.Header().Get("ETag"))
	}
	for _, other := range []string{
		"/api/layers/incidents?bbox=42.3,33.7,43.6,33.9&zoom=9",
		"/api/layers/incidents?bbox=42.3,33.7,42.6,33.9&zoom=10",
		"/api/layers/incidents?bbox=42.3,33.7,42.6,33.9",
		"/api/layers/incidents?bbox=42.3,33.7,42.6,33.9&zoom=9&datetime=2023-11-21",
	} {
		rec := get(t, s, other)
		if rec.Code != http.StatusOK || rec.Header().Get("X-Cache") != "miss" || rec.Header().Get("ETag") == first.Header().Get("ETag") {
			t.Errorf("%s: %d, X-Cache %q, ETag %s (the first view's %s)", other, rec.Code, rec.Header().Get("X-Cache"), rec.Header().Get("ETag"), first.Header().Get("ETag"))
		}
	}
}

// Without a bbox, a zoom's view is the whole world, up to the zoom at
// which it fits a 4K screen; it holds every located incident.
func TestLayerViewOfTheWorld(t *testing.T) {
	s := newTestServer(t)
	located := getCollection(t, s, itemsPath+"?located=true").NumberMatched
	for z := 0; z <= 4; z++ {
		sum := 0
		for _, f := range getView(t, s, geo.LayerIncidents, worldBound, maptile.Zoom(z)) {
			sum += f.count()
		}
		rec := get(t, s, "/api/layers/incidents?zoom="+strconv.Itoa(z))
		var fc struct {
			Features []viewFeature `json:"features"`
		}
		decodeJSON(t, rec.Body, &fc)
		world := 0
		for _, f := range fc.Features {
			world += f.count()
		}
		if sum != located || world != located {
			t.Errorf("zoom %d: the world holds %d incidents (%d with its bbox), want the %d located", z, world, sum, located)
		}
	}
}
