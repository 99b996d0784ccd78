package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// Problem is an RFC 9457 problem detail. Param names the query or path
// parameter that was wrong, when one was.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	Param    string `json:"param,omitempty"`
	// RetryAfter, when set, is sent as Retry-After, in seconds.
	RetryAfter int `json:"-"`
	// ETag, when set, is sent as the ETag of what the problem is about:
	// a 412's current version.
	ETag string `json:"-"`
	// Errors are every field at fault, when there are several (a written
	// incident's), the first of them also in Param and Detail.
	Errors []FieldError `json:"errors,omitempty"`
	// Import is an import's report, when the problem is its file's
	// (imports.go): every problem by line.
	Import *importReport `json:"import,omitempty"`
}

// FieldError is one field a problem names, and what is wrong with it.
type FieldError struct {
	Param  string `json:"param"`
	Detail string `json:"detail"`
}

func (p *Problem) Error() string {
	if p.Param != "" {
		return fmt.Sprintf("%d %s: %s", p.Status, p.Param, p.Detail)
	}
	return fmt.Sprintf("%d %s", p.Status, p.Detail)
}

// badParam returns a 400 problem about one parameter; detail says what was
// wrong, starting with the parameter's name, as in
// "bbox: want 4 or 6 numbers, got 3".
func badParam(param, format string, args ...any) *Problem {
	return &Problem{
		Type:   "about:blank",
		Title:  http.StatusText(http.StatusBadRequest),
		Status: http.StatusBadRequest,
		Detail: param + ": " + fmt.Sprintf(format, args...),
		Param:  param,
	}
}

// notFound returns a 404 problem about what a path named.
func notFound(param, format string, args ...any) *Problem {
	p := badParam(param, format, args...)
	p.Status, p.Title = http.StatusNotFound, http.StatusText(http.StatusNotFound)
	return p
}

// noCollection is the 404 of a path naming no collection.
func noCollection(id string) *Problem {
	return notFound("id", "no collection %q; there are %s and %s", id, collIncidents, collSites)
}

// noLayer is the problem of a request naming a layer that does not exist,
// given as param: a 404 for a path (/api/layers/{id}, /tiles/{layer}…),
// a 400 for the layers parameter of a view. Under /tiles the basemap is a
// layer too, and the detail says so.
func noLayer(param, id string) *Problem {
	switch param {
	case "layers":
		return badParam(param, "no layer %q; /api/layers lists them", id)
	case "layer":
		return notFound(param, "no layer %q; /api/layers lists them, and basemap", id)
	}
	return notFound(param, "no layer %q; /api/layers lists them", id)
}

// handleError is echo's HTTPErrorHandler: it writes every error as
// problem+json. Errors that are not a *Problem or an echo.HTTPError are the
// server's fault; their text is logged, not shown.
func handleError(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var p *Problem
		var he *echo.HTTPError
		switch {
		case errors.As(err, &p):
			cp := *p // a copy: the error may be shared
			p = &cp
		case errors.As(err, &he):
			detail := http.StatusText(he.Code)
			if m, ok := he.Message.(string); ok {
				detail = m
			}
			p = &Problem{Type: "about:blank", Title: http.StatusText(he.Code), Status: he.Code, Detail: detail}
		default:
			log.ErrorContext(c.Request().Context(), "request failed",
				"err", err, "path", c.Request().URL.Path, "request_id", requestID(c))
			p = &Problem{Type: "about:blank", Title: http.StatusText(500), Status: 500,
				Detail: "internal error; see the server log for request " + requestID(c)}
		}
		p.Instance = c.Request().URL.RequestURI()
		body, _ := json.Marshal(p)
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, "application/problem+json")
		h.Set("Cache-Control", "no-store")
		h.Del("ETag") // set before the render that failed; a problem has none
		if p.ETag != "" {
			h.Set("ETag", p.ETag)
		}
		if p.RetryAfter > 0 {
			h.Set("Retry-After", strconv.Itoa(p.RetryAfter))
		}
		if c.Request().Method == http.MethodHead {
			c.Response().WriteHeader(p.Status)
			return
		}
		c.Response().WriteHeader(p.Status)
		_, _ = c.Response().Write(body)
	}
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
