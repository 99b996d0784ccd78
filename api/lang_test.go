package api

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestPreferredLanguage(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   language
	}{
		{"", langEN},
		{"ar", langAR},
		{"ar-IQ,ar;q=0.9,en;q=0.8", langAR},
		{"en-GB,en;q=0.9,ar;q=0.8", langEN},
		{"en;q=0.5, ar;q=0.7", langAR},
		{"AR-sy", langAR},
		{"fr-FR,fr;q=0.9,ar;q=0.5", langAR},        // ar is preferred over en, which is absent
		{"fr-FR,fr;q=0.9", langEN},                 // neither: the default
		{"*", langEN},                              // anything: the default
		{"*;q=0.5,ar;q=0.4", langEN},               // en (as *) is preferred
		{"ar;q=0.4,*;q=0.5", langEN},               // the same, listed the other way
		{"en,ar", langEN},                          // the same q: the first listed
		{"ar,en", langAR},                          // likewise
		{"ar;q=0", langEN},                         // refused
		{"ar;q=abc,en;q=0.1", langEN},              // an entry that does not parse is skipped
		{"ar;q=2", langEN},                         // q is at most 1
		{"arabic", langEN},                         // not the tag ar
		{strings.Repeat("x,", 100) + "ar", langEN}, // beyond the entries read
		{strings.Repeat(" ", 300) + "ar", langEN},  // beyond the bytes read
		{"\x00\xff;;;,,,=q=q=,ar;q=1;q=0", langAR}, // junk never fails
		{"en;q=0.9,ar-u-nu-arab;q=0.95", langAR},   // extensions are the language's
	} {
		if got := preferredLanguage(tc.header); got != tc.want {
			t.Errorf("preferredLanguage(%q) = %s, want %s", tc.header, got, tc.want)
		}
	}
}

func FuzzPreferredLanguage(f *testing.F) {
	f.Add("ar-IQ,ar;q=0.9,en;q=0.8")
	f.Add("*;q=0.5")
	f.Fuzz(func(t *testing.T, h string) {
		if l := preferredLanguage(h); l != langEN && l != langAR {
			t.Fatalf("preferredLanguage(%q) = %q", h, l)
		}
	})
}

var (
	htmlLangDir = regexp.MustCompile(`<html lang="(\w+)" dir="(\w+)">`)
	titleTag    = regexp.MustCompile(`<title>([^<]*)</title>`)
)

// lang=ar, or an Accept-Language that prefers Arabic when no lang is
// given, makes the page and the embed Arabic, right to left, with the
// catalogue's Arabic strings; lang=en wins over the header. Every answer
// says it varies by Accept-Language and what language it is in, and its
// links keep the language.
func TestPageLanguage(t *testing.T) {
	s := newTestServer(t)
	arTitle := catalogue[langAR]["title"]
	for _, tc := range []struct {
		name, target, accept string
		want                 language
	}{
		{"default", "/", "", langEN},
		{"lang=ar", "/?lang=ar", "", langAR},
		{"embed lang=ar", "/embed?lang=ar&center=33.5,43&zoom=7", "", langAR},
		{"Accept-Language", "/", "ar-IQ,ar;q=0.9,en;q=0.5", langAR},
		{"embed Accept-Language", "/embed", "ar", langAR},
		{"English preferred", "/", "en-GB,ar;q=0.5", langEN},
		{"lang=en over the header", "/?lang=en", "ar", langEN},
		{"lang=ar over the header", "/embed?lang=ar", "en", langAR},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.accept != "" {
				hdr = []string{"Accept-Language", tc.accept}
			}
			rec := get(t, s, tc.target, hdr...)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			h := rec.Header()
			if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Language") {
				t.Errorf("Vary %q lacks Accept-Language", h.Values("Vary"))
			}
			if got := h.Get("Content-Language"); got != string(tc.want) {
				t.Errorf("Content-Language %q, want %s", got, tc.want)
			}
			body := rec.Body.String()
			m := htmlLangDir.FindStringSubmatch(body)
			wantDir := map[language]string{langEN: "ltr", langAR: "rtl"}[tc.want]
			if m == nil || m[1] != string(tc.want) || m[2] != wantDir {
				t.Fatalf("<html> %v, want lang=%s dir=%s", m, tc.want, wantDir)
			}
			title := html.UnescapeString(titleTag.FindStringSubmatch(body)[1])
			if title != catalogue[tc.want]["title"] {
				t.Errorf("title %q, want %q", title, catalogue[tc.want]["title"])
			}
			// The scripts get the same language's strings.
			i18n := regexp.MustCompile(`data-i18n="([^"]*)"`).FindStringSubmatch(body)
			if i18n == nil || strings.Contains(html.UnescapeString(i18n[1]), arTitle) != (tc.want == langAR) {
				t.Errorf("data-i18n is not the %s catalogue", tc.want)
			}
			og, err := url.Parse(metaContent(t, body, "og:url"))
			if err != nil {
				t.Fatal(err)
			}
			img, err := url.Parse(metaContent(t, body, "og:image"))
			if err != nil {
				t.Fatal(err)
			}
			wantLang := map[language]string{langEN: "", langAR: "ar"}[tc.want]
			if og.Query().Get("lang") != wantLang || img.Query().Get("lang") != wantLang {
				t.Errorf("og:url %s and og:image %s, want lang=%q", og, img, wantLang)
			}
		})
	}
	// The Arabic page has the Arabic strings in its HTML, and none of
	// the English ones.
	body := get(t, s, "/?lang=ar").Body.String()
	body = regexp.MustCompile(`data-i18n="[^"]*"`).ReplaceAllString(body, "")
	for _, k := range []string{"skip", "embed_open", "near_km", "unlocated_p", "close"} {
		if !strings.Contains(body, html.EscapeString(catalogue[langAR][k])) {
			t.Errorf("the Arabic page lacks ar.%s %q", k, catalogue[langAR][k])
		}
		if strings.Contains(body, ">"+catalogue[langEN][k]+"<") {
			t.Errorf("the Arabic page has en.%s %q", k, catalogue[langEN][k])
		}
	}
}

