package geo

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// GeoJSONFeature is a value that writes itself as a GeoJSON Feature, as
// AppendFeatureCollection writes them; Feature and Match are.
type GeoJSONFeature interface {
	AppendGeoJSON(buf []byte) ([]byte, error)
}

// AppendGeoJSON appends the feature as a GeoJSON Feature: an incident with
// all its properties, anything else with its own.
func (f Feature) AppendGeoJSON(buf []byte) ([]byte, error) {
	return f.AppendGeoJSONWith(buf, nil)
}

// AppendGeoJSONWith appends the feature as AppendGeoJSON does, with the
// members of members (a value encoding/json writes as an object, such as
// a struct of links; nil for none) as foreign members after its
// properties.
func (f Feature) AppendGeoJSONWith(buf []byte, members any) ([]byte, error) {
	if f.Incident != nil {
		return f.Incident.appendGeoJSON(buf, math.NaN(), members)
	}
	geom, err := appendGeometry(nil, f.Geometry)
	if err != nil {
		return buf, fmt.Errorf("feature %q: %w", f.ID, err)
	}
	return appendFeature(buf, f.ID, geom, f.Properties, members)
}

// AppendGeoJSON appends the matched incident as a GeoJSON Feature, with
// its distance_m when the query had a centre.
func (m Match) AppendGeoJSON(buf []byte) ([]byte, error) {
	return m.Incident.AppendGeoJSON(buf, m.DistanceM)
}

// AppendFeatureCollection appends fs as a GeoJSON FeatureCollection with
// the members of members (a value encoding/json writes as an object, such
// as a struct; nil for none) as foreign members before its features. A
// struct's members are written in field order, a map's in sorted key
// order, so the bytes are the same on every replica.
func AppendFeatureCollection[F GeoJSONFeature](buf []byte, fs []F, members any) ([]byte, error) {
	buf = append(buf, `{"type":"FeatureCollection"`...)
	buf, err := appendMembers(buf, members)
	if err != nil {
		return buf, fmt.Errorf("encode collection members: %w", err)
	}
	buf = append(buf, `,"features":[`...)
	for i := range fs {
		if i > 0 {
			buf = append(buf, ',')
		}
		if buf, err = fs[i].AppendGeoJSON(buf); err != nil {
			return buf, err
		}
	}
	return append(buf, "]}"...), nil
}

// appendMembers appends the members of members' JSON object, each after
// a comma, for an object already open: the foreign members of a Feature
// or a FeatureCollection. Nil, null and {} append nothing.
func appendMembers(buf []byte, members any) ([]byte, error) {
	if members == nil {
		return buf, nil
	}
	m, err := json.Marshal(members)
	if err != nil {
		return buf, err
	}
	switch {
	case string(m) == "null" || string(m) == "{}":
		return buf, nil
	case m[0] != '{':
		return buf, fmt.Errorf("members: %T is not written as a JSON object", members)
	}
	buf = append(buf, ',')
	return append(buf, m[1:len(m)-1]...), nil
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
