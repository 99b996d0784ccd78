package api

import (
	"encoding/json"
	"fmt"
	"html"
	"image/color"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles"
)

const wantCSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors *"

// metaContent returns the unescaped content of <meta property=prop>.
func metaContent(t *testing.T, body, prop string) string {
	t.Helper()
	m := regexp.MustCompile(`<meta property="` + regexp.QuoteMeta(prop) + `" content="([^"]*)">`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no <meta property=%q> in the page", prop)
	}
	return html.UnescapeString(m[1])
}

// linkHref returns the unescaped href of <link rel=rel ...>.
func linkHref(t *testing.T, body, rel string) string {
	t.Helper()
	m := regexp.MustCompile(`<link rel="` + regexp.QuoteMeta(rel) + `"[^>]* href="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no <link rel=%q> in the page", rel)
	}
	return html.UnescapeString(m[1])
}

func TestPages(t *testing.T) {
	s := newTestServer(t)
	view := "center=33.5,43&zoom=7&layers=incidents,rings&datetime=2023-11-21T00:00:00Z/..&lat=33.786&lon=42.441&radius=50000"
	canonical := "center=33.5%2C43&datetime=2023-11-21T00%3A00%3A00Z%2F..&lat=33.786&layers=incidents%2Crings&lon=42.441&radius=50000&zoom=7"
	for _, tc := range []struct {
		name, target, class, ogURL, oembedFor string
	}{
		{"page", "/?" + view, `class="page"`, "http://example.com/?" + canonical, "http://example.com/?" + canonical},
		{"embed", "/embed?" + view, `class="embed"`, "http://example.com/embed?" + canonical, "http://example.com/embed?" + canonical},
		{"bare page", "/", `class="page"`, "http://example.com/", "http://example.com/"},
		{"tracking parameters are ignored", "/?utm_source=news&fbclid=abc", `class="page"`, "http://example.com/", "http://example.com/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s, tc.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			h := rec.Header()
			if got := h.Get("Content-Type"); !strings.HasPrefix(got, "text/html") {
				t.Errorf("Content-Type %q", got)
			}
			if got := h.Get("Content-Security-Policy"); got != wantCSP {
				t.Errorf("CSP\n got %s\nwant %s", got, wantCSP)
			}
			if got := h.Get("X-Frame-Options"); got != "" {
				t.Errorf("X-Frame-Options %q would override frame-ancestors", got)
			}
			body := rec.Body.String()
			if !strings.Contains(body, tc.class) {
				t.Errorf("body has no %s", tc.class)
			}
			if got := metaContent(t, body, "og:url"); got != tc.ogURL {
				t.Errorf("og:url %q, want %q", got, tc.ogURL)
			}
			oe, err := url.Parse(linkHref(t, body, "alternate"))
			if err != nil {
				t.Fatal(err)
			}
			if oe.Path != "/oembed" || oe.Query().Get("url") != tc.oembedFor {
				t.Errorf("oEmbed discovery %s, want /oembed?url=%s", oe, tc.oembedFor)
			}
		})
	}
}

// A page or embed pinned to a revision (/r/N/ or rev=N) tells its
// scripts the pin, under which they read every datum, and links to the
// data and to itself under it; on a store an unpinned page says the
// revision it shows, and without one, none.
func TestPagesPinned(t *testing.T) {
	s, _, _ := correctedServer(t) // revision 6
	for _, tc := range []struct {
		name, target       string
		server             http.Handler
		pin, rev, self, og string
	}{
		{"pinned page", "/r/3/?zoom=7&center=33.5,43", s, "/r/3", "3", "http://example.com/r/3/?center=33.5%2C43&zoom=7", "http://example.com/r/3/api/static.png?"},
		{"pinned embed", "/r/2/embed", s, "/r/2", "2", "http://example.com/r/2/embed", "http://example.com/r/2/api/static.png?"},
		{"rev in the query", "/embed?rev=4", s, "/r/4", "4", "http://example.com/r/4/embed", "http://example.com/r/4/api/static.png?"},
		{"pinned to the latest", "/r/6/embed", s, "/r/6", "6", "http://example.com/r/6/embed", "http://example.com/r/6/api/static.png?"},
		{"unpinned, on a store", "/embed", s, "", "6", "http://example.com/embed", "http://example.com/api/static.png?"},
		{"without a store", "/", newTestServer(t), "", "", "http://example.com/", "http://example.com/api/static.png?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, tc.server, tc.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			body := rec.Body.String()
			if want := fmt.Sprintf(`data-pin="%s" data-revision="%s"`, tc.pin, tc.rev); !strings.Contains(body, want) {
				t.Errorf("body has no %s", want)
			}
			if got := metaContent(t, body, "og:url"); got != tc.self {
				t.Errorf("og:url %q, want %q", got, tc.self)
			}
			if got := metaContent(t, body, "og:image"); !strings.HasPrefix(got, tc.og) {
				t.Errorf("og:image %q, want it under %q", got, tc.og)
			}
			oe, err := url.Parse(linkHref(t, body, "alternate"))
			if err != nil || oe.Path != "/oembed" || oe.Query().Get("url") != tc.self {
				t.Errorf("oEmbed discovery %s, want /oembed?url=%s", oe, tc.self)
			}
			if !strings.Contains(body, `<p id="pin-notice" class="notice" role="status" hidden></p>`) {
				t.Error("no hidden notice for the scripts to fill")
			}
			if strings.HasPrefix(tc.target, "/embed") || strings.Contains(tc.target, "/embed") {
				return
			}
			if want := `href="` + tc.pin + `/api/collections/incidents/items?f=csv"`; !strings.Contains(body, want) {
				t.Errorf("the data links are not under the pin: no %s", want)
			}
		})
	}
}

// The og:image is /api/static.png of the same view, 1200×630, and reads
// back as the same view.
func TestPageOGImage(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct{ name, query, want string }{
		{"no view", "", "http://example.com/api/static.png?width=1200&height=630"},
		{"center", "center=33.5,43&zoom=7", "http://example.com/api/static.png?center=33.5%2C43&zoom=7&width=1200&height=630"},
		{"bbox and layers", "bbox=40,32,46,37&layers=incidents,links", "http://example.com/api/static.png?bbox=40%2C32%2C46%2C37&layers=incidents%2Clinks&width=1200&height=630"},
		{"radius", "lat=33.786&lon=42.441&radius=50000", "http://example.com/api/static.png?lat=33.786&lon=42.441&radius=50000&width=1200&height=630"},
		{"date", "datetime=2023-11-21", "http://example.com/api/static.png?datetime=2023-11-21T00%3A00%3A00Z%2F2023-11-21T23%3A59%3A59.999999999Z&width=1200&height=630"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s, "/?"+tc.query)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			got := metaContent(t, rec.Body.String(), "og:image")
			if got != tc.want {
				t.Errorf("og:image\n got %s\nwant %s", got, tc.want)
			}
			u, _ := url.Parse(got)
			in, _ := url.ParseQuery(tc.query)
			want, err := s.parsePageView(in)
			if err != nil {
				t.Fatal(err)
			}
			back, err := s.parsePageView(u.Query())
			if err != nil {
				t.Fatalf("og:image's view does not parse: %v", err)
			}
			if !reflect.DeepEqual(back, want) {
				t.Errorf("og:image's view %+v, want %+v", back, want)
			}
		})
	}
}

func TestPageBehindProxy(t *testing.T) {
	s := newTestServer(t)
	rec := get(t, s, "/embed?zoom=7&center=33.5,43", "X-Forwarded-Host", "maps.news.example", "X-Forwarded-Proto", "https")
	if got, want := metaContent(t, rec.Body.String(), "og:image"), "https://maps.news.example/api/static.png?center=33.5%2C43&zoom=7&width=1200&height=630"; got != want {
		t.Errorf("og:image %s, want %s", got, want)
	}
	if !strings.Contains(rec.Body.String(), `id="back" href="https://maps.news.example/?center=33.5%2C43&amp;zoom=7"`) {
		t.Errorf("the embed's link back is not to the full map of its view:\n%s", rec.Body)
	}
}

// Bad view parameters are 400 problems naming the parameter, on the page
// and the embed alike.
func TestPageBadView(t *testing.T) {
	s := newTestServer(t)
	for _, tc := range []struct{ query, param string }{
		{"center=95,43&zoom=7", "center"},
		{"center=33,43", "zoom"},
		{"center=33,43&zoom=99", "zoom"},
		{"center=33,43&zoom=7&bbox=40,32,46,37", "bbox"},
		{"bbox=40,32,46", "bbox"},
		{"layers=incidents,nope", "layers"},
		{"datetime=yesterday", "datetime"},
		{"lat=33.7", "lon"},
		{"lat=33.7&lon=42.4&radius=-1", "radius"},
		{"center=33,43&zoom=7&center=34,44", "center"},
		{"center=%3Cscript%3E&zoom=7", "center"},
	} {
		for _, path := range []string{"/", "/embed"} {
			t.Run(path+"?"+tc.query, func(t *testing.T) {
				rec := get(t, s, path+"?"+tc.query)
				var p Problem
				if rec.Code != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %s", rec.Code, rec.Body)
				}
				if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type %q", ct)
				}
				decodeJSON(t, rec.Body, &p)
				if p.Param != tc.param {
					t.Errorf("param %q, want %q (%s)", p.Param, tc.param, p.Detail)
				}
			})
		}
	}
}

// No text of the request reaches the HTML as it came.
func TestPageDoesNotEchoInput(t *testing.T) {
	s := newTestServer(t)
	for _, q := range []string{
		`x=%3Cscript%3Ealert(1)%3C%2Fscript%3E`,
		`%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E=1`,
		`utm_source=%27%3B%20alert(1)%2F%2F`,
		`layers=incidents&q=%3C%2Ftitle%3E%3Csvg%20onload%3Dalert(1)%3E`,
	} {
		for _, path := range []string{"/", "/embed"} {
			rec := get(t, s, path+"?"+q)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s?%s: status %d", path, q, rec.Code)
			}
			body := rec.Body.String()
			for _, bad := range []string{"alert(1)", "<img", "<svg", "onerror", "onload"} {
				if strings.Contains(body, bad) {
					t.Errorf("%s?%s: the page contains %q", path, q, bad)
				}
			}
		}
	}
}

// The page runs only scripts and styles from files: CSP allows nothing
// inline.
func TestPageHasNothingInline(t *testing.T) {
	s := newTestServer(t)
	for _, path := range []string{"/", "/embed"} {
		body := get(t, s, path).Body.String()
		for _, re := range []*regexp.Regexp{
			regexp.MustCompile(`<script(?:\s[^>]*)?>`),
			regexp.MustCompile(`<style`),
			regexp.MustCompile(`\sstyle=`),
			regexp.MustCompile(`\son[a-z]+=`),
		} {
			for _, m := range re.FindAllString(body, -1) {
				if strings.HasPrefix(m, "<script") && strings.Contains(m, ` src="/`) {
					continue
				}
				t.Errorf("%s: inline %q", path, m)
			}
		}
	}
}

