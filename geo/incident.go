package geo

import (
	"time"

	"github.com/paulmach/orb"
)

// Incident is one sourced event: an attack, a strike, a gathering. Location
// is nil when the sources give none; such an incident is listed and counted
// but never drawn or matched by a spatial query. An Incident a Dataset
// gives shares its strings, lists and numbers with the data set: they are
// read-only.
type Incident struct {
	ID            string
	Location      *orb.Point // lon, lat; nil when unknown
	Title         string
	OccurredAt    time.Time
	TimePrecision TimePrecision
	EventType     string
	Actors        []Actor
	Site          string // "" when the incident belongs to no known site
	Place         string
	PlaceAR       string
	Admin1        string
	Country       string // ISO 3166-1 alpha-2
	GeoPrecision  GeoPrecision
	Injured       *int // nil: not reported
	Killed        *int // nil: not reported
	Summary       string
	Sources       []Source
	Related       []string

	// pos is the incident's place in its data set, its sort order.
	pos int32
}

// Actor is a party to an incident and the part it played.
type Actor struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// Actor roles.
const (
	RolePerpetrator = "perpetrator"
	RoleClaimant    = "claimant"
	RoleTarget      = "target"
	RoleResponder   = "responder"
)

// Source is where a fact comes from; Quote is the sentence it rests on.
type Source struct {
	Publisher   string    `json:"publisher"`
	Title       string    `json:"title"`
	URL         string    `json:"url,omitempty"`
	PublishedAt time.Time `json:"published_at"`
	Quote       string    `json:"quote"`
}

// TimePrecision says how well OccurredAt is known.
type TimePrecision string

// Time precisions, from best to worst.
const (
	TimeExact       TimePrecision = "exact"
	TimeHour        TimePrecision = "hour"
	TimeDay         TimePrecision = "day"
	TimeApproximate TimePrecision = "approximate"
)

// Window returns the span of time that OccurredAt at this precision stands
// for: the instant itself when exact, the hour or the calendar day (in
// OccurredAt's own zone) that contains it, and six hours either side when
// approximate.
func (p TimePrecision) Window(t time.Time) (start, end time.Time) {
	switch p {
	case TimeHour:
		// By the local clock: Truncate works on absolute time, which is off
		// by half an hour in zones such as Iran's (+03:30).
		y, m, d := t.Date()
		start = time.Date(y, m, d, t.Hour(), 0, 0, 0, t.Location())
		return start, start.Add(time.Hour)
	case TimeDay:
		y, m, d := t.Date()
		start = time.Date(y, m, d, 0, 0, 0, 0, t.Location())
		return start, start.AddDate(0, 0, 1)
	case TimeApproximate:
		return t.Add(-approximateSpan), t.Add(approximateSpan)
	default:
		return t, t
	}
}

// approximateSpan is how far either side of an approximate time the event
// may lie: "afternoon" or "hours later" in a source.
const approximateSpan = 6 * time.Hour

// GeoPrecision says how well Location is known.
type GeoPrecision string

// Geo precisions, from best to worst.
const (
	GeoExact   GeoPrecision = "exact"
	GeoNear    GeoPrecision = "near"
	GeoTown    GeoPrecision = "town"
	GeoRegion  GeoPrecision = "region"
	GeoUnknown GeoPrecision = "unknown"
)

// maxUncertainty is the largest GeoPrecision.Radius: how far an
// uncertainty circle reaches from its incident.
const maxUncertainty = 50_000

// Radius returns the uncertainty radius in metres that the precision stands
// for: 0 for exact, and 0 for unknown, which has no location to draw around.
func (p GeoPrecision) Radius() float64 {
	switch p {
	case GeoNear:
		return 5_000 // a place on a named road or a base's perimeter
	case GeoTown:
		return 10_000 // somewhere in or around a town
	case GeoRegion:
		return maxUncertainty // a province or district
	default:
		return 0
	}
}

// Valid reports whether p is one of the defined time precisions.
func (p TimePrecision) Valid() bool {
	switch p {
	case TimeExact, TimeHour, TimeDay, TimeApproximate:
		return true
	}
	return false
}

// Valid reports whether p is one of the defined geo precisions.
func (p GeoPrecision) Valid() bool {
	switch p {
	case GeoExact, GeoNear, GeoTown, GeoRegion, GeoUnknown:
		return true
	}
	return false
}
