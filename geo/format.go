package geo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
)

// Format is a form of file that incidents are imported from.
type Format string

// The formats an import reads.
const (
	FormatGeoJSON Format = "geojson" // a FeatureCollection of incidents
	FormatCSV     Format = "csv"     // our CSV export (csv.go)
	FormatACLED   Format = "acled"   // ACLED-style CSV (acled.go)
)

// ParseFormat reads a format's name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatGeoJSON, FormatCSV, FormatACLED:
		return f, nil
	}
	return "", fmt.Errorf("format: want geojson, csv or acled, got %q", s)
}

// DetectBytes is how much of the start of a file DetectFormat is given:
// a header row and more.
const DetectBytes = 64 << 10

// DetectFormat tells the format of a file from its first bytes: GeoJSON
// when it starts with "{", our CSV when the header row names every
// column of ours, ACLED's when it has event_id_cnty. It needs a CSV's
// header row: the first DetectBytes of a file are enough.
func DetectFormat(head []byte) (Format, error) {
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return FormatGeoJSON, nil
	}
	header, err := csv.NewReader(bytes.NewReader(head)).Read()
	if err != nil && len(header) == 0 {
		return "", fmt.Errorf("format: neither GeoJSON (no \"{\") nor CSV (%v); use -format", err)
	}
	ours := true
	for _, c := range CSVColumns {
		ours = ours && slices.Contains(header, c)
	}
	switch {
	case ours:
		return FormatCSV, nil
	case slices.Contains(header, "event_id_cnty"):
		return FormatACLED, nil
	case slices.Contains(header, "id") && slices.Contains(header, "occurred_at"):
		return "", fmt.Errorf("format: a CSV with our columns but not %q: an export from before the import read CSV; export it again", "sources_json")
	}
	return "", fmt.Errorf("format: a CSV header with neither our columns (id, …, sources_json) nor ACLED's (event_id_cnty, …); use -format")
}

// EachIncident reads a file of incidents in format f and calls fn with
// each in turn, checked against the data model on its own (see
// EachFeature, EachCSVRow, EachACLEDRow).
func EachIncident(r io.Reader, f Format, sites []Site, fn func(Checked) error) error {
	switch f {
	case FormatGeoJSON:
		return EachFeature(&limitedReader{r: r, n: MaxDataBytes}, sites, fn)
	case FormatCSV:
		return EachCSVRow(r, sites, fn)
	case FormatACLED:
		return EachACLEDRow(r, sites, fn)
	}
	return fmt.Errorf("format: unknown %q", f)
}
