package api

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/store"
)

// How writes are committed: in batches. A write's handler checks what it
// can alone (the token, the body, the If-Match against the data served)
// and queues an intent. The first writer to find no batch running leads
// one: it takes every intent queued, checks each against the data as the
// ones before it leave it, builds the next data set once for them all
// (geo.Dataset.With, beside the one served), commits them to the store
// in one transaction, each its own revision, and swaps the data set in.
// Then every writer of the batch answers from it.
//
// A batch costs one build and one sync to disk however many writes it
// holds: this is what lets a small data set take hundreds of writes a
// second, and a large one (where a build takes tens of milliseconds at
// 100,000 incidents) take fifty without the builds eating the cores the
// readers need. When builds are slow, a leader waits (pace) so that a
// batch gathers what comes in meanwhile.

// intent is one write, checked on its own, waiting for its batch.
type intent struct {
	change   store.Change
	incident *geo.Incident // as written; nil for a delete
	// base is the version (incidentVersion) of the incident the write
	// was made on, "" for a create: the batch refuses the write when the
	// incident is no longer so.
	base string
	rev  store.Revision
	done chan outcome // buffered: the leader never waits on it
}

// outcome is what became of an intent.
type outcome struct {
	srv *Server // bound to the data set that holds the write
	err error
}

// errStale is an intent whose incident an earlier write of its batch
// changed: its handler answers 412 from the data now served.
var errStale = errors.New("changed since read")

// Batch pacing: when the last build took pacedBuild or more, a leader
// waits until buildGap times its duration has passed since it ended, at
// most maxBuildGap. A batch costs readers twice: its build, and the
// drawing again of the tiles and views it reached, which at fifty writes
// a second spread over the map is most of those read. At 100,000
// incidents (builds of 50-100 ms) that is about two batches a second,
// whatever the rate of writes; a write waits at most maxBuildGap and two
// builds. Builds of a small data set take well under pacedBuild, even on
// a busy machine, and its batches are not paced: a writer of the fixtures
// waits for nothing but the store.
const (
	pacedBuild  = 20 * time.Millisecond
	buildGap    = 8
	maxBuildGap = 400 * time.Millisecond
	// commitTimeout bounds a batch's time in the store: the batch is not
	// the leader's alone, so it does not end with the leader's request.
	commitTimeout = 30 * time.Second
)

// submit queues in and waits until its batch is done, leading one if
// none is running.
func (s *Server) submit(ctx context.Context, in *intent) outcome {
	w := s.writer
	in.done = make(chan outcome, 1)
	w.queueMu.Lock()
	w.queue = append(w.queue, in)
	w.queueMu.Unlock()

	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case o := <-in.done: // a batch led by another took it
		return o
	default:
	}
	if wait := w.pace(); wait > 0 {
		time.Sleep(wait)
	}
	w.queueMu.Lock()
	batch := w.queue
	w.queue = nil
	w.queueMu.Unlock()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	s.commitBatch(ctx, batch, true)
	return <-in.done
}

// pace returns how long a leader waits before taking its batch: nothing
// when builds are quick (a small data set), where waiting would only
// slow each writer down.
func (w *writer) pace() time.Duration {
	if w.lastBuild < pacedBuild {
		return 0
	}
	return min(buildGap*w.lastBuild, maxBuildGap) - time.Since(w.lastBuilt)
}

// commitBatch checks, builds, commits and serves batch, and answers
// each of its intents. retry allows one more try when the store holds
// revisions the data served lacks (another replica wrote): the batch is
// checked again on top of them. The caller holds writer.mu.
func (s *Server) commitBatch(ctx context.Context, batch []*intent, retry bool) {
	cur := s.now()
	pending := map[string]*geo.Incident{} // id → as the batch leaves it; nil: deleted
	var ok []*intent
	for _, in := range batch {
		if err := cur.fits(in, pending); err != nil {
			in.done <- outcome{err: err}
			continue
		}
		pending[in.change.ID] = in.incident
		ok = append(ok, in)
	}
	if len(ok) == 0 {
		return
	}
	// What the batch leaves of each incident it writes.
	var upserts []geo.Incident
	var deletes []string
	for id, in := range pending {
		if in != nil {
			upserts = append(upserts, *in)
		} else if _, err := cur.data.Incident(id); err == nil {
			deletes = append(deletes, id) // not one the batch made
		}
	}
	// The build takes the background slot before any drawing waiting for
	// it, so that the two use one core between them, and writes do not
	// wait for the drawing.
	s.background.acquire(true)
	start := time.Now()
	next, err := cur.data.With(upserts, deletes)
	s.writer.lastBuild, s.writer.lastBuilt = time.Since(start), time.Now()
	s.background.release()
	if err != nil {
		if len(ok) > 1 { // find which: one at a time
			for _, in := range ok {
				s.commitBatch(ctx, []*intent{in}, retry)
			}
			return
		}
		ok[0].done <- outcome{err: refused(err)}
		return
	}

	writes := make([]store.Write, len(ok))
	for i, in := range ok {
		in.rev.At = time.Now()
		writes[i] = store.Write{Revision: in.rev, Changes: []store.Change{in.change}}
	}
	st := s.writer.store
	first, err := st.CommitAll(ctx, writes)
	if errors.Is(err, store.ErrConflict) && retry {
		// The store moved on without this server: catch up, try again.
		if err := s.loadHead(ctx); err != nil {
			s.answerAll(ok, storeDown(err))
			return
		}
		s.commitBatch(ctx, ok, false)
		return
	}
	if errors.Is(err, store.ErrConflict) {
		s.answerAll(ok, problem(http.StatusConflict, "id", "%v", err))
		return
	}
	if err != nil {
		s.answerAll(ok, storeDown(err))
		return
	}
	last := first + int64(len(ok)) - 1
	if first != servedRevision(cur.data)+1 {
		// Others' revisions came between: serve the store's, loaded
		// whole, with a log of edits of its own (they changed what this
		// batch did not reach).
		if next, err = st.Dataset(ctx, last); err != nil {
			// Committed, but served once the store can be read (Follow).
			p := storeDown(err)
			p.Detail = fmt.Sprintf("written as revision %d, served once the store can be read again (%v)", last, err)
			s.answerAll(ok, p)
			return
		}
		s.setData(next, editLog{})
		s.answerAll(ok, nil)
		return
	}
	next.Version = st.Version(last)
	s.swapIn(cur, next, maps.Keys(pending))
	s.answerAll(ok, nil)
}

