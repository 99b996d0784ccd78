package geo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// Our CSV: one row an incident after a header row, RFC 4180 (CRLF line
// ends, quotes where needed). The export writes it and the import reads
// it back: every property of an incident survives the round trip.
//
// The columns up to "related" are the first ones the export ever had, for
// people and spreadsheets: the first source spread over columns of its
// own, every actor as "name (role)" joined by "; ", every source as
// "publisher: quote" joined by " | ". They are kept as they were, in
// their order, for the clients that read them. Columns added later come
// after them: source_url, and actors_json and sources_json, the whole
// lists as JSON arrays of the GeoJSON's objects. The JSON columns are what
// an import reads; the spread and joined columns are derived from them,
// and an import refuses a row where one says something else (an edit in
// a spreadsheet that would otherwise be lost without a word).
//
// Empty cells are unknowns: no location (empty lon and lat), casualties
// not reported (empty injured or killed, where 0 is a reported zero), no
// site. A text cell a spreadsheet would take for a formula gets a leading
// single quote (csvRecord.neutralise), which the import takes off again
// (unneutralise).

// CSVColumns names the columns of our CSV, in order.
var CSVColumns = []string{
	"id", "title", "occurred_at", "time_precision", "event_type", "site",
	"place", "place_ar", "admin1", "country", "lon", "lat", "geo_precision",
	"injured", "killed", "actors", "summary", "source_publisher", "source_title",
	"source_published_at", "source_quote", "sources", "related",
	// Added with the import; append, never reorder.
	"source_url", "actors_json", "sources_json",
}

// csvDistanceColumn is the column a radius query's export adds last; an
// import ignores it.
const csvDistanceColumn = "distance_m"

// csvDerived are the columns an import checks against the JSON columns
// rather than reads.
var csvDerived = []string{"actors", "source_publisher", "source_title", "source_published_at",
	"source_quote", "sources", "source_url"}

// CSVWriter writes incidents as our CSV.
type CSVWriter struct {
	w            *bufio.Writer
	err          error
	withDistance bool
	rec          csvRecord
}

// NewCSVWriter writes the header row to w and returns the writer of the
// rows. With distance, a last column distance_m holds a radius query's
// distance in whole metres.
func NewCSVWriter(w io.Writer, withDistance bool) (*CSVWriter, error) {
	cw := &CSVWriter{w: bufio.NewWriter(w), withDistance: withDistance}
	rec := &cw.rec
	rec.reset()
	for _, name := range CSVColumns {
		rec.plain(name)
	}
	if withDistance {
		rec.plain(csvDistanceColumn)
	}
	if err := cw.writeRecord(); err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	return cw, nil
}

// Write writes m's row.
func (cw *CSVWriter) Write(m Match) error {
	if err := cw.rec.incident(m.Incident); err != nil {
		return err
	}
	if cw.withDistance {
		cw.rec.buf = strconv.AppendFloat(cw.rec.buf, math.Round(m.DistanceM), 'f', 0, 64)
		cw.rec.end()
	}
	if err := cw.writeRecord(); err != nil {
		return fmt.Errorf("csv row %s: %w", m.Incident.ID, err)
	}
	return nil
}

// Flush writes what is buffered, and reports any error so far.
func (cw *CSVWriter) Flush() error {
	if cw.err == nil {
		cw.err = cw.w.Flush()
	}
	if cw.err != nil {
		return fmt.Errorf("csv: %w", cw.err)
	}
	return nil
}

// writeRecord writes the record built as encoding/csv's Writer does
// with UseCRLF (a cell quoted when it holds a comma, a quote, a line
// break or starts with a space; a line feed in a cell written CRLF),
// except that a carriage return in a cell is kept, where encoding/csv
// drops it. encoding/csv's Reader, like most, reads CRLF in a quoted
// cell as LF, so "\r\n" written "\r\r\n" reads back as it was.
func (cw *CSVWriter) writeRecord() error {
	if cw.err != nil {
		return cw.err
	}
	w := cw.w
	for i := range cw.rec.ends {
		if i > 0 {
			w.WriteByte(',')
		}
		cell := cw.rec.cell(i)
		r, _ := utf8.DecodeRune(cell)
		if !bytes.ContainsAny(cell, ",\"\r\n") && !unicode.IsSpace(r) {
			w.Write(cell)
			continue
		}
		w.WriteByte('"')
		for _, c := range cell {
			switch c {
			case '"':
				w.WriteString(`""`)
			case '\n':
				w.WriteString("\r\n")
			default:
				w.WriteByte(c)
			}
		}
		w.WriteByte('"')
	}
	_, cw.err = w.WriteString("\r\n")
	return cw.err
}

