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
// second. On a large one, a leader waits (pace) so that a batch gathers
// what comes in meanwhile, and the readers' cores are not spent drawing
// the map again after every write.

// intent is one write, checked on its own, waiting for its batch.
type intent struct {
	change   store.Change
	incident *geo.Incident // as written; nil for a delete
	// base is the version (incidentVersion) of the incident the write
	// was made on, "" for a create: the batch refuses the write when the
	// incident is no longer so.
	base   string
	rev    store.Revision
	queued time.Time    // when it joined the queue: pace
	done   chan outcome // buffered: the leader never waits on it
}

// outcome is what became of an intent.
type outcome struct {
	srv *Server // bound to the data set that holds the write
	err error
}

// errStale is an intent whose incident an earlier write of its batch
// changed: its handler answers 412 from the data now served.
var errStale = errors.New("changed since read")

// Batch pacing: on a data set of pacedIncidents or more, a leader waits
// until batchGap has passed since the last build ended. A batch costs
// readers little in its build (a few milliseconds at 100,000 incidents,
// geo.Dataset.With) but much in what follows: the tiles and views it
// reached, which at fifty writes a second spread over the map is most of
// those read, are drawn again, each tens of milliseconds on a large data
// set. Pacing holds that to about two and a half batches a second
// whatever the rate of writes; a write waits at most maxBatchWait (or
// the batch before it, if longer), a build and the store. A small data
// set is not paced: a writer of the fixtures waits for nothing but the
// store, and draws cost little.
const (
	pacedIncidents = 10_000
	batchGap       = 400 * time.Millisecond
	// maxBatchWait bounds how long a write waits for its batch to start,
	// the batch before it included: then a build and the store, and it
	// is served, within a second.
	maxBatchWait = 400 * time.Millisecond
	// commitTimeout bounds a batch's time in the store: the batch is not
	// the leader's alone, so it does not end with the leader's request.
	commitTimeout = 30 * time.Second
)

