package api

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/incidentmap/incidentmap/geo"
)

func (s *Server) layers(c echo.Context) error {
	if err := checkParams(c.QueryParams(), []string{"f"}); err != nil {
		return err
	}
	r := c.Request()
	var list []map[string]any
	for _, l := range s.data.Layers() {
		list = append(list, map[string]any{
			"id": l.ID, "title": l.Title, "description": l.Description,
			"links": []link{{Href: absURL(r, "/api/layers/"+l.ID, nil), Rel: "item", Type: typeGeoJSON}},
		})
	}
	return s.json(c, map[string]any{
		"layers": list,
		"links":  []link{{Href: absURL(r, "/api/layers", nil), Rel: "self", Type: typeJSON}},
	})
}

// layer serves one overlay as a GeoJSON FeatureCollection, computed from
// the data at request time and cached.
func (s *Server) layer(c echo.Context) error {
	id := c.Param("id")
	v := c.QueryParams()
	if err := checkParams(v, []string{"datetime", "f"}); err != nil {
		return err
	}
	t, err := parseDatetime("datetime", v.Get("datetime"))
	if err != nil {
		return err
	}
	if _, err := parseFormat(v.Get("f"), "geojson"); err != nil {
		return err
	}
	if !s.data.HasLayer(id) {
		return notFound("id", "no layer %q; /api/layers lists them", id)
	}
	return s.serveCached(c, cachedResponse{kind: "layer", request: linkedRequest(c.Request()), contentType: typeGeoJSON,
		render: func(context.Context) ([]byte, error) {
			fs, err := s.data.Layer(id, t)
			if err != nil {
				return nil, err
			}
			return geo.AppendFeatureCollection(nil, fs, map[string]any{"name": id})
		}})
}
