package geo_test

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
)

// acledHeader is the header of an ACLED export (2023 onwards), more
// columns than the import reads.
const acledHeader = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type," +
	"actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region," +
	"country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes," +
	"fatalities,tags,timestamp\r\n"

// acledRow is a row of acledHeader's columns from its values by column.
func acledRow(values map[string]string) string {
	row := map[string]string{
		"event_id_cnty": "IRQ12345", "event_date": "21 November 2023", "year": "2023", "time_precision": "1",
		"disorder_type": "Political violence", "event_type": "Explosions/Remote violence", "sub_event_type": "Air/drone strike",
		"actor1": "Military Forces of the United States (2021-)", "actor2": "Kataib Hezbollah", "inter1": "8", "inter2": "3",
		"iso": "368", "region": "Middle East", "country": "Iraq", "admin1": "Baghdad", "admin2": "Abu Ghraib",
		"location": "Abu Ghraib", "latitude": "33.2923", "longitude": "44.0647", "geo_precision": "1",
		"source": "Reuters; Shafaq News", "source_scale": "National-International",
		"notes":      "On 21 November 2023, US forces struck a vehicle near Abu Ghraib (Baghdad). 1 fatality.",
		"fatalities": "1", "timestamp": "1701100000",
	}
	for k, v := range values {
		row[k] = v
	}
	var cells []string
	for _, name := range strings.Split(strings.TrimSuffix(acledHeader, "\r\n"), ",") {
		cells = append(cells, row[name])
	}
	b, _ := csvBytes([][]string{cells}) // strings always write
	return string(b)
}