// csvRecord builds the cells of one row of our CSV in one buffer, reused
// from row to row: an export of a million incidents makes little
// garbage.
type csvRecord struct {
	buf  []byte
	ends []int // where each cell ends in buf
	json bytes.Buffer
	enc  *json.Encoder
	// The JSON of the last lists written: a data set holds one copy of
	// a list many incidents cite, and an export writes them in a row.
	lastActors  []Actor
	lastSources []Source
	actorsJSON  []byte
	sourcesJSON []byte
}

func (r *csvRecord) reset() { r.buf, r.ends = r.buf[:0], r.ends[:0] }

func (r *csvRecord) end() { r.ends = append(r.ends, len(r.buf)) }

// cell returns the bytes of cell i.
func (r *csvRecord) cell(i int) []byte {
	start := 0
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.buf[start:r.ends[i]]
}

// plain adds a cell of ours, safe as it is: an id, a time, a number.
func (r *csvRecord) plain(s string) {
	r.buf = append(r.buf, s...)
	r.end()
}

// text adds a cell of text from the data, neutralised.
func (r *csvRecord) text(s string) {
	start := len(r.buf)
	r.buf = append(r.buf, s...)
	r.neutralise(start)
}

// neutralise makes the cell that started at start text for a
// spreadsheet, as neutralise does, and ends it.
func (r *csvRecord) neutralise(start int) {
	if t := bytes.TrimLeft(r.buf[start:], "'"); len(t) > 0 && strings.IndexByte(formulaStarts, t[0]) >= 0 {
		r.buf = append(r.buf, 0)
		copy(r.buf[start+1:], r.buf[start:])
		r.buf[start] = '\''
	}
	r.end()
}

// incident builds in's row, in the order of CSVColumns.
func (r *csvRecord) incident(in *Incident) error {
	r.reset()
	r.plain(in.ID)
	r.text(in.Title)
	r.buf = in.OccurredAt.AppendFormat(r.buf, time.RFC3339Nano)
	r.end()
	r.plain(string(in.TimePrecision))
	r.plain(in.EventType)
	r.plain(in.Site)
	r.text(in.Place)
	r.text(in.PlaceAR)
	r.text(in.Admin1)
	r.plain(in.Country)
	if in.Location != nil {
		r.buf = strconv.AppendFloat(r.buf, in.Location[0], 'f', -1, 64)
		r.end()
		r.buf = strconv.AppendFloat(r.buf, in.Location[1], 'f', -1, 64)
		r.end()
	} else {
		r.end()
		r.end()
	}
	r.plain(string(in.GeoPrecision))
	r.count(in.Injured)
	r.count(in.Killed)
	start := len(r.buf)
	for i, a := range in.Actors {
		if i > 0 {
			r.buf = append(r.buf, "; "...)
		}
		r.buf = append(append(append(append(r.buf, a.Name...), " ("...), a.Role...), ')')
	}
	r.neutralise(start)
	r.text(in.Summary)
	var first Source
	if len(in.Sources) > 0 {
		first = in.Sources[0]
	}
	r.text(first.Publisher)
	r.text(first.Title)
	if !first.PublishedAt.IsZero() {
		r.buf = first.PublishedAt.AppendFormat(r.buf, time.RFC3339Nano)
	}
	r.end()
	r.text(first.Quote)
	start = len(r.buf)
	for i, s := range in.Sources {
		if i > 0 {
			r.buf = append(r.buf, " | "...)
		}
		r.buf = append(append(append(r.buf, s.Publisher...), ": "...), s.Quote...)
	}
	r.neutralise(start)
	for i, id := range in.Related {
		if i > 0 {
			r.buf = append(r.buf, ' ')
		}
		r.buf = append(r.buf, id...)
	}
	r.end()
	r.text(first.URL)
	actors := in.Actors
	if actors == nil {
		actors = []Actor{}
	}
	if !sameList(actors, r.lastActors) {
		b, err := r.jsonCell(r.actorsJSON[:0], actors)
		if err != nil {
			return fmt.Errorf("csv row %s: actors: %w", in.ID, err)
		}
		r.lastActors, r.actorsJSON = actors, b
	}
	r.buf = append(r.buf, r.actorsJSON...)
	r.end()
	if !sameList(in.Sources, r.lastSources) {
		b, err := r.jsonCell(r.sourcesJSON[:0], in.Sources)
		if err != nil {
			return fmt.Errorf("csv row %s: sources: %w", in.ID, err)
		}
		r.lastSources, r.sourcesJSON = in.Sources, b
	}
	r.buf = append(r.buf, r.sourcesJSON...)
	r.end()
	return nil
}

