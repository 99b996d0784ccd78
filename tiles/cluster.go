package tiles

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/geo"
)

// Incidents are clustered on a grid aligned to the tile pyramid: at zoom
// z, the global pixel space of 256 px tiles is cut into square cells of
// ClusterCell pixels, and every cell holding enough incidents becomes one
// cluster. Nothing is remembered between calls and nothing depends on the
// order of the input, so any replica clusters any subset of the data (a
// datetime filter, a site) alike. Because ClusterCell divides TileSize, a
// cell never straddles two tiles, and the four cells a cell becomes one
// zoom deeper are its quarters: clusters split as the map zooms in.

// Clustering constants.
const (
	// ClusterCell is the side of a cell in pixels at 256 px tiles: a tile
	// holds 4 by 4 cells. Cluster markers are 20 to 48 px across, so on a
	// dense map they sit about a cell apart without touching; 32 px cells
	// would put them on top of each other.
	ClusterCell = 64
	// ClusterMaxZoom is the zoom from which a cell is a cluster only when
	// it holds more than ClusterDense incidents; below it, two are enough.
	ClusterMaxZoom = 14
	// ClusterDense bounds the incidents a cell shows one by one from
	// ClusterMaxZoom on, so a pile of incidents at one spot (hostile or
	// not) is one cluster at every zoom, and a tile holds at most
	// 36 × ClusterDense incidents (its 16 cells and the ring around them).
	ClusterDense = 8
	// MaxClusterView is the most pixels a side of a view may span at its
	// zoom, a 4K screen with room to spare: ViewClusterGrid refuses a view
	// touching more than MaxClusterView/ClusterCell + 2 cells a side.
	MaxClusterView = 4096
)

// KindCluster is the "kind" property of a cluster feature.
const KindCluster = "cluster"

// clusterIDProperty carries a cluster's numeric id, as supercluster and
// MapLibre's clustered sources name it.
const clusterIDProperty = "cluster_id"

// maxClusterTypes is how many event types a cluster lists by name before
// "+N" stands for the rest.
const maxClusterTypes = 3

// cellsPerTile is how many cells a tile holds along each side.
const cellsPerTile = TileSize / ClusterCell

// cellZoom is the zoom whose tiles are the cells: a tile at z has
// cellsPerTile² cells, each a tile at z+cellZoom.
const cellZoom = 2

// clusterReach is how far beyond a tile's edge, in pixels, a feature's
// point may fall and still show on the tile: in the MVT buffer (16 px), or
// under the edge of a PNG tile's largest cluster marker (26 px).
const clusterReach = max(Buffer*TileSize/Extent, symbolReach)

// The reach must fall inside the ring of cells around a tile, or a cluster
// drawn there could come from a cell the tile's grid leaves out.
const _ = uint(ClusterCell - clusterReach)

// And the cells must be the tiles cellZoom deeper.
const _ = uint(0) - uint(cellsPerTile^(1<<cellZoom))

// ClusterGrid is a rectangle of cells at one zoom, to cluster the
// incidents of a tile or a view. Ask the data for Bound, then give the
// features found to Cluster.
type ClusterGrid struct {
	zoom           maptile.Zoom
	x0, y0, x1, y1 int64     // cells, as tiles at zoom+cellZoom; inclusive
	reach          orb.Bound // where a feature's point must fall to be kept, in pixels at zoom
}

// TileClusterGrid returns the grid of tile t: its own cells and the ring
// of cells around them. The ring is there for the tile buffer: a cluster
// whose cell lies just outside the tile but whose point falls within
// Buffer of its edge is drawn in the buffer, and it is the same cluster
// (count, position, id) as the neighbouring tile draws inside, because the
// whole of its cell is clustered here too, never the part of it that
// happens to fall in the buffer. What falls further out than a symbol can
// reach onto the tile (26 px) is left out.
func TileClusterGrid(t maptile.Tile) ClusterGrid {
	n := int64(cellsPerTile)
	x, y := float64(t.X)*TileSize, float64(t.Y)*TileSize
	return ClusterGrid{zoom: t.Z,
		x0: int64(t.X)*n - 1, y0: int64(t.Y)*n - 1,
		x1: int64(t.X)*n + n, y1: int64(t.Y)*n + n,
		reach: orb.Bound{
			Min: orb.Point{x - clusterReach, y - clusterReach},
			Max: orb.Point{x + TileSize + clusterReach, y + TileSize + clusterReach},
		},
	}.clamp()
}

