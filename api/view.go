package api

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
)

// The view: what part of the map, which layers, when and near where. One
// set of parameters (DESIGN.md) describes it on /, /embed, /oembed and
// /api/static.png, so one link reproduces one view everywhere; parseView
// reads it and viewQuery writes it back.

// viewParams are the view parameters shared by /, /embed, /oembed and
// /api/static.png (DESIGN.md): one link reproduces one view everywhere.
var viewParams = []string{"center", "zoom", "bbox", "layers", "datetime", "lat", "lon", "radius"}

// view is a parsed set of view parameters. Center and Zoom, or BBox, or
// neither (the caller picks a default) is set.
type view struct {
	center *orb.Point // lon, lat
	zoom   int
	bbox   *orb.Bound
	layers []string
	time   geo.Interval
	near   *geo.Radius
}

// parseView reads the view parameters of v (other parameters are the
// caller's to check). maxZoom bounds zoom; hasLayer says whether a layer
// id exists.
func parseView(v url.Values, maxZoom int, lim Limits, hasLayer func(string) bool) (view, error) {
	var out view
	var err error
	switch c, z := v.Get("center"), v.Get("zoom"); {
	case c != "" && v.Get("bbox") != "":
		return out, badParam("bbox", "give center and zoom, or bbox, not both")
	case c != "" && z == "":
		return out, badParam("zoom", "missing; center needs a zoom")
	case c == "" && z != "":
		return out, badParam("center", "missing; zoom needs a center")
	case c != "":
		parts := strings.Split(c, ",")
		if len(parts) != 2 {
			return out, badParam("center", "want LAT,LON, got %q", c)
		}
		lat, err := parseFloat("center", parts[0])
		if err != nil {
			return out, err
		}
		lon, err := parseFloat("center", parts[1])
		if err != nil {
			return out, err
		}
		if err := checkLat("center", lat); err != nil {
			return out, err
		}
		if err := checkLon("center", lon); err != nil {
			return out, err
		}
		n, err := strconv.Atoi(z)
		if err != nil || n < 0 || n > maxZoom {
			return out, badParam("zoom", "want a whole number 0..%d, got %q", maxZoom, z)
		}
		out.center, out.zoom = &orb.Point{lon, lat}, n
	}
	if out.bbox, err = parseBBox(v.Get("bbox")); err != nil {
		return out, err
	}
	if l := v.Get("layers"); l != "" {
		for _, id := range strings.Split(l, ",") {
			if !hasLayer(id) {
				return out, noLayer("layers", id)
			}
			out.layers = append(out.layers, id)
		}
	}
	if out.time, err = parseDatetime("datetime", v.Get("datetime")); err != nil {
		return out, err
	}
	out.near, err = parseRadius(v, lim.MaxRadius)
	return out, err
}

// defaultViewPad is how far, in degrees, the default view reaches beyond
// the data on every side, so that no marker sits on the edge.
const defaultViewPad = 0.5

// DefaultView is the part of the map shown when a view gives no center,
// bbox or radius: the data's extent, padded by half a degree. The page,
// /api/static.png and the tile warmer all start from it.
func (s *Server) DefaultView() orb.Bound {
	s = s.now() // the current data set's
	return s.DataBound().Pad(defaultViewPad)
}

// parsePageView reads the view parameters of a page's query. Other
// parameters (utm_source, fbclid and the like, which sites add to shared
// links) are ignored rather than refused, and never used; a view
// parameter given twice is refused.
func (s *Server) parsePageView(v url.Values) (view, error) {
	if _, err := pageQuery.check(v); err != nil {
		return view{}, err
	}
	return parseView(v, basemapMaxZoom, s.limits, s.data.HasLayer)
}

// viewQuery writes a parsed view back as view parameters, from its typed
// values only: parseView reads it back as the same view.
func viewQuery(vw view) url.Values {
	q := url.Values{}
	if vw.center != nil {
		q.Set("center", num(vw.center[1])+","+num(vw.center[0]))
		q.Set("zoom", strconv.Itoa(vw.zoom))
	}
	setBound(q, vw.bbox)
	if len(vw.layers) > 0 {
		q.Set("layers", strings.Join(vw.layers, ","))
	}
	setInterval(q, vw.time)
	setNear(q, vw.near)
	return q
}

// formatInterval writes an interval in the datetime syntax parseDatetime
// reads back to the same interval; "" for no condition.
func formatInterval(iv geo.Interval) string {
	end := func(t time.Time) string {
		if t.IsZero() {
			return ".."
		}
		return t.Format(time.RFC3339Nano)
	}
	switch {
	case iv.Start.IsZero() && iv.End.IsZero():
		return ""
	case iv.Start.Equal(iv.End):
		return end(iv.Start)
	}
	return end(iv.Start) + "/" + end(iv.End)
}

// withQuery is "?q", or "" for an empty query.
func withQuery(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

// joinQuery joins two encoded queries with "&".
func joinQuery(a, b string) string {
	if a == "" {
		return b
	}
	return a + "&" + b
}
