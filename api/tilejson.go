package api

import (
	"context"
	"encoding/json"
	"math"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles"
)

// tileJSONDoc is a TileJSON 3.0.0 document. Its members are in
// alphabetical order, as the map it replaced was written.
type tileJSONDoc struct {
	Attribution  string        `json:"attribution"`
	Bounds       [4]float64    `json:"bounds"` // west, south, east, north
	Center       [3]float64    `json:"center"` // lon, lat, zoom
	Description  string        `json:"description"`
	MaxZoom      int           `json:"maxzoom"`
	MinZoom      int           `json:"minzoom"`
	Name         string        `json:"name"`
	Scheme       string        `json:"scheme"`
	TileJSON     string        `json:"tilejson"`
	Tiles        []string      `json:"tiles"`
	VectorLayers []vectorLayer `json:"vector_layers,omitempty"`
}

// vectorLayer describes the one layer of a vector tile.
type vectorLayer struct {
	Description string            `json:"description"`
	Fields      map[string]string `json:"fields"` // property name to "Type: meaning"
	ID          string            `json:"id"`
	MaxZoom     int               `json:"maxzoom"`
	MinZoom     int               `json:"minzoom"`
}

// tileJSON serves TileJSON 3.0.0 for a layer: /tiles/{layer}.json. Tile
// URLs are absolute, built from the request (and X-Forwarded-*). Overlays
// describe their MVT tiles unless f=png asks for the raster ones; the
// basemap's lang=ar describes its Arabic tiles.
func (s *Server) tileJSON(c echo.Context) error {
	layer, ok := strings.CutSuffix(c.Param("file"), ".json")
	if !ok {
		return notFound("layer", "no such path; TileJSON is at /tiles/{layer}.json")
	}
	if layer != LayerBasemap && !s.data.HasLayer(layer) {
		return noLayer("layer", layer)
	}
	format := formatOf(c)
	if layer == LayerBasemap {
		format = "png"
	}
	lang, err := parseTileLang(layer, c.QueryParams())
	if err != nil {
		return err
	}
	key, query := url.Values{"f": {format}}, ""
	if lang == langAR {
		key.Set("lang", string(langAR))
		query = "?lang=ar"
	}
	// Bounds come from the whole layer: computed once a data version, as
	// every cacheable response is.
	return s.serveCached(c, cachedResponse{kind: "tilejson", request: keyRequest(c.Request().URL.Path, key), linked: true, contentType: typeJSON,
		render: func(context.Context) ([]byte, error) {
			base := s.origin(c.Request())
			doc := tileJSONDoc{
				TileJSON: "3.0.0",
				Name:     layer,
				Scheme:   "xyz",
				Tiles:    []string{base + "/tiles/" + layer + "/{z}/{x}/{y}." + format + query},
				MinZoom:  0,
				MaxZoom:  maxZoom(layer),
			}
			if layer == LayerBasemap {
				doc.Description = "Land, sea, borders, rivers, lakes, and the names of countries, towns and rivers."
				doc.Attribution = BasemapAttribution
				lat := math.Floor(tiles.MaxLatitude*1e4) / 1e4 // 85.0511, as served since the start
				doc.Bounds = [4]float64{-180, -lat, 180, lat}
				doc.Center = [3]float64{43, 33.5, 4}
			} else {
				l := s.layerInfo(layer)
				b := s.layerBound(layer)
				doc.Description = l.Description
				doc.Attribution = "incidentmap; every incident cites its source"
				doc.Bounds = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
				center := b.Center()
				doc.Center = [3]float64{center[0], center[1], 6}
				if format == "mvt" {
					doc.VectorLayers = []vectorLayer{{
						ID:          layer,
						Description: l.Description,
						MinZoom:     0,
						MaxZoom:     maxZoom(layer),
						Fields:      tiles.MVTFields(),
					}}
				}
			}
			return json.Marshal(doc)
		}})
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
	s = s.now() // the current data set's
	return s.data.Bound()
}
