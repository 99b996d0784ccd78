package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
)

// The OGC API Features Part 1 endpoints under /api.

// Conformance classes we implement, as the standard spells them.
var conformanceClasses = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
}

const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

// Collection ids.
const (
	collIncidents = "incidents"
	collSites     = "sites"
)

func (s *Server) landing(c echo.Context) error {
	if err := checkParams(c.QueryParams(), []string{"f"}); err != nil {
		return err
	}
	r := c.Request()
	return s.json(c, map[string]any{
		"title":       "incidentmap",
		"description": "Sourced conflict incidents as OGC API Features, overlays and tiles.",
		"links": []link{
			{Href: absURL(r, "/api", nil), Rel: "self", Type: typeJSON, Title: "this document"},
			{Href: absURL(r, "/api/openapi", nil), Rel: "service-desc", Type: typeOpenAPI, Title: "the API definition"},
			{Href: absURL(r, "/api/conformance", nil), Rel: "conformance", Type: typeJSON, Title: "conformance classes"},
			{Href: absURL(r, "/api/collections", nil), Rel: "data", Type: typeJSON, Title: "collections"},
			{Href: absURL(r, "/api/layers", nil), Rel: "http://incidentmap.org/rel/layers", Type: typeJSON, Title: "overlays"},
		},
	})
}

func (s *Server) conformance(c echo.Context) error {
	if err := checkParams(c.QueryParams(), []string{"f"}); err != nil {
		return err
	}
	return s.json(c, map[string]any{"conformsTo": conformanceClasses})
}

func (s *Server) collections(c echo.Context) error {
	if err := checkParams(c.QueryParams(), []string{"f"}); err != nil {
		return err
	}
	r := c.Request()
	return s.json(c, map[string]any{
		"links": []link{{Href: absURL(r, "/api/collections", nil), Rel: "self", Type: typeJSON}},
		"collections": []any{
			s.collectionInfo(r, collIncidents),
			s.collectionInfo(r, collSites),
		},
	})
}

func (s *Server) collection(c echo.Context) error {
	id := c.Param("id")
	if id != collIncidents && id != collSites {
		return notFound("id", "no collection %q; there are %s and %s", id, collIncidents, collSites)
	}
	if err := checkParams(c.QueryParams(), []string{"f"}); err != nil {
		return err
	}
	return s.json(c, s.collectionInfo(c.Request(), id))
}

func (s *Server) collectionInfo(r *http.Request, id string) map[string]any {
	title, desc := "Incidents", "Sourced conflict incidents; each cites the sentence it rests on."
	formats := []string{"geojson", "csv", "kml"}
	var bound orb.Bound
	var first, last *time.Time
	if id == collSites {
		title, desc, formats = "Sites", "The places incidents belong to and overlays are drawn around.", []string{"geojson"}
		for i, st := range s.data.Sites {
			if i == 0 {
				bound = st.Location.Bound()
			}
			bound = bound.Extend(st.Location)
		}
	} else if n := len(s.data.Incidents); n > 0 {
		// Incidents are kept in time order: the ends are the extent.
		bound = s.data.Bound()
		first, last = &s.data.Incidents[0].OccurredAt, &s.data.Incidents[n-1].OccurredAt
	}
	path := "/api/collections/" + id
	links := []link{{Href: absURL(r, path, nil), Rel: "self", Type: typeJSON}}
	for _, f := range formats {
		q := map[string][]string{}
		if f != "geojson" {
			q["f"] = []string{f}
		}
		links = append(links, link{Href: absURL(r, path+"/items", q), Rel: "items", Type: formatTypes[f]})
	}
	interval := []any{nil, nil}
	if first != nil {
		interval = []any{first.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339)}
	}
	return map[string]any{
		"id": id, "title": title, "description": desc, "itemType": "feature",
		"crs": []string{crs84},
		"extent": map[string]any{
			"spatial":  map[string]any{"bbox": [][]float64{{bound.Min[0], bound.Min[1], bound.Max[0], bound.Max[1]}}, "crs": crs84},
			"temporal": map[string]any{"interval": [][]any{interval}, "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"},
		},
		"links": links,
	}
}

func (s *Server) items(c echo.Context) error {
	switch id := c.Param("id"); id {
	case collIncidents:
		return s.incidentItems(c)
	case collSites:
		return s.siteItems(c)
	default:
		return notFound("id", "no collection %q; there are %s and %s", id, collIncidents, collSites)
	}
}

