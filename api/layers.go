package api

import (
	"context"

	"github.com/labstack/echo/v4"

	"github.com/incidentmap/incidentmap/geo"
)

// layerList lists the overlays, /api/layers. Members are in alphabetical
// order, as the map it replaced was written.
type layerList struct {
	Layers []layerEntry `json:"layers"`
	Links  []link       `json:"links"`
}

// layerEntry describes one overlay in the list.
type layerEntry struct {
	Description string `json:"description"`
	ID          string `json:"id"`
	Links       []link `json:"links"`
	Title       string `json:"title"`
}

// layerMembers is the foreign member of an overlay's FeatureCollection:
// its layer id.
type layerMembers struct {
	Name string `json:"name"`
}

func (s *Server) layers(c echo.Context) error {
	r := c.Request()
	var list []layerEntry
	for _, l := range s.data.Layers() {
		list = append(list, layerEntry{
			ID: l.ID, Title: l.Title, Description: l.Description,
			Links: []link{{Href: absURL(s.origin(r), "/api/layers/"+l.ID, nil), Rel: "item", Type: typeGeoJSON}},
		})
	}
	return s.json(c, layerList{
		Layers: list,
		Links:  []link{{Href: absURL(s.origin(r), "/api/layers", nil), Rel: "self", Type: typeJSON}},
	})
}

// layer serves one overlay as a GeoJSON FeatureCollection, computed from
// the data at request time and cached.
func (s *Server) layer(c echo.Context) error {
	id := c.Param("id")
	t, err := parseDatetime("datetime", c.QueryParam("datetime"))
	if err != nil {
		return err
	}
	if !s.data.HasLayer(id) {
		return noLayer("id", id)
	}
	return s.serveCached(c, cachedResponse{kind: "layer", request: keyRequest(c.Request().URL.Path, intervalValues(t)), expensive: true, contentType: typeGeoJSON,
		render: func(context.Context) ([]byte, error) {
			fs, err := s.data.Layer(id, t)
			if err != nil {
				return nil, err
			}
			return geo.AppendFeatureCollection(nil, fs, layerMembers{Name: id})
		}})
}
