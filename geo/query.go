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
}

// Result is one page of matches and the number of matches in all pages.
type Result struct {
	Matches       []Match
	NumberMatched int
}

// Query returns the incidents that match q, sorted by distance when q has a
// Near condition and by time (then id) otherwise, paged by Limit and Offset.
// BBox and Near are answered from the spatial index, not a scan.
func (d *Dataset) Query(q Query) Result {
	keep := func(in *Incident) bool {
		return q.Time.Overlaps(in.windowStart, in.windowEnd) &&
			(len(q.EventTypes) == 0 || slices.Contains(q.EventTypes, in.EventType)) &&
			(len(q.Sites) == 0 || slices.Contains(q.Sites, in.Site)) &&
			(len(q.Countries) == 0 || slices.Contains(q.Countries, in.Country))
	}

	var matches []Match
	switch {
	case q.Near != nil:
		// Padded by a hair: the box's edges are computed through radians and
		// back, and without it a 0 m box can miss its own centre. The exact
		// distance check below stays the filter.
		box := orbgeo.NewBoundAroundPoint(q.Near.Center, q.Near.Metres).Pad(1e-9)
		d.index.Bound(box, func(k int) {
			in := &d.Incidents[d.located[k]]
			if q.BBox != nil && !boundContains(*q.BBox, *in.Location) {
				return
			}
			dist := orbgeo.DistanceHaversine(q.Near.Center, *in.Location)
			if dist <= q.Near.Metres && keep(in) {
				matches = append(matches, Match{in, dist})
			}
		})
		slices.SortFunc(matches, func(a, b Match) int {
			return cmp.Or(cmp.Compare(a.DistanceM, b.DistanceM), compare(a.Incident, b.Incident))
		})
	case q.BBox != nil:
		d.index.Bound(*q.BBox, func(k int) {
			if in := &d.Incidents[d.located[k]]; keep(in) {
				matches = append(matches, Match{in, math.NaN()})
			}
		})
		slices.SortFunc(matches, func(a, b Match) int { return compare(a.Incident, b.Incident) })
	default:
		for i := range d.Incidents {
			if in := &d.Incidents[i]; keep(in) {
				matches = append(matches, Match{in, math.NaN()})
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

// compare orders incidents as the data set holds them: by time, then id.
// Positions in d.Incidents already are that order, so compare them.
func compare(a, b *Incident) int {
	return cmp.Compare(a.pos, b.pos)
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
