package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/store"
	"github.com/incidentmap/incidentmap/store/storetest"
)

// woken waits for a receipt on w.C, for at most limit.
func woken(w *store.Watch, limit time.Duration) bool {
	select {
	case <-w.C:
		return true
	case <-time.After(limit):
		return false
	}
}

// drain takes what w.C holds, so the next receipt is news.
func drain(w *store.Watch) {
	select {
	case <-w.C:
	default:
	}
}

// waitListening waits until w listens (or stops listening, for want
// false), for at most 10 s.
func waitListening(t *testing.T, w *store.Watch, want bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); w.Listening() != want; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("listening %v after 10 s, want %v", w.Listening(), want)
		}
	}
}

// A commit through one store is told to a watch on another on the same
// PostgreSQL, also after the server restarted under it; a SQLite store
// has no watch to tell (its readers poll).
func TestWatch(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	sqlite, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer sqlite.Close()
	if w := sqlite.Watch(ctx); w.C != nil || w.Listening() {
		t.Errorf("a watch on SQLite: C %v, listening %v; want neither", w.C, w.Listening())
	}

	pg := storetest.NewCluster(t)
	writer := openStore(t, backend{"postgres", pg.URL})
	reader := openStore(t, backend{"postgres", pg.URL})
	w := reader.Watch(ctx)
	waitListening(t, w, true)
	drain(w) // the wake of connecting
	if woken(w, 100*time.Millisecond) {
		t.Fatal("a watch woke with nothing committed")
	}
	if _, err := writer.Seed(ctx, fixtures.Incidents, fixtures.Sites, nil, seedRevision); err != nil {
		t.Fatal(err)
	}
	if !woken(w, 5*time.Second) {
		t.Fatal("the seed was not told to the watch")
	}
	commit := func(id string) error {
		_, err := writer.Commit(ctx, store.Revision{At: time.Now(), Author: "test", Reason: "watch"},
			[]store.Change{{ID: id, Op: store.Create, Feature: []byte(`{"type":"Feature","id":"` + id + `"}`)}})
		return err
	}
	if err := commit("watched-1"); err != nil {
		t.Fatal(err)
	}
	if !woken(w, 5*time.Second) {
		t.Fatal("a commit was not told to the watch")
	}
	// A commit that fails announces nothing: NOTIFY goes out with the
	// transaction's commit alone.
	if err := commit("watched-1"); err == nil {
		t.Fatal("a second create of one id committed")
	}
	if woken(w, 200*time.Millisecond) {
		t.Error("a failed commit woke the watch")
	}

	pg.Stop()
	waitListening(t, w, false)
	pg.Start()
	waitListening(t, w, true)
	if !woken(w, 5*time.Second) {
		t.Fatal("no wake on listening again, for what may have been missed")
	}
	if err := commit("watched-2"); err != nil {
		t.Fatalf("a commit after the restart: %v", err)
	}
	if !woken(w, 5*time.Second) {
		t.Fatal("a commit after the restart was not told to the watch")
	}
}
