package api

import (
	"time"

	"github.com/paulmach/orb"

	"github.com/incidentmap/incidentmap/geo"
)

// Writes change the data set, and with it the version in every cache
// key; but a write changes the map only near the incidents it touches.
// So a server that builds its data set by writes keeps, beside it, the
// areas its last writes reached (editLog), and a tile or a view of an
// area keys itself by the last revision that reached that area
// (versionOf): the tiles and views a write leaves alone keep their
// cached bytes and their ETags. A data set loaded whole starts a new
// log. A response of a span of time (datetime) is reached only by the
// incidents whose time may fall within it, before or after the write: a
// view of last March keeps its bytes when today's incidents are written.

// maxEdits bounds the log: the oldest edit falls out as a new one comes.
const maxEdits = 256

// editLog is the areas the last writes reached.
type editLog struct {
	// base is the version that what no edit reached is as at: the
	// version loaded whole, or the last edit that fell out of the log.
	// "" for an empty log: versionOf gives "", the data set's version.
	base  string
	edits []edit // oldest first
}

// edit is where and when a batch of writes reached, the version it
// made, and when it was made. A batch that reached nothing a map draws
// (incidents without a location) is an edit too, with no marks: it
// changes what a whole layer lists, but no part of the map.
type edit struct {
	version string
	marks   []mark
	reach   orb.Bound // of the marks
	at      time.Time
}

// mark is where and when an incident a batch wrote was, or is: the area
// where it decides what a map shows (geo.Dataset.Reach) and the window of
// its time (geo.TimePrecision.Window).
type mark struct {
	bound    orb.Bound
	from, to time.Time
}

// reaches reports whether e changed what the data set shows within b of
// the incidents whose time may fall within t; nil b is the whole data
// set, which every edit changes.
func (e edit) reaches(b *orb.Bound, t geo.Interval) bool {
	switch {
	case b == nil:
		return true
	case len(e.marks) == 0 || !e.reach.Intersects(*b):
		return false
	case t.Start.IsZero() && t.End.IsZero():
		return true
	}
	for _, m := range e.marks {
		if m.bound.Intersects(*b) && t.Overlaps(m.from, m.to) {
			return true
		}
	}
	return false
}

// with returns the log after a batch: from the data set at version was
// to the one at version now, reaching marks. The log is never changed in
// place: servers bound to earlier data sets still read theirs.
func (l editLog) with(was, now string, marks []mark) editLog {
	if l.base == "" {
		l.base = was
	}
	var reach orb.Bound
	for i, m := range marks {
		if i == 0 {
			reach = m.bound
		} else {
			reach = reach.Union(m.bound)
		}
	}
	edits := make([]edit, 0, min(len(l.edits)+1, maxEdits))
	if len(l.edits) == maxEdits {
		l.base = l.edits[0].version
		l.edits = l.edits[1:]
	}
	l.edits = append(append(edits, l.edits...), edit{now, marks, reach, time.Now()})
	return l
}

// versionOf returns the version what the data set shows within b (nil:
// all of it) of the incidents of t is as at: that of the last edit that
// reached them, else base.
func (l editLog) versionOf(b *orb.Bound, t geo.Interval) string {
	for i := len(l.edits) - 1; i >= 0; i-- {
		if l.edits[i].reaches(b, t) {
			return l.edits[i].version
		}
	}
	return l.base
}

// of returns what a response showing the data set within b (nil: all of
// it) of the incidents of t is cached under (versionOf), and what it may
// be served at while it is drawn anew after a write (staleOf), newest
// first.
func (l editLog) of(b *orb.Bound, t geo.Interval) (version string, stale []staleVersion) {
	return l.versionOf(b, t), l.staleOf(b, t)
}

// ofArea is of for the area area returns, which it asks for only when
// the log holds edits: a data set loaded whole (no edits) keys every
// tile under its own version, and working out a tile's dependency bound
// was a tenth of the cost of serving it from the cache.
func (l editLog) ofArea(area func() orb.Bound, t geo.Interval) (version string, stale []staleVersion) {
	if len(l.edits) == 0 {
		return l.base, nil // versionOf and staleOf of an empty log
	}
	b := area()
	return l.of(&b, t)
}

// maxStale is how long after a write the tiles and views it changed may
// still be served as they were, while they are drawn again (staleOf).
const maxStale = time.Second

// drawAfter is how long after a write the tiles and views it changed are
// drawn again, when read: the drawing then holds the batches that came
// meanwhile, so that a tile that every batch reaches is drawn about once
// a second, not once a batch, and is drawn well within maxStale.
const drawAfter = maxStale / 2

// staleVersion is a version a response may be served at while it is
// drawn anew, and when the first edit after it that changed the response
// came.
type staleVersion struct {
	version  string
	replaced time.Time
}

// staleOf returns, newest first, the versions what the data set shows
// within b (nil: all of it) was as at before each edit that reached b
// less than maxStale ago: versions whose cached bytes may be served
// while b is drawn anew, so that no reader waits for the drawing a write
// causes. Not only the last: when writes reach b faster than it is
// drawn, the last version drawn is still as it was less than maxStale
// ago.
func (l editLog) staleOf(b *orb.Bound, t geo.Interval) []staleVersion {
	var out []staleVersion
	for i := len(l.edits) - 1; i >= 0; i-- {
		if !l.edits[i].reaches(b, t) {
			continue
		}
		if time.Since(l.edits[i].at) > maxStale {
			break
		}
		j := i - 1 // the edit before it that reached b, if any
		for j >= 0 && !l.edits[j].reaches(b, t) {
			j--
		}
		switch {
		case j >= 0:
			out = append(out, staleVersion{l.edits[j].version, l.edits[i].at})
		case l.base != "":
			out = append(out, staleVersion{l.base, l.edits[i].at})
		}
		i = j + 1
	}
	return out
}
