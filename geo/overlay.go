package geo

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// Layer describes an overlay that can be drawn on a map.
type Layer struct {
	ID          string
	Title       string
	Description string
	Site        *Site // set for a site's own overlay
}

// Feature is one thing an overlay draws. Incident features carry their
// incident; the others (sites, rings, links, uncertainty circles) carry
// their own properties, always with a "kind".
type Feature struct {
	ID         string
	Geometry   orb.Geometry // nil for an incident with no location
	Incident   *Incident
	Properties map[string]any
}

// RingRadii are the radii of the range rings drawn around each site, in
// metres. 50 km is the analysts' usual question ("what happened within
// 50 km of the base?"); 10 and 25 km give the scale of the nearby places.
var RingRadii = []float64{10_000, 25_000, 50_000}

// Fixed overlay ids; every site has an overlay under its own id besides.
const (
	LayerIncidents   = "incidents"
	LayerRings       = "rings"
	LayerLinks       = "links"
	LayerUncertainty = "uncertainty"
)

var fixedLayers = []Layer{
	{ID: LayerIncidents, Title: "Incidents", Description: "Every incident; those with no known location have a null geometry and are listed, not drawn."},
	{ID: LayerRings, Title: "Range rings", Description: "Geodesic circles of 10, 25 and 50 km around each site."},
	{ID: LayerLinks, Title: "Links", Description: "Great-circle lines between related incidents (an attack and the strike that answered it), with distance_km."},
	{ID: LayerUncertainty, Title: "Location uncertainty", Description: "A circle around each incident whose location is not exact, sized by its geo_precision."},
}

// Layers returns the overlays of the data set: the fixed ones, then one per
// site.
func (d *Dataset) Layers() []Layer {
	layers := append([]Layer(nil), fixedLayers...)
	for i := range d.Sites {
		s := &d.Sites[i]
		layers = append(layers, Layer{
			ID:          s.ID,
			Title:       s.Name,
			Description: fmt.Sprintf("%s, its incidents and range rings.", s.Name),
			Site:        s,
		})
	}
	return layers
}

// HasLayer reports whether id names an overlay of the data set.
func (d *Dataset) HasLayer(id string) bool {
	_, site := d.sitePos[id] // not Site, whose error for the fixed layers costs an allocation a tile
	return site || slices.ContainsFunc(fixedLayers, func(l Layer) bool { return l.ID == id })
}

// Layer computes the overlay with the given id from the data, keeping only
// incidents whose time may fall within t. It returns ErrNotFound for an
// unknown id.
func (d *Dataset) Layer(id string, t Interval) ([]Feature, error) {
	return d.layer(id, t, nil)
}

// LayerIn is Layer limited to features that may touch b (nil: no limit),
// as a map tile needs. Every overlay is computed for b alone: incidents
// come from the spatial index, uncertainty circles from the incidents
// near b, links from the pairs found at load whose line may cross b. A
// tile of a large data set costs what is on it, not the whole set.
func (d *Dataset) LayerIn(id string, t Interval, b *orb.Bound) ([]Feature, error) {
	if b == nil {
		return d.layer(id, t, nil)
	}
	fs, err := d.layer(id, t, b)
	if err != nil {
		return nil, err
	}
	return Touching(fs, *b), nil
}

// Touching returns the features of fs whose geometry may touch b, in
// their order, in fs's own storage.
func Touching(fs []Feature, b orb.Bound) []Feature {
	kept := fs[:0]
	for _, f := range fs {
		if f.Geometry != nil && f.Geometry.Bound().Intersects(b) {
			kept = append(kept, f)
		}
	}
	return kept
}

// around returns the incidents, in the data set's order, whose time may
// fall within t, of the sites given (any when none), that lie within
// metres of b (all of them when b is nil): those whose features, drawn
// that far from their point, may touch b.
func (d *Dataset) around(t Interval, b *orb.Bound, metres float64, sites ...string) []Match {
	return d.Query(aroundQuery(t, b, metres, sites)).Matches
}

// hitsAround is around without putting the incidents together, for
// counting them.
func (d *Dataset) hitsAround(t Interval, b *orb.Bound, metres float64, sites ...string) []hit {
	return d.hits(aroundQuery(t, b, metres, sites))
}

