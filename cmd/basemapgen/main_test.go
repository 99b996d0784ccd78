package main

import (
	"encoding/json"
	"testing"

	"github.com/paulmach/orb"
)

// twoSquares is a topology of two unit squares side by side, sharing
// arc 0, quantized on a grid of 0.5 degrees from 10, 20.
const twoSquares = `{
  "type": "Topology",
  "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
  "objects": {"countries": {"type": "GeometryCollection", "geometries": [
    {"type": "Polygon", "arcs": [[0, 1]], "properties": {"name": "West"}},
    {"type": "Polygon", "arcs": [[2, -1]], "properties": {"name": "East"}},
    {"type": null, "properties": {"name": "Nowhere"}}
  ]}},
  "arcs": [
    [[2, 0], [0, 2]],
    [[2, 2], [-2, 0], [0, -2], [2, 0]],
    [[2, 0], [2, 0], [0, 2], [-2, 0]]
  ]
}`

func TestDecodeCountries(t *testing.T) {
	var topo topology
	if err := json.Unmarshal([]byte(twoSquares), &topo); err != nil {
		t.Fatal(err)
	}
	countries, borders, err := decodeCountries(&topo)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]orb.Ring{
		"West": {{11, 20}, {11, 21}, {10, 21}, {10, 20}, {11, 20}},
		"East": {{11, 20}, {12, 20}, {12, 21}, {11, 21}, {11, 20}}, // arc 0 reversed: ~0 is -1
	}
	if len(countries) != 2 || countries[0].Name != "East" || countries[1].Name != "West" {
		t.Fatalf("countries = %+v, want East and West, sorted", countries)
	}
	for _, c := range countries {
		if got := c.Polygons[0][0]; !got.Equal(want[c.Name]) {
			t.Errorf("%s: ring %v, want %v", c.Name, got, want[c.Name])
		}
	}
	if len(borders) != 1 || !borders[0].Equal(orb.LineString{{11, 20}, {11, 21}}) {
		t.Errorf("borders = %v, want the shared arc 0 only", borders)
	}
}

func TestSplitAntimeridian(t *testing.T) {
	across := orb.Polygon{{{179, 0}, {-179, 0}, {-179, 1}, {179, 1}, {179, 0}}}
	got := splitAntimeridian(across)
	if len(got) != 2 {
		t.Fatalf("got %d parts, want 2: %v", len(got), got)
	}
	east := orb.Bound{Min: orb.Point{179, 0}, Max: orb.Point{180, 1}}
	west := orb.Bound{Min: orb.Point{-180, 0}, Max: orb.Point{-179, 1}}
	if b0, b1 := got[0].Bound(), got[1].Bound(); !(b0 == west && b1 == east || b0 == east && b1 == west) {
		t.Errorf("parts bound %v and %v, want %v and %v", b0, b1, west, east)
	}
	// a ring around the south pole goes round by the pole, not across
	pole := orb.Polygon{{{-180, -70}, {0, -70}, {179, -70}, {-179, -80}, {-90, -80}, {-180, -70}}}
	want := orb.Polygon{{{-180, -70}, {0, -70}, {179, -70}, {180, -75}, {180, -90}, {-180, -90}, {-180, -75}, {-179, -80}, {-90, -80}, {-180, -70}}}
	if got := splitAntimeridian(pole); len(got) != 1 || !got[0].Equal(want) {
		t.Errorf("pole ring = %v, want %v", got, want)
	}
	plain := orb.Polygon{{{10, 0}, {11, 0}, {11, 1}, {10, 0}}}
	if got := splitAntimeridian(plain); len(got) != 1 || !got[0].Equal(plain) {
		t.Errorf("plain ring changed: %v", got)
	}
}
