package geo

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// featureDecoder reads incident Features with a scanner, checking each
// against the data model as it goes. One decoder serves one goroutine: it
// keeps one copy of each repeated text it has seen (event types, places,
// publishers), and of each list of sources and actors by its JSON bytes,
// so a data set that cites one report a thousand times decodes and holds
// it once.
type featureDecoder struct {
	s       scanner
	sites   map[string]*Site
	texts   map[string]string
	sources map[string][]Source
	actors  map[string][]Actor
	last    []string // the last value of each shared property, by its place in propertyMembers
	zones   map[int]*time.Location
	csv     csvRecord // a row of our CSV, to check one read against
}

func newFeatureDecoder(sites map[string]*Site) *featureDecoder {
	return &featureDecoder{
		sites:   sites,
		texts:   map[string]string{},
		sources: map[string][]Source{},
		actors:  map[string][]Actor{},
		last:    make([]string, len(propertyMembers)),
		zones:   map[int]*time.Location{},
	}
}

// maxSharedTexts bounds a decoder's table of repeated texts, so a file
// of a million distinct places costs no more than its incidents do.
const maxSharedTexts = 1 << 16

// shared returns b as a string, the one copy this decoder holds when it
// has seen b before.
func (d *featureDecoder) shared(b []byte) string {
	if s, ok := d.texts[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.texts) < maxSharedTexts {
		d.texts[s] = s
	}
	return s
}

// sharedField is shared for a property that often repeats from one
// incident to the next (a country, an event type): the last value of
// each is checked first, which is quicker than the table.
func (d *featureDecoder) sharedField(b []byte, field int) string {
	if last := d.last[field]; last == string(b) {
		return last
	}
	d.last[field] = d.shared(b)
	return d.last[field]
}

// The members each object of an incident may have, by name, in the order
// this package writes them: their places in these lists are their bits
// for once.
var (
	featureMembers  = []string{"type", "id", "geometry", "properties", "bbox"}
	pointMembers    = []string{"type", "coordinates", "bbox"}
	propertyMembers = []string{"title", "occurred_at", "time_precision", "event_type", "actors", "site",
		"place", "place_ar", "admin1", "country", "geo_precision", "injured", "killed", "summary",
		"sources", "related", "distance_m"}
	siteMembers   = []string{"name", "name_ar", "kind", "admin1", "country", "sources"}
	sourceMembers = []string{"publisher", "title", "url", "published_at", "quote"}
	actorMembers  = []string{"name", "role"}
)

// keys records the members of one object as they come, to refuse one
// given twice. Members mostly come in the order of names, so it looks
// for each where the last was found first.
type keys struct {
	names []string
	seen  uint64
	next  int
}

// add records key and returns its place in names, -1 for a key not in
// names, which is for the caller to refuse.
func (k *keys) add(key []byte) (int, error) {
	n := len(k.names)
	for i := range n {
		j := (k.next + i) % n
		if k.names[j] == string(key) {
			k.next = j + 1
			return j, once(&k.seen, j, key)
		}
	}
	return -1, nil
}

// fieldError is a problem with one field of the feature being decoded.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

func fieldErr(field string, err error) error {
	if err == nil {
		return nil
	}
	var fe *fieldError
	if errors.As(err, &fe) {
		return err // named already, by the innermost field
	}
	return &fieldError{field, err}
}

// decode reads the feature at index i from raw. Its error is a
// *FeatureError naming the feature and the field.
func (d *featureDecoder) decode(i int, raw []byte) (Incident, error) {
	var in Incident
	var p incidentFields
	id, loc, err := d.feature(i, raw, func() error { return d.properties(&p) })
	if err != nil {
		return Incident{}, err
	}
	in.ID, in.Location = id, loc
	if problems := d.check(&in, &p); len(problems) > 0 {
		return Incident{}, &FeatureError{Index: i, ID: id, Field: problems[0].Field, Err: problems[0].Err, More: problems[1:]}
	}
	return in, nil
}

