package basemap

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// A basemap file holds one scale of Natural Earth's countries. It is
// gzip-compressed; uncompressed it is
//
//	"IMBM" 1                        Magic and Version
//	west south east north float64   coverage: outside it, use a coarser scale
//	kx ky tx ty float64             grid: lon = tx + kx*qx, lat = ty + ky*qy
//	n uvarint, n countries:
//	    len uvarint, name (UTF-8)
//	    polygons uvarint, each: rings uvarint, each ring: points
//	n uvarint, n borders: points
//
// where points is a count (uvarint) and that many (dqx, dqy) pairs of
// zigzag varints (encoding/binary's Varint), each the change from the
// previous point in the file (the first from 0, 0). Floats are little
// endian. Rings are stored without their closing point and have at least
// 3 points, exterior rings counter-clockwise and holes clockwise, so all
// land fills as one path under the non-zero rule and shared edges cancel
// (no seams). Borders are the arcs two countries share, at least 2 points.
// Coordinates stay on the source's TopoJSON grid, so the conversion loses
// nothing; varint deltas on that grid take about 2 bytes a point.

// Magic and Version start every uncompressed basemap file.
const (
	Magic   = "IMBM"
	Version = 1
)

// headerSize is the fixed start of the file: Magic, Version, coverage
// and grid.
const headerSize = len(Magic) + 1 + 8*8

// Data is one scale of the basemap, as its file holds it.
type Data struct {
	// Coverage is where the scale has data; outside it, a coarser scale
	// is drawn.
	Coverage orb.Bound
	// Grid is the grid every point lies on.
	Grid Grid
	// Countries are sorted by name.
	Countries []Country
	// Borders are the land borders: the arcs two countries share.
	Borders orb.MultiLineString
}

// Grid is a quantization grid: point qx, qy of it is at lon TX + KX*qx,
// lat TY + KY*qy.
type Grid struct {
	KX, KY, TX, TY float64
}

// Country is a country's name and land.
type Country struct {
	Name     string
	Polygons orb.MultiPolygon
}

// Encode returns d as a basemap file. Points are snapped to d.Grid;
// repeated points and rings' closing points are dropped, exterior rings
// wound counter-clockwise and holes clockwise; rings left with fewer than
// 3 points, polygons whose exterior ring is one of them and borders left
// with fewer than 2 points are dropped. The same d gives the same bytes.
//
// An exterior ring of no area (1:10m has two, slivers of Fiji along lon
// -180) has no winding and is reversed, as if it were clockwise: so
// cmd/basemapgen first wrote the committed files, and so they regenerate
// byte for byte. Encoding a decoded file therefore gives the same bytes
// but for those rings' direction.
func Encode(d *Data) ([]byte, error) {
	return gzipBytes(encode(d))
}

// gzipBytes compresses raw as every basemap file is: best compression, no
// name or time in the header, so the same raw gives the same bytes.
func gzipBytes(raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("gzip basemap: %w", err)
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("gzip basemap: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip basemap: %w", err)
	}
	return buf.Bytes(), nil
}

// Decode reads a basemap file, as Encode writes it. Rings come back
// closed, every point checked to lie on the world.
func Decode(file []byte) (*Data, error) {
	raw, err := gunzip(file)
	if err != nil {
		return nil, err
	}
	d, _, err := decode(raw)
	return d, err
}

// gunzip returns the uncompressed form of a basemap file.
func gunzip(file []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(file))
	if err != nil {
		return nil, fmt.Errorf("gunzip basemap: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gunzip basemap: %w", err)
	}
	return raw, nil
}

// encode returns d in the uncompressed form.
func encode(d *Data) []byte {
	w := &writer{grid: d.Grid}
	w.buf = append(w.buf, Magic...)
	w.buf = append(w.buf, Version)
	c, g := d.Coverage, d.Grid
	for _, f := range []float64{c.Min[0], c.Min[1], c.Max[0], c.Max[1], g.KX, g.KY, g.TX, g.TY} {
		w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(f))
	}
	w.uvarint(len(d.Countries))
	for _, c := range d.Countries {
		var polys [][][][2]int64
		for _, p := range c.Polygons {
			var rings [][][2]int64
			for _, r := range p {
				// exterior rings counter-clockwise, holes clockwise
				if (r.Orientation() == orb.CCW) != (len(rings) == 0) {
					r = reversed(r)
				}
				q := w.quantize(r, true)
				if len(q) >= 3 {
					rings = append(rings, q)
				} else if len(rings) == 0 {
					break // the exterior vanished at this grid
				}
			}
			if len(rings) > 0 {
				polys = append(polys, rings)
			}
		}
		w.uvarint(len(c.Name))
		w.buf = append(w.buf, c.Name...)
		w.uvarint(len(polys))
		for _, rings := range polys {
			w.uvarint(len(rings))
			for _, q := range rings {
				w.points(q)
			}
		}
	}
	var lines [][][2]int64
	for _, l := range d.Borders {
		if q := w.quantize(l, false); len(q) >= 2 {
			lines = append(lines, q)
		}
	}
	w.uvarint(len(lines))
	for _, q := range lines {
		w.points(q)
	}
	return w.buf
}

