package api

import (
	"net/http"

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
		middleware.RequestID(),
		s.observe,
		middleware.Recover(),
		middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins: []string{"*"},
			AllowMethods: []string{http.MethodGet, http.MethodHead},
		}),
	)

	e.GET("/api", s.landing)
	e.GET("/api/openapi", s.openapi)
	e.GET("/api/conformance", s.conformance)
	e.GET("/api/collections", s.collections)
	e.GET("/api/collections/:id", s.collection)
	e.GET("/api/collections/:id/items", s.items)
	e.GET("/api/collections/:id/items/:fid", s.item)
	e.GET("/api/layers", s.layers)
	e.GET("/api/layers/:id", s.layer)

	e.GET("/tiles/:file", s.tileJSON)
	e.GET("/tiles/:layer/:z/:x/:y", s.tile)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler())

	e.GET("/*", echo.WrapHandler(http.FileServerFS(static.FS)))
	return e
}