// feature reads the Feature at index i from raw, its properties with
// props, and returns its id and its Point (nil for a null geometry). Its
// error is a *FeatureError naming the feature and the field.
func (d *featureDecoder) feature(i int, raw []byte, props func() error) (string, *orb.Point, error) {
	var id string
	var typ []byte
	var hasID, located, sawGeometry bool
	var geometry orb.Point
	s := &d.s
	s.reset(raw)
	members := keys{names: featureMembers}
	err := s.object(func(key []byte) error {
		if _, err := members.add(key); err != nil {
			return fieldErr(string(key), err)
		}
		switch string(key) {
		case "type":
			b, err := s.str()
			typ = append(typ[:0], b...)
			return fieldErr("type", err)
		case "id":
			if s.null() {
				return nil
			}
			b, err := s.str()
			if err != nil {
				var te *errType
				if errors.As(err, &te) {
					return fieldErr("id", errors.New("want a string"))
				}
				return err
			}
			id, hasID = string(b), true
			return nil
		case "geometry":
			sawGeometry = true
			var err error
			located, err = d.point(&geometry)
			return fieldErr("geometry", err)
		case "properties":
			return props()
		case "bbox":
			return fieldErr("bbox", s.skip())
		}
		return fieldErr("feature", fmt.Errorf("unknown member %q", key))
	})
	if err == nil {
		err = s.end()
	}
	if err != nil && !hasID {
		id = featureIDIn(raw) // it may come after the fault
	}
	fail := func(field string, err error) (string, *orb.Point, error) {
		return "", nil, &FeatureError{Index: i, ID: id, Field: field, Err: err}
	}
	if err != nil {
		var fe *fieldError
		if errors.As(err, &fe) {
			return fail(fe.field, fe.err)
		}
		return fail("feature", err)
	}
	switch {
	case string(typ) != "Feature":
		return fail("type", fmt.Errorf("want \"Feature\", got %q", typ))
	case !hasID:
		return fail("id", errors.New("missing"))
	case id == "":
		return fail("id", errors.New("empty"))
	case !ValidID(id):
		return fail("id", errors.New("want a slug of a-z, 0-9 and -"))
	case !sawGeometry:
		return fail("geometry", errors.New("missing; use null when the location is unknown"))
	}
	if !located {
		return id, nil, nil
	}
	return id, &geometry, nil
}

// featureIDIn returns the string id of the feature in raw, "" when it
// has none or raw is not JSON enough to find it: for an error found
// before the id was read.
func featureIDIn(raw []byte) string {
	var s scanner
	s.reset(raw)
	id := ""
	_ = s.object(func(key []byte) error {
		if string(key) == "id" && s.peek() == '"' {
			b, err := s.str()
			id = string(b)
			return err
		}
		return s.skip()
	})
	return id
}

// incidentFields are the properties as read, before they are checked.
type incidentFields struct {
	title, occurredAt, timePrecision, eventType string
	site, place, placeAR, admin1, country       string
	geoPrecision, summary                       string
	hasSite                                     bool
	injured, killed                             *int
	actors                                      []Actor
	sources                                     []Source
	related                                     []string
}

// point reads a geometry that must be a GeoJSON Point or null, into p;
// it reports whether there was a Point.
func (d *featureDecoder) point(p *orb.Point) (bool, error) {
	s := &d.s
	if s.null() {
		return false, nil
	}
	var typ string
	n := 0
	members := keys{names: pointMembers}
	err := s.object(func(key []byte) error {
		if _, err := members.add(key); err != nil {
			return err
		}
		switch string(key) {
		case "type":
			b, err := s.str()
			typ = string(b)
			return err
		case "coordinates":
			return s.array(func(i int) error {
				v, err := s.number()
				if err != nil {
					return err
				}
				if i < 2 {
					p[i] = v
				}
				n++
				return nil
			})
		case "bbox":
			return s.skip()
		}
		return fmt.Errorf("unknown member %q", key)
	})
	switch {
	case err != nil:
		return false, err
	case typ != "Point":
		return false, fmt.Errorf("want a Point or null, got %q", typ)
	case n != 2 && n != 3:
		return false, fmt.Errorf("want [lon, lat], got %d numbers", n)
	case math.IsNaN(p[0]) || p[0] < -180 || p[0] > 180:
		return false, fmt.Errorf("longitude %v outside [-180, 180]", p[0])
	case math.IsNaN(p[1]) || p[1] < -90 || p[1] > 90:
		return false, fmt.Errorf("latitude %v outside [-90, 90]", p[1])
	}
	return true, nil
}

