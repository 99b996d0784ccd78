package store_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/geo"
	"github.com/incidentmap/incidentmap/geo/synth"
	"github.com/incidentmap/incidentmap/store"
	"github.com/incidentmap/incidentmap/store/storetest"
)

// backend is a kind of store to test, and where: a SQLite file or a
// PostgreSQL schema of its own.
type backend struct {
	name string
	dsn  string
}

// open opens the store at b.dsn.
func (b backend) open(ctx context.Context) (*store.Store, error) {
	if b.name == "postgres" {
		return store.OpenPostgres(ctx, b.dsn)
	}
	return store.OpenSQLite(ctx, b.dsn)
}

// backends returns a fresh SQLite file and a fresh PostgreSQL schema
// (storetest.Postgres): without a server it tests SQLite alone, unless
// CI=true, where that fails.
func backends(t *testing.T) []backend {
	t.Helper()
	out := []backend{{"sqlite", filepath.Join(t.TempDir(), "store.db")}}
	if dsn, _, ok := storetest.Postgres(t); ok {
		out = append(out, backend{"postgres", dsn})
	}
	return out
}

func openStore(t *testing.T, b backend) *store.Store {
	t.Helper()
	s, err := b.open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var seedRevision = store.Revision{At: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), Author: "test", Reason: "seed"}

// load builds the data set of revision rev.
func load(t *testing.T, s *store.Store, rev int64) *geo.Dataset {
	t.Helper()
	var buf bytes.Buffer
	if err := s.WriteCollection(context.Background(), rev, &buf); err != nil {
		t.Fatal(err)
	}
	sites, err := s.Sites(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ds, err := geo.NewDataset(buf.Bytes(), sites)
	if err != nil {
		t.Fatalf("revision %d does not load: %v", rev, err)
	}
	return ds
}

func ids(ds *geo.Dataset) []string {
	var out []string
	for _, in := range ds.Incidents() {
		out = append(out, in.ID)
	}
	return out
}

// withTitle returns feature with its title set.
func withTitle(t *testing.T, feature []byte, title string) []byte {
	t.Helper()
	var f map[string]any
	if err := json.Unmarshal(feature, &f); err != nil {
		t.Fatal(err)
	}
	f["properties"].(map[string]any)["title"] = title
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRevisions(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { testRevisions(t, b) })
	}
}

