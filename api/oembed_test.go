package api

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// oembedAnswer is what the tests read of an oEmbed response.
type oembedAnswer struct {
	Version, Type, Title, HTML string
	ProviderName               string `json:"provider_name"`
	ProviderURL                string `json:"provider_url"`
	Width, Height              int
	ThumbnailURL               string `json:"thumbnail_url"`
}

var iframeSrc = regexp.MustCompile(`^<iframe src="([^"]+)" width="(\d+)" height="(\d+)" `)

func TestOEmbed(t *testing.T) {
	s := newTestServer(t)
	page := url.QueryEscape("http://example.com/?center=33.5,43&zoom=7&layers=incidents&utm_source=x")
	wantSrc := "http://example.com/embed?center=33.5%2C43&layers=incidents&zoom=7"
	for _, tc := range []struct {
		name, query string
		header      []string
		w, h        int
		src         string
	}{
		{"page URL", "url=" + page, nil, 600, 400, wantSrc},
		{"embed URL", "url=" + url.QueryEscape("http://example.com/embed?center=33.5,43&zoom=7&layers=incidents"), nil, 600, 400, wantSrc},
		{"format json", "format=json&url=" + page, nil, 600, 400, wantSrc},
		{"maxwidth", "maxwidth=300&url=" + page, nil, 300, 200, wantSrc},
		{"maxheight", "maxheight=100&url=" + page, nil, 150, 100, wantSrc},
		{"both, width tighter", "maxwidth=450&maxheight=390&url=" + page, nil, 450, 300, wantSrc},
		{"larger than the default", "maxwidth=2000&maxheight=2000&url=" + page, nil, 600, 400, wantSrc},
		{"bare host", "url=" + url.QueryEscape("http://example.com"), nil, 600, 400, "http://example.com/embed"},
		{"https page behind a proxy", "url=" + url.QueryEscape("https://maps.news.example/?lat=33.786&lon=42.441&radius=50000"),
			[]string{"X-Forwarded-Host", "maps.news.example", "X-Forwarded-Proto", "https"}, 600, 400,
			"https://maps.news.example/embed?lat=33.786&lon=42.441&radius=50000"},
		{"https URL, plain request", "url=" + url.QueryEscape("https://example.com:443/embed"), nil, 600, 400, "http://example.com/embed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s, "/oembed?"+tc.query, tc.header...)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var o oembedAnswer
			decodeJSON(t, rec.Body, &o)
			if o.Version != "1.0" || o.Type != "rich" || o.ProviderName != "incidentmap" || o.Title == "" || o.ProviderURL == "" {
				t.Errorf("response %+v", o)
			}
			if o.Width != tc.w || o.Height != tc.h {
				t.Errorf("size %dx%d, want %dx%d", o.Width, o.Height, tc.w, tc.h)
			}
			m := iframeSrc.FindStringSubmatch(o.HTML)
			if m == nil {
				t.Fatalf("html is not our iframe: %s", o.HTML)
			}
			if src := html.UnescapeString(m[1]); src != tc.src {
				t.Errorf("iframe src %s, want %s", src, tc.src)
			}
			if m[2] != strconv.Itoa(tc.w) || m[3] != strconv.Itoa(tc.h) {
				t.Errorf("iframe size %sx%s, want %dx%d", m[2], m[3], tc.w, tc.h)
			}
			if !strings.Contains(o.ThumbnailURL, "/api/static.png?") {
				t.Errorf("thumbnail_url %q", o.ThumbnailURL)
			}
		})
	}
}

