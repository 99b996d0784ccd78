package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/store"
)

// tokensList reads GET /api/tokens as the admin whose token is admin,
// and fails the test unless it is a 200 that is never cached and holds
// each token's id, name, role, created_at and revoked, and nothing else.
func tokensList(t *testing.T, s *Server, admin string) []tokenDoc {
	t.Helper()
	rec := do(s, http.MethodGet, "/api/tokens", "", "Authorization", "Bearer "+admin)
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/tokens: %d, Cache-Control %q, Content-Type %q: %s", rec.Code, rec.Header().Get("Cache-Control"), rec.Header().Get("Content-Type"), rec.Body)
	}
	var raw struct{ Tokens []map[string]json.RawMessage }
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	for _, tok := range raw.Tokens {
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range tok {
				if !yield(k) {
					return
				}
			}
		})
		if want := []string{"created_at", "id", "name", "revoked", "role"}; !slices.Equal(keys, want) {
			t.Errorf("a listed token has %v, want %v", keys, want)
		}
	}
	var list struct{ Tokens []tokenDoc }
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	return list.Tokens
}

// secretOf is the part of a token's text that only its holder knows.
func secretOf(text string) string { return text[strings.LastIndex(text, "_")+1:] }

// Admins manage tokens over HTTP: list, create (the text shown once),
// revoke. Editors are refused (403), anyone without a token challenged
// (401); nothing is cached; bad input is a problem naming the field.
func TestTokensOverHTTP(t *testing.T) {
	s, st, editor := writeServer(t)
	ctx := context.Background()
	_, admin, err := st.CreateToken(ctx, "Ops", store.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	asAdmin := []string{"Authorization", "Bearer " + admin}
	list := "/api/tokens"

	// Who may not: no token and unknown ones are a 401 with a challenge;
	// an editor's is a 403. None changes anything.
	for _, req := range []struct{ method, path, body string }{
		{http.MethodGet, list, ""},
		{http.MethodPost, list, `{"name":"Intruder","role":"admin"}`},
		{http.MethodDelete, list + "/0000000000000000", ""},
	} {
		for who, headers := range map[string][]string{
			"no token":      nil,
			"not bearer":    {"Authorization", "Basic " + admin},
			"unknown token": {"Authorization", "Bearer imt_0000000000000000_00"},
			"editor":        {"Authorization", "Bearer " + editor},
		} {
			rec := do(s, req.method, req.path, req.body, headers...)
			want := http.StatusUnauthorized
			if who == "editor" {
				want = http.StatusForbidden
			}
			challenge := rec.Header().Get("WWW-Authenticate")
			if rec.Code != want || problemParam(t, rec) != "authorization" || rec.Header().Get("Cache-Control") != "no-store" ||
				(want == http.StatusUnauthorized) != strings.HasPrefix(challenge, "Bearer ") {
				t.Errorf("%s %s with %s: %d, WWW-Authenticate %q, Cache-Control %q; want %d", req.method, req.path, who, rec.Code, challenge, rec.Header().Get("Cache-Control"), want)
			}
		}
	}
	if got := tokensList(t, s, admin); len(got) != 2 {
		t.Fatalf("%d tokens after refused requests, want the editor's and the admin's: %+v", len(got), got)
	}

	// Create: 201, the text once, never cached; it writes at once.
	rec := do(s, http.MethodPost, list, `{"name":"Night desk","role":"editor"}`, asAdmin...)
	var made tokenDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &made); err != nil || rec.Code != http.StatusCreated || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("POST %s: %d, Cache-Control %q, %v: %s", list, rec.Code, rec.Header().Get("Cache-Control"), err, rec.Body)
	}
	if !strings.HasPrefix(made.Token, "imt_"+made.ID+"_") || made.Name != "Night desk" || made.Role != store.RoleEditor || made.Revoked || made.CreatedAt.IsZero() {
		t.Errorf("the made token: %+v", made)
	}
	night := []string{"Authorization", "Bearer " + made.Token}
	if rec := do(s, http.MethodPost, "/api/collections/incidents/items", newFeature("t-night", "Written with a token made over HTTP"), night...); rec.Code != http.StatusCreated {
		t.Errorf("a write with the made token: %d %s", rec.Code, rec.Body)
	}
	if rec := do(s, http.MethodGet, list, "", night...); rec.Code != http.StatusForbidden {
		t.Errorf("the made editor's token lists tokens: %d, want 403", rec.Code)
	}
	// The list shows it, and no secret: the text is shown once only.
	rec = do(s, http.MethodGet, list, "", asAdmin...)
	for _, text := range []string{made.Token, admin, editor} {
		if strings.Contains(rec.Body.String(), secretOf(text)) {
			t.Errorf("the list holds a token's secret: %s", rec.Body)
		}
	}
	got := tokensList(t, s, admin)
	if i := slices.IndexFunc(got, func(d tokenDoc) bool { return d.ID == made.ID }); len(got) != 3 || i < 0 || got[i].Name != "Night desk" || got[i].Revoked {
		t.Errorf("list after a create: %+v", got)
	}
	// An admin made over HTTP manages tokens too.
	rec = do(s, http.MethodPost, list, `{"name":"Second admin","role":"admin"}`, asAdmin...)
	var second tokenDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &second); err != nil || rec.Code != http.StatusCreated {
		t.Fatalf("POST an admin: %d %s", rec.Code, rec.Body)
	}
	if got := tokensList(t, s, second.Token); len(got) != 4 {
		t.Errorf("the second admin lists %d tokens, want 4", len(got))
	}

	// Bad input: a problem naming what is wrong; nothing made.
	for name, c := range map[string]struct {
		path, body string
		code       int
		param      string
	}{
		"not JSON":      {list, `name=x`, http.StatusBadRequest, "body"},
		"two values":    {list, `{"name":"a","role":"editor"}{}`, http.StatusBadRequest, "body"},
		"unknown field": {list, `{"name":"a","role":"editor","secret":"x"}`, http.StatusBadRequest, "body"},
		"not a string":  {list, `{"name":1,"role":"editor"}`, http.StatusBadRequest, "body"},
		"no name":       {list, `{"role":"editor"}`, http.StatusUnprocessableEntity, "name"},
		"no role":       {list, `{"name":"a"}`, http.StatusUnprocessableEntity, "role"},
		"unknown role":  {list, `{"name":"a","role":"reader"}`, http.StatusUnprocessableEntity, "role"},
		"blank name":    {list, `{"name":"  ","role":"editor"}`, http.StatusUnprocessableEntity, "name"},
		"long name":     {list, `{"name":"` + strings.Repeat("x", store.MaxTokenName+1) + `","role":"editor"}`, http.StatusUnprocessableEntity, "name"},
		"two lines":     {list, `{"name":"a\nb","role":"editor"}`, http.StatusUnprocessableEntity, "name"},
		"huge body":     {list, `{"name":"` + strings.Repeat("x", maxTokenBody) + `","role":"editor"}`, http.StatusRequestEntityTooLarge, "body"},
		"a query":       {list + "?role=admin", `{"name":"a","role":"editor"}`, http.StatusBadRequest, "role"},
		"a revision":    {"/r/1" + list, `{"name":"a","role":"editor"}`, http.StatusBadRequest, "rev"},
	} {
		rec := do(s, http.MethodPost, c.path, c.body, asAdmin...)
		if rec.Code != c.code || problemParam(t, rec) != c.param {
			t.Errorf("%s: %d, param %q; want %d naming %s: %s", name, rec.Code, problemParam(t, rec), c.code, c.param, rec.Body)
		}
	}
	if got := tokensList(t, s, admin); len(got) != 4 {
		t.Errorf("%d tokens after bad requests, want 4", len(got))
	}

	// Revoke: 204; the token is refused from then on, and listed revoked.
	if rec := do(s, http.MethodDelete, list+"/"+made.ID, "", asAdmin...); rec.Code != http.StatusNoContent || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("DELETE %s: %d %s", made.ID, rec.Code, rec.Body)
	}
	if rec := do(s, http.MethodPost, "/api/collections/incidents/items", newFeature("t-revoked", "x"), night...); rec.Code != http.StatusUnauthorized {
		t.Errorf("a write with a revoked token: %d, want 401", rec.Code)
	}
	got = tokensList(t, s, admin)
	if i := slices.IndexFunc(got, func(d tokenDoc) bool { return d.ID == made.ID }); i < 0 || !got[i].Revoked {
		t.Errorf("list after a revoke: %+v", got)
	}
	if rec := do(s, http.MethodDelete, list+"/"+made.ID, "", asAdmin...); rec.Code != http.StatusNoContent {
		t.Errorf("DELETE of a revoked token: %d, want 204", rec.Code)
	}
	for _, id := range []string{"0123456789abcdef", "nope", "0123456789ABCDEF"} {
		if rec := do(s, http.MethodDelete, list+"/"+id, "", asAdmin...); rec.Code != http.StatusNotFound || problemParam(t, rec) != "id" {
			t.Errorf("DELETE of token %q: %d, want 404 naming id", id, rec.Code)
		}
	}

	// The OpenAPI document declares each of these, for a bearer token,
	// with its 401 and 403.
	_, doc := servedOpenAPI(t)
	for path, methods := range map[string][]string{"/tokens": {"get", "post"}, "/tokens/{tokenId}": {"delete"}} {
		for _, m := range methods {
			op, ok := doc.Paths[path][m]
			_, has401 := op.Responses["401"]
			_, has403 := op.Responses["403"]
			if !ok || len(op.Security) != 1 || op.Security[0]["bearer"] == nil || !has401 || !has403 {
				t.Errorf("the OpenAPI document's %s %s: %+v", m, path, op)
			}
		}
	}

	// A server without a store has no tokens to manage.
	if rec := do(New(Config{Data: s.Data()}), http.MethodGet, list, "", asAdmin...); rec.Code != http.StatusNotFound {
		t.Errorf("GET %s without a store: %d, want 404", list, rec.Code)
	}
	// With the store gone, a 503 problem: nothing can be checked.
	st.Close()
	for _, rec := range []*httptest.ResponseRecorder{
		do(s, http.MethodGet, list, "", asAdmin...),
		do(s, http.MethodPost, list, `{"name":"a","role":"editor"}`, asAdmin...),
	} {
		if rec.Code != http.StatusServiceUnavailable || problemParam(t, rec) != "store" {
			t.Errorf("tokens with the store closed: %d %s; want 503 naming the store", rec.Code, rec.Body)
		}
	}
}
