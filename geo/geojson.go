package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/paulmach/orb"
)

// The wire form of incidents and sites: GeoJSON Features whose properties
// are the fields of DESIGN.md. Decoding is strict (unknown properties are an
// error, so a misspelt field is caught at load time); encoding writes every
// field, with null for what is not known.

type featureJSON struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
	BBox       json.RawMessage `json:"bbox,omitempty"`
}

type collectionJSON struct {
	Type     string            `json:"type"`
	Features []json.RawMessage `json:"features"`
	Name     json.RawMessage   `json:"name,omitempty"`
	BBox     json.RawMessage   `json:"bbox,omitempty"`
}

type pointJSON struct {
	Type        string    `json:"type"`
	Coordinates []float64 `json:"coordinates"`
}

type incidentProps struct {
	Title         string        `json:"title"`
	OccurredAt    string        `json:"occurred_at"`
	TimePrecision TimePrecision `json:"time_precision"`
	EventType     string        `json:"event_type"`
	Actors        []Actor       `json:"actors"`
	Site          *string       `json:"site"`
	Place         string        `json:"place"`
	PlaceAR       string        `json:"place_ar"`
	Admin1        string        `json:"admin1"`
	Country       string        `json:"country"`
	GeoPrecision  GeoPrecision  `json:"geo_precision"`
	Injured       *int          `json:"injured"`
	Killed        *int          `json:"killed"`
	Summary       string        `json:"summary"`
	Sources       []Source      `json:"sources"`
	Related       []string      `json:"related"`
	DistanceM     *float64      `json:"distance_m,omitempty"`
}

type siteProps struct {
	Name    string   `json:"name"`
	NameAR  string   `json:"name_ar"`
	Kind    string   `json:"kind"`
	Admin1  string   `json:"admin1"`
	Country string   `json:"country"`
	Sources []Source `json:"sources,omitempty"`
}

// FeatureError is a problem with one feature of a data file: which feature
// (its index in the collection and its id, when it has one) and which field.
type FeatureError struct {
	Index int
	ID    string
	Field string
	Err   error
}

func (e *FeatureError) Error() string {
	id := ""
	if e.ID != "" {
		id = fmt.Sprintf(" (id %q)", e.ID)
	}
	return fmt.Sprintf("feature %d%s: %s: %v", e.Index, id, e.Field, e.Err)
}

func (e *FeatureError) Unwrap() error { return e.Err }

// decodeCollection splits a GeoJSON FeatureCollection into its features and
// calls fn for each with its index, id and decoded properties target.
func decodeCollection(data []byte, fn func(i int, f *featureJSON) error) error {
	var fc collectionJSON
	if err := json.Unmarshal(data, &fc); err != nil {
		return fmt.Errorf("not a GeoJSON FeatureCollection: %w", err)
	}
	if fc.Type != "FeatureCollection" {
		return fmt.Errorf("type: want \"FeatureCollection\", got %q", fc.Type)
	}
	for i, raw := range fc.Features {
		var f featureJSON
		if err := strictUnmarshal(raw, &f); err != nil {
			var loose featureJSON // for the id, so the error can name it
			_ = json.Unmarshal(raw, &loose)
			id, _ := featureID(loose.ID)
			return &FeatureError{Index: i, ID: id, Field: "feature", Err: err}
		}
		if err := fn(i, &f); err != nil {
			return err
		}
	}
	return nil
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

// featureID reads a GeoJSON id, which must be a non-empty string here.
func featureID(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", errors.New("missing")
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		return "", errors.New("want a string")
	}
	if id == "" {
		return "", errors.New("empty")
	}
	return id, nil
}

// decodePoint reads a GeoJSON geometry that must be a Point or null.
func decodePoint(raw json.RawMessage) (*orb.Point, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var g pointJSON
	if err := strictUnmarshal(raw, &g); err != nil {
		return nil, err
	}
	return checkPoint(&g)
}

