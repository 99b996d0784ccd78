package tiles

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/simplify"

	"github.com/incidentmap/incidentmap/geo"
)

// gzipWriters keeps the gzip writers of MVT for the next tile: each
// holds about a megabyte of compressor state, which a tile drawn anew
// after every batch of writes allocated again.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level: no error
	return zw
}}

// MVT tile geometry.
const (
	// Extent is the MVT extent: tile coordinates run 0..4096.
	Extent = 4096
	// Buffer is how far beyond the tile edge geometry is kept, in tile
	// units: 1/16 of the tile, so point symbols up to 16 px across at
	// 256 px tiles are drawn whole on both tiles they straddle.
	Buffer = 256
)

// MVTBuffer is the MVT tile bound grown by Buffer, in tile coordinates.
var mvtClip = orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}

// labelLimit is how many features a tile may hold before their labels
// (title, place) are left out: beyond it no client can label them, and
// unique strings for each would make the tile several megabytes.
const labelLimit = 1000

// MVT encodes the overlay features on tile t as a gzip-compressed Mapbox
// Vector Tile (version 2) with one layer named layer. Geometry is
// projected to the tile, clipped to its buffer, simplified to a tile unit,
// and rid of what clips or simplifies away; polygon rings wind as the MVT
// 2.1 spec asks (exteriors positive in tile coordinates, holes negative).
// Every feature with an id carries FeatureID's number as its MVT id.
// It returns nil when no feature is on the tile. Features may be the
// caller's: their geometry is copied, not changed.
func MVT(layer string, fs []geo.Feature, t maptile.Tile) ([]byte, error) {
	fc := geojson.NewFeatureCollection()
	labels := len(fs) <= labelLimit
	for i := range fs {
		f := &fs[i]
		if f.Geometry == nil {
			continue
		}
		gf := geojson.NewFeature(orb.Clone(f.Geometry))
		if id, ok := FeatureID(f); ok {
			gf.ID = id // the encoder writes an unsigned integer as the feature id
		}
		gf.Properties = tileProperties(f, labels)
		fc.Append(gf)
	}
	l := mvt.NewLayer(layer, fc)
	l.Version = 2
	l.Extent = Extent
	l.ProjectToTile(t)
	l.Clip(mvtClip)
	l.Simplify(simplify.DouglasPeucker(1))
	l.RemoveEmpty(1, 1)
	if len(l.Features) == 0 {
		return nil, nil
	}
	for _, f := range l.Features {
		f.Geometry = windForMVT(f.Geometry)
	}
	raw, err := mvt.Marshal(mvt.Layers{l})
	if err != nil {
		return nil, fmt.Errorf("encode mvt %s %d/%d/%d: %w", layer, t.Z, t.X, t.Y, err)
	}
	// BestSpeed: a third of the default's time for a few per cent more
	// bytes. The gzip header carries no time, so the bytes are the same on
	// every replica.
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer func() {
		zw.Reset(io.Discard) // kept, it holds no tile
		gzipWriters.Put(zw)
	}()
	zw.Reset(&buf)
	_, err = zw.Write(raw)
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("gzip mvt %s %d/%d/%d: %w", layer, t.Z, t.X, t.Y, err)
	}
	return buf.Bytes(), nil
}

// tileProperties are what a client needs to style and label a feature:
// flat values only, as MVT has no nested ones. Without labels, an
// incident's title and place are left out.
func tileProperties(f *geo.Feature, labels bool) geojson.Properties {
	if in := f.Incident; in != nil {
		p := geojson.Properties{
			"id": in.ID, "kind": "incident", "event_type": in.EventType,
			"occurred_at":    in.OccurredAt.Format("2006-01-02T15:04:05Z07:00"),
			"time_precision": string(in.TimePrecision), "geo_precision": string(in.GeoPrecision),
			"site": in.Site,
		}
		if labels {
			p["title"], p["place"] = in.Title, in.Place
		}
		if in.Injured != nil {
			p["injured"] = *in.Injured
		}
		if in.Killed != nil {
			p["killed"] = *in.Killed
		}
		return p
	}
	p := geojson.Properties{"id": f.ID}
	for k, v := range f.Properties {
		switch v.(type) {
		case string, float64, int, bool:
			p[k] = v
		}
	}
	return p
}

// MVTFields describes the properties MVT writes on features, name to
// "Type: meaning", for clients to style and label by (TileJSON's
// vector_layers fields). A test fails if MVT writes one not described here.
func MVTFields() map[string]string {
	return map[string]string{
		"id":             "String: incident or feature id",
		"kind":           "String: incident, cluster, site, ring, link or uncertainty",
		"title":          "String: the incident's title",
		"event_type":     "String: missile_attack, airstrike, ...",
		"occurred_at":    "String: RFC 3339 time",
		"time_precision": "String: exact, hour, day or approximate",
		"geo_precision":  "String: exact, near, town, region",
		"site":           "String: site id",
		"place":          "String: place name",
		"injured":        "Number: injured, when reported",
		"killed":         "Number: killed, when reported",
		"name":           "String: site name (sites, rings)",
		"name_ar":        "String: site name in Arabic",
		"site_kind":      "String: what a site is, e.g. air_base",
		"admin1":         "String: a site's province or governorate",
		"country":        "String: a site's ISO 3166-1 alpha-2 country",
		"radius_km":      "Number: ring radius",
		"label":          "String: ring label, e.g. 50 km from Ain Al Asad",
		"from":           "String: id of a link's earlier incident",
		"to":             "String: id of a link's later incident",
		"from_title":     "String: title of a link's earlier incident",
		"to_title":       "String: title of a link's later incident",
		"distance_km":    "Number: link length",
		"incident":       "String: id of the incident an uncertainty circle is around",
		"radius_m":       "Number: uncertainty radius",
		// Clusters (cluster.go): where incidents are dense, one point stands
		// for a cell of them.
		"point_count":             "Number: incidents a cluster stands for",
		"point_count_abbreviated": "String: the same, as a marker shows it: 950, 1.2k, 35k",
		"first_at":                "String: RFC 3339 time of a cluster's earliest incident",
		"last_at":                 "String: RFC 3339 time of a cluster's latest incident",
		"event_types":             "String: a cluster's event types, sorted, comma-joined; +N for more than three",
		"cluster_id":              "Number: a cluster's numeric id, as the feature id",
	}
}

// windForMVT orients polygon rings for MVT: in tile coordinates (y down)
// an exterior ring has positive area by the surveyor's formula, which orb
// calls counter-clockwise; holes the opposite.
func windForMVT(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Polygon:
		windPolygon(g)
	case orb.MultiPolygon:
		for _, p := range g {
			windPolygon(p)
		}
	}
	return g
}

func windPolygon(p orb.Polygon) {
	for i, r := range p {
		want := orb.CCW
		if i > 0 {
			want = orb.CW
		}
		if r.Orientation() != want {
			r.Reverse()
		}
	}
}
