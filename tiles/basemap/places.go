package basemap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// A places file holds the towns and cities the basemap names. It is
// gzip-compressed; uncompressed it is
//
//	"IMPL" 1                        PlacesMagic and PlacesVersion
//	n uvarint, n places:
//	    id uvarint                  GeoNames id
//	    len uvarint, name (UTF-8)
//	    len uvarint, name_ar (UTF-8, may be empty)
//	    country: 2 bytes            ISO 3166-1 alpha-2
//	    population uvarint
//	    flags: 1 byte               bit 0: a national capital
//	    dx dy varint                lon, lat in 1e-5 degrees, the change
//	                                from the previous place (the first from 0, 0)
//
// Places are stored in the order labels are placed: capitals first, then
// by population, most first, then by id.

// PlacesMagic and PlacesVersion start every uncompressed places file.
const (
	PlacesMagic   = "IMPL"
	PlacesVersion = 1
)

// placeScale is the number of steps of place coordinates to a degree:
// 1e-5 degrees, about a metre, the precision of GeoNames.
const placeScale = 1e5

// Place is a populated place from GeoNames.
type Place struct {
	// ID is the GeoNames id.
	ID int64
	// Name is GeoNames' name; NameAr the Arabic name, "" when the data
	// has none.
	Name, NameAr string
	// Country is the ISO 3166-1 alpha-2 code.
	Country string
	// Population is GeoNames' figure; 0 when unknown.
	Population int64
	// Capital is true for a national capital.
	Capital bool
	// Point is the place's lon/lat.
	Point orb.Point
}

// Before reports whether p is placed before q: capitals first, then by
// population, most first, then by id. It is the order of a places file.
func (p Place) Before(q Place) bool {
	if p.Capital != q.Capital {
		return p.Capital
	}
	if p.Population != q.Population {
		return p.Population > q.Population
	}
	return p.ID < q.ID
}

// EncodePlaces returns ps as a places file, in the order given (callers
// sort with Place.Before). The same ps give the same bytes.
func EncodePlaces(ps []Place) ([]byte, error) {
	buf := append([]byte(PlacesMagic), PlacesVersion)
	buf = binary.AppendUvarint(buf, uint64(len(ps)))
	var x, y int64
	for _, p := range ps {
		if len(p.Country) != 2 {
			return nil, fmt.Errorf("place %d %q: country %q is not two letters", p.ID, p.Name, p.Country)
		}
		if p.ID < 0 || p.Population < 0 {
			return nil, fmt.Errorf("place %d %q: negative id or population", p.ID, p.Name)
		}
		buf = binary.AppendUvarint(buf, uint64(p.ID))
		buf = appendString(buf, p.Name)
		buf = appendString(buf, p.NameAr)
		buf = append(buf, p.Country...)
		buf = binary.AppendUvarint(buf, uint64(p.Population))
		var flags byte
		if p.Capital {
			flags |= 1
		}
		buf = append(buf, flags)
		qx, qy := int64(math.Round(p.Point[0]*placeScale)), int64(math.Round(p.Point[1]*placeScale))
		buf = binary.AppendVarint(buf, qx-x)
		buf = binary.AppendVarint(buf, qy-y)
		x, y = qx, qy
	}
	return gzipBytes(buf)
}

// DecodePlaces reads a places file, as EncodePlaces writes it.
func DecodePlaces(file []byte) ([]Place, error) {
	data, err := gunzip(file)
	if err != nil {
		return nil, err
	}
	if len(data) < len(PlacesMagic)+1 || string(data[:len(PlacesMagic)]) != PlacesMagic {
		return nil, errors.New("not places data")
	}
	if v := data[len(PlacesMagic)]; v != PlacesVersion {
		return nil, fmt.Errorf("places version %d, want %d", v, PlacesVersion)
	}
	r := &reader{data: data, off: len(PlacesMagic) + 1}
	// a place takes at least 9 bytes: id, two lengths, country, population, flags
	n, err := r.count("places", 9)
	if err != nil {
		return nil, err
	}
	ps := make([]Place, n)
	for i := range ps {
		p := &ps[i]
		id, err := r.uvarint()
		if err != nil {
			return nil, fmt.Errorf("place %d: %w", i, err)
		}
		p.ID = int64(id)
		if p.Name, err = r.name(); err != nil {
			return nil, fmt.Errorf("place %d: %w", i, err)
		}
		if p.NameAr, err = r.name(); err != nil {
			return nil, fmt.Errorf("place %d: %w", i, err)
		}
		if r.off+2 > len(r.data) || !utf8.Valid(r.data[r.off:r.off+2]) {
			return nil, fmt.Errorf("place %d: bad country at byte %d", i, r.off)
		}
		p.Country = string(r.data[r.off : r.off+2])
		r.off += 2
		pop, err := r.uvarint()
		if err != nil {
			return nil, fmt.Errorf("place %d: %w", i, err)
		}
		if id > math.MaxInt64 || pop > math.MaxInt64 {
			return nil, fmt.Errorf("place %d %q: id or population out of range", i, p.Name)
		}
		p.Population = int64(pop)
		if r.off >= len(r.data) {
			return nil, fmt.Errorf("place %d: no flags", i)
		}
		p.Capital = r.data[r.off]&1 != 0
		r.off++
		dx, err := r.varint()
		if err != nil {
			return nil, fmt.Errorf("place %d: %w", i, err)
		}
		dy, err := r.varint()
		if err != nil {
			return nil, fmt.Errorf("place %d: %w", i, err)
		}
		r.x += dx
		r.y += dy
		// divided, not multiplied by 1e-5: the nearest float to the decimal
		p.Point = orb.Point{float64(r.x) / placeScale, float64(r.y) / placeScale}
		if math.Abs(p.Point[0]) > 180 || math.Abs(p.Point[1]) > 90 {
			return nil, fmt.Errorf("place %d %q: %v is off the world", i, p.Name, p.Point)
		}
	}
	if r.off != len(data) {
		return nil, fmt.Errorf("%d bytes after the places", len(data)-r.off)
	}
	return ps, nil
}

// appendString appends s with its length.
func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}
