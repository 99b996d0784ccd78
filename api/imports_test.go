package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/store"
)

// importReportOf decodes an import's answer: the report of a 200, or
// that of a 422's problem.
func importReportOf(t *testing.T, body []byte) importReport {
	t.Helper()
	var p struct {
		importReport
		Import *importReport `json:"import"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	if p.Import != nil {
		return *p.Import
	}
	return p.importReport
}

// An import from the desk: a dry run reports and writes nothing; a file
// with problems lists each by line and writes nothing; a good file is one
// revision, served at once, and importing it again changes nothing.
func TestImportOverHTTP(t *testing.T) {
	s, st, editor := writeServer(t)
	ctx := context.Background()
	as := []string{"Authorization", "Bearer " + editor, "Change-Reason", "Wire reports of 23 November"}
	head := func() int64 {
		h, err := st.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	before := head()
	file := `{"type":"FeatureCollection","features":[` + newFeature("2023-11-23-import-a", "First") + ",\n" + newFeature("2023-11-23-import-b", "Second") + "]}"

	// No token: 401, and nothing is read.
	if rec := do(s, http.MethodPost, "/api/imports?dry_run=true", file); rec.Code != http.StatusUnauthorized {
		t.Errorf("no token: %d", rec.Code)
	}
	// A dry run: what it would do.
	rec := do(s, http.MethodPost, "/api/imports?dry_run=true", file, as...)
	if rec.Code != http.StatusOK {
		t.Fatalf("dry run: %d %s", rec.Code, rec.Body)
	}
	r := importReportOf(t, rec.Body.Bytes())
	if !r.DryRun || r.Rows != 2 || r.Created != 2 || r.Revision != nil || len(r.Problems) != 0 || r.Format != "geojson" {
		t.Errorf("dry run report %+v", r)
	}
	if head() != before {
		t.Fatal("a dry run wrote")
	}
	if got := do(s, http.MethodGet, itemsPath+"/2023-11-23-import-a", ""); got.Code != http.StatusNotFound {
		t.Errorf("after a dry run the incident is served: %d", got.Code)
	}

	// Problems: each with its line (the second feature is on line 2),
	// nothing written.
	bad := strings.Replace(file, `"title":"Second"`, `"title":""`, 1)
	bad = strings.Replace(bad, `"related":[]}}]}`, `"related":["no-such-incident"]}}]}`, 1)
	rec = do(s, http.MethodPost, "/api/imports", bad, as...)
	if rec.Code != http.StatusUnprocessableEntity || problemParam(t, rec) != "body" {
		t.Fatalf("a file with problems: %d %s", rec.Code, rec.Body)
	}
	r = importReportOf(t, rec.Body.Bytes())
	if len(r.Problems) == 0 || r.Problems[0].Line != 2 || !strings.Contains(r.Problems[0].Message, "title") {
		t.Errorf("problems %+v, want the title of line 2 first: %s", r.Problems, rec.Body)
	}
	if head() != before {
		t.Fatal("a file with problems wrote")
	}

	// No reason, no import.
	if rec := do(s, http.MethodPost, "/api/imports", file, "Authorization", "Bearer "+editor); rec.Code != http.StatusBadRequest || problemParam(t, rec) != "Change-Reason" {
		t.Errorf("no reason: %d %s", rec.Code, rec.Body)
	}

	// The import: one revision, served at once, by the token's name.
	rec = do(s, http.MethodPost, "/api/imports", file, as...)
	if rec.Code != http.StatusOK {
		t.Fatalf("import: %d %s", rec.Code, rec.Body)
	}
	r = importReportOf(t, rec.Body.Bytes())
	if r.Revision == nil || *r.Revision != before+1 || head() != before+1 || r.Created != 2 {
		t.Fatalf("import report %+v; store at %d, was %d", r, head(), before)
	}
	for _, id := range []string{"2023-11-23-import-a", "2023-11-23-import-b"} {
		if got := do(s, http.MethodGet, itemsPath+"/"+id, ""); got.Code != http.StatusOK {
			t.Errorf("%s after the import: %d", id, got.Code)
		}
	}
	revs, err := st.Revisions(ctx, before+2, 1)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := st.Changes(ctx, before+1)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 1 || revs[0].Author != "Graphics desk" || revs[0].Reason != "Wire reports of 23 November" || len(changes) != 2 {
		t.Errorf("the log's last revision: %+v, %d changes", revs, len(changes))
	}

	// Again: nothing new, no revision.
	rec = do(s, http.MethodPost, "/api/imports", file, as...)
	if r := importReportOf(t, rec.Body.Bytes()); rec.Code != http.StatusOK || r.Revision != nil || r.Unchanged != 2 || head() != before+1 {
		t.Errorf("the same file again: %d %+v, store at %d", rec.Code, r, head())
	}

	// Imports at once are bounded: with every slot taken, another is a
	// 503 that says to try again, and reads nothing.
	for range maxImports {
		s.writer.imports <- struct{}{}
	}
	rec = do(s, http.MethodPost, "/api/imports?dry_run=true", file, as...)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("an import beyond %d at once: %d, Retry-After %q", maxImports, rec.Code, rec.Header().Get("Retry-After"))
	}
	for range maxImports {
		<-s.writer.imports
	}

	// Bad input: a problem naming what.
	for _, c := range []struct{ path, body, param string }{
		{"/api/imports?dry_run=maybe", file, "dry_run"},
		{"/api/imports?format=xml", file, "format"},
		{"/api/imports?dry_run=true", "not a file of incidents", "body"},
		{"/api/imports?dry_run=true&limit=3", file, "limit"},
	} {
		rec := do(s, http.MethodPost, c.path, c.body, as...)
		if rec.Code < 400 || rec.Code >= 500 || problemParam(t, rec) != c.param {
			t.Errorf("POST %s: %d %s, want a 4xx naming %s", c.path, rec.Code, rec.Body, c.param)
		}
	}
}

// The desk asks who it is signed in as: the token's name and role, never
// its text; without a token, 401.
func TestCurrentToken(t *testing.T) {
	s, _, editor := writeServer(t)
	rec := do(s, http.MethodGet, "/api/tokens/current", "", "Authorization", "Bearer "+editor)
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if doc["name"] != "Graphics desk" || doc["role"] != store.RoleEditor || doc["token"] != nil || rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("current token %v, Cache-Control %q", doc, rec.Header().Get("Cache-Control"))
	}
	for _, h := range [][]string{nil, {"Authorization", "Bearer imt_0000000000000000_00"}} {
		if rec := do(s, http.MethodGet, "/api/tokens/current", "", h...); rec.Code != http.StatusUnauthorized {
			t.Errorf("%v: %d", h, rec.Code)
		}
	}
}
