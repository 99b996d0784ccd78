package geo_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
)

// testSource returns a valid source as decoded JSON.
func testSource() map[string]any {
	return map[string]any{
		"publisher":    "The National",
		"title":        "US strikes again at militants",
		"published_at": "2023-11-22T01:05:00+04:00",
		"quote":        "Pentagon spokesman Brig Gen Pat Ryder in a statement confirmed at least eight injuries.",
	}
}

// testIncident returns a valid incident feature as decoded JSON, with every
// property set.
func testIncident(id string) map[string]any {
	return map[string]any{
		"type": "Feature",
		"id":   id,
		"geometry": map[string]any{
			"type": "Point", "coordinates": []any{42.441, 33.786},
		},
		"properties": map[string]any{
			"title":          "Missile attack on Ain Al Asad Air Base",
			"occurred_at":    "2023-11-21T04:30:00+03:00",
			"time_precision": "exact",
			"event_type":     "missile_attack",
			"actors": []any{
				map[string]any{"name": "Kataib Hezbollah", "role": "perpetrator"},
				map[string]any{"name": "US forces", "role": "target"},
			},
			"site":          "al-asad",
			"place":         "Ain Al Asad Air Base",
			"place_ar":      "قاعدة عين الأسد الجوية",
			"admin1":        "Al Anbar",
			"country":       "IQ",
			"geo_precision": "near",
			"injured":       8,
			"killed":        nil,
			"summary":       "A close-range ballistic missile hit the base.",
			"sources":       []any{testSource(), testSource()},
			"related":       []any{},
		},
	}
}

// testSite returns a valid site feature as decoded JSON.
func testSite(id string) map[string]any {
	return map[string]any{
		"type": "Feature",
		"id":   id,
		"geometry": map[string]any{
			"type": "Point", "coordinates": []any{42.441, 33.786},
		},
		"properties": map[string]any{
			"name": "Ain Al Asad Air Base", "name_ar": "قاعدة عين الأسد الجوية",
			"kind": "air_base", "admin1": "Al Anbar", "country": "IQ",
		},
	}
}

func props(f map[string]any) map[string]any { return f["properties"].(map[string]any) }

