package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/time/rate"

	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/store"
	"github.com/incidentmap/incidentmap/store/storetest"
)

// Writes that come together are batched (commit.go); each must still be
// its own revision, checked against the ones before it, and the data
// served must be the store's head exactly.
func TestConcurrentWrites(t *testing.T) {
	s, st, token := writeServer(t)
	ctx := context.Background()
	tok, _ := st.Tokens(ctx)
	s.writer.limiter(tok[0].ID).SetLimit(rate.Inf)
	auth := []string{"Authorization", "Bearer " + token}
	items := "/api/collections/incidents/items"
	target := s.Data().Incidents()[0].ID
	etag := do(s, http.MethodGet, items+"/"+target, "").Header().Get("ETag")
	before := s.Data().Len()

	const creates = 40
	codes := make([]int, creates+2)
	var wg sync.WaitGroup
	for i := range creates + 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i < creates {
				codes[i] = do(s, http.MethodPost, items, newFeature(fmt.Sprintf("batch-%d", i), "Batched"), auth...).Code
				return
			}
			// Two editors change one incident, both from the same read:
			// one wins, the other is told it is stale.
			patch := fmt.Sprintf(`{"properties":{"title":"Retitled by editor %d"}}`, i-creates)
			codes[i] = do(s, http.MethodPatch, items+"/"+target, patch, append(auth, "If-Match", etag, reasonHeader, "title")...).Code
		}()
	}
	wg.Wait()
	for i := range creates {
		if codes[i] != http.StatusCreated {
			t.Errorf("POST %d: %d", i, codes[i])
		}
	}
	if a, b := codes[creates], codes[creates+1]; !(a == http.StatusOK && b == http.StatusPreconditionFailed || a == http.StatusPreconditionFailed && b == http.StatusOK) {
		t.Errorf("two PATCHes from one read: %d and %d, want one 200 and one 412", a, b)
	}

	head, err := st.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if head != 1+creates+1 {
		t.Errorf("head %d after %d writes on revision 1, want each its own revision", head, creates+1)
	}
	served := s.Data()
	if served.Version != st.Version(head) || served.Len() != before+creates {
		t.Errorf("serving %s with %d incidents; the store's head is %s, %d incidents expected", served.Version, served.Len(), st.Version(head), before+creates)
	}
	loaded, err := st.Dataset(ctx, head)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Version != served.Version {
		t.Errorf("the head loaded is %s, built %s: replicas would disagree on ETags", loaded.Version, served.Version)
	}
	want, got := loaded.Incidents(), served.Incidents()
	for i := range want {
		if string(canonical(&want[i])) != string(canonical(&got[i])) {
			t.Fatalf("incident %d served as\n%s\nthe store has\n%s", i, canonical(&got[i]), canonical(&want[i]))
		}
	}
	// The 412 names the ETag to make the change on top of.
	now := do(s, http.MethodGet, items+"/"+target, "").Header().Get("ETag")
	rec := do(s, http.MethodPatch, items+"/"+target, `{"properties":{"title":"late"}}`, append(auth, "If-Match", etag, reasonHeader, "title")...)
	if rec.Code != http.StatusPreconditionFailed || rec.Header().Get("ETag") != now {
		t.Errorf("a stale PATCH: %d, ETag %q; want 412 with %q", rec.Code, rec.Header().Get("ETag"), now)
	}
}

