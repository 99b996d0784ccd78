package geo

import (
	"fmt"
	"math"
	"strconv"

	"github.com/incidentmap/incidentmap/geo/jsonstr"
)

// An incident's properties are written by hand, not by encoding/json:
// its reflection was a third of a radius query's CPU at 100,000
// incidents (a page of a hundred features), and every query beside
// writes is drawn anew. The bytes are encoding/json's own, byte for byte
// (HTML-safe escapes, U+FFFD for bad UTF-8, its float format):
// FuzzIncidentPropsJSON compares the two.

// appendJSON appends p as json.Marshal writes it.
func (p *incidentProps) appendJSON(b []byte) ([]byte, error) {
	b = appendMember(b, '{', "title")
	b = appendJSONString(b, p.Title)
	b = appendMember(b, ',', "occurred_at")
	b = appendJSONString(b, p.OccurredAt)
	b = appendMember(b, ',', "time_precision")
	b = appendJSONString(b, string(p.TimePrecision))
	b = appendMember(b, ',', "event_type")
	b = appendJSONString(b, p.EventType)
	b = appendMember(b, ',', "actors")
	b, _ = appendJSONArray(b, p.Actors, func(b []byte, a Actor) ([]byte, error) {
		b = appendMember(b, '{', "name")
		b = appendJSONString(b, a.Name)
		b = appendMember(b, ',', "role")
		return append(appendJSONString(b, a.Role), '}'), nil
	})
	b = appendMember(b, ',', "site")
	if p.Site == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *p.Site)
	}
	for _, f := range [...]struct{ name, value string }{
		{"place", p.Place}, {"place_ar", p.PlaceAR}, {"admin1", p.Admin1},
		{"country", p.Country}, {"geo_precision", string(p.GeoPrecision)},
	} {
		b = appendMember(b, ',', f.name)
		b = appendJSONString(b, f.value)
	}
	b = appendMember(b, ',', "injured")
	b = appendIntOrNull(b, p.Injured)
	b = appendMember(b, ',', "killed")
	b = appendIntOrNull(b, p.Killed)
	b = appendMember(b, ',', "summary")
	b = appendJSONString(b, p.Summary)
	b = appendMember(b, ',', "sources")
	b, err := appendJSONArray(b, p.Sources, func(b []byte, s Source) ([]byte, error) {
		b = appendMember(b, '{', "publisher")
		b = appendJSONString(b, s.Publisher)
		b = appendMember(b, ',', "title")
		b = appendJSONString(b, s.Title)
		if s.URL != "" {
			b = appendMember(b, ',', "url")
			b = appendJSONString(b, s.URL)
		}
		b = appendMember(b, ',', "published_at")
		t, err := s.PublishedAt.MarshalJSON()
		if err != nil {
			return b, fmt.Errorf("published_at: %w", err)
		}
		b = appendMember(append(b, t...), ',', "quote")
		return append(appendJSONString(b, s.Quote), '}'), nil
	})
	if err != nil {
		return b, err
	}
	b = appendMember(b, ',', "related")
	b, _ = appendJSONArray(b, p.Related, func(b []byte, id string) ([]byte, error) {
		return appendJSONString(b, id), nil
	})
	if p.DistanceM != nil {
		b = appendMember(b, ',', "distance_m")
		if b, err = appendJSONFloat(b, *p.DistanceM); err != nil {
			return b, fmt.Errorf("distance_m: %w", err)
		}
	}
	return append(b, '}'), nil
}

// appendJSONArray appends xs as a JSON array, each element by appendOne,
// or null for a nil slice, as encoding/json does.
func appendJSONArray[T any](b []byte, xs []T, appendOne func([]byte, T) ([]byte, error)) ([]byte, error) {
	if xs == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendOne(b, x); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// appendMember appends sep and the member name (plain ASCII) and its colon.
func appendMember(b []byte, sep byte, name string) []byte {
	b = append(b, sep, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func appendIntOrNull(b []byte, n *int) []byte {
	if n == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(*n), 10)
}

// appendJSONFloat appends f as encoding/json writes a float64: plain
// decimals between 1e-6 and 1e21, an exponent without leading zeros
// outside; NaN and the infinities are not JSON.
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("%v is not a JSON number", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 → e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendJSONString appends s quoted as encoding/json quotes it.
func appendJSONString(b []byte, s string) []byte { return jsonstr.Append(b, s, jsonstr.JSON) }
