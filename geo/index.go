package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Index is a static k-d tree over points, built once and then only read:
// points are sorted in place into a balanced tree stored in two flat
// slices, as in the kdbush library. It answers a bbox in O(sqrt(n) + k)
// and costs 20 bytes a point, with no pointers for the GC to chase.
//
// An index derived from another (derive) holds two trees: the other's
// first, as it was, and a small one of the points added since. A point
// gone (an incident deleted or moved) keeps its place, with the id -1,
// and is skipped.
type Index struct {
	ids    []int32   // caller's position of each point, in tree order; -1: gone
	coords []float64 // lon, lat of each point, in tree order
	main   int       // places of the first tree; the second holds the rest
	gone   int       // places whose point is gone
}

// indexNodeSize is how many points a leaf holds; scanning a small leaf is
// cheaper than descending further.
const indexNodeSize = 64

// NewIndex builds an index over points; a query reports a point by its
// position in points.
func NewIndex(points []orb.Point) *Index {
	ix := &Index{ids: make([]int32, len(points)), coords: make([]float64, 2*len(points))}
	for i, p := range points {
		ix.ids[i] = int32(i)
		ix.coords[2*i], ix.coords[2*i+1] = p[0], p[1]
	}
	ix.sort(0, len(points)-1, 0)
	ix.main = len(points)
	return ix
}

// derive returns an index of ix's points under new ids, ids[place] for
// the point at each of ix's places (-1: gone), and of points added, with
// theirs: ix's first tree is kept as it is, place for place, and its
// second tree's points kept are sorted with those added into a second
// tree. A write adds a few points to a large data set: its index costs a
// copy and a sort of those few, not a sort of all. ix is unchanged.
func (ix *Index) derive(ids []int32, added []orb.Point, addedIDs []int32) *Index {
	next := &Index{
		ids:    make([]int32, ix.main, len(ids)+len(added)),
		coords: make([]float64, 2*ix.main, 2*(len(ids)+len(added))),
		main:   ix.main,
	}
	copy(next.ids, ids[:ix.main])
	copy(next.coords, ix.coords[:2*ix.main])
	for _, id := range next.ids {
		if id < 0 {
			next.gone++
		}
	}
	for i := ix.main; i < len(ids); i++ {
		if ids[i] >= 0 {
			next.ids = append(next.ids, ids[i])
			next.coords = append(next.coords, ix.coords[2*i], ix.coords[2*i+1])
		}
	}
	for k, p := range added {
		next.ids = append(next.ids, addedIDs[k])
		next.coords = append(next.coords, p[0], p[1])
	}
	next.sort(next.main, len(next.ids)-1, 0)
	return next
}

// loose returns how many places of ix are not in its first tree, or are
// there for a point gone: what a query pays for deriving rather than
// building anew.
func (ix *Index) loose() int { return len(ix.ids) - ix.main + ix.gone }

// Len returns the number of points in the index.
func (ix *Index) Len() int { return len(ix.ids) - ix.gone }

// Bound calls fn with the position of every point inside b, edges included.
// A bound whose Min longitude is greater than its Max longitude crosses the
// antimeridian and is searched as its two halves.
func (ix *Index) Bound(b orb.Bound, fn func(pos int)) {
	ix.walk(b, func(i int) { fn(int(ix.ids[i])) })
}

// BoundPoints is Bound that also gives each point, read from the index
// itself: a caller that needs only positions touches nothing else.
func (ix *Index) BoundPoints(b orb.Bound, fn func(pos int, p orb.Point)) {
	ix.walk(b, func(i int) {
		fn(int(ix.ids[i]), orb.Point{ix.coords[2*i], ix.coords[2*i+1]})
	})
}

// walk calls fn with the place in the tree of every point inside b: what
// columns kept in the tree's order (Dataset's spot columns) are read by.
func (ix *Index) walk(b orb.Bound, fn func(i int)) {
	if b.Min[0] > b.Max[0] {
		ix.walk(orb.Bound{Min: b.Min, Max: orb.Point{180, b.Max[1]}}, fn)
		ix.walk(orb.Bound{Min: orb.Point{-180, b.Min[1]}, Max: b.Max}, fn)
		return
	}
	ix.walkTree(0, ix.main-1, b, fn)
	ix.walkTree(ix.main, len(ix.ids)-1, b, fn)
}

// walkTree is walk over the tree of places left to right.
func (ix *Index) walkTree(left, right int, b orb.Bound, fn func(i int)) {
	if right < left {
		return
	}
	minX, minY, maxX, maxY := b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	type span struct{ left, right, axis int }
	stack := []span{{left, right, 0}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.right-s.left <= indexNodeSize {
			for i := s.left; i <= s.right; i++ {
				x, y := ix.coords[2*i], ix.coords[2*i+1]
				if x >= minX && x <= maxX && y >= minY && y <= maxY && ix.ids[i] >= 0 {
					fn(i)
				}
			}
			continue
		}
		m := (s.left + s.right) >> 1
		x, y := ix.coords[2*m], ix.coords[2*m+1]
		if x >= minX && x <= maxX && y >= minY && y <= maxY && ix.ids[m] >= 0 {
			fn(m)
		}
		lo, hi := minX, maxX
		v := x
		if s.axis == 1 {
			lo, hi, v = minY, maxY, y
		}
		if lo <= v {
			stack = append(stack, span{s.left, m - 1, 1 - s.axis})
		}
		if hi >= v {
			stack = append(stack, span{m + 1, s.right, 1 - s.axis})
		}
	}
}

// sort arranges points left..right into a k-d tree split on axis.
func (ix *Index) sort(left, right, axis int) {
	if right-left <= indexNodeSize {
		return
	}
	m := (left + right) >> 1
	ix.selectK(m, left, right, axis)
	ix.sort(left, m-1, 1-axis)
	ix.sort(m+1, right, 1-axis)
}

// selectK moves the k-th smallest point on axis to k, smaller ones before
// it and larger ones after (Floyd–Rivest selection).
func (ix *Index) selectK(k, left, right, axis int) {
	for right > left {
		if right-left > 600 {
			n := float64(right - left + 1)
			m := float64(k - left + 1)
			z := math.Log(n)
			s := 0.5 * math.Exp(2*z/3)
			sd := 0.5 * math.Sqrt(z*s*(n-s)/n)
			if m-n/2 < 0 {
				sd = -sd
			}
			newLeft := max(left, int(math.Floor(float64(k)-m*s/n+sd)))
			newRight := min(right, int(math.Floor(float64(k)+(n-m)*s/n+sd)))
			ix.selectK(k, newLeft, newRight, axis)
		}
		t := ix.coords[2*k+axis]
		i, j := left, right
		ix.swap(left, k)
		if ix.coords[2*right+axis] > t {
			ix.swap(left, right)
		}
		for i < j {
			ix.swap(i, j)
			i++
			j--
			for ix.coords[2*i+axis] < t {
				i++
			}
			for ix.coords[2*j+axis] > t {
				j--
			}
		}
		if ix.coords[2*left+axis] == t {
			ix.swap(left, j)
		} else {
			j++
			ix.swap(j, right)
		}
		if j <= k {
			left = j + 1
		}
		if k <= j {
			right = j - 1
		}
	}
}

func (ix *Index) swap(i, j int) {
	ix.ids[i], ix.ids[j] = ix.ids[j], ix.ids[i]
	ix.coords[2*i], ix.coords[2*j] = ix.coords[2*j], ix.coords[2*i]
	ix.coords[2*i+1], ix.coords[2*j+1] = ix.coords[2*j+1], ix.coords[2*i+1]
}