func (s *Server) incidentItems(c echo.Context) error {
	req, err := parseItems(c.QueryParams(), s.limits, func(id string) bool {
		_, err := s.data.Site(id)
		return err == nil
	})
	if err != nil {
		return err
	}
	r := c.Request()
	return s.serveCached(c, cachedResponse{kind: "items-" + req.format, request: linkedRequest(c.Request()), contentType: formatTypes[req.format],
		render: func(context.Context) ([]byte, error) {
			res := s.data.Query(req.query)
			switch req.format {
			case "csv":
				return encodeCSV(res, req.query.Near != nil)
			case "kml":
				return encodeKML(res)
			}
			links := pageLinks(r, req.format, []string{"geojson", "csv", "kml"}, req.query.Limit, req.query.Offset, len(res.Matches), res.NumberMatched)
			buf := make([]byte, 0, 1024*len(res.Matches)+512)
			buf = append(buf, `{"type":"FeatureCollection","numberMatched":`...)
			buf = fmt.Appendf(buf, `%d,"numberReturned":%d,"links":`, res.NumberMatched, len(res.Matches))
			lb, err := json.Marshal(links)
			if err != nil {
				return nil, fmt.Errorf("encode links: %w", err)
			}
			buf = append(buf, lb...)
			buf = append(buf, `,"features":[`...)
			for i, m := range res.Matches {
				if i > 0 {
					buf = append(buf, ',')
				}
				if buf, err = m.Incident.AppendGeoJSON(buf, m.DistanceM); err != nil {
					return nil, err
				}
			}
			return append(buf, "]}"...), nil
		}})
}

func (s *Server) siteItems(c echo.Context) error {
	v := c.QueryParams()
	if err := checkParams(v, sitesItemsParams); err != nil {
		return err
	}
	bbox, err := parseBBox(v.Get("bbox"))
	if err != nil {
		return err
	}
	limit, offset, err := parsePage(v, s.limits)
	if err != nil {
		return err
	}
	if _, err := parseFormat(v.Get("f"), "geojson"); err != nil {
		return err
	}
	r := c.Request()
	return s.serveCached(c, cachedResponse{kind: "items-sites", request: linkedRequest(c.Request()), contentType: typeGeoJSON,
		render: func(context.Context) ([]byte, error) {
			sites := s.data.SitesIn(bbox)
			matched := len(sites)
			sites = sites[min(offset, matched):min(offset+limit, matched)]
			links := pageLinks(r, "geojson", nil, limit, offset, len(sites), matched)
			fs := make([]geo.Feature, len(sites))
			for i, st := range sites {
				fs[i] = st.Feature()
			}
			return geo.AppendFeatureCollection(nil, fs, map[string]any{
				"numberMatched": matched, "numberReturned": len(sites), "links": links,
			})
		}})
}

func (s *Server) item(c echo.Context) error {
	id, fid := c.Param("id"), c.Param("fid")
	if err := checkParams(c.QueryParams(), []string{"f"}); err != nil {
		return err
	}
	if _, err := parseFormat(c.QueryParam("f"), "geojson"); err != nil {
		return err
	}
	var f geo.Feature
	switch id {
	case collIncidents:
		in, err := s.data.Incident(fid)
		if err != nil {
			return notFound("fid", "no incident has id %q", fid)
		}
		f = geo.Feature{ID: in.ID, Incident: in}
	case collSites:
		st, err := s.data.Site(fid)
		if err != nil {
			return notFound("fid", "no site has id %q", fid)
		}
		f = st.Feature()
	default:
		return notFound("id", "no collection %q; there are %s and %s", id, collIncidents, collSites)
	}
	r := c.Request()
	return s.serveCached(c, cachedResponse{kind: "item", request: linkedRequest(c.Request()), contentType: typeGeoJSON,
		render: func(context.Context) ([]byte, error) {
			buf, err := f.AppendGeoJSON(nil)
			if err != nil {
				return nil, err
			}
			links, err := json.Marshal([]link{
				{Href: absURL(r, r.URL.Path, nil), Rel: "self", Type: typeGeoJSON},
				{Href: absURL(r, "/api/collections/"+id, nil), Rel: "collection", Type: typeJSON},
			})
			if err != nil {
				return nil, fmt.Errorf("encode links: %w", err)
			}
			// Add links as a foreign member, before the Feature's closing brace.
			buf = append(buf[:len(buf)-1], `,"links":`...)
			buf = append(buf, links...)
			return append(buf, '}'), nil
		}})
}

// json writes v as JSON. Metadata documents are small and cheap; they are
// not cached, but their bytes are the same on every replica.
func (s *Server) json(c echo.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", c.Path(), err)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.Blob(http.StatusOK, typeJSON, b)
}
