package geo

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// Interval is a closed span of time; a zero Start or End leaves that side
// open. The zero Interval matches every incident.
type Interval struct {
	Start, End time.Time
}

// Overlaps reports whether an incident whose time is known to lie within
// [from, to) may have happened inside the interval. from == to is an
// instant.
func (iv Interval) Overlaps(from, to time.Time) bool {
	if !iv.Start.IsZero() {
		if from.Equal(to) && from.Before(iv.Start) || !from.Equal(to) && !to.After(iv.Start) {
			return false
		}
	}
	return iv.End.IsZero() || !from.After(iv.End)
}

// Radius is a circle on the earth: a centre and a radius in metres.
type Radius struct {
	Center orb.Point // lon, lat
	Metres float64
}

// Query selects incidents. Every set condition must hold; an empty list
// filter is no filter. Incidents without a location never match a BBox or
// Near condition.
type Query struct {
	BBox       *orb.Bound // Min lon > Max lon crosses the antimeridian
	Time       Interval   // matched against each incident's time window
	Near       *Radius    // results sorted by distance
	EventTypes []string
	Sites      []string
	Countries  []string
	// Words are lower-case words that must each appear in an incident's
	// text (TextWords): a search, as the editor's desk makes. It reads
	// every incident's text, so it is a scan.
	Words []string
	// Newest asks for the newest first: the data set's order (time, then
	// id) reversed. A Near query is sorted by distance whatever it says.
	Newest bool
	Limit  int // 0: no limit
	Offset int
}

// Match is one incident a query found. DistanceM is the geodesic distance
// from a Near centre in metres, NaN when the query had no Near.
type Match struct {
	Incident  *Incident
	DistanceM float64
}

// Result is one page of matches and the number of matches in all pages.
type Result struct {
	Matches       []Match
	NumberMatched int
}

// hit is a match before it is put together: its position, the data
// set's order, and its distance.
type hit struct {
	pos  int32
	dist float64 // NaN until worked out
	// near orders the hits of a radius query before their distances are
	// worked out: 1 - cos of the angle from the centre, from unit vectors.
	near float64
}

// hitBuffers keeps the buffers queries gather their hits in, so that a
// query of ten thousand matches does not allocate and grow one each time.
var hitBuffers = sync.Pool{New: func() any { return new([]hit) }}

// maxPooledHits bounds a buffer kept for the next query (1.5 MB).
const maxPooledHits = 1 << 16

// Query returns the incidents that match q, sorted by distance when q has a
// Near condition and by time (then id) otherwise, newest first when q says
// so, paged by Limit and Offset.
// BBox and Near are answered from the spatial index, not a scan; a page
// sorts only as much of the matches as it shows, and only the incidents
// of the page are put together.
func (d *Dataset) Query(q Query) Result {
	buf := hitBuffers.Get().(*[]hit)
	defer func() {
		if cap(*buf) <= maxPooledHits {
			hitBuffers.Put(buf)
		}
	}()
	hits := d.appendHits(*buf, q)
	*buf = hits
	page := 0 // how many of the sorted matches the page needs; 0 all
	if q.Limit > 0 {
		page = max(q.Offset, 0) + q.Limit
	}
	n := len(hits)
	switch {
	case q.Near != nil:
		hits = d.nearest(hits, page, newCircle(*q.Near))
	case q.BBox != nil && q.Newest:
		sortFirst(hits, page, func(a, b hit) int { return cmp.Compare(b.pos, a.pos) })
	case q.BBox != nil:
		sortFirst(hits, page, func(a, b hit) int { return cmp.Compare(a.pos, b.pos) })
	case q.Newest:
		slices.Reverse(hits) // they came in the data set's order
	}
	lo := min(max(q.Offset, 0), len(hits))
	hi := len(hits)
	if q.Limit > 0 {
		hi = min(lo+q.Limit, len(hits))
	}
	matches := make([]Match, hi-lo)
	incidents := make([]Incident, hi-lo)
	for i, h := range hits[lo:hi] {
		incidents[i] = d.incident(int(h.pos))
		matches[i] = Match{&incidents[i], h.dist}
	}
	return Result{Matches: matches, NumberMatched: n}
}

// hits returns what matches q, unsorted but for a query on neither BBox
// nor Near, whose hits come in the data set's order.
func (d *Dataset) hits(q Query) []hit { return d.appendHits(nil, q) }