func TestPageFrameAncestors(t *testing.T) {
	s := New(Config{Data: fixtureData(t), Cache: cache.New(1<<20, nil), FrameAncestors: "'self' https://news.example"})
	for _, path := range []string{"/", "/embed"} {
		csp := get(t, s, path).Header().Get("Content-Security-Policy")
		if !strings.HasSuffix(csp, "; frame-ancestors 'self' https://news.example") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
}

func TestHEADPage(t *testing.T) {
	s := newTestServer(t)
	req, _ := http.NewRequest(http.MethodHead, "/embed?center=33,43&zoom=6", nil)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Security-Policy") == "" {
		t.Errorf("HEAD /embed: %d %v", rec.Code, rec.Header())
	}
}

// FuzzPage checks that no query makes the page fail on the server or put
// markup from the query into the HTML.
func FuzzPage(f *testing.F) {
	for _, seed := range []string{
		"center=33.5,43&zoom=7", "bbox=40,32,46,37&layers=incidents", "datetime=2023-11-21/..",
		"lat=33.786&lon=42.441&radius=50000", "x=<script>", `layers="><img src=x>`, "center=1e308,0&zoom=1",
	} {
		f.Add(seed)
	}
	s := New(Config{Data: fixtureData(f), Cache: cache.New(1<<20, nil)})
	// The page has markup of its own ("</script>"): a value echoed is one
	// found more often than in the page with no query.
	baseline := get(f, s, "/embed").Body.String()
	f.Fuzz(func(t *testing.T, q string) {
		req, err := http.NewRequest(http.MethodGet, "/embed?"+q, nil)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%q: status %d: %s", q, rec.Code, rec.Body)
		}
		if rec.Code != http.StatusOK {
			return
		}
		body := rec.Body.String()
		for _, v := range req.URL.Query() {
			for _, s := range v {
				if strings.ContainsAny(s, `<>"'`) && len(s) > 3 && strings.Count(body, s) > strings.Count(baseline, s) {
					t.Fatalf("%q: the page contains the value %q as it came", q, s)
				}
			}
		}
	})
}

