package api

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
	"github.com/incidentmap/incidentmap/store"
	"github.com/incidentmap/incidentmap/store/storetest"
	"golang.org/x/time/rate"
)

// writeServer is a server on a new SQLite store seeded with the fixtures,
// and an editor's token.
func writeServer(t *testing.T) (*Server, *store.Store, string) {
	t.Helper()
	return storeServer(t, nil)
}

// correctedServer is writeServer seeded as a new store is: the fixtures,
// then their corrections (fixtures.Corrections), one revision each.
func correctedServer(t *testing.T) (*Server, *store.Store, string) {
	t.Helper()
	cs, err := store.ParseCorrections(fixtures.Corrections)
	if err != nil {
		t.Fatal(err)
	}
	return storeServer(t, cs)
}

// storeServer is a server on a new SQLite store seeded with the fixtures
// and corrections cs, at its latest revision, and an editor's token.
func storeServer(t *testing.T, cs []store.Correction) (*Server, *store.Store, string) {
	t.Helper()
	st, ds := storetest.Seeded(t, filepath.Join(t.TempDir(), "store.db"), cs)
	_, token, err := st.CreateToken(context.Background(), "Graphics desk", store.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{Data: ds, Store: st}), st, token
}

// do sends a request with the headers given as name, value pairs.
func do(s http.Handler, method, path, body string, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, r)
	return rec
}

func newFeature(id, title string) string {
	return `{"type":"Feature","id":"` + id + `","geometry":{"type":"Point","coordinates":[42.441,33.786]},"properties":{` +
		`"title":"` + title + `","occurred_at":"2023-11-23T10:00:00Z","time_precision":"hour","event_type":"drone_attack",` +
		`"actors":[],"site":"al-asad","place":"Ain Al Asad Air Base","place_ar":"","admin1":"Al Anbar","country":"IQ",` +
		`"geo_precision":"near","injured":null,"killed":null,"summary":"","sources":[{"publisher":"Wire","title":"Report",` +
		`"published_at":"2023-11-23T12:00:00Z","quote":"A drone struck the base."}],"related":[]}}`
}

func problemParam(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var p Problem
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("%d with %s, not a problem: %s", rec.Code, ct, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	return p.Param
}

func TestWriteAuth(t *testing.T) {
	s, st, token := writeServer(t)
	items := "/api/collections/incidents/items"
	for name, headers := range map[string][]string{
		"no token":      nil,
		"not bearer":    {"Authorization", "Basic " + token},
		"unknown token": {"Authorization", "Bearer imt_0000000000000000_00"},
	} {
		rec := do(s, http.MethodPost, items, newFeature("w-1", "x"), headers...)
		if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: %d, WWW-Authenticate %q; want 401 with a Bearer challenge", name, rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
	}
	// Revoked, the token writes no more; reads never needed one.
	list, _ := st.Tokens(context.Background())
	if err := st.RevokeToken(context.Background(), list[0].ID); err != nil {
		t.Fatal(err)
	}
	if rec := do(s, http.MethodPost, items, newFeature("w-1", "x"), "Authorization", "Bearer "+token); rec.Code != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", rec.Code)
	}
	if rec := do(s, http.MethodGet, items, ""); rec.Code != http.StatusOK {
		t.Errorf("a read without a token: %d", rec.Code)
	}
	// A server on a store says it conforms to Part 4; one on a file does not.
	if rec := do(s, http.MethodGet, "/api/conformance", ""); !strings.Contains(rec.Body.String(), "ogcapi-features-4/1.0/conf/create-replace-delete") {
		t.Errorf("conformance of a server on a store: %s", rec.Body)
	}
	if rec := do(New(Config{Data: s.Data()}), http.MethodGet, "/api/conformance", ""); strings.Contains(rec.Body.String(), "features-4") {
		t.Errorf("conformance of a read-only server: %s", rec.Body)
	}
	if rec := do(New(Config{Data: s.Data()}), http.MethodPost, items, newFeature("w-1", "x")); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST to a read-only server: %d, want 405", rec.Code)
	}
	if head, _ := st.Head(context.Background()); head != 1 {
		t.Errorf("head %d after refused writes, want 1", head)
	}
}