// appendHits is hits appending to buf.
func (d *Dataset) appendHits(buf []hit, q Query) []hit {
	f := d.filter(q)
	hits := buf[:0]
	switch {
	case q.Near != nil:
		// Padded by a hair: the box's edges are computed through radians and
		// back, and without it a 0 m box can miss its own centre. The exact
		// distance check below stays the filter.
		box := orbgeo.NewBoundAroundPoint(q.Near.Center, q.Near.Metres).Pad(1e-9)
		c := newCircle(*q.Near)
		ix := d.index
		ix.walk(box, func(i int) {
			p := orb.Point{ix.coords[2*i], ix.coords[2*i+1]}
			if q.BBox != nil && !boundContains(*q.BBox, p) {
				return
			}
			near := 1 - (c.unit[0]*d.unit[3*i] + c.unit[1]*d.unit[3*i+1] + c.unit[2]*d.unit[3*i+2])
			dist := math.NaN()
			switch {
			case near > c.nearMax+nearBand:
				return
			case near >= c.nearMax-nearBand: // too close to the circle to tell: work it out
				var in bool
				if dist, in = c.distance(p); !in {
					return
				}
			}
			if pos := d.spotPos[i]; f.keep(pos) {
				hits = append(hits, hit{pos, dist, near})
			}
		})
	case q.BBox != nil:
		ix := d.index
		ix.walk(*q.BBox, func(i int) {
			if pos := d.spotPos[i]; f.keep(pos) {
				hits = append(hits, hit{pos: pos, dist: math.NaN()})
			}
		})
	default:
		for pos := range d.records {
			if f.keep(int32(pos)) {
				hits = append(hits, hit{pos: int32(pos), dist: math.NaN()})
			}
		}
	}
	return hits
}

// circle answers "how far from the centre, and within the radius?" for
// the many candidates of a radius query: orb's DistanceHaversine, to the
// last bit, with the centre's cosine worked out once, and the candidates
// in the corners of the box (a fifth of them) turned away before the
// square roots and arc tangent.
type circle struct {
	center         orb.Point
	cosLat, metres float64
	aMax           float64 // the haversine term of a point on the circle, a hair over
	unit           [3]float64
	nearMax        float64 // 1 - cos of the radius's angle: the near of a point on the circle
}

func newCircle(r Radius) circle {
	aMax := math.Inf(1) // beyond half the earth's circumference: no shortcut
	nearMax := 3.0      // and every point is near enough (near is at most 2)
	if half := r.Metres / (2 * orb.EarthRadius); half < math.Pi/2 {
		aMax = math.Sin(half) * math.Sin(half) * (1 + 1e-9)
		nearMax = 1 - math.Cos(2*half)
	}
	return circle{r.Center, math.Cos(r.Center[1] * math.Pi / 180), r.Metres, aMax, unitVector(r.Center), nearMax}
}

// unitVector returns p on the unit sphere.
func unitVector(p orb.Point) [3]float64 {
	lon, lat := p[0]*math.Pi/180, p[1]*math.Pi/180
	return [3]float64{math.Cos(lat) * math.Cos(lon), math.Cos(lat) * math.Sin(lon), math.Sin(lat)}
}

// nearBand is how far near may stray from the true 1 - cos of a point's
// angle, and far more: the error of a dot product of unit vectors is
// about 1e-16. A point this close to the circle, or to the last of a
// page, has its haversine distance worked out before anything is decided.
const nearBand = 1e-12

// nearest puts the first page of a radius query's hits (all when page
// is 0) in order of distance, then position, with their distances, and
// returns them. Sorting a page by near, which needs no trigonometry, and
// working out the distances of that page alone, is most of what makes a
// radius query over a million incidents fast; every hit whose near is
// within nearBand of the page's last is worked out too, so the order is
// exactly that of the haversine distances (TestQueryMatchesScan).
func (d *Dataset) nearest(hits []hit, page int, c circle) []hit {
	byDistance := func(a, b hit) int { return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.pos, b.pos)) }
	exact := func(hs []hit) {
		for i := range hs {
			if math.IsNaN(hs[i].dist) {
				hs[i].dist, _ = c.distance(d.records[hs[i].pos].loc)
			}
		}
	}
	if page <= 0 || page*4 >= len(hits) {
		exact(hits)
		sortFirst(hits, page, byDistance)
		return hits
	}
	sortFirst(hits, page, func(a, b hit) int { return cmp.Or(cmp.Compare(a.near, b.near), cmp.Compare(a.pos, b.pos)) })
	cut := hits[page-1].near + nearBand
	first := hits[:page:page]
	for _, h := range hits[page:] {
		if h.near <= cut {
			first = append(first, h)
		}
	}
	exact(first)
	slices.SortFunc(first, byDistance)
	return first[:page]
}

