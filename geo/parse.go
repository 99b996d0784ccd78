package geo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// The text forms shared by the data files, the HTTP API and the commands:
// ids, event types, countries, numbers and bounding boxes. One parser each,
// so a file, a query string and a flag accept the same things.

// ValidID reports whether s is an incident or site id: a slug of a-z, 0-9
// and -, at most 128 characters, starting with a letter or digit.
func ValidID(s string) bool {
	return len(s) >= 1 && len(s) <= 128 && s[0] != '-' && only(s, func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
	})
}

// ValidEventType reports whether s can be an event type: a lower-case word
// of a-z and _, at most 64 characters, such as missile_attack.
func ValidEventType(s string) bool {
	return len(s) >= 1 && len(s) <= 64 && s[0] != '_' && only(s, func(c byte) bool {
		return c >= 'a' && c <= 'z' || c == '_'
	})
}

// ValidCountry reports whether s has the form of an ISO 3166-1 alpha-2
// code (two upper-case letters).
func ValidCountry(s string) bool {
	return len(s) == 2 && only(s, func(c byte) bool { return c >= 'A' && c <= 'Z' })
}

// only reports whether every byte of s is one ok accepts. (A regular
// expression said the same, at a tenth of the speed: these run for every
// incident of a data set as it loads.)
func only(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

// ParseFloat reads a finite number, spaces around it allowed. Its errors
// quote s and say what is wrong with it.
func ParseFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("%q is out of range", s)
	case err != nil:
		return 0, fmt.Errorf("%q is not a number", s)
	case math.IsNaN(f) || math.IsInf(f, 0):
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return f, nil
}

// CheckLon reports a longitude outside -180..180.
func CheckLon(lon float64) error {
	if lon < -180 || lon > 180 {
		return fmt.Errorf("longitude %v is outside -180..180", lon)
	}
	return nil
}

// CheckLat reports a latitude outside -90..90.
func CheckLat(lat float64) error {
	if lat < -90 || lat > 90 {
		return fmt.Errorf("latitude %v is outside -90..90", lat)
	}
	return nil
}

// ParseBound reads a bounding box as OGC API Features writes one:
// "minLon,minLat,maxLon,maxLat", or six numbers with heights
// (minLon,minLat,minZ,maxLon,maxLat,maxZ), whose heights are ignored.
// Longitudes must be within -180..180 and latitudes within -90..90, minLat
// no further north than maxLat. minLon > maxLon is a box across the
// antimeridian.
func ParseBound(s string) (orb.Bound, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return orb.Bound{}, fmt.Errorf("want 4 or 6 numbers (minLon,minLat,maxLon,maxLat), got %d", len(parts))
	}
	n := make([]float64, len(parts))
	for i, p := range parts {
		var err error
		if n[i], err = ParseFloat(p); err != nil {
			return orb.Bound{}, err
		}
	}
	if len(n) == 6 { // minx, miny, minz, maxx, maxy, maxz
		n = []float64{n[0], n[1], n[3], n[4]}
	}
	for _, err := range []error{CheckLon(n[0]), CheckLat(n[1]), CheckLon(n[2]), CheckLat(n[3])} {
		if err != nil {
			return orb.Bound{}, err
		}
	}
	if n[1] > n[3] {
		return orb.Bound{}, fmt.Errorf("minLat %v is north of maxLat %v", n[1], n[3])
	}
	return orb.Bound{Min: orb.Point{n[0], n[1]}, Max: orb.Point{n[2], n[3]}}, nil
}
