package tiles_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
	"github.com/incidentmap/incidentmap/tiles"
)

// synthSets are synthetic data sets (geo/synth) by size, each loaded once
// per test binary: a million takes about 15 s and 3 GB.
var synthSets sync.Map // [2]int{n, seed} → func() (*geo.Dataset, error)

func synthSet(tb testing.TB, n, seed int) *geo.Dataset {
	tb.Helper()
	load, _ := synthSets.LoadOrStore([2]int{n, seed}, sync.OnceValues(func() (*geo.Dataset, error) {
		return geo.NewDataset(synth.Incidents(n, uint64(seed)), fixtures.Sites)
	}))
	ds, err := load.(func() (*geo.Dataset, error))()
	if err != nil {
		tb.Fatal(err)
	}
	return ds
}

// synthData is 20,000 synthetic incidents over Iraq and Syria: dense
// enough to cluster at every zoom up to about 13, quick enough to load per
// run.
func synthData(tb testing.TB) *geo.Dataset { return synthSet(tb, 20_000, 7) }

// clustered returns the incidents layer of tile tile as the server would
// render it: the grid's bound from the index, then clustered.
func clustered(t testing.TB, ds *geo.Dataset, layerID string, tile maptile.Tile) []geo.Feature {
	t.Helper()
	g := tiles.TileClusterGrid(tile)
	b := g.Bound()
	fs, err := ds.LayerIn(layerID, geo.Interval{}, &b)
	if err != nil {
		t.Fatal(err)
	}
	return g.Cluster(fs)
}

// cellOf returns the cell at zoom z (a tile at z+2) a clustered feature
// stands for: a cluster's from its id, which the test also checks against
// its position, an incident's from its position.
func cellOf(t testing.TB, f geo.Feature, z maptile.Zoom) maptile.Tile {
	t.Helper()
	p := f.Geometry.(orb.Point)
	at := maptile.At(p, z+2)
	if f.Incident != nil {
		return at
	}
	var cz maptile.Zoom
	var x, y uint32
	if _, err := fmt.Sscanf(f.ID, "cluster-%d-%d-%d", &cz, &x, &y); err != nil || cz != z {
		t.Fatalf("cluster id %q at zoom %d: %v", f.ID, z, err)
	}
	cell := maptile.New(x, y, z+2)
	if at != cell {
		t.Errorf("cluster %s at %v, in cell %v: the mean of a cell's points must lie in it", f.ID, p, at)
	}
	return cell
}

// count returns how many incidents a clustered feature stands for.
func count(t testing.TB, f geo.Feature) int {
	t.Helper()
	if f.Incident != nil {
		return 1
	}
	n, ok := f.Properties["point_count"].(int)
	if !ok || f.Properties["kind"] != tiles.KindCluster {
		t.Fatalf("feature %s is neither incident nor cluster: %v", f.ID, f.Properties)
	}
	return n
}

// located returns the incidents with a location.
func located(ds *geo.Dataset) []*geo.Incident {
	var ins []*geo.Incident
	all := ds.Incidents()
	for i := range all {
		if all[i].Location != nil {
			ins = append(ins, &all[i])
		}
	}
	return ins
}

// tilesAround returns the tiles at z that hold the synthetic area, up to
// 5 by 5 of them around its centre.
func tilesAround(z maptile.Zoom) []maptile.Tile {
	a := synth.Area
	nw := maptile.At(orb.Point{a.MinLon, a.MaxLat}, z)
	se := maptile.At(orb.Point{a.MaxLon, a.MinLat}, z)
	c := maptile.At(orb.Point{(a.MinLon + a.MaxLon) / 2, (a.MinLat + a.MaxLat) / 2}, z)
	var ts []maptile.Tile
	for y := max(nw.Y, c.Y-2); y <= min(se.Y, c.Y+2); y++ {
		for x := max(nw.X, c.X-2); x <= min(se.X, c.X+2); x++ {
			ts = append(ts, maptile.New(x, y, z))
		}
	}
	return ts
}

