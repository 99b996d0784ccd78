package api

import (
	"context"
	"fmt"

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
	origin := s.origin(c.Request())
	var list []layerEntry
	for _, l := range s.data.Layers() {
		list = append(list, layerEntry{
			ID: l.ID, Title: l.Title, Description: l.Description,
			Links: []link{{Href: absURL(origin, "/api/layers/"+l.ID, nil), Rel: "item", Type: typeGeoJSON}},
		})
	}
	return s.json(c, layerList{
		Layers: list,
		Links:  []link{{Href: absURL(origin, "/api/layers", nil), Rel: "self", Type: typeJSON}},
	})
}

// maxLayerFeatures bounds the features of one /api/layers/{id}
// response: the fixtures' largest overlay has 12, a 10,000-feature one is
// a few megabytes. A larger one is refused, naming what to use instead.
const maxLayerFeatures = 10_000

// layer serves one overlay as a GeoJSON FeatureCollection, computed from
// the data at request time (for bbox alone, when given) and cached.
func (s *Server) layer(c echo.Context) error {
	id := c.Param("id")
	v := c.QueryParams()
	t, err := parseDatetime("datetime", v.Get("datetime"))
	if err != nil {
		return err
	}
	bbox, err := parseBBox(v.Get("bbox"))
	if err != nil {
		return err
	}
	if !s.data.HasLayer(id) {
		return noLayer("id", id)
	}
	canon := intervalValues(t)
	setBound(canon, bbox)
	return s.serveCached(c, cachedResponse{kind: "layer", request: keyRequest(c.Request().URL.Path, canon), expensive: true, contentType: typeGeoJSON,
		render: func(ctx context.Context) ([]byte, error) {
			// Counted on a miss only: a cached overlay was small enough.
			n, err := s.data.LayerSize(id, t, bbox)
			if err != nil {
				return nil, fmt.Errorf("size of layer %s: %w", id, err)
			}
			if n > maxLayerFeatures {
				where := "the whole layer"
				if bbox != nil {
					where = "that bbox"
				}
				return nil, badParam("bbox", "%s of %s holds %d features, more than the %d a response may: ask for a smaller bbox, "+
					"use the tiles (/tiles/%s/{z}/{x}/{y}.mvt), or page through /api/collections/incidents/items", where, id, n, maxLayerFeatures, id)
			}
			fs, err := s.data.LayerIn(id, t, bbox)
			if err != nil {
				return nil, err
			}
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("layer %s: %w", id, err)
			}
			return geo.AppendFeatureCollection(nil, fs, layerMembers{Name: id})
		}})
}
