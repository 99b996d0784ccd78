package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/api/cache"
	"github.com/incidentmap/incidentmap/api/cache/cachetest"
	"github.com/incidentmap/incidentmap/store"
	"github.com/incidentmap/incidentmap/store/storetest"
)

// replicaFollow is how often a test replica polls the store: the
// service's own interval (cmd/incidentmap's followInterval).
const replicaFollow = 500 * time.Millisecond

// newReplica is a server on the PostgreSQL store at dsn (seeded with the
// fixtures by the first), sharing Redis under prefix when redisURL is
// set, following the store (polling every poll) until the test ends.
func newReplica(t testing.TB, dsn, redisURL, prefix string, poll time.Duration) (*Server, *store.Store) {
	t.Helper()
	st, ds := storetest.Seeded(t, dsn, nil)
	cfg := Config{Data: ds, Store: st, KeyPrefix: prefix}
	if redisURL != "" {
		rc, err := cache.NewRedis(cache.RedisConfig{URL: redisURL, Timeout: time.Second, TTL: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rc.Close() })
		cfg.Cache = cache.New(8<<20, rc)
	}
	s := New(cfg)
	followCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Follow(followCtx, poll); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	return s, st
}

// servedWithin waits until every replica serves path with 200, for at
// most limit, and returns how long that took.
func servedWithin(t testing.TB, path string, limit time.Duration, replicas ...*Server) (time.Duration, bool) {
	t.Helper()
	start := time.Now()
	for _, r := range replicas {
		for do(r, http.MethodGet, path, "").Code != http.StatusOK {
			if time.Since(start) > limit {
				return time.Since(start), false
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	return time.Since(start), true
}

// Two replicas on one PostgreSQL and one Redis, and PostgreSQL restarted
// under them: writes through either are served by both within a second;
// while PostgreSQL is down a write is a 503 problem with Retry-After and
// reads go on from the data loaded; once it is back, writes go through
// again (the connection pool reconnects) and the replicas converge. The
// PostgreSQL is a private one (storetest.Cluster): the machine's is
// shared with every other test running.
func TestReplicasThroughPostgresRestart(t *testing.T) {
	pg := storetest.NewCluster(t)
	redisURL := cachetest.RedisURL(t)
	prefix := fmt.Sprintf("incidentmap-test-replicas-%d", time.Now().UnixNano())
	// a polls as the service does; b polls an hour apart, so what it
	// serves of a's writes it learns from PostgreSQL's notifications,
	// after the restart too.
	a, st := newReplica(t, pg.URL, redisURL, prefix, replicaFollow)
	b, _ := newReplica(t, pg.URL, redisURL, prefix, time.Hour)
	replicas := []*Server{a, b}
	_, token, err := st.CreateToken(context.Background(), "desk", store.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	auth := []string{"Authorization", "Bearer " + token}
	items := "/api/collections/incidents/items"
	writeThrough := func(i int, id string) *httptest.ResponseRecorder {
		return do(replicas[i], http.MethodPost, items, newFeature(id, "Written on replica "+strconv.Itoa(i)), auth...)
	}
	for i := range replicas {
		id := fmt.Sprintf("before-%d", i)
		if rec := writeThrough(i, id); rec.Code != http.StatusCreated {
			t.Fatalf("POST through replica %d: %d %s", i, rec.Code, rec.Body)
		}
		if took, ok := servedWithin(t, items+"/"+id, time.Second, a, b); !ok {
			t.Fatalf("%s, written through replica %d, not served by both after %v", id, i, took)
		}
	}
	// What readers ask for, read once before the outage (the log from
	// the cache is all a replica has of it without the store).
	reads := []string{
		items, items + "/before-0", items + "/before-1", items + "?f=csv",
		"/api/layers/incidents", "/api/collections/incidents/summary",
		"/tiles/incidents/0/0/0.mvt", "/api/changes", "/changes.atom", "/", "/readyz",
	}
	seen := map[string]string{}
	for _, r := range replicas {
		for _, path := range reads {
			rec := do(r, http.MethodGet, path, "")
			if rec.Code != http.StatusOK {
				t.Fatalf("GET %s before the outage: %d %s", path, rec.Code, rec.Body)
			}
			seen[path] = rec.Header().Get("X-Revision")
		}
	}

	pg.Stop()
	// Writes: a clean 503 that names the store and says when to retry;
	// nothing is served that was not committed.
	etag := do(a, http.MethodGet, items+"/before-0", "").Header().Get("ETag")
	for i := range replicas {
		for name, rec := range map[string]*httptest.ResponseRecorder{
			"POST":  writeThrough(i, "during"),
			"PATCH": do(replicas[i], http.MethodPatch, items+"/before-0", `{"properties":{"title":"x"}}`, append(auth, "If-Match", etag, reasonHeader, "r")...),
		} {
			if rec.Code != http.StatusServiceUnavailable || problemParam(t, rec) != "store" || rec.Header().Get("Retry-After") == "" {
				t.Errorf("%s through replica %d with PostgreSQL down: %d, Retry-After %q: %s; want 503 naming the store, with Retry-After",
					name, i, rec.Code, rec.Header().Get("Retry-After"), rec.Body)
			}
		}
	}
	// Reads go on, from the data loaded, for longer than the replicas
	// take to notice the store is gone.
	for end := time.Now().Add(3 * replicaFollow); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		for i, r := range replicas {
			for _, path := range reads {
				rec := do(r, http.MethodGet, path, "")
				if rec.Code != http.StatusOK || rec.Header().Get("X-Revision") != seen[path] {
					t.Fatalf("GET %s on replica %d with PostgreSQL down: %d, X-Revision %q (was %q): %s", path, i, rec.Code, rec.Header().Get("X-Revision"), seen[path], rec.Body)
				}
			}
			if rec := do(r, http.MethodGet, items+"/during", ""); rec.Code != http.StatusNotFound {
				t.Fatalf("GET of the refused write on replica %d: %d", i, rec.Code)
			}
		}
	}
	// A read that needs the store (a revision never loaded) is a 503 too,
	// never a 500.
	if rec := do(b, http.MethodGet, items+"?rev=2", ""); rec.Code != http.StatusServiceUnavailable || problemParam(t, rec) != "store" {
		t.Errorf("a past revision with PostgreSQL down: %d %s; want 503 naming the store", rec.Code, rec.Body)
	}

	pg.Start()
	// The first write after the restart goes through: the pool has let go
	// of the connections the shutdown closed and opens new ones.
	for i := range replicas {
		id := fmt.Sprintf("after-%d", i)
		if rec := writeThrough(i, id); rec.Code != http.StatusCreated {
			t.Fatalf("POST through replica %d after the restart: %d %s", i, rec.Code, rec.Body)
		}
		if took, ok := servedWithin(t, items+"/"+id, time.Second, a, b); !ok {
			t.Fatalf("%s, written through replica %d after the restart, not served by both after %v", id, i, took)
		}
	}
	head, err := st.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range replicas {
		if got := revisionOf(r.Data()); got != strconv.FormatInt(head, 10) {
			t.Errorf("replica %d serves revision %s, the store's head is %d", i, got, head)
		}
	}
	// Both serve the same data, byte for byte, under the same ETag: the
	// version names the store's revision, however each replica built it.
	ra, rb := do(a, http.MethodGet, items+"?limit=1000", ""), do(b, http.MethodGet, items+"?limit=1000", "")
	if ra.Code != http.StatusOK || ra.Body.String() != rb.Body.String() {
		t.Errorf("the replicas serve different items after the restart:\n%s\n%s", ra.Body, rb.Body)
	}
	if ea, eb := ra.Header().Get("ETag"), rb.Header().Get("ETag"); ea == "" || ea != eb {
		t.Errorf("the replicas serve the same items under ETags %s and %s", ea, eb)
	}
}

// BenchmarkReplicaLag measures how long a write through one replica takes
// to be served by the other, on the machine's PostgreSQL: the figures are
// the median and the longest of the run's writes.
func BenchmarkReplicaLag(b *testing.B) {
	dsn, _, ok := storetest.Postgres(b)
	if !ok {
		b.Skip("no PostgreSQL")
	}
	w, st := newReplica(b, dsn, "", "", replicaFollow)
	r, _ := newReplica(b, dsn, "", "", replicaFollow)
	tok, token, err := st.CreateToken(context.Background(), "bench", store.RoleEditor)
	if err != nil {
		b.Fatal(err)
	}
	w.writer.limiter(tok.ID).SetLimit(1000)
	var lags []time.Duration
	i := 0
	for b.Loop() {
		i++
		id := fmt.Sprintf("lag-%d", i)
		rec := do(w, http.MethodPost, "/api/collections/incidents/items", newFeature(id, "Lag"), "Authorization", "Bearer "+token)
		if rec.Code != http.StatusCreated {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
		lag, ok := servedWithin(b, "/api/collections/incidents/items/"+id, 10*time.Second, r)
		if !ok {
			b.Fatalf("%s not served by the other replica after %v", id, lag)
		}
		lags = append(lags, lag)
	}
	slices.Sort(lags)
	b.ReportMetric(float64(lags[len(lags)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lags[len(lags)-1].Microseconds())/1000, "max-ms")
	b.Logf("%d writes: p50 %v, max %v", len(lags), lags[len(lags)/2], lags[len(lags)-1])
}