func aroundQuery(t Interval, b *orb.Bound, metres float64, sites []string) Query {
	q := Query{Time: t, Sites: sites}
	if b != nil {
		grown := GrowBound(*b, metres)
		q.BBox = &grown
	}
	return q
}

// layer computes overlay id from the incidents that may touch b (all of
// them when b is nil); the caller cuts what does not.
func (d *Dataset) layer(id string, t Interval, b *orb.Bound) ([]Feature, error) {
	switch id {
	case LayerIncidents:
		return incidentFeatures(d.around(t, b, 0), ""), nil
	case LayerRings:
		var fs []Feature
		for i := range d.Sites {
			fs = append(fs, ringFeatures(&d.Sites[i])...)
		}
		return fs, nil
	case LayerLinks:
		return d.linkFeatures(t, b), nil
	case LayerUncertainty:
		return uncertaintyFeatures(d.around(t, b, maxUncertainty)), nil
	}
	fs, err := d.SiteFeatures(id)
	if err != nil {
		return nil, err
	}
	return append(fs, incidentFeatures(d.around(t, b, 0, id), id)...), nil
}

// SiteFeatures returns what a site's overlay draws besides its incidents:
// the site and its range rings.
func (d *Dataset) SiteFeatures(id string) ([]Feature, error) {
	s, err := d.Site(id)
	if err != nil {
		return nil, fmt.Errorf("layer %q: %w", id, ErrNotFound)
	}
	site := s.Feature()
	site.ID = "site-" + s.ID
	site.Properties["site"] = s.ID
	return append([]Feature{site}, ringFeatures(s)...), nil
}

// LayerSize returns how many features LayerIn(id, t, b) would hold at
// most, without drawing any: the count a server checks before it builds
// an overlay that could be too large to send.
func (d *Dataset) LayerSize(id string, t Interval, b *orb.Bound) (int, error) {
	switch id {
	case LayerIncidents:
		return len(d.hitsAround(t, b, 0)), nil
	case LayerRings:
		return len(d.Sites) * len(RingRadii), nil
	case LayerLinks:
		n := 0
		d.eachLink(t, b, func(linkPair) { n++ })
		return n, nil
	case LayerUncertainty:
		n := 0
		for _, h := range d.hitsAround(t, b, maxUncertainty) {
			if r := &d.records[h.pos]; r.located && geoPrecisions[r.geoPrec].Radius() > 0 {
				n++
			}
		}
		return n, nil
	}
	if _, err := d.Site(id); err != nil {
		return 0, fmt.Errorf("layer %q: %w", id, ErrNotFound)
	}
	return 1 + len(RingRadii) + len(d.hitsAround(t, b, 0, id)), nil
}

// GrowBound returns b grown by metres on every side (by the widest
// longitude step within its latitudes), clamped to the world.
func GrowBound(b orb.Bound, metres float64) orb.Bound {
	if metres <= 0 {
		return b
	}
	const metresPerDegree = 111_320 // of latitude, and of longitude at the equator
	dLat := metres / metresPerDegree
	maxLat := min(max(math.Abs(b.Min[1]), math.Abs(b.Max[1]))+dLat, 89)
	dLon := min(dLat/math.Cos(maxLat*math.Pi/180), 360)
	return orb.Bound{
		Min: orb.Point{max(b.Min[0]-dLon, -180), max(b.Min[1]-dLat, -90)},
		Max: orb.Point{min(b.Max[0]+dLon, 180), min(b.Max[1]+dLat, 90)},
	}
}

// incidentFeatures returns the incidents as features, only those of site
// when site is not "".
func incidentFeatures(ms []Match, site string) []Feature {
	var fs []Feature
	for _, m := range ms {
		in := m.Incident
		if site != "" && in.Site != site {
			continue
		}
		f := Feature{ID: in.ID, Incident: in}
		if in.Location != nil {
			f.Geometry = *in.Location
		}
		fs = append(fs, f)
	}
	return fs
}

