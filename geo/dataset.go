package geo

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/cespare/xxhash/v2"
	"github.com/paulmach/orb"
)

// ErrNotFound is returned for an id that names no incident, site or layer.
var ErrNotFound = errors.New("not found")

// Dataset is a validated, indexed, read-only set of incidents and sites.
// Incidents are kept in time order (then id), so every listing is stable;
// store.go says how they are held.
type Dataset struct {
	// Version is a hash of the data the set was built from: every replica
	// serving the same data has the same version, and any change of data
	// gives a new one.
	Version string
	Sites   []Site

	columns
	byID    []idKey // by hash of the id
	sitePos map[string]int
	bound   orb.Bound // of the located incidents, or of the sites
	index   *Index    // over the located incidents; its ids are their positions
	// The position (the index's ids, -1 for a place whose incident is
	// gone), time (Unix seconds), event type (in strs) and site (its
	// position in Sites, -1 for none) of each point of the index, in the
	// index's order: what EachIn gives and filters by, read in order as
	// the tree is walked.
	spotPos  []int32
	spotY    []float64 // MercatorY
	spotSec  []int64
	spotType []uint32
	spotSite []int32
	// unit is each point of the index on the unit sphere, x, y, z in
	// the index's order: radius queries order by dot products.
	unit  []float64
	links []linkPair
	// replaced counts the records With replaced or deleted since the
	// data set was last packed whole: their text and lists are still in
	// the block and tables.
	replaced int
}

// NewDataset decodes and validates sites and incidents (GeoJSON
// FeatureCollections) and indexes them.
func NewDataset(incidentsJSON, sitesJSON []byte) (*Dataset, error) {
	return LoadDataset(bytes.NewReader(incidentsJSON), sitesJSON)
}