func TestWriteLifecycle(t *testing.T) {
	s, st, token := writeServer(t)
	ctx := context.Background()
	auth := []string{"Authorization", "Bearer " + token}
	items := "/api/collections/incidents/items"
	before := s.Data().Len()

	// Create: 201, Location, the new item, a revision; served at once.
	rec := do(s, http.MethodPost, items, newFeature("w-drone", "Drone attack on Ain Al Asad"), auth...)
	if rec.Code != http.StatusCreated || !strings.HasSuffix(rec.Header().Get("Location"), items+"/w-drone") || rec.Header().Get("X-Revision") != "2" {
		t.Fatalf("POST: %d, Location %q, X-Revision %q: %s", rec.Code, rec.Header().Get("Location"), rec.Header().Get("X-Revision"), rec.Body)
	}
	etag := rec.Header().Get("ETag")
	if s.Data().Len() != before+1 {
		t.Errorf("serving %d incidents after a create, want %d", s.Data().Len(), before+1)
	}
	get := do(s, http.MethodGet, items+"/w-drone", "")
	if get.Header().Get("X-Revision") != "2" || do(s, http.MethodGet, "/api/layers/incidents", "").Header().Get("X-Revision") != "2" {
		t.Errorf("reads after the write say revision %q", get.Header().Get("X-Revision"))
	}
	if get.Code != http.StatusOK || get.Header().Get("ETag") != etag {
		t.Fatalf("GET after POST: %d, ETag %q, want %q", get.Code, get.Header().Get("ETag"), etag)
	}
	// The same id again is a conflict; a feature that breaks the data
	// model is a 422 naming the field.
	if rec := do(s, http.MethodPost, items, newFeature("w-drone", "again"), auth...); rec.Code != http.StatusConflict {
		t.Errorf("POST of an existing id: %d, want 409", rec.Code)
	}
	bad := strings.Replace(newFeature("w-bad", "x"), `"drone_attack"`, `"Drone attack"`, 1)
	if rec := do(s, http.MethodPost, items, bad, auth...); rec.Code != http.StatusUnprocessableEntity || problemParam(t, rec) != "properties.event_type" {
		t.Errorf("POST of a bad event_type: %d, param %q; want 422 naming properties.event_type", rec.Code, problemParam(t, rec))
	}
	// Every field at fault is listed, for an editor to fix at once.
	worse := strings.NewReplacer(`"drone_attack"`, `"Drone attack"`, `"IQ"`, `"Iraq"`, `"geo_precision":"near"`, `"geo_precision":"nearby"`).Replace(newFeature("w-bad", "x"))
	rec = do(s, http.MethodPost, items, worse, auth...)
	var p Problem
	_ = json.Unmarshal(rec.Body.Bytes(), &p)
	var fields []string
	for _, e := range p.Errors {
		fields = append(fields, e.Param)
	}
	if rec.Code != http.StatusUnprocessableEntity || strings.Join(fields, " ") != "properties.event_type properties.country properties.geo_precision" {
		t.Errorf("POST with three bad fields: %d, errors %v", rec.Code, fields)
	}
	if rec := do(s, http.MethodPost, items, strings.Repeat(" ", maxWriteBody+1), auth...); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("an over-large body: %d, want 413", rec.Code)
	}

	// Change: If-Match and a reason are required; a stale ETag is 412.
	patch := `{"properties":{"title":"Drone attack on Ain Al Asad Air Base"}}`
	if rec := do(s, http.MethodPatch, items+"/w-drone", patch, append(auth, reasonHeader, "fuller name")...); rec.Code != http.StatusPreconditionRequired {
		t.Errorf("PATCH without If-Match: %d, want 428", rec.Code)
	}
	if rec := do(s, http.MethodPatch, items+"/w-drone", patch, append(auth, "If-Match", etag)...); rec.Code != http.StatusBadRequest || problemParam(t, rec) != reasonHeader {
		t.Errorf("PATCH without a reason: %d, want 400 naming %s", rec.Code, reasonHeader)
	}
	rec = do(s, http.MethodPatch, items+"/w-drone", patch, append(auth, "If-Match", etag, reasonHeader, "The base's full name")...)
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") == etag {
		t.Fatalf("PATCH: %d, ETag %q (was %q): %s", rec.Code, rec.Header().Get("ETag"), etag, rec.Body)
	}
	newTag := rec.Header().Get("ETag")
	if in, _ := s.Data().Incident("w-drone"); in.Title != "Drone attack on Ain Al Asad Air Base" || in.EventType != "drone_attack" {
		t.Errorf("after PATCH: %q, %q; the patch changes the title alone", in.Title, in.EventType)
	}
	// The first ETag is stale now: 412, with the current one.
	rec = do(s, http.MethodPut, items+"/w-drone", newFeature("w-drone", "Overwrite"), append(auth, "If-Match", etag, reasonHeader, "x")...)
	if rec.Code != http.StatusPreconditionFailed || rec.Header().Get("ETag") != newTag {
		t.Errorf("PUT with a stale ETag: %d, ETag %q; want 412 and %q", rec.Code, rec.Header().Get("ETag"), newTag)
	}
	// An edit elsewhere leaves this incident's ETag as it is.
	other := s.Data().Incidents()[0]
	otherTag := do(s, http.MethodGet, items+"/"+other.ID, "").Header().Get("ETag")
	if got := do(s, http.MethodGet, items+"/w-drone", "").Header().Get("ETag"); got != newTag {
		t.Errorf("GET's ETag %q, the PATCH answered %q", got, newTag)
	}
	changes, err := st.Changes(ctx, 3)
	if err != nil || len(changes) != 1 || len(changes[0].Diff) != 1 || changes[0].Diff[0].Field != "properties.title" {
		t.Errorf("revision 3 changes %+v, %v; want the title alone", changes, err)
	}
	revs, _ := st.Revisions(ctx, 0, 1)
	if len(revs) != 1 || revs[0].Author != "Graphics desk" || revs[0].Reason != "The base's full name" {
		t.Errorf("revision 3: %+v", revs)
	}

	// Delete: an incident others relate to cannot go; this one can.
	related := ""
	for _, in := range s.Data().Incidents() {
		if len(in.Related) > 0 {
			related = in.Related[0]
		}
	}
	relTag := do(s, http.MethodGet, items+"/"+related, "").Header().Get("ETag")
	if rec := do(s, http.MethodDelete, items+"/"+related, "", append(auth, "If-Match", relTag, reasonHeader, "x")...); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("DELETE of %s, which others relate to: %d, want 422: %s", related, rec.Code, rec.Body)
	}
	if rec := do(s, http.MethodDelete, items+"/w-drone", "", append(auth, "If-Match", newTag, reasonHeader, "A duplicate of another report")...); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE: %d: %s", rec.Code, rec.Body)
	}
	if rec := do(s, http.MethodGet, items+"/w-drone", ""); rec.Code != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d", rec.Code)
	}
	if got := do(s, http.MethodGet, items+"/"+other.ID, "").Header().Get("ETag"); got != otherTag {
		t.Errorf("%s's ETag went from %q to %q, though it never changed", other.ID, otherTag, got)
	}
	// The store holds what was served: revision 4 reloads as the server has it.
	head, _ := st.Head(ctx)
	ds, err := st.Dataset(ctx, head)
	if err != nil || ds.Len() != s.Data().Len() || head != 4 {
		t.Errorf("head %d holds %d incidents (%v); the server serves %d", head, ds.Len(), err, s.Data().Len())
	}
	if _, err := ds.Incident("w-drone"); err == nil {
		t.Error("the store still has the deleted incident")
	}
	var _ = geo.ErrNotFound
}

