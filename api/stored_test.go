package api

import (
	"bytes"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestStoredHeadersRoundTrip(t *testing.T) {
	for _, h := range []http.Header{
		{},
		{"Link": {`<http://example.com/a?b=1&c=2>; rel="next"; type="text/csv; charset=utf-8; header=present"`}},
		{"Link": {"<a>; rel=\"self\"", "<b>; rel=\"next\""}, "X-Other": {"1"}},
	} {
		body := []byte("{\"type\":\"FeatureCollection\"}\r\n\r\nafter a blank line")
		stored, err := withHeaders(h, body)
		if err != nil {
			t.Fatal(err)
		}
		gotH, gotBody, err := splitHeaders(stored)
		if err != nil {
			t.Fatalf("%v: %v", h, err)
		}
		if len(h) == 0 && len(gotH) == 0 {
			gotH = h
		}
		if !reflect.DeepEqual(gotH, h) || !bytes.Equal(gotBody, body) {
			t.Errorf("%v and %q read back as %v and %q", h, body, gotH, gotBody)
		}
		// Reading must leave the stored bytes as they were: the cache
		// hands the same slice to every hit.
		again, againBody, err := splitHeaders(stored)
		if err != nil || !reflect.DeepEqual(again, gotH) || !bytes.Equal(againBody, body) {
			t.Errorf("a second read differs: %v %q %v", again, againBody, err)
		}
	}
}

// FuzzSplitHeaders reads stored bytes as they might come back from a
// broken Redis: never a panic, and what it reads writes back the same.
func FuzzSplitHeaders(f *testing.F) {
	good, _ := withHeaders(http.Header{"Link": {"<a>; rel=\"next\""}}, []byte("body"))
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte("\x05Link:body"))
	f.Fuzz(func(t *testing.T, stored []byte) {
		h, body, err := splitHeaders(stored)
		if err != nil {
			return
		}
		again, err := withHeaders(h, body)
		if err != nil {
			t.Fatal(err)
		}
		h2, body2, err := splitHeaders(again)
		if err != nil || !bytes.Equal(body2, body) || len(h2) != len(h) {
			t.Fatalf("%q: read back %v %q (%v), first %v %q", stored, h2, body2, err, h, body)
		}
	})
}

// Every page of items, in every format, says where its neighbours are in
// a Link header (RFC 8288), as the GeoJSON says in its links.
func TestItemsLinkHeaders(t *testing.T) {
	s := newTestServer(t)
	for _, f := range []string{"", "csv", "kml"} {
		q := "?limit=2"
		if f != "" {
			q += "&f=" + f
		}
		for _, offset := range []string{"", "&offset=2", "&offset=4"} {
			link := get(t, s, itemsPath+q+offset).Header().Get("Link")
			hasNext := strings.Contains(link, `rel="next"`)
			if wantNext := offset != "&offset=4"; hasNext != wantNext {
				t.Errorf("f=%s%s: Link %q; next %v, want %v", f, offset, link, hasNext, wantNext)
			}
			if hasPrev := strings.Contains(link, `rel="prev"`); hasPrev != (offset != "") {
				t.Errorf("f=%s%s: Link %q; prev %v", f, offset, link, hasPrev)
			}
			if !strings.Contains(link, `rel="self"`) {
				t.Errorf("f=%s%s: no self in Link %q", f, offset, link)
			}
		}
	}
}
