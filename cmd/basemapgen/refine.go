package main

import (
	"container/heap"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Natural Earth's 1:50m rivers run several kilometres from the real ones
// (the Euphrates passes 9 km south of Fallujah, which stands on it). The
// finer data on npm, OpenStreetMap's river areas as @geo-maps packages
// them, is no line: a chain of small unnamed fragments about a kilometre
// apart along each river. refine follows that chain where it exists,
// stretch by stretch: the shortest path through the fragments' centres,
// where hops are cheap when short and near the 1:50m line, so the path
// keeps to the river the line names and not to a canal or a neighbour.

// Limits of the path, in degrees.
const (
	refineReach = 0.15 // how far from the 1:50m line a fragment is considered
	refineHop   = 0.12 // the longest hop between two fragments
	refineEnds  = 0.1  // how near a waypoint a stretch's path must start and end
	refineStep  = 0.3  // the length of line between two waypoints
)

// refine returns l following the fragment centres cs: l is cut at
// waypoints every refineStep degrees along it, and each stretch between
// two waypoints becomes the shortest path through the fragments from the
// one nearest its start to the one nearest its end, or stays as it is
// where no fragment is near or the chain breaks.
func refine(l orb.LineString, cs []orb.Point) orb.LineString {
	if len(l) < 2 {
		return l
	}
	b := l.Bound().Pad(refineReach)
	var nodes []orb.Point
	var away []float64 // each node's distance from l
	for _, c := range cs {
		if !b.Contains(c) {
			continue
		}
		if d := planar.DistanceFrom(l, c); d <= refineReach {
			nodes = append(nodes, c)
			away = append(away, d)
		}
	}
	if len(nodes) < 2 {
		return l
	}
	g := newGrid(nodes, refineHop)
	// stretches: indexes into l where each starts
	cuts := []int{0}
	var run float64
	for i := 1; i < len(l); i++ {
		run += planar.Distance(l[i-1], l[i])
		if run >= refineStep && i < len(l)-1 {
			cuts = append(cuts, i)
			run = 0
		}
	}
	cuts = append(cuts, len(l)-1)
	out := orb.LineString{l[0]}
	for k := 0; k+1 < len(cuts); k++ {
		a, z := l[cuts[k]], l[cuts[k+1]]
		start, end := nearest(nodes, a), nearest(nodes, z)
		var path orb.LineString
		if start != end && planar.Distance(nodes[start], a) <= refineEnds && planar.Distance(nodes[end], z) <= refineEnds {
			path = shortestPath(nodes, away, g, start, end)
		}
		if path == nil {
			out = append(out, l[cuts[k]+1:cuts[k+1]+1]...)
			continue
		}
		out = append(out, path...)
	}
	if last := l[len(l)-1]; out[len(out)-1] != last {
		// keep the 1:50m end, where the river meets another or the sea
		out = append(out, last)
	}
	// drop points repeated where stretches meet
	kept := out[:1]
	for _, p := range out[1:] {
		if p != kept[len(kept)-1] {
			kept = append(kept, p)
		}
	}
	return kept
}

// shortestPath returns the path through nodes from start to end, or nil
// when none joins them. A hop of length d between nodes whose distance
// from the 1:50m line (away) averages m costs d·(1 + d/0.01)·(1 + m/0.05):
// ten 1 km hops cost less than one 10 km hop, and straying from the 1:50m
// line costs, but less than the 1:50m line's own error. Ties go to the
// lower node, so the path is the same on every run.
func shortestPath(nodes []orb.Point, away []float64, g *grid, start, end int) orb.LineString {
	dist := make(map[int]float64)
	prev := make(map[int]int)
	dist[start] = 0
	q := &queue{{node: start}}
	for q.Len() > 0 {
		it := heap.Pop(q).(item)
		if it.cost > dist[it.node] {
			continue
		}
		if it.node == end {
			break
		}
		p := nodes[it.node]
		for _, j := range g.near(p) {
			d := planar.Distance(p, nodes[j])
			if j == it.node || d > refineHop {
				continue
			}
			m := (away[it.node] + away[j]) / 2
			c := it.cost + d*(1+d/0.01)*(1+m/0.05)
			if old, ok := dist[j]; !ok || c < old {
				dist[j], prev[j] = c, it.node
				heap.Push(q, item{node: j, cost: c})
			}
		}
	}
	if _, ok := dist[end]; !ok {
		return nil
	}
	var path orb.LineString
	for n := end; ; n = prev[n] {
		path = append(path, nodes[n])
		if n == start {
			break
		}
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path
}

// nearest returns the index of the point of ps nearest p, -1 when none.
func nearest(ps []orb.Point, p orb.Point) int {
	best, bestD := -1, math.Inf(1)
	for i, q := range ps {
		if d := planar.Distance(p, q); d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// grid buckets points in square cells, to find those near a point.
type grid struct {
	cell  float64
	cells map[[2]int][]int
}

func newGrid(ps []orb.Point, cell float64) *grid {
	g := &grid{cell: cell, cells: map[[2]int][]int{}}
	for i, p := range ps {
		k := g.key(p)
		g.cells[k] = append(g.cells[k], i)
	}
	return g
}

func (g *grid) key(p orb.Point) [2]int {
	return [2]int{int(math.Floor(p[0] / g.cell)), int(math.Floor(p[1] / g.cell))}
}

// near returns the points in p's cell and the eight around it, in a fixed
// order.
func (g *grid) near(p orb.Point) []int {
	k := g.key(p)
	var out []int
	for dx := -1; dx <= 1; dx++ {
		for dy := -1; dy <= 1; dy++ {
			out = append(out, g.cells[[2]int{k[0] + dx, k[1] + dy}]...)
		}
	}
	return out
}

// item is a node with its cost so far; queue is a min-heap of them, ties
// broken by node, so the path is the same on every run.
type item struct {
	node int
	cost float64
}

type queue []item

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].cost != q[j].cost {
		return q[i].cost < q[j].cost
	}
	return q[i].node < q[j].node
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(item)) }
func (q *queue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// fragmentCentres returns the centre of every polygon of a GeoJSON
// GeometryCollection inside region, in file order.
func fragmentCentres(raw []byte, region orb.Bound) ([]orb.Point, error) {
	polys, err := readPolygons(raw)
	if err != nil {
		return nil, err
	}
	var cs []orb.Point
	for _, p := range polys {
		if len(p) == 0 || len(p[0]) == 0 {
			continue
		}
		c, _ := planar.CentroidArea(p)
		if math.IsNaN(c[0]) || math.IsNaN(c[1]) {
			c = p[0].Bound().Center()
		}
		if region.Contains(c) {
			cs = append(cs, c)
		}
	}
	return cs, nil
}
