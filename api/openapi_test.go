package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/tiles"
)

// openAPIParam is an OpenAPI 3.0 Parameter Object, or a reference to one.
type openAPIParam struct {
	Ref         string `json:"$ref"`
	Name        string `json:"name"`
	In          string `json:"in"`
	Description string `json:"description"`
	Schema      struct {
		Type    string   `json:"type"`
		Enum    []string `json:"enum"`
		Minimum *float64 `json:"minimum"`
		Maximum *float64 `json:"maximum"`
	} `json:"schema"`
}

type openAPIOperation struct {
	OperationID string                `json:"operationId"`
	Parameters  []openAPIParam        `json:"parameters"`
	Security    []map[string][]string `json:"security"`
	Responses   map[string]any        `json:"responses"`
}

// public reports whether a path of the document has an operation that
// needs no token: the paths of the read API. The token API, all of it
// for admins on a store, is checked by TestTokensOverHTTP.
func public(ops map[string]openAPIOperation) bool {
	for _, op := range ops {
		if len(op.Security) == 0 {
			return true
		}
	}
	return false
}

type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Servers []struct {
		URL string `json:"url"`
	} `json:"servers"`
	Paths      map[string]map[string]openAPIOperation `json:"paths"`
	Components struct {
		Parameters map[string]openAPIParam `json:"parameters"`
	} `json:"components"`
}

// servedOpenAPI fetches /api/openapi and decodes it, checking its media
// type and version.
func servedOpenAPI(t *testing.T) (*Server, openAPIDoc) {
	t.Helper()
	s := newTestServer(t)
	rec := get(t, s, "/api/openapi")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.oai.openapi+json;version=3.0" {
		t.Errorf("Content-Type %q, want application/vnd.oai.openapi+json;version=3.0", ct)
	}
	if rec.Body.String() != string(openapiDoc) {
		t.Error("served bytes differ from api/openapi.json")
	}
	var doc openAPIDoc
	decodeJSON(t, rec.Body, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Fatalf("openapi %q, want 3.0.x", doc.OpenAPI)
	}
	return s, doc
}

// params resolves an operation's parameters, failing on a dangling $ref.
func (doc openAPIDoc) params(t *testing.T, op openAPIOperation) []openAPIParam {
	t.Helper()
	var out []openAPIParam
	for _, p := range op.Parameters {
		if p.Ref != "" {
			name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/")
			if !ok {
				t.Fatalf("%s: $ref %q is not to components.parameters", op.OperationID, p.Ref)
			}
			ref, ok := doc.Components.Parameters[name]
			if !ok {
				t.Fatalf("%s: $ref %q resolves to nothing", op.OperationID, p.Ref)
			}
			p = ref
		}
		if p.Name == "" || p.In == "" {
			t.Fatalf("%s: parameter %+v has no name or in", op.OperationID, p)
		}
		out = append(out, p)
	}
	return out
}

func (doc openAPIDoc) queryParams(t *testing.T, path string) map[string]openAPIParam {
	t.Helper()
	op, ok := doc.Paths[path]["get"]
	if !ok {
		t.Fatalf("no GET %s in the document", path)
	}
	out := map[string]openAPIParam{}
	for _, p := range doc.params(t, op) {
		if p.In == "query" {
			if _, dup := out[p.Name]; dup {
				t.Errorf("GET %s declares %s twice", path, p.Name)
			}
			out[p.Name] = p
		}
	}
	return out
}

// validItemsValue is a value of each items parameter that the parameter
// accepts on its own.
var validItemsValue = map[string]string{
	"bbox":       "40,33,45,37",
	"datetime":   "2023-11-21T12:00:00Z/..",
	"lat":        "33.786",
	"lon":        "42.441",
	"radius":     "50000",
	"event_type": "airstrike",
	"site":       "al-asad",
	"country":    "IQ",
	"located":    "false",
	"q":          "mortar",
	"sortby":     "-occurred_at",
	"limit":      "2",
	"offset":     "1",
	"f":          "csv",
}

