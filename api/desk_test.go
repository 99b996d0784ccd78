package api

import (
	"net/http"
	"strings"
	"testing"
)

// /edit is framed by no page, says whether the server can be written
// to, and takes no query and no revision.
func TestDeskPage(t *testing.T) {
	withStore, _, _ := writeServer(t)
	for _, c := range []struct {
		name  string
		s     *Server
		store string
	}{{"a store", withStore, `data-store="true"`}, {"a file", newTestServer(t), `data-store="false"`}} {
		rec := do(c.s, http.MethodGet, "/edit", "")
		h := rec.Header()
		if rec.Code != http.StatusOK || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			!strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: /edit %d, CSP %q, X-Frame-Options %q", c.name, rec.Code, h.Get("Content-Security-Policy"), h.Get("X-Frame-Options"))
		}
		if !strings.Contains(rec.Body.String(), c.store) {
			t.Errorf("%s: the desk does not say %s", c.name, c.store)
		}
	}
	for target, param := range map[string]string{"/edit?token=x": "token", "/r/1/edit": "rev"} {
		if rec := do(withStore, http.MethodGet, target, ""); rec.Code != http.StatusBadRequest || problemParam(t, rec) != param {
			t.Errorf("%s: %d %s, want a 400 naming %s", target, rec.Code, rec.Body, param)
		}
	}
}
