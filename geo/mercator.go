package geo

import "math"

// MaxLatitude is where Web Mercator stops, north and south, in degrees:
// the latitude at which the projected world is square.
const MaxLatitude = 85.0511287798066

// MercatorY returns where latitude lat falls on the Web Mercator map of
// the whole world, from 0 at its north edge to 1 at its south edge;
// latitudes beyond MaxLatitude are held at it. A data set keeps it for
// every located incident (Spot.Y), so that drawing a tile of tens of
// thousands of incidents takes no logarithm: y on a map worldSize pixels
// a side is MercatorY(lat) * worldSize, exactly as tiles.Project gives it.
func MercatorY(lat float64) float64 {
	lat = math.Max(-MaxLatitude, math.Min(MaxLatitude, lat))
	s := math.Sin(lat * math.Pi / 180)
	return 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)
}