// properties reads an incident's properties into p.
func (d *featureDecoder) properties(p *incidentFields) error {
	s := &d.s
	// text reads property k (its place in propertyMembers) into dst, one shared
	// copy of it when shared.
	text := func(k int, dst *string, shared bool) error {
		b, err := s.str()
		if err != nil {
			return fieldErr("properties."+propertyMembers[k], err)
		}
		if shared {
			*dst = d.sharedField(b, k)
		} else {
			*dst = string(b)
		}
		return nil
	}
	count := func(field string, dst **int) error {
		if s.null() {
			return nil
		}
		v, err := s.number()
		if err != nil {
			return fieldErr(field, err)
		}
		if v != math.Trunc(v) || v > math.MaxInt32 {
			return fieldErr(field, fmt.Errorf("want a whole number, got %v", v))
		}
		n := int(v)
		*dst = &n
		return nil
	}
	members := keys{names: propertyMembers}
	return fieldErr("properties", s.object(func(key []byte) error {
		k, err := members.add(key)
		if err != nil {
			return fieldErr("properties."+string(key), err)
		}
		switch string(key) {
		case "title":
			return text(k, &p.title, false)
		case "occurred_at":
			return text(k, &p.occurredAt, false)
		case "time_precision":
			return text(k, &p.timePrecision, true)
		case "event_type":
			return text(k, &p.eventType, true)
		case "site":
			if s.null() {
				return nil
			}
			p.hasSite = true
			return text(k, &p.site, true)
		case "place":
			return text(k, &p.place, true)
		case "place_ar":
			return text(k, &p.placeAR, true)
		case "admin1":
			return text(k, &p.admin1, true)
		case "country":
			return text(k, &p.country, true)
		case "geo_precision":
			return text(k, &p.geoPrecision, true)
		case "summary":
			return text(k, &p.summary, false)
		case "injured":
			return count("properties.injured", &p.injured)
		case "killed":
			return count("properties.killed", &p.killed)
		case "actors":
			p.actors, err = sharedList(d, d.actors, "actors", actorMembers, setActor, checkActors)
			return err
		case "sources":
			p.sources, err = sharedList(d, d.sources, "sources", sourceMembers, setSource, checkSources)
			return err
		case "related":
			if s.null() {
				return nil
			}
			return s.array(func(i int) error {
				b, err := s.str()
				if err != nil {
					return fieldErr(fmt.Sprintf("properties.related[%d]", i), err)
				}
				p.related = append(p.related, string(b))
				return nil
			})
		case "distance_m":
			return fieldErr("properties.distance_m", errors.New("computed by queries, not stored"))
		}
		return fieldErr("properties."+string(key), fmt.Errorf("unknown property %q", key))
	}))
}

// rawValue returns the bytes of the array or object the scanner is at,
// found by its brackets and quotes alone (valueEnd), without moving on:
// the key under which a decoder keeps the lists it has read. Bytes that
// equal a list read before are valid JSON; any others are read in full.
func (d *featureDecoder) rawValue() ([]byte, bool) {
	s := &d.s
	s.skipSpace()
	end, ok := valueEnd(s.data[s.pos:])
	if !ok {
		return nil, false
	}
	return s.data[s.pos : s.pos+end], true
}

// sharedList reads property name, a list of objects whose members are
// strings (sources, actors), or gives the one copy of the same list, by
// its JSON bytes, that this decoder read before. set puts a member's
// value into an element, refusing a member the element has not; check
// checks a list the first time it is read.
func sharedList[T any](d *featureDecoder, seen map[string][]T, name string, members []string,
	set func(x *T, member, value string) error, check func([]T) (string, error)) ([]T, error) {
	s := &d.s
	if s.null() {
		return nil, nil
	}
	raw, ok := d.rawValue()
	if list, found := seen[string(raw)]; ok && found {
		s.pos += len(raw)
		return list, nil
	}
	var list []T
	err := s.array(func(i int) error {
		field := fmt.Sprintf("properties.%s[%d]", name, i)
		var x T
		keys := keys{names: members}
		err := s.object(func(key []byte) error {
			k, err := keys.add(key)
			if err == nil && k < 0 {
				err = fmt.Errorf("unknown member %q", key)
			}
			if err != nil {
				return fieldErr(field+"."+string(key), err)
			}
			b, err := s.str()
			if err == nil {
				err = set(&x, members[k], d.shared(b))
			}
			return fieldErr(field+"."+string(key), err)
		})
		list = append(list, x)
		return fieldErr(field, err)
	})
	if err != nil {
		return nil, fieldErr("properties."+name, err)
	}
	if field, err := check(list); err != nil {
		return nil, fieldErr(field, err)
	}
	if ok && len(seen) < maxSharedTexts {
		seen[string(raw)] = list
	}
	return list, nil
}

// setSource sets a member of a source.
func setSource(src *Source, member, value string) error {
	switch member {
	case "publisher":
		src.Publisher = value
	case "title":
		src.Title = value
	case "url":
		src.URL = value
	case "quote":
		src.Quote = value
	case "published_at":
		t, err := time.Parse(time.RFC3339, value)
		if err != nil {
			return fmt.Errorf("want RFC 3339, got %q", value)
		}
		src.PublishedAt = t
	}
	return nil
}

// setActor sets a member of an actor.
func setActor(a *Actor, member, value string) error {
	switch member {
	case "name":
		a.Name = value
	case "role":
		a.Role = value
	}
	return nil
}