// TestClusterConservesCounts checks that the features of a tile whose
// cells are the tile's own stand for exactly the incidents in the tile,
// at every zoom, across the cluster/no-cluster change at ClusterMaxZoom.
func TestClusterConservesCounts(t *testing.T) {
	ds := synthData(t)
	ins := located(ds)
	for z := maptile.Zoom(0); z <= 17; z++ {
		ts := tilesAround(z)
		if z >= 12 { // sparse there: add the tiles of a few incidents
			for i := 0; i < len(ins); i += len(ins) / 7 {
				ts = append(ts, maptile.At(*ins[i].Location, z))
			}
		}
		for _, tile := range ts {
			want := 0
			for _, in := range ins {
				if maptile.At(*in.Location, z) == tile {
					want++
				}
			}
			got, clusters := 0, 0
			for _, f := range clustered(t, ds, "incidents", tile) {
				if cellOf(t, f, z).Parent().Parent() == tile {
					got += count(t, f)
					if f.Incident == nil {
						clusters++
					}
				}
			}
			if got != want {
				t.Errorf("tile %v: features stand for %d incidents, want %d", tile, got, want)
			}
			if z <= 8 && want > 1000 && clusters == 0 {
				t.Errorf("tile %v: %d incidents and no cluster", tile, want)
			}
		}
	}
}

// TestClusterSplitsAsYouZoom checks that what a cell holds at z is what
// its four quarters hold at z+1, found in the four child tiles.
func TestClusterSplitsAsYouZoom(t *testing.T) {
	ds := synthData(t)
	for z := maptile.Zoom(0); z <= 16; z++ {
		tile := maptile.At(alAsad, z)
		children := map[string]geo.Feature{}
		for _, child := range tile.Children() {
			for _, f := range clustered(t, ds, "incidents", child) {
				children[f.ID] = f // the same feature may be in two tiles' rings
			}
		}
		clusters := 0
		for _, f := range clustered(t, ds, "incidents", tile) {
			cell := cellOf(t, f, z)
			if cell.Parent().Parent() != tile {
				continue
			}
			if f.Incident != nil {
				if _, ok := children[f.ID]; !ok {
					t.Errorf("z%d: incident %s is on its own but not one zoom deeper", z, f.ID)
				}
				continue
			}
			clusters++
			sum := 0
			for _, c := range children {
				if cellOf(t, c, z+1).Parent() == cell {
					sum += count(t, c)
				}
			}
			if n := count(t, f); sum != n {
				t.Errorf("z%d: cluster %s of %d becomes %d one zoom deeper", z, f.ID, n, sum)
			}
		}
		if z <= 9 && clusters == 0 {
			t.Errorf("z%d: no cluster to split on the tile over Al Asad", z)
		}
	}
}

