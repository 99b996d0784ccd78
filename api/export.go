package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/twpayne/go-geom"
	geomkml "github.com/twpayne/go-geom/encoding/kml"
	"github.com/twpayne/go-kml/v3"

	"github.com/incidentmap/incidentmap/geo"
)

// csvHeader names the columns of the CSV export, one row an incident.
var csvHeader = []string{
	"id", "title", "occurred_at", "time_precision", "event_type", "site",
	"place", "place_ar", "admin1", "country", "lon", "lat", "geo_precision",
	"injured", "killed", "actors", "summary", "source_publisher", "source_title",
	"source_published_at", "source_quote", "sources", "related",
}

// encodeCSV writes the matches as RFC 4180 CSV (see csvWriter).
func encodeCSV(res geo.Result, withDistance bool) ([]byte, error) {
	var buf bytes.Buffer
	w, err := newCSVWriter(&buf, withDistance)
	if err != nil {
		return nil, err
	}
	for _, m := range res.Matches {
		if err := w.write(m); err != nil {
			return nil, err
		}
	}
	if err := w.flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// csvWriter writes incidents as RFC 4180 CSV (CRLF line ends, quotes where
// needed), one row an incident after a header row. Empty cells are
// unknowns: no location, casualties not reported. The first source is
// spread over columns of its own; all of them are in "sources" as
// "publisher: quote" separated by " | ". With distance, a last column
// distance_m holds a radius query's distance.
type csvWriter struct {
	w            *csv.Writer
	withDistance bool
}

// newCSVWriter writes the header row to w and returns the writer of the
// rows.
func newCSVWriter(w io.Writer, withDistance bool) (*csvWriter, error) {
	cw := &csvWriter{w: csv.NewWriter(w), withDistance: withDistance}
	cw.w.UseCRLF = true
	header := csvHeader
	if withDistance {
		header = append(append([]string(nil), header...), "distance_m")
	}
	if err := cw.w.Write(header); err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	return cw, nil
}

// write writes m's row.
func (cw *csvWriter) write(m geo.Match) error {
	in := m.Incident
	var lon, lat string
	if in.Location != nil {
		lon = strconv.FormatFloat(in.Location[0], 'f', -1, 64)
		lat = strconv.FormatFloat(in.Location[1], 'f', -1, 64)
	}
	actors := make([]string, len(in.Actors))
	for i, a := range in.Actors {
		actors[i] = a.Name + " (" + a.Role + ")"
	}
	sources := make([]string, len(in.Sources))
	for i, s := range in.Sources {
		sources[i] = s.Publisher + ": " + s.Quote
	}
	first := in.Sources[0]
	// Ids, times, enumerations and numbers are ours and safe as they
	// are; text from the data is neutralised.
	row := []string{
		in.ID, csvText(in.Title), in.OccurredAt.Format(time.RFC3339), string(in.TimePrecision), in.EventType, in.Site,
		csvText(in.Place), csvText(in.PlaceAR), csvText(in.Admin1), in.Country, lon, lat, string(in.GeoPrecision),
		optInt(in.Injured), optInt(in.Killed), csvText(strings.Join(actors, "; ")), csvText(in.Summary),
		csvText(first.Publisher), csvText(first.Title), first.PublishedAt.Format(time.RFC3339), csvText(first.Quote),
		csvText(strings.Join(sources, " | ")), strings.Join(in.Related, " "),
	}
	if cw.withDistance {
		row = append(row, strconv.FormatFloat(math.Round(m.DistanceM), 'f', 0, 64))
	}
	if err := cw.w.Write(row); err != nil {
		return fmt.Errorf("csv row %s: %w", in.ID, err)
	}
	return nil
}

// flush writes what is buffered, and reports any error so far.
func (cw *csvWriter) flush() error {
	cw.w.Flush()
	if err := cw.w.Error(); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

// csvText neutralises a text cell that a spreadsheet would read as a
// formula (=, +, -, @, or a tab or carriage return before one), as OWASP's
// CSV injection advice says: a leading single quote makes the cell text.
// The quote is visible in a plain reader; importers strip it.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func optInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// encodeKML writes the matches as a KML document: a Placemark an incident,
// with its point (none when the location is unknown), its time, and its
// fields as ExtendedData. Geometry goes through go-geom's KML encoder.
func encodeKML(res geo.Result) ([]byte, error) {
	doc := kml.Document(kml.Name("incidentmap incidents"))
	for _, m := range res.Matches {
		in := m.Incident
		p := kml.Placemark(
			kml.Name(in.Title),
			// Viewers (Google Earth among them) render a description as
			// HTML: escaped, the summary shows as the text it is.
			kml.Description(html.EscapeString(in.Summary)),
			kml.TimeStamp(kml.When(in.OccurredAt)),
		)
		data := []kml.Element{
			kml.Data("id", kml.Value(in.ID)),
			kml.Data("event_type", kml.Value(in.EventType)),
			kml.Data("occurred_at", kml.Value(in.OccurredAt.Format(time.RFC3339))),
			kml.Data("time_precision", kml.Value(string(in.TimePrecision))),
			kml.Data("site", kml.Value(in.Site)),
			kml.Data("place", kml.Value(in.Place)),
			kml.Data("place_ar", kml.Value(in.PlaceAR)),
			kml.Data("country", kml.Value(in.Country)),
			kml.Data("geo_precision", kml.Value(string(in.GeoPrecision))),
			kml.Data("injured", kml.Value(optInt(in.Injured))),
			kml.Data("killed", kml.Value(optInt(in.Killed))),
			kml.Data("source", kml.Value(in.Sources[0].Publisher+": "+in.Sources[0].Quote)),
		}
		if !math.IsNaN(m.DistanceM) {
			data = append(data, kml.Data("distance_m", kml.Value(strconv.FormatFloat(math.Round(m.DistanceM), 'f', 0, 64))))
		}
		p.Add(kml.ExtendedData(data...))
		if in.Location != nil {
			pt := geom.NewPointFlat(geom.XY, []float64{in.Location[0], in.Location[1]})
			el, err := geomkml.Encode(pt)
			if err != nil {
				return nil, fmt.Errorf("kml point of %s: %w", in.ID, err)
			}
			p.Add(el)
		}
		doc.Add(p)
	}
	var buf bytes.Buffer
	if err := kml.KML(doc).Write(&buf); err != nil {
		return nil, fmt.Errorf("kml: %w", err)
	}
	return buf.Bytes(), nil
}
