package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/incidentmap/incidentmap/static"
)

// routes is the whole HTTP surface at a glance.
func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = handleError(s.log)
	e.Pre(middleware.RemoveTrailingSlash())
	e.Use(
		assignRequestID,
		s.observe,
		limitURL,
		middleware.Recover(),
		middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins: []string{"*"},
			AllowMethods: []string{http.MethodGet, http.MethodHead},
		}),
	)

	// Every GET route answers HEAD too.
	get := func(path string, h echo.HandlerFunc) {
		e.GET(path, h)
		e.HEAD(path, h)
	}

	get("/api", s.landing)
	get("/api/openapi", s.openapi)
	get("/api/conformance", s.conformance)
	get("/api/collections", s.collections)
	get("/api/collections/:id", s.collection)
	get("/api/collections/:id/items", s.items)
	get("/api/collections/:id/items/:fid", s.item)
	get("/api/layers", s.layers)
	get("/api/layers/:id", s.layer)
	get("/api/static.png", s.staticMap)

	get("/tiles/:file", s.tileJSON)
	get("/tiles/:layer/:z/:x/:y", s.tile)

	get("/", s.page)
	get("/embed", s.embed)
	get("/oembed", s.oembed)

	get("/healthz", s.healthz)
	get("/readyz", s.readyz)
	get("/metrics", s.metricsHandler())

	// Unknown API and tile paths are problems, not the file server's page.
	get("/api/*", s.unrouted)
	get("/tiles/*", s.unrouted)
	get("/*", echo.WrapHandler(http.FileServerFS(static.FS)))
	return e
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
