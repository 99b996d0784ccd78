package api

import (
	"context"
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles"
)

// staticMapParams are what /api/static.png accepts: the view parameters
// the image's size, and lang.
var staticMapParams = append([]string{"width", "height", "scale", "lang"}, viewParams...)

// Static map limits: big enough for print and social cards, small enough
// that one request cannot ask for a gigapixel.
const (
	staticMaxSide = 2048
	staticMinSide = 64
	// staticMaxPixels bounds the image after scale: 16 MiB of RGBA, so
	// the renders a process runs at once (renderSlots) bound its memory.
	staticMaxPixels = 2048 * 2048
)

// staticMap serves the view as a PNG, rendered by the tiles package from
// the same basemap tiles and overlays the page shows, and cached like a
// tile.
func (s *Server) staticMap(c echo.Context) error {
	v := c.QueryParams()
	vw, err := parseView(v, basemapMaxZoom, s.limits, s.data.HasLayer)
	if err != nil {
		return err
	}
	width, err := parseIntParam(v, "width", 800, staticMinSide, staticMaxSide)
	if err != nil {
		return err
	}
	height, err := parseIntParam(v, "height", 500, staticMinSide, staticMaxSide)
	if err != nil {
		return err
	}
	scale, err := parseIntParam(v, "scale", 1, 1, 2)
	if err != nil {
		return err
	}
	// lang draws the basemap's names and the attribution in Arabic, and
	// is in the cache key, so that an Arabic image, once drawn, is never
	// served for English or the reverse.
	lang, _, err := parseLang(v)
	if err != nil {
		return err
	}
	if px := width * height * scale * scale; px > staticMaxPixels {
		return badParam("scale", "%d×%d at scale %d is %d pixels, at most %d", width, height, scale, px, staticMaxPixels)
	}
	layers := vw.layers
	if len(layers) == 0 {
		layers = []string{geo.LayerIncidents}
	}
	var view tiles.View
	switch {
	case vw.center != nil:
		view = tiles.View{Center: *vw.center, Zoom: vw.zoom, Width: width, Height: height, Scale: scale}
	case vw.bbox != nil:
		view = tiles.FitView(*vw.bbox, width, height, scale, basemapMaxZoom)
	case vw.near != nil:
		circle := geo.Circle(vw.near.Center, vw.near.Metres).Bound()
		view = tiles.FitView(circle.Pad((circle.Max[1]-circle.Min[1])/4), width, height, scale, basemapMaxZoom)
	default:
		view = tiles.FitView(s.DefaultView(), width, height, scale, basemapMaxZoom)
	}

	view.Arabic = lang == langAR
	r := c.Request()
	canon := langQuery(viewQuery(vw), lang)
	canon.Set("width", strconv.Itoa(width))
	canon.Set("height", strconv.Itoa(height))
	canon.Set("scale", strconv.Itoa(scale))
	return s.serveCached(c, cachedResponse{kind: "static", request: keyRequest(r.URL.Path, canon), expensive: true, contentType: "image/png",
		render: func(ctx context.Context) ([]byte, error) {
			// Only what the view shows: the overlays are computed for its
			// bound, and clustered as the tiles of its zoom are.
			bound := view.Bound()
			grid, err := tiles.ViewClusterGrid(bound, maptile.Zoom(view.Zoom))
			if err != nil {
				return nil, fmt.Errorf("static map: %w", err)
			}
			var fs []geo.Feature
			for _, id := range layers {
				lf, err := s.overlayIn(id, vw.time, bound, maptile.Zoom(view.Zoom), grid)
				if err != nil {
					return nil, err
				}
				fs = append(fs, lf...)
			}
			var basemap tiles.TileSource
			if s.basemap != nil {
				basemap = func(t maptile.Tile, scale int) ([]byte, error) {
					b, _, err := s.fetchTile(ctx, tileRequest{layer: LayerBasemap, tile: t, format: "png", scale: scale, lang: lang})
					return b, err
				}
			}
			return tiles.StaticMap(ctx, view, basemap, fs, vw.near, lang.text("static_credit"))
		}})
}