func testRevisions(t *testing.T, b backend) {
	ctx := context.Background()
	s := openStore(t, b)
	seeded, err := s.Seed(ctx, fixtures.Incidents, fixtures.Sites, nil, seedRevision)
	if err != nil || !seeded {
		t.Fatalf("Seed: %v, %v", seeded, err)
	}
	if again, err := s.Seed(ctx, fixtures.Incidents, fixtures.Sites, nil, seedRevision); err != nil || again {
		t.Fatalf("second Seed: %v, %v; want nothing done", again, err)
	}
	want, err := geo.NewDataset(fixtures.Incidents, fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	v1 := load(t, s, 1)
	if !slices.Equal(ids(v1), ids(want)) {
		t.Fatalf("revision 1 holds %v, want the fixtures' %v", ids(v1), ids(want))
	}

	// Revision 2 adds an incident, 3 corrects its title, 4 deletes it.
	target := want.Incidents()[0]
	target.ID, target.Related = "test-incident", nil
	feature, err := target.AppendGeoJSON(nil, nanDistance)
	if err != nil {
		t.Fatal(err)
	}
	if rev, err := s.Commit(ctx, store.Revision{At: time.Now(), Author: "editor", Reason: "new report"},
		[]store.Change{{ID: target.ID, Op: store.Create, Feature: feature}}); err != nil || rev != 2 {
		t.Fatalf("create: %d, %v; want revision 2", rev, err)
	}
	rev, err := s.Commit(ctx, store.Revision{At: time.Now(), Author: "editor", Reason: "typo"},
		[]store.Change{{ID: target.ID, Op: store.Update, Feature: withTitle(t, feature, "Corrected title")}})
	if err != nil || rev != 3 {
		t.Fatalf("update: %d, %v; want revision 3", rev, err)
	}
	if in, _ := load(t, s, 3).Incident(target.ID); in.Title != "Corrected title" {
		t.Errorf("revision 3 title %q", in.Title)
	}
	if in, _ := load(t, s, 2).Incident(target.ID); in.Title != target.Title {
		t.Errorf("revision 2 changed: title %q, want %q", in.Title, target.Title)
	}
	if _, err := load(t, s, 1).Incident(target.ID); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("revision 1 has %s, added at 2", target.ID)
	}
	changes, err := s.Changes(ctx, 3)
	if err != nil || len(changes) != 1 || len(changes[0].Diff) != 1 || changes[0].Diff[0].Field != "properties.title" ||
		string(changes[0].Diff[0].To) != `"Corrected title"` {
		t.Fatalf("Changes(3) = %+v, %v; want the title alone", changes, err)
	}

	// A create of an id that exists commits nothing.
	if _, err := s.Commit(ctx, store.Revision{At: time.Now(), Author: "editor", Reason: "dup"},
		[]store.Change{{ID: target.ID, Op: store.Create, Feature: feature}}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate create: %v, want ErrConflict", err)
	}
	if head, _ := s.Head(ctx); head != 3 {
		t.Fatalf("head %d after a refused commit, want 3", head)
	}

	if rev, err := s.Commit(ctx, store.Revision{At: time.Now(), Author: "editor", Reason: "duplicate of another"},
		[]store.Change{{ID: target.ID, Op: store.Delete}}); err != nil || rev != 4 {
		t.Fatalf("delete: %d, %v", rev, err)
	}
	if _, err := load(t, s, 4).Incident(target.ID); !errors.Is(err, geo.ErrNotFound) {
		t.Errorf("revision 4 still has %s", target.ID)
	}
	if _, err := load(t, s, 3).Incident(target.ID); err != nil {
		t.Errorf("revision 3 lost %s: %v", target.ID, err)
	}
	if changes, err := s.Changes(ctx, 4); err != nil || len(changes) != 1 || changes[0].Op != store.Delete || len(changes[0].Diff) == 0 {
		t.Errorf("Changes(4) = %+v, %v; want a delete listing what went", changes, err)
	}
	revs, err := s.Revisions(ctx, 0, 10)
	if err != nil || len(revs) != 4 || revs[0].Rev != 4 || revs[0].Reason != "duplicate of another" || revs[3].Author != "test" {
		t.Fatalf("Revisions = %+v, %v", revs, err)
	}
}

var nanDistance = math.NaN()

// TestCrashMidImport kills (SIGKILL) a process in the middle of
// committing an import of 20,000 incidents, at a different moment each
// time: the store it leaves is always at the revision before the import
// or the one after, whole, never between.
func TestCrashMidImport(t *testing.T) {
	if os.Getenv("STORE_CRASH_CHILD") != "" {
		crashChild()
		return
	}
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { testCrashMidImport(t, b) })
	}
}

func testCrashMidImport(t *testing.T, b backend) {
	ctx := context.Background()
	s := openStore(t, b)
	if _, err := s.Seed(ctx, fixtures.Incidents, fixtures.Sites, nil, seedRevision); err != nil {
		t.Fatal(err)
	}
	s.Close()
	outcomes := map[int64]int{}
	// The last waits for the child to say the commit is done.
	delays := []time.Duration{0, 20 * time.Millisecond, 60 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond, -1}
	for i, delay := range delays {
		before := headOf(t, b)
		cmd := exec.Command(os.Args[0], "-test.run", "^TestCrashMidImport$")
		cmd.Env = append(os.Environ(), "STORE_CRASH_CHILD="+b.dsn, "STORE_CRASH_BACKEND="+b.name, fmt.Sprintf("STORE_CRASH_SEED=%d", i))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		if !lines.Scan() || lines.Text() != "committing" {
			t.Fatalf("child: %q, %v", lines.Text(), lines.Err())
		}
		if delay < 0 {
			if !lines.Scan() || lines.Text() != "committed" {
				t.Fatalf("child: %q, %v", lines.Text(), lines.Err())
			}
		}
		time.Sleep(max(delay, 0))
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()

		after := headOf(t, b)
		s := openStore(t, b)
		ds := load(t, s, after)
		n := ds.Len()
		switch after {
		case before:
			if n != load(t, s, before).Len() {
				t.Fatalf("head unchanged at %d but %d incidents", after, n)
			}
		case before + 1:
			var synthetic int
			for _, id := range ids(ds) {
				if strings.HasPrefix(id, fmt.Sprintf("synthetic-%d-", i)) {
					synthetic++
				}
			}
			if synthetic != crashImportSize {
				t.Fatalf("revision %d holds %d of the %d imported", after, synthetic, crashImportSize)
			}
		default:
			t.Fatalf("head went from %d to %d", before, after)
		}
		outcomes[after-before]++
	}
	t.Logf("killed before the commit landed %d times, after %d times", outcomes[0], outcomes[1])
	if outcomes[0] == 0 || outcomes[1] == 0 {
		t.Error("the kills did not land both before and after a commit: the test does not test what it says")
	}
}

