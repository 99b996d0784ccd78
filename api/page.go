package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/static"
)

// The web map (/), the map for iframes (/embed) and oEmbed (/oembed).
//
// The pages take the view parameters (DESIGN.md) and reject bad ones with
// 400, as /api/static.png does. No text of the request reaches the HTML
// as it came: the scripts read the view from location.search, and the
// only request-derived text in a page is the view re-encoded from its
// parsed, typed form (for og:image, the oEmbed link and the link back),
// through html/template's escaping.

var pageTemplate = template.Must(template.New("page").Parse(static.Page))

// pageTitle and pageDescription are the page's title and description, in
// <title>, Open Graph and oEmbed.
const (
	pageTitle       = "incidentmap: sourced conflict incidents"
	pageDescription = "The November 2023 attacks on Ain Al Asad Air Base and what followed, each incident with its source."
)

// Embed sizes: an iframe is oembedWidth×oembedHeight unless the consumer's
// maxwidth or maxheight asks for less.
const (
	oembedWidth  = 600
	oembedHeight = 400
	oembedMaxDim = 10_000
	ogImageSize  = "width=1200&height=630"
)

// pageData is what page.html is rendered with.
type pageData struct {
	Embed       bool
	Title       string
	Description string
	PageURL     string // this page, canonical
	BackURL     string // the full map of the same view (from /embed)
	OEmbedURL   string
	ImageURL    string // og:image: /api/static.png of the same view
	Bounds      string // JSON [w,s,e,n] of the data, the default view
	MaxZoom     int
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
	base := baseURL(r)
	q := viewQuery(vw).Encode()
	b := s.DataBound()
	bounds, err := json.Marshal([4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]})
	if err != nil {
		return fmt.Errorf("encode data bounds: %w", err)
	}
	d := pageData{
		Embed:       path == "/embed",
		Title:       pageTitle,
		Description: pageDescription,
		PageURL:     base + path + withQuery(q),
		BackURL:     base + "/" + withQuery(q),
		ImageURL:    base + "/api/static.png?" + joinQuery(q, ogImageSize),
		Bounds:      string(bounds),
		MaxZoom:     basemapMaxZoom,
	}
	d.OEmbedURL = base + "/oembed?" + url.Values{"url": {d.PageURL}, "format": {"json"}}.Encode()
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		return fmt.Errorf("render %s: %w", path, err)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", s.contentSecurityPolicy())
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "X-Forwarded-Host, X-Forwarded-Proto")
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// contentSecurityPolicy allows our own origin only: no inline script or
// style, no other host. frame-ancestors is the configured list ("*" when
// none is), for the page as for the embed.
func (s *Server) contentSecurityPolicy() string {
	frames := s.frames
	if frames == "" {
		frames = "*"
	}
	return "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
		"frame-ancestors " + frames
}

// parsePageView reads the view parameters of a page's query. Other
// parameters (utm_source, fbclid and the like, which sites add to shared
// links) are ignored rather than refused, and never used; a view
// parameter given twice is refused.
func (s *Server) parsePageView(v url.Values) (view, error) {
	given := url.Values{}
	for _, name := range viewParams {
		if vs, ok := v[name]; ok {
			given[name] = vs
		}
	}
	if err := checkParams(given, viewParams); err != nil {
		return view{}, err
	}
	return parseView(given, basemapMaxZoom, s.limits, s.data.HasLayer)
}

// viewQuery writes a parsed view back as view parameters, from its typed
// values only.
func viewQuery(vw view) url.Values {
	q := url.Values{}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	if vw.center != nil {
		q.Set("center", num(vw.center[1])+","+num(vw.center[0]))
		q.Set("zoom", strconv.Itoa(vw.zoom))
	}
	if b := vw.bbox; b != nil {
		q.Set("bbox", strings.Join([]string{num(b.Min[0]), num(b.Min[1]), num(b.Max[0]), num(b.Max[1])}, ","))
	}
	if len(vw.layers) > 0 {
		q.Set("layers", strings.Join(vw.layers, ","))
	}
	if dt := formatInterval(vw.time); dt != "" {
		q.Set("datetime", dt)
	}
	if n := vw.near; n != nil {
		q.Set("lat", num(n.Center[1]))
		q.Set("lon", num(n.Center[0]))
		q.Set("radius", num(n.Metres))
	}
	return q
}

// formatInterval writes an interval in the datetime syntax parseDatetime
// reads back to the same interval; "" for no condition.
func formatInterval(iv geo.Interval) string {
	end := func(t time.Time) string {
		if t.IsZero() {
			return ".."
		}
		return t.Format(time.RFC3339Nano)
	}
	switch {
	case iv.Start.IsZero() && iv.End.IsZero():
		return ""
	case iv.Start.Equal(iv.End):
		return end(iv.Start)
	}
	return end(iv.Start) + "/" + end(iv.End)
}

