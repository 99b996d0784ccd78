package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/store"
)

// Writes, OGC API Features Part 4 on the incidents: POST to the items
// creates, PUT replaces, PATCH merges (RFC 7396), DELETE removes. Each is
// one revision of the store, made by the bearer token's owner with the
// reason in the Change-Reason header, then served at once: the server
// builds the data set the write makes beside the current one (which is
// also how the write is checked against the whole, as a data file is)
// and swaps it in. Writes that come together are committed and built
// together (commit.go); readers never wait.

// Write limits.
const (
	// maxWriteBody bounds a write's body: a feature with every text at
	// its limit is under 300 KB.
	maxWriteBody = 1 << 20
	// maxReason bounds the Change-Reason header, in bytes.
	maxReason = 500
	// writesPerSecond and writeBurst are each token's rate.
	writesPerSecond = 20
	writeBurst      = 40
)

// reasonHeader carries why a write is made, for the revision and the
// corrections log.
const reasonHeader = "Change-Reason"

// writer is the state writes share across the server's copies.
type writer struct {
	store *store.Store
	// turn is held by one batch, import or catch-up at a time (lock,
	// unlock): a channel rather than a mutex, so that a writer can wait
	// for it or for its write's outcome, whichever comes first (submit).
	turn chan struct{}
	// queue holds the intents waiting for a batch.
	queueMu sync.Mutex
	queue   []*intent
	// When the last batch's build ended: pace.
	lastBuilt time.Time
	// limits holds a limiter per token that has written; tokens are few
	// (each made by an admin), so the map stays small.
	limitsMu sync.Mutex
	limits   map[string]*rate.Limiter
	// imports holds a slot for each import being read or checked
	// (imports.go): at most maxImports files of maxImportBody in memory.
	imports chan struct{}
}

// lock waits for the writer's turn; unlock gives it back.
func (w *writer) lock()   { w.turn <- struct{}{} }
func (w *writer) unlock() { <-w.turn }

// writeRoutes adds the write routes, when the server has a store.
func (s *Server) writeRoutes(e *echo.Echo) {
	if s.writer == nil {
		return
	}
	items := "/api/collections/" + collIncidents + "/items"
	e.POST(items, s.write(func(s *Server, c echo.Context, w *writeRequest) error { return s.create(c, w) }))
	e.PUT(items+"/:fid", s.write(func(s *Server, c echo.Context, w *writeRequest) error { return s.replace(c, w, false) }))
	e.PATCH(items+"/:fid", s.write(func(s *Server, c echo.Context, w *writeRequest) error { return s.replace(c, w, true) }))
	e.DELETE(items+"/:fid", s.write(func(s *Server, c echo.Context, w *writeRequest) error { return s.remove(c, w) }))
}

// writeRequest is what every write has been checked for.
type writeRequest struct {
	token  store.Token
	reason string
	start  time.Time // when the handler began: the phases it is timed in
}

// write wraps a write handler: the token, its rate, the reason, one write
// at a time, on the server bound to the current data set.
func (s *Server) write(h func(*Server, echo.Context, *writeRequest) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if c.Get(pinKey) != nil {
			return badParam("rev", "a write changes the current revision; it takes no rev")
		}
		start := time.Now()
		defer func() {
			s.metrics.batches.WithLabelValues("handler").Observe(time.Since(start).Seconds())
		}()
		tok, err := s.editorToken(c, "writes")
		if err != nil {
			return err
		}
		reason, err := changeReason(r, r.Method != http.MethodPost)
		if err != nil {
			return err
		}
		if reason == "" {
			reason = "New incident."
		}
		return h(s.now(), c, &writeRequest{token: tok, reason: reason, start: start})
	}
}

// editorToken returns the request's token, an editor's or an admin's,
// within its rate; what says what needs it, as in "writes".
func (s *Server) editorToken(c echo.Context, what string) (store.Token, error) {
	tok, err := s.authorize(c, what, store.RoleEditor, store.RoleAdmin)
	if err != nil {
		return tok, err
	}
	return tok, s.withinRate(c, tok)
}