// swapIn serves next, built from cur's data set by writes to the
// incidents of ids, with cur's edit log and these edits: the map changed
// only where and when those incidents were or are. The caller holds
// writer.mu.
func (s *Server) swapIn(cur *Server, next *geo.Dataset, ids iter.Seq[string]) {
	var marks []mark
	for id := range ids {
		for _, d := range []*geo.Dataset{cur.data, next} {
			b, ok := d.Reach(id)
			if !ok {
				continue
			}
			in, err := d.Incident(id)
			if err != nil {
				continue // not so: Reach found it
			}
			from, to := in.TimePrecision.Window(in.OccurredAt)
			marks = append(marks, mark{b, from, to})
		}
	}
	s.setData(next, cur.edits.with(cur.data.Version, next.Version, marks))
}

// fits checks in against the data served as the writes before it in
// its batch (pending) leave it.
func (s *Server) fits(in *intent, pending map[string]*geo.Incident) error {
	id := in.change.ID
	var now string // the incident's version; "" when there is none
	if p, ok := pending[id]; ok {
		if p != nil {
			now = incidentVersion(p)
		}
	} else if current, err := s.data.Incident(id); err == nil {
		now = incidentVersion(current)
	}
	switch {
	case in.change.Op == store.Create && now != "":
		return problem(http.StatusConflict, "id", "an incident has id %q; PUT or PATCH it at its own URL", id)
	case in.change.Op != store.Create && now != in.base:
		return errStale
	}
	return nil
}

// answerAll answers every intent of ok with err or, when it is nil,
// with the server bound to the data set now served.
func (s *Server) answerAll(ok []*intent, err error) {
	var srv *Server
	if err == nil {
		srv = s.now()
	}
	for _, in := range ok {
		in.done <- outcome{srv: srv, err: err}
	}
}

// refused is the 422 for a write the data set cannot take: what a load
// of it would refuse, such as a related id that names no incident.
func refused(err error) error {
	var fe *geo.FeatureError
	if errors.As(err, &fe) {
		return invalid(fe.Field, fmt.Errorf("incident %q: %w", fe.ID, fe.Err))
	}
	return invalid("body", err)
}

// background is a slot for one piece of background work at a time, which
// builds take before any drawing that waits. Each kind waits on a
// condition of its own, and a release wakes one waiter, never all: tens
// of drawings may wait, and waking them all at every release cost the
// readers more scheduling than the drawing itself.
type background struct {
	mu         sync.Mutex
	buildFreed *sync.Cond // a build may take the slot
	drawFreed  *sync.Cond // a drawing may take the slot
	busy       bool
	builds     int // builds waiting
	// drawings holds the keys of the drawings waiting, or admitted to
	// wait (wait): one each, however many readers found them stale.
	drawings map[string]bool
}

// maxDrawings bounds the drawings waiting for the slot: each holds a data
// set (those of the last second or so, shared), and one that waits long
// draws what a later write has replaced. A map read by many has a few
// hundred tiles and views that each batch reaches.
const maxDrawings = 256

func newBackground() *background {
	b := &background{drawings: map[string]bool{}}
	b.buildFreed = sync.NewCond(&b.mu)
	b.drawFreed = sync.NewCond(&b.mu)
	return b
}

// wait admits a drawing of key to wait for the slot, unless one of key
// already waits or maxDrawings do; an admitted drawing leaves when it is
// done, drawn or not.
func (b *background) wait(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawings[key] || len(b.drawings) >= maxDrawings {
		return false
	}
	b.drawings[key] = true
	return true
}

// acquire waits for the slot: a build as soon as it is free, a drawing
// (admitted by wait) when it is free and no build waits.
func (b *background) acquire(build bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if build {
		b.builds++
		for b.busy {
			b.buildFreed.Wait()
		}
		b.builds--
	} else {
		for b.busy || b.builds > 0 {
			b.drawFreed.Wait()
		}
	}
	b.busy = true
}

// waitingBuilds returns how many builds wait for the slot.
func (b *background) waitingBuilds() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.builds
}

// leave ends an admitted drawing of key.
func (b *background) leave(key string) {
	b.mu.Lock()
	delete(b.drawings, key)
	b.mu.Unlock()
}

// release frees the slot, for a build that waits, else for a drawing.
func (b *background) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.busy = false
	if b.builds > 0 {
		b.buildFreed.Signal()
	} else {
		b.drawFreed.Signal()
	}
}