func withQuery(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

func joinQuery(a, b string) string {
	if a == "" {
		return b
	}
	return a + "&" + b
}

// oembedParams are what /oembed accepts (oEmbed 1.0, section 2.2).
var oembedParams = []string{"url", "maxwidth", "maxheight", "format"}

// oembedResponse is an oEmbed 1.0 "rich" response.
type oembedResponse struct {
	Version         string `json:"version"`
	Type            string `json:"type"`
	Title           string `json:"title"`
	ProviderName    string `json:"provider_name"`
	ProviderURL     string `json:"provider_url"`
	CacheAge        int    `json:"cache_age"`
	HTML            string `json:"html"`
	Width           int    `json:"width"`
	Height          int    `json:"height"`
	ThumbnailURL    string `json:"thumbnail_url,omitempty"`
	ThumbnailWidth  int    `json:"thumbnail_width,omitempty"`
	ThumbnailHeight int    `json:"thumbnail_height,omitempty"`
}

// oembed answers /oembed?url=… for a URL of our page or embed: the iframe
// of the same view. A URL of another host, or of another path, is not
// ours: 404.
func (s *Server) oembed(c echo.Context) error {
	v := c.QueryParams()
	if err := checkParams(v, oembedParams); err != nil {
		return err
	}
	switch f := v.Get("format"); f {
	case "", "json":
	case "xml":
		return echo.NewHTTPError(http.StatusNotImplemented, "format: only json is served")
	default:
		return badParam("format", "%q is not json", f)
	}
	maxW, err := parseIntParam(v, "maxwidth", 0, 1, oembedMaxDim)
	if err != nil {
		return err
	}
	maxH, err := parseIntParam(v, "maxheight", 0, 1, oembedMaxDim)
	if err != nil {
		return err
	}
	r := c.Request()
	vw, err := s.ourPageView(r, v.Get("url"))
	if err != nil {
		return err
	}
	q := viewQuery(vw).Encode()
	base := baseURL(r)
	w, h := embedSize(maxW, maxH)
	src := base + "/embed" + withQuery(q)
	resp := oembedResponse{
		Version:      "1.0",
		Type:         "rich",
		Title:        pageTitle,
		ProviderName: "incidentmap",
		ProviderURL:  base + "/",
		CacheAge:     3600,
		HTML: fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" title="%s" style="border:0" loading="lazy" allowfullscreen></iframe>`,
			html.EscapeString(src), w, h, html.EscapeString(pageTitle)),
		Width:  w,
		Height: h,
	}
	if w >= staticMinSide && h >= staticMinSide {
		resp.ThumbnailURL = base + "/api/static.png?" + joinQuery(q, fmt.Sprintf("width=%d&height=%d", w, h))
		resp.ThumbnailWidth, resp.ThumbnailHeight = w, h
	}
	return s.json(c, resp)
}

// ourPageView parses raw, the url parameter of /oembed: an absolute URL
// of this host (as the client reached us, X-Forwarded-Host included) whose
// path is / or /embed, with valid view parameters.
func (s *Server) ourPageView(r *http.Request, raw string) (view, error) {
	if raw == "" {
		return view{}, badParam("url", "missing; give the address of a page or embed of this site")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return view{}, badParam("url", "not a URL: %v", errors.Unwrap(err))
	}
	us, err := url.Parse(baseURL(r))
	if err != nil {
		return view{}, fmt.Errorf("parse own base URL: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https",
		hostOf(u) != hostOf(us):
		return view{}, notFound("url", "%s is not a page of this site (%s)", u.Redacted(), us.Host)
	case u.Path != "" && u.Path != "/" && u.Path != "/embed" && u.Path != "/embed/":
		return view{}, notFound("url", "%s has no embed; oEmbed covers / and /embed", u.Path)
	}
	vw, err := s.parsePageView(u.Query())
	var p *Problem
	if errors.As(err, &p) {
		return view{}, badParam("url", "%s", p.Detail)
	}
	return vw, err
}

// hostOf is u's host without the port its scheme implies, so that
// https://example.com, https://example.com:443 and (behind a proxy that
// terminates TLS) http://example.com compare equal.
func hostOf(u *url.URL) string {
	if p := u.Port(); p == "80" && u.Scheme == "http" || p == "443" && u.Scheme == "https" {
		return strings.ToLower(u.Hostname())
	}
	return strings.ToLower(u.Host)
}

// embedSize is the iframe's size: the default, scaled down (keeping its
// shape) to fit maxW and maxH where they are set (not 0).
func embedSize(maxW, maxH int) (w, h int) {
	scale := 1.0
	if maxW > 0 && maxW < oembedWidth {
		scale = float64(maxW) / oembedWidth
	}
	if maxH > 0 && float64(maxH) < scale*oembedHeight {
		scale = float64(maxH) / oembedHeight
	}
	w, h = int(oembedWidth*scale), int(oembedHeight*scale)
	if maxW > 0 {
		w = min(max(w, 1), maxW)
	}
	if maxH > 0 {
		h = min(max(h, 1), maxH)
	}
	return max(w, 1), max(h, 1)
}
