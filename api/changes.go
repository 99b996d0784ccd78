package api

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/incidentmap/incidentmap/store"
)

// The public corrections log of a server on a store: every revision, newest
// first, with when, who, why and what changed, field by field. As JSON
// (/api/changes, paged), as an Atom feed (/changes.atom) and as a page
// (/changes). Each is cached under the data set's version, which every
// write changes. Like every read, the log may be pinned (/r/N/…): it then
// ends at revision N.

// Paging of the log.
const (
	changesDefaultLimit = 20
	changesMaxLimit     = 100
)

// changeEntry is one revision in the log.
type changeEntry struct {
	Revision  int64            `json:"revision"`
	At        time.Time        `json:"at"`
	Author    string           `json:"author"`
	Reason    string           `json:"reason"`
	Incidents []incidentChange `json:"incidents"`
}

// incidentChange is what a revision did to one incident.
type incidentChange struct {
	ID     string              `json:"id"`
	Op     store.Op            `json:"op"`
	Fields []store.FieldChange `json:"fields"`
}

type changesDoc struct {
	Changes []changeEntry `json:"changes"`
	Links   []link        `json:"links"`
}

// changesParams are what the log's JSON and page take (parseChanges).
var changesParams = []string{"limit", "before", "incident"}

// logged answers 404 on a server without a store, which keeps no log.
func (s *Server) logged() error {
	if s.writer == nil {
		return notFound("path", "this server reads a file, which has no corrections log; run it on a store (-store)")
	}
	return nil
}

// changesQuery is what a page of the log asks for.
type changesQuery struct {
	limit int
	// before is the revision the page ends before; 0 asks for the newest.
	before int64
	// incident, when set, keeps the revisions that changed it, each with
	// its change of it alone: the incident's own history.
	incident string
}

// key is q as a cache key's request.
func (q changesQuery) key() string {
	return fmt.Sprintf("%d:%d:%s", q.limit, q.before, q.incident)
}

// parseChanges reads the log's query, whose names the route table has
// checked: limit (1 to 100), before (a revision; the newest when absent)
// and incident (an id of the data served). An incident the data served
// does not hold is a 404, so that keys are made only of ids that exist.
func (s *Server) parseChanges(v url.Values) (changesQuery, error) {
	if err := s.logged(); err != nil {
		return changesQuery{}, err
	}
	q := changesQuery{limit: changesDefaultLimit, incident: v.Get("incident")}
	if t := v.Get("limit"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > changesMaxLimit {
			return q, badParam("limit", "want a whole number from 1 to %d, got %q", changesMaxLimit, t)
		}
		q.limit = n
	}
	if t := v.Get("before"); t != "" {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n < 1 {
			return q, badParam("before", "want a revision number, got %q", t)
		}
		q.before = n
	}
	if _, err := s.data.Incident(q.incident); q.incident != "" && err != nil {
		return q, notFound("incident", "no incident has id %q at revision %s", q.incident, revisionOf(s.data))
	}
	q.before = s.clampBefore(q.before)
	return q, nil
}

// clampBefore bounds the log by the revision served: a before past it,
// or none, means the revision after it. The log of a pinned revision so
// ends there, the cache holds one newest page under one key, and a
// client cannot make up keys without end.
func (s *Server) clampBefore(before int64) int64 {
	head, _ := strconv.ParseInt(revisionOf(s.data), 10, 64)
	if before == 0 || before > head {
		return head + 1
	}
	return before
}