// reversed returns a reversed copy of r.
func reversed(r orb.Ring) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

// writer appends the uncompressed form to buf; x, y is the last point
// written.
type writer struct {
	buf  []byte
	grid Grid
	x, y int64
}

func (w *writer) uvarint(n int) { w.buf = binary.AppendUvarint(w.buf, uint64(n)) }

// quantize returns ps on the grid without repeated points, and without the
// closing point of a ring.
func (w *writer) quantize(ps []orb.Point, ring bool) [][2]int64 {
	var q [][2]int64
	for _, p := range ps {
		g := [2]int64{
			int64(math.Round((p[0] - w.grid.TX) / w.grid.KX)),
			int64(math.Round((p[1] - w.grid.TY) / w.grid.KY)),
		}
		if len(q) == 0 || q[len(q)-1] != g {
			q = append(q, g)
		}
	}
	if ring && len(q) > 1 && q[0] == q[len(q)-1] {
		q = q[:len(q)-1]
	}
	return q
}

// points writes a count and the points as signed deltas from the last
// point written.
func (w *writer) points(q [][2]int64) {
	w.uvarint(len(q))
	for _, g := range q {
		w.buf = binary.AppendVarint(w.buf, g[0]-w.x)
		w.buf = binary.AppendVarint(w.buf, g[1]-w.y)
		w.x, w.y = g[0], g[1]
	}
}

// decode parses the uncompressed form. It also returns the bounds of
// every polygon's exterior ring and of every border, in file order, worked
// out as their points are read: a second pass over the points would cost
// Load a seventh of its time.
func decode(data []byte) (*Data, []orb.Bound, error) {
	if len(data) < headerSize || string(data[:len(Magic)]) != Magic {
		return nil, nil, errors.New("not basemap data")
	}
	if v := data[len(Magic)]; v != Version {
		return nil, nil, fmt.Errorf("basemap version %d, want %d", v, Version)
	}
	var h [8]float64
	for i := range h {
		h[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[len(Magic)+1+8*i:]))
		if math.IsNaN(h[i]) || math.IsInf(h[i], 0) {
			return nil, nil, fmt.Errorf("header number %d is %v", i+1, h[i])
		}
	}
	d := &Data{
		Coverage: orb.Bound{Min: orb.Point{h[0], h[1]}, Max: orb.Point{h[2], h[3]}},
		Grid:     Grid{KX: h[4], KY: h[5], TX: h[6], TY: h[7]},
	}
	if d.Coverage.Min[0] > d.Coverage.Max[0] || d.Coverage.Min[1] > d.Coverage.Max[1] {
		return nil, nil, fmt.Errorf("coverage %v is empty", d.Coverage)
	}
	if d.Grid.KX <= 0 || d.Grid.KY <= 0 {
		return nil, nil, fmt.Errorf("grid step %v, %v is not positive", d.Grid.KX, d.Grid.KY)
	}
	r := &reader{data: data, off: headerSize, grid: d.Grid}
	// Every point takes at least 2 bytes, so this slab holds all points in
	// one allocation (bar some of those closing rings).
	r.slab = make([]orb.Point, 0, (len(data)-headerSize)/2)
	var bounds []orb.Bound
	n, err := r.count("countries", 1)
	if err != nil {
		return nil, nil, err
	}
	d.Countries = make([]Country, n)
	for i := range d.Countries {
		c := &d.Countries[i]
		if c.Name, err = r.name(); err != nil {
			return nil, nil, fmt.Errorf("country %d: %w", i, err)
		}
		np, err := r.count("polygons", 1)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		c.Polygons = make(orb.MultiPolygon, np)
		for j := range c.Polygons {
			nr, err := r.count("rings", 1)
			if err != nil {
				return nil, nil, fmt.Errorf("%s polygon %d: %w", c.Name, j, err)
			}
			if nr == 0 {
				return nil, nil, fmt.Errorf("%s polygon %d: no rings", c.Name, j)
			}
			p := make(orb.Polygon, nr)
			for k := range p {
				ps, b, err := r.points(3, true)
				if err != nil {
					return nil, nil, fmt.Errorf("%s polygon %d ring %d: %w", c.Name, j, k, err)
				}
				p[k] = orb.Ring(ps)
				if k == 0 {
					bounds = append(bounds, b)
				}
			}
			c.Polygons[j] = p
		}
	}
	if n, err = r.count("borders", 1); err != nil {
		return nil, nil, err
	}
	d.Borders = make(orb.MultiLineString, n)
	for i := range d.Borders {
		ps, b, err := r.points(2, false)
		if err != nil {
			return nil, nil, fmt.Errorf("border %d: %w", i, err)
		}
		d.Borders[i] = orb.LineString(ps)
		bounds = append(bounds, b)
	}
	if r.off != len(data) {
		return nil, nil, fmt.Errorf("%d bytes after the borders", len(data)-r.off)
	}
	return d, bounds, nil
}