// count adds a casualty count: empty when not reported.
func (r *csvRecord) count(n *int) {
	if n != nil {
		r.buf = strconv.AppendInt(r.buf, int64(*n), 10)
	}
	r.end()
}

// sameList reports whether a and b are one list in memory (not merely
// equal): lists are read-only once decoded.
func sameList[T any](a, b []T) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// jsonCell appends v as compact JSON to dst.
func (r *csvRecord) jsonCell(dst []byte, v any) ([]byte, error) {
	if r.enc == nil {
		r.enc = json.NewEncoder(&r.json)
		// In a cell, "<" reads better than "\u003c"; the cell is no HTML.
		r.enc.SetEscapeHTML(false)
	}
	r.json.Reset()
	if err := r.enc.Encode(v); err != nil {
		return dst, err
	}
	return append(dst, bytes.TrimSuffix(r.json.Bytes(), []byte("\n"))...), nil
}

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula (OWASP's CSV injection advice): =, +, -, @, and a tab
// or carriage return before one.
const formulaStarts = "=+-@\t\r"

// unneutralise undoes what csvRecord.neutralise does to a text cell: a
// text a spreadsheet would read as a formula gets a leading single quote,
// and so does one that starts with quotes before a formula character, so
// that taking one off gives the text as it was.
func unneutralise(s string) string {
	if t := strings.TrimLeft(s, "'"); len(t) < len(s) && t != "" && strings.IndexByte(formulaStarts, t[0]) >= 0 {
		return s[1:]
	}
	return s
}

// EachCSVRow reads our CSV and calls fn with each row's incident, checked
// against the data model on its own, as EachFeature does for GeoJSON:
// the row's line, and the incident or every problem with it, each
// naming its column. It stops at fn's first error, or where the input
// stops being CSV, and returns that.
func EachCSVRow(r io.Reader, sites []Site, fn func(Checked) error) error {
	t, err := newCSVTable(r, "our CSV")
	if err != nil {
		return err
	}
	if err := t.require(CSVColumns); err != nil {
		return fmt.Errorf("our CSV: %w", err)
	}
	for _, name := range t.header {
		if name != csvDistanceColumn && !slices.Contains(CSVColumns, name) {
			return fmt.Errorf("our CSV: header: unknown column %q", name)
		}
	}
	dec := newFeatureDecoder(siteMap(sites))
	return t.each("our CSV", func(row *csvRow) string { return row.get("id") }, dec.csvIncident, fn)
}

// csvColumnOf names the column of our CSV that holds a field the checks
// of the data model name.
func csvColumnOf(field string) string {
	switch {
	case strings.HasPrefix(field, "properties.sources"):
		return "sources_json" + strings.TrimPrefix(field, "properties.sources")
	case strings.HasPrefix(field, "properties.actors"):
		return "actors_json" + strings.TrimPrefix(field, "properties.actors")
	case field == "geometry":
		return "lon, lat"
	}
	return strings.TrimPrefix(field, "properties.")
}

// csvIncident reads row i of our CSV into an incident, checked as a
// GeoJSON feature is, by the same code.
func (d *featureDecoder) csvIncident(i int, row *csvRow) (Incident, *FeatureError) {
	var problems []FieldProblem
	fail := func(field string, err error) { problems = append(problems, FieldProblem{field, err}) }
	var in Incident
	in.ID = row.get("id")
	switch {
	case in.ID == "":
		fail("id", errors.New("missing"))
	case !ValidID(in.ID):
		fail("id", errors.New("want a slug of a-z, 0-9 and -"))
	}
	var p incidentFields
	p.title, p.occurredAt = unneutralise(row.get("title")), row.get("occurred_at")
	p.timePrecision, p.eventType = row.get("time_precision"), row.get("event_type")
	p.site = row.get("site")
	p.hasSite = p.site != ""
	p.place, p.placeAR = unneutralise(row.get("place")), unneutralise(row.get("place_ar"))
	p.admin1, p.country = unneutralise(row.get("admin1")), row.get("country")
	p.geoPrecision, p.summary = row.get("geo_precision"), unneutralise(row.get("summary"))
	for _, c := range []struct {
		column string
		dst    **int
	}{{"injured", &p.injured}, {"killed", &p.killed}} {
		n, err := parseCount(row.get(c.column))
		if err != nil {
			fail(c.column, err)
		}
		*c.dst = n
	}
	loc, err := parseLonLat(row.get("lon"), row.get("lat"))
	if err != nil {
		fail("lon, lat", err)
	}
	in.Location = loc
	p.related = strings.Fields(row.get("related"))
	var badSources bool
	p.actors, _ = csvList(d, row, "actors_json", fail, func() ([]Actor, error) {
		return sharedList(d, d.actors, "actors", actorMembers, setActor, checkActors)
	})
	p.sources, badSources = csvList(d, row, "sources_json", fail, func() ([]Source, error) {
		return sharedList(d, d.sources, "sources", sourceMembers, setSource, checkSources)
	})
	for _, pr := range d.check(&in, &p) {
		if pr.Field == "properties.sources" && badSources {
			continue // said already, with why
		}
		fail(csvColumnOf(pr.Field), pr.Err)
	}
	if len(problems) == 0 {
		// The derived columns must say what the JSON columns say.
		if err := d.csv.incident(&in); err != nil {
			fail("row", err)
		}
		for _, col := range csvDerived {
			// A spreadsheet that saves the file again may well write a
			// CRLF in a cell as LF: that is no edit.
			want := d.csv.cell(slices.Index(CSVColumns, col))
			if got := row.get(col); crlfAsLF(got) != crlfAsLF(string(want)) {
				fail(col, fmt.Errorf("%q differs from what actors_json and sources_json give, %q: an import reads those; edit them", got, want))
			}
		}
	}
	if len(problems) > 0 {
		return Incident{}, &FeatureError{Index: i, ID: in.ID, Field: "column " + problems[0].Field, Err: problems[0].Err, More: columnProblems(problems[1:])}
	}
	return in, nil
}

// csvList reads the JSON array in column of row with read, which reads
// at d's scanner, checked as the GeoJSON's list is; it gives a problem to
// fail, naming the column and the element, and reports it.
func csvList[T any](d *featureDecoder, row *csvRow, column string, fail func(string, error), read func() ([]T, error)) ([]T, bool) {
	d.s.reset([]byte(row.get(column)))
	list, err := read()
	if err == nil {
		err = d.s.end()
	}
	if err != nil {
		field := column
		var fe *fieldError
		if errors.As(err, &fe) {
			field, err = csvColumnOf(fe.field), fe.err
		}
		fail(field, err)
		return nil, true
	}
	return list, false
}

// crlfAsLF returns s with every CRLF a LF.
func crlfAsLF(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// columnProblems names each problem's field as a column.
func columnProblems(ps []FieldProblem) []FieldProblem {
	for i := range ps {
		ps[i].Field = "column " + ps[i].Field
	}
	return ps
}

// parseCount reads a casualty count: empty for not reported, else a whole
// number.
func parseCount(s string) (*int, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > math.MaxInt32 {
		return nil, fmt.Errorf("want a whole number, or empty when not reported; got %q", s)
	}
	return &n, nil
}

// parseLonLat reads a location from its two cells: both empty for none.
func parseLonLat(lonText, latText string) (*orb.Point, error) {
	if lonText == "" && latText == "" {
		return nil, nil
	}
	if lonText == "" || latText == "" {
		return nil, errors.New("give both, or neither when the location is unknown")
	}
	lon, err := ParseFloat(lonText)
	if err != nil {
		return nil, fmt.Errorf("longitude: %w", err)
	}
	lat, err := ParseFloat(latText)
	if err != nil {
		return nil, fmt.Errorf("latitude: %w", err)
	}
	if err := CheckLon(lon); err != nil {
		return nil, err
	}
	if err := CheckLat(lat); err != nil {
		return nil, err
	}
	return &orb.Point{lon, lat}, nil
}

func siteMap(sites []Site) map[string]*Site {
	bySite := make(map[string]*Site, len(sites))
	for i := range sites {
		bySite[sites[i].ID] = &sites[i]
	}
	return bySite
}