// checkPoint checks a decoded GeoJSON geometry is a Point (nil: null) with
// a longitude and latitude in range.
func checkPoint(g *pointJSON) (*orb.Point, error) {
	if g == nil {
		return nil, nil
	}
	if g.Type != "Point" {
		return nil, fmt.Errorf("want a Point or null, got %q", g.Type)
	}
	if len(g.Coordinates) != 2 && len(g.Coordinates) != 3 {
		return nil, fmt.Errorf("want [lon, lat], got %d numbers", len(g.Coordinates))
	}
	lon, lat := g.Coordinates[0], g.Coordinates[1]
	if math.IsNaN(lon) || lon < -180 || lon > 180 {
		return nil, fmt.Errorf("longitude %v outside [-180, 180]", lon)
	}
	if math.IsNaN(lat) || lat < -90 || lat > 90 {
		return nil, fmt.Errorf("latitude %v outside [-90, 90]", lat)
	}
	return &orb.Point{lon, lat}, nil
}

// appendFeature writes one GeoJSON Feature. geometry is the encoded
// geometry (or "null"); props is marshalled with encoding/json, whose struct
// field order keeps the output the same byte for byte on every replica;
// members are foreign members after the properties (see appendMembers).
func appendFeature(buf []byte, id string, geometry []byte, props, members any) ([]byte, error) {
	p, err := json.Marshal(props)
	if err != nil {
		return buf, fmt.Errorf("encode properties of %q: %w", id, err)
	}
	buf = append(buf, `{"type":"Feature","id":`...)
	buf = strconv.AppendQuote(buf, id)
	buf = append(buf, `,"geometry":`...)
	buf = append(buf, geometry...)
	buf = append(buf, `,"properties":`...)
	buf = append(buf, p...)
	if buf, err = appendMembers(buf, members); err != nil {
		return buf, fmt.Errorf("encode members of %q: %w", id, err)
	}
	return append(buf, '}'), nil
}

// appendPoint writes a GeoJSON Point, or null for a nil point.
func appendPoint(buf []byte, p *orb.Point) []byte {
	if p == nil {
		return append(buf, "null"...)
	}
	buf = append(buf, `{"type":"Point","coordinates":[`...)
	buf = appendCoord(buf, p[0])
	buf = append(buf, ',')
	buf = appendCoord(buf, p[1])
	return append(buf, "]}"...)
}

// appendCoord writes a coordinate with at most 7 decimals (about 1 cm).
func appendCoord(buf []byte, v float64) []byte {
	return strconv.AppendFloat(buf, math.Round(v*1e7)/1e7, 'f', -1, 64)
}

func (in *Incident) props() incidentProps {
	var site *string
	if in.Site != "" {
		site = &in.Site
	}
	actors, related := in.Actors, in.Related
	if actors == nil {
		actors = []Actor{}
	}
	if related == nil {
		related = []string{}
	}
	return incidentProps{
		Title:         in.Title,
		OccurredAt:    in.OccurredAt.Format(time.RFC3339Nano),
		TimePrecision: in.TimePrecision,
		EventType:     in.EventType,
		Actors:        actors,
		Site:          site,
		Place:         in.Place,
		PlaceAR:       in.PlaceAR,
		Admin1:        in.Admin1,
		Country:       in.Country,
		GeoPrecision:  in.GeoPrecision,
		Injured:       in.Injured,
		Killed:        in.Killed,
		Summary:       in.Summary,
		Sources:       in.Sources,
		Related:       related,
	}
}

// AppendGeoJSON appends the incident as a GeoJSON Feature. A distance of
// NaN leaves distance_m out; any other value is written in whole metres.
func (in *Incident) AppendGeoJSON(buf []byte, distanceM float64) ([]byte, error) {
	return in.appendGeoJSON(buf, distanceM, nil)
}

// appendGeoJSON appends the incident as AppendGeoJSON does, with foreign
// members after its properties (see appendMembers).
func (in *Incident) appendGeoJSON(buf []byte, distanceM float64, members any) ([]byte, error) {
	p := in.props()
	if !math.IsNaN(distanceM) {
		d := math.Round(distanceM)
		p.DistanceM = &d
	}
	return appendFeature(buf, in.ID, appendPoint(nil, in.Location), p, members)
}