// ViewError is a view that ViewClusterGrid cannot cluster.
type ViewError struct {
	Bound  orb.Bound
	Zoom   maptile.Zoom
	Reason string
	// Width and Height are the pixels the view's cells span at Zoom, when
	// that is what is wrong with it (more than MaxClusterView a side);
	// zero otherwise.
	Width, Height int64
}

func (e *ViewError) Error() string {
	return fmt.Sprintf("bbox %v at zoom %d: %s", e.Bound, e.Zoom, e.Reason)
}

// ViewClusterGrid returns the grid of the cells at zoom z that b touches,
// as a map view (a page's bbox and zoom) needs: the clusters of a view are
// those of the tiles under it. It returns a *ViewError when b crosses the
// antimeridian (ask for each half), when z is above MaxZoom, or when b
// spans more than MaxClusterView pixels a side at z.
func ViewClusterGrid(b orb.Bound, z maptile.Zoom) (ClusterGrid, error) {
	if b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
		return ClusterGrid{}, &ViewError{Bound: b, Zoom: z, Reason: "crosses the antimeridian or is inverted; ask for each side of it"}
	}
	if z > MaxZoom {
		return ClusterGrid{}, &ViewError{Bound: b, Zoom: z, Reason: fmt.Sprintf("zoom above %d", MaxZoom)}
	}
	x0, y0 := cellOf(orb.Point{b.Min[0], b.Max[1]}, z)
	x1, y1 := cellOf(orb.Point{b.Max[0], b.Min[1]}, z)
	if w, h := (x1-x0+1)*ClusterCell, (y1-y0+1)*ClusterCell; w > MaxClusterView+2*ClusterCell || h > MaxClusterView+2*ClusterCell {
		return ClusterGrid{}, &ViewError{Bound: b, Zoom: z, Width: w, Height: h,
			Reason: fmt.Sprintf("spans about %d by %d px, at most %d a side; zoom in or ask for less", w, h, MaxClusterView)}
	}
	return ClusterGrid{zoom: z, x0: x0, y0: y0, x1: x1, y1: y1, reach: orb.Bound{
		Min: orb.Point{float64(x0) * ClusterCell, float64(y0) * ClusterCell},
		Max: orb.Point{float64(x1+1) * ClusterCell, float64(y1+1) * ClusterCell},
	}}, nil
}

// clamp keeps g within the world.
func (g ClusterGrid) clamp() ClusterGrid {
	last := int64(cellsPerTile)<<g.zoom - 1
	g.x0, g.y0 = max(g.x0, 0), max(g.y0, 0)
	g.x1, g.y1 = min(g.x1, last), min(g.y1, last)
	return g
}

// Bound returns the area whose incidents Cluster needs: the whole of every
// cell of the grid, and a hair more, so that rounding between the
// projection and its inverse cannot leave out a point on a cell's edge
// (Cluster ignores what lies outside its cells).
func (g ClusterGrid) Bound() orb.Bound {
	cz := g.zoom + cellZoom
	const hair = 1.0 / 64 // of a cell: a pixel
	nw := maptile.New(uint32(g.x0), uint32(g.y0), cz).Bound(hair)
	se := maptile.New(uint32(g.x1), uint32(g.y1), cz).Bound(hair)
	return nw.Union(se)
}

// CellBound returns the area the grid's cells cover, edge to edge: for a
// view, its bbox snapped out to whole cells. Two views that touch the
// same cells have the same CellBound, and cluster alike.
func (g ClusterGrid) CellBound() orb.Bound {
	cz := g.zoom + cellZoom
	nw := maptile.New(uint32(g.x0), uint32(g.y0), cz).Bound()
	se := maptile.New(uint32(g.x1), uint32(g.y1), cz).Bound()
	return nw.Union(se)
}

// Zoom returns the zoom the grid clusters at.
func (g ClusterGrid) Zoom() maptile.Zoom { return g.zoom }

