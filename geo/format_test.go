package geo_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
)

func TestDetectFormat(t *testing.T) {
	ours := strings.Join(geo.CSVColumns, ",") + "\r\n"
	tests := []struct {
		name, head string
		want       geo.Format
		err        string
	}{
		{"geojson", string(fixtures.Incidents), geo.FormatGeoJSON, ""},
		{"geojson after a BOM and space", "\ufeff \n{", geo.FormatGeoJSON, ""},
		{"our csv", ours, geo.FormatCSV, ""},
		{"our csv, columns in another order", "sources_json," + strings.Replace(ours, ",sources_json", "", 1), geo.FormatCSV, ""},
		{"our csv of a radius query", strings.TrimSuffix(ours, "\r\n") + ",distance_m\r\n", geo.FormatCSV, ""},
		{"acled", acledHeader, geo.FormatACLED, ""},
		{"acled, a header cut off", acledHeader[:40], geo.FormatACLED, ""},
		{"an old export of ours", "id,title,occurred_at,lon,lat\r\n", "", "export it again"},
		{"some other csv", "name,place\r\n", "", "-format"},
		{"empty", "", "", "-format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := geo.DetectFormat([]byte(tt.head))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("got %q, %v; want an error saying %s", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// FuzzDetectFormat checks that no first bytes make DetectFormat panic,
// and that a file it calls our CSV has the header our reader wants.
func FuzzDetectFormat(f *testing.F) {
	f.Add([]byte(strings.Join(geo.CSVColumns, ",") + "\r\n"))
	f.Add([]byte(acledHeader))
	f.Add([]byte(`{"type":"FeatureCollection"`))
	f.Add([]byte("\"id\r\n"))
	f.Fuzz(func(t *testing.T, head []byte) {
		format, err := geo.DetectFormat(head)
		if err != nil {
			if format != "" {
				t.Errorf("format %q with the error %v", format, err)
			}
			return
		}
		if format != geo.FormatCSV {
			return
		}
		err = geo.EachCSVRow(bytes.NewReader(head), nil, func(geo.Checked) error { return nil })
		if err != nil && strings.Contains(err.Error(), "no column") {
			t.Errorf("called our CSV, but %v", err)
		}
	})
}
