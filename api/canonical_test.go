package api

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// FuzzCanonicalItems checks the cache key of an incidents /items request
// both ways: requests that parse alike share a key, requests that parse
// apart never do. The canonical query reads back as the very request it
// was written from, which is what makes the key one-to-one.
func FuzzCanonicalItems(f *testing.F) {
	for _, q := range fuzzQueries {
		f.Add(q, "limit=010&"+q)
	}
	for _, pair := range [][2]string{
		{"limit=10", "limit=010"},
		{"bbox=40,32,46,37", "bbox=40,32,0,46,37,9"},
		{"bbox=-0,1,2,3", "bbox=0,1,2,3"},
		{"event_type=airstrike,missile_attack", "event_type=missile_attack,airstrike,airstrike"},
		{"datetime=2023-11-21T04:30:00+03:00", "datetime=2023-11-21T01:30:00Z"},
		{"datetime=2023-11-21", "datetime=2023-11-21T00:00:00Z/2023-11-21T23:59:59.999999999Z"},
		{"datetime=2023-11-21/..", "datetime=2023-11-21T00:00:00Z/"},
		{"lat=33.7860&lon=42.441&radius=5e4", "lat=33.786&lon=42.441&radius=50000"},
		{"f=json", "f=geojson"},
		{"limit=10000", "limit=99999"},
		{"limit=10", "limit=11"},
		{"located=false", "located=true"},
		{"located=false&limit=5", "limit=5&located=false"},
		{"datetime=0001-01-01T00:00:00Z", "datetime=../0001-01-01T00:00:00Z"},
		// Offsets that carry an instant out of RFC 3339's four-digit years.
		{"datetime=0000-01-01T00:00:00+01:00", "datetime=9999-12-31T23:59:59-05:00"},
	} {
		f.Add(pair[0], pair[1])
	}
	data := fixtureData(f)
	knownSite := func(id string) bool {
		_, err := data.Site(id)
		return err == nil
	}
	items := routeQuery(f, newTestServer(f), "/api/collections/:id/items", collIncidents)
	parse := func(raw string) (itemsRequest, bool) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return itemsRequest{}, false
		}
		format, err := items.check(v)
		if err != nil {
			return itemsRequest{}, false
		}
		r, err := parseItems(v, DefaultLimits, knownSite)
		r.format = format
		return r, err == nil
	}
	key := func(r itemsRequest) string { return keyRequest(itemsPath, r.values()) }
	f.Fuzz(func(t *testing.T, a, b string) {
		ra, okA := parse(a)
		rb, okB := parse(b)
		for _, c := range []struct {
			raw string
			r   itemsRequest
			ok  bool
		}{{a, ra, okA}, {b, rb, okB}} {
			if !c.ok {
				continue
			}
			canon := c.r.values().Encode()
			again, ok := parse(canon)
			if !ok || !reflect.DeepEqual(again, c.r) {
				t.Fatalf("%q: canonical %q reads back as %+v (ok %v), want %+v", c.raw, canon, again, ok, c.r)
			}
			if k := key(c.r); len(k) > maxKeyRequest && !strings.HasPrefix(k, "sha256:") {
				t.Fatalf("%q: key of %d bytes", c.raw, len(k))
			}
		}
		if !okA || !okB {
			return
		}
		sameParse, sameKey := reflect.DeepEqual(ra, rb), key(ra) == key(rb)
		if sameParse != sameKey {
			t.Fatalf("%q and %q: parse alike %v, share a key %v\n%+v\n%+v", a, b, sameParse, sameKey, ra, rb)
		}
	})
}
