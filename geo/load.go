package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// DecodeSites reads a GeoJSON FeatureCollection of sites. Every site needs a
// Point, a slug id, a name and a country.
func DecodeSites(data []byte) ([]Site, error) {
	if len(data) > MaxDataBytes {
		return nil, fmt.Errorf("sites: %d bytes, at most %d", len(data), MaxDataBytes)
	}
	var sites []Site
	seen := map[string]bool{}
	err := decodeCollection(data, func(i int, f *featureJSON) error {
		fail := func(field string, err error) error {
			id, _ := featureID(f.ID)
			return &FeatureError{Index: i, ID: id, Field: field, Err: err}
		}
		if f.Type != "Feature" {
			return fail("type", fmt.Errorf("want \"Feature\", got %q", f.Type))
		}
		id, err := featureID(f.ID)
		if err != nil {
			return fail("id", err)
		}
		if !ValidID(id) {
			return fail("id", errors.New("want a slug of a-z, 0-9 and -"))
		}
		if seen[id] {
			return fail("id", errors.New("duplicate"))
		}
		seen[id] = true
		loc, err := decodePoint(f.Geometry)
		if err != nil {
			return fail("geometry", err)
		}
		if loc == nil {
			return fail("geometry", errors.New("a site needs a Point"))
		}
		var p siteProps
		if field, err := decodeProperties(f.Properties, &p); err != nil {
			return fail(field, err)
		}
		switch {
		case strings.TrimSpace(p.Name) == "":
			return fail("properties.name", errors.New("missing"))
		case !ValidCountry(p.Country):
			return fail("properties.country", fmt.Errorf("want an ISO 3166-1 alpha-2 code, got %q", p.Country))
		}
		if err := checkText(p.Name, MaxShortText); err != nil {
			return fail("properties.name", err)
		}
		sites = append(sites, Site{
			ID: id, Name: p.Name, NameAR: p.NameAR, Kind: p.Kind,
			Admin1: p.Admin1, Country: p.Country, Location: *loc, Sources: p.Sources,
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sites: %w", err)
	}
	return sites, nil
}

// DecodeIncidents reads a GeoJSON FeatureCollection of incidents and checks
// each against the data model: a slug id used once, an RFC 3339 time, known
// precisions, a site from sites (or null), a geometry that is a Point or
// null (null exactly when geo_precision is unknown), at least one source
// with a quote, and related ids that exist. The error names the feature
// (index and id) and the field.
func DecodeIncidents(data []byte, sites map[string]*Site) ([]Incident, error) {
	if len(data) > MaxDataBytes {
		return nil, fmt.Errorf("incidents: %d bytes, at most %d", len(data), MaxDataBytes)
	}
	incidents, index, err := decodeIncidentsFast(data, sites)
	if err != nil {
		// The one-pass decoder cannot say which feature a JSON error is
		// in; the feature-by-feature one can.
		if slowErr := decodeIncidentsSlow(data, sites); slowErr != nil {
			err = slowErr
		}
		return nil, fmt.Errorf("incidents: %w", err)
	}
	for i := range incidents {
		in := &incidents[i]
		if err := checkCount(len(in.Related), MaxRelated); err != nil {
			return nil, fmt.Errorf("incidents: %w", &FeatureError{Index: i, ID: in.ID, Field: "properties.related", Err: err})
		}
		seen := map[string]bool{}
		for _, r := range in.Related {
			var err error
			switch _, ok := index[r]; {
			case r == in.ID:
				err = errors.New("an incident cannot be related to itself")
			case !ok:
				err = fmt.Errorf("no incident has id %q", r)
			case seen[r]:
				err = fmt.Errorf("%q listed twice", r)
			}
			if err != nil {
				return nil, fmt.Errorf("incidents: %w", &FeatureError{Index: i, ID: in.ID, Field: "properties.related", Err: err})
			}
			seen[r] = true
		}
	}
	return incidents, nil
}

// incidentFeatureJSON is an incident Feature decoded in one pass.
type incidentFeatureJSON struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   *pointJSON      `json:"geometry"`
	Properties incidentProps   `json:"properties"`
	BBox       json.RawMessage `json:"bbox,omitempty"`
}

// decodeIncidentsFast decodes the whole collection in one strict pass,
// then checks each feature: the path a valid data set takes, three times
// faster than decoding feature by feature.
func decodeIncidentsFast(data []byte, sites map[string]*Site) ([]Incident, map[string]int, error) {
	var fc struct {
		Type     string                `json:"type"`
		Features []incidentFeatureJSON `json:"features"`
		Name     json.RawMessage       `json:"name,omitempty"`
		BBox     json.RawMessage       `json:"bbox,omitempty"`
	}
	if err := strictUnmarshal(data, &fc); err != nil {
		return nil, nil, err
	}
	if fc.Type != "FeatureCollection" {
		return nil, nil, fmt.Errorf("type: want \"FeatureCollection\", got %q", fc.Type)
	}
	incidents := make([]Incident, len(fc.Features))
	index := make(map[string]int, len(fc.Features))
	for i := range fc.Features {
		f := &fc.Features[i]
		in, err := newIncident(i, f.Type, f.ID, f.Geometry, &f.Properties, sites)
		if err != nil {
			return nil, nil, err
		}
		if _, dup := index[in.ID]; dup {
			return nil, nil, &FeatureError{Index: i, ID: in.ID, Field: "id", Err: errors.New("duplicate")}
		}
		index[in.ID] = i
		incidents[i] = in
	}
	return incidents, index, nil
}

// decodeIncidentsSlow decodes feature by feature, only to find and name
// the first problem.
func decodeIncidentsSlow(data []byte, sites map[string]*Site) error {
	seen := map[string]bool{}
	return decodeCollection(data, func(i int, f *featureJSON) error {
		id, _ := featureID(f.ID)
		var g *pointJSON
		if len(f.Geometry) > 0 && string(f.Geometry) != "null" {
			g = new(pointJSON)
			if err := strictUnmarshal(f.Geometry, g); err != nil {
				return &FeatureError{Index: i, ID: id, Field: "geometry", Err: err}
			}
		}
		var p incidentProps
		if field, err := decodeProperties(f.Properties, &p); err != nil {
			return &FeatureError{Index: i, ID: id, Field: field, Err: err}
		}
		in, err := newIncident(i, f.Type, f.ID, g, &p, sites)
		if err != nil {
			return err
		}
		if seen[in.ID] {
			return &FeatureError{Index: i, ID: in.ID, Field: "id", Err: errors.New("duplicate")}
		}
		seen[in.ID] = true
		return nil
	})
}

// newIncident checks one decoded feature against the data model.
func newIncident(i int, typ string, rawID json.RawMessage, g *pointJSON, p *incidentProps, sites map[string]*Site) (Incident, error) {
	id, idErr := featureID(rawID)
	fail := func(field string, err error) (Incident, error) {
		return Incident{}, &FeatureError{Index: i, ID: id, Field: field, Err: err}
	}
	if typ != "Feature" {
		return fail("type", fmt.Errorf("want \"Feature\", got %q", typ))
	}
	if idErr != nil {
		return fail("id", idErr)
	}
	if !ValidID(id) {
		return fail("id", errors.New("want a slug of a-z, 0-9 and -"))
	}
	loc, err := checkPoint(g)
	if err != nil {
		return fail("geometry", err)
	}
	if p.DistanceM != nil {
		return fail("properties.distance_m", errors.New("computed by queries, not stored"))
	}
	if strings.TrimSpace(p.Title) == "" {
		return fail("properties.title", errors.New("missing"))
	}
	if field, err := checkTexts(
		textField{"properties.title", p.Title, MaxShortText},
		textField{"properties.place", p.Place, MaxShortText},
		textField{"properties.place_ar", p.PlaceAR, MaxShortText},
		textField{"properties.admin1", p.Admin1, MaxShortText},
		textField{"properties.summary", p.Summary, MaxLongText},
	); err != nil {
		return fail(field, err)
	}
	if err := checkCount(len(p.Actors), MaxActors); err != nil {
		return fail("properties.actors", err)
	}
	if err := checkCount(len(p.Sources), MaxSources); err != nil {
		return fail("properties.sources", err)
	}
	at, err := time.Parse(time.RFC3339, p.OccurredAt)
	if err != nil {
		return fail("properties.occurred_at", fmt.Errorf("want RFC 3339, got %q", p.OccurredAt))
	}
	if !p.TimePrecision.Valid() {
		return fail("properties.time_precision", fmt.Errorf("want exact, hour, day or approximate, got %q", p.TimePrecision))
	}
	if !ValidEventType(p.EventType) {
		return fail("properties.event_type", fmt.Errorf("want a lower-case word such as missile_attack, got %q", p.EventType))
	}
	for k, a := range p.Actors {
		field := fmt.Sprintf("properties.actors[%d]", k)
		if strings.TrimSpace(a.Name) == "" {
			return fail(field+".name", errors.New("missing"))
		}
		if err := checkText(a.Name, MaxShortText); err != nil {
			return fail(field+".name", err)
		}
		switch a.Role {
		case RolePerpetrator, RoleClaimant, RoleTarget, RoleResponder:
		default:
			return fail(field+".role", fmt.Errorf("want perpetrator, claimant, target or responder, got %q", a.Role))
		}
	}
	site := ""
	if p.Site != nil {
		if _, ok := sites[*p.Site]; !ok {
			return fail("properties.site", fmt.Errorf("no site has id %q", *p.Site))
		}
		site = *p.Site
	}
	if !ValidCountry(p.Country) {
		return fail("properties.country", fmt.Errorf("want an ISO 3166-1 alpha-2 code, got %q", p.Country))
	}
	if !p.GeoPrecision.Valid() {
		return fail("properties.geo_precision", fmt.Errorf("want exact, near, town, region or unknown, got %q", p.GeoPrecision))
	}
	if (loc == nil) != (p.GeoPrecision == GeoUnknown) {
		return fail("properties.geo_precision", errors.New("must be unknown exactly when geometry is null"))
	}
	if p.Injured != nil && *p.Injured < 0 {
		return fail("properties.injured", errors.New("negative; use null when not reported"))
	}
	if p.Killed != nil && *p.Killed < 0 {
		return fail("properties.killed", errors.New("negative; use null when not reported"))
	}
	if len(p.Sources) == 0 {
		return fail("properties.sources", errors.New("at least one source is required"))
	}
	for k, s := range p.Sources {
		field := fmt.Sprintf("properties.sources[%d]", k)
		switch {
		case strings.TrimSpace(s.Publisher) == "":
			return fail(field+".publisher", errors.New("missing"))
		case strings.TrimSpace(s.Title) == "":
			return fail(field+".title", errors.New("missing"))
		case s.PublishedAt.IsZero():
			return fail(field+".published_at", errors.New("missing"))
		case strings.TrimSpace(s.Quote) == "":
			return fail(field+".quote", errors.New("missing: quote the sentence the fact rests on"))
		}
		if f, err := checkTexts(
			textField{field + ".publisher", s.Publisher, MaxShortText},
			textField{field + ".title", s.Title, MaxShortText},
			textField{field + ".quote", s.Quote, MaxLongText},
		); err != nil {
			return fail(f, err)
		}
		if err := checkSourceURL(s.URL); err != nil {
			return fail(field+".url", err)
		}
	}
	return Incident{
		ID: id, Location: loc, Title: p.Title, OccurredAt: at,
		TimePrecision: p.TimePrecision, EventType: p.EventType, Actors: p.Actors,
		Site: site, Place: p.Place, PlaceAR: p.PlaceAR, Admin1: p.Admin1,
		Country: p.Country, GeoPrecision: p.GeoPrecision,
		Injured: p.Injured, Killed: p.Killed, Summary: p.Summary,
		Sources: p.Sources, Related: p.Related,
	}, nil
}

// decodeProperties decodes a feature's properties strictly into v, a
// pointer to a struct, and on error names the property at fault: the first
// one whose value has the wrong type (encoding/json reports the first
// error in document order, and that is a type error only when no unknown
// property came before it), else the first property, nested ones
// included, that v has no field for, else "properties".
// Only a failed decoding looks further, so valid data pays nothing.
func decodeProperties(raw json.RawMessage, v any) (field string, err error) {
	err = strictUnmarshal(raw, v)
	if err == nil {
		return "", nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return "properties." + te.Field, err
	}
	if name, ok := unknownKey(raw, reflect.TypeOf(v)); ok {
		// Worded as encoding/json words it, as this error read before.
		return "properties." + name, fmt.Errorf("json: unknown field %q", name)
	}
	return "properties", err
}

// unmarshaler is the interface of types that decode themselves.
var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

// unknownKey returns the first object key in raw, depth first in document
// order, that a value of type t has no field for, as encoding/json matches
// them (by json tag or field name, ignoring case). Values that fail to
// parse, and types that decode themselves, have none.
func unknownKey(raw json.RawMessage, t reflect.Type) (string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshaler) {
		return "", false
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return "", false
		}
		for _, item := range items {
			if name, ok := unknownKey(item, t.Elem()); ok {
				return name, true
			}
		}
	case reflect.Struct:
		dec := json.NewDecoder(bytes.NewReader(raw))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return "", false
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return "", false
			}
			key, _ := tok.(string)
			var value json.RawMessage
			if dec.Decode(&value) != nil {
				return "", false
			}
			ft, ok := fieldType(t, key)
			if !ok {
				return key, true
			}
			if name, ok := unknownKey(value, ft); ok {
				return name, true
			}
		}
	}
	return "", false
}

// fieldType is the type of the field of struct t that encoding/json
// decodes key into.
func fieldType(t reflect.Type, key string) (reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		if strings.EqualFold(name, key) {
			return f.Type, true
		}
	}
	return nil, false
}