func collection(t testing.TB, fs []map[string]any) []byte {
	t.Helper()
	data, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": fs})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fixtureSites returns the fixture sites by id, as DecodeIncidents wants.
func fixtureSites(t testing.TB) map[string]*geo.Site {
	t.Helper()
	sites, err := geo.DecodeSites(fixtures.Sites)
	if err != nil {
		t.Fatalf("fixture sites: %v", err)
	}
	m := make(map[string]*geo.Site, len(sites))
	for i := range sites {
		m[sites[i].ID] = &sites[i]
	}
	return m
}

// featureErrorCase breaks one feature of an otherwise valid collection of
// three (ids a-1, a-2, a-3) and names the error it must cause.
type featureErrorCase struct {
	name  string
	edit  func(fs []map[string]any)
	index int
	id    string
	field string
	// msg, when set, must appear in the error text.
	msg string
}

func TestDecodeIncidentsErrors(t *testing.T) {
	third := func(edit func(f, p map[string]any)) func([]map[string]any) {
		return func(fs []map[string]any) { edit(fs[2], props(fs[2])) }
	}
	cases := []featureErrorCase{
		{name: "missing id", edit: third(func(f, _ map[string]any) { delete(f, "id") }), index: 2, field: "id"},
		{name: "null id", edit: third(func(f, _ map[string]any) { f["id"] = nil }), index: 2, field: "id"},
		{name: "numeric id", edit: third(func(f, _ map[string]any) { f["id"] = 3 }), index: 2, field: "id"},
		{name: "empty id", edit: third(func(f, _ map[string]any) { f["id"] = "" }), index: 2, field: "id"},
		{name: "duplicate id", edit: third(func(f, _ map[string]any) { f["id"] = "a-1" }), index: 2, id: "a-1", field: "id", msg: "duplicate"},
		{name: "id not a slug", edit: third(func(f, _ map[string]any) { f["id"] = "Al_Asad" }), index: 2, id: "Al_Asad", field: "id"},
		{name: "id starting with hyphen", edit: third(func(f, _ map[string]any) { f["id"] = "-a-3" }), index: 2, id: "-a-3", field: "id"},
		{name: "not a Feature", edit: third(func(f, _ map[string]any) { f["type"] = "Point" }), index: 2, id: "a-3", field: "type"},
		{name: "unknown feature member", edit: third(func(f, _ map[string]any) { f["propertes"] = map[string]any{} }), index: 2, id: "a-3", field: "feature", msg: "propertes"},
		{name: "geometry Polygon", edit: third(func(f, _ map[string]any) {
			f["geometry"] = map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{42, 33}, {43, 33}, {43, 34}, {42, 33}}}}
		}), index: 2, id: "a-3", field: "geometry"},
		{name: "geometry LineString", edit: third(func(f, _ map[string]any) {
			f["geometry"] = map[string]any{"type": "LineString", "coordinates": [][]float64{{42, 33}, {43, 34}}}
		}), index: 2, id: "a-3", field: "geometry"},
		{name: "geometry MultiPoint of one", edit: third(func(f, _ map[string]any) {
			f["geometry"] = map[string]any{"type": "MultiPoint", "coordinates": []float64{42, 33}}
		}), index: 2, id: "a-3", field: "geometry", msg: "MultiPoint"},
		{name: "latitude 91", edit: third(func(f, _ map[string]any) {
			f["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{42, 91}}
		}), index: 2, id: "a-3", field: "geometry", msg: "latitude"},
		{name: "longitude -180.5", edit: third(func(f, _ map[string]any) {
			f["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{-180.5, 33}}
		}), index: 2, id: "a-3", field: "geometry", msg: "longitude"},
		{name: "one coordinate", edit: third(func(f, _ map[string]any) {
			f["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{42}}
		}), index: 2, id: "a-3", field: "geometry"},
		// NaN and Inf cannot be written in JSON, so no case for them.
		{name: "null geometry with geo_precision near", edit: third(func(f, _ map[string]any) { f["geometry"] = nil }),
			index: 2, id: "a-3", field: "properties.geo_precision"},
		{name: "Point with geo_precision unknown", edit: third(func(_, p map[string]any) { p["geo_precision"] = "unknown" }),
			index: 2, id: "a-3", field: "properties.geo_precision"},
		{name: "bad geo_precision", edit: third(func(_, p map[string]any) { p["geo_precision"] = "approximate" }),
			index: 2, id: "a-3", field: "properties.geo_precision"},
		{name: "misspelt property occured_at", edit: third(func(_, p map[string]any) { p["occured_at"] = p["occurred_at"] }),
			index: 2, id: "a-3", field: "properties.occured_at", msg: "occured_at"},
		// Names are matched as written: JSON's are case-sensitive.
		{name: "property in upper case", edit: third(func(_, p map[string]any) {
			p["TITLE"] = p["title"]
			delete(p, "title")
		}), index: 2, id: "a-3", field: "properties.TITLE", msg: `unknown property "TITLE"`},
		{name: "misspelt actor member", edit: third(func(_, p map[string]any) {
			p["actors"].([]any)[1].(map[string]any)["rol"] = "target"
		}), index: 2, id: "a-3", field: "properties.actors[1].rol", msg: `unknown member "rol"`},
		{name: "misspelt property after a mistyped one", edit: third(func(_, p map[string]any) { p["injured"], p["zz_misspelt"] = "eight", 1 }),
			index: 2, id: "a-3", field: "properties.injured"},
		{name: "missing title", edit: third(func(_, p map[string]any) { p["title"] = " " }), index: 2, id: "a-3", field: "properties.title"},
		{name: "time without zone", edit: third(func(_, p map[string]any) { p["occurred_at"] = "2023-11-21T04:30:00" }),
			index: 2, id: "a-3", field: "properties.occurred_at"},
		{name: "time with space", edit: third(func(_, p map[string]any) { p["occurred_at"] = "2023-11-21 04:30:00+03:00" }),
			index: 2, id: "a-3", field: "properties.occurred_at"},
		{name: "missing time", edit: third(func(_, p map[string]any) { delete(p, "occurred_at") }), index: 2, id: "a-3", field: "properties.occurred_at"},
		{name: "bad time_precision", edit: third(func(_, p map[string]any) { p["time_precision"] = "minute" }),
			index: 2, id: "a-3", field: "properties.time_precision"},
		{name: "bad event_type", edit: third(func(_, p map[string]any) { p["event_type"] = "Missile attack" }),
			index: 2, id: "a-3", field: "properties.event_type"},
		{name: "bad actor role", edit: third(func(_, p map[string]any) {
			p["actors"].([]any)[1].(map[string]any)["role"] = "victim"
		}), index: 2, id: "a-3", field: "properties.actors[1].role"},
		{name: "actor without name", edit: third(func(_, p map[string]any) {
			p["actors"].([]any)[0].(map[string]any)["name"] = ""
		}), index: 2, id: "a-3", field: "properties.actors[0].name"},
		{name: "unknown site", edit: third(func(_, p map[string]any) { p["site"] = "al-assad" }), index: 2, id: "a-3", field: "properties.site", msg: "al-assad"},
		{name: "three-letter country", edit: third(func(_, p map[string]any) { p["country"] = "IRQ" }), index: 2, id: "a-3", field: "properties.country"},
		{name: "lower-case country", edit: third(func(_, p map[string]any) { p["country"] = "iq" }), index: 2, id: "a-3", field: "properties.country"},
		{name: "negative injured", edit: third(func(_, p map[string]any) { p["injured"] = -1 }), index: 2, id: "a-3", field: "properties.injured"},
		{name: "negative killed", edit: third(func(_, p map[string]any) { p["killed"] = -3 }), index: 2, id: "a-3", field: "properties.killed"},
		{name: "injured as text", edit: third(func(_, p map[string]any) { p["injured"] = "eight" }), index: 2, id: "a-3", field: "properties.injured"},
		{name: "injured as fraction", edit: third(func(_, p map[string]any) { p["injured"] = 8.5 }), index: 2, id: "a-3", field: "properties.injured"},
		{name: "no sources", edit: third(func(_, p map[string]any) { p["sources"] = []any{} }), index: 2, id: "a-3", field: "properties.sources"},
		{name: "null sources", edit: third(func(_, p map[string]any) { p["sources"] = nil }), index: 2, id: "a-3", field: "properties.sources"},
		{name: "source without quote", edit: third(func(_, p map[string]any) {
			delete(p["sources"].([]any)[1].(map[string]any), "quote")
		}), index: 2, id: "a-3", field: "properties.sources[1].quote"},
		{name: "source with blank quote", edit: third(func(_, p map[string]any) {
			p["sources"].([]any)[0].(map[string]any)["quote"] = " \t"
		}), index: 2, id: "a-3", field: "properties.sources[0].quote"},
		{name: "source without publisher", edit: third(func(_, p map[string]any) {
			delete(p["sources"].([]any)[0].(map[string]any), "publisher")
		}), index: 2, id: "a-3", field: "properties.sources[0].publisher"},
		{name: "source without published_at", edit: third(func(_, p map[string]any) {
			delete(p["sources"].([]any)[1].(map[string]any), "published_at")
		}), index: 2, id: "a-3", field: "properties.sources[1].published_at"},
		{name: "distance_m stored", edit: third(func(_, p map[string]any) { p["distance_m"] = 12 }), index: 2, id: "a-3", field: "properties.distance_m"},
		{name: "related to unknown id", edit: func(fs []map[string]any) { props(fs[1])["related"] = []any{"a-3", "a-9"} },
			index: 1, id: "a-2", field: "properties.related", msg: "a-9"},
		{name: "related to itself", edit: func(fs []map[string]any) { props(fs[1])["related"] = []any{"a-2"} },
			index: 1, id: "a-2", field: "properties.related"},
		{name: "related twice", edit: func(fs []map[string]any) { props(fs[2])["related"] = []any{"a-1", "a-1"} },
			index: 2, id: "a-3", field: "properties.related"},
		// Limits (geo/limits.go): a file cannot make overlays or exports grow
		// without bound.
		{name: "title too long", edit: third(func(_, p map[string]any) { p["title"] = strings.Repeat("t", geo.MaxShortText+1) }),
			index: 2, id: "a-3", field: "properties.title", msg: "at most 500"},
		{name: "place_ar too long", edit: third(func(_, p map[string]any) { p["place_ar"] = strings.Repeat("ع", geo.MaxShortText/2+1) }),
			index: 2, id: "a-3", field: "properties.place_ar", msg: "502 bytes"},
		{name: "summary too long", edit: third(func(_, p map[string]any) { p["summary"] = strings.Repeat("s", geo.MaxLongText+1) }),
			index: 2, id: "a-3", field: "properties.summary"},
		{name: "actor name too long", edit: third(func(_, p map[string]any) {
			p["actors"].([]any)[1].(map[string]any)["name"] = strings.Repeat("n", geo.MaxShortText+1)
		}), index: 2, id: "a-3", field: "properties.actors[1].name"},
		{name: "quote too long", edit: third(func(_, p map[string]any) {
			p["sources"].([]any)[1].(map[string]any)["quote"] = strings.Repeat("q", geo.MaxLongText+1)
		}), index: 2, id: "a-3", field: "properties.sources[1].quote"},
		{name: "too many sources", edit: third(func(_, p map[string]any) {
			p["sources"] = slices.Repeat([]any{testSource()}, geo.MaxSources+1)
		}), index: 2, id: "a-3", field: "properties.sources", msg: "at most 20"},
		{name: "too many actors", edit: third(func(_, p map[string]any) {
			p["actors"] = slices.Repeat(p["actors"].([]any)[:1], geo.MaxActors+1)
		}), index: 2, id: "a-3", field: "properties.actors"},
		{name: "too many related", edit: func(fs []map[string]any) {
			props(fs[2])["related"] = slices.Repeat([]any{"a-1"}, geo.MaxRelated+1)
		}, index: 2, id: "a-3", field: "properties.related", msg: "at most 50"},
		{name: "javascript source url", edit: third(func(_, p map[string]any) {
			p["sources"].([]any)[0].(map[string]any)["url"] = "javascript:alert(1)"
		}), index: 2, id: "a-3", field: "properties.sources[0].url", msg: "javascript"},
		{name: "data source url", edit: third(func(_, p map[string]any) {
			p["sources"].([]any)[0].(map[string]any)["url"] = "data:text/html,<script>alert(1)</script>"
		}), index: 2, id: "a-3", field: "properties.sources[0].url"},
		{name: "relative source url", edit: third(func(_, p map[string]any) {
			p["sources"].([]any)[1].(map[string]any)["url"] = "/news/1"
		}), index: 2, id: "a-3", field: "properties.sources[1].url"},
		{name: "source url without host", edit: third(func(_, p map[string]any) {
			p["sources"].([]any)[1].(map[string]any)["url"] = "https:///x"
		}), index: 2, id: "a-3", field: "properties.sources[1].url", msg: "no host"},
	}
	sites := fixtureSites(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := []map[string]any{testIncident("a-1"), testIncident("a-2"), testIncident("a-3")}
			c.edit(fs)
			got, err := geo.DecodeIncidents(collection(t, fs), sites)
			checkFeatureError(t, err, c)
			if got != nil {
				t.Errorf("incidents = %d, want nil on error", len(got))
			}
		})
	}
}

