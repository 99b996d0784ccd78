package geo

import (
	"fmt"
	"slices"

	"github.com/paulmach/orb"
)

// With returns the data set d becomes when the incidents of upserts take
// the place of those with their ids (or are added) and those of deletes
// are gone. d is unchanged: readers go on with it while the next is
// built.
//
// Nothing is decoded: d's incidents are packed again from its records,
// and only the upserts are new, so a write to a large data set costs its
// sort and index (tens of milliseconds at 100,000 incidents), not a
// reload. The upserts must be checked incidents, as EachFeature gives
// them; With checks what needs the whole set, as a load does: ids used
// once, and related ids that name an incident (so a delete of an
// incident another names fails, naming that other). The new set has no
// Version: the caller names it. It works on the caller's goroutine
// alone, so that on a server the other cores go on serving.
func (d *Dataset) With(upserts []Incident, deletes []string) (*Dataset, error) {
	var skip []int // positions of incidents replaced or deleted, sorted
	for _, id := range deletes {
		pos, ok := d.find(id)
		if !ok {
			return nil, fmt.Errorf("delete %q: %w", id, ErrNotFound)
		}
		skip = append(skip, pos)
	}
	for i := range upserts {
		if pos, ok := d.find(upserts[i].ID); ok {
			skip = append(skip, pos)
		}
	}
	slices.Sort(skip)
	b := newBuilder()
	b.oneCore = true // a write's build leaves the other cores to readers
	for pos := range d.records {
		if len(skip) > 0 && skip[0] == pos {
			for len(skip) > 0 && skip[0] == pos {
				skip = skip[1:]
			}
			continue
		}
		in := d.columns.incident(pos)
		if err := b.add(&in); err != nil {
			return nil, err
		}
	}
	for i := range upserts {
		if err := b.add(&upserts[i]); err != nil {
			return nil, err
		}
	}
	next, _, err := b.dataset(d.Sites)
	if err != nil {
		return nil, err
	}
	return next, nil
}

// Reach returns the area where incident id decides what a map shows:
// its point, and the lines of its links. It is false when the incident
// decides nothing (it has no location, or d has no such incident). A
// change to the incident can change a map only where the map's
// dependency (tiles.DependencyBound, which reckons with circles of
// uncertainty and clusters) meets its reach, before or after the change.
func (d *Dataset) Reach(id string) (orb.Bound, bool) {
	pos, ok := d.find(id)
	if !ok || !d.records[pos].located {
		return orb.Bound{}, false
	}
	b := d.records[pos].loc.Bound()
	for _, l := range d.links {
		if int(l.a) == pos || int(l.b) == pos {
			b = b.Union(l.bound)
		}
	}
	return b, true
}
