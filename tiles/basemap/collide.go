package basemap

import (
	"math"

	"github.com/paulmach/orb"
)

// collider holds the boxes of the names placed at one zoom, in global
// pixels, in a grid of cells so that a new box is checked against its
// neighbours only.
type collider struct {
	cells map[[2]int32][]orb.Bound
}

// colliderCell is the side of a cell in pixels: about one label.
const colliderCell = 64

func newCollider() *collider { return &collider{cells: map[[2]int32][]orb.Bound{}} }

// cellRange returns the cells b touches.
func cellRange(b orb.Bound) (x0, y0, x1, y1 int32) {
	return int32(math.Floor(b.Min[0] / colliderCell)), int32(math.Floor(b.Min[1] / colliderCell)),
		int32(math.Floor(b.Max[0] / colliderCell)), int32(math.Floor(b.Max[1] / colliderCell))
}

// hits reports whether b overlaps a box already added.
func (c *collider) hits(b orb.Bound) bool {
	x0, y0, x1, y1 := cellRange(b)
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			for _, o := range c.cells[[2]int32{x, y}] {
				if o.Intersects(b) {
					return true
				}
			}
		}
	}
	return false
}

// add adds b.
func (c *collider) add(b orb.Bound) {
	x0, y0, x1, y1 := cellRange(b)
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			k := [2]int32{x, y}
			c.cells[k] = append(c.cells[k], b)
		}
	}
}

// count returns how many boxes added overlap b; a box in several cells
// is counted in each, which is as good for comparing places.
func (c *collider) count(b orb.Bound) int {
	n := 0
	x0, y0, x1, y1 := cellRange(b)
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			for _, o := range c.cells[[2]int32{x, y}] {
				if o.Intersects(b) {
					n++
				}
			}
		}
	}
	return n
}