func eachACLED(t *testing.T, data string) []geo.Checked {
	t.Helper()
	sites, err := geo.DecodeSites(fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	var rows []geo.Checked
	if err := geo.EachACLEDRow(strings.NewReader(data), sites, func(c geo.Checked) error {
		rows = append(rows, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return rows
}

// An ACLED row becomes the incident its codebook says it is, and no
// more: what ACLED does not say stays unknown.
func TestACLEDMapping(t *testing.T) {
	rows := eachACLED(t, acledHeader+acledRow(nil)+acledRow(map[string]string{
		"event_id_cnty": "SYR999", "event_date": "2023-11-22", "event_type": "Battles", "sub_event_type": "Armed clash",
		"actor2": "", "fatalities": "0", "geo_precision": "2", "iso": "", "country": "Syria", "location": "",
		"admin1": "Hasakah", "notes": "Clashes, \"heavy\",\nnear Al Shaddadi.",
	})+acledRow(map[string]string{"event_id_cnty": "IRQ7", "event_date": "05-12-2023", "geo_precision": "3",
		"latitude": "", "longitude": ""}))
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, c := range rows {
		if c.Err != nil {
			t.Fatalf("line %d: %v", c.Line, c.Err)
		}
	}
	one, two, three := rows[0].Incident, rows[1].Incident, rows[2].Incident
	killed := 1
	want := geo.Incident{
		ID: "acled-irq12345", Location: one.Location, Title: "Air/drone strike in Abu Ghraib",
		OccurredAt: time.Date(2023, 11, 21, 0, 0, 0, 0, time.UTC), TimePrecision: geo.TimeDay,
		EventType: "air_drone_strike", Place: "Abu Ghraib", Admin1: "Baghdad", Country: "IQ", GeoPrecision: geo.GeoTown,
		Killed:  &killed,
		Summary: "Actors named by ACLED, which does not say who did what: Military Forces of the United States (2021-); Kataib Hezbollah.",
		Sources: []geo.Source{{Publisher: "ACLED", Title: "ACLED event IRQ12345, from Reuters; Shafaq News",
			PublishedAt: time.Unix(1701100000, 0).UTC(),
			Quote:       "On 21 November 2023, US forces struck a vehicle near Abu Ghraib (Baghdad). 1 fatality."}},
	}
	if got, w := geoJSON(t, &one), geoJSON(t, &want); got != w {
		t.Errorf("first row:\n got %s\nwant %s", got, w)
	}
	if one.Location == nil || one.Location[0] != 44.0647 || one.Location[1] != 33.2923 {
		t.Errorf("location %v, want lon 44.0647, lat 33.2923", one.Location)
	}
	if len(one.Actors) != 0 || one.Injured != nil {
		t.Errorf("actors %v, injured %v: ACLED gives no roles and no injured", one.Actors, one.Injured)
	}
	if two.ID != "acled-syr999" || two.Country != "SY" || two.Killed != nil || two.GeoPrecision != geo.GeoRegion ||
		two.EventType != "armed_clash" || two.Title != "Armed clash in Hasakah" || rows[1].Line != 3 ||
		two.Sources[0].Quote != "Clashes, \"heavy\",\nnear Al Shaddadi." {
		t.Errorf("second row (line %d): %+v; want SY, killed null (ACLED's 0 is none reported), region, armed_clash, line 3", rows[1].Line, two)
	}
	if three.Location != nil || three.GeoPrecision != geo.GeoUnknown || !three.OccurredAt.Equal(time.Date(2023, 12, 5, 0, 0, 0, 0, time.UTC)) || rows[2].Line != 5 {
		t.Errorf("third row (line %d): location %v, %s, %s", rows[2].Line, three.Location, three.GeoPrecision, three.OccurredAt)
	}
}

// Every problem of an ACLED row names its line and the ACLED column.
func TestACLEDProblems(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]string
		wants  []string
	}{
		{"a US date", map[string]string{"event_date": "11/21/2023"}, []string{"column event_date", `"11/21/2023"`, "21 November 2023"}},
		{"a date in a week", map[string]string{"time_precision": "2"}, []string{"column time_precision: 2", "refused"}},
		{"a date in a month", map[string]string{"time_precision": "3"}, []string{"column time_precision: 3"}},
		{"geo precision 4", map[string]string{"geo_precision": "4"}, []string{"column geo_precision", `"4"`}},
		{"fatalities in words", map[string]string{"fatalities": "several"}, []string{"column fatalities", `"several"`}},
		{"no notes", map[string]string{"notes": ""}, []string{"column notes: missing"}},
		{"no timestamp", map[string]string{"timestamp": ""}, []string{"column timestamp"}},
		{"no such country", map[string]string{"iso": "999"}, []string{"column iso, country", `"999"`}},
		{"a name for no country", map[string]string{"iso": "", "country": "Atlantis"}, []string{"column iso, country", "Atlantis"}},
		{"latitude past the pole", map[string]string{"latitude": "91"}, []string{"column latitude, longitude", "91"}},
		{"no event id", map[string]string{"event_id_cnty": ""}, []string{"column event_id_cnty: missing"}},
		{"two at once", map[string]string{"event_date": "soon", "fatalities": "-3"}, []string{"column event_date", "column fatalities"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A quoted line break in the first row: the second starts on
			// line 4.
			rows := eachACLED(t, acledHeader+acledRow(map[string]string{"notes": "two\nlines"})+acledRow(tt.values))
			if rows[0].Err != nil {
				t.Fatalf("first row: %v", rows[0].Err)
			}
			c := rows[1]
			if c.Err == nil {
				t.Fatalf("no problem: %+v", c.Incident)
			}
			if c.Line != 4 {
				t.Errorf("line %d, want 4", c.Line)
			}
			for _, want := range tt.wants {
				if !strings.Contains(c.Err.Error(), want) {
					t.Errorf("%q does not say %s", c.Err, want)
				}
			}
		})
	}
	for _, tt := range []struct{ name, data, want string }{
		{"no country column", strings.Replace(strings.Replace(acledHeader, ",iso,", ",", 1), ",country,", ",", 1), `"iso" or "country"`},
		{"no notes column", strings.Replace(acledHeader, ",notes,", ",", 1), `no column "notes"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := geo.EachACLEDRow(strings.NewReader(tt.data), nil, func(geo.Checked) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %s", err, tt.want)
			}
		})
	}
}

func TestACLEDIDAndEventType(t *testing.T) {
	for in, want := range map[string]string{"IRQ12345": "acled-irq12345", "SYR 9/1": "acled-syr-9-1", "  x--y ": "acled-x-y"} {
		if got := geo.ACLEDID(in); got != want {
			t.Errorf("ACLEDID(%q) = %q, want %q", in, got, want)
		}
	}
	for sub, want := range map[string]string{
		"Air/drone strike":                    "air_drone_strike",
		"Shelling/artillery/missile attack":   "shelling_artillery_missile_attack",
		"Remote explosive/landmine/IED":       "remote_explosive_landmine_ied",
		"Non-state actor overtakes territory": "non_state_actor_overtakes_territory",
	} {
		if got := geo.ACLEDEventType("x", sub); got != want || !geo.ValidEventType(got) {
			t.Errorf("ACLEDEventType(%q) = %q, want %q", sub, got, want)
		}
	}
	if got := geo.ACLEDEventType("Protests", ""); got != "protests" {
		t.Errorf("without a sub-event type: %q", got)
	}
}

// FuzzACLEDRows checks that no input makes the ACLED reader panic or give
// a problem without a column, and that every incident it makes loads as
// GeoJSON does: the mapping never makes what the data model refuses.
func FuzzACLEDRows(f *testing.F) {
	sites, err := geo.DecodeSites(fixtures.Sites)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(acledHeader + acledRow(nil)))
	f.Add([]byte(acledHeader + acledRow(map[string]string{"event_date": "2023-02-30", "latitude": "", "iso": "", "country": "Syria"})))
	f.Add([]byte(acledHeader + acledRow(map[string]string{"time_precision": "2", "fatalities": "0", "notes": "a\r\nb"})))
	f.Add([]byte("\ufeff" + acledHeader))
	f.Fuzz(func(t *testing.T, data []byte) {
		var made []geo.Incident
		_ = geo.EachACLEDRow(bytes.NewReader(data), sites, func(c geo.Checked) error {
			if c.Err != nil {
				if c.Err.Field == "" || c.Err.Err == nil {
					t.Errorf("a problem without a column or a cause: %#v", c.Err)
				}
				return nil
			}
			made = append(made, c.Incident)
			return nil
		})
		if len(made) == 0 {
			return
		}
		buf := []byte(`{"type":"FeatureCollection","features":[`)
		seen := map[string]bool{}
		n := 0
		for i := range made {
			if seen[made[i].ID] {
				continue // ids used once is the import's to check
			}
			seen[made[i].ID] = true
			if n > 0 {
				buf = append(buf, ',')
			}
			n++
			var err error
			if buf, err = made[i].AppendGeoJSON(buf, math.NaN()); err != nil {
				t.Fatal(err)
			}
		}
		buf = append(buf, "]}"...)
		if _, err := geo.DecodeIncidents(buf, fixtureSites(t)); err != nil {
			t.Fatalf("an incident made from ACLED does not load: %v", err)
		}
	})
}