// The corrections log lists each write, newest first, as JSON, Atom and
// a page; data text in it is text.
func TestChangesLog(t *testing.T) {
	s, _, token := writeServer(t)
	auth := []string{"Authorization", "Bearer " + token}
	items := "/api/collections/incidents/items"
	if rec := do(s, http.MethodPost, items, newFeature("w-log", "<b>Drone</b> attack"), auth...); rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	etag := do(s, http.MethodGet, items+"/w-log", "").Header().Get("ETag")
	if rec := do(s, http.MethodPatch, items+"/w-log", `{"properties":{"killed":0}}`, append(auth, "If-Match", etag, reasonHeader, "The ministry said <none> were killed")...); rec.Code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
	}

	var doc changesDoc
	rec := do(s, http.MethodGet, "/api/changes?limit=2", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("/api/changes: %d %v %s", rec.Code, err, rec.Body)
	}
	if len(doc.Changes) != 2 || doc.Changes[0].Revision != 3 || doc.Changes[0].Reason != "The ministry said <none> were killed" ||
		doc.Changes[0].Author != "Graphics desk" || len(doc.Changes[0].Incidents) != 1 ||
		doc.Changes[0].Incidents[0].Fields[0].Field != "properties.killed" || doc.Changes[1].Incidents[0].Op != store.Create {
		t.Fatalf("/api/changes = %+v", doc)
	}
	var next string
	for _, l := range doc.Links {
		if l.Rel == "next" {
			next = l.Href
		}
	}
	if !strings.Contains(next, "before=2") {
		t.Errorf("next link %q", next)
	}
	rec = do(s, http.MethodGet, "/api/changes?before=2", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || len(doc.Changes) != 1 || doc.Changes[0].Revision != 1 {
		t.Errorf("/api/changes?before=2: %+v, %v", doc.Changes, err)
	}
	// A before past the latest revision is the newest page, under one key.
	newest := do(s, http.MethodGet, "/api/changes", "")
	for _, past := range []string{"?before=4", "?before=999999999"} {
		if rec := do(s, http.MethodGet, "/api/changes"+past, ""); rec.Body.String() != newest.Body.String() || rec.Header().Get("ETag") != newest.Header().Get("ETag") {
			t.Errorf("/api/changes%s differs from the newest page", past)
		}
	}
	for _, bad := range []string{"?limit=0", "?limit=101", "?before=x", "?colour=red"} {
		if rec := do(s, http.MethodGet, "/api/changes"+bad, ""); rec.Code != http.StatusBadRequest {
			t.Errorf("/api/changes%s: %d, want 400", bad, rec.Code)
		}
	}

	// Atom: well-formed, newest first, the reason as text.
	rec = do(s, http.MethodGet, "/changes.atom", "")
	var feed atomFeed
	if err := xml.Unmarshal(rec.Body.Bytes(), &feed); err != nil || rec.Header().Get("Content-Type") != "application/atom+xml" {
		t.Fatalf("/changes.atom: %v, %s", err, rec.Header().Get("Content-Type"))
	}
	if len(feed.Entries) != 3 || !strings.Contains(feed.Entries[0].Title, "The ministry said <none> were killed") ||
		feed.Updated != feed.Entries[0].Updated || feed.Entries[0].Author.Name != "Graphics desk" {
		t.Errorf("feed: %+v", feed)
	}

	// The page: the reason and the title escaped, no script.
	rec = do(s, http.MethodGet, "/changes", "")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "The ministry said &lt;none&gt; were killed") ||
		strings.Contains(body, "<none>") || strings.Contains(body, "<b>") || !strings.Contains(body, "&lt;b&gt;") || strings.Contains(body, "<script") || rec.Header().Get("Content-Security-Policy") == "" {
		t.Errorf("/changes: %d\n%s", rec.Code, body)
	}

	// Paged: a page of two links to the older ones, which end with the
	// first revision; pinned, every link stays under the pin.
	rec = do(s, http.MethodGet, "/changes?limit=2", "")
	older := regexp.MustCompile(`<a rel="next" href="([^"]+)">`).FindStringSubmatch(rec.Body.String())
	if older == nil || html.UnescapeString(older[1]) != "/changes?before="+strconv.Itoa(len(feed.Entries)-1)+"&limit=2" {
		t.Fatalf("/changes?limit=2: the link to older changes is %q", older)
	}
	last := do(s, http.MethodGet, html.UnescapeString(older[1]), "").Body.String()
	if !strings.Contains(last, `id="r1"`) || strings.Contains(last, `rel="next"`) {
		t.Errorf("the older page does not end with revision 1, or links further:\n%s", last)
	}
	pinned := do(s, http.MethodGet, "/r/2/changes", "").Body.String()
	for _, href := range regexp.MustCompile(`href="([^"]+)"`).FindAllStringSubmatch(pinned, -1) {
		if h := href[1]; !strings.HasPrefix(h, "/r/2/") && h != "/favicon.svg" && h != "/app.css" {
			t.Errorf("/r/2/changes links to %s, out of revision 2", h)
		}
	}

	// A server on a file has no log.
	if rec := do(New(Config{Data: s.Data()}), http.MethodGet, "/api/changes", ""); rec.Code != http.StatusNotFound {
		t.Errorf("/api/changes without a store: %d, want 404", rec.Code)
	}
}