// cellOf returns the cell at zoom z that p falls in, as a tile at
// z+cellZoom.
func cellOf(p orb.Point, z maptile.Zoom) (x, y int64) {
	px, py := worldPixel(p, z)
	return pixelCell(px, py, z)
}

// pixelCell returns the cell at zoom z that the world pixel px, py falls
// in, held within the world.
func pixelCell(px, py float64, z maptile.Zoom) (x, y int64) {
	last := int64(cellsPerTile)<<z - 1
	x = min(max(int64(math.Floor(px/ClusterCell)), 0), last)
	y = min(max(int64(math.Floor(py/ClusterCell)), 0), last)
	return x, y
}

// spotCell is cellOf the spot's point, from its projected y.
func spotCell(s geo.Spot, z maptile.Zoom) (x, y int64) {
	px, py := projectSpot(s, float64(uint64(TileSize)<<z))
	return pixelCell(px, py, z)
}

// worldPixel returns where p falls in the global pixel space of zoom z at
// 256 px tiles, through the shared projection (mercator.go). Scaling by a
// power of two is exact in floating point, so a point's cell at z+1 is
// always one of the four quarters of its cell at z.
func worldPixel(p orb.Point, z maptile.Zoom) (x, y float64) {
	return Project(p, float64(uint64(TileSize)<<z))
}

// incidents is what clustering reads of the incidents it shows one by
// one, each named by a number: a data set's (by geo.Ref), or a list of
// features' (by index).
type incidents interface {
	id(k int32) string
	feature(k int32, p orb.Point) geo.Feature
}

// dataset is a data set's incidents, by geo.Ref.
type dataset struct{ d *geo.Dataset }

func (s dataset) id(k int32) string { return s.d.IDOf(geo.Ref(k)) }
func (s dataset) feature(k int32, p orb.Point) geo.Feature {
	in := s.d.At(geo.Ref(k))
	return geo.Feature{ID: in.ID, Geometry: p, Incident: in}
}

// features is a list of features' incidents, by index.
type features []geo.Feature

func (fs features) id(k int32) string                        { return fs[k].ID }
func (fs features) feature(k int32, _ orb.Point) geo.Feature { return fs[k] }

// cell gathers the incidents of one cell.
type cell struct {
	n              int
	sumLon, sumLat int64   // in fixedPoint units: integer sums are the same in any order
	members        []int32 // while n is small enough to show them one by one
	points         []orb.Point

	first, last int64               // the span of the incidents' times, Unix seconds
	types       []string            // distinct event types, unsorted
	typeSet     map[string]struct{} // the same, once there are many
}

// fixedPoint is the unit positions are summed in: 1e-7 degrees, about a
// centimetre. A million incidents sum to under 2e15, far from overflowing.
const fixedPoint = 1e7

// manyTypes is where a cell's event types go from a list to a set, so a
// hostile cell of a million distinct types stays linear.
const manyTypes = 16

// add counts the incident of spot s, named k, in c.
func (c *cell) add(k int32, s geo.Spot, keep int) {
	c.n++
	c.sumLon += int64(math.Round(s.Point[0] * fixedPoint))
	c.sumLat += int64(math.Round(s.Point[1] * fixedPoint))
	if c.n <= keep {
		c.members = append(c.members, k)
		c.points = append(c.points, s.Point)
	} else {
		c.members, c.points = nil, nil
	}
	if c.n == 1 || s.Sec < c.first {
		c.first = s.Sec
	}
	if c.n == 1 || s.Sec > c.last {
		c.last = s.Sec
	}
	switch {
	case c.typeSet != nil:
		c.typeSet[s.EventType] = struct{}{}
	case !slices.Contains(c.types, s.EventType):
		c.types = append(c.types, s.EventType)
		if len(c.types) > manyTypes {
			c.typeSet = make(map[string]struct{}, 2*manyTypes)
			for _, t := range c.types {
				c.typeSet[t] = struct{}{}
			}
			c.types = nil
		}
	}
}

// mean returns the mean position of c's incidents.
func (c *cell) mean() orb.Point {
	return orb.Point{fixedMean(c.sumLon, c.n), fixedMean(c.sumLat, c.n)}
}