// TestOpenAPIItemsParams checks the items operation declares exactly what
// the handler accepts: every name in itemsParams, and nothing the handler
// would reject as unknown.
func TestOpenAPIItemsParams(t *testing.T) {
	s, doc := servedOpenAPI(t)
	declared := doc.queryParams(t, "/collections/{collectionId}/items")

	var names []string
	for name := range declared {
		names = append(names, name)
	}
	slices.Sort(names)
	accepted := slices.Sorted(slices.Values(itemsParams))
	if !slices.Equal(names, accepted) {
		t.Errorf("items declares %v, the handler accepts %v", names, accepted)
	}
	for _, name := range sitesItemsParams {
		if _, ok := declared[name]; !ok {
			t.Errorf("sites items accepts %s, the document does not declare it", name)
		}
	}

	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			value, ok := validItemsValue[name]
			if !ok {
				t.Fatalf("no valid value for %s in this test", name)
			}
			target := itemsPath + "?" + url.Values{name: {value}}.Encode()
			rec := get(t, s, target)
			if rec.Code == http.StatusOK {
				return
			}
			var p Problem
			decodeJSON(t, rec.Body, &p)
			if strings.Contains(p.Detail, "unknown parameter") {
				t.Fatalf("GET %s: declared %s rejected as unknown: %s", target, name, p.Detail)
			}
			// lat, lon and radius come together or not at all.
			if name != "lat" && name != "lon" && name != "radius" {
				t.Errorf("GET %s: status %d: %s", target, rec.Code, p.Detail)
			}
		})
	}

	t.Run("radius trio together", func(t *testing.T) {
		q := url.Values{}
		for _, name := range []string{"lat", "lon", "radius"} {
			q.Set(name, validItemsValue[name])
		}
		if rec := get(t, s, itemsPath+"?"+q.Encode()); rec.Code != http.StatusOK {
			t.Errorf("status %d: %s", rec.Code, excerpt(rec.Body.String()))
		}
	})

	t.Run("every declared f value", func(t *testing.T) {
		for _, f := range declared["f"].Schema.Enum {
			if rec := get(t, s, itemsPath+"?f="+f); rec.Code != http.StatusOK {
				t.Errorf("f=%s: status %d", f, rec.Code)
			}
		}
	})

	t.Run("bounds match the limits", func(t *testing.T) {
		if m := declared["radius"].Schema.Maximum; m == nil || *m != DefaultLimits.MaxRadius {
			t.Errorf("radius maximum %v, DefaultLimits.MaxRadius %v", m, DefaultLimits.MaxRadius)
		}
		for name, bound := range map[string]float64{"lat": 90, "lon": 180} {
			sc := declared[name].Schema
			if sc.Minimum == nil || sc.Maximum == nil || *sc.Minimum != -bound || *sc.Maximum != bound {
				t.Errorf("%s bounds %v..%v, want ±%v", name, sc.Minimum, sc.Maximum, bound)
			}
		}
		if m := declared["limit"].Schema.Minimum; m == nil || *m != 1 {
			t.Errorf("limit minimum %v, want 1", m)
		}
		if m := declared["limit"].Schema.Maximum; m == nil || *m != float64(DefaultLimits.MaxLimit) {
			t.Errorf("limit maximum %v, want DefaultLimits.MaxLimit %d", m, DefaultLimits.MaxLimit)
		}
		if d := declared["limit"].Description; !strings.Contains(d, strconv.Itoa(DefaultLimits.MaxLimit)) {
			t.Errorf("limit description %q does not give the clamp %d", d, DefaultLimits.MaxLimit)
		}
	})
}

