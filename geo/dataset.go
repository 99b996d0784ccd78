package geo

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/paulmach/orb"
)

// ErrNotFound is returned for an id that names no incident, site or layer.
var ErrNotFound = errors.New("not found")

// Dataset is a validated, indexed, read-only set of incidents and sites.
// Incidents are kept in time order (then id), so every listing is stable.
type Dataset struct {
	// Version is a hash of the data the set was built from: every replica
	// serving the same data has the same version, and any change of data
	// gives a new one.
	Version   string
	Incidents []Incident
	Sites     []Site

	incidentPos map[string]int
	sitePos     map[string]int
	bound       orb.Bound // of the located incidents, or of the sites
	located     []int     // positions of incidents with a location
	// locatedSite is the site (its position in Sites, -1 for none) of each
	// incident of located: a walk of the index filtered by site reads
	// this dense array, not the incidents.
	locatedSite []int32
	index       *Index // over located; reports positions in located
	links       []linkPair
}

// NewDataset decodes and validates sites and incidents (GeoJSON
// FeatureCollections) and indexes them.
func NewDataset(incidentsJSON, sitesJSON []byte) (*Dataset, error) {
	sites, err := DecodeSites(sitesJSON)
	if err != nil {
		return nil, err
	}
	d := &Dataset{Sites: sites, sitePos: make(map[string]int, len(sites))}
	siteByID := make(map[string]*Site, len(sites))
	for i := range d.Sites {
		d.sitePos[d.Sites[i].ID] = i
		siteByID[d.Sites[i].ID] = &d.Sites[i]
	}
	decoded, err := DecodeIncidents(incidentsJSON, siteByID)
	if err != nil {
		return nil, err
	}
	// Sort positions, not the incidents themselves: a few hundred bytes
	// each, they are costly to swap. Ids are unique, so the order is total.
	order := make([]int, len(decoded))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		a, b := &decoded[i], &decoded[j]
		return cmp.Or(a.OccurredAt.Compare(b.OccurredAt), cmp.Compare(a.ID, b.ID))
	})
	d.Incidents = make([]Incident, len(decoded))
	for i, k := range order {
		d.Incidents[i] = decoded[k]
	}
	d.incidentPos = make(map[string]int, len(d.Incidents))
	// Sized for every incident located, the usual case, so they grow once.
	points := make([]orb.Point, 0, len(d.Incidents))
	d.located = make([]int, 0, len(d.Incidents))
	d.locatedSite = make([]int32, 0, len(d.Incidents))
	for i := range d.Incidents {
		in := &d.Incidents[i]
		internIncident(in)
		in.windowStart, in.windowEnd = in.TimePrecision.Window(in.OccurredAt)
		in.pos = i
		d.incidentPos[in.ID] = i
		if in.Location != nil {
			d.located = append(d.located, i)
			site := int32(-1)
			if p, ok := d.sitePos[in.Site]; ok {
				site = int32(p)
			}
			d.locatedSite = append(d.locatedSite, site)
			points = append(points, *in.Location)
		}
	}
	d.index = NewIndex(points)
	d.links = d.findLinks()
	if len(points) == 0 {
		for _, s := range d.Sites {
			points = append(points, s.Location)
		}
	}
	if len(points) > 0 {
		d.bound = orb.MultiPoint(points).Bound()
	}

	h := sha256.New()
	fmt.Fprintf(h, "incidents %d\n", len(incidentsJSON))
	h.Write(incidentsJSON)
	fmt.Fprintf(h, "sites %d\n", len(sitesJSON))
	h.Write(sitesJSON)
	d.Version = hex.EncodeToString(h.Sum(nil))[:16]
	return d, nil
}

// Bound returns the extent of the incidents that have a location, or of
// the sites when none has.
func (d *Dataset) Bound() orb.Bound { return d.bound }

// Incident returns the incident with the given id, or ErrNotFound.
func (d *Dataset) Incident(id string) (*Incident, error) {
	i, ok := d.incidentPos[id]
	if !ok {
		return nil, fmt.Errorf("incident %q: %w", id, ErrNotFound)
	}
	return &d.Incidents[i], nil
}

// Site returns the site with the given id, or ErrNotFound.
func (d *Dataset) Site(id string) (*Site, error) {
	i, ok := d.sitePos[id]
	if !ok {
		return nil, fmt.Errorf("site %q: %w", id, ErrNotFound)
	}
	return &d.Sites[i], nil
}