// Cluster returns fs with the incidents on the grid replaced by its
// cells, as ClusterIncidents gives them; features that are not incidents
// (sites, rings) come first, in their order.
func (g ClusterGrid) Cluster(fs []geo.Feature) []geo.Feature {
	var out []geo.Feature
	for i := range fs {
		if fs[i].Incident == nil {
			out = append(out, fs[i])
		}
	}
	return append(out, g.cluster(features(fs), func(yield func(int32, geo.Spot)) {
		for i := range fs {
			if in := fs[i].Incident; in != nil && in.Location != nil {
				yield(int32(i), geo.Spot{Point: *in.Location, Y: geo.MercatorY(in.Location[1]), Sec: in.OccurredAt.Unix(), EventType: in.EventType})
			}
		}
	})...)
}

// ClusterIncidents clusters the incidents of d that each yields with their
// locations (in any order; the data set's unsorted walk of g.Bound,
// geo.Dataset.EachIn, serves) and returns the grid's cells
// as features: a cell whose incidents are few enough to show (one below
// ClusterMaxZoom, up to ClusterDense from it) gives its incidents as they
// are, in id order; any other gives one cluster feature. Incidents with no
// location or outside the grid's cells are left out, and so is what falls
// too far off a tile to show on it. Cells come in row order, so the result
// does not depend on the order of the incidents. A cluster is a Point at
// the mean position of its incidents, with properties kind "cluster",
// point_count, point_count_abbreviated, first_at and last_at (the span of
// occurred_at, RFC 3339 in UTC), event_types (sorted, comma-joined, the
// first three and "+N" for more) and cluster_id (the numeric id FeatureID
// gives it); its string id is "cluster-z-x-y", x and y counting cells from
// the north-west at zoom z.
func (g ClusterGrid) ClusterIncidents(d *geo.Dataset, each func(yield func(geo.Spot))) []geo.Feature {
	return g.cluster(dataset{d}, func(yield func(int32, geo.Spot)) {
		each(func(s geo.Spot) { yield(int32(s.Ref), s) })
	})
}

func (g ClusterGrid) cluster(src incidents, each func(yield func(int32, geo.Spot))) []geo.Feature {
	keep := 1
	if g.zoom >= ClusterMaxZoom {
		keep = ClusterDense
	}
	w := g.x1 - g.x0 + 1
	cells := make([]cell, w*(g.y1-g.y0+1))
	each(func(k int32, s geo.Spot) {
		x, y := spotCell(s, g.zoom)
		if x < g.x0 || x > g.x1 || y < g.y0 || y > g.y1 {
			return
		}
		cells[(y-g.y0)*w+(x-g.x0)].add(k, s, keep)
	})
	var out []geo.Feature
	for i := range cells {
		c := &cells[i]
		if c.n > keep {
			if g.shows(c.mean()) {
				out = append(out, c.feature(g.zoom, g.x0+int64(i)%w, g.y0+int64(i)/w))
			}
			continue
		}
		order := make([]int, len(c.members))
		for j := range order {
			order[j] = j
		}
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(src.id(c.members[a]), src.id(c.members[b])) })
		for _, j := range order {
			if g.shows(c.points[j]) {
				out = append(out, src.feature(c.members[j], c.points[j]))
			}
		}
	}
	return out
}

// Singles returns, sorted by id, the incidents of d that each yields that
// clustering at zoom z shows one by one: those whose cell holds no more
// than a cell may show. Unlike a grid's, its cells are wherever the
// incidents are, so it finds the incidents whose uncertainty circles
// reach onto a tile from well beyond it; circles are drawn around
// markers, never clusters.
func Singles(z maptile.Zoom, d *geo.Dataset, each func(yield func(geo.Spot))) []*geo.Incident {
	keep := 1
	if z >= ClusterMaxZoom {
		keep = ClusterDense
	}
	type placed struct {
		r    geo.Ref
		x, y int64
	}
	var all []placed
	counts := map[[2]int64]int{}
	each(func(s geo.Spot) {
		x, y := spotCell(s, z)
		counts[[2]int64{x, y}]++
		all = append(all, placed{s.Ref, x, y})
	})
	var refs []geo.Ref
	for _, p := range all {
		if counts[[2]int64{p.x, p.y}] <= keep {
			refs = append(refs, p.r)
		}
	}
	slices.SortFunc(refs, func(a, b geo.Ref) int { return cmp.Compare(d.IDOf(a), d.IDOf(b)) })
	out := make([]*geo.Incident, len(refs))
	for i, r := range refs {
		out[i] = d.At(r)
	}
	return out
}

