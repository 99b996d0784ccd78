package basemap

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/tiles"
)

// boundedRiver is a river's name and its lines, smoothed, with their
// bounds.
type boundedRiver struct {
	name, nameAr string
	lines        []boundedLine
}

// smoothPasses is how many times Chaikin's corner cutting runs over a
// river. Natural Earth's 1:50m rivers have a point every few kilometres:
// drawn at zoom 9 and deeper, that is straight segments of tens of pixels
// meeting at sharp corners. Three passes put a point every few hundred
// metres and round the corners, without moving the river further than the
// source's own error.
const smoothPasses = 3

// newRivers returns rs with their lines smoothed.
func newRivers(rs []River) []boundedRiver {
	out := make([]boundedRiver, len(rs))
	for i, r := range rs {
		out[i].name, out[i].nameAr = r.Name, r.NameAr
		out[i].lines = make([]boundedLine, len(r.Lines))
		for j, l := range r.Lines {
			s := smooth(l, smoothPasses)
			out[i].lines[j] = boundedLine{bound: s.Bound(), line: s}
		}
	}
	return out
}

// smooth returns l with its corners cut passes times (Chaikin): each
// segment is replaced by the points at a quarter and three quarters of
// it; the ends stay.
func smooth(l orb.LineString, passes int) orb.LineString {
	for range passes {
		if len(l) < 3 {
			return l
		}
		out := make(orb.LineString, 0, 2*len(l))
		out = append(out, l[0])
		for i := 0; i+1 < len(l); i++ {
			a, b := l[i], l[i+1]
			q := orb.Point{0.75*a[0] + 0.25*b[0], 0.75*a[1] + 0.25*b[1]}
			r := orb.Point{0.25*a[0] + 0.75*b[0], 0.25*a[1] + 0.75*b[1]}
			if i > 0 {
				out = append(out, q)
			}
			if i+2 < len(l) {
				out = append(out, r)
			}
		}
		out = append(out, l[len(l)-1])
		l = out
	}
	return l
}

// riverWidth returns the width of rivers at zoom z, scale 1; named rivers
// (the great ones) are drawn wider.
func riverWidth(z int, named bool) float64 {
	w := 0.6
	switch {
	case z >= 10:
		w = 2
	case z >= 9:
		w = 1.6
	case z >= 7:
		w = 1.2
	case z >= 5:
		w = 0.9
	}
	if named {
		w += 0.5
	}
	return w
}

// riverLabel is a river's name at one zoom, centred at x, y in global
// pixels at scale 1 and turned by angle radians to follow the river;
// box is the bound of the turned name.
type riverLabel struct {
	name  string
	river int // index in Basemap.rivers
	x, y  float64
	angle float64
	box   orb.Bound
}

// riverLabelShifts are how far, in pixels, a river's name may slide
// along it from where it is due, in the order tried.
var riverLabelShifts = func() []float64 {
	s := []float64{0}
	for d := 25.0; d <= 250; d += 25 {
		s = append(s, d, -d)
	}
	return s
}()

// riverLabelSpacing is the distance along a river, in pixels, between two
// of its names.
const riverLabelSpacing = 500

// placeRivers returns where zoom z names the named rivers: along each of
// a river's lines, every riverLabelSpacing pixels, where the river runs
// straight enough for the name to follow it and the name overlaps no name
// in c and no town's dot in dots (the towns still to be named come after
// the rivers); each name placed is added to c. m has the names' widths.
func placeRivers(z int, rivers []boundedRiver, m nameMetrics, c, dots *collider) []riverLabel {
	world := float64(tiles.TileSize) * math.Exp2(float64(z))
	var out []riverLabel
	for ri, r := range rivers {
		if r.name == "" {
			continue
		}
		w := m.rivers[ri]
		for _, bl := range r.lines {
			px := make([]orb.Point, len(bl.line))
			for i, p := range bl.line {
				px[i][0], px[i][1] = tiles.Project(p, world)
			}
			length := pathLength(px)
			for at := riverLabelSpacing / 2.0; at+w/2 < length; at += riverLabelSpacing {
				// slide along the river for a straight stretch
				for _, shift := range riverLabelShifts {
					s := at + shift
					if s-w/2 < 0 || s+w/2 > length {
						continue
					}
					a, b := pointAlong(px, s-w/2), pointAlong(px, s+w/2)
					if maxDeviation(px, s-w/2, s+w/2, a, b) > 0.6*riverSize {
						continue
					}
					angle := math.Atan2(b[1]-a[1], b[0]-a[0])
					if angle > math.Pi/2 {
						angle -= math.Pi
					} else if angle < -math.Pi/2 {
						angle += math.Pi
					}
					mid := orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
					box := rotatedBox(mid, w+2*labelGap, m.riverHeight+2*labelGap, angle)
					if c.hits(box) || dots.hits(box) {
						continue
					}
					c.add(box)
					out = append(out, riverLabel{name: r.name, river: ri, x: mid[0], y: mid[1], angle: angle, box: box})
					break
				}
			}
		}
	}
	return out
}

// pathLength returns the length of the path through ps.
func pathLength(ps []orb.Point) float64 {
	var n float64
	for i := 1; i < len(ps); i++ {
		n += math.Hypot(ps[i][0]-ps[i-1][0], ps[i][1]-ps[i-1][1])
	}
	return n
}

// pointAlong returns the point s along the path through ps.
func pointAlong(ps []orb.Point, s float64) orb.Point {
	for i := 1; i < len(ps); i++ {
		d := math.Hypot(ps[i][0]-ps[i-1][0], ps[i][1]-ps[i-1][1])
		if s <= d && d > 0 {
			t := s / d
			return orb.Point{ps[i-1][0] + t*(ps[i][0]-ps[i-1][0]), ps[i-1][1] + t*(ps[i][1]-ps[i-1][1])}
		}
		s -= d
	}
	return ps[len(ps)-1]
}

// maxDeviation returns how far, in pixels, the path through ps strays
// between s0 and s1 along it from the chord a–b.
func maxDeviation(ps []orb.Point, s0, s1 float64, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	n := math.Hypot(dx, dy)
	if n == 0 {
		return math.Inf(1)
	}
	var worst, s float64
	for i := 0; i < len(ps); i++ {
		if i > 0 {
			s += math.Hypot(ps[i][0]-ps[i-1][0], ps[i][1]-ps[i-1][1])
		}
		if s < s0 || s > s1 {
			continue
		}
		d := math.Abs(dx*(ps[i][1]-a[1])-dy*(ps[i][0]-a[0])) / n
		worst = max(worst, d)
	}
	return worst
}

// rotatedBox returns the bound of a w by h box centred at m and turned by
// angle.
func rotatedBox(m orb.Point, w, h, angle float64) orb.Bound {
	c, s := math.Abs(math.Cos(angle)), math.Abs(math.Sin(angle))
	hw, hh := (w*c+h*s)/2, (w*s+h*c)/2
	return orb.Bound{Min: orb.Point{m[0] - hw, m[1] - hh}, Max: orb.Point{m[0] + hw, m[1] + hh}}
}