// A server that writes before it has loaded another's revision must not
// serve its write without the other's: the revision it serves is the
// store's, whole.
func TestWriteOnAStaleServer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "store.db")
	open := func() *Server {
		st, ds := storetest.Seeded(t, path, nil)
		return New(Config{Data: ds, Store: st})
	}
	a, b := open(), open() // neither follows the other
	_, token, err := a.writer.store.CreateToken(ctx, "desk", store.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	auth := []string{"Authorization", "Bearer " + token}
	items := "/api/collections/incidents/items"
	if rec := do(a, http.MethodPost, items, newFeature("through-a", "A"), auth...); rec.Code != http.StatusCreated {
		t.Fatalf("POST through a: %d %s", rec.Code, rec.Body)
	}
	rec := do(b, http.MethodPost, items, newFeature("through-b", "B"), auth...)
	if rec.Code != http.StatusCreated || rec.Header().Get("X-Revision") != "3" {
		t.Fatalf("POST through b: %d, X-Revision %q: %s", rec.Code, rec.Header().Get("X-Revision"), rec.Body)
	}
	if rec := do(b, http.MethodGet, items+"/through-a", ""); rec.Code != http.StatusOK {
		t.Errorf("b serves revision 3 without revision 2's incident: %d", rec.Code)
	}
	// And a create of what the other made is a conflict, not a 5xx.
	if rec := do(a, http.MethodPost, items, newFeature("through-b", "again"), auth...); rec.Code != http.StatusConflict {
		t.Errorf("POST through a of b's id: %d %s, want 409", rec.Code, rec.Body)
	}

	// b's map of Basra, drawn while only b's own writes (at Al Asad) had
	// reached anything, must show what a writes at Basra once b has
	// served a revision after it: the other's revisions reached what b's
	// own did not.
	basra := "/tiles/incidents/8/161/105.mvt"
	if rec := do(b, http.MethodPost, items, newFeature("b-first", "B"), auth...); rec.Code != http.StatusCreated {
		t.Fatalf("POST through b: %d %s", rec.Code, rec.Body)
	}
	before := do(b, http.MethodGet, basra, "")
	if rec := do(a, http.MethodPost, items, strings.Replace(newFeature("a-basra", "At Basra"), "42.441,33.786", "47.8,30.5", 1), auth...); rec.Code != http.StatusCreated {
		t.Fatalf("POST through a: %d %s", rec.Code, rec.Body)
	}
	if rec := do(b, http.MethodPost, items, newFeature("b-second", "B"), auth...); rec.Code != http.StatusCreated {
		t.Fatalf("POST through b: %d %s", rec.Code, rec.Body)
	}
	head, err := b.writer.store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := b.writer.store.Dataset(ctx, head)
	if err != nil {
		t.Fatal(err)
	}
	got, want := do(b, http.MethodGet, basra, ""), do(New(Config{Data: ds}), http.MethodGet, basra, "")
	if got.Code != want.Code || got.Body.String() != want.Body.String() || got.Body.String() == before.Body.String() {
		t.Errorf("b's Basra tile after a's write there: %d, %d bytes; the head loaded whole: %d, %d bytes; before: %d bytes",
			got.Code, got.Body.Len(), want.Code, want.Body.Len(), before.Body.Len())
	}
}

