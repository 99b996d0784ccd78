package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/fixtures"
	"github.com/incidentmap/incidentmap/store"
)

// importFeature is a valid incident feature with the given id, title and
// related ids, on one line.
func importFeature(id, title, related string) string {
	return fmt.Sprintf(`{"type":"Feature","id":%q,"geometry":{"type":"Point","coordinates":[42.441,33.786]},`+
		`"properties":{"title":%q,"occurred_at":"2024-01-01T00:00:00Z","time_precision":"day","event_type":"missile_attack",`+
		`"actors":[],"site":"al-asad","place":"Ain Al Asad","place_ar":"","admin1":"","country":"IQ","geo_precision":"near",`+
		`"injured":null,"killed":null,"summary":"","sources":[{"publisher":"P","title":"T","published_at":"2024-01-02T00:00:00Z","quote":"Q."}],`+
		`"related":[%s]}}`, id, title, related)
}

func collectionOf(features ...string) string {
	return "{\"type\":\"FeatureCollection\",\"features\":[\n" + strings.Join(features, ",\n") + "\n]}\n"
}

func importFile(t *testing.T, dsn, body string, args ...string) (string, error) {
	t.Helper()
	path := writeFile(t, body)
	var out bytes.Buffer
	err := runImport(context.Background(), append(append([]string{"-store", dsn}, args...), path), noEnv, &out, io.Discard)
	return out.String(), err
}

func headRevision(t *testing.T, dsn string) int64 {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := st.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestImport(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "store.db")
	good := collectionOf(
		importFeature("import-one", "First imported", `"2023-11-21-al-asad-crbm"`),
		importFeature("import-two", "Second imported", `"import-one"`),
	)

	// A dry run of a file with two problems lists both, by line, and
	// writes nothing; so does a real run.
	bad := collectionOf(
		importFeature("import-one", "First imported", `"no-such-incident"`),
		strings.Replace(importFeature("import-two", "Second", ""), "2024-01-01T00:00:00Z", "yesterday", 1),
	)
	for _, args := range [][]string{{"-dry-run"}, {"-reason", "r"}} {
		out, err := importFile(t, dsn, bad, args...)
		if err == nil || !strings.Contains(err.Error(), "2 problems") {
			t.Fatalf("%v: error %v; want 2 problems", args, err)
		}
		for _, want := range []string{"line 2:", `"no-such-incident"`, "line 3:", "properties.occurred_at"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: report does not say %s:\n%s", args, want, out)
			}
		}
		if h := headRevision(t, dsn); h != seededHead(t) {
			t.Fatalf("%v: head %d after a refused import, want the seed's %d", args, h, seededHead(t))
		}
	}

	if _, err := importFile(t, dsn, good); err == nil || !strings.Contains(err.Error(), "-reason") {
		t.Errorf("import without -reason: %v", err)
	}
	out, err := importFile(t, dsn, good, "-dry-run")
	if err != nil || !strings.Contains(out, "2 to create, 0 to update, 0 unchanged") || headRevision(t, dsn) != seededHead(t) {
		t.Fatalf("dry run: %q, %v", out, err)
	}
	out, err = importFile(t, dsn, good, "-reason", "Wire reports of the day")
	if err != nil || !strings.Contains(out, fmt.Sprintf("revision %d: 2 to create", seededHead(t)+1)) {
		t.Fatalf("import: %q, %v", out, err)
	}
	// The same file again changes nothing: no revision.
	out, err = importFile(t, dsn, good, "-reason", "again")
	if err != nil || !strings.Contains(out, "nothing to import") || headRevision(t, dsn) != seededHead(t)+1 {
		t.Fatalf("second import: %q, %v; head %d", out, err, headRevision(t, dsn))
	}
	// One title corrected: one update.
	corrected := strings.Replace(good, "Second imported", "Second imported, corrected", 1)
	out, err = importFile(t, dsn, corrected, "-reason", "Title corrected")
	if err != nil || !strings.Contains(out, fmt.Sprintf("revision %d: 0 to create, 1 to update, 1 unchanged", seededHead(t)+2)) {
		t.Fatalf("corrected import: %q, %v", out, err)
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.Dataset(context.Background(), seededHead(t)+2)
	if err != nil {
		t.Fatal(err)
	}
	if in, err := ds.Incident("import-two"); err != nil || in.Title != "Second imported, corrected" {
		t.Errorf("revision 3: %v, %v", in, err)
	}
	revs, err := st.Revisions(context.Background(), 0, 1)
	if err != nil || len(revs) != 1 || revs[0].Reason != "Title corrected" {
		t.Errorf("last revision %+v, %v", revs, err)
	}
}

func TestTokenCommands(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "store.db")
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := runToken(ctx, []string{"create", "-store", dsn, "-name", "Graphics desk"}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(out.String())
	if !strings.Contains(errOut.String(), "shown once") || !strings.HasPrefix(secret, "imt_") {
		t.Fatalf("create printed %q, %q", secret, errOut.String())
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := st.Authenticate(ctx, secret)
	st.Close()
	if err != nil || tok.Role != store.RoleEditor {
		t.Fatalf("the printed token: %+v, %v", tok, err)
	}
	out.Reset()
	if err := runToken(ctx, []string{"list", "-store", dsn}, noEnv, &out, io.Discard); err != nil || !strings.Contains(out.String(), tok.ID) || strings.Contains(out.String(), secret) {
		t.Fatalf("list: %q, %v", out.String(), err)
	}
	if err := runToken(ctx, []string{"revoke", "-store", dsn, tok.ID}, noEnv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := runToken(ctx, []string{"list", "-store", dsn}, noEnv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "revoked") {
		t.Fatalf("list after revoke: %q, %v", out.String(), err)
	}
	for _, args := range [][]string{{"create", "-store", dsn, "-name", "x", "-role", "reader"}, {"revoke", "-store", dsn, "nope"}, {"frob", "-store", dsn}, {}} {
		if err := runToken(ctx, args, noEnv, io.Discard, io.Discard); err == nil {
			t.Errorf("token %v: no error", args)
		}
	}
}

// With -store, the server takes writes with a token, and a restart
// serves what was written.
func TestStoreServesWrites(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "store.db")
	var out bytes.Buffer
	if err := runToken(context.Background(), []string{"create", "-store", dsn, "-name", "desk"}, noEnv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out.String())
	addr, stop := start(t, []string{"-addr", "127.0.0.1:0", "-drain", "0s", "-store", dsn}, noEnv)
	before := numberMatched(t, addr)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/collections/incidents/items",
		strings.NewReader(importFeature("written-one", "Written through the API", "")))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("X-Revision") != fmt.Sprint(seededHead(t)+1) {
		t.Fatalf("POST: %d, revision %q", resp.StatusCode, resp.Header.Get("X-Revision"))
	}
	if n := numberMatched(t, addr); n != before+1 {
		t.Errorf("serving %d after the write, want %d", n, before+1)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	addr, stop = start(t, []string{"-addr", "127.0.0.1:0", "-drain", "0s", "-store", dsn}, noEnv)
	defer stop()
	if n := numberMatched(t, addr); n != before+1 {
		t.Errorf("after a restart serving %d, want %d", n, before+1)
	}
}

// seededHead is the revision a new store is at: the fixtures, then each
// of their corrections.
func seededHead(t *testing.T) int64 {
	t.Helper()
	cs, err := store.ParseCorrections(fixtures.Corrections)
	if err != nil {
		t.Fatal(err)
	}
	return int64(1 + len(cs))
}
