package api

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/incidentmap/incidentmap/static"
)

// The editor's desk, /edit: a page from which editors with a token find,
// add, correct, delete and import incidents through the write API. The
// page holds no data and no secret; its scripts ask the API for both,
// with the token the editor signs in with, which they keep in the tab's
// sessionStorage (never a cookie, never a URL). It is served under the
// map's Content-Security-Policy (no inline script, no other host), and
// framed by no page.

var deskTemplate = template.Must(template.New("desk").Option("missingkey=error").Parse(static.Desk))

// deskData is what desk.html is rendered with.
type deskData struct {
	Root    string // the path the service is served under ("" at its host's root)
	Bounds  string // JSON [w,s,e,n] of DefaultView
	MaxZoom int
	Palette string // JSON pagePalette
	Radii   string // JSON {geo_precision: metres}, as uncertainty is drawn
	Store   bool   // whether the server can be written to
}

func (s *Server) desk(c echo.Context) error {
	if c.Get(pinKey) != nil {
		return badParam("rev", "the desk edits the current revision; it takes no rev")
	}
	bounds, err := s.defaultViewJSON()
	if err != nil {
		return err
	}
	style, err := mapStyleJSON()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	err = deskTemplate.Execute(&buf, deskData{Root: s.basePath, Bounds: bounds, MaxZoom: basemapMaxZoom,
		Palette: style.palette, Radii: style.radii, Store: s.writer != nil})
	if err != nil {
		return fmt.Errorf("render /edit: %w", err)
	}
	h := c.Response().Header()
	// No page may frame the desk: a click on it writes.
	h.Set("Content-Security-Policy", policyFramedBy("'none'"))
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}
