package geo

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"testing"
	"time"
)

// Every fixture incident's properties are written as encoding/json
// writes them, with and without a distance.
func TestIncidentPropsJSONFixtures(t *testing.T) {
	incidents, err := os.Open("../fixtures/incidents.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer incidents.Close()
	sites, err := os.ReadFile("../fixtures/sites.geojson")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := LoadDataset(incidents, sites)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range ds.Incidents() {
		p := in.props()
		checkPropsJSON(t, &p)
		d := 1234.0
		p.DistanceM = &d
		checkPropsJSON(t, &p)
		n++
	}
	if n == 0 {
		t.Fatal("no fixture incidents")
	}
}

// checkPropsJSON fails t when appendJSON and json.Marshal disagree on p.
func checkPropsJSON(t *testing.T, p *incidentProps) {
	t.Helper()
	want, wantErr := json.Marshal(p)
	got, gotErr := p.appendJSON(nil)
	if (wantErr != nil) != (gotErr != nil) {
		t.Fatalf("errors differ: json.Marshal %v, appendJSON %v", wantErr, gotErr)
	}
	if wantErr == nil && !bytes.Equal(got, want) {
		t.Fatalf("appendJSON wrote\n%s\njson.Marshal\n%s", got, want)
	}
}

// FuzzIncidentPropsJSON compares appendJSON with json.Marshal on
// properties made of any text, numbers and times.
func FuzzIncidentPropsJSON(f *testing.F) {
	f.Add("Rockets at <Ain> Al Asad & \"more\"", "قاعدة عين الأسد", "line\nbreak\t\u2028\x01\xff", 3, -1, 1234.0, int64(1700000000), "")
	f.Add("", "", "", 0, 0, 1e-7, int64(-62135596800), "https://example.org/?a=1&b=2")
	f.Add("\\", "\u2029", "\x7f\u00e9", 1<<40, 7, 1e21, int64(253402300800), "x")
	f.Fuzz(func(t *testing.T, a, b, c string, injured, killed int, distance float64, unix int64, url string) {
		site := b + c
		p := incidentProps{
			Title: a, OccurredAt: b, TimePrecision: TimePrecision(c), EventType: a + c,
			Actors: []Actor{{Name: a, Role: b}, {Name: c}}, Site: &site,
			Place: c, PlaceAR: b, Admin1: a, Country: c, GeoPrecision: GeoPrecision(a),
			Injured: &injured, Summary: a + b + c,
			Sources: []Source{{Publisher: a, Title: b, URL: url, PublishedAt: time.Unix(unix, int64(injured)%1e9).UTC(), Quote: c},
				{Publisher: c, PublishedAt: time.Unix(unix, 0).In(time.FixedZone("", int(unix%86400)))}},
			Related: []string{a, b, c},
		}
		if killed >= 0 {
			p.Killed = &killed
		}
		if !math.IsNaN(distance) {
			p.DistanceM = &distance
		}
		checkPropsJSON(t, &p)
		p.Actors, p.Site, p.Sources, p.Related, p.Injured = nil, nil, nil, nil, nil
		checkPropsJSON(t, &p)
	})
}