// Two replicas on one PostgreSQL: a write through either is served by
// both within a second; with PostgreSQL gone, writes are a clean 503
// and reads go on.
func TestReplicas(t *testing.T) {
	dsn, drop, ok := storetest.Postgres(t)
	if !ok {
		t.Skip("no PostgreSQL")
	}
	ctx := context.Background()
	replica := func() (*Server, *store.Store) {
		st, ds := storetest.Seeded(t, dsn, nil)
		s := New(Config{Data: ds, Store: st})
		followCtx, stop := context.WithCancel(ctx)
		t.Cleanup(stop)
		go s.Follow(followCtx, 100*time.Millisecond)
		return s, st
	}
	a, st := replica()
	b, _ := replica()
	_, token, err := st.CreateToken(ctx, "desk", store.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	auth := []string{"Authorization", "Bearer " + token}
	items := "/api/collections/incidents/items"
	for i, w := range []*Server{a, b} {
		id := fmt.Sprintf("replica-%d", i)
		if rec := do(w, http.MethodPost, items, newFeature(id, "Written on one replica"), auth...); rec.Code != http.StatusCreated {
			t.Fatalf("POST through replica %d: %d %s", i, rec.Code, rec.Body)
		}
		written := time.Now()
		for _, r := range []*Server{a, b} {
			for do(r, http.MethodGet, items+"/"+id, "").Code != http.StatusOK {
				if time.Since(written) > time.Second {
					t.Fatalf("%s, written through replica %d, not served by both within 1 s", id, i)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}

	// PostgreSQL gone (the schema dropped stands for it): a write is a
	// 503 that names the store, and reads go on from what was loaded.
	drop()
	rec := do(a, http.MethodPost, items, newFeature("replica-gone", "x"), auth...)
	if rec.Code != http.StatusServiceUnavailable || problemParam(t, rec) != "store" {
		t.Errorf("a write with the store gone: %d %s; want 503", rec.Code, rec.Body)
	}
	if rec := do(a, http.MethodGet, items+"/replica-1", ""); rec.Code != http.StatusOK {
		t.Errorf("a read with the store gone: %d", rec.Code)
	}
}

// BenchmarkWrite adds incidents over HTTP (loopback), on a SQLite store
// (every commit synced to disk), at the fixtures' size and at 100,000
// incidents, from one client and from eight at once (whose writes are
// committed in batches, commit.go).
func BenchmarkWrite(b *testing.B) {
	for _, n := range []int{0, 100_000} {
		for _, clients := range []int{1, 8} {
			b.Run(fmt.Sprintf("incidents=%d/clients=%d", n, clients), func(b *testing.B) {
				s, token := benchWriteServer(b, n)
				srv := httptest.NewServer(s)
				defer srv.Close()
				client := srv.Client()
				write := func() {
					id := fmt.Sprintf("bench-%d", benchWrites.Add(1))
					req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/collections/incidents/items", strings.NewReader(newFeature(id, "Benchmark")))
					if err != nil {
						b.Fatal(err)
					}
					req.Header.Set("Authorization", "Bearer "+token)
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						b.Errorf("POST: %d", resp.StatusCode)
					}
				}
				if clients == 1 {
					for b.Loop() {
						write()
					}
				} else {
					b.SetParallelism(clients / runtime.GOMAXPROCS(0))
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							write()
						}
					})
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
			})
		}
	}
}

// benchWrites numbers the incidents the benchmarks add.
var benchWrites atomic.Int64

// benchWriteServers holds a server and token for 100,000 incidents, made
// once: the benchmark's rounds and its client counts write on one store.
var benchWriteServers = map[int]*struct {
	once  sync.Once
	s     *Server
	token string
}{100_000: {}}

// benchWriteServer is a server on a new SQLite store seeded with n
// incidents of geo/synth (the fixtures for 0), and a token that writes
// at the store's pace, not the rate limit's. The fixtures' is made anew
// for every round: the writes of a few rounds took it past
// pacedIncidents, where a batch waits for its pace, and eight clients
// measured 19 to 367 writes a second where unpaced they make over a
// thousand. A round of -benchtime 6s or more crosses it again.
func benchWriteServer(b *testing.B, n int) (*Server, string) {
	b.Helper()
	if n < pacedIncidents/2 {
		s, token, st := newBenchWriteServer(b, n, b.TempDir())
		b.Cleanup(func() { st.Close() })
		return s, token
	}
	w := benchWriteServers[n]
	w.once.Do(func() {
		dir, err := os.MkdirTemp("", "benchwrite") // for the process's rounds
		if err != nil {
			b.Fatal(err)
		}
		w.s, w.token, _ = newBenchWriteServer(b, n, dir)
	})
	if w.s == nil {
		b.Fatal("no server")
	}
	return w.s, w.token
}

// newBenchWriteServer makes benchWriteServer's server, its store in dir.
func newBenchWriteServer(b *testing.B, n int, dir string) (*Server, string, *store.Store) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "store.db"))
	if err != nil {
		b.Fatal(err)
	}
	data := fixtures.Incidents
	if n > 0 {
		data = synth.Incidents(n, 1)
	}
	if _, err := st.Seed(ctx, data, fixtures.Sites, nil, store.Revision{At: time.Now(), Author: "bench", Reason: "seed"}); err != nil {
		b.Fatal(err)
	}
	ds, err := st.Dataset(ctx, 1)
	if err != nil {
		b.Fatal(err)
	}
	tok, token, err := st.CreateToken(ctx, "bench", store.RoleEditor)
	if err != nil {
		b.Fatal(err)
	}
	s := New(Config{Data: ds, Store: st})
	s.writer.limiter(tok.ID).SetLimit(rate.Inf)
	return s, token, st
}

