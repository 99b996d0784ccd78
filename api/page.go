package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"image/color"
	"net/http"
	"net/url"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/static"
	"github.com/incidentmap/incidentmap/tiles"
)

// The web map (/) and the map for iframes (/embed).
//
// The pages take the view parameters (DESIGN.md) and reject bad ones with
// 400, as /api/static.png does. No text of the request reaches the HTML
// as it came: the scripts read the view from location.search, and the
// only request-derived text in a page is the view re-encoded from its
// parsed, typed form (for og:image, the oEmbed link and the link back)
// and the revision pinned, a parsed number, through html/template's
// escaping.

// The page is in the language of lang.go: every string of the template is
// .T.key, the catalogue's, and a key missing from it fails the render
// (missingkey=error) rather than leaving a hole.
var pageTemplate = template.Must(template.New("page").Option("missingkey=error").Parse(static.Page))

// ogImageSize is the size of the og:image, as /api/static.png parameters.
const ogImageSize = "width=1200&height=630"

// pageData is what page.html is rendered with.
type pageData struct {
	Embed       bool
	Lang, Dir   string            // <html lang dir>
	T           map[string]string // the catalogue in Lang
	Strings     string            // T as JSON, for the scripts (data-i18n)
	Title       string
	Description string
	PageURL     string // this page, canonical
	BackURL     string // the full map of the same view (from /embed)
	OEmbedURL   string
	ImageURL    string // og:image: /api/static.png of the same view
	Bounds      string // JSON [w,s,e,n] of DefaultView
	Palette     string // JSON pagePalette: the colours the page draws in
	MaxZoom     int
	// Root is the path the service is served under (the path of its
	// public URL, "/maps"; "" at the root of its host): every link of the
	// page starts with it.
	Root string
	// Pin is the path prefix of the revision the page is pinned to
	// ("/r/3"), under which its scripts read every datum; "" for the
	// latest. Revision is the revision shown, "" without a store.
	Pin, Revision string
}

// pagePalette is tiles.Palette as the page reads it, so that the page
// draws in the tiles' and static maps' colours: CSS colours, #rrggbb, or
// #rrggbbaa where not opaque.
type pagePalette struct {
	Events      map[string]string `json:"events"`
	Other       string            `json:"other"`
	Ring        string            `json:"ring"`
	Link        string            `json:"link"`
	Uncertainty string            `json:"uncertainty"`
	Site        string            `json:"site"`
	Radius      string            `json:"radius"`
	Cluster     string            `json:"cluster"`
}

// newPagePalette is p in CSS colours.
func newPagePalette(p tiles.Colors) pagePalette {
	events := make(map[string]string, len(p.Events))
	for k, c := range p.Events {
		events[k] = cssColor(c)
	}
	return pagePalette{
		Events: events, Other: cssColor(p.Other), Ring: cssColor(p.Ring), Link: cssColor(p.Link),
		Uncertainty: cssColor(p.Uncertainty), Site: cssColor(p.Site), Radius: cssColor(p.Radius),
		Cluster: cssColor(p.Cluster),
	}
}

// cssColor is c as #rrggbb, or #rrggbbaa when not opaque.
func cssColor(c color.NRGBA) string {
	if c.A == 0xff {
		return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
	}
	return fmt.Sprintf("#%02x%02x%02x%02x", c.R, c.G, c.B, c.A)
}

func (s *Server) page(c echo.Context) error  { return s.servePage(c, "/") }
func (s *Server) embed(c echo.Context) error { return s.servePage(c, "/embed") }

// servePage renders the web map or the embed at path.
func (s *Server) servePage(c echo.Context, path string) error {
	vw, err := s.parsePageView(c.QueryParams())
	if err != nil {
		return err
	}
	r := c.Request()
	lang, err := pageLanguage(r, c.QueryParams())
	if err != nil {
		return err
	}
	base := s.origin(r)
	q := langQuery(viewQuery(vw), lang).Encode()
	bounds, err := s.defaultViewJSON()
	if err != nil {
		return err
	}
	style, err := mapStyleJSON()
	if err != nil {
		return err
	}
	d := pageData{
		Embed:       path == "/embed",
		Lang:        string(lang),
		Dir:         lang.dir(),
		T:           catalogue[lang],
		Strings:     catalogueJSON[lang],
		Title:       lang.text("title"),
		Description: lang.text("description"),
		PageURL:     base + path + withQuery(q),
		BackURL:     base + "/" + withQuery(q),
		ImageURL:    base + "/api/static.png?" + joinQuery(q, ogImageSize),
		Bounds:      bounds,
		Palette:     style.palette,
		MaxZoom:     basemapMaxZoom,
		Root:        s.basePath,
		Pin:         s.pin,
		Revision:    revisionOf(s.data),
	}
	d.OEmbedURL = s.root(r) + "/oembed?" + url.Values{"url": {d.PageURL}, "format": {"json"}}.Encode()
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		return fmt.Errorf("render %s: %w", path, err)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", s.contentSecurityPolicy())
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Cache-Control", "no-cache")
	// Without lang the page is in the reader's language: a cache in
	// front keeps one copy per Accept-Language (there is no server-side
	// cache of pages; the view and language are in the URL otherwise).
	h.Add("Vary", "Accept-Language")
	h.Set("Content-Language", string(lang))
	s.varyOrigin(h)
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// defaultViewJSON is where the pages' maps start, as JSON: the bounds of
// the default view, [w,s,e,n], which the data decides.
func (s *Server) defaultViewJSON() (string, error) {
	b := s.DefaultView()
	bb, err := json.Marshal([4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]})
	if err != nil {
		return "", fmt.Errorf("encode default view: %w", err)
	}
	return string(bb), nil
}

// mapStyle is what the pages' maps draw with, as JSON, the same for
// every page: the palette (pagePalette) and the uncertainty radii
// ({geo_precision: metres}, as uncertainty is drawn).
type mapStyle struct{ palette, radii string }

// mapStyleJSON encodes the map style once, for every page after.
var mapStyleJSON = sync.OnceValues(func() (mapStyle, error) {
	palette, err := json.Marshal(newPagePalette(tiles.Palette()))
	if err != nil {
		return mapStyle{}, fmt.Errorf("encode palette: %w", err)
	}
	radii := map[geo.GeoPrecision]float64{}
	for _, p := range []geo.GeoPrecision{geo.GeoExact, geo.GeoNear, geo.GeoTown, geo.GeoRegion, geo.GeoUnknown} {
		radii[p] = p.Radius()
	}
	radiiJSON, err := json.Marshal(radii)
	if err != nil {
		return mapStyle{}, fmt.Errorf("encode radii: %w", err)
	}
	return mapStyle{string(palette), string(radiiJSON)}, nil
})

// contentSecurityPolicy allows our own origin only: no inline script or
// style, no other host. frame-ancestors is the configured list ("*" when
// none is), for the page as for the embed.
func (s *Server) contentSecurityPolicy() string {
	frames := s.frames
	if frames == "" {
		frames = "*"
	}
	return policyFramedBy(frames)
}

// policyFramedBy is the pages' Content-Security-Policy, with frames as
// its frame-ancestors.
func policyFramedBy(frames string) string {
	return "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
		"frame-ancestors " + frames
}
