package api

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/tiles"
	"github.com/incidentmap/incidentmap/tiles/basemap"
)

// Basemap renders basemap tiles as PNG, naming places in lang;
// basemap.Basemap is one.
type Basemap interface {
	Render(t maptile.Tile, scale int, lang basemap.Lang) ([]byte, error)
}

// LayerBasemap is the raster layer of land, sea, borders, water and
// names.
const LayerBasemap = "basemap"

// BasemapAttribution credits the basemap's sources as their licences
// ask: GeoNames is CC BY 4.0, OpenStreetMap (the lakes) ODbL.
const BasemapAttribution = "Made with Natural Earth (public domain); towns © GeoNames (CC BY 4.0); lakes © OpenStreetMap contributors (ODbL)"

// basemapMaxZoom is as deep as Natural Earth's 1:10m data stays readable.
const basemapMaxZoom = 12

const typeMVT = "application/vnd.mapbox-vector-tile"

// tileRequest is a parsed tile path.
type tileRequest struct {
	layer  string
	tile   maptile.Tile
	format string // "mvt" or "png"
	scale  int    // 1, or 2 for @2x
	time   geo.Interval
	lang   language // the basemap's names; "" is English
}

// basemapLang is the language the basemap draws names in for l.
func basemapLang(l language) basemap.Lang {
	if l == langAR {
		return basemap.Arabic
	}
	return basemap.English
}

// key is the tile's normalised request. Tiles carry no links, so unlike
// API responses the key has no host in it: every replica and the warm
// command share it.
func (t tileRequest) key() string {
	b := make([]byte, 0, 64)
	b = append(append(b, t.layer...), '/')
	b = append(strconv.AppendUint(b, uint64(t.tile.Z), 10), '/')
	b = append(strconv.AppendUint(b, uint64(t.tile.X), 10), '/')
	b = strconv.AppendUint(b, uint64(t.tile.Y), 10)
	if t.scale > 1 {
		b = append(strconv.AppendInt(append(b, '@'), int64(t.scale), 10), 'x')
	}
	k := string(append(append(b, '.'), t.format...))
	if t.time.Start.IsZero() && t.time.End.IsZero() && t.lang != langAR {
		return keyRequest(k, nil) // most tiles: no datetime, no query
	}
	// The interval in full: UnixNano would wrap outside 1678–2262, and two
	// intervals would share a tile. lang=ar alone is added, so English
	// keys (and ETags) stay as they were.
	v := intervalValues(t.time)
	if t.lang == langAR {
		v.Set("lang", string(langAR))
	}
	return keyRequest(k, v)
}

// maxZoom is the deepest zoom of a layer.
func maxZoom(layer string) int {
	if layer == LayerBasemap {
		return basemapMaxZoom
	}
	return tiles.MaxZoom
}

// parseTile reads /tiles/{layer}/{z}/{x}/{y}.{mvt|png} (y may end
// "@2x.png"). hasLayer says whether an overlay exists.
func parseTile(layer, z, x, yext string, hasLayer func(string) bool) (tileRequest, error) {
	r := tileRequest{layer: layer, scale: 1}
	if layer != LayerBasemap && !hasLayer(layer) {
		return r, noLayer("layer", layer)
	}
	y, ext, ok := strings.Cut(yext, ".")
	if !ok {
		return r, badParam("format", "the tile path must end .mvt or .png, got %q", yext)
	}
	if strings.HasSuffix(y, "@2x") && ext == "png" {
		y, r.scale = strings.TrimSuffix(y, "@2x"), 2
	}
	switch {
	case ext != "mvt" && ext != "png":
		return r, badParam("format", "%q is not mvt or png", ext)
	case ext == "mvt" && layer == LayerBasemap:
		return r, notFound("format", "the basemap is a raster layer; ask for .png")
	}
	r.format = ext
	var coords [3]uint32
	for i, s := range []struct{ name, v string }{{"z", z}, {"x", x}, {"y", y}} {
		n, err := strconv.ParseUint(s.v, 10, 32)
		if err != nil {
			return r, badParam(s.name, "%q is not a whole number", s.v)
		}
		coords[i] = uint32(n)
	}
	if coords[0] > uint32(maxZoom(layer)) {
		return r, badParam("z", "%d is above the maximum zoom %d of %s", coords[0], maxZoom(layer), layer)
	}
	r.tile = maptile.New(coords[1], coords[2], maptile.Zoom(coords[0]))
	if err := tiles.Validate(r.tile, maxZoom(layer)); err != nil {
		var ce *tiles.CoordError
		if errors.As(err, &ce) {
			return r, badParam(ce.Coord, "%s", ce.Reason())
		}
		return r, fmt.Errorf("tile %s: %w", r.key(), err)
	}
	return r, nil
}

