package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/incidentmap/incidentmap/store"
)

// CheckToken refuses, naming the field, what a token may not be.
func TestCheckToken(t *testing.T) {
	for _, c := range []struct {
		name, tokenName, role, field string
	}{
		{"editor", "Graphics desk", store.RoleEditor, ""},
		{"admin", "Ops", store.RoleAdmin, ""},
		{"Arabic name", "مكتب الرسوم", store.RoleEditor, ""},
		{"longest name", strings.Repeat("x", store.MaxTokenName), store.RoleEditor, ""},
		{"unknown role", "desk", "reader", "role"},
		{"no role", "desk", "", "role"},
		{"role in capitals", "desk", "Admin", "role"},
		{"empty name", "", store.RoleEditor, "name"},
		{"blank name", " \t", store.RoleEditor, "name"},
		{"long name", strings.Repeat("x", store.MaxTokenName+1), store.RoleEditor, "name"},
		{"newline", "desk\nforged log line", store.RoleEditor, "name"},
		{"escape", "desk\x1b[31m", store.RoleEditor, "name"},
		{"NUL", "desk\x00", store.RoleEditor, "name"},
		{"not UTF-8", "desk\xff", store.RoleEditor, "name"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := store.CheckToken(c.tokenName, c.role)
			var te *store.TokenError
			switch {
			case c.field == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.field != "" && (!errors.As(err, &te) || te.Field != c.field):
				t.Errorf("%v; want a TokenError about %s", err, c.field)
			}
		})
	}
}
