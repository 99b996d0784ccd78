package geo

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// AppendGeoJSON appends the feature as a GeoJSON Feature: an incident with
// all its properties, anything else with its own.
func (f *Feature) AppendGeoJSON(buf []byte) ([]byte, error) {
	if f.Incident != nil {
		return f.Incident.AppendGeoJSON(buf, math.NaN())
	}
	geom, err := appendGeometry(nil, f.Geometry)
	if err != nil {
		return buf, fmt.Errorf("feature %q: %w", f.ID, err)
	}
	return appendFeature(buf, f.ID, geom, f.Properties)
}

// AppendFeatureCollection appends fs as a GeoJSON FeatureCollection whose
// extra top-level members are written from members, in sorted key order.
func AppendFeatureCollection(buf []byte, fs []Feature, members map[string]any) ([]byte, error) {
	buf = append(buf, `{"type":"FeatureCollection"`...)
	if len(members) > 0 {
		m, err := json.Marshal(members)
		if err != nil {
			return buf, fmt.Errorf("encode collection members: %w", err)
		}
		buf = append(buf, ',')
		buf = append(buf, m[1:len(m)-1]...)
	}
	buf = append(buf, `,"features":[`...)
	for i := range fs {
		if i > 0 {
			buf = append(buf, ',')
		}
		var err error
		if buf, err = fs[i].AppendGeoJSON(buf); err != nil {
			return buf, err
		}
	}
	return append(buf, "]}"...), nil
}

// appendGeometry writes the geometries overlays use, or null for nil.
func appendGeometry(buf []byte, g orb.Geometry) ([]byte, error) {
	switch g := g.(type) {
	case nil:
		return append(buf, "null"...), nil
	case orb.Point:
		return appendPoint(buf, &g), nil
	case orb.LineString:
		buf = append(buf, `{"type":"LineString","coordinates":`...)
		buf = appendPoints(buf, g)
		return append(buf, '}'), nil
	case orb.Polygon:
		buf = append(buf, `{"type":"Polygon","coordinates":[`...)
		for i, r := range g {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendPoints(buf, r)
		}
		return append(buf, "]}"...), nil
	}
	return buf, fmt.Errorf("geometry %s: not supported", g.GeoJSONType())
}

func appendPoints(buf []byte, ps []orb.Point) []byte {
	buf = append(buf, '[')
	for i, p := range ps {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '[')
		buf = appendCoord(buf, p[0])
		buf = append(buf, ',')
		buf = appendCoord(buf, p[1])
		buf = append(buf, ']')
	}
	return append(buf, ']')
}