// TestOpenAPILayerParams checks the layer operation declares bbox,
// datetime, zoom and f, and that the handler takes them and nothing else.
func TestOpenAPILayerParams(t *testing.T) {
	s, doc := servedOpenAPI(t)
	declared := doc.queryParams(t, "/layers/{layerId}")
	for _, name := range []string{"bbox", "datetime", "zoom", "f"} {
		if _, ok := declared[name]; !ok {
			t.Errorf("getLayer does not declare %s", name)
		}
	}
	if m := declared["zoom"].Schema.Maximum; m == nil || *m != tiles.MaxZoom {
		t.Errorf("zoom maximum %v, want tiles.MaxZoom %d", m, tiles.MaxZoom)
	}
	for name, p := range declared {
		// zoom alone is the whole world at that zoom: at most 4, 4096 px.
		value := map[string]string{"bbox": "40,32,46,37", "datetime": "2023-11-21", "zoom": "4"}[name]
		if name == "f" {
			value = p.Schema.Enum[0]
		}
		if rec := get(t, s, "/api/layers/incidents?"+url.Values{name: {value}}.Encode()); rec.Code != http.StatusOK {
			t.Errorf("declared %s=%s: status %d: %s", name, value, rec.Code, excerpt(rec.Body.String()))
		}
	}
}

// TestOpenAPIPathsServed checks every path the document declares is served
// under its server URL, and every declared f value is accepted.
func TestOpenAPIPathsServed(t *testing.T) {
	_, doc := servedOpenAPI(t)
	s, _, _ := correctedServer(t) // a store's, which serves the corrections log too
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/api" {
		t.Fatalf("servers %+v, want one at /api", doc.Servers)
	}
	fill := strings.NewReplacer("{collectionId}", "incidents", "{featureId}", "2023-11-21-al-asad-crbm", "{layerId}", "rings")
	for path, ops := range doc.Paths {
		if !public(ops) {
			continue
		}
		t.Run(path, func(t *testing.T) {
			op, ok := ops["get"]
			if !ok {
				t.Fatalf("no get operation: %v", ops)
			}
			target := doc.Servers[0].URL + strings.TrimSuffix(fill.Replace(path), "/")
			if rec := get(t, s, target); rec.Code != http.StatusOK {
				t.Errorf("GET %s (%s): status %d", target, op.OperationID, rec.Code)
			}
			for _, p := range doc.params(t, op) {
				if p.In != "query" || p.Name != "f" {
					continue
				}
				for _, f := range p.Schema.Enum {
					if rec := get(t, s, target+"?f="+f); rec.Code != http.StatusOK {
						t.Errorf("GET %s?f=%s: status %d: %s", target, f, rec.Code, excerpt(rec.Body.String()))
					}
				}
			}
		})
	}
}

// TestOpenAPIMatchesRouteTable checks every path of the document declares
// the query parameters and f values its route in the route table takes
// (for a route under /api/collections/{id}, those of either collection).
func TestOpenAPIMatchesRouteTable(t *testing.T) {
	s, doc := servedOpenAPI(t)
	toRoute := strings.NewReplacer("{collectionId}", ":id", "{featureId}", ":fid", "{layerId}", ":id")
	for path, ops := range doc.Paths {
		if !public(ops) {
			continue
		}
		t.Run(path, func(t *testing.T) {
			routePath := strings.TrimSuffix("/api"+toRoute.Replace(path), "/")
			var queries []query
			for _, rt := range s.routeTable() {
				if rt.path != routePath {
					continue
				}
				switch q := rt.query.(type) {
				case query:
					queries = append(queries, q)
				case perCollection:
					for _, id := range []string{collIncidents, collSites} {
						queries = append(queries, q[id])
					}
				default:
					t.Fatalf("route %s: query of type %T", routePath, rt.query)
				}
			}
			if len(queries) == 0 {
				t.Fatalf("no route %s in the route table", routePath)
			}
			var params, formats []string
			for _, q := range queries {
				params = append(params, q.params...)
				formats = append(formats, q.formats...)
			}
			if len(formats) > 0 {
				formats = append(formats, "json")
			}
			declared := doc.queryParams(t, path)
			var names []string
			for name := range declared {
				names = append(names, name)
			}
			params, formats = slices.Compact(slices.Sorted(slices.Values(params))), slices.Compact(slices.Sorted(slices.Values(formats)))
			if slices.Sort(names); !slices.Equal(names, params) {
				t.Errorf("document declares %v, the route table %v", names, params)
			}
			if enum := slices.Sorted(slices.Values(declared["f"].Schema.Enum)); !slices.Equal(enum, formats) {
				t.Errorf("document's f takes %v, the route table's %v", enum, formats)
			}
		})
	}
}
