package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// What a data set keeps of each point of its index, in the index's order
// (Dataset's spot columns): built whole with the index (buildSpots), or,
// for a write, derived from the data set written to (deriveSpots), whose
// index and columns are kept place for place but for the few points the
// write adds.

// spot is what is derived of one located incident for its place in the
// index.
type spot struct {
	y    float64
	sec  int64
	typ  uint32
	site int32
	unit [3]float64
}

// spotOf derives the spot of the located incident at pos.
func (d *Dataset) spotOf(pos int32) spot {
	r := &d.records[pos]
	site := int32(-1)
	if p, ok := d.sitePos[d.strs[r.site]]; ok {
		site = int32(p)
	}
	return spot{MercatorY(r.loc[1]), r.sec, r.eventType, site, unitVector(r.loc)}
}

// makeSpots makes the spot columns for n places, and puts the index's
// ids (positions) in as spotPos.
func (d *Dataset) makeSpots(n int) {
	d.spotPos = d.index.ids
	d.spotY, d.spotSec = make([]float64, n), make([]int64, n)
	d.spotType, d.spotSite = make([]uint32, n), make([]int32, n)
	d.unit = make([]float64, 3*n)
}

// setSpot puts s at the index's place i.
func (d *Dataset) setSpot(i int, s spot) {
	d.spotY[i], d.spotSec[i], d.spotType[i], d.spotSite[i] = s.y, s.sec, s.typ, s.site
	copy(d.unit[3*i:3*i+3], s.unit[:])
}

// buildSpots indexes the located incidents anew, the index on one core
// (both) and on the other their spots, in the records' order; then puts
// the spots in the tree's order, from that dense array rather than from
// records read at random.
func (d *Dataset) buildSpots(both func(func()) func()) {
	points := make([]orb.Point, 0, len(d.records)) // sized for all located, the usual case
	located := make([]int32, 0, len(d.records))
	for pos := range d.records {
		if r := &d.records[pos]; r.located {
			points = append(points, r.loc)
			located = append(located, int32(pos))
		}
	}
	indexed := both(func() { d.index = NewIndex(points) })
	spots := make([]spot, len(located))
	for k, pos := range located {
		spots[k] = d.spotOf(pos)
	}
	indexed()
	d.makeSpots(len(located))
	for i, k := range d.index.ids { // places in points: made positions
		d.setSpot(i, spots[k])
		d.index.ids[i] = located[k]
	}
}

// deriveSpots derives d's index and spot columns from those of the data
// set b extends (With): its first tree and the spots of its places are
// kept, each point under its record's new position (posOf, by added-th;
// -1 when gone), and the points b adds are sorted into the second tree
// with those of the first's second tree that stay.
func (b *builder) deriveSpots(d *Dataset, posOf []int32) {
	from := b.from
	ids := make([]int32, len(from.spotPos))
	for i, pos := range from.spotPos {
		ids[i] = -1
		if pos >= 0 {
			if f := b.keptAt[pos]; f >= 0 {
				ids[i] = posOf[f]
			}
		}
	}
	var added []orb.Point
	var addedIDs []int32
	for f := b.sorted; f < b.n; f++ {
		if pos := posOf[f]; d.records[pos].located {
			added = append(added, d.records[pos].loc)
			addedIDs = append(addedIDs, pos)
		}
	}
	d.index = from.index.derive(ids, added, addedIDs)
	d.makeSpots(len(d.index.ids))
	m := d.index.main
	copy(d.spotY, from.spotY[:m])
	copy(d.spotSec, from.spotSec[:m])
	copy(d.spotType, from.spotType[:m])
	copy(d.spotSite, from.spotSite[:m])
	copy(d.unit, from.unit[:3*m])
	for i := m; i < len(d.spotPos); i++ {
		d.setSpot(i, d.spotOf(d.spotPos[i]))
	}
}

// locatedBound returns the bound of the located incidents, false when
// there are none.
func (d *Dataset) locatedBound() (orb.Bound, bool) {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	found := false
	c := d.index.coords
	for i, pos := range d.spotPos {
		if pos < 0 {
			continue
		}
		x, y := c[2*i], c[2*i+1]
		minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
		found = true
	}
	return orb.Bound{Min: orb.Point{minX, minY}, Max: orb.Point{maxX, maxY}}, found
}
