package api

import (
	"context"
	"encoding/json"
	"math"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles"
)

// tileJSON serves TileJSON 3.0.0 for a layer: /tiles/{layer}.json. Tile
// URLs are absolute, built from the request (and X-Forwarded-*). Overlays
// describe their MVT tiles unless f=png asks for the raster ones.
func (s *Server) tileJSON(c echo.Context) error {
	layer, ok := strings.CutSuffix(c.Param("file"), ".json")
	if !ok {
		return notFound("layer", "no such path; TileJSON is at /tiles/{layer}.json")
	}
	if layer != LayerBasemap && !s.data.HasLayer(layer) {
		return notFound("layer", "no layer %q; /api/layers lists them, and basemap", layer)
	}
	v := c.QueryParams()
	if err := checkParams(v, []string{"f"}); err != nil {
		return err
	}
	format, err := parseFormat(v.Get("f"), "mvt", "png")
	if err != nil {
		return err
	}
	if layer == LayerBasemap {
		format = "png"
	}
	// Bounds come from the whole layer: computed once a data version, as
	// every cacheable response is.
	return s.cached(c, "tilejson", typeJSON, func(context.Context) ([]byte, error) {
		base := baseURL(c.Request())
		doc := map[string]any{
			"tilejson": "3.0.0",
			"name":     layer,
			"scheme":   "xyz",
			"tiles":    []string{base + "/tiles/" + layer + "/{z}/{x}/{y}." + format},
			"minzoom":  0,
			"maxzoom":  maxZoom(layer),
		}
		if layer == LayerBasemap {
			doc["description"] = "Land, sea, borders and country names."
			doc["attribution"] = "Made with Natural Earth (public domain)"
			lat := math.Floor(tiles.MaxLatitude*1e4) / 1e4 // 85.0511, as served since the start
			doc["bounds"] = []float64{-180, -lat, 180, lat}
			doc["center"] = []float64{43, 33.5, 4}
		} else {
			l := s.layerInfo(layer)
			b := s.layerBound(layer)
			doc["description"] = l.Description
			doc["attribution"] = "incidentmap; every incident cites its source"
			doc["bounds"] = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
			center := b.Center()
			doc["center"] = []float64{center[0], center[1], 6}
			if format == "mvt" {
				doc["vector_layers"] = []map[string]any{{
					"id":          layer,
					"description": l.Description,
					"minzoom":     0,
					"maxzoom":     maxZoom(layer),
					"fields":      mvtFields,
				}}
			}
		}
		return json.Marshal(doc)
	})
}

// mvtFields are the properties MVT features may carry (tiles.MVT), for
// clients to style and label by.
var mvtFields = map[string]string{
	"id":             "String: incident or feature id",
	"kind":           "String: incident, site, ring, link or uncertainty",
	"title":          "String: the incident's title",
	"event_type":     "String: missile_attack, airstrike, ...",
	"occurred_at":    "String: RFC 3339 time",
	"time_precision": "String: exact, hour, day or approximate",
	"geo_precision":  "String: exact, near, town, region",
	"site":           "String: site id",
	"place":          "String: place name",
	"injured":        "Number: injured, when reported",
	"killed":         "Number: killed, when reported",
	"name":           "String: site name (sites, rings)",
	"radius_km":      "Number: ring radius",
	"distance_km":    "Number: link length",
	"radius_m":       "Number: uncertainty radius",
}

func (s *Server) layerInfo(id string) geo.Layer {
	for _, l := range s.data.Layers() {
		if l.ID == id {
			return l
		}
	}
	return geo.Layer{ID: id}
}

// layerBound is the extent of a layer's features, or of all sites when it
// has none drawn.
func (s *Server) layerBound(id string) orb.Bound {
	if id == geo.LayerIncidents {
		return s.data.Bound()
	}
	fs, _ := s.data.Layer(id, geo.Interval{})
	var b orb.Bound
	first := true
	add := func(g orb.Geometry) {
		if first {
			b, first = g.Bound(), false
			return
		}
		b = b.Union(g.Bound())
	}
	for _, f := range fs {
		if f.Geometry != nil {
			add(f.Geometry)
		}
	}
	if first {
		for _, st := range s.data.Sites {
			add(st.Location)
		}
	}
	return b
}

// DataBound is the extent of the located incidents (or the sites, when no
// incident has a location).
func (s *Server) DataBound() orb.Bound {
	return s.data.Bound()
}