// The iframe's HTML is the same bytes a consumer has always been given:
// attributes in this order, the src's & escaped once.
func TestOEmbedHTML(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		name, query string
		header      []string
		want        string
	}{
		{"view", "maxwidth=300&url=" + url.QueryEscape("http://example.com/?center=33.5,43&zoom=7&layers=incidents,rings&datetime=2023-11-21T12:00:00Z/..&lat=33.786&lon=42.441&radius=50000"), nil,
			`<iframe src="http://example.com/embed?center=33.5%2C43&amp;datetime=2023-11-21T12%3A00%3A00Z%2F..&amp;lat=33.786&amp;layers=incidents%2Crings&amp;lon=42.441&amp;radius=50000&amp;zoom=7" width="300" height="200" title="incidentmap: sourced conflict incidents" style="border:0" loading="lazy" allowfullscreen></iframe>`},
		{"bare", "url=" + url.QueryEscape("http://example.com/"), nil,
			`<iframe src="http://example.com/embed" width="600" height="400" title="incidentmap: sourced conflict incidents" style="border:0" loading="lazy" allowfullscreen></iframe>`},
		{"proxy", "url=" + url.QueryEscape("https://maps.news.example:8443/embed?bbox=40,32,46,37"),
			[]string{"X-Forwarded-Host", "maps.news.example:8443", "X-Forwarded-Proto", "https"},
			`<iframe src="https://maps.news.example:8443/embed?bbox=40%2C32%2C46%2C37" width="600" height="400" title="incidentmap: sourced conflict incidents" style="border:0" loading="lazy" allowfullscreen></iframe>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s, "/oembed?"+tc.query, tc.header...)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var o oembedAnswer
			decodeJSON(t, rec.Body, &o)
			if o.HTML != tc.want {
				t.Errorf("html\n got %s\nwant %s", o.HTML, tc.want)
			}
		})
	}
}

func TestOEmbedErrors(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct {
		name, query string
		status      int
		param       string
	}{
		{"no url", "", 400, "url"},
		{"not a URL", "url=" + url.QueryEscape("http://exa mple.com/%zz"), 400, "url"},
		{"another host", "url=" + url.QueryEscape("http://evil.example/?center=1,1&zoom=3"), 404, "url"},
		{"another port", "url=" + url.QueryEscape("http://example.com:8080/"), 404, "url"},
		{"another scheme", "url=" + url.QueryEscape("ftp://example.com/"), 404, "url"},
		{"relative URL", "url=" + url.QueryEscape("/embed"), 404, "url"},
		{"another path", "url=" + url.QueryEscape("http://example.com/api/collections"), 404, "url"},
		{"bad view in the URL", "url=" + url.QueryEscape("http://example.com/?center=95,43&zoom=7"), 400, "url"},
		{"xml", "format=xml&url=" + url.QueryEscape("http://example.com/"), 501, ""},
		{"unknown format", "format=yaml&url=" + url.QueryEscape("http://example.com/"), 400, "format"},
		{"maxwidth 0", "maxwidth=0&url=" + url.QueryEscape("http://example.com/"), 400, "maxwidth"},
		{"maxheight not a number", "maxheight=tall&url=" + url.QueryEscape("http://example.com/"), 400, "maxheight"},
		{"unknown parameter", "callback=f&url=" + url.QueryEscape("http://example.com/"), 400, "callback"},
		{"url twice", "url=" + url.QueryEscape("http://example.com/") + "&url=" + url.QueryEscape("http://example.com/embed"), 400, "url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s, "/oembed?"+tc.query)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			var p Problem
			decodeJSON(t, rec.Body, &p)
			if p.Param != tc.param {
				t.Errorf("param %q, want %q (%s)", p.Param, tc.param, p.Detail)
			}
		})
	}
	// A bad view names the view parameter too.
	rec := get(t, s, "/oembed?url="+url.QueryEscape("http://example.com/?center=95,43&zoom=7"))
	var p Problem
	decodeJSON(t, rec.Body, &p)
	if !strings.HasPrefix(p.Detail, "url: center: ") {
		t.Errorf("detail %q does not name center", p.Detail)
	}
	// The host a proxy reports is ours; the Host header is not then.
	rec = get(t, s, "/oembed?url="+url.QueryEscape("http://example.com/"), "X-Forwarded-Host", "maps.news.example")
	if rec.Code != http.StatusNotFound {
		t.Errorf("behind a proxy, the backend's own host: status %d, want 404", rec.Code)
	}
}

// On a store, the embed oEmbed gives is pinned: to the revision its URL
// pins, else to the latest, so that an article's map does not change
// under it. Without a store (TestOEmbed) it is not.
func TestOEmbedPinned(t *testing.T) {
	s, _, token := correctedServer(t) // revision 6
	view := "center=33.5,43&zoom=7&layers=incidents"
	canon := "?center=33.5%2C43&layers=incidents&zoom=7"
	pinned := func(name, query, wantSrc string) {
		t.Helper()
		rec := get(t, s, "/oembed?"+query)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d: %s", name, rec.Code, rec.Body)
		}
		var o oembedAnswer
		decodeJSON(t, rec.Body, &o)
		m := iframeSrc.FindStringSubmatch(o.HTML)
		if m == nil || html.UnescapeString(m[1]) != wantSrc {
			t.Fatalf("%s: html %s, want src %s", name, o.HTML, wantSrc)
		}
		u, _ := url.Parse(wantSrc)
		if want := "http://example.com" + strings.TrimSuffix(u.Path, "/embed") + "/api/static.png?"; !strings.HasPrefix(o.ThumbnailURL, want) {
			t.Errorf("%s: thumbnail_url %s, want it under %s", name, o.ThumbnailURL, want)
		}
		if o.ProviderURL != "http://example.com/" {
			t.Errorf("%s: provider_url %s", name, o.ProviderURL)
		}
		// The iframe's src serves that revision's embed.
		if rec := get(t, s, u.RequestURI()); rec.Code != http.StatusOK || "/r/"+rec.Header().Get("X-Revision")+"/embed" != u.Path {
			t.Errorf("%s: GET %s: %d at revision %q", name, u.RequestURI(), rec.Code, rec.Header().Get("X-Revision"))
		}
	}
	for _, tc := range []struct{ name, url, src string }{
		{"the page, unpinned: the latest", "http://example.com/?" + view, "http://example.com/r/6/embed" + canon},
		{"the embed, unpinned", "http://example.com/embed?" + view, "http://example.com/r/6/embed" + canon},
		{"a pinned page", "http://example.com/r/3/?" + view, "http://example.com/r/3/embed" + canon},
		{"a pinned embed", "http://example.com/r/2/embed?" + view, "http://example.com/r/2/embed" + canon},
		{"rev in the query", "http://example.com/embed?rev=4&" + view, "http://example.com/r/4/embed" + canon},
		{"a bare pinned host", "http://example.com/r/5", "http://example.com/r/5/embed"},
	} {
		pinned(tc.name, "url="+url.QueryEscape(tc.url), tc.src)
	}
	// Asked at a pinned path, oEmbed pins to that revision.
	if rec := get(t, s, "/r/3/oembed?url="+url.QueryEscape("http://example.com/embed")); !strings.Contains(rec.Body.String(), `src=\"http://example.com/r/3/embed\"`) {
		t.Errorf("/r/3/oembed: %s", rec.Body)
	}
	// A write moves what an unpinned URL is pinned to, not what a pinned one is.
	etag := get(t, s, "/api/collections/incidents/items/2023-11-21-al-shaddadi-claim").Header().Get("ETag")
	if rec := do(s, http.MethodPatch, "/api/collections/incidents/items/2023-11-21-al-shaddadi-claim", `{"properties":{"killed":null}}`,
		"Authorization", "Bearer "+token, "If-Match", etag, reasonHeader, "x"); rec.Code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
	}
	pinned("after a write", "url="+url.QueryEscape("http://example.com/?"+view), "http://example.com/r/7/embed"+canon)
	pinned("pinned, after a write", "url="+url.QueryEscape("http://example.com/r/3/?"+view), "http://example.com/r/3/embed"+canon)

	for _, tc := range []struct {
		name   string
		server http.Handler
		url    string
		status int
	}{
		{"a revision not yet made", s, "http://example.com/r/8/embed", http.StatusNotFound},
		{"a bad revision", s, "http://example.com/r/x/embed", http.StatusBadRequest},
		{"revision 0", s, "http://example.com/embed?rev=0", http.StatusBadRequest},
		{"two revisions", s, "http://example.com/r/2/embed?rev=3", http.StatusBadRequest},
		{"another path under a revision", s, "http://example.com/r/2/api", http.StatusNotFound},
		{"a revision of a server without a store", New(Config{Data: s.Data()}), "http://example.com/r/1/embed", http.StatusNotFound},
	} {
		rec := get(t, tc.server, "/oembed?url="+url.QueryEscape(tc.url))
		var p Problem
		decodeJSON(t, rec.Body, &p)
		if rec.Code != tc.status || p.Param != "url" {
			t.Errorf("%s: %d naming %q, want %d naming url (%s)", tc.name, rec.Code, p.Param, tc.status, p.Detail)
		}
	}
}

func TestEmbedSize(t *testing.T) {
	for _, tc := range []struct{ maxW, maxH, w, h int }{
		{0, 0, 600, 400},
		{300, 0, 300, 200},
		{0, 200, 300, 200},
		{300, 100, 150, 100},
		{1, 1, 1, 1},
		{601, 401, 600, 400},
		{599, 0, 599, 399},
	} {
		if w, h := embedSize(tc.maxW, tc.maxH); w != tc.w || h != tc.h {
			t.Errorf("embedSize(%d, %d) = %d, %d; want %d, %d", tc.maxW, tc.maxH, w, h, tc.w, tc.h)
		}
	}
}