func ringFeatures(s *Site) []Feature {
	var fs []Feature
	for _, r := range RingRadii {
		km := r / 1000
		fs = append(fs, Feature{
			ID:       fmt.Sprintf("ring-%s-%gkm", s.ID, km),
			Geometry: Circle(s.Location, r),
			Properties: map[string]any{
				"kind": "ring", "site": s.ID, "name": s.Name, "radius_km": km,
				"label": fmt.Sprintf("%g km from %s", km, s.Name),
			},
		})
	}
	return fs
}

// linkPair is two related incidents a link is drawn between, by their
// positions, a the earlier, with the bound of the line.
type linkPair struct {
	a, b  int32
	bound orb.Bound
}

// findLinks returns each related pair once, from the earlier incident to
// the later, whichever of the two lists the other, in the order the data
// set holds them. Pairs at the same place (a second attack on the same
// base) have no line to draw and are left out, as are pairs with an end
// that has no location. It runs once, at load: related ids are bounded
// (MaxRelated), so the pairs are at most MaxRelated a located incident.
func (d *Dataset) findLinks() []linkPair {
	type pair struct{ a, b int32 }
	seen := map[pair]bool{}
	var links []linkPair
	for pos := range d.records {
		r := &d.records[pos]
		for _, other := range d.related[r.related : r.related+uint32(r.nRelated)] {
			a, b := int32(pos), other
			ra, rb := &d.records[a], &d.records[b]
			if !ra.located || !rb.located {
				continue
			}
			if b < a {
				a, b, ra, rb = b, a, rb, ra
			}
			if seen[pair{a, b}] {
				continue
			}
			seen[pair{a, b}] = true
			if orbgeo.DistanceHaversine(ra.loc, rb.loc) < 1 {
				continue
			}
			links = append(links, linkPair{a, b, GreatCircle(ra.loc, rb.loc).Bound()})
		}
	}
	return links
}

// eachLink calls fn with each link whose two ends may fall within t and
// whose line may touch bound (nil: any), in the data set's order.
func (d *Dataset) eachLink(t Interval, bound *orb.Bound, fn func(linkPair)) {
	for _, l := range d.links {
		if bound != nil && !l.bound.Intersects(*bound) || !d.during(l.a, t) || !d.during(l.b, t) {
			continue
		}
		fn(l)
	}
}

// during reports whether the incident at pos may have happened within t.
func (d *Dataset) during(pos int32, t Interval) bool {
	from, to := d.records[pos].window()
	return t.Overlaps(from, to)
}

// linkFeatures draws the links eachLink finds.
func (d *Dataset) linkFeatures(t Interval, bound *orb.Bound) []Feature {
	var fs []Feature
	d.eachLink(t, bound, func(l linkPair) {
		a, b := d.incident(int(l.a)), d.incident(int(l.b))
		dist := orbgeo.DistanceHaversine(*a.Location, *b.Location)
		fs = append(fs, Feature{
			ID:       "link-" + a.ID + "-" + b.ID,
			Geometry: GreatCircle(*a.Location, *b.Location),
			Properties: map[string]any{
				"kind": "link", "from": a.ID, "to": b.ID,
				"from_title": a.Title, "to_title": b.Title,
				"distance_km": math.Round(dist/100) / 10,
			},
		})
	})
	return fs
}

func uncertaintyFeatures(ms []Match) []Feature {
	var fs []Feature
	for _, m := range ms {
		if f, ok := UncertaintyFeature(m.Incident); ok {
			fs = append(fs, f)
		}
	}
	return fs
}

// UncertaintyFeature returns the circle of in's location uncertainty, and
// false when in has none to draw (no location, or an exact one).
func UncertaintyFeature(in *Incident) (Feature, bool) {
	r := in.GeoPrecision.Radius()
	if in.Location == nil || r == 0 {
		return Feature{}, false
	}
	return Feature{
		ID:       "uncertainty-" + in.ID,
		Geometry: Circle(*in.Location, r),
		Properties: map[string]any{
			"kind": "uncertainty", "incident": in.ID, "title": in.Title,
			"geo_precision": string(in.GeoPrecision), "radius_m": r,
		},
	}, true
}

// MaxUncertainty is how far, in metres, an uncertainty circle reaches from
// its incident: the largest GeoPrecision.Radius.
const MaxUncertainty = maxUncertainty
