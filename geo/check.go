package geo

import (
	"errors"
	"io"
)

// Checked is one feature of a collection as EachFeature gives it: where
// it is, and the incident it holds or the problem with it.
type Checked struct {
	Index    int
	Line     int // where the feature starts, from 1
	Incident Incident
	Err      *FeatureError // nil when the feature is a valid incident on its own
}

// EachFeature reads a FeatureCollection of incidents and calls fn with
// each feature in turn, checked against the data model on its own: what
// needs the whole (ids used once, related ids that exist) is the
// caller's, who knows what else the data set holds. Unlike LoadDataset,
// it goes on past a bad feature, so an import's dry run can list every
// problem. It stops at fn's first error, or where the collection stops
// being JSON, and returns that.
func EachFeature(r io.Reader, sites []Site, fn func(Checked) error) error {
	bySite := siteMap(sites)
	cr := newCollectionReader(r)
	cr.countLines = true
	dec := newFeatureDecoder(bySite)
	for i := 0; ; i++ {
		raw, err := cr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		c := Checked{Index: i, Line: cr.line + 1}
		in, err := dec.decode(i, raw)
		if err != nil && !errors.As(err, &c.Err) {
			return err
		}
		c.Incident = in
		if err := fn(c); err != nil {
			return err
		}
	}
}