const crashImportSize = 20_000

func headOf(t *testing.T, b backend) int64 {
	t.Helper()
	s, err := b.open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h, err := s.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// crashChild imports crashImportSize synthetic incidents into the store
// named by STORE_CRASH_CHILD, saying "committing" first.
func crashChild() {
	ctx := context.Background()
	s, err := backend{os.Getenv("STORE_CRASH_BACKEND"), os.Getenv("STORE_CRASH_CHILD")}.open(ctx)
	if err != nil {
		panic(err)
	}
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(synth.Incidents(crashImportSize, 1), &fc); err != nil {
		panic(err)
	}
	prefix := "synthetic-" + os.Getenv("STORE_CRASH_SEED") + "-"
	changes := make([]store.Change, len(fc.Features))
	for i, f := range fc.Features {
		id := fmt.Sprintf("%s%d", prefix, i)
		f = bytes.Replace(f, []byte(fmt.Sprintf(`"id":"synthetic-%d"`, i)), []byte(`"id":"`+id+`"`), 1)
		changes[i] = store.Change{ID: id, Op: store.Create, Feature: f}
	}
	os.Stdout.WriteString("committing\n")
	if _, err := s.Commit(ctx, store.Revision{At: time.Now(), Author: "import", Reason: "crash test"}, changes); err != nil {
		panic(err)
	}
	os.Stdout.WriteString("committed\n")
	s.Close()
}

func TestTokens(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			s := openStore(t, b)
			if _, _, err := s.CreateToken(ctx, "desk", "reader"); err == nil {
				t.Error("a token with role reader was made")
			}
			tok, secret, err := s.CreateToken(ctx, "Graphics desk", store.RoleEditor)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Authenticate(ctx, secret)
			if err != nil || got.ID != tok.ID || got.Role != store.RoleEditor || got.Name != "Graphics desk" {
				t.Fatalf("Authenticate = %+v, %v", got, err)
			}
			// A wrong secret for a real id, a made-up id, and nonsense fail alike.
			wrong := secret[:len(secret)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", secret[len(secret)-1])+1)%16])
			for _, bad := range []string{wrong, "imt_0000000000000000_" + secret[len(secret)-48:], "", "Bearer " + secret, secret + "x"} {
				if _, err := s.Authenticate(ctx, bad); !errors.Is(err, store.ErrBadToken) {
					t.Errorf("Authenticate(%q) = %v, want ErrBadToken", bad, err)
				}
			}
			list, err := s.Tokens(ctx)
			if err != nil || len(list) != 1 || list[0].ID != tok.ID || list[0].Revoked {
				t.Fatalf("Tokens = %+v, %v", list, err)
			}
			if err := s.RevokeToken(ctx, tok.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Authenticate(ctx, secret); !errors.Is(err, store.ErrBadToken) {
				t.Errorf("a revoked token authenticates: %v", err)
			}
			if err := s.RevokeToken(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("revoking an unknown token: %v", err)
			}
			if list, _ := s.Tokens(ctx); len(list) != 1 || !list[0].Revoked {
				t.Errorf("after revoking: %+v", list)
			}
			// The store keeps no secret: not in the SQLite file, nor in
			// its write-ahead log.
			if b.name == "sqlite" {
				secretPart := secret[strings.LastIndexByte(secret, '_')+1:]
				for _, f := range []string{b.dsn, b.dsn + "-wal"} {
					if data, err := os.ReadFile(f); err == nil && bytes.Contains(data, []byte(secretPart)) {
						t.Errorf("%s holds the token's secret", f)
					}
				}
			}
		})
	}
}