// submit queues in and waits until its batch is done, leading one if
// none is running.
func (s *Server) submit(ctx context.Context, in *intent) outcome {
	w := s.writer
	in.done, in.queued = make(chan outcome, 1), time.Now()
	w.queueMu.Lock()
	w.queue = append(w.queue, in)
	w.queueMu.Unlock()

	// Wait for the turn, or for a batch led by another to answer in,
	// whichever comes first: a write done in one batch does not wait
	// for the next to pace, build and store before it is answered.
	select {
	case o := <-in.done:
		return o
	case w.turn <- struct{}{}:
	}
	defer w.unlock()
	select {
	case o := <-in.done: // the batch that held the turn took it
		return o
	default:
	}
	w.queueMu.Lock()
	oldest := w.queue[0].queued // in's own, or one before it: only a leader empties the queue
	w.queueMu.Unlock()
	if wait := s.pace(oldest); wait > 0 {
		time.Sleep(wait)
		s.metrics.batches.WithLabelValues("pace").Observe(wait.Seconds())
	}
	w.queueMu.Lock()
	batch := w.queue
	w.queue = nil
	w.queueMu.Unlock()
	taken := s.metrics.batches.WithLabelValues("queued")
	for _, in := range batch {
		taken.Observe(time.Since(in.queued).Seconds())
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
	defer cancel()
	s.commitBatch(ctx, batch, true)
	return <-in.done
}

// pace returns how long a leader waits before taking its batch, whose
// oldest write was queued at oldest: nothing on a small data set, where
// waiting would only slow each writer down.
func (s *Server) pace(oldest time.Time) time.Duration {
	if s.now().data.Len() < pacedIncidents {
		return 0
	}
	return min(batchGap-time.Since(s.writer.lastBuilt), maxBatchWait-time.Since(oldest))
}

// commitBatch checks, builds, commits and serves batch, and answers
// each of its intents. retry allows one more try when the store holds
// revisions the data served lacks (another replica wrote): the batch is
// checked again on top of them. The caller holds the writer's turn.
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
	waited := time.Now()
	slot := s.background.acquireBuild(maxBuildWait)
	start := time.Now()
	var next *geo.Dataset
	var err error
	buildThread.do(func() { next, err = cur.data.With(upserts, deletes) })
	s.writer.lastBuilt = time.Now()
	if slot {
		s.background.release()
	}
	s.metrics.batches.WithLabelValues("slot").Observe(start.Sub(waited).Seconds())
	s.metrics.batches.WithLabelValues("build").Observe(s.writer.lastBuilt.Sub(start).Seconds())
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
	stored := time.Now()
	first, err := st.CommitAll(ctx, writes)
	s.metrics.batches.WithLabelValues("store").Observe(time.Since(stored).Seconds())
	s.metrics.batchWrites.Observe(float64(len(writes)))
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
// the writer's turn.
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

// background is a slot for one piece of background work at a time: the
// drawing again of what writes made stale (whileDrawn), and the builds
// of batches, which take it before any drawing that waits. So the two
// use one core between them, and the other is the readers': beside
// 2,000 reads a second at 100,000 incidents, builds outside the slot
// (on the second core, beside a drawing) doubled the reads drawn for the
// reader and the 503s. But a build waits for the slot at most
// maxBuildWait, then goes on beside the drawing: a drawing of a large
// view can take hundreds of milliseconds on a busy machine, and a build
// a few (geo.Dataset.With). Drawings wake one at a time, never all:
// tens may wait, and waking them all at every release cost the readers
// more scheduling than the drawing itself. The computing of both (a
// build's data set, a drawing's render) runs below the readers' CPU
// priority, each on a thread of its own (priority.go).
type background struct {
	mu    sync.Mutex
	freed *sync.Cond // a drawing may take the slot
	busy  bool
	// builds counts the builds waiting; a release hands the slot to one
	// through buildTurn.
	builds    int
	buildTurn chan struct{}
	// drawings holds the keys of the drawings waiting, or admitted to
	// wait (wait): one each, however many readers found them stale.
	drawings map[string]bool
}

// maxDrawings bounds the drawings waiting for the slot: each holds a data
// set (those of the last second or so, shared), and one that waits long
// draws what a later write has replaced. A map read by many has a few
// hundred tiles and views that each batch reaches.
const maxDrawings = 256

// maxBuildWait is how long a build waits for the slot before it goes on
// without it.
const maxBuildWait = 50 * time.Millisecond

func newBackground() *background {
	b := &background{drawings: map[string]bool{}, buildTurn: make(chan struct{}, 1)}
	b.freed = sync.NewCond(&b.mu)
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

// acquire waits for the slot, for a drawing admitted by wait, until it
// is free and no build waits.
func (b *background) acquire() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.busy || b.builds > 0 {
		b.freed.Wait()
	}
	b.busy = true
}

// acquireBuild takes the slot for a build, before any drawing that
// waits, waiting at most limit. It reports whether it took it: a build
// that did not goes on without it, and must not release it. One build
// at a time (the writer's lock).
func (b *background) acquireBuild(limit time.Duration) bool {
	b.mu.Lock()
	if !b.busy {
		b.busy = true
		b.mu.Unlock()
		return true
	}
	b.builds++
	b.mu.Unlock()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-b.buildTurn:
		return true
	case <-t.C:
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-b.buildTurn: // handed over as the wait ended
		return true
	default:
	}
	b.builds--
	return false
}

// waiting returns how many builds wait for the slot.
func (b *background) waiting() int {
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

// release frees the slot: hands it to a build that waits, else to the
// next drawing.
func (b *background) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.builds > 0 {
		b.builds--
		b.buildTurn <- struct{}{} // busy stays: the build holds it
		return
	}
	b.busy = false
	b.freed.Signal()
}
