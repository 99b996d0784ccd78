package api

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles"
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

// layerParams are what /api/layers/{id} takes.
var layerParams = []string{"bbox", "datetime", "zoom", "f"}

// layerRequest is a parsed /api/layers/{id} query.
type layerRequest struct {
	id   string
	time geo.Interval
	bbox *orb.Bound
	// grid is set when the request gives a zoom: the overlay is the view's,
	// clustered at that zoom on the tiles' grid, and bbox is snapped out to
	// the grid's cells, so views that touch the same cells share a key.
	grid *tiles.ClusterGrid
}

// worldBound is the whole Web Mercator map: the view of a zoom without
// a bbox.
var worldBound = orb.Bound{Min: orb.Point{-180, -tiles.MaxLatitude}, Max: orb.Point{180, tiles.MaxLatitude}}

// parseLayer reads the query of /api/layers/{id}: datetime, bbox, and
// zoom, which asks for the view of bbox (the whole world without one)
// clustered as the tiles of that zoom are. A view wider or taller than
// tiles.MaxClusterView pixels at its zoom is refused, naming bbox (or
// zoom, when no bbox was given).
func parseLayer(id string, v url.Values) (layerRequest, error) {
	r := layerRequest{id: id}
	var err error
	if r.time, err = parseDatetime("datetime", v.Get("datetime")); err != nil {
		return r, err
	}
	if r.bbox, err = parseBBox(v.Get("bbox")); err != nil {
		return r, err
	}
	if !v.Has("zoom") {
		return r, nil
	}
	z, err := parseIntParam(v, "zoom", -1, 0, tiles.MaxZoom)
	if err != nil || z < 0 {
		return r, badParam("zoom", "want a whole number 0..%d, got %q", tiles.MaxZoom, v.Get("zoom"))
	}
	view, param := worldBound, "zoom"
	if r.bbox != nil {
		view, param = *r.bbox, "bbox"
	}
	grid, err := tiles.ViewClusterGrid(view, maptile.Zoom(z))
	var ve *tiles.ViewError
	switch {
	case errors.As(err, &ve) && ve.Width > 0:
		what := "that bbox"
		if r.bbox == nil {
			what = "the whole world (no bbox)"
		}
		return r, badParam(param, "%s spans about %d by %d px at zoom %d, more than a %d px screen: ask for a smaller bbox or a lower zoom",
			what, ve.Width, ve.Height, z, tiles.MaxClusterView)
	case errors.As(err, &ve):
		return r, badParam(param, "%s at zoom %d", ve.Reason, z)
	case err != nil:
		return r, fmt.Errorf("view of layer %s: %w", id, err)
	}
	snapped := grid.CellBound()
	r.grid, r.bbox = &grid, &snapped
	return r, nil
}

// values is the canonical query of a layer request: with a zoom, bbox is
// the view snapped to its cells.
func (r layerRequest) values() url.Values {
	if r.time.Start.IsZero() && r.time.End.IsZero() && r.bbox == nil && r.grid == nil {
		return nil // the whole layer: no query, no map to make
	}
	v := intervalValues(r.time)
	setBound(v, r.bbox)
	if r.grid != nil {
		v.Set("zoom", strconv.Itoa(int(r.grid.Zoom())))
	}
	return v
}

// layer serves one overlay as a GeoJSON FeatureCollection, computed from
// the data at request time (for bbox alone, when given; for the view of
// bbox and zoom, clustered, when a zoom is given) and cached.
func (s *Server) layer(c echo.Context) error {
	id := c.Param("id")
	req, err := parseLayer(id, queryValues(c))
	if err != nil {
		return err
	}
	if !s.data.HasLayer(id) {
		return noLayer("id", id)
	}
	version, stale := s.layerVersions(req)
	return s.serveCached(c, cachedResponse{kind: "layer", request: keyRequest(c.Request().URL.Path, req.values()), expensive: true, contentType: typeGeoJSON,
		version: version, stale: stale,
		render: func(ctx context.Context) ([]byte, error) {
			fs, err := s.layerFeatures(req)
			if err != nil {
				return nil, err
			}
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("layer %s: %w", id, err)
			}
			return geo.AppendFeatureCollection(nil, fs, layerMembers{Name: id})
		}})
}

// layerVersions are the versions a layer request is cached under, and
// may be served at while it is drawn (editLog.of): for a view or a bbox,
// those of the writes that reached it; for the whole layer, or a bbox
// across the antimeridian, those of every write.
func (s *Server) layerVersions(r layerRequest) (version string, stale []staleVersion) {
	var area *orb.Bound
	switch {
	case r.grid != nil:
		b := tiles.DependencyBound(*r.bbox, r.grid.Zoom())
		area = &b
	case r.bbox != nil && r.bbox.Min[0] <= r.bbox.Max[0]:
		b := geo.GrowBound(*r.bbox, geo.MaxUncertainty)
		area = &b
	}
	return s.edits.of(area, r.time)
}

// layerFeatures returns the features of a layer request, or a problem
// when they are more than maxLayerFeatures.
func (s *Server) layerFeatures(r layerRequest) ([]geo.Feature, error) {
	if r.grid != nil {
		// The view's: clusters and singles a cell at most, so a few
		// thousand features for a 4K screen of incidents.
		fs, err := s.overlayIn(r.id, r.time, *r.bbox, r.grid.Zoom(), *r.grid)
		if err != nil {
			return nil, fmt.Errorf("view of layer %s: %w", r.id, err)
		}
		if len(fs) > maxLayerFeatures {
			return nil, badParam("bbox", "that view of %s at zoom %d holds %d features, more than the %d a response may: ask for a smaller bbox or a lower zoom",
				r.id, r.grid.Zoom(), len(fs), maxLayerFeatures)
		}
		return fs, nil
	}
	// Counted on a miss only: a cached overlay was small enough.
	n, err := s.data.LayerSize(r.id, r.time, r.bbox)
	if err != nil {
		return nil, fmt.Errorf("size of layer %s: %w", r.id, err)
	}
	if n > maxLayerFeatures {
		where := "the whole layer"
		if r.bbox != nil {
			where = "that bbox"
		}
		return nil, badParam("bbox", "%s of %s holds %d features, more than the %d a response may: ask for a smaller bbox, "+
			"give a zoom for the view clustered, use the tiles (/tiles/%s/{z}/{x}/{y}.mvt), or page through /api/collections/incidents/items",
			where, r.id, n, maxLayerFeatures, r.id)
	}
	return s.data.LayerIn(r.id, r.time, r.bbox)
}
