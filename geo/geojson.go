package geo

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/paulmach/orb"
)

// The wire form of incidents and sites: GeoJSON Features whose properties
// are the fields of DESIGN.md. Decoding (decode.go) is strict: unknown
// properties are an error, so a misspelt field is caught at load time.
// Encoding writes every field, with null for what is not known.

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
	DistanceM     *float64      `json:"distance_m,omitempty"` // written by queries, refused in data
}

// FeatureError is a problem with one feature of a data file: which feature
// (its index in the collection and its id, when it has one) and which field.
type FeatureError struct {
	Index int
	ID    string
	Field string
	Err   error
	// More are the feature's other problems, when its properties were
	// read whole and more than one breaks the data model: what an editor
	// fixes at once. A feature that is not JSON enough to read stops at
	// its first.
	More []FieldProblem
}

// FieldProblem is one field of a feature at fault, and why.
type FieldProblem struct {
	Field string
	Err   error
}

func (e *FeatureError) Error() string {
	id := ""
	if e.ID != "" {
		id = fmt.Sprintf(" (id %q)", e.ID)
	}
	msg := fmt.Sprintf("feature %d%s: %s: %v", e.Index, id, e.Field, e.Err)
	for _, p := range e.More {
		msg += fmt.Sprintf("; %s: %v", p.Field, p.Err)
	}
	return msg
}

func (e *FeatureError) Unwrap() error { return e.Err }

// appendFeature writes one GeoJSON Feature. geometry is the encoded
// geometry (or "null"); props is marshalled with encoding/json, whose struct
// field order keeps the output the same byte for byte on every replica;
// members are foreign members after the properties (see appendMembers).
func appendFeature(buf []byte, id string, geometry []byte, props, members any) ([]byte, error) {
	return appendFeatureWith(buf, id, geometry, func(b []byte) ([]byte, error) {
		p, err := json.Marshal(props)
		return append(b, p...), err
	}, members)
}

// appendFeatureWith is appendFeature with properties that appendProps
// writes.
func appendFeatureWith(buf []byte, id string, geometry []byte, appendProps func([]byte) ([]byte, error), members any) ([]byte, error) {
	buf = append(buf, `{"type":"Feature","id":`...)
	buf = strconv.AppendQuote(buf, id)
	buf = append(buf, `,"geometry":`...)
	buf = append(buf, geometry...)
	buf = append(buf, `,"properties":`...)
	buf, err := appendProps(buf)
	if err != nil {
		return buf, fmt.Errorf("encode properties of %q: %w", id, err)
	}
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
	return appendFeatureWith(buf, in.ID, appendPoint(nil, in.Location), p.appendJSON, members)
}
