package geo_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
)

// FuzzDecodeIncidents checks that no input makes DecodeIncidents panic,
// that what it accepts it can write back as valid GeoJSON, and that what
// it writes it reads back as the same incidents.
func FuzzDecodeIncidents(f *testing.F) {
	sites := fixtureSites(f)
	f.Add(fixtures.Incidents)
	one := testIncident("a-1")
	f.Add(collection(f, []map[string]any{one}))
	broken := []func(f, p map[string]any){
		func(f, _ map[string]any) { f["geometry"] = nil },
		func(_, p map[string]any) { p["geo_precision"] = "unknown" },
		func(_, p map[string]any) { p["related"] = []any{"a-1"} },
		func(_, p map[string]any) { p["injured"] = -1 },
		func(_, p map[string]any) { p["sources"] = []any{} },
		func(_, p map[string]any) { p["occured_at"] = "2023-11-21T04:30:00+03:00" },
		func(_, p map[string]any) { p["site"] = "nowhere" },
	}
	for _, edit := range broken {
		g := testIncident("a-1")
		edit(g, props(g))
		f.Add(collection(f, []map[string]any{g}))
	}
	f.Add(fixtures.Incidents[:len(fixtures.Incidents)/2])
	f.Add([]byte(`{"type":"FeatureCollection","features":[]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[null]}`))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"x","geometry":{"type":"Point","coordinates":[1e400,0]},"properties":{}}]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		first, err := geo.DecodeIncidents(data, sites)
		if err != nil {
			if first != nil {
				t.Errorf("%d incidents returned with the error %v", len(first), err)
			}
			var fe *geo.FeatureError
			if errors.As(err, &fe) && (fe.Field == "" || fe.Err == nil) {
				t.Errorf("FeatureError without a field or a cause: %#v", fe)
			}
			return
		}
		for i := range first {
			buf, err := first[i].AppendGeoJSON(nil, 1234.5)
			if err != nil {
				t.Fatalf("AppendGeoJSON(%s): %v", first[i].ID, err)
			}
			if !json.Valid(buf) {
				t.Fatalf("AppendGeoJSON(%s) is not valid JSON: %s", first[i].ID, buf)
			}
		}
		encoded := encodeIncidents(t, first)
		if !json.Valid(encoded) {
			t.Fatalf("not valid JSON: %s", encoded)
		}
		second, err := geo.DecodeIncidents(encoded, sites)
		if err != nil {
			t.Fatalf("what was written does not load: %v\n%s", err, encoded)
		}
		if len(second) != len(first) {
			t.Fatalf("%d incidents read back, want %d", len(second), len(first))
		}
		for i := range first {
			if d := incidentDiff(first[i], second[i]); d != "" {
				t.Fatalf("%s changed in the round trip: %s", first[i].ID, d)
			}
		}
		// Written once, the data is in its final form: writing it again
		// gives the same bytes.
		if again := encodeIncidents(t, second); !bytes.Equal(again, encoded) {
			t.Fatalf("second encoding differs:\n%s\n%s", encoded, again)
		}
	})
}

// FuzzDecodeSites checks that no input makes DecodeSites panic, that a
// refusal names its field, and that what it accepts is valid.
func FuzzDecodeSites(f *testing.F) {
	f.Add(fixtures.Sites)
	f.Add(collection(f, []map[string]any{testSite("s-1"), testSite("s-2")}))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":null,"properties":{}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sites, err := geo.DecodeSites(data)
		if err != nil {
			var fe *geo.FeatureError
			if errors.As(err, &fe) && (fe.Field == "" || fe.Err == nil) {
				t.Errorf("FeatureError without a field or a cause: %#v", fe)
			}
			return
		}
		for _, s := range sites {
			if !geo.ValidID(s.ID) || !geo.ValidCountry(s.Country) || s.Name == "" {
				t.Errorf("accepted an invalid site %+v", s)
			}
		}
	})
}
