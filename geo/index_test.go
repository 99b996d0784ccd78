package geo_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/paulmach/orb"
)

// inBound reports whether p is inside b, edges included, reading a bound
// whose Min longitude is greater than its Max as crossing the antimeridian.
func inBound(b orb.Bound, p orb.Point) bool {
	if p[1] < b.Min[1] || p[1] > b.Max[1] {
		return false
	}
	if b.Min[0] > b.Max[0] {
		return p[0] >= b.Min[0] || p[0] <= b.Max[0]
	}
	return p[0] >= b.Min[0] && p[0] <= b.Max[0]
}

func bruteBound(points []orb.Point, b orb.Bound) []int {
	var got []int
	for i, p := range points {
		if inBound(b, p) {
			got = append(got, i)
		}
	}
	return got
}

// indexBound returns the positions Index.Bound reports, sorted, and fails
// the test if it reports a position twice.
func indexBound(t *testing.T, ix *geo.Index, b orb.Bound) []int {
	t.Helper()
	var got []int
	ix.Bound(b, func(pos int) { got = append(got, pos) })
	slices.Sort(got)
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Fatalf("bound %v: position %d reported twice", b, got[i])
		}
	}
	return got
}

// pointSet builds the point sets the index is tested on.
type pointSet struct {
	name   string
	points func(r *rand.Rand) []orb.Point
}

func indexPointSets() []pointSet {
	world := orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}
	uniform := func(n int, b orb.Bound) func(r *rand.Rand) []orb.Point {
		return func(r *rand.Rand) []orb.Point {
			ps := make([]orb.Point, n)
			for i := range ps {
				ps[i] = randomPoint(r, b)
			}
			return ps
		}
	}
	return []pointSet{
		{"empty", func(*rand.Rand) []orb.Point { return nil }},
		{"one point", uniform(1, world)},
		{"one leaf", uniform(64, world)},
		// 65 points are one leaf to the sort (right-left == 64), 66 are split;
		// 131 are a root over two leaves of 65.
		{"a full leaf", uniform(65, world)},
		{"just over a leaf", uniform(66, world)},
		{"two full leaves", uniform(131, world)},
		{"20k world", uniform(20_000, world)},
		{"20k region", uniform(20_000, benchArea)},
		{"20k on a grid", func(*rand.Rand) []orb.Point {
			// many points share a longitude or a latitude: ties on both axes
			var ps []orb.Point
			for x := range 200 {
				for y := range 100 {
					ps = append(ps, orb.Point{-180 + float64(x)*1.8, -90 + float64(y)*1.8})
				}
			}
			return ps
		}},
		{"20k with duplicates", func(r *rand.Rand) []orb.Point {
			hot := []orb.Point{alAsad, {44.06, 33.29}, {180, 0}, {-180, 0}}
			ps := uniform(10_000, world)(r)
			for i := range 10_000 {
				ps = append(ps, hot[i%len(hot)])
			}
			r.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
			return ps
		}},
		{"all the same point", func(*rand.Rand) []orb.Point {
			return slices.Repeat([]orb.Point{alAsad}, 5_000)
		}},
	}
}

// randomBound returns a bound inside the world, sometimes crossing the
// antimeridian, sometimes a single point or a line taken from points, so
// that edges are exercised.
func randomBound(r *rand.Rand, points []orb.Point) orb.Bound {
	lon := func() float64 { return -180 + r.Float64()*360 }
	lat := func() float64 { return -90 + r.Float64()*180 }
	pick := func() orb.Point {
		if len(points) == 0 {
			return orb.Point{lon(), lat()}
		}
		return points[r.IntN(len(points))]
	}
	switch r.IntN(6) {
	case 0: // a point of the set, exactly
		p := pick()
		return orb.Bound{Min: p, Max: p}
	case 1: // edges on points of the set
		p, q := pick(), pick()
		return orb.Bound{Min: orb.Point{p[0], min(p[1], q[1])}, Max: orb.Point{q[0], max(p[1], q[1])}}
	case 2: // small
		p := pick()
		return orb.Bound{Min: p, Max: orb.Point{min(p[0]+r.Float64()*5, 180), min(p[1]+r.Float64()*5, 90)}}
	default: // any, crossing the antimeridian when x0 > x1
		x0, x1 := lon(), lon()
		y0, y1 := lat(), lat()
		return orb.Bound{Min: orb.Point{x0, min(y0, y1)}, Max: orb.Point{x1, max(y0, y1)}}
	}
}