// Any read may ask for a past revision, by ?rev=N or under /r/N/: the
// data exactly as it was, links that stay there, X-Revision N.
func TestReadsAtRevision(t *testing.T) {
	s, _, token := writeServer(t)
	auth := []string{"Authorization", "Bearer " + token}
	items := "/api/collections/incidents/items"
	before := s.Data().Len()
	if rec := do(s, http.MethodPost, items, newFeature("w-rev", "As first reported"), auth...); rec.Code != http.StatusCreated {
		t.Fatal(rec.Body)
	}
	etag := do(s, http.MethodGet, items+"/w-rev", "").Header().Get("ETag")
	if rec := do(s, http.MethodPatch, items+"/w-rev", `{"properties":{"title":"As corrected"}}`, append(auth, "If-Match", etag, reasonHeader, "x")...); rec.Code != http.StatusOK {
		t.Fatal(rec.Body)
	}
	matched := func(rec *httptest.ResponseRecorder) int {
		var fc struct {
			NumberMatched int `json:"numberMatched"`
			Links         []link
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &fc); err != nil {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		return fc.NumberMatched
	}
	for _, c := range []struct {
		path  string
		rev   string
		n     int
		title string
	}{
		{items + "?rev=1", "1", before, ""},
		{"/r/1" + items, "1", before, ""},
		{"/r/2" + items + "?limit=1", "2", before + 1, "As first reported"},
		{items + "?rev=3", "3", before + 1, "As corrected"},
		{items, "3", before + 1, "As corrected"},
	} {
		rec := do(s, http.MethodGet, c.path, "")
		if n := matched(rec); n != c.n || rec.Header().Get("X-Revision") != c.rev {
			t.Errorf("%s: %d incidents at revision %q, want %d at %s", c.path, n, rec.Header().Get("X-Revision"), c.n, c.rev)
		}
		if c.title == "" {
			continue
		}
		prefix := "/r/" + c.rev
		if c.path == items {
			prefix = ""
		}
		one := do(s, http.MethodGet, prefix+items+"/w-rev", "")
		var f struct {
			Properties struct{ Title string }
			Links      []link
		}
		if err := json.Unmarshal(one.Body.Bytes(), &f); err != nil || f.Properties.Title != c.title {
			t.Errorf("%s%s/w-rev: %q, %v; want %q", prefix, items, f.Properties.Title, err, c.title)
		}
		if prefix != "" && (len(f.Links) == 0 || !strings.Contains(f.Links[0].Href, prefix+"/api/")) {
			t.Errorf("links at %s do not stay there: %+v", prefix, f.Links)
		}
	}
	for path, code := range map[string]int{
		items + "?rev=9":          http.StatusNotFound,
		items + "?rev=0":          http.StatusBadRequest,
		"/r/x" + items:            http.StatusBadRequest,
		"/r/1" + items + "?rev=1": http.StatusBadRequest,
	} {
		if rec := do(s, http.MethodGet, path, ""); rec.Code != code || problemParam(t, rec) != "rev" {
			t.Errorf("%s: %d, want %d naming rev", path, rec.Code, code)
		}
	}
	if rec := do(s, http.MethodPost, "/r/1"+items, newFeature("w-x", "x"), auth...); rec.Code != http.StatusBadRequest {
		t.Errorf("a write at a past revision: %d, want 400", rec.Code)
	}
	if rec := do(New(Config{Data: s.Data()}), http.MethodGet, items+"?rev=1", ""); rec.Code != http.StatusNotFound {
		t.Errorf("rev on a server without a store: %d, want 404", rec.Code)
	}
}

// One incident's corrections: /api/changes?incident=ID lists the
// revisions that changed it, newest first, each with its change of it
// alone; under /r/N/ the log, filtered or not, ends at N.
func TestChangesOfIncident(t *testing.T) {
	s, _, token := correctedServer(t)
	cs, _ := store.ParseCorrections(fixtures.Corrections)
	const strike = "2023-11-21-abu-ghraib-ac130" // the fourth correction: revision 5
	const claim = "2023-11-21-al-shaddadi-claim" // never corrected by the fixtures
	log := func(path string) (changesDoc, *httptest.ResponseRecorder) {
		t.Helper()
		var doc changesDoc
		rec := do(s, http.MethodGet, path, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return doc, rec
	}
	summary := func(doc changesDoc) (out []string) {
		for _, e := range doc.Changes {
			for _, in := range e.Incidents {
				out = append(out, fmt.Sprintf("%d %s %s", e.Revision, in.Op, in.ID))
			}
		}
		return out
	}

	doc, rec := log("/api/changes?incident=" + strike)
	if got := summary(doc); !slices.Equal(got, []string{"5 update " + strike, "1 create " + strike}) || doc.Changes[0].Reason != cs[3].Reason ||
		len(doc.Changes[0].Incidents[0].Fields) == 0 || rec.Header().Get("X-Revision") != "6" {
		t.Errorf("history of %s: %q, reason %q, X-Revision %q", strike, got, doc.Changes[0].Reason, rec.Header().Get("X-Revision"))
	}
	// Pinned before its correction, the strike has its creation alone;
	// the log's links stay at the pin.
	doc, rec = log("/r/4/api/changes?limit=1&incident=" + strike)
	if got := summary(doc); !slices.Equal(got, []string{"1 create " + strike}) || rec.Header().Get("X-Revision") != "4" {
		t.Errorf("history of %s at 4: %q, X-Revision %q", strike, got, rec.Header().Get("X-Revision"))
	}
	for _, l := range doc.Links {
		if !strings.Contains(l.Href, "/r/4/") {
			t.Errorf("link %s of the log at 4 leaves it", l.Href)
		}
	}
	// The whole log at a pin ends there too.
	if doc, _ = log("/r/3/api/changes?limit=2"); !slices.Equal(summary(doc), []string{"3 update 2023-11-22-us-precision-strikes", "2 update 2023-11-21-al-asad-mortar"}) {
		t.Errorf("the log at 3: %q", summary(doc))
	}
	// Paging one incident's history keeps to it.
	doc, _ = log("/api/changes?limit=1&incident=" + strike)
	var next string
	for _, l := range doc.Links {
		if l.Rel == "next" {
			next = l.Href
		}
	}
	if u, err := url.Parse(next); err != nil || u.Query().Get("incident") != strike || u.Query().Get("before") != "5" {
		t.Errorf("next link %q", next)
	}

	// A correction made through the write API is the claim's newest
	// change; the revision before it still has none.
	etag := do(s, http.MethodGet, "/api/collections/incidents/items/"+claim, "").Header().Get("ETag")
	if rec := do(s, http.MethodPatch, "/api/collections/incidents/items/"+claim, `{"properties":{"killed":null}}`,
		"Authorization", "Bearer "+token, "If-Match", etag, reasonHeader, "No <one> counted the dead"); rec.Code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
	}
	if doc, _ = log("/api/changes?limit=1&incident=" + claim); !slices.Equal(summary(doc), []string{"7 update " + claim}) || doc.Changes[0].Reason != "No <one> counted the dead" {
		t.Errorf("the claim after its correction: %q %q", summary(doc), doc.Changes[0].Reason)
	}
	if doc, _ = log("/r/6/api/changes?limit=1&incident=" + claim); !slices.Equal(summary(doc), []string{"1 create " + claim}) {
		t.Errorf("the claim at 6: %q", summary(doc))
	}

	for path, code := range map[string]int{
		"/api/changes?incident=nope":                         http.StatusNotFound,
		"/api/changes?incident=" + strings.Repeat("x", 3000): http.StatusNotFound,
		"/api/changes?incident=" + claim + "&colour=red":     http.StatusBadRequest,
		"/r/9/api/changes?incident=" + claim:                 http.StatusNotFound,
	} {
		rec := do(s, http.MethodGet, path, "")
		if rec.Code != code {
			t.Errorf("%.60s: %d, want %d", path, rec.Code, code)
		}
	}
	if rec := do(s, http.MethodGet, "/api/changes?incident=nope", ""); problemParam(t, rec) != "incident" {
		t.Errorf("an unknown incident's problem names %q", problemParam(t, rec))
	}
}
