package api

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// oEmbed (https://oembed.com): /oembed answers for a URL of our page or
// embed with the iframe of the same view, so that a CMS given the page's
// address embeds the map.

// Embed sizes: an iframe is oembedWidth×oembedHeight unless the consumer's
// maxwidth or maxheight asks for less.
const (
	oembedWidth  = 600
	oembedHeight = 400
	oembedMaxDim = 10_000
)

// oembedParams are what /oembed accepts (oEmbed 1.0, section 2.2).
// lang is ours: the language of the embed and its title.
var oembedParams = []string{"url", "maxwidth", "maxheight", "format", "lang"}

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

// iframeTemplate is the HTML an oEmbed consumer puts in its page.
var iframeTemplate = template.Must(template.New("iframe").Parse(
	`<iframe src="{{.Src}}" width="{{.Width}}" height="{{.Height}}" title="{{.Title}}" style="border:0" loading="lazy" allowfullscreen></iframe>`))

// iframe is what iframeTemplate is rendered with.
type iframe struct {
	Src           string
	Width, Height int
	Title         string
}

// html renders the iframe.
func (f iframe) html() (string, error) {
	var b strings.Builder
	if err := iframeTemplate.Execute(&b, f); err != nil {
		return "", fmt.Errorf("render oEmbed iframe: %w", err)
	}
	return b.String(), nil
}

// oembed answers /oembed?url=… for a URL of our page or embed: the iframe
// of the same view, pinned, on a store, to the revision the URL pins or
// else to the latest (ourPageView). A URL of another host, or of another
// path, is not ours: 404.
func (s *Server) oembed(c echo.Context) error {
	v := c.QueryParams() // names checked by the route (oembedParams)
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
	lang, given, err := parseLang(v)
	if err != nil {
		return err
	}
	r := c.Request()
	vw, urlLang, pin, err := s.ourPageView(r, v.Get("url"))
	if err != nil {
		return err
	}
	if !given {
		lang = urlLang // the page's own language, as its URL says
	}
	q := langQuery(viewQuery(vw), lang).Encode()
	base := s.root(r)
	w, h := embedSize(maxW, maxH)
	html, err := iframe{Src: base + pin + "/embed" + withQuery(q), Width: w, Height: h, Title: lang.text("title")}.html()
	if err != nil {
		return err
	}
	resp := oembedResponse{
		Version:      "1.0",
		Type:         "rich",
		Title:        lang.text("title"),
		ProviderName: "incidentmap",
		ProviderURL:  base + "/",
		CacheAge:     3600,
		HTML:         html,
		Width:        w,
		Height:       h,
	}
	if w >= staticMinSide && h >= staticMinSide {
		resp.ThumbnailURL = base + pin + "/api/static.png?" + joinQuery(q, fmt.Sprintf("width=%d&height=%d", w, h))
		resp.ThumbnailWidth, resp.ThumbnailHeight = w, h
	}
	return s.json(c, resp)
}

// ourPageView parses raw, the url parameter of /oembed: an absolute URL
// of this host (as the client reached us, X-Forwarded-Host included) whose
// path is / or /embed, with valid view parameters. It returns the view
// and language (its lang, else English) and the path prefix of the
// revision its embed is pinned to (/r/N): the
// one the URL pins (/r/N/… or rev=N), else the one this server serves,
// so that an embed shows the data as it was when it was made; "" on a
// server without a store, which has no revisions.
func (s *Server) ourPageView(r *http.Request, raw string) (view, language, string, error) {
	if raw == "" {
		return view{}, langEN, "", badParam("url", "missing; give the address of a page or embed of this site")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return view{}, langEN, "", badParam("url", "not a URL: %v", errors.Unwrap(err))
	}
	us, err := url.Parse(s.root(r))
	if err != nil {
		return view{}, langEN, "", fmt.Errorf("parse own base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || hostOf(u) != hostOf(us) {
		return view{}, langEN, "", notFound("url", "%s is not a page of this site (%s)", u.Redacted(), us.Host)
	}
	rev, err := takeRevision(u)
	var p *Problem
	if errors.As(err, &p) {
		return view{}, langEN, "", badParam("url", "%s", p.Detail)
	}
	if u.Path != "" && u.Path != "/" && u.Path != "/embed" && u.Path != "/embed/" {
		return view{}, langEN, "", notFound("url", "%s has no embed; oEmbed covers /, /embed and the same under /r/N/", u.Path)
	}
	pin := ""
	head, _ := strconv.ParseInt(revisionOf(s.data), 10, 64)
	switch {
	case rev > 0 && s.writer == nil:
		return view{}, langEN, "", notFound("url", "this server reads a file, which has no revisions")
	case rev > 0:
		if latest, _ := strconv.ParseInt(revisionOf(s.now().data), 10, 64); rev > latest {
			return view{}, langEN, "", notFound("url", "revision %d: the latest is %d", rev, latest)
		}
		pin = pinPrefix(rev)
	case head > 0:
		pin = pinPrefix(head)
	}
	vw, err := s.parsePageView(u.Query())
	if errors.As(err, &p) {
		return view{}, langEN, "", badParam("url", "%s", p.Detail)
	}
	if err != nil {
		return view{}, langEN, "", err
	}
	lang, _, err := parseLang(u.Query())
	if errors.As(err, &p) {
		return view{}, langEN, "", badParam("url", "%s", p.Detail)
	}
	return vw, lang, pin, err
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
