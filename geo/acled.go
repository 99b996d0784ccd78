package geo

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// ACLED-style CSV: the columns of the Armed Conflict Location & Event Data
// Project's exports, mapped onto our data model as its codebook defines
// them. What ACLED does not say stays unknown; what our model cannot say
// as precisely as ACLED's row would need is refused, never rounded into
// a claim. The mapping, column by column, is in docs/import.md.

// ACLEDColumns are the columns an ACLED file must have, besides iso or
// country. Other columns (ACLED has about thirty) are ignored.
var ACLEDColumns = []string{
	"event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
	"actor1", "actor2", "admin1", "location", "latitude", "longitude", "geo_precision",
	"source", "notes", "fatalities", "timestamp",
}

// ACLEDPublisher is the publisher of every source an ACLED row gives: the
// quote is ACLED's notes, ACLED's own words about the reports it names.
const ACLEDPublisher = "ACLED"

// acledDateLayouts are the forms of event_date accepted: ACLED's API and
// the ISO form, its export tool's, and its codebook's dd-mm-yyyy.
var acledDateLayouts = []string{"2006-01-02", "2 January 2006", "02-01-2006"}

// EachACLEDRow reads an ACLED-style CSV and calls fn with each row's
// incident, checked against the data model on its own, as EachFeature
// does for GeoJSON: the row's line, and the incident or every problem
// with it, each naming the ACLED column it comes from. It stops at fn's
// first error, or where the input stops being CSV, and returns that.
func EachACLEDRow(r io.Reader, sites []Site, fn func(Checked) error) error {
	t, err := newCSVTable(r, "ACLED CSV")
	if err != nil {
		return err
	}
	if err := t.require(ACLEDColumns); err != nil {
		return fmt.Errorf("ACLED CSV: %w", err)
	}
	_, iso := t.cols["iso"]
	_, country := t.cols["country"]
	if !iso && !country {
		return errors.New(`ACLED CSV: header: no column "iso" or "country"`)
	}
	dec := newFeatureDecoder(siteMap(sites))
	return t.each("ACLED CSV", func(row *csvRow) string { return ACLEDID(row.get("event_id_cnty")) }, dec.acledIncident, fn)
}

// ACLEDID returns the incident id of an ACLED event id: "acled-" and the
// id in lower case, every run of other characters than a-z and 0-9 a
// "-" ("IRQ12345" is "acled-irq12345").
func ACLEDID(eventID string) string {
	return "acled-" + slug(eventID, '-')
}

// ACLEDEventType returns our event type for ACLED's sub-event type (its
// event type when it has none): the words in lower case joined by "_"
// ("Air/drone strike" is "air_drone_strike"). ACLED's types are kept as
// they are rather than forced onto ours: "Shelling/artillery/missile
// attack" is no missile_attack.
func ACLEDEventType(eventType, subEventType string) string {
	if strings.TrimSpace(subEventType) != "" {
		return slug(subEventType, '_')
	}
	return slug(eventType, '_')
}

// slug lower-cases s and keeps its runs of a-z (and, with '-', 0-9),
// joined by sep.
func slug(s string, sep byte) string {
	var b strings.Builder
	gap := false
	for _, c := range []byte(strings.ToLower(s)) {
		if c >= 'a' && c <= 'z' || sep == '-' && c >= '0' && c <= '9' {
			if gap && b.Len() > 0 {
				b.WriteByte(sep)
			}
			b.WriteByte(c)
			gap = false
			continue
		}
		gap = true
	}
	return b.String()
}

// acledColumnOf names the ACLED columns a field of our data model comes
// from.
func acledColumnOf(field string) string {
	switch {
	case field == "properties.title":
		return "sub_event_type, location"
	case field == "properties.occurred_at":
		return "event_date"
	case field == "properties.event_type":
		return "sub_event_type"
	case field == "properties.place":
		return "location"
	case field == "properties.country":
		return "iso, country"
	case field == "properties.killed":
		return "fatalities"
	case field == "properties.summary":
		return "actor1, actor2"
	case strings.HasSuffix(field, ".quote") || field == "properties.sources":
		return "notes"
	case strings.HasSuffix(field, ".title"):
		return "event_id_cnty, source"
	case strings.HasSuffix(field, ".published_at"):
		return "timestamp"
	case field == "geometry":
		return "latitude, longitude"
	}
	return strings.TrimPrefix(field, "properties.")
}

