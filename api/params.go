package api

import (
	"errors"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
)

// Query strings are parsed here, into typed values, before any data is
// touched. Every error is a *Problem naming the parameter.

// Limits on what a request may ask for.
type Limits struct {
	DefaultLimit int     // items per page when limit is not given
	MaxLimit     int     // a larger limit is clamped to this
	MaxRadius    float64 // metres
}

// DefaultLimits are the limits a Config gets when it sets none.
var DefaultLimits = Limits{DefaultLimit: 100, MaxLimit: 10_000, MaxRadius: 2_000_000}

// itemsRequest is a parsed /items query.
type itemsRequest struct {
	query   geo.Query
	located located
	format  string // "geojson", "csv" or "kml"
}

// located is the items filter on whether an incident has a location.
type located int

const (
	locatedAny located = iota // no condition
	locatedYes                // located=true: drawn on a map
	locatedNo                 // located=false: listed, never drawn
)

// itemsParams are the parameters /collections/incidents/items accepts;
// the OpenAPI document declares the same list.
var itemsParams = []string{"bbox", "datetime", "lat", "lon", "radius", "event_type", "site", "country", "located", "q", "sortby", "limit", "offset", "f"}

// sitesItemsParams are those /collections/sites/items accepts.
var sitesItemsParams = []string{"bbox", "limit", "offset", "f"}

// parseItems parses the query of an incidents /items request, whose
// names and format its route has checked (see query): it leaves the
// format to the caller.
func parseItems(v url.Values, lim Limits, knownSite func(string) bool) (itemsRequest, error) {
	var r itemsRequest
	var err error
	if r.query.BBox, err = parseBBox(v.Get("bbox")); err != nil {
		return r, err
	}
	if r.query.Time, err = parseDatetime("datetime", v.Get("datetime")); err != nil {
		return r, err
	}
	if r.query.Near, err = parseRadius(v, lim.MaxRadius); err != nil {
		return r, err
	}
	if r.query.EventTypes, err = parseList("event_type", v.Get("event_type"), geo.ValidEventType, "a lower-case word such as missile_attack"); err != nil {
		return r, err
	}
	if r.query.Sites, err = parseList("site", v.Get("site"), geo.ValidID, "a site id such as al-asad"); err != nil {
		return r, err
	}
	for _, s := range r.query.Sites {
		if !knownSite(s) {
			return r, badParam("site", "no site has id %q; /api/collections/sites/items lists them", s)
		}
	}
	if r.query.Countries, err = parseList("country", v.Get("country"), geo.ValidCountry, "an ISO 3166-1 alpha-2 code such as IQ"); err != nil {
		return r, err
	}
	if r.query.Words, err = geo.SearchWords(v.Get("q")); err != nil {
		return r, badParam("q", "%v", err)
	}
	switch sb := v.Get("sortby"); sb {
	case "", "occurred_at", "+occurred_at":
	case "-occurred_at":
		r.query.Newest = true
	default:
		return r, badParam("sortby", "want occurred_at (oldest first, the default) or -occurred_at (newest first), got %q", sb)
	}
	if v.Get("sortby") != "" && r.query.Near != nil {
		return r, badParam("sortby", "a radius query is sorted by distance; leave sortby out")
	}
	switch l := v.Get("located"); l {
	case "":
	case "true":
		r.located = locatedYes
	case "false":
		r.located = locatedNo
	default:
		return r, badParam("located", "want true or false, got %q", l)
	}
	r.query.Limit, r.query.Offset, err = parsePage(v, lim)
	return r, err
}

// checkParams rejects parameters not in allowed and parameters given more
// than once: silently ignoring either would give a wrong answer.
func checkParams(v url.Values, allowed []string) error {
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names) // report the same problem for the same request
	for _, name := range names {
		if name == "" {
			return badParam("query", "a parameter with no name (a stray \"=\" or \"&\")")
		}
		if !slices.Contains(allowed, name) {
			if len(allowed) == 0 {
				return badParam(name, "unknown parameter; this endpoint takes none")
			}
			return badParam(name, "unknown parameter; this endpoint takes %s", strings.Join(allowed, ", "))
		}
		if len(v[name]) > 1 {
			return badParam(name, "given %d times; give it once", len(v[name]))
		}
	}
	return nil
}

// parseFloat reads a finite number.
func parseFloat(param, s string) (float64, error) {
	f, err := geo.ParseFloat(s)
	if err != nil {
		return 0, badParam(param, "%v", err)
	}
	return f, nil
}

func checkLon(param string, lon float64) error {
	if err := geo.CheckLon(lon); err != nil {
		return badParam(param, "%v", err)
	}
	return nil
}

func checkLat(param string, lat float64) error {
	if err := geo.CheckLat(lat); err != nil {
		return badParam(param, "%v", err)
	}
	return nil
}

// parseBBox reads a bbox as geo.ParseBound does. An empty string is no
// bbox.
func parseBBox(s string) (*orb.Bound, error) {
	if s == "" {
		return nil, nil
	}
	b, err := geo.ParseBound(s)
	if err != nil {
		return nil, badParam("bbox", "%v", err)
	}
	return &b, nil
}

