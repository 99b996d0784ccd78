package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
	"github.com/incidentmap/incidentmap/store"
	"github.com/incidentmap/incidentmap/store/storetest"
)

// getBody GETs url and returns its body, requiring a 200.
func getBody(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d, %v", url, resp.StatusCode, err)
	}
	return string(body)
}

// storeDataset is the store's data set at its head.
func storeDataset(t *testing.T, dsn string) *geo.Dataset {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.Dataset(context.Background(), headRevision(t, dsn))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// Our CSV export, as the server sends it (the streamed full export and a
// page of f=csv), imported into a fresh store, gives back every incident
// as it was served, field for field: the fixtures, and incidents whose
// texts are as awkward for CSV as they come (commas, quotes, line breaks,
// Arabic, HTML, formulas), null and zero casualties, no location.
func TestImportOwnCSVRoundTrip(t *testing.T) {
	data, err := synth.Join(fixtures.Incidents, synth.Awkward())
	if err != nil {
		t.Fatal(err)
	}
	served, err := geo.NewDataset(data, fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	addr, stop := start(t, []string{"-addr", "127.0.0.1:0", "-drain", "0s", "-data", writeFile(t, string(data))}, noEnv)
	defer stop()
	// A fresh store of each kind: SQLite, and PostgreSQL when there is
	// one (storetest.Postgres skips it on a laptop without, never in CI).
	stores := map[string]func(t *testing.T) string{
		"sqlite": func(t *testing.T) string { return filepath.Join(t.TempDir(), "store.db") },
		"postgres": func(t *testing.T) string {
			dsn, _, ok := storetest.Postgres(t)
			if !ok {
				t.Skip("no PostgreSQL")
			}
			return dsn
		},
	}
	for _, export := range []string{"/api/collections/incidents/items.csv", "/api/collections/incidents/items?f=csv&limit=1000"} {
		csv := getBody(t, "http://"+addr+export)
		for kind, fresh := range stores {
			t.Run(kind+export, func(t *testing.T) { roundTrip(t, fresh(t), csv, served) })
		}
	}
}

// roundTrip imports csv into the store at dsn and requires it to hold
// every incident of served as it was, and a second import to change
// nothing.
func roundTrip(t *testing.T, dsn, csv string, served *geo.Dataset) {
	t.Helper()
	out, err := importFile(t, dsn, csv, "-reason", "round trip")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	got := storeDataset(t, dsn)
	if got.Len() != served.Len() {
		t.Errorf("the store holds %d incidents, %d were served", got.Len(), served.Len())
	}
	for _, in := range served.Incidents() {
		was, err := in.AppendGeoJSON(nil, math.NaN())
		if err != nil {
			t.Fatal(err)
		}
		back, err := got.Incident(in.ID)
		if err != nil {
			t.Errorf("%s: %v", in.ID, err)
			continue
		}
		is, err := back.AppendGeoJSON(nil, math.NaN())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(was, is) {
			t.Errorf("%s changed on the way:\n was %s\n  is %s", in.ID, was, is)
		}
	}
	// Again: nothing changes.
	if out, err := importFile(t, dsn, csv, "-reason", "again"); err != nil || !strings.Contains(out, "nothing to import") {
		t.Errorf("second import: %q, %v", out, err)
	}
}

// acledFile is an ACLED export of two events, the first with a line
// break in its notes.
const acledFile = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,actor2,iso,country,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities,timestamp\r\n" +
	"IRQ1,21 November 2023,2023,1,Political violence,Explosions/Remote violence,Air/drone strike,Military Forces of the United States (2021-),Kataib Hezbollah,368,Iraq,Baghdad,Abu Ghraib,33.2923,44.0647,1,Reuters,\"On 21 November, a strike\nnear Abu Ghraib.\",1,1701100000\r\n" +
	"SYR2,2023-11-22,2023,1,Political violence,Battles,Armed clash,Unidentified Armed Group (Syria),,760,Syria,Hasakah,Al Shaddadi,36.0542,40.7297,2,SOHR,Clashes near Al Shaddadi.,0,1701200000\r\n"

// An ACLED file imports as one revision, told from its header; its
// problems are listed with their lines under -dry-run, and -format
// overrides what the header says.
func TestImportACLED(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "store.db")
	bad := strings.Replace(acledFile, "2023-11-22", "22/11/2023", 1)
	bad = strings.Replace(bad, ",1,Political violence,Battles", ",3,Political violence,Battles", 1)
	out, err := importFile(t, dsn, bad, "-dry-run")
	if err == nil || !strings.Contains(err.Error(), "1 problems") {
		t.Fatalf("dry run of a bad file: %v\n%s", err, out)
	}
	for _, want := range []string{"line 4:", "column event_date", `"22/11/2023"`, "column time_precision: 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("report does not say %s:\n%s", want, out)
		}
	}
	out, err = importFile(t, dsn, acledFile, "-reason", "ACLED, week of 20 November")
	if err != nil || !strings.Contains(out, fmt.Sprintf("revision %d: 2 to create", seededHead(t)+1)) {
		t.Fatalf("import: %q, %v", out, err)
	}
	ds := storeDataset(t, dsn)
	in, err := ds.Incident("acled-irq1")
	if err != nil || in.Killed == nil || *in.Killed != 1 || in.Country != "IQ" || in.Sources[0].Publisher != geo.ACLEDPublisher {
		t.Errorf("acled-irq1: %+v, %v", in, err)
	}
	if in, err := ds.Incident("acled-syr2"); err != nil || in.Killed != nil || in.GeoPrecision != geo.GeoRegion {
		t.Errorf("acled-syr2: %+v, %v; want killed null (ACLED's 0), region", in, err)
	}
	if out, err := importFile(t, dsn, acledFile, "-reason", "again"); err != nil || !strings.Contains(out, "nothing to import") {
		t.Errorf("the same file again: %q, %v", out, err)
	}

	for _, tt := range []struct {
		format, body, want string
	}{
		{"csv", acledFile, `no column "id"`},
		{"geojson", acledFile, "FeatureCollection"},
		{"kml", acledFile, "want geojson, csv or acled"},
		{"", "name,place\r\nx,y\r\n", "-format"},
	} {
		args := []string{"-dry-run"}
		if tt.format != "" {
			args = append(args, "-format", tt.format)
		}
		if _, err := importFile(t, dsn, tt.body, args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("-format %q: %v, want an error saying %s", tt.format, err, tt.want)
		}
	}
	// -format acled reads a file whose header would not say so.
	renamed := strings.Replace(acledFile, "IRQ1,", "IRQ3,", 1)
	if out, err := importFile(t, dsn, renamed, "-dry-run", "-format", "acled"); err != nil || !strings.Contains(out, "1 to create, 0 to update, 1 unchanged") {
		t.Errorf("-format acled: %q, %v", out, err)
	}
}

