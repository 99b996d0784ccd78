package geo

import (
	"cmp"
	"math"
	"slices"
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
	Limit      int // 0: no limit
	Offset     int
}

// Match is one incident a query found. DistanceM is the geodesic distance
// from a Near centre in metres, NaN when the query had no Near.
type Match struct {
	Incident  *Incident
	DistanceM float64
	pos       int // the incident's place in Dataset.Incidents: its sort order
}

// Result is one page of matches and the number of matches in all pages.
type Result struct {
	Matches       []Match
	NumberMatched int
}

// Query returns the incidents that match q, sorted by distance when q has a
// Near condition and by time (then id) otherwise, paged by Limit and Offset.
// BBox and Near are answered from the spatial index, not a scan; a page
// sorts only as much of the matches as it shows, and without conditions
// on time or attributes no incident is read but those returned.
func (d *Dataset) Query(q Query) Result {
	filtered := !q.Time.Start.IsZero() || !q.Time.End.IsZero() ||
		len(q.EventTypes) > 0 || len(q.Sites) > 0 || len(q.Countries) > 0
	keep := func(in *Incident) bool {
		return q.Time.Overlaps(in.windowStart, in.windowEnd) &&
			(len(q.EventTypes) == 0 || slices.Contains(q.EventTypes, in.EventType)) &&
			(len(q.Sites) == 0 || slices.Contains(q.Sites, in.Site)) &&
			(len(q.Countries) == 0 || slices.Contains(q.Countries, in.Country))
	}
	page := 0 // how many of the sorted matches the page needs; 0 all
	if q.Limit > 0 {
		page = max(q.Offset, 0) + q.Limit
	}

	var matches []Match
	switch {
	case q.Near != nil:
		// Padded by a hair: the box's edges are computed through radians and
		// back, and without it a 0 m box can miss its own centre. The exact
		// distance check below stays the filter.
		box := orbgeo.NewBoundAroundPoint(q.Near.Center, q.Near.Metres).Pad(1e-9)
		d.index.BoundPoints(box, func(k int, p orb.Point) {
			if q.BBox != nil && !boundContains(*q.BBox, p) {
				return
			}
			dist := orbgeo.DistanceHaversine(q.Near.Center, p)
			pos := d.located[k]
			if dist <= q.Near.Metres && (!filtered || keep(&d.Incidents[pos])) {
				matches = append(matches, Match{&d.Incidents[pos], dist, pos})
			}
		})
		sortFirst(matches, page, func(a, b Match) int {
			if c := cmp.Compare(a.DistanceM, b.DistanceM); c != 0 {
				return c
			}
			return cmp.Compare(a.pos, b.pos)
		})
	case q.BBox != nil:
		d.index.Bound(*q.BBox, func(k int) {
			pos := d.located[k]
			if !filtered || keep(&d.Incidents[pos]) {
				matches = append(matches, Match{&d.Incidents[pos], math.NaN(), pos})
			}
		})
		sortFirst(matches, page, func(a, b Match) int { return cmp.Compare(a.pos, b.pos) })
	default:
		for i := range d.Incidents {
			if in := &d.Incidents[i]; !filtered || keep(in) {
				matches = append(matches, Match{in, math.NaN(), i})
			}
		}
	}

	n := len(matches)
	lo := min(max(q.Offset, 0), n)
	hi := n
	if q.Limit > 0 {
		hi = min(lo+q.Limit, n)
	}
	return Result{Matches: matches[lo:hi:hi], NumberMatched: n}
}

// sortFirst puts the first n of ms in order (all of them when n is 0 or
// near len(ms)): a page of 100 out of ten thousand matches costs a pass
// and a heap of 100, not a sort of ten thousand. The order must be total,
// so the first n are the same whichever way they are found.
func sortFirst(ms []Match, n int, order func(a, b Match) int) {
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
func siftDown(h []Match, i int, order func(a, b Match) int) {
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
// attribute conditions, in the data set's order (time, then id), reading
// one at a time: a full export in constant memory. Near, Limit and Offset
// are not its business; it stops at fn's first error and returns it.
func (d *Dataset) Scan(q Query, fn func(*Incident) error) error {
	for i := range d.Incidents {
		in := &d.Incidents[i]
		if q.BBox != nil && (in.Location == nil || !boundContains(*q.BBox, *in.Location)) ||
			!q.Time.Overlaps(in.windowStart, in.windowEnd) ||
			len(q.EventTypes) > 0 && !slices.Contains(q.EventTypes, in.EventType) ||
			len(q.Sites) > 0 && !slices.Contains(q.Sites, in.Site) ||
			len(q.Countries) > 0 && !slices.Contains(q.Countries, in.Country) {
			continue
		}
		if err := fn(in); err != nil {
			return err
		}
	}
	return nil
}

// EachIn calls fn with every incident located within b, and its location,
// whose time may fall within t and, when sites are given, that belongs to
// one of them, in no particular order and without gathering them: for
// callers that summarise what they are given (a clustered tile), for whom
// Query's sort and slice of matches would be most of the cost. With no
// time or site condition it reads nothing of an incident.
func (d *Dataset) EachIn(t Interval, b orb.Bound, sites []string, fn func(*Incident, orb.Point)) {
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
	d.index.BoundPoints(b, func(k int, p orb.Point) {
		if len(want) > 0 && !slices.Contains(want, d.locatedSite[k]) {
			return
		}
		in := &d.Incidents[d.located[k]]
		if anyTime || t.Overlaps(in.windowStart, in.windowEnd) {
			fn(in, p)
		}
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