// The page is sent tiles.Palette, the colours of the tiles and static
// maps, to draw in; the browser test checks that it does.
func TestPagePalette(t *testing.T) {
	s := newTestServer(t)
	want := tiles.Palette()
	hex := func(c color.NRGBA) string {
		if c.A == 0xff {
			return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
		}
		return fmt.Sprintf("#%02x%02x%02x%02x", c.R, c.G, c.B, c.A)
	}
	for _, path := range []string{"/", "/embed", "/edit"} {
		m := regexp.MustCompile(`data-palette="([^"]*)"`).FindStringSubmatch(get(t, s, path).Body.String())
		if m == nil {
			t.Fatalf("%s: no data-palette", path)
		}
		var got struct {
			Events                                                map[string]string
			Other, Ring, Link, Uncertainty, Site, Radius, Cluster string
		}
		if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &got); err != nil {
			t.Fatalf("%s: data-palette %q: %v", path, m[1], err)
		}
		if len(got.Events) != len(want.Events) {
			t.Errorf("%s: %d event colours, want %d", path, len(got.Events), len(want.Events))
		}
		for typ, c := range want.Events {
			if got.Events[typ] != hex(c) || hex(tiles.EventColor(typ)) != hex(c) {
				t.Errorf("%s: %s is %s, want %s", path, typ, got.Events[typ], hex(c))
			}
		}
		for name, pair := range map[string][2]string{
			"other":       {got.Other, hex(tiles.EventColor("no_such_event_type"))},
			"ring":        {got.Ring, hex(tiles.RingColor)},
			"link":        {got.Link, hex(tiles.LinkColor)},
			"uncertainty": {got.Uncertainty, hex(tiles.UncertaintyColor)},
			"site":        {got.Site, hex(tiles.SiteColor)},
			"radius":      {got.Radius, hex(tiles.RadiusColor)},
			"cluster":     {got.Cluster, hex(tiles.ClusterColor)},
		} {
			if pair[0] != pair[1] {
				t.Errorf("%s: %s is %s, want %s", path, name, pair[0], pair[1])
			}
		}
	}
}

// The desk is sent the radius of each geo precision, to draw the
// uncertainty circle of what is typed as the map draws it.
func TestDeskRadii(t *testing.T) {
	s := newTestServer(t)
	m := regexp.MustCompile(`data-radii="([^"]*)"`).FindStringSubmatch(get(t, s, "/edit").Body.String())
	if m == nil {
		t.Fatal("/edit: no data-radii")
	}
	var got map[geo.GeoPrecision]float64
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &got); err != nil {
		t.Fatalf("data-radii %q: %v", m[1], err)
	}
	for _, p := range []geo.GeoPrecision{geo.GeoExact, geo.GeoNear, geo.GeoTown, geo.GeoRegion, geo.GeoUnknown} {
		if r, ok := got[p]; !ok || r != p.Radius() {
			t.Errorf("data-radii %s: %v (given: %v), want %v", p, r, ok, p.Radius())
		}
	}
}
