package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"strconv"
	"time"

	"github.com/twpayne/go-geom"
	geomkml "github.com/twpayne/go-geom/encoding/kml"
	"github.com/twpayne/go-kml/v3"

	"github.com/incidentmap/incidentmap/geo"
)

// encodeCSV writes the matches as our CSV (geo.CSVWriter: RFC 4180, one
// row an incident, every property), with a last column distance_m for a
// radius query.
func encodeCSV(res geo.Result, withDistance bool) ([]byte, error) {
	var buf bytes.Buffer
	w, err := geo.NewCSVWriter(&buf, withDistance)
	if err != nil {
		return nil, err
	}
	for _, m := range res.Matches {
		if err := w.Write(m); err != nil {
			return nil, err
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
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
		// Every source and actor, as the CSV's JSON columns have them.
		actors, err := json.Marshal(in.Actors)
		if err != nil {
			return nil, fmt.Errorf("kml actors of %s: %w", in.ID, err)
		}
		sources, err := json.Marshal(in.Sources)
		if err != nil {
			return nil, fmt.Errorf("kml sources of %s: %w", in.ID, err)
		}
		data = append(data, kml.Data("actors_json", kml.Value(string(actors))), kml.Data("sources_json", kml.Value(string(sources))))
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