// A store seeded with the fixtures and their corrections records each
// correction as a revision with its reason, and its head is the fixtures
// with the corrections applied, as a server without a store serves them.
func TestSeedRecordsCorrections(t *testing.T) {
	ctx := context.Background()
	cs, err := store.ParseCorrections(fixtures.Corrections)
	if err != nil || len(cs) == 0 {
		t.Fatalf("fixtures' corrections: %d, %v", len(cs), err)
	}
	s := openStore(t, backends(t)[0])
	if _, err := s.Seed(ctx, fixtures.Incidents, fixtures.Sites, cs, seedRevision); err != nil {
		t.Fatal(err)
	}
	head, _ := s.Head(ctx)
	if head != int64(1+len(cs)) {
		t.Fatalf("head %d, want %d", head, 1+len(cs))
	}
	revs, err := s.Revisions(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cs {
		r := revs[len(cs)-1-i] // newest first
		changes, _ := s.Changes(ctx, r.Rev)
		if r.Reason != c.Reason || r.Author != c.Author || len(changes) != len(c.Changes) || len(changes[0].Diff) == 0 {
			t.Errorf("revision %d: %+v with %+v; want correction %d", r.Rev, r, changes, i+1)
		}
	}
	corrected, err := store.ApplyCorrections(fixtures.Incidents, cs)
	if err != nil {
		t.Fatal(err)
	}
	want, err := geo.NewDataset(corrected, fixtures.Sites)
	if err != nil {
		t.Fatal(err)
	}
	got := load(t, s, head)
	for _, w := range want.Incidents() {
		g, err := got.Incident(w.ID)
		if err != nil || !reflect.DeepEqual(*g, w) {
			t.Errorf("%s at the head differs from the corrected fixtures", w.ID)
		}
	}
}

func TestHistory(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { testHistory(t, b) })
	}
}

// testHistory: an incident's history is the revisions that changed it,
// newest first, bounded by before and limit; the seed's corrections are
// in it with their reasons.
func testHistory(t *testing.T, b backend) {
	ctx := context.Background()
	cs, err := store.ParseCorrections(fixtures.Corrections)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, b)
	if _, err := s.Seed(ctx, fixtures.Incidents, fixtures.Sites, cs, seedRevision); err != nil {
		t.Fatal(err)
	}
	const id = "2023-11-21-al-asad-mortar" // corrected by the first correction, revision 2
	ds := load(t, s, 1+int64(len(cs)))
	in, err := ds.Incident(id)
	if err != nil {
		t.Fatal(err)
	}
	feature, err := in.AppendGeoJSON(nil, math.NaN())
	if err != nil {
		t.Fatal(err)
	}
	later, err := s.Commit(ctx, store.Revision{At: seedRevision.At.Add(time.Hour), Author: "desk", Reason: "A later title"},
		[]store.Change{{ID: id, Op: store.Update, Feature: withTitle(t, feature, "Claimed mortar attack")}})
	if err != nil {
		t.Fatal(err)
	}
	revs := func(h []store.IncidentChange) (out []string) {
		for _, c := range h {
			out = append(out, fmt.Sprintf("%d %s %s", c.Rev, c.Op, c.Reason))
		}
		return out
	}
	for _, tc := range []struct {
		name          string
		id            string
		before        int64
		limit         int
		want          []string
		wantFirstDiff string
	}{
		{"all", id, 0, 10, []string{
			fmt.Sprintf("%d update A later title", later), "2 update " + cs[0].Reason, "1 create seed"}, "properties.title"},
		{"before the later write", id, later, 10, []string{"2 update " + cs[0].Reason, "1 create seed"}, "properties.event_type"},
		{"limit", id, 0, 1, []string{fmt.Sprintf("%d update A later title", later)}, "properties.title"},
		{"before the correction", id, 2, 10, []string{"1 create seed"}, "geometry"},
		{"an incident never corrected", "2023-11-21-al-shaddadi-claim", 0, 10, []string{"1 create seed"}, "geometry"},
		{"no such incident", "nope", 0, 10, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := s.History(ctx, tc.id, tc.before, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := revs(h); !slices.Equal(got, tc.want) {
				t.Fatalf("history %q", got)
			}
			if len(h) > 0 && (h[0].ID != tc.id || len(h[0].Diff) == 0 || h[0].Diff[0].Field != tc.wantFirstDiff || h[0].At.IsZero()) {
				t.Errorf("first entry %+v, want its diff to start at %s", h[0], tc.wantFirstDiff)
			}
		})
	}
}