// distance returns p's distance from the centre, as
// orbgeo.DistanceHaversine(center, p) gives it, and whether it is within
// the radius; the distance of a point well outside is not worked out.
func (c *circle) distance(p orb.Point) (float64, bool) {
	dLat := (c.center[1] - p[1]) * math.Pi / 180
	dLon := (c.center[0] - p[0]) * math.Pi / 180
	dLat2Sin := math.Sin(dLat / 2)
	dLon2Sin := math.Sin(dLon / 2)
	a := dLat2Sin*dLat2Sin + math.Cos(p[1]*math.Pi/180)*c.cosLat*dLon2Sin*dLon2Sin
	if a > c.aMax {
		return 0, false
	}
	dist := 2.0 * orb.EarthRadius * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
	return dist, dist <= c.metres
}

// filter is a query's conditions on time and attributes, with the texts
// asked for as indices in the data set's table of strings.
type filter struct {
	d                            *Dataset
	time                         Interval
	none                         bool // no condition: keep all
	types, sites, countries      []uint32
	anyType, anySite, anyCountry bool
	words                        *wordSearch // nil: no words asked for
}

func (d *Dataset) filter(q Query) filter {
	f := filter{d: d, time: q.Time,
		types: d.strIndices(q.EventTypes), sites: d.strIndices(q.Sites), countries: d.strIndices(q.Countries),
		anyType: len(q.EventTypes) == 0, anySite: len(q.Sites) == 0, anyCountry: len(q.Countries) == 0,
		words: newWordSearch(&d.columns, q.Words),
	}
	f.none = q.Time.Start.IsZero() && q.Time.End.IsZero() && f.anyType && f.anySite && f.anyCountry && f.words == nil
	return f
}

// strIndices returns the indices of the texts in the data set's table
// of strings, noString for one it does not hold.
func (d *Dataset) strIndices(texts []string) []uint32 {
	var out []uint32
	for _, t := range texts {
		if k, ok := d.strIndex[t]; ok {
			out = append(out, k)
		} else {
			out = append(out, noString)
		}
	}
	return out
}

// keep reports whether the incident at pos meets the conditions.
func (f *filter) keep(pos int32) bool {
	if f.none {
		return true
	}
	r := &f.d.records[pos]
	if !f.anyType && !slices.Contains(f.types, r.eventType) ||
		!f.anySite && !slices.Contains(f.sites, r.site) ||
		!f.anyCountry && !slices.Contains(f.countries, r.country) {
		return false
	}
	if !f.time.Start.IsZero() || !f.time.End.IsZero() {
		if from, to := r.window(); !f.time.Overlaps(from, to) {
			return false
		}
	}
	return f.words == nil || f.words.in(&f.d.columns, r)
}

// sortFirst puts the first n of ms in order (all of them when n is 0 or
// near len(ms)): a page of 100 out of ten thousand matches costs a pass
// and a heap of 100, not a sort of ten thousand. The order must be total,
// so the first n are the same whichever way they are found.
func sortFirst(ms []hit, n int, order func(a, b hit) int) {
	if n <= 0 || n*4 >= len(ms) {
		slices.SortFunc(ms, order)
		return
	}
	// ms[:n] is a max-heap of the n first found so far; each later match
	// that comes before its top replaces it.
	h := ms[:n]
	for i := n/2 - 1; i >= 0; i-- {
		siftDown(h, i, order)
	}
	for i := n; i < len(ms); i++ {
		if order(ms[i], h[0]) < 0 {
			h[0], ms[i] = ms[i], h[0]
			siftDown(h, 0, order)
		}
	}
	slices.SortFunc(h, order)
}

// siftDown restores the max-heap h below i.
func siftDown(h []hit, i int, order func(a, b hit) int) {
	for {
		top, l, r := i, 2*i+1, 2*i+2
		if l < len(h) && order(h[l], h[top]) > 0 {
			top = l
		}
		if r < len(h) && order(h[r], h[top]) > 0 {
			top = r
		}
		if top == i {
			return
		}
		h[i], h[top] = h[top], h[i]
		i = top
	}
}

