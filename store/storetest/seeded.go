package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/store"
)

// Seeded opens the store dsn names (a SQLite file, a postgres:// URL)
// until the test ends, seeds it with the fixtures and the corrections cs
// unless another did, and returns it with the data set of its head.
func Seeded(t testing.TB, dsn string, cs []store.Correction) (*store.Store, *geo.Dataset) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Seed(ctx, fixtures.Incidents, fixtures.Sites, cs, store.Revision{At: time.Now(), Author: "test", Reason: "seed"}); err != nil {
		t.Fatal(err)
	}
	head, err := st.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := st.Dataset(ctx, head)
	if err != nil {
		t.Fatal(err)
	}
	return st, ds
}
