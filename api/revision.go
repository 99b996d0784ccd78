package api

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// Reads of a past revision. On a store, every read may ask for the data
// exactly as it was at revision N: with ?rev=N, or under the path prefix
// /r/N/ (/r/3/api/collections/incidents/items). Either way the answer's
// links carry the prefix, so following them stays at N, and X-Revision
// says N. Past revisions are built from the store on demand, one at a
// time, and the last few are kept.

// keptRevisions is how many past revisions a server keeps built: each is
// a whole data set (about 280 MB at a million incidents).
const keptRevisions = 2

// pastRevisions keeps the servers bound to past revisions.
type pastRevisions struct {
	build sync.Mutex // one build from the store at a time
	mu    sync.Mutex // kept and order, never held through a build
	kept  map[int64]*Server
	order []int64 // oldest first
}

// pinKey is where pinRevision leaves the revision asked for.
const pinKey = "incidentmap.rev"

// pinRevision takes the revision a request asks for out of its path
// (/r/N/…) or query (rev=N), before routing, and leaves it in the
// context: the rest of the request is routed and checked as if it had
// not been there.
func pinRevision(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		rev, err := takeRevision(c.Request().URL)
		if err != nil {
			return err
		}
		if rev > 0 {
			c.Set(pinKey, rev)
		}
		return next(c)
	}
}

// takeRevision takes the revision u asks for out of its path (/r/N/…) or
// query (rev=N), leaving u as if it had not been there; 0 when it asks
// for none. A bad or repeated revision is a problem naming rev.
func takeRevision(u *url.URL) (int64, error) {
	var text string
	if rest, ok := strings.CutPrefix(u.Path, "/r/"); ok {
		n, tail, _ := strings.Cut(rest, "/")
		text = n
		u.Path, u.RawPath = "/"+tail, ""
	}
	// Most requests have no rev: their query is not parsed here.
	if strings.Contains(u.RawQuery, "rev=") {
		if q := u.Query(); q.Has("rev") {
			if text != "" || len(q["rev"]) > 1 {
				return 0, badParam("rev", "give the revision once")
			}
			text = q.Get("rev")
			q.Del("rev")
			u.RawQuery = q.Encode()
		}
	}
	if text == "" {
		return 0, nil
	}
	rev, err := strconv.ParseInt(text, 10, 64)
	if err != nil || rev < 1 {
		return 0, badParam("rev", "want a revision number from 1, got %q", text)
	}
	return rev, nil
}

// pinPrefix is the path prefix of revision rev's reads: /r/N.
func pinPrefix(rev int64) string { return fmt.Sprintf("/r/%d", rev) }

// serverFor returns the server a request is answered on: the one bound to
// the revision it pinned, or the current one.
func (s *Server) serverFor(c echo.Context) (*Server, error) {
	now := s.now()
	rev, ok := c.Get(pinKey).(int64)
	if !ok {
		return now, nil
	}
	if s.writer == nil {
		return nil, notFound("rev", "this server reads a file, which has no revisions")
	}
	return s.past.at(c.Request().Context(), now, rev)
}

// pinned returns a copy of s whose links carry the prefix of revision rev.
func (s *Server) pinned(rev int64) *Server {
	p := *s
	p.pin = pinPrefix(rev)
	p.table = p.routeTable()
	return &p
}

// at returns the server bound to revision rev: a pinned copy of now for
// its own revision, else one built from the store; either is kept. A
// build waits for any other, so past revisions take the memory of one
// at a time; reads of the revisions kept never wait for a build.
func (p *pastRevisions) at(ctx context.Context, now *Server, rev int64) (*Server, error) {
	if s, ok := p.get(rev); ok {
		return s, nil
	}
	if rev == servedRevision(now.data) {
		return p.keep(rev, now.pinned(rev)), nil // the data served now, under the revision's links
	}
	p.build.Lock()
	defer p.build.Unlock()
	if s, ok := p.get(rev); ok { // built while this one waited
		return s, nil
	}
	head, err := now.writer.store.Head(ctx)
	if err != nil {
		return nil, storeDown(err)
	}
	if rev > head {
		return nil, notFound("rev", "revision %d: the latest is %d", rev, head)
	}
	ds, err := now.writer.store.Dataset(ctx, rev)
	if err != nil {
		return nil, storeDown(err)
	}
	past := *now
	past.data, past.edits = ds, editLog{} // now's edits are not this data set's
	return p.keep(rev, past.pinned(rev)), nil
}

// get returns the server kept for rev.
func (p *pastRevisions) get(rev int64) (*Server, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.kept[rev]
	return s, ok
}

// keep keeps s for rev, letting the oldest kept go when keptRevisions
// are, and returns the server kept for rev.
func (p *pastRevisions) keep(rev int64, s *Server) *Server {
	p.mu.Lock()
	defer p.mu.Unlock()
	if kept, ok := p.kept[rev]; ok {
		return kept
	}
	if p.kept == nil {
		p.kept = map[int64]*Server{}
	}
	if len(p.order) == keptRevisions {
		delete(p.kept, p.order[0])
		p.order = p.order[1:]
	}
	p.kept[rev] = s
	p.order = append(p.order, rev)
	return s
}