// reader reads the uncompressed form from data[off:]; x, y is the last
// point read, on the grid; points are cut from slab.
type reader struct {
	data []byte
	off  int
	grid Grid
	x, y int64
	slab []orb.Point
}

// count reads a count of items that take at least size bytes each, so a
// corrupt count cannot ask for more memory than the data could fill.
func (r *reader) count(what string, size int) (int, error) {
	v, n := binary.Uvarint(r.data[r.off:])
	if n <= 0 {
		return 0, fmt.Errorf("%s: bad count at byte %d", what, r.off)
	}
	r.off += n
	if v > uint64((len(r.data)-r.off)/size) {
		return 0, fmt.Errorf("%s: count %d at byte %d is more than the data holds", what, v, r.off-n)
	}
	return int(v), nil
}

func (r *reader) name() (string, error) {
	n, err := r.count("name", 1)
	if err != nil {
		return "", err
	}
	s := r.data[r.off : r.off+n]
	if !utf8.Valid(s) {
		return "", fmt.Errorf("name at byte %d is not UTF-8", r.off)
	}
	r.off += n
	return string(s), nil
}

func (r *reader) uvarint() (uint64, error) {
	v, n := binary.Uvarint(r.data[r.off:])
	if n <= 0 {
		return 0, fmt.Errorf("bad number at byte %d", r.off)
	}
	r.off += n
	return v, nil
}

func (r *reader) varint() (int64, error) {
	v, n := binary.Varint(r.data[r.off:])
	if n <= 0 {
		return 0, fmt.Errorf("bad number at byte %d", r.off)
	}
	r.off += n
	return v, nil
}

// points reads a run of at least least points, closing it when ring, and
// returns it with its bound.
func (r *reader) points(least int, ring bool) ([]orb.Point, orb.Bound, error) {
	n, err := r.count("points", 2)
	if err != nil {
		return nil, orb.Bound{}, err
	}
	if n < least {
		return nil, orb.Bound{}, fmt.Errorf("%d points, want at least %d", n, least)
	}
	want := n
	if ring {
		want++
	}
	if cap(r.slab)-len(r.slab) < want {
		// the points closing rings can overrun the slab a little
		r.slab = make([]orb.Point, 0, max(want, 1024))
	}
	start := len(r.slab)
	r.slab = r.slab[:start+n]
	ps := r.slab[start : start+n : start+want]
	var b orb.Bound
	for i := range ps {
		dx, err := r.varint()
		if err != nil {
			return nil, orb.Bound{}, err
		}
		dy, err := r.varint()
		if err != nil {
			return nil, orb.Bound{}, err
		}
		r.x += dx
		r.y += dy
		p := orb.Point{r.grid.TX + r.grid.KX*float64(r.x), r.grid.TY + r.grid.KY*float64(r.y)}
		// a hair of slack: grid origins and steps are rounded decimals
		if !(p[0] >= -180.001 && p[0] <= 180.001 && p[1] >= -90.001 && p[1] <= 90.001) {
			return nil, orb.Bound{}, fmt.Errorf("point %v at byte %d is off the world", p, r.off)
		}
		ps[i] = p
		if i == 0 {
			b = orb.Bound{Min: p, Max: p}
		} else {
			b.Min[0], b.Min[1] = min(b.Min[0], p[0]), min(b.Min[1], p[1])
			b.Max[0], b.Max[1] = max(b.Max[0], p[0]), max(b.Max[1], p[1])
		}
	}
	if ring {
		ps = append(ps, ps[0])
		r.slab = r.slab[:start+want]
	}
	return ps, b, nil
}
