package api

import (
	"time"

	"github.com/paulmach/orb"
)

// Writes change the data set, and with it the version in every cache
// key; but a write changes the map only near the incidents it touches.
// So a server that builds its data set by writes keeps, beside it, the
// areas its last writes reached (editLog), and a tile or a view of an
// area keys itself by the last revision that reached that area
// (versionOf): the tiles and views a write leaves alone keep their
// cached bytes and their ETags. A data set loaded whole starts a new
// log.

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

// edit is the area a batch of writes reached, the version it made, and
// when.
type edit struct {
	version string
	reach   orb.Bound
	at      time.Time
}

// with returns the log after a batch: from the data set at version was
// to the one at version now, reaching reach (ok false: reaching nothing
// any map draws). The log is never changed in place: servers bound to
// earlier data sets still read theirs.
func (l editLog) with(was, now string, reach orb.Bound, ok bool) editLog {
	if l.base == "" {
		l.base = was
	}
	if !ok {
		return l
	}
	edits := make([]edit, 0, min(len(l.edits)+1, maxEdits))
	if len(l.edits) == maxEdits {
		l.base = l.edits[0].version
		l.edits = l.edits[1:]
	}
	l.edits = append(append(edits, l.edits...), edit{now, reach, time.Now()})
	return l
}

// versionOf returns the version what the data set shows within b is as
// at: that of the last edit that reached b, else base.
func (l editLog) versionOf(b orb.Bound) string {
	for i := len(l.edits) - 1; i >= 0; i-- {
		if l.edits[i].reach.Intersects(b) {
			return l.edits[i].version
		}
	}
	return l.base
}

// of returns what a response showing the data set within b is cached
// under (versionOf), and what it may be served at while it is drawn
// anew after a write (staleOf; "" when it may not).
func (l editLog) of(b orb.Bound) (version, stale string) {
	stale, _ = l.staleOf(b)
	return l.versionOf(b), stale
}

// ofArea is of for the area area returns, which it asks for only when
// the log holds edits: a data set loaded whole (no edits) keys every
// tile under its own version, and working out a tile's dependency bound
// was a tenth of the cost of serving it from the cache.
func (l editLog) ofArea(area func() orb.Bound) (version, stale string) {
	if len(l.edits) == 0 {
		return l.base, "" // versionOf and staleOf of an empty log
	}
	return l.of(area())
}

// maxStale is how long after a write the tiles and views it changed may
// still be served as they were, while they are drawn again (staleOf).
const maxStale = time.Second

// staleOf returns the version what the data set shows within b was as at
// before the last edit that reached b, when that edit is less than
// maxStale old: a version whose cached bytes may be served while b is
// drawn anew, so that no reader waits for the drawing a write causes.
func (l editLog) staleOf(b orb.Bound) (string, bool) {
	for i := len(l.edits) - 1; i >= 0; i-- {
		if !l.edits[i].reach.Intersects(b) {
			continue
		}
		if time.Since(l.edits[i].at) > maxStale {
			return "", false
		}
		for j := i - 1; j >= 0; j-- {
			if l.edits[j].reach.Intersects(b) {
				return l.edits[j].version, true
			}
		}
		return l.base, l.base != ""
	}
	return "", false
}