// A write changes the map only near what it touches, so the tiles and
// views it leaves alone keep their cache entries and ETags (edits.go).
// What every server serves must still be exactly what a server loading
// the store's head whole serves: after each of a run of writes (creates,
// moves, deletes, a move of an incident with links), every tile and view
// of the area, at every zoom, is compared byte for byte with a fresh
// server's, while the written server's cache holds entries from before.
func TestWritesKeepWhatTheyDoNotTouch(t *testing.T) {
	s, st, token := writeServer(t)
	ctx := context.Background()
	toks, _ := st.Tokens(ctx)
	s.writer.limiter(toks[0].ID).SetLimit(rate.Inf)
	auth := []string{"Authorization", "Bearer " + token}
	items := "/api/collections/incidents/items"

	var targets []string
	for z := uint32(3); z <= 10; z++ {
		for _, p := range []orb.Point{{42.44, 33.79}, {44.1, 33.3}, {47.8, 30.5}, {40.9, 36.1}} {
			tl := maptile.At(p, maptile.Zoom(z))
			for _, layer := range []string{"incidents", "uncertainty", "links", "al-asad"} {
				targets = append(targets, fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layer, z, tl.X, tl.Y))
			}
			targets = append(targets, fmt.Sprintf("/tiles/incidents/%d/%d/%d.png", z, tl.X, tl.Y))
		}
	}
	// By a tile's edge, an incident known to a region: its circle
	// reaches over the edge, into the tile east of it.
	edge := orb.Point{43.40, 33.5}
	east := maptile.At(orb.Point{43.70, 33.5}, 8)
	eastTile := fmt.Sprintf("/tiles/uncertainty/8/%d/%d.mvt", east.X, east.Y)
	if maptile.At(edge, 8) == east {
		t.Fatal("the edge point is in the tile east of it")
	}
	targets = append(targets, eastTile,
		"/api/layers/incidents?bbox=42,33.4,43,34.2&zoom=9",
		"/api/layers/uncertainty?bbox=47,30,48.5,31&zoom=8",
		"/api/layers/links?bbox=40,29,49,37",
		"/api/collections/incidents/items?bbox=42,33.4,43,34.2",
		"/api/collections/incidents/items?bbox=47,30,48.5,31&f=csv",
		"/api/collections/incidents/items?lat=33.79&lon=42.44&radius=50000",
		"/api/collections/incidents/items?lat=30.5&lon=47.8&radius=20000",
		"/api/collections/incidents/items?lat=33.3&lon=44.4&radius=100000",
		"/api/layers/incidents?bbox=38,29,49,37&zoom=6",
		"/api/layers/incidents", "/api/layers/al-asad", "/api/layers/links", "/api/layers/rings",
		// Views and tiles of a day: the fixtures' incidents are of
		// 20 to 22 November, the writes' of the 23rd.
		"/api/layers/incidents?bbox=38,29,49,37&zoom=6&datetime=2023-11-21",
		"/api/layers/incidents?bbox=38,29,49,37&zoom=6&datetime=2023-11-23",
		"/api/layers/uncertainty?bbox=42,33.4,43,34.2&zoom=9&datetime=2023-11-21",
		"/tiles/incidents/8/158/102.mvt?datetime=2023-11-21",
		"/tiles/incidents/8/158/102.mvt?datetime=2023-11-23")
	get := func(srv *Server, target string) *httptest.ResponseRecorder {
		return do(srv, http.MethodGet, target, "", "Accept-Encoding", "gzip")
	}
	etags := func() map[string]string {
		out := map[string]string{}
		for _, target := range targets {
			out[target] = get(s, target).Header().Get("ETag")
		}
		return out
	}
	// Of the fixture incidents, one with links, to move.
	var linked geo.Incident
	for _, in := range s.Data().Incidents() {
		if len(in.Related) > 0 && in.Location != nil {
			linked = in
			break
		}
	}
	etagOf := func(id string) string { return do(s, http.MethodGet, items+"/"+id, "").Header().Get("ETag") }
	move := func(lon, lat float64) string {
		return fmt.Sprintf(`{"geometry":{"type":"Point","coordinates":[%g,%g]}}`, lon, lat)
	}
	writes := []struct {
		name               string
		method, path, body string
		id                 string // for If-Match
		near               string // a target the write must change
		far                string // and one it must not
	}{
		{"create at Basra", http.MethodPost, items, strings.Replace(newFeature("w-basra", "At Basra"), "42.441,33.786", "47.8,30.5", 1), "",
			"/tiles/incidents/8/161/105.mvt", "/tiles/incidents/8/158/102.mvt"},
		{"move Basra to Al Asad", http.MethodPatch, items + "/w-basra", move(42.44, 33.79), "w-basra",
			"/tiles/incidents/8/158/102.mvt", "/tiles/incidents/8/157/100.mvt"},
		{"create by a tile's edge", http.MethodPost, items, strings.NewReplacer("42.441,33.786", fmt.Sprintf("%g,%g", edge[0], edge[1]),
			`"geo_precision":"near"`, `"geo_precision":"region"`).Replace(newFeature("w-edge", "By an edge")), "", eastTile, ""},
		{"move a linked incident to Basra", http.MethodPatch, items + "/" + linked.ID, move(47.8, 30.5), linked.ID,
			"/api/layers/links?bbox=40,29,49,37", ""},
		{"delete", http.MethodDelete, items + "/w-basra", "", "w-basra", "/tiles/incidents/8/158/102.mvt", "/tiles/incidents/8/161/105.mvt"},
		{"create at Al Asad on the 23rd", http.MethodPost, items, newFeature("w-day", "On the 23rd"), "",
			"/tiles/incidents/8/158/102.mvt?datetime=2023-11-23", "/tiles/incidents/8/158/102.mvt?datetime=2023-11-21"},
		{"move it to the 21st", http.MethodPatch, items + "/w-day", `{"properties":{"occurred_at":"2023-11-21T10:00:00Z"}}`, "w-day",
			"/tiles/incidents/8/158/102.mvt?datetime=2023-11-21", ""},
		{"and back", http.MethodPatch, items + "/w-day", `{"properties":{"occurred_at":"2023-11-23T10:00:00Z"}}`, "w-day",
			"/api/layers/incidents?bbox=38,29,49,37&zoom=6&datetime=2023-11-21", ""},
	}
	bodies := func(srv *Server) map[string]string {
		out := map[string]string{}
		for _, target := range targets {
			rec := get(srv, target)
			out[target] = fmt.Sprint(rec.Code, " ", rec.Body.String())
		}
		return out
	}
	for _, w := range writes {
		before, was := etags(), bodies(s)
		headers := append([]string{reasonHeader, w.name}, auth...)
		if w.id != "" {
			headers = append(headers, "If-Match", etagOf(w.id))
		}
		if rec := do(s, w.method, w.path, w.body, headers...); rec.Code >= 300 {
			t.Fatalf("%s: %d %s", w.name, rec.Code, rec.Body)
		}
		head, err := st.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := st.Dataset(ctx, head)
		if err != nil {
			t.Fatal(err)
		}
		now := bodies(New(Config{Data: ds})) // what the head, loaded whole, serves

		// Right after the write, a tile or view it changed may be served
		// as it was while it is drawn again (X-Cache: stale), never
		// anything else; then, and within maxStale, as the head is.
		for _, target := range targets {
			rec := get(s, target)
			got := fmt.Sprint(rec.Code, " ", rec.Body.String())
			stale := rec.Header().Get("X-Cache") == "stale"
			switch {
			case stale && got != was[target]:
				t.Errorf("%s: %s served stale, but not as it was", w.name, target)
			case !stale && got != now[target]:
				t.Errorf("%s: %s served %.60q; loaded whole, %.60q", w.name, target, got, now[target])
			}
		}
		for deadline := time.Now().Add(maxStale); ; time.Sleep(10 * time.Millisecond) {
			got := bodies(s)
			drawn := 0
			for _, target := range targets {
				if got[target] == now[target] {
					drawn++
				}
			}
			if drawn == len(targets) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d of %d tiles and views as the head is, %s after the write", w.name, drawn, len(targets), maxStale)
			}
		}

		after := etags()
		if w.near != "" && before[w.near] == after[w.near] {
			t.Errorf("%s: %s kept its ETag", w.name, w.near)
		}
		if w.far != "" && before[w.far] != after[w.far] {
			t.Errorf("%s: %s, far from it, changed its ETag", w.name, w.far)
		}
		kept := 0
		for _, target := range targets {
			if before[target] == after[target] {
				kept++
			}
		}
		t.Logf("%s: %d of %d tiles and views kept", w.name, kept, len(targets))
	}
	// And a past revision is served as it was, whatever the edits since.
	ds, err := st.Dataset(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	first := New(Config{Data: ds})
	for _, target := range targets {
		if strings.HasPrefix(target, "/api/collections/") {
			continue // its links say /r/1
		}
		got, want := get(s, "/r/1"+target), get(first, target)
		if got.Code != want.Code || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
			t.Errorf("revision 1: %s served %d, %d bytes; loaded whole, %d, %d bytes", target, got.Code, got.Body.Len(), want.Code, want.Body.Len())
		}
	}
}

