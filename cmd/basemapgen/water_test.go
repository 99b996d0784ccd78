package main

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// riversTopology has three rivers on a grid of 0.01 degrees: one through
// Hīt (the Euphrates), one through Mosul (the Tigris), and one through
// Basrah, in two arcs; and one far from all three.
const riversTopology = `{
  "type": "Topology",
  "transform": {"scale": [0.01, 0.01], "translate": [0, 0]},
  "objects": {"rivers": {"type": "GeometryCollection", "geometries": [
    {"type": "LineString", "arcs": [0]},
    {"type": "LineString", "arcs": [1]},
    {"type": "MultiLineString", "arcs": [[2], [3]]},
    {"type": "LineString", "arcs": [4]}
  ]}},
  "arcs": [
    [[4200, 3300], [83, 64], [100, 100]],
    [[4300, 3600], [12, 34], [50, 0]],
    [[4770, 3040], [8, 11]],
    [[4800, 3000], [50, 0]],
    [[1000, 1000], [10, 10]]
  ]
}`

// lakesGeoJSON has a lake in the Middle East, one too small to keep, one
// outside the region and one across its edge.
const lakesGeoJSON = `{"type":"GeometryCollection","geometries":[
  {"type":"MultiPolygon","coordinates":[
    [[[43.2,33.7],[43.4,33.7],[43.4,33.9],[43.2,33.9],[43.2,33.7]]],
    [[[44.0,33.0],[44.001,33.0],[44.001,33.001],[44.0,33.0]]],
    [[[2.0,48.0],[2.5,48.0],[2.5,48.5],[2.0,48.0]]]
  ]},
  {"type":"Polygon","coordinates":[[[63.5,30.0],[64.5,30.0],[64.5,31.0],[63.5,31.0],[63.5,30.0]]]}
]}`

func TestReadRivers(t *testing.T) {
	rivers, err := readRivers([]byte(riversTopology))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	lines := map[string]int{}
	for _, r := range rivers {
		names = append(names, r.Name)
		lines[r.Name] = len(r.Lines)
	}
	want := []string{"", "Euphrates", "Shatt al-Arab", "Tigris"}
	if len(names) != len(want) {
		t.Fatalf("rivers %q, want %q", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("rivers %q, want %q", names, want)
		}
	}
	if lines[""] != 1 || lines["Euphrates"] != 1 || lines["Tigris"] != 1 || lines["Shatt al-Arab"] != 2 {
		t.Errorf("lines per river = %v", lines)
	}
	if rivers[1].NameAr != "الفرات" {
		t.Errorf("Euphrates name_ar %q", rivers[1].NameAr)
	}
	if got := rivers[1].Lines[0][1]; math.Abs(got[0]-42.83) > 1e-9 || math.Abs(got[1]-33.64) > 1e-9 {
		t.Errorf("Euphrates second point %v, want 42.83, 33.64", got)
	}
	// a source without the Tigris is refused: its name would be missing
	if _, err := readRivers([]byte(`{"type":"Topology","objects":{"rivers":{"type":"GeometryCollection","geometries":[]}},"arcs":[]}`)); err == nil {
		t.Error("rivers without the Tigris read")
	}
}

func TestReadLakes(t *testing.T) {
	lakes, err := readLakes([]byte(lakesGeoJSON), middleEast)
	if err != nil {
		t.Fatal(err)
	}
	if len(lakes) != 2 {
		t.Fatalf("%d lakes, want 2 (the small one and the French one dropped): %v", len(lakes), lakes)
	}
	// largest first: the one across the edge, cut to it, is 0.5 by 1
	if b := lakes[0].Bound(); b.Min[0] != 63.5 || b.Max[0] != 64 {
		t.Errorf("the lake across the region's edge is %v, want it cut at lon 64", b)
	}
	if _, err := readLakes([]byte(`{"type":"FeatureCollection","features":[]}`), middleEast); err == nil {
		t.Error("a FeatureCollection read as lakes")
	}
}

func TestRefine(t *testing.T) {
	// the 1:50m line runs straight along lat 33.30; the river's fragments
	// run 0.05° north of it, a kilometre apart, with a 3 km gap; a canal
	// of fragments runs 0.13° south
	line := orb.LineString{{43.0, 33.30}, {43.5, 33.30}, {44.0, 33.30}}
	var cs []orb.Point
	for x := 43.0; x <= 44.0001; x += 0.01 {
		if x > 43.40 && x < 43.43 {
			continue // a gap
		}
		cs = append(cs, orb.Point{x, 33.35 + 0.01*math.Sin(x*20)}, orb.Point{x, 33.17})
	}
	got := refine(line, cs)
	if got[0] != line[0] || got[len(got)-1] != line[len(line)-1] {
		t.Errorf("ends %v, %v; want the line's", got[0], got[len(got)-1])
	}
	for _, p := range got[1 : len(got)-1] {
		if p[1] < 33.33 {
			t.Fatalf("refined line passes %v, off the river (lat 33.34–33.36)", p)
		}
	}
	if len(got) < 90 {
		t.Errorf("refined line has %d points, want one a fragment", len(got))
	}
	// without fragments near it, a line stays as it is
	if got := refine(line, []orb.Point{{10, 10}}); !got.Equal(line) {
		t.Errorf("refined without fragments: %v", got)
	}
}
