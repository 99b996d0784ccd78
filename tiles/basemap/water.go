package basemap

import (
	"errors"
	"fmt"

	"github.com/paulmach/orb"
)

// A water file holds the rivers and lakes the basemap draws. It is
// gzip-compressed; uncompressed it is
//
//	"IMWA" 1                        WaterMagic and WaterVersion
//	n uvarint, n rivers:
//	    len uvarint, name (UTF-8, may be empty)
//	    len uvarint, name_ar (UTF-8, may be empty)
//	    lines uvarint, each: points
//	n uvarint, n lakes:
//	    rings uvarint, each ring: points
//
// with points as in a basemap file (format.go), on a grid of 1e-5 degrees
// from 0, 0: a count and that many (dx, dy) zigzag varints, each the
// change from the previous point in the file. Lines have at least 2
// points; rings are stored without their closing point, at least 3
// points, exterior rings counter-clockwise and holes clockwise.

// WaterMagic and WaterVersion start every uncompressed water file.
const (
	WaterMagic   = "IMWA"
	WaterVersion = 1
)

// waterGrid is the grid of water files: 1e-5 degrees, about a metre.
var waterGrid = Grid{KX: 1e-5, KY: 1e-5}

// Water is the rivers and lakes of the basemap.
type Water struct {
	// Rivers are sorted by name; unnamed ones come first.
	Rivers []River
	// Lakes are lakes and reservoirs.
	Lakes orb.MultiPolygon
}

// River is a river's name, in English and Arabic ("" when unknown), and
// its course as lines.
type River struct {
	Name, NameAr string
	Lines        orb.MultiLineString
}

// EncodeWater returns w as a water file. Points are snapped to the grid,
// repeated points dropped, rings wound as the format says; lines left with
// fewer than 2 points and rings with fewer than 3 are dropped. The same w
// gives the same bytes.
func EncodeWater(w *Water) ([]byte, error) {
	wr := &writer{grid: waterGrid}
	wr.buf = append(wr.buf, WaterMagic...)
	wr.buf = append(wr.buf, WaterVersion)
	wr.uvarint(len(w.Rivers))
	for _, r := range w.Rivers {
		var lines [][][2]int64
		for _, l := range r.Lines {
			if q := wr.quantize(l, false); len(q) >= 2 {
				lines = append(lines, q)
			}
		}
		wr.buf = appendString(wr.buf, r.Name)
		wr.buf = appendString(wr.buf, r.NameAr)
		wr.uvarint(len(lines))
		for _, q := range lines {
			wr.points(q)
		}
	}
	var lakes [][][][2]int64
	for _, p := range w.Lakes {
		var rings [][][2]int64
		for _, r := range p {
			if (r.Orientation() == orb.CCW) != (len(rings) == 0) {
				r = reversed(r)
			}
			q := wr.quantize(r, true)
			if len(q) >= 3 {
				rings = append(rings, q)
			} else if len(rings) == 0 {
				break // the exterior vanished at this grid
			}
		}
		if len(rings) > 0 {
			lakes = append(lakes, rings)
		}
	}
	wr.uvarint(len(lakes))
	for _, rings := range lakes {
		wr.uvarint(len(rings))
		for _, q := range rings {
			wr.points(q)
		}
	}
	return gzipBytes(wr.buf)
}

// DecodeWater reads a water file, as EncodeWater writes it. Rings come
// back closed.
func DecodeWater(file []byte) (*Water, error) {
	data, err := gunzip(file)
	if err != nil {
		return nil, err
	}
	if len(data) < len(WaterMagic)+1 || string(data[:len(WaterMagic)]) != WaterMagic {
		return nil, errors.New("not water data")
	}
	if v := data[len(WaterMagic)]; v != WaterVersion {
		return nil, fmt.Errorf("water version %d, want %d", v, WaterVersion)
	}
	r := &reader{data: data, off: len(WaterMagic) + 1, grid: waterGrid}
	w := &Water{}
	n, err := r.count("rivers", 3)
	if err != nil {
		return nil, err
	}
	w.Rivers = make([]River, n)
	for i := range w.Rivers {
		rv := &w.Rivers[i]
		if rv.Name, err = r.name(); err != nil {
			return nil, fmt.Errorf("river %d: %w", i, err)
		}
		if rv.NameAr, err = r.name(); err != nil {
			return nil, fmt.Errorf("river %d: %w", i, err)
		}
		nl, err := r.count("lines", 1)
		if err != nil {
			return nil, fmt.Errorf("river %d %q: %w", i, rv.Name, err)
		}
		rv.Lines = make(orb.MultiLineString, nl)
		for j := range rv.Lines {
			ps, _, err := r.points(2, false)
			if err != nil {
				return nil, fmt.Errorf("river %d %q line %d: %w", i, rv.Name, j, err)
			}
			rv.Lines[j] = orb.LineString(ps)
		}
	}
	if n, err = r.count("lakes", 1); err != nil {
		return nil, err
	}
	w.Lakes = make(orb.MultiPolygon, n)
	for i := range w.Lakes {
		nr, err := r.count("rings", 1)
		if err != nil {
			return nil, fmt.Errorf("lake %d: %w", i, err)
		}
		if nr == 0 {
			return nil, fmt.Errorf("lake %d: no rings", i)
		}
		p := make(orb.Polygon, nr)
		for k := range p {
			ps, _, err := r.points(3, true)
			if err != nil {
				return nil, fmt.Errorf("lake %d ring %d: %w", i, k, err)
			}
			p[k] = orb.Ring(ps)
		}
		w.Lakes[i] = p
	}
	if r.off != len(data) {
		return nil, fmt.Errorf("%d bytes after the lakes", len(data)-r.off)
	}
	return w, nil
}