func TestIndexBoundMatchesScan(t *testing.T) {
	for k, set := range indexPointSets() {
		t.Run(set.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(42, uint64(k)))
			points := set.points(r)
			input := slices.Clone(points)
			ix := geo.NewIndex(points)
			if !slices.Equal(points, input) {
				t.Fatal("NewIndex changed the caller's points")
			}
			if ix.Len() != len(points) {
				t.Fatalf("Len() = %d, want %d", ix.Len(), len(points))
			}
			crossing, nonEmpty := 0, 0
			for range 2_000 {
				b := randomBound(r, points)
				want := bruteBound(points, b)
				got := indexBound(t, ix, b)
				if !slices.Equal(got, want) {
					t.Fatalf("bound %v: index found %d points, scan %d", b, len(got), len(want))
				}
				if b.Min[0] > b.Max[0] {
					crossing++
				}
				if len(want) > 0 {
					nonEmpty++
				}
			}
			if crossing == 0 || (len(points) > 0 && nonEmpty < 100) {
				t.Errorf("weak test: %d crossing bounds, %d non-empty results", crossing, nonEmpty)
			}
		})
	}
}

func TestIndexBoundCases(t *testing.T) {
	points := []orb.Point{
		{179.5, 10},  // 0
		{-179.5, 10}, // 1
		{180, 10},    // 2
		{-180, 10},   // 3
		{0, 0},       // 4
		{0, 0},       // 5, a duplicate of 4
		{42.441, 33.786},
		{42.441, 33.786},
		{42.441, 33.786}, // 6..8, three incidents at one base
		{0, 90},          // 9, the North Pole
	}
	cases := []struct {
		name  string
		bound orb.Bound
		want  []int
	}{
		{"crossing the antimeridian", orb.Bound{Min: orb.Point{179, 0}, Max: orb.Point{-179, 20}}, []int{0, 1, 2, 3}},
		{"east of the antimeridian only", orb.Bound{Min: orb.Point{179, 0}, Max: orb.Point{180, 20}}, []int{0, 2}},
		{"west of the antimeridian only", orb.Bound{Min: orb.Point{-180, 0}, Max: orb.Point{-179, 20}}, []int{1, 3}},
		{"crossing, outside in latitude", orb.Bound{Min: orb.Point{179, 11}, Max: orb.Point{-179, 20}}, nil},
		{"a point bound on duplicates", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{0, 0}}, []int{4, 5}},
		{"edges included", orb.Bound{Min: orb.Point{42.441, 33.786}, Max: orb.Point{43, 34}}, []int{6, 7, 8}},
		{"the pole", orb.Bound{Min: orb.Point{-180, 89}, Max: orb.Point{180, 90}}, []int{9}},
		{"the world", orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"empty area", orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{2, 2}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Points added after these must not change what is found among them.
			for _, pad := range []int{0, 200} {
				ps := slices.Clone(points)
				for i := range pad {
					ps = append(ps, orb.Point{-100 + float64(i)*0.01, -50})
				}
				got := indexBound(t, geo.NewIndex(ps), c.bound)
				got = slices.DeleteFunc(got, func(pos int) bool { return pos >= len(points) })
				if !slices.Equal(got, c.want) {
					t.Errorf("with %d more points: got %v, want %v", pad, got, c.want)
				}
			}
		})
	}
}

func TestIndexEmpty(t *testing.T) {
	for _, points := range [][]orb.Point{nil, {}} {
		ix := geo.NewIndex(points)
		if ix.Len() != 0 {
			t.Errorf("Len() = %d, want 0", ix.Len())
		}
		for _, b := range []orb.Bound{
			{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}},
			{Min: orb.Point{170, -10}, Max: orb.Point{-170, 10}},
		} {
			ix.Bound(b, func(pos int) { t.Errorf("bound %v on an empty index reported %d", b, pos) })
		}
	}
}

func BenchmarkIndexBound(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			points := make([]orb.Point, n)
			for i := range points {
				points[i] = randomPoint(r, benchArea)
			}
			ix := geo.NewIndex(points)
			bound := orb.Bound{Min: orb.Point{alAsad[0] - 0.5, alAsad[1] - 0.5}, Max: orb.Point{alAsad[0] + 0.5, alAsad[1] + 0.5}}
			b.ReportAllocs()
			for b.Loop() {
				count := 0
				ix.Bound(bound, func(int) { count++ })
			}
		})
	}
}