func checkFeatureError(t *testing.T, err error, c featureErrorCase) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	var fe *geo.FeatureError
	if !errors.As(err, &fe) {
		t.Fatalf("error %q is not a *FeatureError", err)
	}
	if fe.Index != c.index || fe.ID != c.id || fe.Field != c.field {
		t.Errorf("error %q: Index, ID, Field = %d, %q, %q; want %d, %q, %q", err, fe.Index, fe.ID, fe.Field, c.index, c.id, c.field)
	}
	if fe.Err == nil {
		t.Errorf("error %q: FeatureError.Err is nil", err)
	}
	if c.msg != "" && !strings.Contains(err.Error(), c.msg) {
		t.Errorf("error %q does not mention %q", err, c.msg)
	}
}

func TestDecodeIncidentsValid(t *testing.T) {
	cases := []struct {
		name string
		edit func(f, p map[string]any)
		want func(t *testing.T, in geo.Incident)
	}{
		{name: "every property", edit: func(_, _ map[string]any) {}, want: func(t *testing.T, in geo.Incident) {
			if in.Location == nil || in.Location[0] != 42.441 || in.Location[1] != 33.786 {
				t.Errorf("Location = %v, want [42.441 33.786]", in.Location)
			}
			if in.Injured == nil || *in.Injured != 8 || in.Killed != nil {
				t.Errorf("Injured, Killed = %v, %v; want 8, nil", in.Injured, in.Killed)
			}
			want := time.Date(2023, 11, 21, 1, 30, 0, 0, time.UTC)
			if !in.OccurredAt.Equal(want) {
				t.Errorf("OccurredAt = %v, want %v", in.OccurredAt, want)
			}
			if _, off := in.OccurredAt.Zone(); off != 3*3600 {
				t.Errorf("OccurredAt offset = %d s, want the source's +03:00", off)
			}
		}},
		{name: "null geometry, unknown precision, null site", edit: func(f, p map[string]any) {
			f["geometry"] = nil
			p["geo_precision"] = "unknown"
			p["site"] = nil
		}, want: func(t *testing.T, in geo.Incident) {
			if in.Location != nil || in.Site != "" {
				t.Errorf("Location, Site = %v, %q; want nil, empty", in.Location, in.Site)
			}
		}},
		{name: "zero casualties are kept", edit: func(_, p map[string]any) { p["injured"], p["killed"] = 0, 0 },
			want: func(t *testing.T, in geo.Incident) {
				if in.Injured == nil || *in.Injured != 0 || in.Killed == nil || *in.Killed != 0 {
					t.Errorf("Injured, Killed = %v, %v; want 0, 0 (reported as none, not unknown)", in.Injured, in.Killed)
				}
			}},
		{name: "optional properties left out", edit: func(_, p map[string]any) {
			for _, k := range []string{"actors", "site", "place", "place_ar", "admin1", "injured", "killed", "summary", "related"} {
				delete(p, k)
			}
		}, want: func(t *testing.T, in geo.Incident) {
			if in.Injured != nil || in.Killed != nil || len(in.Actors) != 0 || len(in.Related) != 0 {
				t.Errorf("Injured, Killed, Actors, Related = %v, %v, %v, %v; want unknown and empty", in.Injured, in.Killed, in.Actors, in.Related)
			}
		}},
		{name: "third coordinate ignored", edit: func(f, _ map[string]any) {
			f["geometry"] = map[string]any{"type": "Point", "coordinates": []any{-180, -90, 35}}
		}, want: func(t *testing.T, in geo.Incident) {
			if in.Location == nil || in.Location[0] != -180 || in.Location[1] != -90 {
				t.Errorf("Location = %v, want [-180 -90]", in.Location)
			}
		}},
	}
	sites := fixtureSites(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := testIncident("a-1")
			c.edit(f, props(f))
			got, err := geo.DecodeIncidents(collection(t, []map[string]any{f}), sites)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].ID != "a-1" {
				t.Fatalf("decoded %d incidents, want a-1 alone", len(got))
			}
			c.want(t, got[0])
		})
	}
}