// An import larger than the bounds is refused, saying which.
func TestImportBounds(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "store.db")
	header := strings.Join(geo.CSVColumns, ",") + "\r\n"
	huge := header + "\"" + strings.Repeat("x", geo.MaxCSVRecordBytes) + "\"" + strings.Repeat(",", len(geo.CSVColumns)-1) + "\r\n"
	out, err := importFile(t, dsn, huge, "-dry-run")
	if err == nil || !strings.Contains(out, "line 2:") || !strings.Contains(out, fmt.Sprintf("at most %d", geo.MaxCSVRecordBytes)) {
		t.Errorf("a record of more than %d bytes: %q, %v", geo.MaxCSVRecordBytes, out, err)
	}
}

// BenchmarkPlanImport measures how fast an import reads and checks a
// file of 100,000 new incidents, by format.
func BenchmarkPlanImport(b *testing.B) {
	const n = 100_000
	current, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		b.Fatal(err)
	}
	data := synth.Incidents(n, 1)
	ds, err := geo.NewDataset(data, fixtures.Sites)
	if err != nil {
		b.Fatal(err)
	}
	var csv bytes.Buffer
	w, err := geo.NewCSVWriter(&csv, false)
	if err != nil {
		b.Fatal(err)
	}
	for _, in := range ds.Incidents() {
		if err := w.Write(geo.Match{Incident: &in}); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		format geo.Format
		data   []byte
	}{{geo.FormatGeoJSON, data}, {geo.FormatCSV, csv.Bytes()}} {
		b.Run(string(c.format), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				p, err := store.PlanImport(bytes.NewReader(c.data), c.format, current, nil)
				if err != nil || p.Created != n {
					b.Fatalf("%v, %+v", err, p.Problems)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