// tileFeatures returns what tile r of an overlay shows at version (the
// version of the tile's area, tileResponse's): overlayIn for the tile
// and the symbols just off it, clustered on the tile's grid. A tile's
// MVT, PNG and PNG @2x show the same features, and after a write they
// are drawn again one after the other: the features are gathered once
// for them (recentFeatures).
func (s *Server) tileFeatures(r tileRequest, version string) ([]geo.Feature, error) {
	r.format, r.scale = "features", 1
	key := version + ":" + r.key()
	if fs, ok := s.recent.get(key); ok {
		return fs, nil
	}
	b := r.tile.Bound(float64(tiles.Buffer) / tiles.Extent)
	fs, err := s.overlayIn(r.layer, r.time, b, r.tile.Z, tiles.TileClusterGrid(r.tile))
	if err == nil {
		s.recent.put(key, fs)
	}
	return fs, err
}

// overlayIn returns what overlay id shows within b at zoom z, computed
// for b alone: incidents clustered on grid where they are dense (the
// incidents layer and each site's), uncertainty circles around the
// incidents shown one by one, and the other overlays' features that reach
// b. So a tile or a static map holds a few hundred features at most,
// whatever the data set.
func (s *Server) overlayIn(id string, t geo.Interval, b orb.Bound, z maptile.Zoom, grid tiles.ClusterGrid) ([]geo.Feature, error) {
	clustered := func(sites ...string) []geo.Feature {
		return grid.ClusterIncidents(s.data, func(yield func(geo.Spot)) {
			s.data.EachIn(t, grid.Bound(), sites, yield)
		})
	}
	switch id {
	case geo.LayerIncidents:
		return clustered(), nil
	case geo.LayerUncertainty:
		var fs []geo.Feature
		for _, in := range tiles.Singles(z, s.data, func(yield func(geo.Spot)) {
			s.data.EachIn(t, geo.GrowBound(b, geo.MaxUncertainty), nil, yield)
		}) {
			if f, ok := geo.UncertaintyFeature(in); ok {
				fs = append(fs, f)
			}
		}
		return geo.Touching(fs, b), nil
	}
	if site, err := s.data.SiteFeatures(id); err == nil {
		return append(geo.Touching(site, b), clustered(id)...), nil
	}
	return s.data.LayerIn(id, t, &b)
}

// renderTile renders one tile: gzip-compressed MVT (the form served to
// nearly every client, so the form stored), or PNG. An empty result is a
// tile with nothing on it. When ctx ends while the features are gathered,
// it stops there with ctx's error.
func (s *Server) renderTile(ctx context.Context, r tileRequest, version string) ([]byte, error) {
	if r.layer == LayerBasemap {
		if s.basemap == nil {
			return nil, fmt.Errorf("no basemap configured")
		}
		return s.basemap.Render(r.tile, r.scale, basemapLang(r.lang))
	}
	fs, err := s.tileFeatures(r, version)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("tile %s: %w", r.key(), err)
	}
	if r.format == "mvt" {
		return tiles.MVT(r.layer, fs, r.tile)
	}
	return tiles.Overlay(fs, r.tile, r.scale)
}

// tileResponse is tile r as a cached response: MVT stored gzipped, and an
// empty tile (nothing on it) answered 204.
func (s *Server) tileResponse(r tileRequest) cachedResponse {
	resp := cachedResponse{kind: "tile", request: r.key(), contentType: "image/png", emptyNoContent: true, expensive: true}
	if r.format == "mvt" {
		resp.contentType, resp.gzipped = typeMVT, true
	}
	switch {
	case r.layer == LayerBasemap && s.basemapVersion != "":
		resp.version = "basemap-" + s.basemapVersion
	case r.layer != LayerBasemap:
		resp.version, resp.stale = s.edits.ofArea(func() orb.Bound {
			return tiles.DependencyBound(r.tile.Bound(float64(tiles.Buffer)/tiles.Extent), r.tile.Z)
		}, r.time)
	}
	version := s.versionOf(resp) // as in its cache key
	resp.render = func(ctx context.Context) ([]byte, error) {
		b, err := s.renderTile(ctx, r, version)
		if b == nil {
			b = []byte{} // an empty tile is cached too: its key changes with the data
		}
		return b, err
	}
	return resp
}

// fetchTile returns a tile through the cache.
func (s *Server) fetchTile(ctx context.Context, r tileRequest) ([]byte, cache.Source, error) {
	return s.fetch(ctx, s.tileResponse(r))
}

func (s *Server) tile(c echo.Context) error {
	r, err := parseTile(c.Param("layer"), c.Param("z"), c.Param("x"), c.Param("y"), s.data.HasLayer)
	if err != nil {
		return err
	}
	if r.time, err = parseDatetime("datetime", queryValues(c).Get("datetime")); err != nil {
		return err
	}
	if r.lang, err = parseTileLang(r.layer, c.QueryParams()); err != nil {
		return err
	}
	return s.serveCached(c, s.tileResponse(r))
}

// parseTileLang reads a tile's lang: en (the default) or ar, and ar for
// the basemap alone, the one layer that draws names.
func parseTileLang(layer string, v url.Values) (language, error) {
	l, _, err := parseLang(v)
	if err != nil {
		return l, err
	}
	if l != langEN && layer != LayerBasemap {
		return l, badParam("lang", "%s draws no names; only the basemap is drawn in Arabic", layer)
	}
	return l, nil
}
