package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/incidentmap/incidentmap/store"
)

// Token management over HTTP, for admins, on a server with a store: what
// `incidentmap token create|list|revoke` does from a shell. A list never
// holds a secret or a hash; a new token's text is in the answer that
// creates it and nowhere else. No answer here is cached or shared.

// maxTokenBody bounds the body of a token's creation.
const maxTokenBody = 4 << 10

// tokenIDPattern is the form of a token's id: 16 hex digits.
var tokenIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// tokenDoc is a token as the API shows it.
type tokenDoc struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	Revoked   bool      `json:"revoked"`
	// Token is the token's text, in the answer that creates it alone.
	Token string `json:"token,omitempty"`
}

func docOfToken(t store.Token) tokenDoc {
	return tokenDoc{ID: t.ID, Name: t.Name, Role: t.Role, CreatedAt: t.CreatedAt, Revoked: t.Revoked}
}

// tokenRoutes adds the token routes, when the server has a store.
func (s *Server) tokenRoutes(e *echo.Echo) {
	if s.writer == nil {
		return
	}
	e.GET("/api/tokens", s.asAdmin((*Server).listTokens))
	e.GET("/api/tokens/current", s.withToken("the desk", []string{store.RoleEditor, store.RoleAdmin}, (*Server).currentToken))
	e.POST("/api/tokens", s.asAdmin((*Server).createToken))
	e.DELETE("/api/tokens/:tid", s.asAdmin((*Server).revokeToken))
}

// asAdmin wraps a handler of the token API for admins: withToken, and
// within the token's rate.
func (s *Server) asAdmin(h func(*Server, echo.Context, store.Token) error) echo.HandlerFunc {
	return s.withToken("tokens", []string{store.RoleAdmin}, func(s *Server, c echo.Context, tok store.Token) error {
		if err := s.withinRate(c, tok); err != nil {
			return err
		}
		return h(s, c, tok)
	})
}

// withToken wraps a handler of the token API: never cached, no query, at
// the current revision, with a token of one of roles (what says what
// needs it, as authorize's).
func (s *Server) withToken(what string, roles []string, h func(*Server, echo.Context, store.Token) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		if c.Get(pinKey) != nil {
			return badParam("rev", "tokens are not data; they have no revision")
		}
		if err := checkParams(c.QueryParams(), nil); err != nil {
			return err
		}
		tok, err := s.authorize(c, what, roles...)
		if err != nil {
			return err
		}
		return h(s.now(), c, tok)
	}
}

// currentToken answers the request's own token, an editor's or an
// admin's, without its text: who the editor's desk is signed in as.
func (s *Server) currentToken(c echo.Context, tok store.Token) error {
	return c.JSON(http.StatusOK, docOfToken(tok))
}

// listTokens answers every token, oldest first, revoked ones too.
func (s *Server) listTokens(c echo.Context, _ store.Token) error {
	list, err := s.writer.store.Tokens(c.Request().Context())
	if err != nil {
		return storeDown(err)
	}
	docs := make([]tokenDoc, len(list))
	for i, t := range list {
		docs[i] = docOfToken(t)
	}
	return c.JSON(http.StatusOK, struct {
		Tokens []tokenDoc `json:"tokens"`
	}{docs})
}

// createToken makes the token the body asks for, {"name": …, "role": …},
// and answers it with its text, shown this once.
func (s *Server) createToken(c echo.Context, admin store.Token) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxTokenBody+1))
	if err != nil {
		return problem(http.StatusBadRequest, "body", "read: %v", err)
	}
	if len(body) > maxTokenBody {
		return problem(http.StatusRequestEntityTooLarge, "body", "over %d bytes", maxTokenBody)
	}
	var req struct {
		Name *string `json:"name"`
		Role *string `json:"role"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || dec.More() {
		return problem(http.StatusBadRequest, "body", `want {"name": "whose it is", "role": "editor" or "admin"}`)
	}
	switch {
	case req.Name == nil:
		return problem(http.StatusUnprocessableEntity, "name", "missing: say whose the token is")
	case req.Role == nil:
		return problem(http.StatusUnprocessableEntity, "role", "missing: %s or %s", store.RoleEditor, store.RoleAdmin)
	}
	if err := store.CheckToken(*req.Name, *req.Role); err != nil {
		var te *store.TokenError
		if errors.As(err, &te) {
			return problem(http.StatusUnprocessableEntity, te.Field, "%v", te.Err)
		}
		return problem(http.StatusUnprocessableEntity, "body", "%v", err)
	}
	tok, text, err := s.writer.store.CreateToken(c.Request().Context(), *req.Name, *req.Role)
	if err != nil {
		return storeDown(err)
	}
	s.log.InfoContext(c.Request().Context(), "token created", "token", tok.ID, "role", tok.Role, "by", admin.ID, "request_id", requestID(c))
	doc := docOfToken(tok)
	doc.Token = text
	return c.JSON(http.StatusCreated, doc)
}

// revokeToken revokes the token at the path: it authenticates no more.
// Revoking a revoked one is no error.
func (s *Server) revokeToken(c echo.Context, admin store.Token) error {
	id := c.Param("tid")
	if !tokenIDPattern.MatchString(id) {
		return notFound("id", "no token has id %q; GET /api/tokens lists them", id)
	}
	err := s.writer.store.RevokeToken(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("id", "no token has id %q; GET /api/tokens lists them", id)
	}
	if err != nil {
		return storeDown(err)
	}
	s.log.InfoContext(c.Request().Context(), "token revoked", "token", id, "by", admin.ID, "request_id", requestID(c))
	return c.NoContent(http.StatusNoContent)
}