// changeLog reads a page of the log from the store.
func (s *Server) changeLog(ctx context.Context, q changesQuery) ([]changeEntry, error) {
	if q.incident != "" {
		return s.incidentLog(ctx, q)
	}
	revs, err := s.writer.store.Revisions(ctx, q.before, q.limit)
	if err != nil {
		return nil, storeDown(err)
	}
	out := make([]changeEntry, 0, len(revs))
	for _, r := range revs {
		changes, err := s.writer.store.Changes(ctx, r.Rev)
		if err != nil {
			return nil, storeDown(err)
		}
		e := newChangeEntry(r)
		for _, c := range changes {
			e.Incidents = append(e.Incidents, loggedChange(c))
			if len(e.Incidents) == maxLoggedIncidents {
				break
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// incidentLog reads a page of one incident's history from the store.
func (s *Server) incidentLog(ctx context.Context, q changesQuery) ([]changeEntry, error) {
	history, err := s.writer.store.History(ctx, q.incident, q.before, q.limit)
	if err != nil {
		return nil, storeDown(err)
	}
	out := make([]changeEntry, 0, len(history))
	for _, h := range history {
		e := newChangeEntry(h.Revision)
		e.Incidents = append(e.Incidents, loggedChange(h.Change))
		out = append(out, e)
	}
	return out, nil
}

// newChangeEntry is revision r in the log, before its incidents.
func newChangeEntry(r store.Revision) changeEntry {
	return changeEntry{Revision: r.Rev, At: r.At.UTC(), Author: r.Author, Reason: r.Reason, Incidents: []incidentChange{}}
}

// loggedChange is c as the log lists it: at most maxLoggedFields fields.
func loggedChange(c store.Change) incidentChange {
	fields := c.Diff
	if len(fields) > maxLoggedFields {
		fields = fields[:maxLoggedFields] // a seed or an import: the count says the rest
	}
	return incidentChange{c.ID, c.Op, fields}
}

// A revision may change a million incidents (an import): the log lists
// the first maxLoggedIncidents of each, with at most maxLoggedFields
// fields each, so a page stays small.
const (
	maxLoggedIncidents = 50
	maxLoggedFields    = 20
)

func (s *Server) changesJSON(c echo.Context) error {
	q, err := s.parseChanges(c.QueryParams())
	if err != nil {
		return err
	}
	r := c.Request()
	return s.serveCached(c, cachedResponse{kind: "changes", request: "json:" + q.key(), linked: true, contentType: typeJSON,
		render: func(ctx context.Context) ([]byte, error) {
			entries, err := s.changeLog(ctx, q)
			if err != nil {
				return nil, err
			}
			origin := s.origin(r)
			doc := changesDoc{Changes: entries, Links: []link{
				{Href: absURL(origin, "/api/changes", nil), Rel: "self", Type: typeJSON},
				{Href: absURL(origin, "/changes.atom", nil), Rel: "alternate", Type: "application/atom+xml"},
			}}
			if len(entries) == q.limit {
				next := url.Values{"limit": {strconv.Itoa(q.limit)}, "before": {strconv.FormatInt(entries[len(entries)-1].Revision, 10)}}
				if q.incident != "" {
					next.Set("incident", q.incident)
				}
				doc.Links = append(doc.Links, link{Href: absURL(origin, "/api/changes", next), Rel: "next", Type: typeJSON})
			}
			return json.Marshal(doc)
		}})
}

// Atom (RFC 4287), the newest changes.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title   string     `xml:"title"`
	ID      string     `xml:"id"`
	Updated string     `xml:"updated"`
	Author  atomAuthor `xml:"author"`
	Link    atomLink   `xml:"link"`
	Content atomText   `xml:"content"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

func (s *Server) changesAtom(c echo.Context) error {
	if err := s.logged(); err != nil {
		return err
	}
	r := c.Request()
	return s.serveCached(c, cachedResponse{kind: "changes", request: "atom", linked: true, contentType: "application/atom+xml",
		render: func(ctx context.Context) ([]byte, error) {
			entries, err := s.changeLog(ctx, changesQuery{limit: changesDefaultLimit, before: s.clampBefore(0)})
			if err != nil {
				return nil, err
			}
			origin := s.origin(r)
			feed := atomFeed{
				Title: "incidentmap: corrections and changes", ID: origin + "/changes.atom",
				Updated: time.Unix(0, 0).UTC().Format(time.RFC3339),
				Links: []atomLink{
					{Href: origin + "/changes.atom", Rel: "self", Type: "application/atom+xml"},
					{Href: origin + "/changes", Rel: "alternate", Type: "text/html"},
				},
				Author: atomAuthor{Name: "incidentmap"},
			}
			for i, e := range entries {
				at := e.At.Format(time.RFC3339)
				if i == 0 {
					feed.Updated = at
				}
				feed.Entries = append(feed.Entries, atomEntry{
					Title:   fmt.Sprintf("Revision %d: %s", e.Revision, e.Reason),
					ID:      fmt.Sprintf("%s/changes#r%d", origin, e.Revision),
					Updated: at,
					Author:  atomAuthor{Name: e.Author},
					Link:    atomLink{Href: fmt.Sprintf("%s/changes#r%d", origin, e.Revision), Rel: "alternate", Type: "text/html"},
					Content: atomText{Type: "text", Text: describe(e)},
				})
			}
			var buf bytes.Buffer
			buf.WriteString(xml.Header)
			enc := xml.NewEncoder(&buf)
			enc.Indent("", " ")
			if err := enc.Encode(feed); err != nil {
				return nil, fmt.Errorf("encode atom: %w", err)
			}
			return buf.Bytes(), nil
		}})
}

// describe says in words what a revision changed.
func describe(e changeEntry) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s, by %s: %s\n", e.At.Format("2 January 2006 15:04 UTC"), e.Author, e.Reason)
	for _, in := range e.Incidents {
		fmt.Fprintf(&b, "\n%s %s", in.Op, in.ID)
		for _, f := range in.Fields {
			fmt.Fprintf(&b, "\n  %s: %s → %s", f.Field, f.From, f.To)
		}
	}
	return b.String()
}

// changesTemplate is the log as a page: text only, the site's style
// sheet, no script.
var changesTemplate = template.Must(template.New("changes").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Corrections and changes · incidentmap</title>
<link rel="icon" href="{{.Root}}/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{{.Root}}/app.css">
<link rel="alternate" type="application/atom+xml" title="Corrections and changes" href="{{.Root}}{{.Pin}}/changes.atom">
</head>
<body class="changes">
<main>
<h1>Corrections and changes</h1>
<p>Every change to the data, newest first: when, by whom, why, and what changed. <a href="{{.Root}}{{.Pin}}/changes.atom">Atom feed</a> · <a href="{{.Root}}{{.Pin}}/api/changes">JSON</a> · <a href="{{.Root}}{{.Pin}}/">the map</a></p>
{{range .Entries}}<section id="r{{.Revision}}">
<h2>Revision {{.Revision}}: {{.Reason}}</h2>
<p><time datetime="{{.At.Format "2006-01-02T15:04:05Z07:00"}}">{{.At.Format "2 January 2006, 15:04 UTC"}}</time>, by {{.Author}}</p>
<ul>{{range .Incidents}}
<li>{{.Op}} <a href="{{$.Root}}{{$.Pin}}/api/collections/incidents/items/{{.ID}}">{{.ID}}</a>{{if .Fields}}<ul>{{range .Fields}}<li><code>{{.Field}}</code>: <code>{{printf "%s" .From}}</code> → <code>{{printf "%s" .To}}</code></li>{{end}}</ul>{{end}}</li>{{end}}
</ul>
</section>
{{else}}<p>No changes yet.</p>
{{end}}{{if .Older}}<p><a rel="next" href="{{.Older}}">Older changes</a></p>
{{end}}</main>
</body>
</html>
`))

// changesPageData is what changesTemplate is rendered with: the entries
// of a page of the log, the path prefix of the revision the log ends at
// ("/r/4"; "" for the latest), under which every link stays, and the
// address of the next, older page ("" on the last).
type changesPageData struct {
	Root    string // the path the service is served under ("" at its host's root)
	Pin     string
	Entries []changeEntry
	Older   string
}

func (s *Server) changesPage(c echo.Context) error {
	q, err := s.parseChanges(c.QueryParams())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Security-Policy", s.contentSecurityPolicy())
	return s.serveCached(c, cachedResponse{kind: "changes", request: "page:" + q.key(), contentType: "text/html; charset=utf-8",
		render: func(ctx context.Context) ([]byte, error) {
			entries, err := s.changeLog(ctx, q)
			if err != nil {
				return nil, err
			}
			d := changesPageData{Root: s.basePath, Pin: s.pin, Entries: entries}
			if n := len(entries); n == q.limit && entries[n-1].Revision > 1 {
				older := url.Values{"before": {strconv.FormatInt(entries[n-1].Revision, 10)}, "limit": {strconv.Itoa(q.limit)}}
				if q.incident != "" {
					older.Set("incident", q.incident)
				}
				d.Older = s.basePath + s.pin + "/changes?" + older.Encode()
			}
			var buf bytes.Buffer
			if err := changesTemplate.Execute(&buf, d); err != nil {
				return nil, fmt.Errorf("render changes: %w", err)
			}
			return buf.Bytes(), nil
		}})
}
