package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/incidentmap/incidentmap/store"
)

// authorize returns the bearer token of the request's Authorization
// header when its role is one of roles. It is a 401 problem, with a
// Bearer challenge, when there is no such token or the store knows none
// (unknown, revoked); a 403 when its role is not one of roles; a 503 when
// the store cannot be reached. what says what needs it, as in "writes".
func (s *Server) authorize(c echo.Context, what string, roles ...string) (store.Token, error) {
	text, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	if !ok || text == "" {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="incidentmap"`)
		return store.Token{}, problem(http.StatusUnauthorized, "authorization", "%s need a bearer token (Authorization: Bearer imt_…); reads need none", what)
	}
	tok, err := s.writer.store.Authenticate(c.Request().Context(), text)
	if errors.Is(err, store.ErrBadToken) {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="incidentmap", error="invalid_token"`)
		return store.Token{}, problem(http.StatusUnauthorized, "authorization", "the token is unknown or revoked")
	}
	if err != nil {
		return store.Token{}, storeDown(err)
	}
	if !slices.Contains(roles, tok.Role) {
		return store.Token{}, problem(http.StatusForbidden, "authorization", "%s need the role %s; this token's is %s", what, strings.Join(roles, " or "), tok.Role)
	}
	return tok, nil
}