// LoadDataset is NewDataset reading the incidents from a stream, a
// block at a time, decoding on every core: the file is never whole in
// memory, and a million incidents load in about a second.
func LoadDataset(incidents io.Reader, sitesJSON []byte) (*Dataset, error) {
	sites, err := DecodeSites(sitesJSON)
	if err != nil {
		return nil, err
	}
	siteByID := make(map[string]*Site, len(sites))
	for i := range sites {
		siteByID[sites[i].ID] = &sites[i]
	}
	// The version is a hash of the bytes read: XXH64, at several GB/s a
	// tenth of SHA-256's cost here. It names data, not a secret: no one
	// gains by finding two data files with one version.
	h := xxhash.New()
	counted := &countingReader{r: io.LimitReader(incidents, MaxDataBytes+1)}
	b, err := decodeStream(io.TeeReader(counted, h), siteByID)
	if counted.n > MaxDataBytes {
		return nil, fmt.Errorf("incidents: over %d bytes", MaxDataBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	d, _, err := b.dataset(sites)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	version := xxhash.New()
	fmt.Fprintf(version, "incidents %016x\nsites %016x\n", h.Sum64(), xxhash.Sum64(sitesJSON))
	d.Version = fmt.Sprintf("%016x", version.Sum64())
	return d, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// DecodeIncidents reads a GeoJSON FeatureCollection of incidents and checks
// each against the data model: a slug id used once, an RFC 3339 time, known
// precisions, a site from sites (or null), a geometry that is a Point or
// null (null exactly when geo_precision is unknown), at least one source
// with a quote, and related ids that exist. The error names the feature
// (index and id) and the field. The incidents come in the file's order.
func DecodeIncidents(data []byte, sites map[string]*Site) ([]Incident, error) {
	if len(data) > MaxDataBytes {
		return nil, fmt.Errorf("incidents: %d bytes, at most %d", len(data), MaxDataBytes)
	}
	b, err := decodeStream(bytes.NewReader(data), sites)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	d, posOf, err := b.dataset(nil)
	if err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	out := make([]Incident, len(posOf))
	for f, pos := range posOf {
		out[f] = d.incident(int(pos))
	}
	return out, nil
}

// Len returns the number of incidents.
func (d *Dataset) Len() int { return len(d.records) }

// Incidents returns every incident, in the data set's order, each put
// together anew: for tests and small data sets (about 300 bytes an
// incident).
func (d *Dataset) Incidents() []Incident {
	out := make([]Incident, len(d.records))
	for i := range out {
		out[i] = d.incident(i)
	}
	return out
}

// Bound returns the extent of the incidents that have a location, or of
// the sites when none has.
func (d *Dataset) Bound() orb.Bound { return d.bound }

// find returns the position of the incident with the given id.
func (d *Dataset) find(id string) (int, bool) {
	h := idHash(id)
	k, _ := slices.BinarySearchFunc(d.byID, h, func(e idKey, h uint64) int { return cmp.Compare(e.hash, h) })
	for ; k < len(d.byID) && d.byID[k].hash == h; k++ {
		if pos := int(d.byID[k].pos); d.columns.id(&d.records[pos]) == id {
			return pos, true
		}
	}
	return 0, false
}

// Incident returns the incident with the given id, or ErrNotFound.
func (d *Dataset) Incident(id string) (*Incident, error) {
	pos, ok := d.find(id)
	if !ok {
		return nil, fmt.Errorf("incident %q: %w", id, ErrNotFound)
	}
	in := d.incident(pos)
	return &in, nil
}

// Site returns the site with the given id, or ErrNotFound.
func (d *Dataset) Site(id string) (*Site, error) {
	i, ok := d.sitePos[id]
	if !ok {
		return nil, fmt.Errorf("site %q: %w", id, ErrNotFound)
	}
	return &d.Sites[i], nil
}

// dataset sorts the records the builder packed, checks what needs them
// all (ids used once, related ids that exist) and indexes them. It also
// returns the position of each incident in the order they were added.
// The builder is spent. It works on two cores unless b.oneCore.
func (b *builder) dataset(sites []Site) (*Dataset, []int32, error) {
	both := func(fn func()) func() { // fn beside the caller, or before it on one core
		if b.oneCore {
			fn()
			return func() {}
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			fn()
		}()
		return func() { <-done }
	}
	d := &Dataset{Sites: sites, sitePos: make(map[string]int, len(sites))}
	for i := range sites {
		d.sitePos[sites[i].ID] = i
	}
	c := &d.columns
	*c = b.columns
	c.text, c.recent = b.joinText()
	n := b.n

	// Two sorts of the records as they were added, one on each core, both
	// of integers (radix.go): by time (then id, when times are equal),
	// the data set's order, and by a hash of the id, the id index.
	idOf := func(f int32) string { return c.id(b.record(int(f))) }
	var keys []idKey
	wait := both(func() {
		if b.sorted > 0 {
			keys = b.mergeKeys(idOf)
			return
		}
		keys = make([]idKey, n)
		for f := range n {
			keys[f] = idKey{idHash(idOf(int32(f))), int32(f)}
		}
		radixSort(keys, func(k idKey) uint64 { return k.hash })
	})
	byTime := b.timeOrder(idOf)
	wait()
	for k := 1; k < n; k++ {
		if a, b := keys[k-1], keys[k]; a.hash == b.hash && idOf(a.pos) == idOf(b.pos) {
			return nil, nil, &FeatureError{Index: int(max(a.pos, b.pos)), ID: idOf(b.pos), Field: "id", Err: errors.New("duplicate")}
		}
	}
	posOf := make([]int32, n) // added-th → position
	c.records = make([]record, n)
	b.placeRecords(c.records, byTime, posOf)
	for f, start := range b.keptRelated {
		c.records[posOf[f]].related = start
	}
	b.chunks = nil
	for k := range keys {
		keys[k].pos = posOf[keys[k].pos]
	}
	d.byID = keys
	if err := d.resolveRelated(b.relatedIDs, posOf); err != nil {
		return nil, nil, err
	}

	d.links = d.findLinks()
	if b.deriveIndex {
		b.deriveSpots(d, posOf)
	} else {
		d.buildSpots(both)
	}
	if bound, ok := d.locatedBound(); ok {
		d.bound = bound
	} else if len(d.Sites) > 0 {
		sites := make(orb.MultiPoint, len(d.Sites))
		for i, s := range d.Sites {
			sites[i] = s.Location
		}
		d.bound = sites.Bound()
	}
	return d, posOf, nil
}

// idKey is an entry of the id index: the hash of an incident's id and
// its position. Sorting hashes, integers, is several times faster than
// sorting the ids themselves.
type idKey struct {
	hash uint64
	pos  int32
}

// idHash is FNV-1a of s.
func idHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// resolveRelated turns each record's related ids (runs of ids, from
// the record's related index, in the file's order) into positions, and
// checks them, in the file's order: each names another incident, once.
// posOf gives the position of each incident of the file.
func (d *Dataset) resolveRelated(ids []string, posOf []int32) error {
	c := &d.columns
	c.related = make([]int32, len(ids))
	for f, p := range posOf {
		pos := int(p)
		r := &c.records[pos]
		run := c.related[r.related : r.related+uint32(r.nRelated)]
		for k, id := range ids[r.related : r.related+uint32(r.nRelated)] {
			var err error
			p, ok := d.find(id)
			switch {
			case !ok:
				err = fmt.Errorf("no incident has id %q", id)
			case p == pos:
				err = errors.New("an incident cannot be related to itself")
			case slices.Contains(run[:k], int32(p)):
				err = fmt.Errorf("%q listed twice", id)
			}
			if err != nil {
				return &FeatureError{Index: f, ID: c.id(r), Field: "properties.related", Err: err}
			}
			run[k] = int32(p)
		}
	}
	return nil
}
