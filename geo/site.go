package geo

import "github.com/paulmach/orb"

// Site is a named place that incidents belong to and that an overlay is
// drawn around, such as an air base or a town.
type Site struct {
	ID       string
	Name     string
	NameAR   string
	Kind     string // "air_base", "town", "city"
	Admin1   string
	Country  string // ISO 3166-1 alpha-2
	Location orb.Point
	Sources  []Source
}

// Feature returns the site as an overlay feature.
func (s *Site) Feature() Feature {
	return Feature{
		ID:       s.ID,
		Geometry: s.Location,
		Properties: map[string]any{
			"kind": "site", "name": s.Name, "name_ar": s.NameAR,
			"site_kind": s.Kind, "admin1": s.Admin1, "country": s.Country,
			"sources": s.Sources,
		},
	}
}

// SitesIn returns the sites inside b, or all sites when b is nil.
func (d *Dataset) SitesIn(b *orb.Bound) []*Site {
	var out []*Site
	for i := range d.Sites {
		if b == nil || boundContains(*b, d.Sites[i].Location) {
			out = append(out, &d.Sites[i])
		}
	}
	return out
}
