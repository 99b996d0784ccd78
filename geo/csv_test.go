package geo_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
)

// awkwardDataset is the fixtures and synth.Awkward's incidents.
func awkwardDataset(t testing.TB) *geo.Dataset {
	t.Helper()
	data, err := synth.Join(fixtures.Incidents, synth.Awkward())
	if err != nil {
		t.Fatal(err)
	}
	ds, err := geo.NewDataset(data, fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// writeCSV writes incidents as our CSV.
func writeCSV(t testing.TB, incidents []geo.Incident) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := geo.NewCSVWriter(&buf, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range incidents {
		if err := w.Write(geo.Match{Incident: &incidents[i]}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readCSV reads our CSV, failing on any problem.
func readCSV(t testing.TB, data []byte, sites []geo.Site) []geo.Checked {
	t.Helper()
	var rows []geo.Checked
	err := geo.EachCSVRow(bytes.NewReader(data), sites, func(c geo.Checked) error {
		rows = append(rows, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func geoJSON(t testing.TB, in *geo.Incident) string {
	t.Helper()
	b, err := in.AppendGeoJSON(nil, math.NaN())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every property of every incident survives our CSV: written and read
// back, each incident is the same, field for field (its GeoJSON, which
// writes every field, byte for byte).
func TestCSVRoundTrip(t *testing.T) {
	ds := awkwardDataset(t)
	data := writeCSV(t, ds.Incidents())
	rows := readCSV(t, data, ds.Sites)
	if len(rows) != ds.Len() {
		t.Fatalf("%d rows read, want %d", len(rows), ds.Len())
	}
	for i, in := range ds.Incidents() {
		c := rows[i]
		if c.Err != nil {
			t.Errorf("line %d: %v", c.Line, c.Err)
			continue
		}
		if got, want := geoJSON(t, &c.Incident), geoJSON(t, &in); got != want {
			t.Errorf("%s changed:\n got %s\nwant %s", in.ID, got, want)
		}
	}
	// The awkward texts are there, as they were: the comparison above is
	// not one of two empty strings.
	if !bytes.Contains(data, []byte("'=SUM(1,2)")) || !bytes.Contains(data, []byte("''=already quoted")) {
		t.Error("formulas are not neutralised in the CSV")
	}
	for _, text := range []string{"قاعدة عين الأسد الجوية", "<script>alert(1)</script>", "windows line\rlone CR"} {
		if !strings.Contains(rowsText(rows), text) {
			t.Errorf("%q lost", text)
		}
	}
}

func rowsText(rows []geo.Checked) string {
	var b strings.Builder
	for _, c := range rows {
		fmt.Fprintf(&b, "%+v\n", c.Incident)
	}
	return b.String()
}

// The CSV's columns: the first ones as they always were, in their order,
// for the clients that read them; the new ones after them.
func TestCSVColumnsKeepTheirOrder(t *testing.T) {
	first := []string{
		"id", "title", "occurred_at", "time_precision", "event_type", "site",
		"place", "place_ar", "admin1", "country", "lon", "lat", "geo_precision",
		"injured", "killed", "actors", "summary", "source_publisher", "source_title",
		"source_published_at", "source_quote", "sources", "related",
	}
	if got := geo.CSVColumns[:len(first)]; strings.Join(got, ",") != strings.Join(first, ",") {
		t.Errorf("the first columns are now %v", got)
	}
}

// csvFile is a header and rows of our CSV, the rows those of the
// fixtures, edited.
func csvFile(t *testing.T, edit func(rows [][]string, col func(string) int)) []byte {
	t.Helper()
	ds, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	data := writeCSV(t, ds.Incidents())
	r := newCSVReader(data)
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		for i, c := range rows[0] {
			if c == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	edit(rows, col)
	return encodeCSV(t, rows)
}

// Every problem of a row is reported with the line the row starts on,
// counted in lines of the file (a quoted line break is a line), and
// names its column.
func TestCSVRowProblems(t *testing.T) {
	sites, err := geo.DecodeSites(fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(rows [][]string, col func(string) int)
		wants []string // in the problem of the row edited
	}{
		{"bad time", func(rows [][]string, col func(string) int) { rows[2][col("occurred_at")] = "yesterday" }, []string{"column occurred_at", `"yesterday"`}},
		{"source without a quote", func(rows [][]string, col func(string) int) {
			rows[2][col("sources_json")] = `[{"publisher":"P","title":"T","published_at":"2023-01-01T00:00:00Z","quote":""}]`
		}, []string{"column sources_json[0].quote: missing"}},
		{"sources not JSON", func(rows [][]string, col func(string) int) { rows[2][col("sources_json")] = "Reuters: it hit" }, []string{"column sources_json: invalid JSON"}},
		{"an actor's unknown role", func(rows [][]string, col func(string) int) {
			rows[2][col("actors_json")] = `[{"name":"X","role":"bystander"}]`
		}, []string{"column actors_json[0].role", "bystander"}},
		{"negative killed", func(rows [][]string, col func(string) int) { rows[2][col("killed")] = "-1" }, []string{"column killed: negative"}},
		{"killed not a number", func(rows [][]string, col func(string) int) { rows[2][col("killed")] = "a few" }, []string{"column killed", `"a few"`}},
		{"lon without lat", func(rows [][]string, col func(string) int) { rows[2][col("lat")] = "" }, []string{"column lon, lat: give both"}},
		{"a spreadsheet edit of a derived column", func(rows [][]string, col func(string) int) { rows[2][col("source_quote")] = "edited" }, []string{"column source_quote", "edit them"}},
		{"two problems", func(rows [][]string, col func(string) int) {
			rows[2][col("country")] = "Iraq"
			rows[2][col("time_precision")] = "soon"
		}, []string{"column time_precision", "column country"}},
		{"a row too short", func(rows [][]string, col func(string) int) { rows[2] = rows[2][:3] }, []string{"row: 3 cells"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := csvFile(t, func(rows [][]string, col func(string) int) {
				// A line break in the first row's title puts the third
				// row's start a line further.
				rows[1][col("title")] = "two\nlines"
				tt.edit(rows, col)
			})
			var problems []geo.Checked
			err := geo.EachCSVRow(bytes.NewReader(data), sites, func(c geo.Checked) error {
				if c.Err != nil {
					problems = append(problems, c)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != 1 {
				t.Fatalf("%d problems, want 1: %+v", len(problems), problems)
			}
			p := problems[0]
			if p.Line != 4 {
				t.Errorf("line %d, want 4 (header, a row of two lines, then this one)", p.Line)
			}
			var fe *geo.FeatureError
			if !errors.As(p.Err, &fe) {
				t.Fatalf("%T", p.Err)
			}
			for _, want := range tt.wants {
				if !strings.Contains(p.Err.Error(), want) {
					t.Errorf("%q does not say %s", p.Err, want)
				}
			}
		})
	}
}

// A file that is not our CSV is refused whole, saying why.
func TestCSVFileProblems(t *testing.T) {
	header := strings.Join(geo.CSVColumns, ",")
	for _, tt := range []struct{ name, data, want string }{
		{"empty", "", "empty file"},
		{"a column missing", strings.Replace(header, ",sources_json", "", 1) + "\r\n", `no column "sources_json"`},
		{"an unknown column", header + ",notes\r\n", `unknown column "notes"`},
		{"a column twice", header + ",id\r\n", `column "id" twice`},
		{"a bare quote", header + "\r\n" + `a"b` + strings.Repeat(",", len(geo.CSVColumns)-1) + "\r\n", "line 2"},
		{"an unterminated quote", header + "\r\n\"abc\r\n", "line 2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := geo.EachCSVRow(strings.NewReader(tt.data), nil, func(geo.Checked) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %s", err, tt.want)
			}
		})
	}
	// A spreadsheet's byte order mark and a radius query's distance_m
	// column are fine.
	ds := awkwardDataset(t)
	data := writeCSV(t, ds.Incidents()[:1])
	data = append([]byte("\ufeff"), data...)
	if rows := readCSV(t, data, ds.Sites); len(rows) != 1 || rows[0].Err != nil || rows[0].Line != 2 {
		t.Errorf("with a BOM: %+v", rows)
	}
}

// FuzzCSVRows checks that no input makes the reader of our CSV panic or
// give a problem without a column and a line, and that what it accepts
// it writes back and reads back as the same incidents.
func FuzzCSVRows(f *testing.F) {
	sites, err := geo.DecodeSites(fixtures.Sites)
	if err != nil {
		f.Fatal(err)
	}
	ds := awkwardDataset(f)
	// One incident a seed: a whole file as one input makes each run, and
	// the minimising of what it finds, slow for no more coverage.
	for _, in := range ds.Incidents() {
		f.Add(writeCSV(f, []geo.Incident{in}))
	}
	header := strings.Join(geo.CSVColumns, ",") + "\r\n"
	f.Add([]byte(header))
	f.Add([]byte(header + "\"a\r\nb\",\"\"\"\"\r\n"))
	f.Add([]byte("\ufeff" + header))
	f.Fuzz(func(t *testing.T, data []byte) {
		var accepted []geo.Incident
		err := geo.EachCSVRow(bytes.NewReader(data), sites, func(c geo.Checked) error {
			if c.Line < 1 {
				t.Errorf("row %d at line %d", c.Index, c.Line)
			}
			if c.Err != nil {
				if c.Err.Field == "" || c.Err.Err == nil {
					t.Errorf("a problem without a column or a cause: %#v", c.Err)
				}
				return nil
			}
			accepted = append(accepted, c.Incident)
			return nil
		})
		if err != nil && errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("the reader's own EOF: %v", err)
		}
		if len(accepted) == 0 {
			return
		}
		again := readCSV(t, writeCSV(t, accepted), sites)
		if len(again) != len(accepted) {
			t.Fatalf("%d incidents read back, want %d", len(again), len(accepted))
		}
		for i := range accepted {
			if again[i].Err != nil {
				t.Fatalf("%s written does not read back: %v", accepted[i].ID, again[i].Err)
			}
			if got, want := geoJSON(t, &again[i].Incident), geoJSON(t, &accepted[i]); got != want {
				t.Fatalf("round trip changed it:\n got %s\nwant %s", got, want)
			}
		}
	})
}