func TestDecodeCollectionErrors(t *testing.T) {
	cases := []struct {
		name string
		data string
	}{
		{"empty", ``},
		{"not JSON", `{"type":`},
		{"a Feature", `{"type":"Feature","geometry":null,"properties":{}}`},
		{"no type", `{"features":[]}`},
		{"features not an array", `{"type":"FeatureCollection","features":{}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := geo.DecodeIncidents([]byte(c.data), nil); err == nil {
				t.Error("DecodeIncidents: no error")
			}
			if _, err := geo.DecodeSites([]byte(c.data)); err == nil {
				t.Error("DecodeSites: no error")
			}
		})
	}
}

func TestDecodeSitesErrors(t *testing.T) {
	third := func(edit func(f, p map[string]any)) func([]map[string]any) {
		return func(fs []map[string]any) { edit(fs[2], props(fs[2])) }
	}
	cases := []featureErrorCase{
		{name: "missing id", edit: third(func(f, _ map[string]any) { delete(f, "id") }), index: 2, field: "id"},
		{name: "id not a slug", edit: third(func(f, _ map[string]any) { f["id"] = "Al Asad" }), index: 2, id: "Al Asad", field: "id"},
		{name: "duplicate id", edit: third(func(f, _ map[string]any) { f["id"] = "s-2" }), index: 2, id: "s-2", field: "id", msg: "duplicate"},
		{name: "not a Feature", edit: third(func(f, _ map[string]any) { f["type"] = "Site" }), index: 2, id: "s-3", field: "type"},
		{name: "null geometry", edit: third(func(f, _ map[string]any) { f["geometry"] = nil }), index: 2, id: "s-3", field: "geometry"},
		{name: "latitude 91", edit: third(func(f, _ map[string]any) {
			f["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{42, 91}}
		}), index: 2, id: "s-3", field: "geometry"},
		{name: "missing name", edit: third(func(_, p map[string]any) { delete(p, "name") }), index: 2, id: "s-3", field: "properties.name"},
		{name: "bad country", edit: third(func(_, p map[string]any) { p["country"] = "Iraq" }), index: 2, id: "s-3", field: "properties.country"},
		{name: "unknown property", edit: third(func(_, p map[string]any) { p["nmae_ar"] = "x" }), index: 2, id: "s-3", field: "properties.nmae_ar", msg: "nmae_ar"},
		{name: "name as number", edit: third(func(_, p map[string]any) { p["name"] = 7 }), index: 2, id: "s-3", field: "properties.name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := []map[string]any{testSite("s-1"), testSite("s-2"), testSite("s-3")}
			c.edit(fs)
			got, err := geo.DecodeSites(collection(t, fs))
			checkFeatureError(t, err, c)
			if got != nil {
				t.Errorf("sites = %d, want nil on error", len(got))
			}
		})
	}
}

// encodeIncidents writes incidents as a FeatureCollection with
// Incident.AppendGeoJSON.
func encodeIncidents(t testing.TB, ins []geo.Incident) []byte {
	t.Helper()
	buf := []byte(`{"type":"FeatureCollection","features":[`)
	for i := range ins {
		if i > 0 {
			buf = append(buf, ',')
		}
		var err error
		if buf, err = ins[i].AppendGeoJSON(buf, math.NaN()); err != nil {
			t.Fatalf("AppendGeoJSON(%s): %v", ins[i].ID, err)
		}
	}
	return append(buf, "]}"...)
}

// coordTolerance is how far a coordinate may move on encoding, which
// rounds to 7 decimals on purpose.
const coordTolerance = 0.5e-7 + 1e-12

// incidentDiff describes how b differs from a, or returns "" when they
// are the same incident: times equal and in the same offset, coordinates
// equal to the 7 decimals the encoder writes, nil and empty lists alike.
func incidentDiff(a, b geo.Incident) string {
	var diffs []string
	sameTime := func(name string, x, y time.Time) {
		_, xo := x.Zone()
		_, yo := y.Zone()
		if !x.Equal(y) || xo != yo {
			diffs = append(diffs, fmt.Sprintf("%s %s != %s", name, x.Format(time.RFC3339Nano), y.Format(time.RFC3339Nano)))
		}
	}
	sameTime("occurred_at", a.OccurredAt, b.OccurredAt)
	a.OccurredAt, b.OccurredAt = time.Time{}, time.Time{}
	if len(a.Sources) == len(b.Sources) {
		a.Sources = append([]geo.Source(nil), a.Sources...)
		b.Sources = append([]geo.Source(nil), b.Sources...)
		for i := range a.Sources {
			sameTime(fmt.Sprintf("sources[%d].published_at", i), a.Sources[i].PublishedAt, b.Sources[i].PublishedAt)
			a.Sources[i].PublishedAt, b.Sources[i].PublishedAt = time.Time{}, time.Time{}
		}
	}
	switch {
	case (a.Location == nil) != (b.Location == nil):
		diffs = append(diffs, fmt.Sprintf("location %v != %v", a.Location, b.Location))
	case a.Location != nil:
		if math.Abs(a.Location[0]-b.Location[0]) > coordTolerance || math.Abs(a.Location[1]-b.Location[1]) > coordTolerance {
			diffs = append(diffs, fmt.Sprintf("location %v != %v", *a.Location, *b.Location))
		}
	}
	a.Location, b.Location = nil, nil
	if len(a.Actors) == 0 && len(b.Actors) == 0 {
		a.Actors, b.Actors = nil, nil
	}
	if len(a.Related) == 0 && len(b.Related) == 0 {
		a.Related, b.Related = nil, nil
	}
	if !reflect.DeepEqual(a, b) {
		diffs = append(diffs, fmt.Sprintf("%+v\n!= %+v", a, b))
	}
	return strings.Join(diffs, "; ")
}

func TestIncidentGeoJSONRoundTrip(t *testing.T) {
	withTime := func(id, at, precision string) map[string]any {
		f := testIncident(id)
		props(f)["occurred_at"], props(f)["time_precision"] = at, precision
		return f
	}
	utc := withTime("utc-time", "2023-11-21T01:30:00Z", "hour")
	unknown := testIncident("no-location")
	unknown["geometry"] = nil
	props(unknown)["geo_precision"], props(unknown)["site"] = "unknown", nil
	props(unknown)["injured"], props(unknown)["killed"] = nil, 0
	props(unknown)["related"], props(utc)["related"] = []any{"utc-time"}, []any{"no-location"}
	extra := []map[string]any{
		utc,
		withTime("half-hour-zone", "2023-11-21T04:30:00+03:30", "day"),
		withTime("fractional-seconds", "2023-11-21T04:30:00.25+03:00", "exact"),
		unknown,
	}

	cases := []struct {
		name string
		data []byte
	}{
		{"fixtures", fixtures.Incidents},
		{"hand-made", collection(t, extra)},
		{"generated, full-precision coordinates", generateIncidents(fixtureSiteIDs(t), genConfig{n: 500, seed: 13, area: benchArea, varied: true})},
	}
	sites := fixtureSites(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			first, err := geo.DecodeIncidents(c.data, sites)
			if err != nil {
				t.Fatal(err)
			}
			encoded := encodeIncidents(t, first)
			if !json.Valid(encoded) {
				t.Fatalf("encoding is not valid JSON:\n%s", encoded)
			}
			second, err := geo.DecodeIncidents(encoded, sites)
			if err != nil {
				t.Fatalf("decoding the encoding: %v\n%s", err, encoded)
			}
			if len(second) != len(first) {
				t.Fatalf("%d incidents after the round trip, want %d", len(second), len(first))
			}
			for i := range first {
				if d := incidentDiff(first[i], second[i]); d != "" {
					t.Errorf("%s changed in the round trip: %s", first[i].ID, d)
				}
			}
		})
	}
}

func TestIncidentAppendGeoJSONDistance(t *testing.T) {
	ins, err := geo.DecodeIncidents(fixtures.Incidents, fixtureSites(t))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   float64
		want any // the distance_m property, nil when left out
	}{
		{"NaN leaves it out", math.NaN(), nil},
		{"zero", 0, 0.0},
		{"rounded to whole metres", 1234.5, 1235.0},
		{"rounded down", 49999.4, 49999.0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			buf, err := ins[0].AppendGeoJSON(nil, c.in)
			if err != nil {
				t.Fatal(err)
			}
			var f struct {
				Properties map[string]any `json:"properties"`
			}
			if err := json.Unmarshal(buf, &f); err != nil {
				t.Fatalf("%v\n%s", err, buf)
			}
			got, ok := f.Properties["distance_m"]
			if c.want == nil {
				if ok {
					t.Errorf("distance_m = %v, want it left out", got)
				}
				return
			}
			if got != c.want {
				t.Errorf("distance_m = %v, want %v", got, c.want)
			}
		})
	}
}