// lang is en or ar; anything else, or lang twice, is a 400 naming lang,
// on the pages, oEmbed and static maps.
func TestBadLang(t *testing.T) {
	s := newTestServer(t)
	page := url.QueryEscape("http://example.com/?center=33.5,43&zoom=7")
	for _, target := range []string{
		"/?lang=fr", "/embed?lang=AR", "/?lang=ar&lang=en", "/?lang=%3Cscript%3E",
		"/oembed?lang=de&url=" + page, "/api/static.png?lang=xx&width=64&height=64",
	} {
		t.Run(target, func(t *testing.T) {
			rec := get(t, s, target)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			var p Problem
			decodeJSON(t, rec.Body, &p)
			if p.Param != "lang" {
				t.Errorf("param %q, want lang (%s)", p.Param, p.Detail)
			}
		})
	}
	// A page URL given to oEmbed with a bad lang names url, the parameter given.
	rec := get(t, s, "/oembed?url="+url.QueryEscape("http://example.com/?lang=fr"))
	var p Problem
	decodeJSON(t, rec.Body, &p)
	if rec.Code != http.StatusBadRequest || p.Param != "url" {
		t.Errorf("status %d param %q, want 400 url", rec.Code, p.Param)
	}
}

// oEmbed answers in lang, or else in the language of the URL it is
// given: an Arabic iframe (src with lang=ar, the Arabic title).
func TestOEmbedLanguage(t *testing.T) {
	s := newTestServer(t)
	en := "http://example.com/?center=33.5,43&zoom=7"
	for _, tc := range []struct {
		name, query string
		want        language
	}{
		{"default", "url=" + url.QueryEscape(en), langEN},
		{"lang=ar", "lang=ar&url=" + url.QueryEscape(en), langAR},
		{"an Arabic page's URL", "url=" + url.QueryEscape(en+"&lang=ar"), langAR},
		{"lang=en for an Arabic page", "lang=en&url=" + url.QueryEscape(en+"&lang=ar"), langEN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, s, "/oembed?"+tc.query, "Accept-Language", "ar") // oEmbed reads no header
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var o oembedAnswer
			decodeJSON(t, rec.Body, &o)
			if o.Title != catalogue[tc.want]["title"] {
				t.Errorf("title %q, want %q", o.Title, catalogue[tc.want]["title"])
			}
			m := iframeSrc.FindStringSubmatch(o.HTML)
			if m == nil {
				t.Fatalf("html is not our iframe: %s", o.HTML)
			}
			src, err := url.Parse(html.UnescapeString(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			wantLang := map[language]string{langEN: "", langAR: "ar"}[tc.want]
			if src.Path != "/embed" || src.Query().Get("lang") != wantLang {
				t.Errorf("iframe src %s, want /embed with lang=%q", src, wantLang)
			}
			if !strings.Contains(o.HTML, `title="`+html.EscapeString(catalogue[tc.want]["title"])+`"`) {
				t.Errorf("iframe title is not the %s title: %s", tc.want, o.HTML)
			}
			thumb, err := url.Parse(o.ThumbnailURL)
			if err != nil {
				t.Fatal(err)
			}
			if thumb.Query().Get("lang") != wantLang {
				t.Errorf("thumbnail %s, want lang=%q", thumb, wantLang)
			}
		})
	}
}

// Static maps take lang; the image is the same (its one text, the
// attribution, stays English: no embedded font has Arabic glyphs), but
// the language is in its cache key and ETag.
func TestStaticMapLanguage(t *testing.T) {
	s := newTestServer(t)
	const q = "/api/static.png?center=33.5,43&zoom=6&width=128&height=96"
	en := get(t, s, q)
	ar := get(t, s, q+"&lang=ar")
	enExplicit := get(t, s, q+"&lang=en")
	for _, rec := range []*struct {
		name string
		code int
	}{{"en", en.Code}, {"ar", ar.Code}, {"lang=en", enExplicit.Code}} {
		if rec.code != http.StatusOK {
			t.Fatalf("%s: status %d", rec.name, rec.code)
		}
	}
	if ct := ar.Header().Get("Content-Type"); ct != "image/png" {
		t.Errorf("Content-Type %q", ct)
	}
	if et := ar.Header().Get("ETag"); et == "" || et == en.Header().Get("ETag") {
		t.Errorf("ETag ar %q, en %q: want the language in it", et, en.Header().Get("ETag"))
	}
	if en.Header().Get("ETag") != enExplicit.Header().Get("ETag") {
		t.Errorf("lang=en is the default, but its ETag %q differs from %q", enExplicit.Header().Get("ETag"), en.Header().Get("ETag"))
	}
}