// acledIncident maps row i of an ACLED file onto an incident, checked as
// a GeoJSON feature is, by the same code.
func (d *featureDecoder) acledIncident(i int, row *csvRow) (Incident, *FeatureError) {
	var problems []FieldProblem
	fail := func(column string, err error) { problems = append(problems, FieldProblem{column, err}) }
	cell := func(name string) string { return strings.TrimSpace(row.get(name)) }
	var in Incident
	eventID := cell("event_id_cnty")
	in.ID = ACLEDID(eventID)
	switch {
	case eventID == "":
		fail("event_id_cnty", errors.New("missing"))
	case !ValidID(in.ID):
		fail("event_id_cnty", fmt.Errorf("%q makes no id of a-z, 0-9 and - of at most 128 characters", eventID))
	}
	var p incidentFields
	day, err := parseACLEDDate(cell("event_date"))
	if err != nil {
		fail("event_date", err)
	}
	p.occurredAt = day
	switch tp := cell("time_precision"); tp {
	case "1":
		p.timePrecision = string(TimeDay)
	case "2", "3":
		fail("time_precision", fmt.Errorf("%s: ACLED knows the date only within a week or a longer span; our widest time precision is approximate (six hours either side), so the row is refused rather than dated more precisely than ACLED does", tp))
	default:
		fail("time_precision", fmt.Errorf("want 1, 2 or 3, got %q", tp))
	}
	p.eventType = ACLEDEventType(cell("event_type"), cell("sub_event_type"))
	p.place, p.admin1 = cell("location"), cell("admin1")
	what := cell("sub_event_type")
	if what == "" {
		what = cell("event_type")
	}
	where := p.place
	for _, w := range []string{p.admin1, cell("country")} {
		if where == "" {
			where = w
		}
	}
	if where != "" {
		what += " in " + where
	}
	p.title = what
	country, err := acledCountry(row)
	if err != nil {
		fail("iso, country", err)
	}
	p.country = country
	loc, err := parseLonLat(cell("longitude"), cell("latitude"))
	if err != nil {
		fail("latitude, longitude", err)
	}
	in.Location = loc
	switch gp := cell("geo_precision"); {
	case loc == nil:
		p.geoPrecision = string(GeoUnknown)
	case gp == "1":
		p.geoPrecision = string(GeoTown)
	case gp == "2" || gp == "3":
		p.geoPrecision = string(GeoRegion)
	default:
		fail("geo_precision", fmt.Errorf("want 1, 2 or 3, got %q", gp))
	}
	switch f := cell("fatalities"); f {
	case "", "0":
		// ACLED's 0 is "no fatalities reported", which is not "none":
		// unknown stays null.
	default:
		n, err := parseCount(f)
		if err != nil {
			fail("fatalities", err)
		}
		p.killed = n
	}
	var actors []string
	for _, a := range []string{cell("actor1"), cell("actor2")} {
		if a != "" {
			actors = append(actors, a)
		}
	}
	if len(actors) > 0 {
		// ACLED's codebook: actor1 and actor2 do not say who attacked and
		// who defended, and our actors need that role.
		p.summary = "Actors named by ACLED, which does not say who did what: " + strings.Join(actors, "; ") + "."
	}
	src := Source{Publisher: ACLEDPublisher, Title: "ACLED event " + eventID, Quote: cell("notes")}
	if s := cell("source"); s != "" {
		src.Title += ", from " + s
	}
	ts, err := strconv.ParseInt(cell("timestamp"), 10, 64)
	if err != nil || ts <= 0 {
		fail("timestamp", fmt.Errorf("want ACLED's Unix time of the row, got %q: our sources need a publication time", cell("timestamp")))
	} else {
		src.PublishedAt = time.Unix(ts, 0).UTC()
	}
	// The checks of the data model, for what the mapping has not already
	// found wrong: a column reported once is enough.
	said := map[string]bool{}
	for _, pr := range problems {
		said[pr.Field] = true
	}
	p.sources = []Source{src}
	if field, err := checkSources(p.sources); err != nil && !said[acledColumnOf(field)] {
		fail(acledColumnOf(field), err)
		p.sources = nil
	}
	for _, pr := range d.check(&in, &p) {
		if column := acledColumnOf(pr.Field); !said[column] && (p.sources != nil || pr.Field != "properties.sources") {
			fail(column, pr.Err)
		}
	}
	if len(problems) > 0 {
		return Incident{}, &FeatureError{Index: i, ID: in.ID, Field: "column " + problems[0].Field, Err: problems[0].Err, More: columnProblems(problems[1:])}
	}
	return in, nil
}

// parseACLEDDate reads an event_date in one of acledDateLayouts, as the
// start of that day in UTC, in RFC 3339.
func parseACLEDDate(s string) (string, error) {
	for _, layout := range acledDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.RFC3339), nil
		}
	}
	return "", fmt.Errorf("want a date such as 2023-11-21, 21 November 2023 or 21-11-2023, got %q", s)
}

// acledCountry returns the ISO 3166-1 alpha-2 code of the row's country:
// from iso, ACLED's ISO 3166-1 numeric code (or an alpha code), else from
// country, a code or an English name.
func acledCountry(row *csvRow) (string, error) {
	if iso := strings.TrimSpace(row.get("iso")); iso != "" {
		if r, err := language.ParseRegion(iso); err == nil && r.IsCountry() {
			return r.String(), nil
		}
		return "", fmt.Errorf("iso: %q is no ISO 3166-1 country code", iso)
	}
	name := strings.TrimSpace(row.get("country"))
	if name == "" {
		return "", errors.New("missing: give iso or country")
	}
	if len(name) <= 3 {
		if r, err := language.ParseRegion(name); err == nil && r.IsCountry() {
			return r.String(), nil
		}
	}
	if code, ok := countryNames()[strings.ToLower(name)]; ok {
		return code, nil
	}
	return "", fmt.Errorf("country: no country is named %q in English; give its ISO code in iso", name)
}

// countryNames maps the English names of the countries of ISO 3166-1, in
// lower case, to their alpha-2 codes.
var countryNames = sync.OnceValue(func() map[string]string {
	names := map[string]string{}
	namer := display.English.Regions()
	for n := 1; n < 1000; n++ {
		r, err := language.ParseRegion(fmt.Sprintf("%03d", n))
		if err != nil || !r.IsCountry() {
			continue
		}
		names[strings.ToLower(namer.Name(r))] = r.String()
	}
	return names
})