// TestClusterDeterministic renders clustered tiles from two loads of the
// data and from the features in shuffled order, and wants the same bytes.
func TestClusterDeterministic(t *testing.T) {
	a := synthData(t)
	b, err := geo.NewDataset(synth.Incidents(20_000, 7), fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	somewhere := *located(a)[0].Location
	for _, layerID := range []string{"incidents", "al-asad"} {
		for _, z := range []maptile.Zoom{2, 6, 9, 12, 14, 16} {
			tile := maptile.At(somewhere, z)
			g := tiles.TileClusterGrid(tile)
			bound := g.Bound()
			fs, err := b.LayerIn(layerID, geo.Interval{}, &bound)
			if err != nil {
				t.Fatal(err)
			}
			// Shuffle the incidents among themselves: the site and its rings
			// keep their places, as Cluster keeps them in their order.
			var ins []int
			for i := range fs {
				if fs[i].Incident != nil {
					ins = append(ins, i)
				}
			}
			rng.Shuffle(len(ins), func(i, j int) { fs[ins[i]], fs[ins[j]] = fs[ins[j]], fs[ins[i]] })
			slices := [2][]geo.Feature{clustered(t, a, layerID, tile), g.Cluster(fs)}
			var mvts, pngs [2][]byte
			for i, cs := range slices {
				if mvts[i], err = tiles.MVT(layerID, cs, tile); err != nil {
					t.Fatal(err)
				}
				if pngs[i], err = tiles.Overlay(cs, tile, 2); err != nil {
					t.Fatal(err)
				}
			}
			if len(mvts[0]) == 0 {
				t.Fatalf("%s z%d: empty tile", layerID, z)
			}
			if !bytes.Equal(mvts[0], mvts[1]) {
				t.Errorf("%s z%d: MVT bytes differ between loads and orders", layerID, z)
			}
			if !bytes.Equal(pngs[0], pngs[1]) {
				t.Errorf("%s z%d: PNG bytes differ between loads and orders", layerID, z)
			}
		}
	}
}

// incident returns a hand-made incident feature.
func incident(t testing.TB, id string, p orb.Point, at string, eventType string) geo.Feature {
	t.Helper()
	when, err := time.Parse(time.RFC3339, at)
	if err != nil {
		t.Fatal(err)
	}
	loc := p
	return geo.Feature{ID: id, Geometry: p, Incident: &geo.Incident{
		ID: id, Location: &loc, OccurredAt: when, EventType: eventType, Title: "Hand-made " + id,
	}}
}

func TestClusterProperties(t *testing.T) {
	z := maptile.Zoom(10)
	tile := maptile.At(alAsad, z)
	cell := maptile.At(alAsad, z+2).Bound()
	at := func(fx, fy float64) orb.Point { // a point of Al Asad's cell
		return orb.Point{cell.Min[0] + fx*(cell.Max[0]-cell.Min[0]), cell.Min[1] + fy*(cell.Max[1]-cell.Min[1])}
	}
	fs := []geo.Feature{
		incident(t, "a", at(0.2, 0.2), "2023-05-01T10:00:00+03:00", "mortar_attack"),
		incident(t, "b", at(0.4, 0.6), "2023-01-02T00:00:00Z", "airstrike"),
		incident(t, "c", at(0.6, 0.4), "2023-03-01T00:00:00Z", "mortar_attack"),
		incident(t, "d", at(0.8, 0.8), "2023-12-31T23:59:00Z", "drone_attack"),
		incident(t, "e", at(0.5, 0.5), "2023-06-01T00:00:00Z", "funeral"),
		incident(t, "f", at(0.5, 0.5), "2023-06-01T00:00:00Z", "claimed_attack"),
	}
	out := tiles.TileClusterGrid(tile).Cluster(fs)
	if len(out) != 1 {
		t.Fatalf("got %d features, want one cluster: %v", len(out), out)
	}
	c := out[0]
	for k, want := range map[string]any{
		"kind": "cluster", "point_count": 6, "point_count_abbreviated": "6",
		"first_at": "2023-01-02T00:00:00Z", "last_at": "2023-12-31T23:59:00Z",
		"event_types": "airstrike,claimed_attack,drone_attack,+2",
	} {
		if got := c.Properties[k]; got != want {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	var mean orb.Point
	for _, f := range fs {
		p := f.Geometry.(orb.Point)
		mean[0] += p[0] / float64(len(fs))
		mean[1] += p[1] / float64(len(fs))
	}
	if p := c.Geometry.(orb.Point); abs(p[0]-mean[0]) > 1e-7 || abs(p[1]-mean[1]) > 1e-7 {
		t.Errorf("cluster at %v, want the mean %v", p, mean)
	}

	// Three types are listed whole; so is "a" on its own one zoom in...
	out = tiles.TileClusterGrid(tile).Cluster(fs[:3])
	if got := out[0].Properties["event_types"]; got != "airstrike,mortar_attack" {
		t.Errorf("event_types of a, b, c = %v", got)
	}
	// ... and every incident from ClusterMaxZoom, as there are fewer than
	// ClusterDense, in id order.
	a := fs[0].Geometry.(orb.Point)
	deep := maptile.At(a, tiles.ClusterMaxZoom)
	b := incident(t, "b", orb.Point{a[0] + 1e-6, a[1]}, "2023-01-01T00:00:00Z", "airstrike")
	out = tiles.TileClusterGrid(deep).Cluster([]geo.Feature{b, fs[0]})
	if len(out) != 2 || out[0].ID != "a" || out[1].ID != "b" {
		t.Errorf("at z%d: %v, want incidents a and b", tiles.ClusterMaxZoom, out)
	}
}

func abs(v float64) float64 { return max(v, -v) }

// TestClusterPileStaysOne: incidents piled on one spot are one cluster at
// every zoom, the deepest included, and the tile stays small.
func TestClusterPileStaysOne(t *testing.T) {
	var fs []geo.Feature
	for i := range 50_000 {
		fs = append(fs, incident(t, fmt.Sprintf("pile-%d", i), alAsad, "2023-01-01T00:00:00Z", fmt.Sprintf("type_%d", i%1000)))
	}
	for _, z := range []maptile.Zoom{0, 8, tiles.ClusterMaxZoom, tiles.MaxZoom} {
		tile := maptile.At(alAsad, z)
		out := tiles.TileClusterGrid(tile).Cluster(fs)
		if len(out) != 1 || out[0].Properties["point_count"] != len(fs) {
			t.Fatalf("z%d: %d features, want one cluster of %d", z, len(out), len(fs))
		}
		if got := out[0].Properties["event_types"]; got != "type_0,type_1,type_10,+997" {
			t.Errorf("z%d: event_types %v", z, got)
		}
		b, err := tiles.MVT("incidents", out, tile)
		if err != nil || len(b) > 1000 {
			t.Errorf("z%d: %d bytes, %v", z, len(b), err)
		}
	}
}

// TestClusterWorstTileUnder500KB fills every cell a deep tile draws from
// with as many incidents as are shown one by one, each with the longest
// texts a data file may hold, and wants the tile under 500 KB: the bound
// ClusterDense is chosen for.
func TestClusterWorstTileUnder500KB(t *testing.T) {
	z := maptile.Zoom(16)
	tile := maptile.At(alAsad, z)
	long := func(prefix string, i, n int) string {
		return (fmt.Sprintf("%s%d-", prefix, i) + strings.Repeat("x", n))[:n]
	}
	var fs []geo.Feature
	pad := float64(tiles.Buffer) / tiles.Extent / 4 // of a cell: the MVT buffer
	for cy := -1; cy <= 4; cy++ {
		for cx := -1; cx <= 4; cx++ {
			cell := maptile.New(uint32(int(tile.X)*4+cx), uint32(int(tile.Y)*4+cy), z+2).Bound()
			for i := range tiles.ClusterDense {
				// inside the cell, and within the buffer for the ring's cells
				fx, fy := (0.1+0.8*float64(i)/tiles.ClusterDense)*pad, 0.5*pad
				if cx == -1 {
					fx = 1 - fx
				}
				if cy == -1 {
					fy = 1 - fy
				}
				p := orb.Point{cell.Min[0] + fx*(cell.Max[0]-cell.Min[0]), cell.Max[1] - fy*(cell.Max[1]-cell.Min[1])}
				n := len(fs)
				f := incident(t, long("i", n, 128), p, "2023-01-01T00:00:00Z", long("type", n, 64))
				f.Incident.Title, f.Incident.Place = long("title", n, geo.MaxShortText), long("place", n, geo.MaxShortText)
				fs = append(fs, f)
			}
		}
	}
	out := tiles.TileClusterGrid(tile).Cluster(fs)
	if len(out) != 36*tiles.ClusterDense {
		t.Fatalf("%d features, want %d incidents", len(out), 36*tiles.ClusterDense)
	}
	b, err := tiles.MVT("incidents", out, tile)
	if err != nil {
		t.Fatal(err)
	}
	raw := gunzip(t, b)
	ls, err := mvt.Unmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("worst deep tile: %d features, %d bytes raw, %d gzipped", len(ls[0].Features), len(raw), len(b))
	if len(ls[0].Features) != len(out) {
		t.Errorf("%d features in the tile, want all %d within its buffer", len(ls[0].Features), len(out))
	}
	if len(raw) > 500_000 {
		t.Errorf("worst deep tile is %d bytes raw, want under 500 KB", len(raw))
	}
}

// TestClusterSameAcrossTileEdge puts a cluster just east of a tile edge,
// within the MVT buffer of the tile to the west, and wants it the same
// (id, count, position, properties) in both tiles, as features and as MVT.
func TestClusterSameAcrossTileEdge(t *testing.T) {
	for _, z := range []maptile.Zoom{8, 13} {
		west := maptile.At(alAsad, z)
		east := maptile.New(west.X+1, west.Y, z)
		edge := east.Bound()
		dx := (edge.Max[0] - edge.Min[0]) / 256                 // a pixel
		midLat := edge.Min[1] + 0.375*(edge.Max[1]-edge.Min[1]) // mid-cell
		var fs []geo.Feature
		for i := range 5 {
			p := orb.Point{edge.Min[0] + float64(2+i)*dx, midLat + float64(i)*dx/2}
			fs = append(fs, incident(t, fmt.Sprintf("edge-%d", i), p, "2023-01-01T00:00:00Z", "airstrike"))
		}
		// and one far into the eastern cell, which pulls nothing into the buffer
		fs = append(fs, incident(t, "far", orb.Point{edge.Min[0] + 50*dx, midLat}, "2023-01-01T00:00:00Z", "airstrike"))
		// and a cluster 40 px into the eastern tile, a cell further south,
		// which shows there but is beyond the reach of the western tile
		southLat := edge.Min[1] + 0.125*(edge.Max[1]-edge.Min[1])
		for _, id := range []string{"deep-1", "deep-2"} {
			fs = append(fs, incident(t, id, orb.Point{edge.Min[0] + 40*dx, southLat}, "2023-01-01T00:00:00Z", "airstrike"))
		}
		fw := tiles.TileClusterGrid(west).Cluster(fs)
		fe := tiles.TileClusterGrid(east).Cluster(fs)
		if len(fw) != 1 || len(fe) != 2 || !reflect.DeepEqual(fw[0], fe[0]) {
			t.Fatalf("z%d: west %v, east %v: want the edge cluster in both, the deeper one only east", z, fw, fe)
		}
		if fw[0].Properties["point_count"] != 6 {
			t.Errorf("z%d: cluster of %v, want 6", z, fw[0].Properties["point_count"])
		}
		mw, mw2 := decode(t, fw, west), decode(t, fe[:1], east)
		if len(mw) != 1 || len(mw2) != 1 {
			t.Fatalf("z%d: %d features west, %d east; want the cluster in both, west in its buffer", z, len(mw), len(mw2))
		}
		if mw[0].ID != mw2[0].ID || !reflect.DeepEqual(mw[0].Properties, mw2[0].Properties) {
			t.Errorf("z%d: west %v %v, east %v %v", z, mw[0].ID, mw[0].Properties, mw2[0].ID, mw2[0].Properties)
		}
		pw, pe := mw[0].Geometry.(orb.Point), mw2[0].Geometry.(orb.Point)
		if abs(pw[0]-pe[0]) > 2*dx/16 || abs(pw[1]-pe[1]) > 2*dx/16 {
			t.Errorf("z%d: west draws it at %v, east at %v", z, pw, pe)
		}
	}
}

// decode renders fs as tile's MVT and decodes it to lon/lat.
func decode(t testing.TB, fs []geo.Feature, tile maptile.Tile) []*struct {
	ID         any
	Geometry   orb.Geometry
	Properties map[string]any
} {
	t.Helper()
	b, err := tiles.MVT("incidents", fs, tile)
	if err != nil {
		t.Fatal(err)
	}
	if b == nil {
		return nil
	}
	ls, err := mvt.UnmarshalGzipped(b)
	if err != nil {
		t.Fatal(err)
	}
	ls.ProjectToWGS84(tile)
	var out []*struct {
		ID         any
		Geometry   orb.Geometry
		Properties map[string]any
	}
	for _, f := range ls[0].Features {
		out = append(out, &struct {
			ID         any
			Geometry   orb.Geometry
			Properties map[string]any
		}{f.ID, f.Geometry, f.Properties})
	}
	return out
}

// TestViewClusterGridMatchesTiles: a page's view clusters as the tiles do.
func TestViewClusterGridMatchesTiles(t *testing.T) {
	ds := synthData(t)
	for _, z := range []maptile.Zoom{5, 9, 14} {
		tile := maptile.At(alAsad, z)
		inner := tile.Bound()
		shrink := (inner.Max[0] - inner.Min[0]) / 1000
		inner.Min[0], inner.Min[1], inner.Max[0], inner.Max[1] = inner.Min[0]+shrink, inner.Min[1]+shrink, inner.Max[0]-shrink, inner.Max[1]-shrink
		g, err := tiles.ViewClusterGrid(inner, z)
		if err != nil {
			t.Fatal(err)
		}
		b := g.Bound()
		fs, err := ds.LayerIn("incidents", geo.Interval{}, &b)
		if err != nil {
			t.Fatal(err)
		}
		view := g.Cluster(fs)
		var own []geo.Feature
		for _, f := range clustered(t, ds, "incidents", tile) {
			if cellOf(t, f, z).Parent().Parent() == tile {
				own = append(own, f)
			}
		}
		if len(view) == 0 || !reflect.DeepEqual(view, own) {
			t.Errorf("z%d: the view has %d features, the tile %d of its own", z, len(view), len(own))
		}
	}

	for name, tc := range map[string]struct {
		b orb.Bound
		z maptile.Zoom
	}{
		"antimeridian": {orb.Bound{Min: orb.Point{170, 0}, Max: orb.Point{-170, 10}}, 4},
		"too wide":     {orb.Bound{Min: orb.Point{30, 20}, Max: orb.Point{50, 21}}, 10},
		"too deep":     {orb.Bound{Min: orb.Point{42, 33}, Max: orb.Point{42.001, 33.001}}, 23},
	} {
		var ve *tiles.ViewError
		if _, err := tiles.ViewClusterGrid(tc.b, tc.z); !errors.As(err, &ve) {
			t.Errorf("%s: %v, want a *tiles.ViewError", name, err)
		}
	}
	if _, err := tiles.ViewClusterGrid(orb.Bound{Min: orb.Point{30, 20}, Max: orb.Point{50, 40}}, 6); err != nil {
		t.Errorf("Iraq and around at z6: %v", err)
	}
}

// TestOverlayDrawsClusters checks a cluster's disc on PNG tiles at both
// scales, including one whose centre is just off the tile.
func TestOverlayDrawsClusters(t *testing.T) {
	ds := synthData(t)
	for _, scale := range []int{1, 2} {
		tile := maptile.At(alAsad, 8)
		fs := clustered(t, ds, "incidents", tile)
		b, err := tiles.Overlay(fs, tile, scale)
		if err != nil || b == nil {
			t.Fatalf("scale %d: %v", scale, err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		pr := tiles.NewProjector(tile, tiles.TileSize*scale)
		drawn := 0
		for _, f := range fs {
			if f.Incident != nil {
				continue
			}
			x, y := pr.Pixel(f.Geometry.(orb.Point))
			// left of the count, inside the disc (over 11 px in radius)
			px, py := int(x)-8*scale, int(y)
			if !image.Pt(px, py).In(img.Bounds()) {
				continue
			}
			drawn++
			if got := color.NRGBAModel.Convert(img.At(px, py)).(color.NRGBA); got.A < 0xd0 || got.B < got.R {
				t.Errorf("scale %d: %s at %d,%d: pixel %v, want the cluster colour %v", scale, f.ID, px, py, got, tiles.ClusterColor)
			}
		}
		if drawn < 10 {
			t.Errorf("scale %d: %d clusters checked, want the tile's 16", scale, drawn)
		}
	}

	// A cluster centred 10 px east of the tile still draws on its edge.
	tile := maptile.At(alAsad, 10)
	east := maptile.New(tile.X+1, tile.Y, tile.Z).Bound()
	dx := (east.Max[0] - east.Min[0]) / 256
	lat := (east.Min[1] + east.Max[1]) / 2
	fs := tiles.TileClusterGrid(tile).Cluster([]geo.Feature{
		incident(t, "a", orb.Point{east.Min[0] + 10*dx, lat}, "2023-01-01T00:00:00Z", "airstrike"),
		incident(t, "b", orb.Point{east.Min[0] + 10*dx, lat}, "2023-01-01T00:00:00Z", "airstrike"),
	})
	b, err := tiles.Overlay(fs, tile, 1)
	if err != nil || b == nil {
		t.Fatalf("cluster off the edge: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	_, y := tiles.NewProjector(tile, tiles.TileSize).Pixel(orb.Point{east.Min[0], lat})
	if got := color.NRGBAModel.Convert(img.At(255, int(y))).(color.NRGBA); got.A == 0 {
		t.Errorf("cluster 10 px off the tile: nothing drawn at its edge")
	}
}
