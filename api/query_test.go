package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// routeQuery is the query the route table declares for path (and, for a
// route under /api/collections/{id}, collection id).
func routeQuery(t testing.TB, s *Server, path, id string) query {
	t.Helper()
	for _, rt := range s.routeTable() {
		if rt.path != path {
			continue
		}
		c := echo.New().NewContext(nil, nil)
		c.SetParamNames("id")
		c.SetParamValues(id)
		q, ok := rt.query.queryOf(c)
		if !ok {
			t.Fatalf("route %s declares no query for id %q", path, id)
		}
		return q
	}
	t.Fatalf("no route %s", path)
	return query{}
}

// routeExamples is a request of each route in the route table that
// answers 200 (or 204, for an empty tile) without f, and the f values
// it serves.
var routeExamples = map[string][]string{
	"/api":                                 {"/api"},
	"/api/openapi":                         {"/api/openapi"},
	"/api/conformance":                     {"/api/conformance"},
	"/api/collections":                     {"/api/collections"},
	"/api/collections/:id":                 {"/api/collections/incidents", "/api/collections/sites"},
	"/api/collections/:id/items":           {"/api/collections/incidents/items", "/api/collections/sites/items"},
	"/api/collections/:id/items/:fid":      {"/api/collections/incidents/items/2023-11-21-al-asad-crbm", "/api/collections/sites/items/al-asad"},
	"/api/collections/incidents/items.csv": {"/api/collections/incidents/items.csv"},
	"/api/collections/incidents/summary":   {"/api/collections/incidents/summary"},
	"/api/layers":                          {"/api/layers"},
	"/api/layers/:id":                      {"/api/layers/incidents", "/api/layers/al-asad", "/api/layers/incidents?bbox=40,32,46,37&zoom=7"},
	"/api/static.png":                      {"/api/static.png?width=64&height=64"},
	"/tiles/:file":                         {"/tiles/incidents.json", "/tiles/basemap.json"},
	"/tiles/:layer/:z/:x/:y":               {"/tiles/incidents/0/0/0.mvt", "/tiles/basemap/0/0/0.png"},
	"/":                                    {"/"},
	"/embed":                               {"/embed"},
	"/oembed":                              {"/oembed?url=http://example.com/embed"},
	"/edit":                                {"/edit"},
	"/api/changes":                         {"/api/changes", "/api/changes?incident=2023-11-21-al-asad-crbm&limit=1"},
	"/changes.atom":                        {"/changes.atom"},
	"/changes":                             {"/changes"},
	"/healthz":                             {"/healthz"},
	"/readyz":                              {"/readyz"},
	"/metrics":                             {"/metrics"},
	"/api/*":                               nil, // 404 whatever the query
	"/tiles/*":                             nil,
	"/*":                                   {"/app.js"},
}

// addQuery adds param (name=value) to target's query.
func addQuery(target, param string) string {
	if strings.Contains(target, "?") {
		return target + "&" + param
	}
	return target + "?" + param
}

// TestRouteQueries checks, for every route, that an unknown f is refused
// with a 400 naming f, that each f the route declares is served, and that
// routes which ignore unknown parameters (pages, health, metrics, files)
// still do.
func TestRouteQueries(t *testing.T) {
	files := newTestServer(t)
	// The corrections log is served on a store alone: its routes are tried on one.
	logged, _, _ := correctedServer(t)
	for _, rt := range files.routeTable() {
		examples, ok := routeExamples[rt.path]
		if !ok {
			t.Errorf("route %s has no example in routeExamples", rt.path)
			continue
		}
		s := files
		if strings.HasPrefix(strings.TrimPrefix(rt.path, "/api"), "/changes") {
			s = logged
		}
		for _, target := range examples {
			t.Run(target, func(t *testing.T) {
				plain := get(t, s, target)
				if plain.Code != http.StatusOK && plain.Code != http.StatusNoContent {
					t.Fatalf("GET %s: status %d: %s", target, plain.Code, excerpt(plain.Body.String()))
				}
				id := strings.Split(strings.TrimPrefix(target, "/api/collections/"), "/")[0]
				c := echo.New().NewContext(nil, nil)
				c.SetParamNames("id")
				c.SetParamValues(id)
				q, _ := rt.query.queryOf(c)

				if hasF := slices.Contains(q.params, "f"); hasF != (len(q.formats) > 0) {
					t.Errorf("params %v and formats %v: f must be a parameter exactly when there are formats", q.params, q.formats)
				}
				for _, f := range append([]string{"json"}, q.formats...) {
					if len(q.formats) == 0 {
						break
					}
					if rec := get(t, s, addQuery(target, "f="+f)); rec.Code != plain.Code {
						t.Errorf("GET %s with f=%s: status %d, without f %d: %s", target, f, rec.Code, plain.Code, excerpt(rec.Body.String()))
					}
				}
				for _, bad := range []string{"f=banana", "f=", "f=JSON", "f=json&f=json", "zzz=1"} {
					rec := get(t, s, addQuery(target, bad))
					if q.ignoreOthers && !slices.Contains(q.params, "f") {
						if rec.Code != plain.Code {
							t.Errorf("GET %s with %s: status %d, want %d (this route ignores unknown parameters)", target, bad, rec.Code, plain.Code)
						}
						continue
					}
					if bad == "f=" && len(q.formats) > 0 {
						continue // an empty f is the default
					}
					var p Problem
					if rec.Code == http.StatusBadRequest {
						decodeJSON(t, rec.Body, &p)
					}
					want, _, _ := strings.Cut(bad, "=")
					if rec.Code != http.StatusBadRequest || p.Param != want {
						t.Errorf("GET %s with %s: status %d param %q (%s), want 400 naming %s", target, bad, rec.Code, p.Param, p.Detail, want)
					}
				}
			})
		}
	}
}