// withinRate is a 429 when tok has made its writes of this second.
func (s *Server) withinRate(c echo.Context, tok store.Token) error {
	if !s.writer.limiter(tok.ID).Allow() {
		c.Response().Header().Set("Retry-After", "1")
		return problem(http.StatusTooManyRequests, "authorization", "at most %d writes a second per token", writesPerSecond)
	}
	return nil
}

// changeReason reads why a write is made from its Change-Reason header:
// a 400 when it is over maxReason, or missing and required.
func changeReason(r *http.Request, required bool) (string, error) {
	reason := strings.TrimSpace(r.Header.Get(reasonHeader))
	switch {
	case reason == "" && required:
		return "", problem(http.StatusBadRequest, reasonHeader, "say why in the %s header: it is recorded with the revision and shown in the corrections log", reasonHeader)
	case len(reason) > maxReason:
		return "", problem(http.StatusBadRequest, reasonHeader, "%d bytes, at most %d", len(reason), maxReason)
	}
	return reason, nil
}

// limiter returns the rate limiter of token id.
func (w *writer) limiter(id string) *rate.Limiter {
	w.limitsMu.Lock()
	defer w.limitsMu.Unlock()
	l, ok := w.limits[id]
	if !ok {
		l = rate.NewLimiter(writesPerSecond, writeBurst)
		w.limits[id] = l
	}
	return l
}

// create adds the incident of the body.
func (s *Server) create(c echo.Context, w *writeRequest) error {
	feature, err := readFeature(c)
	if err != nil {
		return err
	}
	in, err := s.checkFeature(feature)
	if err != nil {
		return err
	}
	if _, err := s.data.Incident(in.ID); err == nil {
		return problem(http.StatusConflict, "id", "an incident has id %q; PUT or PATCH it at its own URL", in.ID)
	}
	next, err := s.commit(c, w, &intent{change: store.Change{ID: in.ID, Op: store.Create, Feature: canonical(&in)}, incident: &in})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", s.origin(c.Request())+"/api/collections/"+collIncidents+"/items/"+in.ID)
	return next.answerItem(c, in.ID, http.StatusCreated)
}

// replace replaces (PUT) or patches (PATCH, a JSON merge patch) the
// incident at the path, which the client has read: If-Match must name
// its current version.
func (s *Server) replace(c echo.Context, w *writeRequest, patch bool) error {
	fid := c.Param("fid")
	current, err := s.matching(c, fid)
	if err != nil {
		return err
	}
	body, err := readFeature(c)
	if err != nil {
		return err
	}
	feature := body
	if patch {
		if feature, err = store.MergePatch(canonical(current), body); err != nil {
			return problem(http.StatusBadRequest, "body", "%v", err)
		}
	}
	in, err := s.checkFeature(feature)
	if err != nil {
		return err
	}
	if in.ID != fid {
		return problem(http.StatusUnprocessableEntity, "id", "the body's id %q is not the path's %q; an id does not change", in.ID, fid)
	}
	next, err := s.commit(c, w, &intent{change: store.Change{ID: fid, Op: store.Update, Feature: canonical(&in)}, incident: &in, base: incidentVersion(current)})
	if err != nil {
		return err
	}
	return next.answerItem(c, fid, http.StatusOK)
}

// remove deletes the incident at the path, which the client has read.
func (s *Server) remove(c echo.Context, w *writeRequest) error {
	fid := c.Param("fid")
	current, err := s.matching(c, fid)
	if err != nil {
		return err
	}
	next, err := s.commit(c, w, &intent{change: store.Change{ID: fid, Op: store.Delete}, base: incidentVersion(current)})
	if err != nil {
		return err
	}
	c.Response().Header().Set("X-Revision", revisionOf(next.data))
	return c.NoContent(http.StatusNoContent)
}