// Scan calls fn with every incident that matches q's BBox, Time and
// attribute conditions, in the data set's order (time, then id), putting
// together one at a time: a full export in constant memory. The incident
// fn is given is valid only during the call. Near, Limit and Offset are
// not its business; it stops at fn's first error and returns it.
func (d *Dataset) Scan(q Query, fn func(*Incident) error) error {
	f := d.filter(q)
	in := new(Incident) // one for every row: a row costs no allocation
	for pos := range d.records {
		r := &d.records[pos]
		if q.BBox != nil && (!r.located || !boundContains(*q.BBox, r.loc)) || !f.keep(int32(pos)) {
			continue
		}
		*in = d.incident(pos)
		if err := fn(in); err != nil {
			return err
		}
	}
	return nil
}

// Ref is an incident's place in its data set: what a walk that places,
// counts and summarises incidents (a clustered tile) hands out, rather
// than the incident put together. A Ref is valid only with the data set
// that gave it.
type Ref int32

// At returns the incident r refers to.
func (d *Dataset) At(r Ref) *Incident {
	in := d.incident(int(r))
	return &in
}

// IDOf returns the id of the incident r refers to.
func (d *Dataset) IDOf(r Ref) string { return d.columns.id(&d.records[r]) }

// OccurredAtOf returns when the incident r refers to occurred.
func (d *Dataset) OccurredAtOf(r Ref) time.Time { return d.occurredAt(&d.records[r]) }

// EventTypeOf returns the event type of the incident r refers to.
func (d *Dataset) EventTypeOf(r Ref) string { return d.strs[d.records[r].eventType] }

// Spot is an incident a walk finds, with what a summary of many reads:
// its place, its time (OccurredAt in Unix seconds) and its event type.
// These come from columns kept in the spatial index's own order, so a
// walk over a tile of fifty thousand incidents reads memory in order and
// touches no incident.
type Spot struct {
	Ref       Ref
	Point     orb.Point
	Y         float64 // MercatorY of Point
	Sec       int64
	EventType string
}

// EachIn calls fn with every incident located within b whose time may
// fall within t and, when sites are given, that belongs to one of them,
// in no particular order and without gathering them: for callers that
// summarise what they are given (a clustered tile), for whom Query's sort
// and slice of matches would be most of the cost. With no time condition
// it reads nothing of an incident but its spot.
func (d *Dataset) EachIn(t Interval, b orb.Bound, sites []string, fn func(Spot)) {
	anyTime := t.Start.IsZero() && t.End.IsZero()
	var want []int32 // positions of the sites asked for that exist
	for _, s := range sites {
		if p, ok := d.sitePos[s]; ok {
			want = append(want, int32(p))
		}
	}
	if len(sites) > 0 && len(want) == 0 {
		return // no incident belongs to an unknown site
	}
	// What no window of an incident of the interval can start after or
	// end before: a point whose time is further out is of another time
	// (spotSec, dense in the tree's order), and its record, read at
	// random, is never touched. A view of one day skips nearly all.
	first, last := int64(math.MinInt64), int64(math.MaxInt64)
	if !t.Start.IsZero() {
		first = t.Start.Unix() - maxWindowSeconds
	}
	if !t.End.IsZero() {
		last = t.End.Unix() + maxWindowSeconds
	}
	ix := d.index
	d.index.walk(b, func(i int) {
		if len(want) > 0 && !slices.Contains(want, d.spotSite[i]) {
			return
		}
		pos := d.spotPos[i]
		if !anyTime {
			if sec := d.spotSec[i]; sec < first || sec > last {
				return
			}
			if from, to := d.records[pos].window(); !t.Overlaps(from, to) {
				return
			}
		}
		fn(Spot{Ref(pos), orb.Point{ix.coords[2*i], ix.coords[2*i+1]}, d.spotY[i], d.spotSec[i], d.strs[d.spotType[i]]})
	})
}

// boundContains is orb.Bound.Contains that understands a bound crossing
// the antimeridian.
func boundContains(b orb.Bound, p orb.Point) bool {
	if p[1] < b.Min[1] || p[1] > b.Max[1] {
		return false
	}
	if b.Min[0] > b.Max[0] {
		return p[0] >= b.Min[0] || p[0] <= b.Max[0]
	}
	return p[0] >= b.Min[0] && p[0] <= b.Max[0]
}