// A reader who asks for a tile while its drawing in the background waits
// for the slot, and a later data set replaces the one it would draw, gets
// the tile, never the dropped drawing's error.
func TestReaderNeverAnswersADroppedDrawing(t *testing.T) {
	s, _, token := writeServer(t)
	tile := "/tiles/incidents/8/158/102.mvt" // Al Asad
	get := func() *httptest.ResponseRecorder { return do(s, http.MethodGet, tile, "", "Accept-Encoding", "gzip") }
	if rec := get(); rec.Code != http.StatusOK {
		t.Fatalf("before: %d %s", rec.Code, rec.Body)
	}
	if rec := do(s, http.MethodPost, "/api/collections/incidents/items", newFeature("w-drawn", "Drawn"),
		reasonHeader, "test", "Authorization", "Bearer "+token); rec.Code != http.StatusCreated {
		t.Fatalf("write: %d %s", rec.Code, rec.Body)
	}
	s.background.acquire() // the drawing the next read starts waits
	if rec := get(); rec.Header().Get("X-Cache") != "stale" {
		t.Fatalf("right after the write: X-Cache %q, want stale", rec.Header().Get("X-Cache"))
	}
	// A data set like it replaces it, with its log: the tile keeps its
	// version, and once maxStale has passed is no longer served stale.
	cur := s.now()
	same, err := cur.data.With(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	same.Version = cur.data.Version
	s.setData(same, cur.edits)
	time.Sleep(maxStale + 50*time.Millisecond)
	go func() {
		time.Sleep(100 * time.Millisecond) // the reader waits on the tile's key first
		s.background.release()
	}()
	if rec := get(); rec.Code != http.StatusOK || rec.Header().Get("X-Cache") == "stale" {
		t.Errorf("after maxStale: %d, X-Cache %q: %s", rec.Code, rec.Header().Get("X-Cache"), rec.Body)
	}
}

// A drawing that waits draws what the data set shows when its turn
// comes, not what it showed when a reader found the response stale: the
// readers of a later write find it drawn, not stale again.
func TestDrawingDrawsTheNewestVersion(t *testing.T) {
	s, st, token := writeServer(t)
	tile := "/tiles/incidents/8/158/102.mvt" // Al Asad, where newFeature puts an incident
	get := func() *httptest.ResponseRecorder { return do(s, http.MethodGet, tile, "", "Accept-Encoding", "gzip") }
	write := func(id string) {
		t.Helper()
		if rec := do(s, http.MethodPost, "/api/collections/incidents/items", newFeature(id, "Drawn"),
			reasonHeader, "test", "Authorization", "Bearer "+token); rec.Code != http.StatusCreated {
			t.Fatalf("write %s: %d %s", id, rec.Code, rec.Body)
		}
	}
	if rec := get(); rec.Code != http.StatusOK {
		t.Fatalf("before: %d %s", rec.Code, rec.Body)
	}
	write("w-first")
	s.background.acquire() // the drawing the next read starts waits
	if rec := get(); rec.Header().Get("X-Cache") != "stale" {
		t.Fatalf("after the first write: X-Cache %q, want stale", rec.Header().Get("X-Cache"))
	}
	write("w-second") // while the drawing waits
	s.background.release()
	for deadline := time.Now().Add(2 * maxStale); s.background.drawingAny(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the drawing never ended")
		}
	}
	rec := get()
	if x := rec.Header().Get("X-Cache"); x != "hit" {
		t.Errorf("after the drawing: X-Cache %q, want hit (drawn at the second write)", x)
	}
	head, err := st.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ds, err := st.Dataset(context.Background(), head)
	if err != nil {
		t.Fatal(err)
	}
	want := do(New(Config{Data: ds}), http.MethodGet, tile, "", "Accept-Encoding", "gzip")
	if !bytes.Equal(rec.Body.Bytes(), want.Body.Bytes()) {
		t.Errorf("after the drawing: %d bytes; the head loaded whole, %d", rec.Body.Len(), want.Body.Len())
	}
}

// A write that a batch has answered returns at once, even while the
// writer's turn is held on, as the next batch's leader holds it through
// its pace, build and store: it waited for all of that before.
func TestWriteAnsweredWithoutWaitingForTheNextBatch(t *testing.T) {
	s, _, _ := writeServer(t)
	w := s.writer
	w.lock() // a batch is under way
	in := &intent{change: store.Change{ID: "answered", Op: store.Create}}
	got := make(chan outcome, 1)
	go func() { got <- s.submit(context.Background(), in) }()
	var batch []*intent
	for len(batch) == 0 {
		time.Sleep(time.Millisecond)
		w.queueMu.Lock()
		batch, w.queue = w.queue, nil
		w.queueMu.Unlock()
	}
	batch[0].done <- outcome{err: errStale} // the batch answers it, and the turn stays held
	select {
	case o := <-got:
		if o.err != errStale {
			t.Errorf("outcome %v, want the batch's", o.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a write its batch answered waited for the writer's turn")
	}
	w.unlock()
}

// drawingAny reports whether any drawing is admitted, waiting or
// drawing.
func (b *background) drawingAny() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.drawings) > 0
}
