package geo

import (
	"fmt"
	"maps"
	"slices"

	"github.com/paulmach/orb"
)

// With returns the data set d becomes when the incidents of upserts take
// the place of those with their ids (or are added) and those of deletes
// are gone. d is unchanged: readers go on with it while the next is
// built.
//
// Nothing is decoded: d's records are kept as they are, sharing its
// block of text and its tables (extend), and only the upserts are packed,
// so a write to a large data set costs its sort and index (tens of
// milliseconds at 100,000 incidents), not a reload. What replaced
// records leave behind is let go when an eighth of the records have
// been: the data set is then packed anew. The upserts must be checked incidents, as EachFeature gives
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
	// Replaced records leave their text and lists behind in the block and
	// tables a copy shares; past an eighth of the records, the data set
	// is packed anew, which lets them go. So is it when the text writes
	// added (recent, copied by every write) passes an eighth of the rest.
	replaced := d.replaced + len(skip)
	var b *builder
	if replaced > len(d.records)/8 || len(d.recent) > len(d.text)/8 {
		b, replaced = newBuilder(), 0
	} else {
		b = d.extend()
	}
	b.oneCore = true // a write's build leaves the other cores to readers
	if b.extending {
		b.from, b.kept = d, make([]int32, 0, len(d.records))
	}
	// The records kept are added first, in d's order, which is the data
	// set's: the build merges the upserts into them (sorted), and their
	// entries of the id index are d's, each at the record's place
	// among those added (addedAt).
	addedAt := make([]int32, len(d.records))
	for pos := range d.records {
		if len(skip) > 0 && skip[0] == pos {
			for len(skip) > 0 && skip[0] == pos {
				skip = skip[1:]
			}
			addedAt[pos] = -1
			continue
		}
		addedAt[pos] = int32(b.n)
		if err := b.keep(d, pos); err != nil {
			return nil, err
		}
	}
	b.sorted = b.n
	// The index and spots are derived from d's while the places that
	// are not in its first tree, or are there for an incident gone, are
	// few; past an eighth of the first tree's, they are built anew.
	b.keptAt = addedAt
	b.deriveIndex = b.extending && d.index.loose()+len(upserts)+len(deletes) <= d.index.main/8
	b.keptKeys = make([]idKey, 0, b.n)
	for _, k := range d.byID {
		if f := addedAt[k.pos]; f >= 0 {
			b.keptKeys = append(b.keptKeys, idKey{k.hash, f})
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
	next.replaced = replaced
	return next, nil
}

// extend returns a builder whose text and tables start as d's, shared,
// so that d's records can be kept as they are (keep); what it adds goes
// after them.
func (d *Dataset) extend() *builder {
	c := &d.columns
	b := newBuilder()
	b.extending = true
	b.strs, b.strIndex = slices.Clip(c.strs), maps.Clone(c.strIndex)
	b.actors, b.sources = slices.Clip(c.actors), slices.Clip(c.sources)
	b.counts, b.zones = slices.Clip(c.counts), maps.Clone(c.zones)
	for i, n := range c.counts {
		b.countIndex[n] = uint32(i + 1)
	}
	b.textBase, b.recentBase = c.text, c.recent
	b.textLen = len(c.text) + len(c.recent)
	return b
}

// keep adds the incident at d's position pos: its record as it is when
// b extends d (read there, not copied: kept), else the incident packed
// anew. Records kept must all come before any other is added.
func (b *builder) keep(d *Dataset, pos int) error {
	if !b.extending {
		in := d.columns.incident(pos)
		return b.add(&in)
	}
	if r := &d.records[pos]; r.nRelated > 0 { // positions change: kept as ids, resolved again
		if b.keptRelated == nil {
			b.keptRelated = map[int32]uint32{}
		}
		b.keptRelated[int32(b.n)] = uint32(len(b.relatedIDs))
		for _, p := range d.related[r.related : r.related+uint32(r.nRelated)] {
			b.relatedIDs = append(b.relatedIDs, d.id(&d.records[p]))
		}
	}
	b.kept = append(b.kept, int32(pos))
	b.n++
	return nil
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