// shows reports whether a feature at p is within the grid's reach.
func (g ClusterGrid) shows(p orb.Point) bool {
	x, y := worldPixel(p, g.zoom)
	return g.reach.Contains(orb.Point{x, y})
}

// feature returns the cell as a cluster.
func (c *cell) feature(z maptile.Zoom, x, y int64) geo.Feature {
	types := c.types
	if c.typeSet != nil {
		types = make([]string, 0, len(c.typeSet))
		for t := range c.typeSet {
			types = append(types, t)
		}
	}
	slices.Sort(types)
	listed := strings.Join(types[:min(len(types), maxClusterTypes)], ",")
	if more := len(types) - maxClusterTypes; more > 0 {
		listed += ",+" + strconv.Itoa(more)
	}
	return geo.Feature{
		ID:       fmt.Sprintf("cluster-%d-%d-%d", z, x, y),
		Geometry: c.mean(),
		Properties: map[string]any{
			"kind":                    KindCluster,
			"point_count":             c.n,
			"point_count_abbreviated": abbreviate(c.n),
			"first_at":                time.Unix(c.first, 0).UTC().Format(time.RFC3339),
			"last_at":                 time.Unix(c.last, 0).UTC().Format(time.RFC3339),
			"event_types":             listed,
			clusterIDProperty:         int(clusterID(z, x, y)),
		},
	}
}

// fixedMean returns sum/n in degrees, sum being in fixedPoint units;
// dividing the integers first keeps every digit of a large sum.
func fixedMean(sum int64, n int) float64 {
	q, r := sum/int64(n), sum%int64(n)
	return (float64(q) + float64(r)/float64(n)) / fixedPoint
}

// clusterID numbers the cells of every zoom one after another: the cells
// of zoom z are the tiles at level z+cellZoom, and the 4^l tiles of level
// l come after the (4^l-1)/3 of the levels above. At MaxZoom that is under
// 2^49, so with ClusterIDBit set the id stays below 2^53.
func clusterID(z maptile.Zoom, x, y int64) uint64 {
	l := uint(z) + cellZoom
	above := (uint64(1)<<(2*l) - 1) / 3
	return ClusterIDBit | (above + uint64(y)<<l + uint64(x))
}

// abbreviate writes a count as a cluster marker shows it: 950, 1.2k, 35k,
// 1.2M.
func abbreviate(n int) string {
	switch {
	case n < 1000:
		return strconv.Itoa(n)
	case n < 10_000:
		return strconv.FormatFloat(math.Round(float64(n)/100)/10, 'f', -1, 64) + "k"
	case n < 999_500:
		return strconv.Itoa(int(math.Round(float64(n)/1000))) + "k"
	default:
		return strconv.FormatFloat(math.Round(float64(n)/100_000)/10, 'f', -1, 64) + "M"
	}
}

// DependencyBound returns the area whose incidents decide what a tile or
// a view of b at zoom z shows: b grown by geo.MaxUncertainty (an
// incident's circle of uncertainty reaches that far), then out to whole
// cells at z, and a hair more (whether incidents cluster, or show one by
// one, depends on everything in their cell). An incident outside it, and
// its circle, cannot change the tile; its links may, and are reckoned
// by geo.Dataset.Reach.
func DependencyBound(b orb.Bound, z maptile.Zoom) orb.Bound {
	g := geo.GrowBound(b, geo.MaxUncertainty)
	x0, y0 := cellOf(orb.Point{g.Min[0], g.Max[1]}, z)
	x1, y1 := cellOf(orb.Point{g.Max[0], g.Min[1]}, z)
	return ClusterGrid{zoom: z, x0: x0, y0: y0, x1: x1, y1: y1}.Bound()
}
