package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/incidentmap/incidentmap/static"
)

// route is one path the server answers, what it takes in its query
// string, and its handler.
type route struct {
	path    string
	query   queryFor
	handler echo.HandlerFunc
}

// routeTable is the whole HTTP surface at a glance: every path, and what
// each takes in its query string.
func (s *Server) routeTable() []route {
	return []route{
		{"/api", jsonDoc, s.landing},
		{"/api/openapi", jsonDoc, s.openapi},
		{"/api/conformance", jsonDoc, s.conformance},
		{"/api/collections", jsonDoc, s.collections},
		{"/api/collections/:id", perCollection{collIncidents: jsonDoc, collSites: jsonDoc}, s.collection},
		{"/api/collections/:id/items", perCollection{
			collIncidents: {params: itemsParams, formats: []string{"geojson", "csv", "kml"}},
			collSites:     {params: sitesItemsParams, formats: []string{"geojson"}},
		}, s.items},
		{"/api/collections/incidents/items.csv", query{params: exportParams}, s.exportCSV},
		{"/api/collections/incidents/summary", jsonDoc, s.summary},
		{"/api/collections/:id/items/:fid", query{params: []string{"f"}, formats: []string{"geojson"}}, s.item},
		{"/api/layers", jsonDoc, s.layers},
		{"/api/layers/:id", query{params: layerParams, formats: []string{"geojson"}}, s.layer},
		{"/api/static.png", query{params: staticMapParams}, s.staticMap},

		{"/tiles/:file", query{params: []string{"f", "lang"}, formats: []string{"mvt", "png"}}, s.tileJSON},
		{"/tiles/:layer/:z/:x/:y", query{params: []string{"datetime", "lang"}}, s.tile},

		{"/", pageQuery, s.page},
		{"/embed", pageQuery, s.embed},
		{"/oembed", query{params: oembedParams}, s.oembed},
		{"/edit", query{}, s.desk},

		// The corrections log, on a store (changes.go).
		{"/api/changes", query{params: changesParams}, s.changesJSON},
		{"/changes.atom", query{}, s.changesAtom},
		{"/changes", query{params: changesParams}, s.changesPage},

		{"/healthz", anything, s.healthz},
		{"/readyz", anything, s.readyz},
		{"/metrics", anything, s.metricsHandler()},

		// Unknown API and tile paths are problems, not the file server's page.
		{"/api/*", anything, s.unrouted},
		{"/tiles/*", anything, s.unrouted},
		{"/*", anything, echo.WrapHandler(http.FileServerFS(static.FS))},
	}
}

// routes builds the echo server: middleware, then the route table.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = handleError(s.log)
	e.Pre(middleware.RemoveTrailingSlash(), pinRevision)
	e.Use(prebuilt(
		assignRequestID,
		s.observe,
		limitURL,
		middleware.Recover(),
		middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins: []string{"*"},
			AllowMethods: []string{http.MethodGet, http.MethodHead},
		}),
	))

	// Every GET route answers HEAD too. A request is handled by the
	// route's handler on the server bound to the data set current when
	// it started (SetData).
	for i, rt := range s.table {
		h := checkQuery(rt.query, func(c echo.Context) error {
			now, err := s.serverFor(c)
			if err != nil {
				return err
			}
			if rev := revisionOf(now.data); rev != "" {
				c.Response().Header().Set("X-Revision", rev) // the store's revision this answer is of
			}
			return now.table[i].handler(c)
		})
		e.GET(rt.path, h)
		e.HEAD(rt.path, h)
	}
	s.writeRoutes(e)
	s.tokenRoutes(e)
	s.importRoutes(e)
	return e
}

// prebuilt is the middleware mw, in that order, as one, built once.
// Echo applies what e.Use was given to the handler the router found,
// anew for every request: a closure per middleware per request, a fifth
// of the allocations of a cached hit. The chain built here ends in that
// same handler, c.Handler(), which is what echo passes as next; so the
// middleware given to echo returns the chain as it is, and every request
// runs the same code as before without building it.
func prebuilt(mw ...echo.MiddlewareFunc) echo.MiddlewareFunc {
	chain := func(c echo.Context) error { return c.Handler()(c) }
	for i := len(mw) - 1; i >= 0; i-- {
		chain = mw[i](chain)
	}
	return func(echo.HandlerFunc) echo.HandlerFunc { return chain }
}

func (s *Server) unrouted(c echo.Context) error {
	return notFound("path", "no such endpoint; /api lists them")
}

// maxURLBytes bounds a request's path and query. The longest real request
// (a bbox, an interval, a radius and every filter) is a few hundred bytes.
const maxURLBytes = 4096

// maxQueryParams bounds how many parameters a query may carry; no endpoint
// takes more than fourteen.
const maxQueryParams = 32

// limitURL refuses over-long URLs, and queries with more parameters than
// any endpoint takes, before anything parses them.
func limitURL(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if n := len(r.RequestURI); n > maxURLBytes {
			return &Problem{Type: "about:blank", Title: http.StatusText(http.StatusRequestURITooLong),
				Status: http.StatusRequestURITooLong, Param: "url",
				Detail: fmt.Sprintf("url: %d bytes, at most %d", n, maxURLBytes)}
		}
		if n := strings.Count(r.URL.RawQuery, "&") + strings.Count(r.URL.RawQuery, ";") + 1; n > maxQueryParams {
			return badParam("query", "%d parameters, at most %d", n, maxQueryParams)
		}
		return next(c)
	}
}
