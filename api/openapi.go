package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openapiDoc is the OpenAPI 3.0 definition of /api, every parameter
// declared. Its server URL is relative ("/api"), so the same bytes serve
// every host. A test checks it declares what the handlers accept.
//
//go:embed openapi.json
var openapiDoc []byte

func (s *Server) openapi(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, typeOpenAPI, openapiDoc)
}