// matching returns the incident at the path when the request's If-Match
// names its current version: the ETag its item was served with.
func (s *Server) matching(c echo.Context, fid string) (*geo.Incident, error) {
	in, err := s.data.Incident(fid)
	if err != nil {
		return nil, notFound("fid", "no incident has id %q", fid)
	}
	ifMatch := c.Request().Header.Get("If-Match")
	if ifMatch == "" {
		return nil, problem(http.StatusPreconditionRequired, "If-Match", "send the ETag the incident was read with, so a change made since is not overwritten")
	}
	current := s.etagOf(c.Request(), s.incidentResponse(c.Request(), in))
	if !etagMatches(ifMatch, current) || strings.HasPrefix(strings.TrimSpace(ifMatch), "W/") {
		p := problem(http.StatusPreconditionFailed, "If-Match", "the incident changed since it was read (now %s): read it again, and make the change on top", current)
		p.ETag = current
		return nil, p
	}
	return in, nil
}

// readFeature reads the body: one GeoJSON Feature, at most maxWriteBody.
func readFeature(c echo.Context) ([]byte, error) {
	r := c.Request()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWriteBody+1))
	if err != nil {
		return nil, problem(http.StatusBadRequest, "body", "read: %v", err)
	}
	if len(body) > maxWriteBody {
		return nil, problem(http.StatusRequestEntityTooLarge, "body", "over %d bytes", maxWriteBody)
	}
	if !json.Valid(body) {
		return nil, problem(http.StatusBadRequest, "body", "not JSON")
	}
	return body, nil
}

// checkFeature checks a feature against the data model, as a data file's
// are: 422, naming the field, when it breaks it.
func (s *Server) checkFeature(feature []byte) (geo.Incident, error) {
	var in geo.Incident
	var fault error
	collection := append(append([]byte(`{"type":"FeatureCollection","features":[`), feature...), "]}"...)
	err := geo.EachFeature(bytes.NewReader(collection), s.data.Sites, func(c geo.Checked) error {
		if c.Err != nil {
			p := invalid(c.Err.Field, c.Err.Err)
			p.Errors = []FieldError{{c.Err.Field, c.Err.Err.Error()}}
			for _, m := range c.Err.More {
				p.Errors = append(p.Errors, FieldError{m.Field, m.Err.Error()})
			}
			fault = p
		}
		in = c.Incident
		return nil
	})
	if err != nil {
		return in, problem(http.StatusBadRequest, "body", "not a GeoJSON Feature: %v", err)
	}
	return in, fault
}

// invalid is a 422 naming the field at fault.
func invalid(field string, err error) *Problem {
	p := problem(http.StatusUnprocessableEntity, field, "%v", err)
	return p
}

// commit queues in, made by w's token for w's reason, and waits for its
// batch (commit.go); it returns the server bound to the data set that
// holds the write. A store that cannot be reached is a 503: the data
// served stays as it was.
func (s *Server) commit(c echo.Context, w *writeRequest, in *intent) (*Server, error) {
	in.rev = store.Revision{Author: w.token.Name, Reason: w.reason}
	s.metrics.batches.WithLabelValues("checked").Observe(time.Since(w.start).Seconds())
	o := s.submit(c.Request().Context(), in)
	if errors.Is(o.err, errStale) {
		// Another write of the batch changed the incident first: the
		// If-Match is now stale, and matching says so, with the ETag.
		if _, err := s.now().matching(c, in.change.ID); err != nil {
			return nil, err
		}
		return nil, problem(http.StatusPreconditionFailed, "If-Match", "the incident changed while the write waited: read it again")
	}
	return o.srv, o.err
}

// answerItem answers a write with the incident as it now is, and its
// ETag and revision.
func (s *Server) answerItem(c echo.Context, fid string, status int) error {
	in, err := s.data.Incident(fid)
	if err != nil {
		return fmt.Errorf("written incident %q: %w", fid, err)
	}
	resp := s.incidentResponse(c.Request(), in)
	body, err := resp.render(c.Request().Context())
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("ETag", s.etagOf(c.Request(), resp))
	h.Set("X-Revision", revisionOf(s.data))
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.Blob(status, typeGeoJSON, body)
}