// parseDatetime reads an instant or an interval "start/end" where either
// end may be ".." or empty (open). A date without a time stands for the
// whole UTC day. An empty string is no condition.
func parseDatetime(param, s string) (geo.Interval, error) {
	if s == "" {
		return geo.Interval{}, nil
	}
	start, end, isInterval := strings.Cut(s, "/")
	if !isInterval {
		from, to, err := parseInstant(param, s)
		if from.Equal(to) {
			from = closedEnd(from)
		}
		return geo.Interval{Start: from, End: closedEnd(to)}, err
	}
	if strings.Contains(end, "/") {
		return geo.Interval{}, badParam(param, "want an instant or start/end, got %q", s)
	}
	var iv geo.Interval
	var err error
	if start != ".." && start != "" {
		if iv.Start, _, err = parseInstant(param, start); err != nil {
			return iv, err
		}
	}
	if end != ".." && end != "" {
		if _, iv.End, err = parseInstant(param, end); err != nil {
			return iv, err
		}
		iv.End = closedEnd(iv.End)
	}
	if !iv.Start.IsZero() && !iv.End.IsZero() && iv.Start.After(iv.End) {
		return iv, badParam(param, "start %s is after end %s", start, end)
	}
	return iv, nil
}

// closedEnd keeps an explicit end that happens to be Go's zero time
// (0001-01-01T00:00:00Z) from reading as an open end in geo.Interval: a
// nanosecond earlier is as closed, and no incident is lost by it.
func closedEnd(t time.Time) time.Time {
	if t.IsZero() {
		return t.Add(-time.Nanosecond)
	}
	return t
}

// parseInstant reads an RFC 3339 time, or a date, and returns the span it
// stands for: the instant itself, or the whole UTC day.
func parseInstant(param, s string) (from, to time.Time, err error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t = t.UTC() // the instant, not the offset it was written in
		if y := t.Year(); y < 0 || y > 9999 {
			// An offset can carry 0000-01-01 or 9999-12-31 out of RFC
			// 3339's four-digit years, where it could not be written back.
			return from, to, badParam(param, "%q is outside the years 0000 to 9999 in UTC", s)
		}
		return t, t, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d, d.Add(24*time.Hour - time.Nanosecond), nil
	}
	return from, to, badParam(param, "%q is not an RFC 3339 time (2023-11-21T04:30:00Z) or date (2023-11-21)", s)
}

// parseRadius reads lat, lon and radius (metres), which come together or
// not at all.
func parseRadius(v url.Values, maxRadius float64) (*geo.Radius, error) {
	given := 0
	for _, p := range []string{"lat", "lon", "radius"} {
		if v.Has(p) {
			given++
		}
	}
	if given == 0 {
		return nil, nil
	}
	for _, p := range []string{"lat", "lon", "radius"} {
		if !v.Has(p) {
			return nil, badParam(p, "missing; a radius query needs lat, lon and radius together")
		}
	}
	lat, err := parseFloat("lat", v.Get("lat"))
	if err != nil {
		return nil, err
	}
	if err := checkLat("lat", lat); err != nil {
		return nil, err
	}
	lon, err := parseFloat("lon", v.Get("lon"))
	if err != nil {
		return nil, err
	}
	if err := checkLon("lon", lon); err != nil {
		return nil, err
	}
	r, err := parseFloat("radius", v.Get("radius"))
	if err != nil {
		return nil, err
	}
	if r <= 0 || r > maxRadius {
		return nil, badParam("radius", "%v metres is outside (0, %v]", r, maxRadius)
	}
	return &geo.Radius{Center: orb.Point{lon, lat}, Metres: r}, nil
}

// parseList reads a comma-separated list of values that must each be
// valid (described by want), sorted and without repeats.
func parseList(param, s string, valid func(string) bool, want string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var list []string
	for _, item := range strings.Split(s, ",") {
		if !valid(item) {
			return nil, badParam(param, "%q is not %s", item, want)
		}
		list = append(list, item)
	}
	// The lists are sets: sorted, once each, one list means one query.
	slices.Sort(list)
	return slices.Compact(list), nil
}

// parsePage reads limit (clamped to lim.MaxLimit) and offset.
func parsePage(v url.Values, lim Limits) (limit, offset int, err error) {
	limit = lim.DefaultLimit
	if s := v.Get("limit"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		switch {
		case errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(s, "-"):
			n = math.MaxInt64 // too large is still a limit, and is clamped
		case errors.Is(err, strconv.ErrRange):
			return 0, 0, badParam("limit", "%q is less than 1", s)
		case err != nil:
			return 0, 0, badParam("limit", "%q is not a whole number", s)
		case n < 1:
			return 0, 0, badParam("limit", "%d is less than 1", n)
		}
		limit = int(min(n, int64(lim.MaxLimit)))
	}
	if s := v.Get("offset"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		switch {
		case errors.Is(err, strconv.ErrRange):
			return 0, 0, badParam("offset", "%q is out of range", s)
		case err != nil:
			return 0, 0, badParam("offset", "%q is not a whole number", s)
		case n < 0:
			return 0, 0, badParam("offset", "%d is negative", n)
		case n > math.MaxInt32:
			return 0, 0, badParam("offset", "%d is larger than %d", n, math.MaxInt32)
		}
		offset = int(n)
	}
	return limit, offset, nil
}

// parseFormat reads f, which must be one of formats; "json" is taken as
// the first (the JSON form). Empty is the first.
func parseFormat(s string, formats ...string) (string, error) {
	if s == "" || s == "json" {
		return formats[0], nil
	}
	if !slices.Contains(formats, s) {
		return "", badParam("f", "%q is not one of %s", s, strings.Join(formats, ", "))
	}
	return s, nil
}

// parseIntParam reads an optional whole-number parameter within lo..hi.
func parseIntParam(v url.Values, name string, def, lo, hi int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, badParam(name, "want a whole number %d..%d, got %q", lo, hi, s)
	}
	return n, nil
}
