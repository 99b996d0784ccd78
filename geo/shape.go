package geo

import (
	"math"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// circleSegments is how many straight edges approximate a circle: at 50 km
// the polygon strays less than 65 m inside the true circle.
const circleSegments = 64

// Circle returns the geodesic circle of radius metres around center as a
// polygon whose ring runs counter-clockwise, as RFC 7946 asks of an
// exterior ring.
func Circle(center orb.Point, metres float64) orb.Polygon {
	ring := make(orb.Ring, 0, circleSegments+1)
	for i := 0; i < circleSegments; i++ {
		// Bearings run clockwise from north, so walk them backwards.
		bearing := 360 - float64(i)*360/circleSegments
		ring = append(ring, orbgeo.PointAtBearingAndDistance(center, bearing, metres))
	}
	ring = append(ring, ring[0])
	return orb.Polygon{ring}
}

// GreatCircle returns the shortest path on the earth from a to b as a line
// with a vertex at least every 10 km, so it curves as it should on a
// Mercator map.
func GreatCircle(a, b orb.Point) orb.LineString {
	dist := orbgeo.DistanceHaversine(a, b)
	n := int(math.Ceil(dist / 10_000))
	n = min(max(n, 1), 128)
	bearing := orbgeo.Bearing(a, b)
	line := make(orb.LineString, 0, n+1)
	line = append(line, a)
	for i := 1; i < n; i++ {
		line = append(line, orbgeo.PointAtBearingAndDistance(a, bearing, dist*float64(i)/float64(n)))
	}
	return append(line, b)
}