// revisionOf returns the revision a data set from a store is at, "" for
// one from a file.
func revisionOf(d *geo.Dataset) string { return revisionOfVersion(d.Version) }

// revisionOfVersion returns the revision a data version names ("12" of
// "r12-…"), "" for a version of a file.
func revisionOfVersion(version string) string {
	rev, _, ok := strings.Cut(strings.TrimPrefix(version, "r"), "-")
	if !ok || !strings.HasPrefix(version, "r") {
		return ""
	}
	return rev
}

// canonical is an incident's feature as the store keeps it.
func canonical(in *geo.Incident) []byte {
	b, _ := in.AppendGeoJSON(nil, math.NaN()) // only a failing json.Marshal of strings and numbers errs
	return b
}

// problem is a problem of the given status about param.
func problem(status int, param, format string, args ...any) *Problem {
	p := badParam(param, format, args...)
	p.Status, p.Title = status, http.StatusText(status)
	return p
}

// storeDown is a write the store could not take: 503, try again.
func storeDown(err error) *Problem {
	p := problem(http.StatusServiceUnavailable, "store", "the store cannot be reached (%v); nothing was written, reads go on", err)
	p.RetryAfter = 5
	return p
}

// Follow keeps the server at the store's latest revision until ctx ends:
// whenever the store tells of a commit (PostgreSQL), and every interval
// when it cannot (SQLite), it asks the store for its head and, when
// another process (a replica, an import) has written, builds that
// revision and swaps it in (follow.go). A replica so serves another's
// write within the load, or the interval and the load. When the store
// cannot be reached the data served stays as it was; the failure is
// logged once until it recovers.
func (s *Server) Follow(ctx context.Context, interval time.Duration) {
	if s.writer == nil {
		return
	}
	next := s.catchUpTimes(ctx, interval)
	failing := false
	for next() {
		err := s.catchUp(ctx)
		switch {
		case err != nil && !failing:
			s.log.WarnContext(ctx, "store unreachable; serving the revision loaded", "err", err)
		case err == nil && failing:
			s.log.InfoContext(ctx, "store reachable again")
		}
		failing = err != nil
	}
}

// catchUp loads the store's head revision when it is newer than the one
// served. The load is made beside the batches of writes, which wait only
// for the swap.
func (s *Server) catchUp(ctx context.Context) error {
	// The head is read beside no batch of this server's own, which holds
	// the lock from its commit to its swap: a head ahead of the data
	// served is then another process's.
	s.writer.lock()
	head, err := s.writer.store.Head(ctx)
	served := servedRevision(s.Data())
	s.writer.unlock()
	if err != nil {
		return err
	}
	if head <= served {
		return nil
	}
	next, err := s.writer.store.Dataset(ctx, head)
	if err != nil {
		return err
	}
	s.writer.lock()
	defer s.writer.unlock()
	if head > servedRevision(s.Data()) { // not overtaken by a batch of this server's own
		s.SetData(next)
		s.log.InfoContext(ctx, "revision loaded", "revision", head, "incidents", next.Len())
	}
	return nil
}

// loadHead loads the store's head revision, for a batch that found the
// store ahead of the data served. The caller holds the writer's turn.
func (s *Server) loadHead(ctx context.Context) error {
	head, err := s.writer.store.Head(ctx)
	if err != nil {
		return err
	}
	next, err := s.writer.store.Dataset(ctx, head)
	if err != nil {
		return err
	}
	s.SetData(next)
	return nil
}

// servedRevision is the revision d is at, 0 for data from a file.
func servedRevision(d *geo.Dataset) int64 {
	rev, _ := strconv.ParseInt(revisionOf(d), 10, 64)
	return rev
}