// checkSources checks a list of sources against the data model, and
// returns the field at fault: a list shared by many incidents is checked
// once.
func checkSources(list []Source) (string, error) {
	if len(list) == 0 {
		return "properties.sources", errors.New("at least one source is required")
	}
	if err := checkCount(len(list), MaxSources); err != nil {
		return "properties.sources", err
	}
	for k, s := range list {
		field := fmt.Sprintf("properties.sources[%d]", k)
		switch {
		case strings.TrimSpace(s.Publisher) == "":
			return field + ".publisher", errors.New("missing")
		case strings.TrimSpace(s.Title) == "":
			return field + ".title", errors.New("missing")
		case s.PublishedAt.IsZero():
			return field + ".published_at", errors.New("missing")
		case strings.TrimSpace(s.Quote) == "":
			return field + ".quote", errors.New("missing: quote the sentence the fact rests on")
		}
		if f, err := checkTexts(
			textField{field + ".publisher", s.Publisher, MaxShortText},
			textField{field + ".title", s.Title, MaxShortText},
			textField{field + ".quote", s.Quote, MaxLongText},
		); err != nil {
			return f, err
		}
		if err := checkSourceURL(s.URL); err != nil {
			return field + ".url", err
		}
	}
	return "", nil
}

// checkActors checks a list of actors against the data model, and
// returns the field at fault.
func checkActors(list []Actor) (string, error) {
	if err := checkCount(len(list), MaxActors); err != nil {
		return "properties.actors", err
	}
	for k, a := range list {
		field := fmt.Sprintf("properties.actors[%d]", k)
		if strings.TrimSpace(a.Name) == "" {
			return field + ".name", errors.New("missing")
		}
		if err := checkText(a.Name, MaxShortText); err != nil {
			return field + ".name", err
		}
		switch a.Role {
		case RolePerpetrator, RoleClaimant, RoleTarget, RoleResponder:
		default:
			return field + ".role", fmt.Errorf("want perpetrator, claimant, target or responder, got %q", a.Role)
		}
	}
	return "", nil
}

// check checks the properties read against the data model and sets in's
// fields from them; it returns the field at fault.
func (d *featureDecoder) check(in *Incident, p *incidentFields) []FieldProblem {
	var problems []FieldProblem
	fail := func(field string, err error) { problems = append(problems, FieldProblem{field, err}) }
	if strings.TrimSpace(p.title) == "" {
		fail("properties.title", errors.New("missing"))
	}
	for _, t := range []textField{
		{"properties.title", p.title, MaxShortText},
		{"properties.place", p.place, MaxShortText},
		{"properties.place_ar", p.placeAR, MaxShortText},
		{"properties.admin1", p.admin1, MaxShortText},
		{"properties.summary", p.summary, MaxLongText},
	} {
		if err := checkText(t.text, t.limit); err != nil {
			fail(t.field, err)
		}
	}
	if err := checkCount(len(p.related), MaxRelated); err != nil {
		fail("properties.related", err)
	}
	at, err := parseTime(p.occurredAt, d.zones)
	if err != nil {
		fail("properties.occurred_at", fmt.Errorf("want RFC 3339, got %q", p.occurredAt))
	}
	if !TimePrecision(p.timePrecision).Valid() {
		fail("properties.time_precision", fmt.Errorf("want exact, hour, day or approximate, got %q", p.timePrecision))
	}
	if !ValidEventType(p.eventType) {
		fail("properties.event_type", fmt.Errorf("want a lower-case word such as missile_attack, got %q", p.eventType))
	}
	if p.hasSite {
		if _, ok := d.sites[p.site]; !ok {
			fail("properties.site", fmt.Errorf("no site has id %q", p.site))
		}
		in.Site = p.site
	}
	if !ValidCountry(p.country) {
		fail("properties.country", fmt.Errorf("want an ISO 3166-1 alpha-2 code, got %q", p.country))
	}
	geo := GeoPrecision(p.geoPrecision)
	switch {
	case !geo.Valid():
		fail("properties.geo_precision", fmt.Errorf("want exact, near, town, region or unknown, got %q", p.geoPrecision))
	case (in.Location == nil) != (geo == GeoUnknown):
		fail("properties.geo_precision", errors.New("must be unknown exactly when geometry is null"))
	}
	if p.injured != nil && *p.injured < 0 {
		fail("properties.injured", errors.New("negative; use null when not reported"))
	}
	if p.killed != nil && *p.killed < 0 {
		fail("properties.killed", errors.New("negative; use null when not reported"))
	}
	if p.sources == nil {
		fail("properties.sources", errors.New("at least one source is required"))
	}
	in.Title, in.OccurredAt = p.title, at
	in.TimePrecision, in.EventType = TimePrecision(p.timePrecision), p.eventType
	in.Actors, in.Place, in.PlaceAR, in.Admin1 = p.actors, p.place, p.placeAR, p.admin1
	in.Country, in.GeoPrecision = p.country, geo
	in.Injured, in.Killed, in.Summary = p.injured, p.killed, p.summary
	in.Sources, in.Related = p.sources, p.related
	return problems
}
